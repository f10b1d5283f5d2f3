/**
 * Whether a tensor's declared extent fits its storage: the one arithmetic every format's
 * check shares (a NumPy array's data against the file, a PyTorch tensor's size, strides and
 * storage offset against its storage, an ONNX initializer against its external data). Each
 * format reports a misfit with its own rule; this module only counts, in `bigint` so that no
 * declared size wraps.
 *
 * @module
 */

/**
 * Storage elements a tensor of `shape` reaches: from element 0 of the storage to just past the
 * last element it touches, starting at `offset` and stepping `strides` (row-major contiguous when
 * absent). 0 for a tensor with no element, wherever it starts (PyTorch checks no storage then);
 * `undefined` for strides a loader refuses (negative, or not one per dimension).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { storageReach } from "./extent.ts";
 * assert.equal(storageReach([2, 3]), 6n);
 * assert.equal(storageReach([3, 2], [1, 3], 4), 10n); // a transposed view from element 4
 * assert.equal(storageReach([0, 5], undefined, 99), 0n);
 * assert.equal(storageReach([2], [-1]), undefined);
 * ```
 */
export function storageReach(
  shape: readonly (number | bigint)[],
  strides?: readonly (number | bigint)[],
  offset: number | bigint = 0,
): bigint | undefined {
  const dims = shape.map(BigInt);
  if (dims.some((dim) => dim < 0n)) return undefined;
  if (dims.some((dim) => dim === 0n)) return 0n;
  if (strides === undefined) return dims.reduce((product, dim) => product * dim, 1n) + BigInt(offset);
  if (strides.length !== dims.length) return undefined;
  let last = BigInt(offset);
  if (last < 0n) return undefined;
  for (let k = 0; k < dims.length; k++) {
    const stride = BigInt(strides[k]);
    if (stride < 0n) return undefined;
    last += (dims[k] - 1n) * stride;
  }
  return last + 1n;
}

/**
 * How a tensor's extent compares with its storage, in bytes: `fits` when the storage of
 * `storageBytes` holds the `reach` elements of `itemBytes` each ({@linkcode storageReach}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareExtent } from "./extent.ts";
 * assert.deepEqual(compareExtent(6n, 4, 24), { needed: 24n, available: 24n, fits: true });
 * assert.deepEqual(compareExtent(6n, 4, 20), { needed: 24n, available: 20n, fits: false });
 * ```
 */
export function compareExtent(
  reach: bigint,
  itemBytes: number | bigint,
  storageBytes: number | bigint,
): { needed: bigint; available: bigint; fits: boolean } {
  const needed = reach * BigInt(itemBytes);
  const available = BigInt(storageBytes);
  return { needed, available, fits: needed <= available };
}

/**
 * A shape as numbers, when every dimension is a safe integer (no readable tensor exceeds 2^53
 * elements); `undefined` otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { safeShape } from "./extent.ts";
 * assert.deepEqual(safeShape([2n, 3n]), [2, 3]);
 * assert.equal(safeShape([1n << 60n]), undefined);
 * ```
 */
export function safeShape(shape: readonly (number | bigint)[]): number[] | undefined {
  const dims = shape.map(Number);
  return dims.every((dim, k) => Number.isSafeInteger(dim) && BigInt(dim) === BigInt(shape[k]) && dim >= 0)
    ? dims
    : undefined;
}
