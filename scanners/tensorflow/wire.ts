/**
 * The protobuf wire format walked over a byte source, without reading field payloads: what lets
 * the TensorFlow scanner find every `NodeDef` of a multi-gigabyte frozen graph while its weight
 * constants stay on disk. protobufjs decodes a message only from bytes in memory, so messages are
 * walked here down to a size where it can take over (`schema.ts`); a length-delimited field is a
 * byte range until someone reads it.
 *
 * Fields are read as TensorFlow's C++ parser reads them: any field number, the five wire types,
 * groups skipped; a truncated field, a malformed varint or an unbalanced group is a `DecodeError`.
 *
 * @module
 */

import type { ByteSource } from "../../core/byte_source.ts";
import { DecodeError } from "../../core/decode_error.ts";

/** Wire types by name. */
export const WIRE = { varint: 0, fixed64: 1, len: 2, startGroup: 3, endGroup: 4, fixed32: 5 } as const;

/** Bytes read from the source at once while walking. */
const WINDOW_BYTES = 64 * 1024;

/** protobuf's own nesting limit for groups (C++ `kDefaultRecursionLimit`). */
const MAX_GROUP_DEPTH = 100;

/**
 * One field of a message: its number, wire type and where it lies in the source.
 *
 * @example
 * ```ts
 * import type { WireField } from "./wire.ts";
 * const node: WireField = { number: 1, wireType: 2, at: 0, start: 2, end: 40, value: 0 };
 * ```
 */
export interface WireField {
  /** Field number. */
  number: number;
  /** Wire type (see {@linkcode WIRE}). */
  wireType: number;
  /** Offset of the field's tag. */
  at: number;
  /** Offset of the payload (after the length, for a length-delimited field). */
  start: number;
  /** Offset after the payload. */
  end: number;
  /** A varint's value (exact up to 2^53; larger ones are rounded, which no field read here needs). */
  value: number;
}

/**
 * Reads fields of messages that lie in a byte source, through a window so that a walk over
 * many small fields costs few reads.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { WireReader } from "./wire.ts";
 * const reader = new WireReader(bytesSource(Uint8Array.of(0x08, 0x01)), "tensorflow");
 * const fields: [number, number][] = [];
 * for await (const field of reader.fields(0, 2)) fields.push([field.number, field.value]);
 * assert.deepEqual(fields, [[1, 1]]); // field 1, the varint 1
 * ```
 */
export class WireReader {
  #source: ByteSource;
  #format: string;
  #windowStart = 0;
  #window: Uint8Array = new Uint8Array(0);

  /** A reader of `source`; decode errors name `format`. */
  constructor(source: ByteSource, format: string) {
    this.#source = source;
    this.#format = format;
  }

  /** The source read. */
  get source(): ByteSource {
    return this.#source;
  }

  /**
   * Bytes `[start, end)` of the source: a view, valid until the reader's next read. Whoever keeps
   * them copies them.
   */
  async bytes(start: number, end: number): Promise<Uint8Array> {
    if (start >= this.#windowStart && end <= this.#windowStart + this.#window.length) {
      return this.#window.subarray(start - this.#windowStart, end - this.#windowStart);
    }
    return await this.#source.read(start, end - start);
  }

  async #byte(offset: number, limit: number): Promise<number> {
    if (offset >= limit) throw new DecodeError(this.#format, `a field is cut off at ${offset}`);
    const inWindow = offset - this.#windowStart;
    if (inWindow < 0 || inWindow >= this.#window.length) {
      this.#windowStart = offset;
      // A copy: a source may hand out views that its next read overwrites, and the window outlives reads.
      this.#window = (await this.#source.read(offset, Math.min(WINDOW_BYTES, this.#source.size - offset)))
        .slice();
      if (this.#window.length === 0) throw new DecodeError(this.#format, `a field is cut off at ${offset}`);
      return this.#window[0];
    }
    return this.#window[inWindow];
  }

  async #varint(offset: number, limit: number): Promise<[value: number, next: number]> {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const byte = await this.#byte(offset + i, limit);
      value += (byte & 0x7f) * scale;
      scale *= 128;
      if (byte < 0x80) return [value, offset + i + 1];
    }
    throw new DecodeError(this.#format, `a varint at ${offset} is longer than 10 bytes`);
  }

  /**
   * The fields of the message in `[start, end)`, in the order they are stored. A group (wire
   * types 3 and 4, which no TensorFlow message uses) is skipped whole, as an unknown field is.
   */
  async *fields(start: number, end: number): AsyncGenerator<WireField> {
    let offset = start;
    while (offset < end) {
      const field = await this.#field(offset, end, 0);
      if (field.wireType === WIRE.endGroup) {
        throw new DecodeError(this.#format, `an end-group tag at ${offset} closes no group`);
      }
      offset = field.end;
      yield field;
    }
  }

  async #field(at: number, limit: number, depth: number): Promise<WireField> {
    const [tag, afterTag] = await this.#varint(at, limit);
    const number = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (number === 0 || number > 0x1fffffff) {
      throw new DecodeError(this.#format, `invalid field number ${number} at ${at}`);
    }
    const field = (start: number, end: number, value = 0): WireField => {
      if (end > limit) throw new DecodeError(this.#format, `field ${number} at ${at} runs past its message`);
      return { number, wireType, at, start, end, value };
    };
    switch (wireType) {
      case WIRE.varint: {
        const [value, next] = await this.#varint(afterTag, limit);
        return field(afterTag, next, value);
      }
      case WIRE.fixed64:
        return field(afterTag, afterTag + 8);
      case WIRE.fixed32:
        return field(afterTag, afterTag + 4);
      case WIRE.len: {
        const [length, next] = await this.#varint(afterTag, limit);
        return field(next, next + length, length);
      }
      case WIRE.startGroup:
        return field(afterTag, await this.#skipGroup(number, afterTag, limit, depth + 1));
      case WIRE.endGroup:
        return field(afterTag, afterTag);
      default:
        throw new DecodeError(this.#format, `invalid wire type ${wireType} at ${at}`);
    }
  }

  async #skipGroup(number: number, start: number, limit: number, depth: number): Promise<number> {
    if (depth > MAX_GROUP_DEPTH) {
      throw new DecodeError(this.#format, `groups nested deeper than ${MAX_GROUP_DEPTH}`);
    }
    let offset = start;
    while (offset < limit) {
      const inner = await this.#field(offset, limit, depth);
      if (inner.wireType === WIRE.endGroup) {
        if (inner.number !== number) {
          throw new DecodeError(this.#format, `group ${number} is closed by ${inner.number} at ${inner.at}`);
        }
        return inner.end;
      }
      offset = inner.end;
    }
    throw new DecodeError(this.#format, `group ${number} at ${start} is not closed`);
  }
}
