/**
 * CRC-32 (ISO 3309, the polynomial zip, gzip and 7z use), computed incrementally so
 * that a member's checksum can be verified while its bytes stream past. The runtime's
 * native `zlib.crc32` does the work: a table walk in JavaScript checks about 140 MB/s,
 * which made a 1 GiB deflated member take 7 s to verify; the native one is ~100 times faster.
 *
 * @module
 */

import { crc32 } from "node:zlib";

/**
 * A running CRC-32.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Crc32 } from "./crc32.ts";
 * const crc = new Crc32();
 * crc.update(new TextEncoder().encode("1234"));
 * crc.update(new TextEncoder().encode("56789"));
 * assert.equal(crc.value.toString(16), "cbf43926");
 * ```
 */
export class Crc32 {
  #value = 0;

  /** Adds `bytes` to the checksum. */
  update(bytes: Uint8Array): void {
    this.#value = crc32(bytes, this.#value);
  }

  /** The checksum of every byte added so far, as an unsigned 32-bit number. */
  get value(): number {
    return this.#value >>> 0;
  }
}
