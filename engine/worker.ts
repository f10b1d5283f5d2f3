/**
 * Entry point of a scan worker. It runs with read access to the scan targets
 * and nothing else (see `sandboxPermissions` in `pool.ts`): a parser bug in a
 * hostile file cannot write, spawn or reach the network from here.
 *
 * @module
 */

import { type FileTask, scanFile } from "./scan_file.ts";

/** A message from the pool: scan this file. */
export interface WorkerRequest {
  id: number;
  task: FileTask;
}

/** The worker's global scope, typed here because JSR packages may not set `lib: deno.worker`. */
const scope = self as unknown as {
  onmessage: (event: MessageEvent<WorkerRequest>) => void;
  postMessage(message: unknown): void;
};

scope.onmessage = async (event) => {
  const { id, task } = event.data;
  scope.postMessage({ id, outcome: await scanFile(task) });
};
