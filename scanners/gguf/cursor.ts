/**
 * A forward reader over a {@linkcode ByteSource} for headers that may be large (a GGUF's
 * 100,000 metadata entries, a 150,000-token vocabulary) but are only a sliver of a file
 * that may be tens of gigabytes: it reads through a bounded window, so memory stays
 * constant and only the bytes the header occupies are ever read.
 *
 * Every read first checks the bytes that remain: the caller compares a declared length with
 * {@linkcode HeaderCursor.remaining} before asking, and a read past the end returns
 * `undefined` instead of throwing.
 *
 * @module
 */

import type { ByteSource } from "../../core/byte_source.ts";

/** Bytes fetched from the source at a time: large enough that a header costs few reads. */
const WINDOW_BYTES = 1 << 20;

const decoder = new TextDecoder("utf-8");

/**
 * Reads integers, floats and strings forward from a position, little- or big-endian.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { HeaderCursor } from "./cursor.ts";
 * const cursor = new HeaderCursor(bytesSource(Uint8Array.of(3, 0, 0, 0, 0x68, 0x69)));
 * assert.equal(await cursor.u32(), 3);
 * assert.equal(await cursor.text(2), "hi");
 * ```
 */
export class HeaderCursor {
  /** The next byte to read. */
  position: number;
  /** Byte order of multi-byte values; GGUF is little-endian unless written for a big-endian host. */
  littleEndian = true;
  readonly #source: ByteSource;
  #window: Uint8Array = new Uint8Array(0);
  #view: DataView = new DataView(this.#window.buffer);
  #windowStart = 0;

  /** A cursor at `position` (0 by default) of `source`. */
  constructor(source: ByteSource, position = 0) {
    this.#source = source;
    this.position = position;
  }

  /** Bytes between the position and the end of the source. */
  get remaining(): number {
    return Math.max(0, this.#source.size - this.position);
  }

  /** Size of the source. */
  get size(): number {
    return this.#source.size;
  }

  /** Makes `length` bytes from the position available in the window; false when the source ends first. */
  async #fill(length: number): Promise<boolean> {
    if (length > this.remaining) return false;
    const offset = this.position - this.#windowStart;
    if (offset >= 0 && offset + length <= this.#window.length) return true;
    const bytes = await this.#source.read(
      this.position,
      Math.max(length, Math.min(WINDOW_BYTES, this.remaining)),
    );
    if (bytes.length < length) return false;
    this.#window = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#windowStart = this.position;
    return true;
  }

  /** Whether `length` bytes can be read without a new read of the source. */
  #ready(length: number): boolean {
    const offset = this.position - this.#windowStart;
    return offset >= 0 && offset + length <= this.#window.length;
  }

  async #at(length: number): Promise<number | undefined> {
    if (!this.#ready(length) && !(await this.#fill(length))) return undefined;
    const offset = this.position - this.#windowStart;
    this.position += length;
    return offset;
  }

  /** An unsigned 32-bit integer. */
  u32(): Promise<number | undefined> {
    return this.scalar("u32") as Promise<number | undefined>;
  }

  /** A signed 32-bit integer. */
  i32(): Promise<number | undefined> {
    return this.scalar("i32") as Promise<number | undefined>;
  }

  /** An unsigned 64-bit integer. */
  u64(): Promise<bigint | undefined> {
    return this.scalar("u64") as Promise<bigint | undefined>;
  }

  /** A signed 64-bit integer. */
  i64(): Promise<bigint | undefined> {
    return this.scalar("i64") as Promise<bigint | undefined>;
  }

  /** A value of `kind`: integers up to 32 bits and floats as numbers, 64-bit integers as bigints. */
  async scalar(kind: ScalarKind): Promise<number | bigint | undefined> {
    const at = await this.#at(SCALAR_WIDTH[kind]);
    if (at === undefined) return undefined;
    const view = this.#view, le = this.littleEndian;
    switch (kind) {
      case "u8":
        return view.getUint8(at);
      case "i8":
        return view.getInt8(at);
      case "u16":
        return view.getUint16(at, le);
      case "i16":
        return view.getInt16(at, le);
      case "u32":
        return view.getUint32(at, le);
      case "i32":
        return view.getInt32(at, le);
      case "f32":
        return view.getFloat32(at, le);
      case "u64":
        return view.getBigUint64(at, le);
      case "i64":
        return view.getBigInt64(at, le);
      case "f64":
        return view.getFloat64(at, le);
    }
  }

  /** `length` bytes decoded as UTF-8 (invalid sequences replaced); the caller bounds `length`. */
  async text(length: number): Promise<string | undefined> {
    if (length > this.remaining) return undefined;
    if (length > WINDOW_BYTES) {
      const bytes = await this.#source.read(this.position, length);
      if (bytes.length < length) return undefined;
      this.position += length;
      return decoder.decode(bytes);
    }
    const at = await this.#at(length);
    return at === undefined ? undefined : decoder.decode(this.#window.subarray(at, at + length));
  }

  /** Moves forward `length` bytes without reading them; false when fewer remain. */
  skip(length: number): boolean {
    if (length > this.remaining) return false;
    this.position += length;
    return true;
  }
}

/** The fixed-width value kinds {@linkcode HeaderCursor.scalar} reads. */
export type ScalarKind = "u8" | "i8" | "u16" | "i16" | "u32" | "i32" | "f32" | "u64" | "i64" | "f64";

/**
 * Width in bytes of each {@linkcode ScalarKind}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SCALAR_WIDTH } from "./cursor.ts";
 * assert.equal(SCALAR_WIDTH.f64, 8);
 * ```
 */
export const SCALAR_WIDTH: Readonly<Record<ScalarKind, number>> = {
  u8: 1,
  i8: 1,
  u16: 2,
  i16: 2,
  u32: 4,
  i32: 4,
  f32: 4,
  u64: 8,
  i64: 8,
  f64: 8,
};
