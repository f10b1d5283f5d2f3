/**
 * The `.npy` magic string, apart from the header reader: the registry tests
 * every file for it, and the reader's modules load only for an array.
 *
 * @module
 */

/**
 * The magic string every `.npy` file starts with.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NPY_MAGIC } from "./magic.ts";
 * assert.deepEqual(NPY_MAGIC, [0x93, ...new TextEncoder().encode("NUMPY")]);
 * ```
 */
export const NPY_MAGIC: readonly number[] = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/**
 * Whether `head` starts with the `.npy` magic string.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hasNpyMagic } from "./magic.ts";
 * assert.equal(hasNpyMagic(Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0)), true);
 * ```
 */
export function hasNpyMagic(head: Uint8Array): boolean {
  return NPY_MAGIC.every((byte, i) => head[i] === byte);
}
