/**
 * What extracting a tar entry would do outside the archive: names and link
 * targets that leave the extraction directory, links, device nodes and FIFOs,
 * and names that collide. Pure functions of the entries, reported by the scanner.
 *
 * @module
 */

import { TYPE } from "./header.ts";

/**
 * Why extracting a file named `name` would write outside the extraction
 * directory on some system, or `undefined` when it would not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nameEscape } from "./checks.ts";
 * assert.equal(nameEscape("../evil.pkl"), "a .. component");
 * assert.equal(nameEscape("model/data.pkl"), undefined);
 * ```
 */
export function nameEscape(name: string): string | undefined {
  if (name.startsWith("/")) return "an absolute path";
  if (/^[A-Za-z]:/.test(name)) return "a drive letter";
  if (name.includes("\\")) return "a backslash, a separator on Windows";
  if (name.split("/").includes("..")) return "a .. component";
  return undefined;
}

/**
 * Whether a symbolic link named `name` pointing at `target` reaches outside the
 * extraction directory: absolute, or climbing above it from the link's own folder.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { symlinkEscapes } from "./checks.ts";
 * assert.equal(symlinkEscapes("a/b/link", "../c"), false); // a/c
 * assert.equal(symlinkEscapes("a/link", "../../etc/passwd"), true);
 * ```
 */
export function symlinkEscapes(name: string, target: string): boolean {
  if (target.startsWith("/") || /^[A-Za-z]:/.test(target) || target.includes("\\")) return true;
  const folder = name.split("/").slice(0, -1);
  return climbsOut([...folder, ...target.split("/")]);
}

/**
 * Whether a hard link to `target` (a path from the archive's root) reaches outside it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hardlinkEscapes } from "./checks.ts";
 * assert.equal(hardlinkEscapes("data/a.bin"), false);
 * assert.equal(hardlinkEscapes("../secret"), true);
 * ```
 */
export function hardlinkEscapes(target: string): boolean {
  return nameEscape(target) !== undefined;
}

/** Whether walking `parts` from the root ever goes above it. */
function climbsOut(parts: readonly string[]): boolean {
  let depth = 0;
  for (const part of parts) {
    if (part === "..") depth--;
    else if (part !== "" && part !== ".") depth++;
    if (depth < 0) return true;
  }
  return false;
}

/** What extracting a special (non-file) entry creates, by type; regular files and directories have none. */
const SPECIAL_KINDS: ReadonlyMap<number, string> = new Map([
  [TYPE.HARDLINK, "hard link"],
  [TYPE.SYMLINK, "symbolic link"],
  [TYPE.CHARACTER_DEVICE, "character device"],
  [TYPE.BLOCK_DEVICE, "block device"],
  [TYPE.FIFO, "FIFO"],
]);

/**
 * What a link, device or FIFO entry of type `type` is, or `undefined` for other types.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { specialKind } from "./checks.ts";
 * import { TYPE } from "./header.ts";
 * assert.equal(specialKind(TYPE.FIFO), "FIFO");
 * assert.equal(specialKind(TYPE.REGULAR), undefined);
 * ```
 */
export function specialKind(type: number): string | undefined {
  return SPECIAL_KINDS.get(type);
}

/**
 * The path an extractor writes `name` to, relative to its folder: `./` and empty
 * components dropped, so that `./a//b` and `a/b` collide as they do on disk.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { extractedPath } from "./checks.ts";
 * assert.equal(extractedPath("./model//data.pkl"), "model/data.pkl");
 * ```
 */
export function extractedPath(name: string): string {
  return name.split("/").filter((part) => part !== "" && part !== ".").join("/");
}

/**
 * Remembers the entries seen so far, to tell when one lands where an earlier one
 * did. Directories listed twice are harmless (appending to a tar does it); a file
 * over anything, or anything over a file, is not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NameTracker } from "./checks.ts";
 * const names = new NameTracker();
 * assert.equal(names.collides("a.pkl", false), false);
 * assert.equal(names.collides("./a.pkl", false), true);
 * ```
 */
export class NameTracker {
  /** Extracted path to whether every entry there so far was a directory. */
  readonly #seen = new Map<string, boolean>();

  /** Records an entry; returns whether it collides with an earlier one. */
  collides(name: string, directory: boolean): boolean {
    const path = extractedPath(name);
    const before = this.#seen.get(path);
    this.#seen.set(path, (before ?? true) && directory);
    return before !== undefined && !(before && directory);
  }
}
