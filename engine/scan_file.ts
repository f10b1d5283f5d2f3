/**
 * Scans one file on disk: opens it as a random-access source and dispatches it.
 * The sandboxed worker and the in-process mode share this one path.
 *
 * @module
 */

import { CallablePolicy, type PolicyExtras } from "../policy/callables.ts";
import { scanSource, type SourceScanOptions, type SourceScanOutcome } from "./dispatch.ts";
import { openFileSource } from "./file_source.ts";
import type { ScannerOptionsInput } from "../scanners/options.ts";
import type { ScanLimits } from "./limits.ts";
import { fileScope, Siblings } from "./siblings.ts";

/** One file for a scan worker: where to read it and how to name it. */
export interface FileTask {
  /** Absolute path to open. */
  realPath: string;
  /** Path shown in locations. */
  path: string;
  blacklist: readonly string[];
  /** The engine's limits the user set; the rest keep their defaults. */
  limits?: Partial<ScanLimits>;
  /** Each scanner's limits the user set; the rest keep their defaults. */
  scannerOptions?: ScannerOptionsInput;
  /** Real path of the scanned root the file was found under; without it, the file has no siblings. */
  root?: string;
  /** Names the user adds to the policy of Python callables. */
  policy?: PolicyExtras;
  /** Size in bytes when the walk saw it: small files are batched. Unknown counts as small. */
  size?: number;
  /** Whether to list the file's tensors and facts (`inspect`). */
  inventory?: boolean;
}

/**
 * Scans the file at `task.realPath`; failures to open or read it become the outcome's `error`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scanFile } from "./scan_file.ts";
 * // Needs read permission for the file: here, one of this repository's fixtures.
 * const realPath = await Deno.realPath("fixtures/pickle/malicious/global_os_system_reduce_p0.pkl");
 * const outcome = await scanFile({ realPath, path: "model.pkl", blacklist: [] });
 * assert.deepEqual(outcome.findings.map((f) => [f.rule, f.location.position]), [["MA100", 0], ["MA101", 40]]);
 * assert.match((await scanFile({ realPath: "/no/such.pkl", path: "such.pkl", blacklist: [] })).error!, /such/);
 * ```
 */
export async function scanFile(
  task: FileTask,
  options: Omit<
    SourceScanOptions,
    "blacklist" | "limits" | "scannerOptions" | "siblings" | "policy" | "inventory"
  > = {},
): Promise<SourceScanOutcome> {
  try {
    using source = openFileSource(task.realPath);
    using siblings = task.root === undefined
      ? undefined
      : new Siblings(fileScope(task.realPath, task.path, task.root));
    return await scanSource(source, task.path, {
      ...options,
      blacklist: task.blacklist,
      limits: task.limits,
      scannerOptions: task.scannerOptions,
      siblings,
      policy: CallablePolicy.from(task.policy),
      inventory: task.inventory,
    });
  } catch (error) {
    return {
      format: null,
      findings: [],
      bytesScanned: 0,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}
