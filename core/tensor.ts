/**
 * One description of a tensor for every weight format (PyTorch, NumPy, safetensors, HDF5,
 * ONNX, GGUF): what `modelaudit inspect` lists and what the weight analysis reads.
 *
 * @module
 */

/**
 * A tensor as its format declares it: name, element type, shape and, where the format keeps
 * the bytes in one place, where they are.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { elementCount, type TensorInfo } from "./tensor.ts";
 * const head: TensorInfo = { name: "fc.weight", dtype: "F32", shape: [10, 64] };
 * assert.equal(elementCount(head.shape), 640);
 * ```
 */
export interface TensorInfo {
  /** The name the format gives it (`fc.weight`, an HDF5 dataset path, an ONNX initializer name). */
  readonly name: string;
  /**
   * The element type in safetensors' spelling where one exists (`F64`, `F32`, `F16`, `BF16`, `I64`,
   * `I32`, `I16`, `I8`, `U8`, `U16`, `U32`, `U64`, `BOOL`, `C64`, `C128`), otherwise the format's own name
   * (GGUF `Q4_K`).
   */
  readonly dtype: string;
  /** Dimensions, outermost first; `[]` for a scalar. */
  readonly shape: readonly number[];
}

/**
 * A tensor whose values can be read: decoded to float32 (float16 and bfloat16 included) in bounded
 * element ranges, so a large tensor is never held whole. Quantized and non-numeric types have no
 * reader and are listed only.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { WeightTensor } from "./tensor.ts";
 * const values = Float32Array.of(1, 2, 3, 4);
 * const tensor: WeightTensor = {
 *   name: "bias", dtype: "F32", shape: [4],
 *   read: (start, count) => Promise.resolve(values.slice(start, start + count)),
 * };
 * assert.deepEqual([...await tensor.read(1, 2)], [2, 3]);
 * ```
 */
export interface WeightTensor extends TensorInfo {
  /** Reads `count` elements from element `start` (row-major order), decoded to float32. */
  read(start: number, count: number): Promise<Float32Array>;
}

/**
 * Elements of a tensor of this shape (1 for a scalar); a number, since no readable tensor exceeds 2^53.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { elementCount } from "./tensor.ts";
 * assert.equal(elementCount([3, 4, 5]), 60);
 * assert.equal(elementCount([]), 1);
 * ```
 */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((count, dimension) => count * dimension, 1);
}
