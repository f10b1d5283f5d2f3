/**
 * A streaming pickle disassembler. It reads a {@linkcode ByteSource} through a
 * buffer of about {@linkcode READ_CHUNK_BYTES}, decodes one opcode at a time
 * synchronously while the bytes are buffered, and asks its caller to `await
 * fill()` only when they are not. Large string and bytes arguments are never
 * copied: the opcode carries their offset and length instead.
 *
 * A stream that breaks (invalid opcode, truncation, an argument CPython would
 * reject) is a value ({@linkcode StreamBreak}), not an exception.
 *
 * @module
 */

import type { ByteSource } from "../../core/byte_source.ts";
import { OP, OPCODE_BY_CODE, opcodeName } from "./opcodes.ts";
import { DEFAULT_PICKLE_OPTIONS } from "../option_catalog.ts";

/** Bytes read from the source at a time; large enough that reads are rare, small enough to stay bounded. */
export const READ_CHUNK_BYTES = 1 << 20;

/** String and bytes arguments longer than this are not copied; the opcode carries a {@linkcode LargeArg}. */
export const LARGE_ARG_BYTES = 1 << 20;

/** LONG1/LONG4 arguments longer than this are skipped: no model needs a bigger integer's value. */
export const MAX_LONG_DECODE_BYTES = 64;

/**
 * An argument too large to copy, or a text argument too long to decode, as a range of the source.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { Disassembler, LargeArg, MAX_LONG_DECODE_BYTES } from "./disassembler.ts";
 * import { DEFAULT_PICKLE_OPTIONS } from "../option_catalog.ts";
 * const firstArg = async (bytes: Uint8Array) => {
 *   const dis = new Disassembler(bytesSource(bytes));
 *   while (dis.status !== "end" && dis.status !== "break") {
 *     const op = dis.next();
 *     if (op) return op.arg;
 *     if (dis.status === "more") await dis.fill();
 *   }
 * };
 * // LONG1 with 100 bytes of integer: more than any model's number, so only its range is kept.
 * assert.ok(100 > MAX_LONG_DECODE_BYTES);
 * const long = new Uint8Array([0x8a, 100, ...new Uint8Array(100), 0x2e]);
 * assert.deepEqual(await firstArg(long), new LargeArg(2, 100, false));
 * // A protocol-0 INT line longer than any number: the range of its text, skipped.
 * const digits = "1".repeat(DEFAULT_PICKLE_OPTIONS.maxTextLineBytes + 1);
 * const int = new TextEncoder().encode(`I${digits}\n.`);
 * assert.deepEqual(await firstArg(int), new LargeArg(1, digits.length, true));
 * ```
 */
export class LargeArg {
  /**
   * Records the range of an argument.
   *
   * @param offset First byte of the argument's data in the source.
   * @param length Bytes of data.
   * @param escaped Whether the range is protocol-0 text (quoted, escaped or a number), not the value's bytes.
   */
  constructor(readonly offset: number, readonly length: number, readonly escaped: boolean) {}
}

/**
 * The `module` and `name` lines of GLOBAL and INST; `null` for a line too long to be a name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Disassembler, GlobalName } from "./disassembler.ts";
 * const op = Disassembler.fromBytes(new TextEncoder().encode("cos\nsystem\n.")).next();
 * assert.equal(op?.name, "GLOBAL");
 * assert.deepEqual(op?.arg, new GlobalName("os", "system"));
 * ```
 */
export class GlobalName {
  /**
   * Records the two lines.
   *
   * @param module The first line (the module), or `null` when it is too long to be one.
   * @param name The second line (the name in the module), or `null` when it is too long to be one.
   */
  constructor(readonly module: string | null, readonly name: string | null) {}
}

/**
 * A decoded argument: numbers for fixed-size integers, floats, memo indexes and
 * lengths; `bigint` for large LONGs; `boolean` for protocol-0 `I00`/`I01`;
 * `string` for unicode strings and PERSID; `Uint8Array` (a copy) for bytes and
 * for the STRING family.
 */
export type OpArg = undefined | number | bigint | boolean | string | Uint8Array | GlobalName | LargeArg;

/**
 * One decoded opcode.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Disassembler, PickleOp } from "./disassembler.ts";
 * const dis = Disassembler.fromBytes(new Uint8Array([0x80, 0x02, 0x4b, 0x05, 0x2e])); // PROTO 2, BININT1 5, STOP
 * dis.next();
 * const op = dis.next();
 * assert.deepEqual(op, new PickleOp(0x4b, 2, 4, 5));
 * assert.equal(op?.name, "BININT1");
 * ```
 */
export class PickleOp {
  /**
   * Records one decoded opcode.
   *
   * @param code The opcode byte (see {@linkcode OP}).
   * @param pos Offset of the opcode byte in the source.
   * @param end Offset just past its argument.
   * @param arg The decoded argument.
   */
  constructor(readonly code: number, readonly pos: number, readonly end: number, readonly arg: OpArg) {}

  /** The opcode's name, e.g. `"GLOBAL"`. */
  get name(): string {
    return opcodeName(this.code);
  }
}

/** Where and why a stream stopped being a valid pickle. */
export interface StreamBreak {
  /** Offset of the opcode that could not be decoded. */
  pos: number;
  /** What was wrong, e.g. `invalid opcode 0xff`. */
  reason: string;
}

/**
 * State after {@linkcode Disassembler.next} returned `undefined`: `more` (await
 * `fill()` and call again), `end` (clean end of the source) or `break`
 * (see {@linkcode Disassembler.failure}). `ready` while opcodes flow.
 */
export type DisassemblerStatus = "ready" | "more" | "end" | "break";

const EMPTY = new Uint8Array(0);
const NEWLINE = 0x0a;
/** Returned by line lookups: the caller must return (status already set). */
const PENDING = -1;

const utf8Decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/** Leading and trailing whitespace, which CPython's int parser skips. */
const PY_WHITESPACE = /^\s+|\s+$/g;
const DECIMAL_INT = /^[+-]?\d(?:_?\d)*$/;
const ANY_BASE_INT = /^[+-]?(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|\d(?:_?\d)*)$/;
/** CPython's FLOAT parser (`PyOS_string_to_double`): no whitespace, no underscores. */
/** A decimal with digits on both sides of an optional point, as `repr(float)` writes most values. */
const PLAIN_DECIMAL = /^-?\d+(?:\.\d+)?$/;
const PY_FLOAT = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)$/i;
/** Python's `float()`, which the pure-Python unpickler (joblib's) applies: whitespace around, `_` between digits. */
const PY_FLOAT_CALL =
  /^[+-]?(?:(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?|inf|infinity|nan)$/i;

/**
 * Decodes UTF-8 leniently (CPython uses `surrogatepass`; a bad byte must not end
 * the analysis), with a fast path for the short ASCII strings pickles are full of.
 */
function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= 24) {
    let text = "";
    for (let i = start; i < end; i++) {
      const b = bytes[i];
      if (b >= 0x80) return utf8Decoder.decode(bytes.subarray(start, end));
      text += String.fromCharCode(b);
    }
    return text;
  }
  return utf8Decoder.decode(bytes.subarray(start, end));
}

/**
 * Bytes as a string of code points 0-255 (what `latin-1` decoding gives).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { latin1 } from "./disassembler.ts";
 * assert.equal(latin1(new Uint8Array([0x6f, 0x73])), "os");
 * ```
 */
export function latin1(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192) as unknown as number[]);
  }
  return text;
}

function hexDigit(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  return 16;
}

/** CPython's `codecs.escape_decode`, as the STRING opcode applies it: bytes, or an error message. */
function decodeEscapes(raw: Uint8Array): Uint8Array | string {
  const out = new Uint8Array(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length;) {
    const b = raw[i++];
    if (b !== 0x5c) {
      out[n++] = b;
      continue;
    }
    if (i >= raw.length) return "trailing \\ in STRING argument";
    const c = raw[i++];
    switch (c) {
      case 0x0a:
        break;
      case 0x5c:
      case 0x27:
      case 0x22:
        out[n++] = c;
        break;
      case 0x62:
        out[n++] = 0x08;
        break;
      case 0x66:
        out[n++] = 0x0c;
        break;
      case 0x74:
        out[n++] = 0x09;
        break;
      case 0x6e:
        out[n++] = 0x0a;
        break;
      case 0x72:
        out[n++] = 0x0d;
        break;
      case 0x76:
        out[n++] = 0x0b;
        break;
      case 0x61:
        out[n++] = 0x07;
        break;
      case 0x78: {
        const hi = i + 1 < raw.length ? hexDigit(raw[i]) : 16;
        const lo = i + 1 < raw.length ? hexDigit(raw[i + 1]) : 16;
        if (hi > 15 || lo > 15) return `invalid \\x escape in STRING argument at ${i - 2}`;
        out[n++] = (hi << 4) | lo;
        i += 2;
        break;
      }
      default:
        if (c >= 0x30 && c <= 0x37) {
          let value = c - 0x30;
          for (let k = 0; k < 2 && i < raw.length && raw[i] >= 0x30 && raw[i] <= 0x37; k++) {
            value = (value << 3) + raw[i++] - 0x30;
          }
          out[n++] = value & 0xff;
        } else {
          out[n++] = 0x5c;
          i--;
        }
    }
  }
  return out.subarray(0, n).slice();
}

/** CPython's `raw-unicode-escape` decoding (the UNICODE opcode): text, or `undefined` when invalid. */
function decodeRawUnicodeEscape(raw: Uint8Array): string | undefined {
  const units: number[] = [];
  let text = "";
  const flush = () => {
    for (let k = 0; k < units.length; k += 8192) {
      text += String.fromCharCode.apply(null, units.slice(k, k + 8192));
    }
    units.length = 0;
  };
  for (let i = 0; i < raw.length;) {
    if (raw[i] !== 0x5c) {
      units.push(raw[i++]);
      continue;
    }
    let j = i;
    while (j < raw.length && raw[j] === 0x5c) units.push(raw[j++]);
    // Only an odd run of backslashes escapes the following u/U.
    if ((j - i) % 2 === 0 || j >= raw.length || (raw[j] !== 0x75 && raw[j] !== 0x55)) {
      i = j;
      continue;
    }
    units.pop();
    const digits = raw[j] === 0x75 ? 4 : 8;
    if (j + 1 + digits > raw.length) return undefined;
    let code = 0;
    for (let k = j + 1; k <= j + digits; k++) {
      const d = hexDigit(raw[k]);
      if (d > 15) return undefined;
      code = code * 16 + d;
    }
    if (code > 0x10ffff) return undefined;
    if (code > 0xffff) {
      code -= 0x10000;
      units.push(0xd800 + (code >> 10), 0xdc00 + (code & 0x3ff));
    } else {
      units.push(code);
    }
    i = j + 1 + digits;
    if (units.length >= 65536) flush();
  }
  flush();
  return text;
}

function parseInteger(text: string, pattern: RegExp): number | bigint | undefined {
  const trimmed = text.replace(PY_WHITESPACE, "");
  if (!pattern.test(trimmed)) return undefined;
  const clean = trimmed.replaceAll("_", "");
  const negative = clean.startsWith("-");
  const digits = clean.replace(/^[+-]/, "");
  const value = BigInt(digits);
  const signed = negative ? -value : value;
  return signed >= BigInt(Number.MIN_SAFE_INTEGER) && signed <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(signed)
    : signed;
}

/**
 * The text CPython's C unpickler parses a number line as: `strtol`, `PyLong_FromString` and
 * `PyOS_string_to_double` stop at a NUL byte, so whatever follows it on the line is ignored.
 */
function untilNul(text: string): string {
  const nul = text.indexOf("\0");
  return nul < 0 ? text : text.slice(0, nul);
}

/** A FLOAT line as either unpickler accepts it: the C one up to a NUL, the pure-Python one with `float()`. */
function parseFloat64(line: string): number | undefined {
  // The common case, a plain decimal as repr() writes it, needs neither regular expression.
  if (PLAIN_DECIMAL.test(line)) return Number(line);
  let text = untilNul(line);
  if (!PY_FLOAT.test(text)) {
    text = line.replace(PY_WHITESPACE, "");
    if (!PY_FLOAT_CALL.test(text)) return undefined;
    text = text.replaceAll("_", "");
  }
  const lower = text.toLowerCase().replace(/^\+/, "");
  if (lower.endsWith("nan")) return NaN;
  if (lower.endsWith("inf") || lower.endsWith("infinity")) {
    return lower.startsWith("-") ? -Infinity : Infinity;
  }
  return Number(lower);
}

/** Little-endian two's complement, as LONG1/LONG4 encode integers. */
function decodeLong(bytes: Uint8Array, start: number, length: number): number | bigint {
  if (length === 0) return 0;
  let value = 0n;
  for (let k = length - 1; k >= 0; k--) value = (value << 8n) | BigInt(bytes[start + k]);
  if (bytes[start + length - 1] & 0x80) value -= 1n << BigInt(8 * length);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;
}

/**
 * Decodes pickle opcodes one at a time from a byte source.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { Disassembler } from "./disassembler.ts";
 * const dis = new Disassembler(bytesSource(new Uint8Array([0x80, 0x04, 0x4e, 0x2e])));
 * const names: string[] = [];
 * for (;;) {
 *   const op = dis.next();
 *   if (op) names.push(op.name);
 *   else if (dis.status === "more") await dis.fill();
 *   else break;
 * }
 * assert.deepEqual(names, ["PROTO", "NONE", "STOP"]);
 * ```
 */
export class Disassembler {
  /** Why the stream broke, once {@linkcode status} is `break`. */
  failure: StreamBreak | undefined;
  #status: DisassemblerStatus = "ready";
  readonly #source: ByteSource | undefined;
  #size: number;
  #buf: Uint8Array = EMPTY;
  #view: DataView<ArrayBufferLike> = new DataView(EMPTY.buffer);
  /** Source offset of `#buf[0]`. */
  #base = 0;
  /** Source offset just past the buffered bytes. */
  #limit = 0;
  #pos: number;
  /** Numeric and name lines (INT, GET, GLOBAL, PERSID, ...) longer than this are skipped, not decoded. */
  readonly #maxLineBytes: number;
  /** Bytes from `#pos` the pending opcode needs buffered. */
  #need = 0;
  /** Where an asynchronous newline search must start (-1: none pending), and the line it is for. */
  #searchFrom = -1;
  #searchLine = -1;
  /** Newline offsets (or -2 for end of source) found by asynchronous searches, by line start. */
  readonly #lineEnds = new Map<number, number>();

  /**
   * Starts disassembling `source` at `start`.
   *
   * @param source The bytes to disassemble.
   * @param start Offset of the first opcode.
   * @param maxLineBytes Longest numeric or name line decoded (the `pickle.maxTextLineBytes` option).
   */
  constructor(source: ByteSource, start = 0, maxLineBytes = DEFAULT_PICKLE_OPTIONS.maxTextLineBytes) {
    this.#source = source;
    this.#maxLineBytes = maxLineBytes;
    this.#size = source.size;
    this.#pos = start;
    this.#base = start;
    this.#limit = start;
  }

  /**
   * A disassembler over bytes in memory that never needs `fill()`. When `size`
   * is larger than `bytes` (a file's head), running out of bytes sets status
   * `more` instead of reporting truncation.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Disassembler } from "./disassembler.ts";
   * const dis = Disassembler.fromBytes(new TextEncoder().encode("N."));
   * assert.equal(dis.next()?.name, "NONE");
   * ```
   */
  static fromBytes(bytes: Uint8Array, size = bytes.length): Disassembler {
    const dis = new Disassembler({ size, read: () => Promise.resolve(EMPTY) });
    dis.#setBuffer(bytes, 0);
    return dis;
  }

  /** See {@linkcode DisassemblerStatus}. */
  get status(): DisassemblerStatus {
    return this.#status;
  }

  /** Offset of the next opcode. */
  get position(): number {
    return this.#pos;
  }

  /** Size of the source (smaller than announced if the source ended early). */
  get size(): number {
    return this.#size;
  }

  /**
   * Goes on at `offset`, at or after {@linkcode position}: the bytes in between are
   * not opcodes (joblib's array data, which its loader reads itself).
   */
  seek(offset: number): void {
    if (offset < this.#pos) throw new Error(`seek back from ${this.#pos} to ${offset}`);
    this.#pos = offset;
    this.#status = "ready";
    this.#searchFrom = -1;
    this.#lineEnds.clear();
  }

  /** The next opcode, or `undefined` with {@linkcode status} saying why. */
  next(): PickleOp | undefined {
    if (this.#status === "break") return undefined;
    const pos = this.#pos;
    if (pos >= this.#limit) {
      if (pos >= this.#size) {
        this.#status = "end";
        return undefined;
      }
      return this.#more(1);
    }
    const buf = this.#buf;
    const i = pos - this.#base;
    const code = buf[i];
    const info = OPCODE_BY_CODE[code];
    if (info === undefined) return this.#fail(pos, `invalid opcode 0x${code.toString(16).padStart(2, "0")}`);
    let op: PickleOp | undefined;
    switch (info.arg) {
      case "none":
        op = new PickleOp(code, pos, pos + 1, undefined);
        break;
      case "uint1":
        if (pos + 2 > this.#limit) return this.#more(2);
        op = new PickleOp(code, pos, pos + 2, buf[i + 1]);
        break;
      case "uint2":
        if (pos + 3 > this.#limit) return this.#more(3);
        op = new PickleOp(code, pos, pos + 3, buf[i + 1] | (buf[i + 2] << 8));
        break;
      case "int4":
        if (pos + 5 > this.#limit) return this.#more(5);
        op = new PickleOp(code, pos, pos + 5, this.#view.getInt32(i + 1, true));
        break;
      case "uint4":
        if (pos + 5 > this.#limit) return this.#more(5);
        op = new PickleOp(code, pos, pos + 5, this.#view.getUint32(i + 1, true));
        break;
      case "uint8":
        if (pos + 9 > this.#limit) return this.#more(9);
        op = new PickleOp(code, pos, pos + 9, this.#uint8(i + 1));
        break;
      case "float8":
        if (pos + 9 > this.#limit) return this.#more(9);
        op = new PickleOp(code, pos, pos + 9, this.#view.getFloat64(i + 1, false));
        break;
      case "long1":
      case "string1":
      case "bytes1":
      case "unicodestring1":
        op = this.#counted(code, pos, 1, info.arg);
        break;
      case "long4":
      case "string4":
      case "bytes4":
      case "unicodestring4":
        op = this.#counted(code, pos, 4, info.arg);
        break;
      case "bytes8":
      case "bytearray8":
      case "unicodestring8":
        op = this.#counted(code, pos, 8, info.arg);
        break;
      default:
        op = this.#textual(code, pos, info.arg);
    }
    if (op === undefined) return undefined;
    this.#pos = op.end;
    this.#status = "ready";
    if (this.#lineEnds.size > 0) this.#lineEnds.clear();
    return op;
  }

  /** Reads what the pending opcode needs; call when {@linkcode status} is `more`. */
  async fill(): Promise<void> {
    if (this.#status !== "more") return;
    if (this.#searchFrom >= 0) {
      this.#lineEnds.set(this.#searchLine, await this.#searchNewline(this.#searchFrom));
      this.#searchFrom = -1;
      this.#status = "ready";
      return;
    }
    const pos = this.#pos;
    const target = Math.min(this.#size, pos + Math.max(this.#need, READ_CHUNK_BYTES));
    const next = new Uint8Array(target - pos);
    let filled = 0;
    if (this.#limit > pos) {
      const kept = this.#buf.subarray(pos - this.#base, this.#limit - this.#base);
      next.set(kept);
      filled = kept.length;
    }
    while (pos + filled < target) {
      const chunk = await this.#source!.read(pos + filled, target - pos - filled);
      if (chunk.length === 0) {
        // The source is shorter than it said: from now on that is its end.
        this.#size = pos + filled;
        break;
      }
      next.set(chunk.subarray(0, target - pos - filled), filled);
      filled += Math.min(chunk.length, target - pos - filled);
    }
    this.#setBuffer(next.subarray(0, filled), pos);
    this.#status = "ready";
  }

  #setBuffer(bytes: Uint8Array, base: number): void {
    this.#buf = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#base = base;
    this.#limit = base + bytes.length;
  }

  #uint8(i: number): number {
    return this.#view.getUint32(i, true) + this.#view.getUint32(i + 4, true) * 2 ** 32;
  }

  #fail(pos: number, reason: string): undefined {
    this.#status = "break";
    this.failure = { pos, reason };
    return undefined;
  }

  /** Asks for `n` bytes from the current opcode, or reports truncation if the source has fewer. */
  #more(n: number): undefined {
    const pos = this.#pos;
    if (pos + n > this.#size) {
      const name = opcodeName(this.#buf[pos - this.#base] ?? 0);
      return this.#fail(pos, `truncated: ${name} needs ${n} bytes, ${this.#size - pos} remain`);
    }
    this.#need = n;
    this.#status = "more";
    return undefined;
  }

  /** Opcodes whose argument is a length prefix of `prefix` bytes followed by that many bytes. */
  #counted(code: number, pos: number, prefix: number, kind: string): PickleOp | undefined {
    const header = 1 + prefix;
    if (pos + header > this.#limit) return this.#more(header);
    const i = pos - this.#base;
    let length: number;
    if (prefix === 1) length = this.#buf[i + 1];
    else if (prefix === 8) length = this.#uint8(i + 1);
    else if (kind === "bytes4" || kind === "unicodestring4") length = this.#view.getUint32(i + 1, true);
    else length = this.#view.getInt32(i + 1, true);
    if (length < 0) return this.#fail(pos, `${opcodeName(code)} has a negative length (${length})`);
    const start = pos + header;
    const end = start + length;
    if (end > this.#size) {
      return this.#fail(
        pos,
        `truncated: ${opcodeName(code)} declares ${length} bytes, ${this.#size - start} remain`,
      );
    }
    const isLong = kind === "long1" || kind === "long4";
    if (length > LARGE_ARG_BYTES || (isLong && length > MAX_LONG_DECODE_BYTES)) {
      return new PickleOp(code, pos, end, new LargeArg(start, length, false));
    }
    if (end > this.#limit) return this.#more(header + length);
    const j = i + header;
    if (isLong) return new PickleOp(code, pos, end, decodeLong(this.#buf, j, length));
    if (kind.startsWith("unicode")) return new PickleOp(code, pos, end, decodeUtf8(this.#buf, j, j + length));
    return new PickleOp(code, pos, end, this.#buf.slice(j, j + length));
  }

  /**
   * Offset of the newline ending the line that starts at `from`, when its
   * content (at most `cap` bytes) can be decoded from the buffer; `-2` when
   * the line is longer than `cap` and was skipped to a newline found later
   * (see `#lineEnds`); {@linkcode PENDING} when the caller must return.
   */
  #lineEnd(from: number, cap: number): number {
    const found = this.#lineEnds.get(from);
    if (found === -2) return this.#noNewline();
    if (found !== undefined) return found;
    const want = Math.min(from + cap + 1, this.#size);
    if (want > this.#limit) {
      // The newline may already be buffered: a head of a large file must not wait for bytes it does not need.
      const buffered = from < this.#limit
        ? this.#buf.subarray(from - this.#base, this.#limit - this.#base).indexOf(NEWLINE)
        : -1;
      if (buffered >= 0) return from + buffered;
      // A line right after the opcode is buffered whole; one after a skipped long line is only searched.
      if (from - this.#pos > 2 * (this.#maxLineBytes + 1)) return this.#searchAsync(from, from);
      this.#more(want - this.#pos);
      return PENDING;
    }
    // indexOf from an offset, not on a subarray: a protocol-0 pickle asks this for every line.
    const index = this.#buf.indexOf(NEWLINE, from - this.#base);
    if (index >= 0 && index < want - this.#base) return index + this.#base;
    if (want >= this.#size) return this.#noNewline();
    return this.#searchAsync(from, want);
  }

  #noNewline(): number {
    this.#fail(this.#pos, `truncated: ${opcodeName(this.#buf[this.#pos - this.#base])} line has no newline`);
    return PENDING;
  }

  #searchAsync(line: number, from: number): number {
    this.#searchLine = line;
    this.#searchFrom = from;
    this.#status = "more";
    return PENDING;
  }

  async #searchNewline(from: number): Promise<number> {
    for (let at = from; at < this.#size;) {
      const chunk = await this.#source!.read(at, READ_CHUNK_BYTES);
      if (chunk.length === 0) break;
      const index = chunk.indexOf(NEWLINE);
      if (index >= 0) return at + index;
      at += chunk.length;
    }
    return -2;
  }

  /** Whether the line `[from, newline)` was decoded from the buffer rather than skipped. */
  #inBuffer(from: number, newline: number, cap: number): boolean {
    return newline - from <= cap && from >= this.#base && newline < this.#limit;
  }

  /** Protocol-0 opcodes whose arguments are newline-terminated text. */
  #textual(code: number, pos: number, kind: string): PickleOp | undefined {
    const isPair = kind === "stringnl_noescape_pair";
    const cap = kind === "stringnl" || kind === "unicodestringnl" ? LARGE_ARG_BYTES : this.#maxLineBytes;
    const first = pos + 1;
    const newline = this.#lineEnd(first, cap);
    if (newline === PENDING) return undefined;
    const decoded = this.#inBuffer(first, newline, cap);
    if (isPair) {
      const second = this.#lineEnd(newline + 1, cap);
      if (second === PENDING) return undefined;
      const module = decoded ? this.#text(first, newline) : null;
      const name = this.#inBuffer(newline + 1, second, cap) ? this.#text(newline + 1, second) : null;
      return new PickleOp(code, pos, second + 1, new GlobalName(module, name));
    }
    const end = newline + 1;
    if (!decoded) return new PickleOp(code, pos, end, new LargeArg(first, newline - first, true));
    const i = first - this.#base;
    const raw = this.#buf.subarray(i, i + newline - first);
    switch (kind) {
      case "decimalnl_short": {
        const text = latin1(raw);
        if (code === OP.INT && raw.length === 2 && raw[0] === 0x30 && (raw[1] === 0x30 || raw[1] === 0x31)) {
          return new PickleOp(code, pos, end, raw[1] === 0x31);
        }
        const value = parseInteger(untilNul(text), code === OP.INT ? ANY_BASE_INT : DECIMAL_INT);
        if (value === undefined) return this.#fail(pos, `${opcodeName(code)} argument is not an integer`);
        return new PickleOp(code, pos, end, value);
      }
      case "decimalnl_long": {
        const text = untilNul(latin1(raw).replace(/L$/, ""));
        const value = parseInteger(text, ANY_BASE_INT);
        if (value === undefined) return this.#fail(pos, "LONG argument is not an integer");
        return new PickleOp(code, pos, end, value);
      }
      case "floatnl": {
        const value = parseFloat64(latin1(raw));
        if (value === undefined) return this.#fail(pos, "FLOAT argument is not a number");
        return new PickleOp(code, pos, end, value);
      }
      case "stringnl": {
        const quote = raw[0];
        if (raw.length < 2 || raw[raw.length - 1] !== quote || (quote !== 0x27 && quote !== 0x22)) {
          return this.#fail(pos, "STRING argument is not quoted");
        }
        const value = decodeEscapes(raw.subarray(1, raw.length - 1));
        if (typeof value === "string") return this.#fail(pos, value);
        return new PickleOp(code, pos, end, value);
      }
      case "unicodestringnl": {
        const value = decodeRawUnicodeEscape(raw);
        if (value === undefined) return this.#fail(pos, "UNICODE argument has an invalid \\u escape");
        return new PickleOp(code, pos, end, value);
      }
      default:
        return new PickleOp(code, pos, end, this.#text(first, newline));
    }
  }

  #text(from: number, to: number): string {
    return decodeUtf8(this.#buf, from - this.#base, to - this.#base);
  }
}

/** A FRAME whose declared length disagrees with the opcodes it holds. */
export interface FrameMismatch {
  /** Offset of the FRAME opcode. */
  pos: number;
  /** Bytes the FRAME declares. */
  declared: number;
  /** Bytes from the frame's start to the first opcode boundary at or past its declared end (or the end of the source). */
  actual: number;
  /** Which opcode revealed the mismatch, in words. */
  reason: string;
}

/**
 * Checks FRAME opcodes against the opcodes that follow: the pure-Python
 * unpickler honours frames, the C one ignores them, so a frame that does not
 * end exactly on an opcode boundary (or at its pickle's STOP) makes the two see
 * different streams.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Disassembler, FrameTracker } from "./disassembler.ts";
 * const mismatches = (bytes: Uint8Array) => {
 *   const dis = Disassembler.fromBytes(bytes);
 *   const frames = new FrameTracker(bytes.length);
 *   const found = [];
 *   for (let op = dis.next(); op; op = dis.next()) found.push(frames.observe(op));
 *   return found.filter((mismatch) => mismatch !== undefined);
 * };
 * assert.equal(mismatches(new Uint8Array([0x80, 4, 0x95, 2, 0, 0, 0, 0, 0, 0, 0, 0x4e, 0x2e])).length, 0); // it fits
 * assert.equal(mismatches(new Uint8Array([0x80, 4, 0x95, 5, 0, 0, 0, 0, 0, 0, 0, 0x4e, 0x2e])).length, 1);
 * ```
 */
export class FrameTracker {
  #framePos = -1;
  #declared = 0;
  #start = 0;
  #end = 0;

  /**
   * Creates a tracker outside any frame.
   *
   * @param size Size of the source, which no frame may run past.
   */
  constructor(readonly size: number) {}

  /** Whether the opcodes observed so far leave a frame open: the frame goes on after the last of them. */
  get inFrame(): boolean {
    return this.#framePos >= 0;
  }

  /** Feeds the next opcode; returns the mismatch it reveals, if any. */
  observe(op: PickleOp): FrameMismatch | undefined {
    let mismatch: FrameMismatch | undefined;
    if (this.#framePos >= 0) {
      if (op.code === OP.FRAME) {
        mismatch = this.#mismatch(op.pos, "a new FRAME starts before the current frame ends");
      } else if (op.end > this.#end) {
        mismatch = this.#mismatch(op.end, `${op.name} at ${op.pos} straddles the frame's end`);
      } else if (op.end === this.#end) {
        this.#framePos = -1;
      } else if (op.code === OP.STOP) {
        mismatch = this.#mismatch(op.end, "the pickle ends (STOP) before the frame does");
      }
    }
    if (op.code === OP.FRAME) {
      const declared = op.arg as number;
      if (op.end + declared > this.size) {
        return mismatch ?? {
          pos: op.pos,
          declared,
          actual: this.size - op.end,
          reason: "the frame runs past the end of the data",
        };
      }
      this.#framePos = op.pos;
      this.#declared = declared;
      this.#start = op.end;
      this.#end = op.end + declared;
    }
    return mismatch;
  }

  #mismatch(boundary: number, reason: string): FrameMismatch {
    const found = { pos: this.#framePos, declared: this.#declared, actual: boundary - this.#start, reason };
    this.#framePos = -1;
    return found;
  }
}
