/**
 * Expands the paths a user names into the regular files to scan. Directories
 * are walked recursively in name order; symbolic links inside a directory are
 * never followed (their targets inside the tree are scanned where they live),
 * and those that leave the scanned root are reported.
 *
 * @module
 */

import { join, resolve, sep } from "node:path";
import { getRule } from "../core/rules.ts";
import type { Finding } from "../core/types.ts";

/** A regular file to scan. */
export interface WalkFile {
  /** The path as shown to the user: the argument, joined with names below it. */
  path: string;
  /** The absolute path to open. */
  realPath: string;
  size: number;
}

/** A named path that cannot be scanned. */
export interface WalkProblem {
  path: string;
  reason: string;
}

/** What {@linkcode expandPaths} found. */
export interface WalkResult {
  files: WalkFile[];
  problems: WalkProblem[];
  /** Findings about the tree itself (MA002 symlinks leaving the root). */
  findings: Finding[];
  /** Absolute real paths of the named files and directories: all a scan may read. */
  roots: string[];
}

function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

async function walkDirectory(dir: string, realDir: string, root: string, out: WalkResult): Promise<void> {
  const entries: Deno.DirEntry[] = [];
  try {
    for await (const entry of Deno.readDir(realDir)) entries.push(entry);
  } catch (error) {
    out.problems.push({ path: dir, reason: error instanceof Error ? error.message : String(error) });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    const realPath = join(realDir, entry.name);
    if (entry.isSymlink) {
      await checkLink(path, realPath, root, out);
    } else if (entry.isDirectory) {
      await walkDirectory(path, realPath, root, out);
    } else if (entry.isFile) {
      out.files.push({ path, realPath, size: (await Deno.lstat(realPath)).size });
    }
  }
}

async function checkLink(path: string, realPath: string, root: string, out: WalkResult): Promise<void> {
  let target: string;
  try {
    target = await Deno.realPath(realPath);
  } catch {
    return; // A dangling link points at nothing a loader could read.
  }
  if (isInside(target, root)) return;
  const rule = getRule("MA002");
  out.findings.push({
    rule: rule.id,
    severity: rule.severity,
    message: `Symbolic link points outside the scanned directory, to ${target}; it was not followed`,
    location: { file: path, members: [] },
    details: { target },
  });
}

/**
 * Expands files and directories into the regular files below them.
 *
 * @example
 * ```ts
 * import { expandPaths } from "./walk.ts";
 * const { files, problems } = await expandPaths(["./models"]);
 * console.log(files.length, problems);
 * ```
 */
export async function expandPaths(paths: readonly string[]): Promise<WalkResult> {
  const out: WalkResult = { files: [], problems: [], findings: [], roots: [] };
  for (const path of paths) {
    let realPath: string;
    let info: Deno.FileInfo;
    try {
      realPath = await Deno.realPath(resolve(path));
      info = await Deno.stat(realPath);
    } catch (error) {
      const reason = error instanceof Deno.errors.NotFound ? "no such file or directory" : String(error);
      out.problems.push({ path, reason });
      continue;
    }
    if (info.isDirectory) {
      out.roots.push(realPath);
      await walkDirectory(path, realPath, realPath, out);
    } else if (info.isFile) {
      out.roots.push(realPath);
      out.files.push({ path, realPath, size: info.size });
    } else {
      out.problems.push({ path, reason: "not a regular file or directory" });
    }
  }
  return out;
}
