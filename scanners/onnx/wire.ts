/**
 * A protobuf wire-format reader over a {@linkcode ByteSource}: it lists the fields of a
 * message by their tags and byte ranges without decoding their values, so a caller reads
 * the strings it wants and steps over tensor payloads (`raw_data`, packed numbers) as
 * ranges, never reading them. Reads go through one forward window, because a depth-first
 * walk of a message visits its bytes in order; a 2 GB model costs a few reads per tensor.
 *
 * Why not `npm:protobufjs`: its `Reader` decodes from one buffer held whole in memory (and
 * decodes `raw_data` as bytes of it), so a 2 GB model would be read and held whole; its wire
 * reading is no simpler than the varints and lengths here. The field numbers come from the
 * official schema instead (`schema.ts`, checked against onnx's descriptors by the fixture
 * generator).
 *
 * Malformed encoding (a tag or length past its message, a varint over ten bytes, a field
 * number 0, groups, which ONNX never writes) is a {@linkcode WireError} with its position:
 * the caller reports it, it never escapes as a crash.
 *
 * @module
 */

import type { ByteSource } from "../../core/byte_source.ts";

/**
 * The wire types of protobuf encoding.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WIRE } from "./wire.ts";
 * assert.equal(WIRE.len, 2); // strings, bytes and nested messages
 * assert.equal(0x3a & 7, WIRE.len); // the tag of ModelProto's graph (field 7)
 * ```
 */
export const WIRE = { varint: 0, i64: 1, len: 2, i32: 5 } as const;

/** Bytes read around a tag at once: small messages then cost one read for many fields. */
const WINDOW_BYTES = 16 * 1024;
/** A tag and a length are two varints of at most ten bytes each. */
const HEADER_BYTES = 20;

/**
 * Malformed protobuf encoding at `position`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { WireError, WireReader } from "./wire.ts";
 * assert.equal(new WireError("a field has number 0", 12).position, 12);
 * // A length-delimited field that claims 100 bytes where 1 remains.
 * const reader = new WireReader(bytesSource(Uint8Array.of(0x0a, 100, 0x61)));
 * await assert.rejects(async () => {
 *   for await (const _ of reader.fields(0, 3));
 * }, WireError);
 * ```
 */
export class WireError extends Error {
  /** Always `WireError`. */
  override name = "WireError";
  /** Byte offset in the source where decoding failed. */
  readonly position: number;

  /**
   * A decoding failure.
   *
   * @param message What is wrong.
   * @param position Where, in the source.
   */
  constructor(message: string, position: number) {
    super(message);
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
 * const reader = new WireReader(bytesSource(Uint8Array.of(0x08, 1, 0x08, 2, 0x08, 3)), 2);
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
 * // ModelProto's graph (field 7, length-delimited) of 2 bytes.
 * const reader = new WireReader(bytesSource(Uint8Array.of(0x3a, 2, 0x0a, 0)));
 * const fields: WireField[] = [];
 * for await (const field of reader.fields(0, 4)) fields.push(field);
 * assert.deepEqual(fields, [{ number: 7, wire: WIRE.len, tag: 0, start: 2, end: 4, value: 0 }]);
 * ```
 */
export interface WireField {
  /** Field number, e.g. 7 for `ModelProto.graph`. */
  number: number;
  /** Wire type (see {@linkcode WIRE}). */
  wire: number;
  /** Offset of the field's tag. */
  tag: number;
  /** Offset of the value (after the length, for length-delimited fields). */
  start: number;
  /** Offset just past the value. */
  end: number;
  /** The value of a varint field (exact up to 2^53), 0 for other wire types. */
  value: number;
}

/**
 * Reads protobuf messages from a byte source, field by field, at most `maxFields` of them in
 * all (a {@linkcode FieldLimitError} past them: a file of gigabytes of two-byte fields would
 * otherwise take minutes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { WireReader } from "./wire.ts";
 * const reader = new WireReader(bytesSource(Uint8Array.of(0x08, 0x07, 0x12, 0x01, 0x78)));
 * const read: [number, number, number, number][] = [];
 * for await (const field of reader.fields(0, 5)) read.push([field.number, field.value, field.start, field.end]);
 * assert.deepEqual(read, [[1, 7, 1, 2], [2, 0, 4, 5]]); // a varint 7; then a string of 1 byte at 4
 * ```
 */
export class WireReader {
  readonly #source: ByteSource;
  #window = new Uint8Array(0);
  #windowStart = 0;
  readonly #maxFields: number;
  #fields = 0;

  /**
   * A reader over `source`.
   *
   * @param source The bytes to read.
   * @param maxFields Fields read in all before a {@linkcode FieldLimitError}.
   */
  constructor(source: ByteSource, maxFields = Infinity) {
    this.#source = source;
    this.#maxFields = maxFields;
  }

  /** The source's size. */
  get size(): number {
    return this.#source.size;
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
    throw new WireError(
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
      if (++this.#fields > this.#maxFields) throw new FieldLimitError(this.#maxFields, position);
      await this.#cover(position, HEADER_BYTES);
      const tag = this.#varint(position, end);
      const number = Math.floor(tag.value / 8);
      const wire = tag.value % 8;
      if (number === 0) throw new WireError("a field has number 0", position);
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
        default:
          throw new WireError(`field ${number} has wire type ${wire}, which ONNX never writes`, position);
      }
      if (valueEnd > end) {
        throw new WireError(
          `field ${number} runs ${valueEnd - end} bytes past the end of its message (the file is ${
            end === this.#source.size ? "truncated" : "malformed"
          })`,
          position,
        );
      }
      yield { number, wire, tag: position, start: valueStart, end: valueEnd, value };
      position = valueEnd;
    }
  }

  /** The bytes of `field`'s value, at most `max` of them (a copy). */
  async bytes(field: WireField, max: number): Promise<Uint8Array> {
    const length = Math.min(field.end - field.start, max);
    if (length <= WINDOW_BYTES) {
      await this.#cover(field.start, length);
      const at = field.start - this.#windowStart;
      return this.#window.slice(at, at + length);
    }
    return (await this.#source.read(field.start, length)).slice();
  }
}
