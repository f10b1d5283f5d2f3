/**
 * A protobuf wire-format reader over a {@linkcode ByteSource}, shared by the formats that are
 * protobuf messages (ONNX, TensorFlow): it lists the fields of a message by their tags and byte
 * ranges without decoding their values, so a scanner reads the strings and small messages it
 * wants and steps over tensor payloads (`raw_data`, weight constants) as ranges, never reading
 * them. Reads go through one forward window, because a depth-first walk of a message visits its
 * bytes in order; a 2 GB model costs a few reads per tensor.
 *
 * Why not `npm:protobufjs`: its `Reader` decodes from one buffer held whole in memory, so a 2 GB
 * model would be read and held whole. Formats still decode small messages with it (TensorFlow's
 * `schema.ts`); this reader walks them down to that size.
 *
 * Malformed encoding (a field past its message, a varint over ten bytes, field number 0 or over
 * 2^29 - 1, wire types 6 and 7, unbalanced groups) is a {@linkcode WireError} with its position:
 * the caller reports it, it never escapes as a crash.
 *
 * @module
 */

import type { ByteSource } from "../../core/byte_source.ts";
import { DecodeError } from "../../core/decode_error.ts";

/**
 * The wire types of protobuf encoding.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WIRE } from "./wire.ts";
 * assert.equal(WIRE.len, 2); // strings, bytes and nested messages
 * assert.equal(0x3a & 7, WIRE.len); // the tag of ONNX ModelProto's graph (field 7)
 * ```
 */
export const WIRE = { varint: 0, i64: 1, len: 2, startGroup: 3, endGroup: 4, i32: 5 } as const;

/** Bytes read around a tag at once: small messages then cost one read for many fields. */
const WINDOW_BYTES = 16 * 1024;
/** A tag and a length are two varints of at most ten bytes each. */
const HEADER_BYTES = 20;
/** The largest field number protobuf allows. */
const MAX_FIELD_NUMBER = 0x1fffffff;
/** protobuf's own nesting limit for groups (C++ `kDefaultRecursionLimit`). */
const MAX_GROUP_DEPTH = 100;

/**
 * Malformed protobuf encoding at `position`: a {@linkcode DecodeError} of the format read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { WireError, WireReader } from "./wire.ts";
 * const error = new WireError("onnx", "a field has number 0", 12);
 * assert.deepEqual([error.position, error.reason, error.message], [12, "a field has number 0", "onnx: a field has number 0"]);
 * // A length-delimited field that claims 100 bytes where 1 remains.
 * const reader = new WireReader(bytesSource(Uint8Array.of(0x0a, 100, 0x61)), { format: "onnx" });
 * await assert.rejects(async () => {
 *   for await (const _ of reader.fields(0, 3));
 * }, WireError);
 * ```
 */
export class WireError extends DecodeError {
  /** Always `WireError`. */
  override name = "WireError";
  /** Byte offset in the source where decoding failed. */
  readonly position: number;

  /**
   * A decoding failure.
   *
   * @param format The format read, e.g. `onnx`.
   * @param reason What is wrong.
   * @param position Where, in the source.
   */
  constructor(format: string, reason: string, position: number) {
    super(format, reason);
    this.position = position;
  }
}

/**
 * The reader's budget of fields ran out at `position`: the encoding may be fine, the walk stops.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { FieldLimitError, WireReader } from "./wire.ts";
 * assert.equal(new FieldLimitError(10, 42).limit, 10);
 * // Three varint fields for a reader allowed two.
 * const reader = new WireReader(bytesSource(Uint8Array.of(0x08, 1, 0x08, 2, 0x08, 3)), { format: "onnx", maxFields: 2 });
 * await assert.rejects(async () => {
 *   for await (const _ of reader.fields(0, 6));
 * }, FieldLimitError);
 * ```
 */
export class FieldLimitError extends Error {
  /** Always `FieldLimitError`. */
  override name = "FieldLimitError";
  /** The budget that ran out. */
  readonly limit: number;
  /** Byte offset of the first field over the budget. */
  readonly position: number;

  /**
   * A budget that ran out.
   *
   * @param limit The budget that ran out.
   * @param position Where, in the source.
   */
  constructor(limit: number, position: number) {
    super(`more than ${limit} protobuf fields`);
    this.limit = limit;
    this.position = position;
  }
}

/**
 * One field of a message: its number, wire type and where its value lies.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { WIRE, type WireField, WireReader } from "./wire.ts";
 * // ONNX ModelProto's graph (field 7, length-delimited) of 2 bytes.
 * const reader = new WireReader(bytesSource(Uint8Array.of(0x3a, 2, 0x0a, 0)), { format: "onnx" });
 * const fields: WireField[] = [];
 * for await (const field of reader.fields(0, 4)) fields.push(field);
 * assert.deepEqual(fields, [{ number: 7, wire: WIRE.len, tag: 0, start: 2, end: 4, value: 0 }]);
 * ```
 */
export interface WireField {
  /** Field number, e.g. 7 for ONNX `ModelProto.graph`. */
  number: number;
  /** Wire type (see {@linkcode WIRE}). */
  wire: number;
  /** Offset of the field's tag. */
  tag: number;
  /** Offset of the value (after the length, for length-delimited fields; after the start tag, for a group). */
  start: number;
  /** Offset just past the value (past the end tag, for a group). */
  end: number;
  /** The value of a varint field (exact up to 2^53), 0 for other wire types. */
  value: number;
}

/** How a {@linkcode WireReader} reads. */
export interface WireReaderOptions {
  /** The format read, named by its errors (`onnx`, `tensorflow`). */
  format: string;
  /** Fields read in all before a {@linkcode FieldLimitError} (default: no limit). */
  maxFields?: number;
  /**
   * What a group (wire types 3 and 4, deprecated) is: `skip`, as protobuf's C++ parser steps over
   * an unknown group; or `reject`, a {@linkcode WireError}, for a format whose writers never emit
   * one, so that the scan says it did not inspect what follows (default).
   */
  groups?: "skip" | "reject";
}

/**
 * Reads protobuf messages from a byte source, field by field (a file of gigabytes of two-byte
 * fields is bounded by `maxFields`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { WireReader } from "./wire.ts";
 * const reader = new WireReader(bytesSource(Uint8Array.of(0x08, 0x07, 0x12, 0x01, 0x78)), { format: "onnx" });
 * const read: [number, number, number, number][] = [];
 * for await (const field of reader.fields(0, 5)) read.push([field.number, field.value, field.start, field.end]);
 * assert.deepEqual(read, [[1, 7, 1, 2], [2, 0, 4, 5]]); // a varint 7; then a string of 1 byte at 4
 * assert.deepEqual(await reader.bytes(4, 5), Uint8Array.of(0x78));
 * ```
 */
export class WireReader {
  readonly #source: ByteSource;
  readonly #format: string;
  readonly #maxFields: number;
  readonly #skipGroups: boolean;
  #window = new Uint8Array(0);
  #windowStart = 0;
  #fields = 0;

  /**
   * A reader over `source`.
   *
   * @param source The bytes to read.
   * @param options The format read, the field budget and what a group is.
   */
  constructor(source: ByteSource, options: WireReaderOptions) {
    this.#source = source;
    this.#format = options.format;
    this.#maxFields = options.maxFields ?? Infinity;
    this.#skipGroups = options.groups === "skip";
  }

  /** The source read. */
  get source(): ByteSource {
    return this.#source;
  }

  /** Makes the window hold `[position, position + length)` (or up to the end of the source). */
  async #cover(position: number, length: number): Promise<void> {
    const end = Math.min(this.#source.size, position + length);
    if (position >= this.#windowStart && end <= this.#windowStart + this.#window.length) return;
    const bytes = await this.#source.read(position, Math.max(length, WINDOW_BYTES));
    // A source may hand back a view it reuses; the window must survive later reads.
    this.#window = bytes.slice();
    this.#windowStart = position;
  }

  #error(reason: string, position: number): WireError {
    return new WireError(this.#format, reason, position);
  }

  /** A varint at `position` inside the window, ending before `end`. */
  #varint(position: number, end: number): { value: number; next: number } {
    let value = 0;
    let scale = 1;
    for (let at = position; at < end && at - position < 10; at++) {
      const byte = this.#window[at - this.#windowStart];
      if (byte === undefined) break;
      value += (byte & 0x7f) * scale;
      scale *= 128;
      if ((byte & 0x80) === 0) return { value, next: at + 1 };
    }
    throw this.#error(
      end - position < 10 ? "a varint runs past the end of its message" : "a varint is longer than ten bytes",
      position,
    );
  }

  /**
   * The fields of the message occupying `[start, end)`, in order. Throws a
   * {@linkcode WireError} where the encoding is malformed.
   */
  async *fields(start: number, end: number): AsyncGenerator<WireField> {
    let position = start;
    while (position < end) {
      const field = await this.#field(position, end, 0);
      if (field.wire === WIRE.endGroup) throw this.#error(`an end-group tag closes no group`, position);
      yield field;
      position = field.end;
    }
  }

  async #field(position: number, end: number, depth: number): Promise<WireField> {
    if (++this.#fields > this.#maxFields) throw new FieldLimitError(this.#maxFields, position);
    await this.#cover(position, HEADER_BYTES);
    const tag = this.#varint(position, end);
    const number = Math.floor(tag.value / 8);
    const wire = tag.value % 8;
    if (number === 0 || number > MAX_FIELD_NUMBER) {
      throw this.#error(`a field has number ${number}`, position);
    }
    let valueStart = tag.next;
    let valueEnd: number;
    let value = 0;
    switch (wire) {
      case WIRE.varint: {
        const read = this.#varint(valueStart, end);
        value = read.value;
        valueEnd = read.next;
        break;
      }
      case WIRE.i64:
        valueEnd = valueStart + 8;
        break;
      case WIRE.i32:
        valueEnd = valueStart + 4;
        break;
      case WIRE.len: {
        const length = this.#varint(valueStart, end);
        valueStart = length.next;
        valueEnd = valueStart + length.value;
        break;
      }
      case WIRE.startGroup:
      case WIRE.endGroup:
        if (!this.#skipGroups) {
          throw this.#error(
            `field ${number} has wire type ${wire} (a group), which ${this.#format} never writes`,
            position,
          );
        }
        valueEnd = wire === WIRE.endGroup
          ? valueStart
          : await this.#skipGroup(number, valueStart, end, depth + 1);
        break;
      default:
        throw this.#error(`field ${number} has wire type ${wire}, which protobuf does not define`, position);
    }
    if (valueEnd > end) {
      throw this.#error(
        `field ${number} runs ${valueEnd - end} bytes past the end of its message (the file is ${
          end === this.#source.size ? "truncated" : "malformed"
        })`,
        position,
      );
    }
    return { number, wire, tag: position, start: valueStart, end: valueEnd, value };
  }

  /** The end of group `number` whose fields start at `start`: past its end tag. */
  async #skipGroup(number: number, start: number, end: number, depth: number): Promise<number> {
    if (depth > MAX_GROUP_DEPTH) throw this.#error(`groups nested deeper than ${MAX_GROUP_DEPTH}`, start);
    let position = start;
    while (position < end) {
      const inner = await this.#field(position, end, depth);
      if (inner.wire === WIRE.endGroup) {
        if (inner.number !== number) {
          throw this.#error(`group ${number} is closed by ${inner.number}`, inner.tag);
        }
        return inner.end;
      }
      position = inner.end;
    }
    throw this.#error(`group ${number} is not closed`, start);
  }

  /** Bytes `[start, end)` of the source, a copy. */
  async bytes(start: number, end: number): Promise<Uint8Array> {
    const length = end - start;
    if (length <= WINDOW_BYTES) {
      await this.#cover(start, length);
      const at = start - this.#windowStart;
      return this.#window.slice(at, at + length);
    }
    return (await this.#source.read(start, length)).slice();
  }
}
