/**
 * The `modelaudit` program: `deno task modelaudit` and the compiled binary
 * start here. The command line itself is `cli/run.ts`.
 *
 * Start-up is what a pre-commit hook or a CI gate feels on every run. Starting
 * a sandboxed scan worker holds this thread for about 10 ms, and the worker
 * then loads its modules for about as long again; so before the command line
 * loads, this starts the first worker for the paths the command line names,
 * and the two load side by side. The scan takes that worker only when its
 * roots turn out to be exactly those paths (`engine/sandbox.ts`); otherwise it
 * is stopped before it sees a file, and the sandbox is the same either way.
 *
 * @module
 */

import { resolveNamedPaths } from "./engine/named_paths.ts";
import { prestartScanWorker } from "./engine/sandbox.ts";

/** Commands that scan the paths they name. */
const SCANNING_COMMANDS = new Set(["scan", "inspect"]);

/**
 * The read roots the scan will most likely have: the arguments after a
 * scanning command that are not options, resolved as the scan resolves the
 * paths it is given. Options are not parsed here, so an option's value that
 * names an existing file makes a guess the scan turns down.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { likelyReadRoots } from "./main.ts";
 * const benign = await Deno.realPath("fixtures/pickle/benign");
 * assert.deepEqual(likelyReadRoots(["scan", "-q", "fixtures/pickle/benign", "missing.pkl"]), [benign]);
 * assert.deepEqual(likelyReadRoots(["rules", "fixtures/pickle/benign"]), []); // not a scan
 * ```
 */
export function likelyReadRoots(args: readonly string[]): string[] {
  if (!SCANNING_COMMANDS.has(args[0])) return [];
  return resolveNamedPaths(args.slice(1).filter((arg) => !arg.startsWith("-"))).roots;
}

if (import.meta.main) {
  const cli = import("./cli/run.ts");
  const roots = likelyReadRoots(Deno.args);
  if (roots.length > 0) prestartScanWorker(roots);
  await (await cli).runProcess();
}
