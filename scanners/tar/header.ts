/**
 * One 512-byte tar header block, read the way Python's `tarfile` reads it
 * (`TarInfo.frombuf`): numeric fields in octal text (with Python's `int(s, 8)`
 * leniency) or GNU base-256, a checksum that may be the signed or unsigned sum,
 * the ustar `prefix` joined to the name. Python's reader is the one `torch.load`
 * uses, so where readers differ this module sides with it.
 *
 * @module
 */

/** Bytes per tar block: headers and data both come in whole blocks. */
export const BLOCK_SIZE = 512;

/**
 * Type flags of tar entries (`TarInfo.type`), as the byte in the header.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TYPE } from "./header.ts";
 * assert.equal(String.fromCharCode(TYPE.SYMLINK), "2");
 * ```
 */
export const TYPE = {
  /** `'0'`: a regular file. */
  REGULAR: 0x30,
  /** NUL: a regular file as old (v7) tars write it; a directory when its name ends with `/`. */
  OLD_REGULAR: 0x00,
  /** `'1'`: a hard link to an earlier member. */
  HARDLINK: 0x31,
  /** `'2'`: a symbolic link. */
  SYMLINK: 0x32,
  /** `'3'`: a character device. */
  CHARACTER_DEVICE: 0x33,
  /** `'4'`: a block device. */
  BLOCK_DEVICE: 0x34,
  /** `'5'`: a directory. */
  DIRECTORY: 0x35,
  /** `'6'`: a FIFO. */
  FIFO: 0x36,
  /** `'7'`: a contiguous file, read as a regular one. */
  CONTIGUOUS: 0x37,
  /** `'L'`: GNU long name of the next entry. */
  GNU_LONG_NAME: 0x4c,
  /** `'K'`: GNU long link name of the next entry. */
  GNU_LONG_LINK: 0x4b,
  /** `'S'`: old GNU sparse file. */
  GNU_SPARSE: 0x53,
  /** `'x'`: POSIX pax extended header of the next entry. */
  PAX: 0x78,
  /** `'g'`: POSIX pax global header of all later entries. */
  PAX_GLOBAL: 0x67,
  /** `'X'`: Solaris extended header, read as `'x'`. */
  SOLARIS_PAX: 0x58,
} as const;

/** Types whose header carries no data, whatever its size field says (Python's and Go's readers skip none). */
const HEADER_ONLY_TYPES: ReadonlySet<number> = new Set([
  TYPE.HARDLINK,
  TYPE.SYMLINK,
  TYPE.CHARACTER_DEVICE,
  TYPE.BLOCK_DEVICE,
  TYPE.DIRECTORY,
  TYPE.FIFO,
]);

/** Types that prefix the next header rather than being entries themselves. */
const EXTENSION_TYPES: ReadonlySet<number> = new Set([
  TYPE.GNU_LONG_NAME,
  TYPE.GNU_LONG_LINK,
  TYPE.PAX,
  TYPE.PAX_GLOBAL,
  TYPE.SOLARIS_PAX,
]);

/** GNU types whose header has no ustar `prefix` (Python's `GNU_TYPES`). */
const GNU_TYPES: ReadonlySet<number> = new Set([TYPE.GNU_LONG_NAME, TYPE.GNU_LONG_LINK, TYPE.GNU_SPARSE]);

/**
 * Whether an entry of type `type` is followed by `size` bytes of data: regular files and
 * any type `tarfile` does not know (which it reads as regular files), not links,
 * devices or directories.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { carriesData, TYPE } from "./header.ts";
 * assert.equal(carriesData(TYPE.REGULAR), true);
 * assert.equal(carriesData(TYPE.SYMLINK), false);
 * ```
 */
export function carriesData(type: number): boolean {
  return !HEADER_ONLY_TYPES.has(type);
}

/**
 * Whether a header of type `type` extends the next header (pax, GNU long names).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isExtensionType, TYPE } from "./header.ts";
 * assert.equal(isExtensionType(TYPE.PAX), true);
 * ```
 */
export function isExtensionType(type: number): boolean {
  return EXTENSION_TYPES.has(type);
}

/**
 * Bytes that `size` bytes of data take, rounded up to whole blocks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { blocksFor } from "./header.ts";
 * assert.equal(blocksFor(1), 512);
 * assert.equal(blocksFor(513), 1024);
 * ```
 */
export function blocksFor(size: number): number {
  return Math.ceil(size / BLOCK_SIZE) * BLOCK_SIZE;
}

/**
 * A short header field's bytes as text, one character per byte: a few bytes, compared with ASCII.
 * Not a `TextDecoder("latin1")`, whose first use costs each worker about 0.2 ms, and a tar header
 * is tried on every file's head.
 */
const byteText = (bytes: Uint8Array): string => String.fromCharCode(...bytes);
const utf8 = new TextDecoder("utf-8");

/**
 * Text of a NUL-terminated field (everything before the first NUL), decoded as
 * UTF-8 like `tarfile`'s default encoding; bytes that are not UTF-8 show as U+FFFD.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fieldText } from "./header.ts";
 * assert.equal(fieldText(new Uint8Array([0x61, 0x62, 0, 0x63])), "ab");
 * ```
 */
export function fieldText(field: Uint8Array): string {
  const end = field.indexOf(0);
  return utf8.decode(end < 0 ? field : field.subarray(0, end));
}

/** What Python's `str.strip()` removes from ASCII text (it counts \x1c to \x1f as whitespace). */
// deno-lint-ignore no-control-regex
const PY_WHITESPACE = /^[\t\n\v\f\r\x1c-\x1f ]+|[\t\n\v\f\r\x1c-\x1f ]+$/g;

/** What Python's `int(text, 8)` accepts: a sign, an optional `0o`, octal digits with single underscores. */
const PY_OCTAL = /^([+-]?)(?:0[oO]_?)?([0-7](?:_?[0-7])*)$/;

/**
 * A numeric header field as `tarfile.nti` reads it: GNU base-256 when the first byte is
 * 0x80 (positive) or 0xff (negative), else octal text up to the first NUL, stripped of
 * whitespace (empty is 0). `undefined` when Python rejects it (its "invalid header").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseNumber } from "./header.ts";
 * assert.equal(parseNumber(new TextEncoder().encode("0000644\0")), 420n);
 * assert.equal(parseNumber(new Uint8Array([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0])), 256n);
 * assert.equal(parseNumber(new TextEncoder().encode("9")), undefined);
 * ```
 */
export function parseNumber(field: Uint8Array): bigint | undefined {
  if (field[0] === 0x80 || field[0] === 0xff) {
    let n = 0n;
    for (let i = 1; i < field.length; i++) n = (n << 8n) | BigInt(field[i]);
    return field[0] === 0xff ? n - (1n << BigInt(8 * (field.length - 1))) : n;
  }
  const end = field.indexOf(0);
  const digits = end < 0 ? field : field.subarray(0, end);
  if (digits.some((b) => b > 0x7f)) return undefined;
  const text = byteText(digits).replace(PY_WHITESPACE, "");
  if (text === "") return 0n;
  const match = PY_OCTAL.exec(text);
  if (!match) return undefined;
  const value = BigInt(`0o${match[2].replaceAll("_", "")}`);
  return match[1] === "-" ? -value : value;
}

/** Offset and length of the checksum field. */
const CHECKSUM_FIELD = [148, 8] as const;

/**
 * Whether the header's checksum field matches the sum of its bytes (the field itself
 * counted as spaces), unsigned or signed as Python accepts both.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checksumMatches } from "./header.ts";
 * assert.equal(checksumMatches(new Uint8Array(512)), false);
 * ```
 */
export function checksumMatches(block: Uint8Array): boolean {
  const [at, length] = CHECKSUM_FIELD;
  const declared = parseNumber(block.subarray(at, at + length));
  if (declared === undefined) return false;
  let unsigned = 8 * 0x20;
  let signed = 8 * 0x20;
  for (let i = 0; i < BLOCK_SIZE; i++) {
    if (i >= at && i < at + length) continue;
    unsigned += block[i];
    signed += block[i] < 0x80 ? block[i] : block[i] - 0x100;
  }
  return declared === BigInt(unsigned) || declared === BigInt(signed);
}

/** Which header layout a block has, by its magic. */
export type HeaderFormat = "ustar" | "gnu" | "v7";

/** A header's fields, as `TarInfo.frombuf` leaves them. */
export interface TarHeader {
  /** The name, with the ustar prefix joined and a directory's trailing slashes removed. */
  name: string;
  /** The link target of a link. */
  linkname: string;
  /** The type byte (a directory's when an old-style regular name ends with `/`). */
  type: number;
  /** The size field: data bytes for regular files; for an extension header, its own data. */
  size: number;
  /** The magic's layout. */
  format: HeaderFormat;
  /** Old GNU sparse files: the extended-block flag and the real size. */
  sparse?: { extended: boolean; realSize: number };
}

/** Numeric fields `frombuf` parses, by name: offset and length. A bad one makes the header invalid. */
const NUMERIC_FIELDS: readonly (readonly [string, number, number])[] = [
  ["mode", 100, 8],
  ["uid", 108, 8],
  ["gid", 116, 8],
  ["size", 124, 12],
  ["mtime", 136, 12],
  ["devmajor", 329, 8],
  ["devminor", 337, 8],
];

/** Offset of the old GNU sparse header's `isextended` byte, then its `realsize` field. */
const GNU_SPARSE_EXTENDED = 482;
const GNU_SPARSE_REALSIZE = [483, 12] as const;

/** Why a non-empty block is not a header a reader accepts. */
export type HeaderProblem = "bad checksum" | `invalid ${string} field` | `${string} too large`;

function magicOf(block: Uint8Array): HeaderFormat {
  const magic = byteText(block.subarray(257, 265));
  if (magic === "ustar  \0") return "gnu";
  return magic.startsWith("ustar") ? "ustar" : "v7";
}

function safeSize(value: bigint, field: string): number | HeaderProblem {
  if (value < 0n) return `invalid ${field} field`;
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? `${field} too large` : Number(value);
}

/**
 * Whether `block` is an end-of-archive marker: 512 NUL bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isZeroBlock } from "./header.ts";
 * assert.equal(isZeroBlock(new Uint8Array(512)), true);
 * ```
 */
export function isZeroBlock(block: Uint8Array): boolean {
  return block.length === BLOCK_SIZE && block.every((b) => b === 0);
}

/**
 * Parses one header block as `TarInfo.frombuf` does; returns why it is not one
 * otherwise. The caller has ruled out a short block and the all-zero end marker.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseHeader } from "./header.ts";
 * assert.equal(parseHeader(new Uint8Array(512).fill(0x20)), "bad checksum");
 * ```
 */
export function parseHeader(block: Uint8Array): TarHeader | HeaderProblem {
  if (!checksumMatches(block)) return "bad checksum";
  const numbers = new Map<string, bigint>();
  for (const [field, at, length] of NUMERIC_FIELDS) {
    const value = parseNumber(block.subarray(at, at + length));
    if (value === undefined) return `invalid ${field} field`;
    numbers.set(field, value);
  }
  const size = safeSize(numbers.get("size")!, "size");
  if (typeof size === "string") return size;
  let type = block[156];
  let name = fieldText(block.subarray(0, 100));
  const prefix = fieldText(block.subarray(345, 500));
  if (type === TYPE.OLD_REGULAR && name.endsWith("/")) type = TYPE.DIRECTORY;
  if (type === TYPE.DIRECTORY) name = name.replace(/\/+$/, "");
  if (prefix && !GNU_TYPES.has(type)) name = `${prefix}/${name}`;
  const header: TarHeader = {
    name,
    linkname: fieldText(block.subarray(157, 257)),
    type,
    size,
    format: magicOf(block),
  };
  if (type === TYPE.GNU_SPARSE) {
    const [at, length] = GNU_SPARSE_REALSIZE;
    const real = parseNumber(block.subarray(at, at + length));
    const realSize = real === undefined ? `invalid realsize field` as const : safeSize(real, "realsize");
    if (typeof realSize === "string") return realSize;
    header.sparse = { extended: block[GNU_SPARSE_EXTENDED] !== 0, realSize };
  }
  return header;
}

/** Printable name bytes of an old (v7) header: no control characters. */
function plausibleName(field: Uint8Array): boolean {
  const end = field.indexOf(0);
  if (end === 0) return false;
  const name = end < 0 ? field : field.subarray(0, end);
  if (name.some((b) => b < 0x20 || b === 0x7f)) return false;
  // v7 writers pad the name with NULs; garbage after the terminator is not a header.
  return end < 0 || field.subarray(end).every((b) => b === 0);
}

/**
 * Where a v7 header ends: its writers leave the rest zero, except that GNU tar's v7 mode
 * fills in the device numbers (checked as numbers like the other fields).
 */
const V7_PADDING_START = 257;
const DEVICE_FIELDS_START = 329;
const DEVICE_FIELDS_END = 345;

/** Type bytes of a v7 (or early POSIX) header without magic. */
const V7_TYPES: ReadonlySet<number> = new Set([
  TYPE.OLD_REGULAR,
  0x30,
  0x31,
  0x32,
  0x33,
  0x34,
  0x35,
  0x36,
  0x37,
]);

/**
 * Whether `block` is a header a tar reader accepts, and not a block of some other
 * format that happens to pass. ustar and GNU headers need their magic and checksum;
 * an old v7 header (no magic), which Python's reader takes on the checksum alone,
 * also needs a printable NUL-padded name, a v7 type and the zero padding v7 writers
 * leave after byte 257 (device numbers aside), which keeps chance matches in other
 * files near zero.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isTarHeader } from "./header.ts";
 * assert.equal(isTarHeader(new Uint8Array(512)), false);
 * ```
 */
export function isTarHeader(block: Uint8Array): boolean {
  if (block.length < BLOCK_SIZE) return false;
  const header = parseHeader(block.subarray(0, BLOCK_SIZE));
  if (typeof header === "string") return false;
  if (header.format !== "v7") return true;
  const zero = (from: number, to: number) => block.subarray(from, to).every((b) => b === 0);
  return plausibleName(block.subarray(0, 100)) && V7_TYPES.has(block[156]) &&
    zero(V7_PADDING_START, DEVICE_FIELDS_START) && zero(DEVICE_FIELDS_END, BLOCK_SIZE);
}
