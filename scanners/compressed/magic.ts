/**
 * The headers and magic bytes of the compressed formats: what the registry checks
 * before loading a decoder, and what the decoders check again between streams.
 * Import-free on purpose: no decoder package loads until a file needs it.
 *
 * @module
 */

/** Bytes of a bzip2 stream header: `BZh` and the block size digit. */
export const BZIP2_STREAM_HEADER_BYTES = 4;

/** The 48-bit magic numbers that start a bzip2 block (the digits of pi) and the end of a stream (of sqrt(pi)). */
const BZIP2_BLOCK_MAGIC = [0x31, 0x41, 0x59, 0x26, 0x53, 0x59];
const BZIP2_END_MAGIC = [0x17, 0x72, 0x45, 0x38, 0x50, 0x90];

/**
 * Whether `bytes` at `offset` start a bzip2 stream header: `BZh` and a block size digit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startsBzip2Stream } from "./magic.ts";
 * assert.equal(startsBzip2Stream(new TextEncoder().encode("BZh9")), true);
 * ```
 */
export function startsBzip2Stream(bytes: Uint8Array, offset = 0): boolean {
  const magic = [0x42, 0x5a, 0x68];
  if (!magic.every((byte, i) => bytes[offset + i] === byte)) return false;
  const level = bytes[offset + 3];
  return level >= 0x31 && level <= 0x39;
}

/**
 * Whether `head` starts a bzip2 file: a stream header followed by a block or by the end of stream.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { detectBzip2 } from "./magic.ts";
 * assert.equal(detectBzip2(new TextEncoder().encode("BZh91AY&SY")), true);
 * assert.equal(detectBzip2(new TextEncoder().encode("BZh9 text")), false);
 * ```
 */
export function detectBzip2(head: Uint8Array): boolean {
  if (!startsBzip2Stream(head)) return false;
  const next = head.subarray(BZIP2_STREAM_HEADER_BYTES, BZIP2_STREAM_HEADER_BYTES + 6);
  return [BZIP2_BLOCK_MAGIC, BZIP2_END_MAGIC].some((magic) => magic.every((byte, i) => next[i] === byte));
}

/** The xz stream header's magic bytes. */
const XZ_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];

/**
 * Whether `head` starts an xz stream: the magic bytes, then stream flags whose reserved bits are clear.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { detectXz } from "./magic.ts";
 * assert.equal(detectXz(Uint8Array.of(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04)), true);
 * ```
 */
export function detectXz(head: Uint8Array): boolean {
  return XZ_MAGIC.every((byte, i) => head[i] === byte) && head[6] === 0 && head[7] !== undefined &&
    head[7] < 0x10;
}

/**
 * Whether `head` starts a gzip member: the magic bytes and deflate, the only method gzip defines.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { detectGzip } from "./magic.ts";
 * assert.equal(detectGzip(Uint8Array.of(0x1f, 0x8b, 8, 0)), true);
 * ```
 */
export function detectGzip(head: Uint8Array): boolean {
  return head[0] === 0x1f && head[1] === 0x8b && head[2] === 8;
}

/** The LZ4 frame magic number, 0x184D2204 little-endian. */
const LZ4_FRAME_MAGIC = [0x04, 0x22, 0x4d, 0x18];

/** The LZ4 frame descriptor's version bits (FLG bits 7-6), which must be 01. */
const LZ4_FRAME_VERSION = 0x40;

/**
 * Whether `head` starts an LZ4 frame: the magic number and frame version 01.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { detectLz4 } from "./magic.ts";
 * assert.equal(detectLz4(Uint8Array.of(0x04, 0x22, 0x4d, 0x18, 0x64, 0x40, 0xa7)), true);
 * ```
 */
export function detectLz4(head: Uint8Array): boolean {
  return LZ4_FRAME_MAGIC.every((byte, i) => head[i] === byte) && (head[4] & 0xc0) === LZ4_FRAME_VERSION;
}

/**
 * Whether two bytes are a zlib header Python accepts without a preset dictionary: deflate
 * (CM 8), a window of at most 32 KiB (CINFO <= 7), a valid check, no FDICT.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isZlibHeader } from "./magic.ts";
 * assert.equal(isZlibHeader(0x78, 0x9c), true);
 * assert.equal(isZlibHeader(0x78, 0x9d), false);
 * ```
 */
export function isZlibHeader(cmf: number, flg: number): boolean {
  return (cmf & 0x0f) === 8 && cmf >> 4 <= 7 && (cmf * 256 + flg) % 31 === 0 && (flg & 0x20) === 0;
}

/** Characters of a joblib z-file's length field: `len(hex(2**64))`. */
const ZFILE_LENGTH_CHARS = 19;

/** Offset of a z-file's zlib stream, after `ZF` and the length (one more when a space follows). */
const ZFILE_DATA_OFFSET = 2 + ZFILE_LENGTH_CHARS;

/** The length field as Python's `int(text, 16)` reads it (blanks around, an optional 0x). */
const ZFILE_HEX_LENGTH = /^\s*(0[xX])?[0-9a-fA-F]+\s*$/;

/**
 * The header of a joblib z-file starting with `head` (`ZF`, then the decoded length in hex),
 * or `undefined`; whether a zlib stream follows at `dataStart` is for the decoder to say.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readZfileHeader } from "./magic.ts";
 * assert.deepEqual(readZfileHeader(new TextEncoder().encode("ZF0x1f               x\x9c")), { dataStart: 21, length: 31 });
 * ```
 */
export function readZfileHeader(head: Uint8Array): { dataStart: number; length: number } | undefined {
  if (head[0] !== 0x5a || head[1] !== 0x46 || head.length < ZFILE_DATA_OFFSET + 2) return undefined;
  const text = String.fromCharCode(...head.subarray(2, ZFILE_DATA_OFFSET));
  if (!ZFILE_HEX_LENGTH.test(text)) return undefined;
  const dataStart = head[ZFILE_DATA_OFFSET] === 0x20 ? ZFILE_DATA_OFFSET + 1 : ZFILE_DATA_OFFSET;
  return { dataStart, length: parseInt(text.trim(), 16) };
}

/** Smallest dictionary an LZMA encoder writes (liblzma's LZMA_DICT_SIZE_MIN). */
const LZMA_MIN_DICTIONARY_BYTES = 4096;

/** Bytes of an LZMA-alone header, and of the header with the range coder's first byte. */
export const LZMA_HEADER_BYTES = 13;
/** See {@linkcode LZMA_HEADER_BYTES}. */
export const LZMA_HEADER_AND_FIRST_BYTE = LZMA_HEADER_BYTES + 1;

/** Highest properties byte: (pb 4 * 5 + lp 4) * 9 + lc 8. */
const LZMA_MAX_PROPERTIES = (4 * 5 + 4) * 9 + 8;

/** Decoded sizes at or above this are rejected by liblzma as implausible. */
const LZMA_MAX_DECLARED_SIZE = 1n << 38n;

/** A parsed LZMA-alone header. */
export interface LzmaAloneHeader {
  /** The properties byte: lc, lp and pb. */
  properties: number;
  /** Dictionary size in bytes. */
  dictionarySize: number;
  /** The decoded size, or `undefined` when unknown (-1: the stream ends with an end marker). */
  decodedSize?: number;
}

/** Whether `size` is 2^n or 2^n + 2^(n-1), as liblzma requires of a dictionary size. */
function isEncoderDictionarySize(size: number): boolean {
  let d = (size - 1) >>> 0;
  d |= d >>> 2;
  d |= d >>> 3;
  d |= d >>> 4;
  d |= d >>> 8;
  d |= d >>> 16;
  return ((d + 1) >>> 0) === size;
}

/**
 * The header at the start of `bytes` if it is an LZMA-alone header a loader accepts, else `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLzmaAloneHeader } from "./magic.ts";
 * const head = Uint8Array.of(0x5d, 0, 0, 0x80, 0, ...new Array(8).fill(0xff), 0);
 * assert.equal(parseLzmaAloneHeader(head)?.dictionarySize, 8388608);
 * ```
 */
export function parseLzmaAloneHeader(bytes: Uint8Array): LzmaAloneHeader | undefined {
  if (bytes.length < LZMA_HEADER_AND_FIRST_BYTE || bytes[LZMA_HEADER_BYTES] !== 0) return undefined;
  const properties = bytes[0];
  if (properties > LZMA_MAX_PROPERTIES) return undefined;
  const lc = properties % 9;
  const lp = Math.floor(properties / 9) % 5;
  if (lc + lp > 4) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dictionarySize = view.getUint32(1, true);
  if (dictionarySize < LZMA_MIN_DICTIONARY_BYTES || !isEncoderDictionarySize(dictionarySize)) {
    return undefined;
  }
  const declared = view.getBigUint64(5, true);
  if (declared === 0xffffffffffffffffn) return { properties, dictionarySize };
  if (declared >= LZMA_MAX_DECLARED_SIZE) return undefined;
  return { properties, dictionarySize, decodedSize: Number(declared) };
}
