/**
 * Checks on a zip's entries that need none of their data: names that escape the
 * extraction directory, links, flag bits loaders disagree on, and members whose
 * bytes overlap.
 *
 * @module
 */

/** Flag bits that mark a member encrypted: traditional (bit 0) and strong (bit 6) encryption. */
export const ENCRYPTION_FLAGS = 0x0001 | 0x0040;

/**
 * Flag bits every writer may set: compression options (bits 1 and 2), data descriptor (3) and
 * UTF-8 name (11). The others are reserved, unsupported by Python's zipfile (5, patched data) or
 * ignored by miniz: a member that sets them reads differently from loader to loader.
 */
const ORDINARY_FLAGS = 0x0002 | 0x0004 | 0x0008 | 0x0800;

/** Unix file type bits of a mode, and the symbolic link type. */
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/**
 * Why extracting `name` would write outside the target directory, if it would:
 * a `..` segment, an absolute path, a drive letter, or a backslash (a separator
 * on Windows, so `..\x` is `../x` there).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeReason } from "./checks.ts";
 * assert.equal(escapeReason("archive/data.pkl"), undefined);
 * assert.equal(escapeReason("../../.bashrc"), "a .. segment");
 * ```
 */
export function escapeReason(name: string): string | undefined {
  if (name.split(/[\\/]/).includes("..")) return "a .. segment";
  if (name.startsWith("/") || name.startsWith("\\")) return "an absolute path";
  if (/^[A-Za-z]:/.test(name)) return "a drive letter";
  if (name.includes("\\")) return "a backslash";
  return undefined;
}

/**
 * Whether external attributes carry a Unix mode of a symbolic link.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isSymlink } from "./checks.ts";
 * assert.equal(isSymlink(0o120777 << 16), true);
 * assert.equal(isSymlink(0o100644 << 16), false);
 * ```
 */
export function isSymlink(externalAttributes: number): boolean {
  return ((externalAttributes >>> 16) & S_IFMT) === S_IFLNK;
}

/**
 * The flag bits of `flags` that are neither ordinary nor encryption, as bit numbers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unusualFlagBits } from "./checks.ts";
 * assert.deepEqual(unusualFlagBits(0x0808), []);
 * assert.deepEqual(unusualFlagBits(0x0020), [5]);
 * ```
 */
export function unusualFlagBits(flags: number): number[] {
  const unusual = flags & 0xffff & ~(ORDINARY_FLAGS | ENCRYPTION_FLAGS);
  const bits: number[] = [];
  for (let bit = 0; bit < 16; bit++) if (unusual & (1 << bit)) bits.push(bit);
  return bits;
}

/** The bytes a member takes in the archive: its local header and its data. */
export interface MemberRange {
  /** Index of the entry in the central directory. */
  index: number;
  /** Offset of the local header. */
  start: number;
  /** First byte after the data. */
  end: number;
}

/**
 * Pairs of members whose ranges overlap: each member that starts inside an
 * earlier-starting one, with the member it starts in. Sorting makes this
 * O(n log n) whatever the layout.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findOverlaps } from "./checks.ts";
 * const overlaps = findOverlaps([{ index: 0, start: 0, end: 100 }, { index: 1, start: 40, end: 60 }]);
 * assert.deepEqual(overlaps, [{ member: 1, overlaps: 0 }]);
 * ```
 */
export function findOverlaps(ranges: readonly MemberRange[]): { member: number; overlaps: number }[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start || a.index - b.index);
  const found: { member: number; overlaps: number }[] = [];
  let furthest: MemberRange | undefined;
  for (const range of sorted) {
    if (furthest && range.start < furthest.end) found.push({ member: range.index, overlaps: furthest.index });
    if (!furthest || range.end > furthest.end) furthest = range;
  }
  return found;
}
