/**
 * HDF5 as the registry knows it before loading the scanner: the signature at the start of the
 * superblock, which follows a user block of 512 bytes or any larger power of two.
 *
 * @module
 */

import { HEAD_BYTES, PRIORITY } from "../../core/detection.ts";
import type { ScannerDescriptor } from "../../core/scanner.ts";

/** The 8 bytes every HDF5 superblock starts with. */
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Where a superblock may start in a file of `size` bytes: 0, then 512 and every power of two
 * above it (the user block sizes the HDF5 library allows).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { superblockOffsets } from "./descriptor.ts";
 * assert.deepEqual([...superblockOffsets(2048)], [0, 512, 1024]);
 * ```
 */
export function* superblockOffsets(size: number): Generator<number> {
  yield 0;
  for (let at = 512; at + SIGNATURE.length <= size; at *= 2) yield at;
}

/**
 * Whether `bytes` holds the HDF5 signature at `at`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { signatureAt } from "./descriptor.ts";
 * assert.equal(signatureAt(new Uint8Array([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]), 0), true);
 * ```
 */
export function signatureAt(bytes: Uint8Array, at: number): boolean {
  return SIGNATURE.every((b, i) => bytes[at + i] === b);
}

/**
 * Whether `head` holds the HDF5 signature where a superblock may start (0, 512, 1024, ...).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { detectHdf5 } from "./descriptor.ts";
 * assert.equal(detectHdf5(new Uint8Array([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])), true);
 * ```
 */
export function detectHdf5(head: Uint8Array): boolean {
  for (const at of superblockOffsets(Math.min(head.length, HEAD_BYTES))) {
    if (signatureAt(head, at)) return true;
  }
  return false;
}

/**
 * The HDF5 scanner's registry entry (Keras `.h5` models and `model.weights.h5`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hdf5Descriptor } from "./descriptor.ts";
 * assert.equal(hdf5Descriptor.extensions.includes(".h5"), true);
 * ```
 */
export const hdf5Descriptor: ScannerDescriptor = {
  id: "hdf5",
  description: "HDF5 file (Keras .h5 models and weights)",
  extensions: [".h5", ".hdf5", ".keras"],
  priority: PRIORITY.model,
  detect: (head) => detectHdf5(head),
  load: () => import("./scanner.ts").then((module) => module.hdf5Scanner),
};
