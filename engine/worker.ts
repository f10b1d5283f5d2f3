/**
 * Entry point of a scan worker. It runs with read access to the scan targets
 * and nothing else (see `sandboxPermissions` in `pool.ts`): a parser bug in a
 * hostile file cannot write, spawn or reach the network from here.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { type FileTask, scanFile } from "./scan_file.ts";

/** A message from the pool: scan this file. */
export interface WorkerRequest {
  id: number;
  task: FileTask;
}

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const { id, task } = event.data;
  self.postMessage({ id, outcome: await scanFile(task) });
};
