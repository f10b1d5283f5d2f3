/**
 * Entry point of a scan worker. It runs with read access to the scan targets
 * and nothing else (see `sandboxPermissions` in `sandbox.ts`): a parser bug in a
 * hostile file cannot write, spawn or reach the network from here.
 *
 * @module
 */

import { REGISTRY } from "../scanners/registry.ts";
import { serveScans } from "./serve.ts";

export type { WorkerRequest } from "./serve.ts";

serveScans(REGISTRY);
