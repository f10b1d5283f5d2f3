/**
 * What the safetensors format is, as the reference loader defines it (Rust crate
 * `safetensors`, `safetensors/src/tensor.rs`): an 8-byte little-endian header
 * length, a JSON header, then the data buffer. Light on purpose: the registry's
 * descriptor imports it to detect the format without loading the scanner.
 *
 * @module
 */

/** tensor.rs `N_LEN`: bytes of the little-endian u64 header length. */
export const LENGTH_BYTES = 8;

/** tensor.rs `MAX_HEADER_SIZE`: the reference loader refuses a longer header (`HeaderTooLarge`). */
export const MAX_HEADER_SIZE = 100_000_000;

/**
 * Bits per element of every dtype the reference loader knows (tensor.rs `Dtype::bitsize`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DTYPE_BITS } from "./format.ts";
 * assert.equal(DTYPE_BITS.get("BF16"), 16);
 * assert.equal(DTYPE_BITS.get("F4"), 4);
 * assert.equal(DTYPE_BITS.get("F128"), undefined);
 * ```
 */
export const DTYPE_BITS: ReadonlyMap<string, number> = new Map([
  ["BOOL", 8],
  ["F4", 4],
  ["F6_E2M3", 6],
  ["F6_E3M2", 6],
  ["U8", 8],
  ["I8", 8],
  ["F8_E5M2", 8],
  ["F8_E4M3", 8],
  ["F8_E8M0", 8],
  ["F8_E4M3FNUZ", 8],
  ["F8_E5M2FNUZ", 8],
  ["I16", 16],
  ["U16", 16],
  ["F16", 16],
  ["BF16", 16],
  ["I32", 32],
  ["U32", 32],
  ["F32", 32],
  ["C64", 64],
  ["F64", 64],
  ["I64", 64],
  ["U64", 64],
]);

/**
 * The header length the first 8 bytes declare, as a bigint (it is a u64), or `undefined` for fewer bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { declaredHeaderLength } from "./format.ts";
 * assert.equal(declaredHeaderLength(Uint8Array.of(2, 1, 0, 0, 0, 0, 0, 0)), 258n);
 * ```
 */
export function declaredHeaderLength(head: Uint8Array): bigint | undefined {
  if (head.length < LENGTH_BYTES) return undefined;
  return new DataView(head.buffer, head.byteOffset, LENGTH_BYTES).getBigUint64(0, true);
}

const isJsonSpace = (b: number) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

/**
 * Whether `head` starts like a safetensors file: after the 8-byte length, the header's JSON opens with
 * `{` (serde_json allows whitespace first). The length itself must fit the file, unless the name says
 * `.safetensors`: then a lying length is the scanner's finding (MA320), not a reason to look away.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { looksLikeSafetensors } from "./format.ts";
 * const head = Uint8Array.of(2, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d);
 * assert.equal(looksLikeSafetensors(head, 10, "model.bin"), true);
 * assert.equal(looksLikeSafetensors(head, 9, "model.bin"), false); // the header would end past the file
 * assert.equal(looksLikeSafetensors(head, 9, "model.safetensors"), true);
 * ```
 */
export function looksLikeSafetensors(head: Uint8Array, size: number, name: string): boolean {
  const length = declaredHeaderLength(head);
  if (length === undefined) return false;
  let i = LENGTH_BYTES;
  while (i < head.length && isJsonSpace(head[i])) i++;
  if (i === head.length) {
    // serde_json skips any amount of leading whitespace: a head of nothing else may open a header further on.
    if (head.length >= size) return false;
  } else if (head[i] !== 0x7b) {
    return false;
  }
  return BigInt(LENGTH_BYTES) + length <= BigInt(size) || name.toLowerCase().endsWith(".safetensors");
}
