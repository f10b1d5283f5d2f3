/**
 * CRC-32 (ISO 3309, the polynomial zip and gzip use), computed incrementally so
 * that a member's checksum can be verified while its bytes stream past.
 *
 * @module
 */

/** The reflected CRC-32 polynomial. */
const POLYNOMIAL = 0xedb88320;

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? POLYNOMIAL ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * A running CRC-32.
 *
 * @example
 * ```ts
 * import { Crc32 } from "./crc32.ts";
 * const crc = new Crc32();
 * crc.update(new TextEncoder().encode("1234"));
 * crc.update(new TextEncoder().encode("56789"));
 * crc.value.toString(16); // "cbf43926"
 * ```
 */
export class Crc32 {
  #crc = 0xffffffff;

  /** Adds `bytes` to the checksum. */
  update(bytes: Uint8Array): void {
    let crc = this.#crc;
    for (let i = 0; i < bytes.length; i++) crc = TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
    this.#crc = crc;
  }

  /** The checksum of every byte added so far, as an unsigned 32-bit number. */
  get value(): number {
    return (this.#crc ^ 0xffffffff) >>> 0;
  }
}
