/**
 * The paths a user names, resolved to what a scan may read. Apart from the
 * walk: `main.ts` resolves its command line's paths the same way, to start the
 * first sandboxed worker before anything else loads (`engine/sandbox.ts`).
 *
 * @module
 */

import { resolvePath } from "./paths.ts";

/** A named path that cannot be scanned. */
export interface WalkProblem {
  path: string;
  reason: string;
}

/** The paths a user named, resolved: what a scan may read, before any directory is listed. */
export interface NamedPaths {
  /** The named regular files and directories, in order. */
  targets: { path: string; realPath: string; info: Deno.FileInfo }[];
  /** Named paths that cannot be scanned. */
  problems: WalkProblem[];
  /** Absolute real paths of the targets: all a scan may read. */
  roots: string[];
}

/**
 * Resolves the named paths to their real paths, and sorts out those that are
 * neither a regular file nor a directory. Cheap (a `realpath` and a `stat` per
 * path): a scan learns what its sandbox may read before it walks the tree.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveNamedPaths } from "./named_paths.ts";
 * const { roots, problems } = resolveNamedPaths(["./fixtures/pickle", "missing.pkl"]);
 * assert.deepEqual(roots, [await Deno.realPath("fixtures/pickle")]);
 * assert.deepEqual(problems.map((problem) => problem.path), ["missing.pkl"]);
 * ```
 */
export function resolveNamedPaths(paths: readonly string[]): NamedPaths {
  const named: NamedPaths = { targets: [], problems: [], roots: [] };
  for (const path of paths) {
    let realPath: string;
    let info: Deno.FileInfo;
    try {
      // Synchronous: the scan's first worker is loading on the other core by now, and an asynchronous
      // call's reply held the first dispatch some 3 ms.
      realPath = Deno.realPathSync(resolvePath(path));
      info = Deno.statSync(realPath);
    } catch (error) {
      const reason = error instanceof Deno.errors.NotFound ? "no such file or directory" : String(error);
      named.problems.push({ path, reason });
      continue;
    }
    if (info.isDirectory || info.isFile) {
      named.targets.push({ path, realPath, info });
      named.roots.push(realPath);
    } else {
      named.problems.push({ path, reason: "not a regular file or directory" });
    }
  }
  return named;
}
