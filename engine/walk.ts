/**
 * Expands the paths a user names into the regular files to scan. Directories
 * are walked recursively in name order; symbolic links inside a directory are
 * never followed (their targets inside the tree are scanned where they live),
 * and those that leave the scanned root are reported. A folder whose listing a
 * directory format recognises becomes a unit: the files below it are scanned
 * together (a file belongs to the innermost unit holding it).
 *
 * @module
 */

import { getRule } from "../core/rules.ts";
import type { DirectoryDescriptor } from "../core/scanner.ts";
import type { Finding } from "../core/types.ts";
import { type NamedPaths, resolveNamedPaths, type WalkProblem } from "./named_paths.ts";
import { childPath, isInside, joinPath } from "./paths.ts";

/** A regular file to scan. */
export interface WalkFile {
  /** The path as shown to the user: the argument, joined with names below it. */
  path: string;
  /** The absolute path to open. */
  realPath: string;
  size: number;
  /** Real path of the named file or directory it was found under: its siblings stay inside. */
  root: string;
  /** Index in {@linkcode WalkResult.units} of the innermost directory unit holding it. */
  unit?: number;
}

/** A folder a directory format recognised: its files are scanned together, as its loader reads them. */
export interface WalkUnit {
  /** Id of the directory format. */
  format: string;
  /** The folder's path as shown to the user. */
  path: string;
  /** Its absolute real path. */
  realPath: string;
  /** Real path of the named directory it was found under. */
  root: string;
}

/** What {@linkcode expandPaths} found. */
export interface WalkResult {
  files: WalkFile[];
  problems: WalkProblem[];
  /** Findings about the tree itself (MA002 symlinks leaving the root). */
  findings: Finding[];
  /** Absolute real paths of the named files and directories: all a scan may read. */
  roots: string[];
  /** Folders recognised as directory units, outermost first. */
  units: WalkUnit[];
}

/** What a walk carries down the tree. */
interface WalkScope {
  root: string;
  directories: readonly DirectoryDescriptor[];
  /** The innermost unit the walk is inside, if any. */
  unit?: number;
}

/** Entry names as directory formats see them: subfolders with a trailing `/`. */
function listing(entries: readonly Deno.DirEntry[]): string[] {
  return entries.map((entry) => entry.isDirectory ? `${entry.name}/` : entry.name);
}

async function walkDirectory(dir: string, realDir: string, scope: WalkScope, out: WalkResult): Promise<void> {
  let entries: Deno.DirEntry[];
  try {
    // Synchronous, as the stats below: the asynchronous listing costs four times as much.
    entries = [...Deno.readDirSync(realDir)];
  } catch (error) {
    out.problems.push({ path: dir, reason: error instanceof Error ? error.message : String(error) });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const { root } = scope;
  const names = listing(entries);
  const format = scope.directories.find((descriptor) => descriptor.matches(names));
  if (format) {
    out.units.push({ format: format.id, path: dir, realPath: realDir, root });
    scope = { ...scope, unit: out.units.length - 1 };
  }
  const base = joinPath(dir);
  for (const entry of entries) {
    const path = childPath(base, entry.name);
    const realPath = childPath(realDir, entry.name);
    if (entry.isSymlink) {
      await checkLink(path, realPath, root, out);
    } else if (entry.isDirectory) {
      await walkDirectory(path, realPath, scope, out);
    } else if (entry.isFile) {
      // Synchronous: one stat per file, and an async op costs ten times as much as the stat itself.
      out.files.push({ path, realPath, size: Deno.lstatSync(realPath).size, root, unit: scope.unit });
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
 * Expands files and directories into the regular files below them, and
 * recognises the folders that `directories` (highest priority first) describe.
 * `paths` are the paths as named, or as `resolveNamedPaths` (`named_paths.ts`) resolved them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { expandPaths } from "./walk.ts";
 * // Needs read permission for the paths: here, this repository's pickle fixtures.
 * const { files, problems } = await expandPaths(["fixtures/pickle/benign", "fixtures/no-such-dir"]);
 * assert.ok(files.every((file) => file.path.startsWith("fixtures/pickle/benign/")));
 * assert.deepEqual(problems.map((p) => p.path), ["fixtures/no-such-dir"]);
 * ```
 */
export async function expandPaths(
  paths: readonly string[] | NamedPaths,
  directories: readonly DirectoryDescriptor[] = [],
): Promise<WalkResult> {
  const named = "roots" in paths ? paths : resolveNamedPaths(paths);
  const out: WalkResult = {
    files: [],
    problems: [...named.problems],
    findings: [],
    roots: [...named.roots],
    units: [],
  };
  for (const { path, realPath, info } of named.targets) {
    if (info.isDirectory) {
      await walkDirectory(path, realPath, { root: realPath, directories }, out);
    } else {
      out.files.push({ path, realPath, size: info.size, root: realPath });
    }
  }
  return out;
}
