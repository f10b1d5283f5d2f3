/**
 * What the scan pool and its workers say to each other. A worker says it is
 * ready once its modules have loaded; the pool hands it files in batches, so
 * that a directory of small files costs one message per batch rather than per
 * file. Before each file the worker marks in shared memory which file it is on
 * and since when, so that the pool can time each file out on its own and knows
 * which file a crash belongs to.
 *
 * @module
 */

import type { ScanTask, TaskOutcome } from "./serve.ts";

/** A message from the pool: run these tasks (files, directory units), in order. */
export interface WorkerRequest {
  id: number;
  tasks: ScanTask[];
  /** Shared with the pool: the task started last (-1: none yet) and when; see {@linkcode markStarted}. */
  progress: Int32Array;
  /** `Date.now()` when the pool sent the batch. */
  sentAt: number;
}

/** The worker's answer: one outcome per task, in the tasks' order. */
export interface WorkerReply {
  id: number;
  outcomes: TaskOutcome[];
}

/**
 * The worker's first message, sent once its modules have loaded and before any reply.
 * The pool acts on nothing in it: it is there so that the first reply is not the first
 * message the pool's thread receives. Deno runs its message path slowly the first time
 * (about 0.6 ms of a one-file scan), and the pool's thread is idle while the worker loads.
 */
export interface WorkerReady {
  ready: true;
}

/** What a worker sends: {@linkcode WorkerReady} once, then a {@linkcode WorkerReply} per request. */
export type WorkerMessage = WorkerReady | WorkerReply;

/** Slot of {@linkcode WorkerRequest.progress}: the index of the task started last, -1 before the first. */
export const PROGRESS_TASK = 0;
/** Slot of {@linkcode WorkerRequest.progress}: milliseconds after `sentAt` at which that task started. */
export const PROGRESS_SINCE = 1;

/**
 * Shared progress memory for a batch, before the worker starts any task.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newProgress, PROGRESS_TASK } from "./worker_protocol.ts";
 * const progress = newProgress();
 * assert.equal(progress[PROGRESS_TASK], -1);
 * assert.ok(progress.buffer instanceof SharedArrayBuffer); // the worker's writes reach the pool
 * ```
 */
export function newProgress(): Int32Array {
  const progress = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  progress[PROGRESS_TASK] = -1;
  return progress;
}

/**
 * Records, in the worker, that task `index` of `request` starts now.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { markStarted, newProgress, PROGRESS_SINCE, PROGRESS_TASK } from "./worker_protocol.ts";
 * const progress = newProgress();
 * const sentAt = Date.now();
 * markStarted({ id: 0, tasks: [], progress, sentAt }, 3);
 * assert.equal(progress[PROGRESS_TASK], 3);
 * assert.ok(progress[PROGRESS_SINCE] >= 0 && progress[PROGRESS_SINCE] <= Date.now() - sentAt);
 * ```
 */
export function markStarted(request: WorkerRequest, index: number): void {
  // The time first: a pool that sees the new index must not pair it with the old time.
  Atomics.store(request.progress, PROGRESS_SINCE, Date.now() - request.sentAt);
  Atomics.store(request.progress, PROGRESS_TASK, index);
}
