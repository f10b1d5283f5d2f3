/**
 * What a scan worker does with the pool's requests: scans a file or a
 * directory unit with a registry, and posts the outcome back. The worker entry
 * point (`worker.ts`) serves the built-in registry; tests serve toy formats.
 *
 * @module
 */

import type { Registry } from "../scanners/registry.ts";
import type { SourceScanOutcome } from "./dispatch.ts";
import type { DirectoryOutcome, DirectoryTask } from "./scan_directory.ts";
import { type FileTask, scanFile } from "./scan_file.ts";
import { markStarted, type WorkerReady, type WorkerReply, type WorkerRequest } from "./worker_protocol.ts";

export type { WorkerRequest } from "./worker_protocol.ts";

/** A task for a scan worker: a file, or a directory unit (it has `files`). */
export type ScanTask = FileTask | DirectoryTask;

/** What a task produced. */
export type TaskOutcome = SourceScanOutcome | DirectoryOutcome;

/**
 * Runs one task with `registry`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { REGISTRY } from "../scanners/registry.ts";
 * import { runTask } from "./serve.ts";
 * // Needs read permission for the file: here, one of this repository's fixtures.
 * const realPath = await Deno.realPath("fixtures/pickle/malicious/global_os_system_reduce_p0.pkl");
 * const outcome = await runTask({ realPath, path: "models/m.pkl", blacklist: [] }, REGISTRY);
 * assert.deepEqual(outcome.findings.map((f) => f.location.file), ["models/m.pkl", "models/m.pkl"]);
 * ```
 */
export function runTask(task: ScanTask, registry: Registry, signal?: AbortSignal): Promise<TaskOutcome> {
  return "files" in task ? scanUnit(task, registry, signal) : scanFile(task, { registry, signal });
}

/**
 * Scans a directory unit. Its module loads with the first unit: most scans have none, and a
 * worker that loads fewer modules is ready sooner for its first file.
 */
async function scanUnit(
  task: DirectoryTask,
  registry: Registry,
  signal?: AbortSignal,
): Promise<DirectoryOutcome> {
  const { scanDirectory } = await import("./scan_directory.ts");
  return scanDirectory(task, { registry, signal });
}

/** The worker's global scope, typed here because JSR packages may not set `lib: deno.worker`. */
interface WorkerScope {
  onmessage: (event: MessageEvent<WorkerRequest>) => void;
  postMessage(message: unknown): void;
}

/**
 * Answers the pool's requests in this worker, scanning with `registry`: says it
 * is ready, then runs each batch's tasks one after the other, marking which one
 * runs (see `worker_protocol.ts`), and replies once per batch.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { newProgress, type WorkerReply, type WorkerRequest } from "./worker_protocol.ts";
 * // A worker module is these two imports and the call (what `worker.ts` is); started here from a Blob.
 * const worker = new Worker(
 *   URL.createObjectURL(
 *     new Blob([
 *       `import { REGISTRY } from "${new URL("../scanners/registry.ts", import.meta.url)}";
 *        import { serveScans } from "${new URL("./serve.ts", import.meta.url)}";
 *        serveScans(REGISTRY);`,
 *     ], { type: "text/javascript" }),
 *   ),
 *   { type: "module" },
 * );
 * const realPath = await Deno.realPath("fixtures/pickle/malicious/global_os_system_reduce_p0.pkl");
 * const request: WorkerRequest = {
 *   id: 7,
 *   tasks: [{ realPath, path: "model.pkl", blacklist: [] }],
 *   progress: newProgress(),
 *   sentAt: Date.now(),
 * };
 * const reply = await new Promise<WorkerReply>((resolve) => {
 *   // The first message says the worker is ready; the reply follows.
 *   worker.onmessage = (event) => "id" in event.data && resolve(event.data);
 *   worker.postMessage(request);
 * });
 * worker.terminate();
 * assert.equal(reply.id, 7);
 * assert.deepEqual(reply.outcomes[0].findings.map((finding) => finding.rule), ["MA100", "MA101"]);
 * ```
 */
export function serveScans(registry: Registry): void {
  const scope = self as unknown as WorkerScope;
  scope.onmessage = async (event) => {
    const request = event.data;
    const outcomes: TaskOutcome[] = [];
    for (let index = 0; index < request.tasks.length; index++) {
      markStarted(request, index);
      outcomes.push(await runTask(request.tasks[index], registry));
    }
    scope.postMessage({ id: request.id, outcomes } satisfies WorkerReply);
  };
  scope.postMessage({ ready: true } satisfies WorkerReady);
}
