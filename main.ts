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

import { tokenizeArgs } from "./cli/arg_tokens.ts";
import { SCAN_FLAGS, tokenOptions } from "./cli/scan_flags.ts";
import { resolveNamedPaths } from "./engine/named_paths.ts";
import { prestartScanWorker } from "./engine/sandbox.ts";

/** Commands that scan the paths they name. */
const SCANNING_COMMANDS = new Set(["scan", "inspect"]);

/** How a scanning command's arguments are read: `inspect` takes a subset of `scan`'s flags, read alike. */
const SCAN_TOKENS = tokenOptions(Object.values(SCAN_FLAGS));

/**
 * The read roots the scan will most likely have: the operands of a scanning
 * command (its arguments less its flags and their values, such as a config or
 * baseline file), resolved as the scan resolves the paths it is given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { likelyReadRoots } from "./main.ts";
 * const benign = await Deno.realPath("fixtures/pickle/benign");
 * assert.deepEqual(likelyReadRoots(["scan", "-q", "fixtures/pickle/benign", "missing.pkl"]), [benign]);
 * assert.deepEqual(likelyReadRoots(["scan", "--baseline", "deno.json", "fixtures/pickle/benign"]), [benign]);
 * assert.deepEqual(likelyReadRoots(["rules", "fixtures/pickle/benign"]), []); // not a scan
 * ```
 */
export function likelyReadRoots(args: readonly string[]): string[] {
  if (!SCANNING_COMMANDS.has(args[0])) return [];
  const operands = tokenizeArgs(args.slice(1), SCAN_TOKENS).flatMap((token) =>
    token.kind === "positional" ? [token.value] : []
  );
  return resolveNamedPaths(operands).roots;
}

if (import.meta.main) {
  const cli = import("./cli/run.ts");
  const roots = likelyReadRoots(Deno.args);
  if (roots.length > 0) prestartScanWorker(roots);
  await (await cli).runProcess();
}
