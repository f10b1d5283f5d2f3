/**
 * A pool of scan workers whose Deno permissions are narrowed to reading the
 * scan targets. Small files go to a worker in batches, so that a directory of
 * thousands costs a message per batch, not per file; each file still has its
 * own time limit. A worker that throws, hangs past a file's time or dies is
 * replaced, the file it was on gets a scan error, and the rest of its batch
 * and of the scan goes on.
 *
 * @module
 */

import { BUDGET_SPENT } from "./limits.ts";
import { startScanWorker } from "./sandbox.ts";
import type { ScanTask, TaskOutcome } from "./serve.ts";
import {
  newProgress,
  PROGRESS_SINCE,
  PROGRESS_TASK,
  type WorkerMessage,
  type WorkerReply,
  type WorkerRequest,
} from "./worker_protocol.ts";

/** Most files in one batch: enough to make messages cheap, few enough to share work between workers. */
const MAX_BATCH_FILES = 64;
/** Files larger than this (and directory units) go to a worker alone: their scan, not the message, is the cost. */
const MAX_BATCHED_FILE_BYTES = 1024 * 1024;
/** Most bytes of files in one batch. */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

/** Options of a {@linkcode WorkerPool}. */
export interface PoolOptions {
  /** Most workers alive at once. */
  size: number;
  /** Absolute paths the workers may read. */
  readRoots: readonly string[];
  /** The worker module; tests substitute a probe. */
  workerUrl?: URL;
}

/** A file waiting for, or in, a worker. */
interface Job {
  task: ScanTask;
  timeoutMs: number;
  /** `Date.now()` time past which the task may not run, whatever its own time left. */
  deadline: number;
  resolve: (outcome: TaskOutcome) => void;
}

/** A worker and the batch it is on, if any. */
interface Slot {
  worker: Worker;
  batch?: Batch;
}

interface Batch {
  id: number;
  jobs: Job[];
  progress: Int32Array;
  sentAt: number;
  /** Stops the watchdog of the file the worker is on. */
  disarm?: () => void;
}

/**
 * Calls `fire` after `ms` milliseconds unless the returned function is called first.
 * Not `setTimeout`: Deno's global timers load its Node timers module on first use, some
 * 5 ms of the command line's CPU and 4 MB in every run; a timeout signal is one of
 * Deno's core timers, and keeps the process alive only while its listener is attached.
 */
function startTimer(ms: number, fire: () => void): () => void {
  const signal = AbortSignal.timeout(ms);
  signal.addEventListener("abort", fire, { once: true });
  return () => signal.removeEventListener("abort", fire);
}

function failure(error: string): TaskOutcome {
  return { format: null, findings: [], bytesScanned: 0, error };
}

/** The bytes a task reads, as batching counts them: a directory unit counts as large. */
function taskBytes(task: ScanTask): number {
  return "files" in task ? Infinity : task.size ?? 0;
}

/**
 * Runs file and directory-unit scans in sandboxed workers, at most `size`
 * workers at once. Files queued together are handed out in batches; each still
 * gets its own outcome.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WorkerPool } from "./pool.ts";
 * // Needs --unstable-worker-options and read permission for the roots: here, this repository's fixtures.
 * const models = await Deno.realPath("fixtures/pickle/malicious");
 * const pool = new WorkerPool({ size: 2, readRoots: [models] });
 * const task = { realPath: `${models}/global_os_system_reduce_p0.pkl`, path: "m.pkl", blacklist: [] };
 * const outcome = await pool.run(task, 60_000);
 * pool.close();
 * assert.deepEqual(outcome.findings.map((f) => f.rule), ["MA100", "MA101"]);
 * ```
 */
export class WorkerPool {
  readonly #options: PoolOptions;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  #dispatchScheduled = false;
  #nextId = 0;

  constructor(options: PoolOptions) {
    this.#options = options;
  }

  /**
   * How many files a caller that feeds the pool one file at a time should keep
   * in flight: a full batch for every worker, and the next one waiting.
   */
  get queueDepth(): number {
    return 2 * this.#options.size * MAX_BATCH_FILES;
  }

  /**
   * Scans one file or directory unit in a worker, within `timeoutMs` from when
   * the worker starts it and not past `deadline` (a `Date.now()` time: the whole
   * scan's end); never rejects: failures become the outcome's `error` (a plain
   * file outcome, even for a unit).
   */
  run(task: ScanTask, timeoutMs: number, deadline = Infinity): Promise<TaskOutcome> {
    const { promise, resolve } = Promise.withResolvers<TaskOutcome>();
    this.#queue.push({ task, timeoutMs, deadline, resolve });
    // A worker takes tens of milliseconds to start: start it now, while the batch fills.
    if (this.#slots.length < this.#options.size && this.#slots.every((slot) => slot.batch)) this.#spawn();
    if (!this.#dispatchScheduled) {
      this.#dispatchScheduled = true;
      // After the caller's synchronous run: every file it queues at once joins the batch. Not a
      // timer: the main thread may be busy loading modules, and the worker would wait for it.
      queueMicrotask(() => {
        this.#dispatchScheduled = false;
        this.#dispatch();
      });
    }
    return promise;
  }

  /**
   * Starts a worker now, when none is running yet: a worker takes tens of
   * milliseconds to start, which the caller can spend finding the files to scan.
   *
   * @example
   * ```ts
   * import { WorkerPool } from "./pool.ts";
   * const pool = new WorkerPool({ size: 2, readRoots: ["/models"] });
   * pool.start(); // boots while the caller lists /models
   * ```
   */
  start(): void {
    if (this.#slots.length === 0 && this.#options.size > 0) this.#spawn();
  }

  /** Terminates every worker; files still waiting get a scan error. */
  close(): void {
    for (const slot of this.#slots) {
      slot.batch?.disarm?.();
      slot.worker.terminate();
      for (const job of slot.batch?.jobs ?? []) job.resolve(failure("the scan was stopped"));
    }
    this.#slots.length = 0;
    for (const job of this.#queue.splice(0)) job.resolve(failure("the scan was stopped"));
  }

  #spawn(): Slot {
    const worker = startScanWorker(this.#options.readRoots, this.#options.workerUrl);
    const slot: Slot = { worker };
    worker.onmessage = (event: MessageEvent<WorkerMessage>) => {
      if ("id" in event.data) this.#finish(slot, event.data);
    };
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      this.#fail(slot, `scanner crashed: ${event.message}`);
    };
    this.#slots.push(slot);
    return slot;
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      // Files whose time ran out while they waited are not started.
      while (this.#queue.length > 0 && Date.now() >= this.#queue[0].deadline) {
        this.#queue.shift()!.resolve(failure(BUDGET_SPENT));
      }
      if (this.#queue.length === 0) return;
      const idle = this.#slots.filter((candidate) => !candidate.batch);
      const free = idle.length + this.#options.size - this.#slots.length;
      if (free === 0) return;
      this.#send(idle[0] ?? this.#spawn(), this.#takeBatch(free));
    }
  }

  /**
   * The next batch: one large file alone, or small files up to the limits,
   * the queue shared evenly between the `free` workers that can take work now.
   */
  #takeBatch(free: number): Job[] {
    const fair = Math.ceil(this.#queue.length / free);
    const most = Math.max(1, Math.min(MAX_BATCH_FILES, fair));
    const batch = [this.#queue.shift()!];
    let bytes = taskBytes(batch[0].task);
    if (bytes > MAX_BATCHED_FILE_BYTES) return batch;
    while (batch.length < most && this.#queue.length > 0) {
      const size = taskBytes(this.#queue[0].task);
      if (size > MAX_BATCHED_FILE_BYTES || bytes + size > MAX_BATCH_BYTES) break;
      bytes += size;
      batch.push(this.#queue.shift()!);
    }
    return batch;
  }

  #send(slot: Slot, jobs: Job[]): void {
    const batch: Batch = { id: this.#nextId++, jobs, progress: newProgress(), sentAt: Date.now() };
    slot.batch = batch;
    slot.worker.postMessage(
      {
        id: batch.id,
        tasks: jobs.map((job) => job.task),
        progress: batch.progress,
        sentAt: batch.sentAt,
      } satisfies WorkerRequest,
    );
    this.#watch(slot, batch);
  }

  /** Times the file the worker is on; a file not started yet counts from when the batch was sent. */
  #watch(slot: Slot, batch: Batch): void {
    const started = Atomics.load(batch.progress, PROGRESS_TASK);
    const since = started < 0 ? batch.sentAt : batch.sentAt + Atomics.load(batch.progress, PROGRESS_SINCE);
    const { timeoutMs, deadline } = batch.jobs[Math.max(0, started)];
    const left = Math.min(since + timeoutMs, deadline) - Date.now();
    if (left <= 0) {
      this.#fail(slot, `timed out after ${timeoutMs / 1000} s`);
      return;
    }
    if (Number.isFinite(left)) batch.disarm = startTimer(Math.ceil(left), () => this.#watch(slot, batch));
  }

  #finish(slot: Slot, reply: WorkerReply): void {
    const { batch } = slot;
    if (!batch || reply.id !== batch.id) return;
    batch.disarm?.();
    slot.batch = undefined;
    batch.jobs.forEach((job, index) => job.resolve(reply.outcomes[index]));
    this.#dispatch();
  }

  /**
   * Replaces a worker that crashed or ran out of time. The file it was on gets
   * `error`; a worker that died before starting any file takes its whole batch
   * with it. The other files of the batch are queued again, first.
   */
  #fail(slot: Slot, error: string): void {
    slot.worker.terminate();
    this.#slots.splice(this.#slots.indexOf(slot), 1);
    const { batch } = slot;
    if (!batch) return;
    batch.disarm?.();
    const index = Atomics.load(batch.progress, PROGRESS_TASK);
    const blamed = index < 0 ? batch.jobs : [batch.jobs[index]];
    for (const job of blamed) job.resolve(failure(error));
    this.#queue.unshift(...batch.jobs.filter((job) => !blamed.includes(job)));
    this.#dispatch();
  }
}
