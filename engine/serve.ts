/**
 * What a scan worker does with the pool's requests: scans a file or a
 * directory unit with a registry, and posts the outcome back. The worker entry
 * point (`worker.ts`) serves the built-in registry; tests serve toy formats.
 *
 * @module
 */

import type { Registry } from "../scanners/registry.ts";
import type { SourceScanOutcome } from "./dispatch.ts";
import { type DirectoryOutcome, type DirectoryTask, scanDirectory } from "./scan_directory.ts";
import { type FileTask, scanFile } from "./scan_file.ts";

/** A task for a scan worker: a file, or a directory unit (it has `files`). */
export type ScanTask = FileTask | DirectoryTask;

/** What a task produced. */
export type TaskOutcome = SourceScanOutcome | DirectoryOutcome;

/** A message from the pool: run this task. */
export interface WorkerRequest {
  id: number;
  task: ScanTask;
}

/**
 * Runs one task with `registry`.
 *
 * @example
 * ```ts
 * import { REGISTRY } from "../scanners/registry.ts";
 * import { runTask } from "./serve.ts";
 * const outcome = await runTask({ realPath: "/models/m.pkl", path: "models/m.pkl", blacklist: [] }, REGISTRY);
 * ```
 */
export function runTask(task: ScanTask, registry: Registry, signal?: AbortSignal): Promise<TaskOutcome> {
  return "files" in task ? scanDirectory(task, { registry, signal }) : scanFile(task, { registry, signal });
}

/** The worker's global scope, typed here because JSR packages may not set `lib: deno.worker`. */
interface WorkerScope {
  onmessage: (event: MessageEvent<WorkerRequest>) => void;
  postMessage(message: unknown): void;
}

/**
 * Answers the pool's requests in this worker, scanning with `registry`.
 *
 * @example
 * ```ts
 * import { REGISTRY } from "../scanners/registry.ts";
 * import { serveScans } from "./serve.ts";
 * serveScans(REGISTRY); // in a worker module
 * ```
 */
export function serveScans(registry: Registry): void {
  const scope = self as unknown as WorkerScope;
  scope.onmessage = async (event) => {
    const { id, task } = event.data;
    scope.postMessage({ id, outcome: await runTask(task, registry) });
  };
}
