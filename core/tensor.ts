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
  /**
   * Bytes its values take in their storage, where the format says (a quantized GGUF block, a
   * safetensors span); absent where they would be `elementCount(shape)` times the dtype's size.
   */
  readonly bytes?: number;
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
 * A tensor as a scan lists it: what its format declares, where in the file it sits (the
 * members of the containers it is in, outermost first) and whether its values can be read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ListedTensor } from "./tensor.ts";
 * const listed: ListedTensor = {
 *   members: ["archive/data.pkl"], name: "fc.weight", dtype: "F32", shape: [10, 64], bytes: 2560, readable: true,
 * };
 * assert.equal(listed.members.length, 1);
 * ```
 */
export interface ListedTensor extends TensorInfo {
  /** The path through containers to the source that declares it, outermost first; `[]` for the file itself. */
  readonly members: readonly string[];
  /** Whether its values can be read (a decodable dtype whose extent fits its storage). */
  readonly readable: boolean;
}

/**
 * A fact a format states about a file (its framework and version, an architecture, the names
 * of its chat templates), as a scan lists it beside the tensors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ModelFact } from "./tensor.ts";
 * const fact: ModelFact = { members: [], name: "general.architecture", value: "llama" };
 * assert.equal(fact.value, "llama");
 * ```
 */
export interface ModelFact {
  /** The path through containers to the source that states it, outermost first. */
  readonly members: readonly string[];
  /** The fact's name, dotted where the format nests it (`keras.version`, `general.architecture`). */
  readonly name: string;
  /** Its value. */
  readonly value: string | number | boolean;
}

/**
 * Bytes per element of the dtypes in safetensors' spelling whose size is a whole number of
 * bytes; `undefined` for others (`F4`, GGUF quantized types, a NumPy string type).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dtypeBytes } from "./tensor.ts";
 * assert.equal(dtypeBytes("BF16"), 2);
 * assert.equal(dtypeBytes("Q4_K"), undefined);
 * ```
 */
export function dtypeBytes(dtype: string): number | undefined {
  return DTYPE_BYTES[dtype];
}

const DTYPE_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
  U16: 2,
  I16: 2,
  F16: 2,
  BF16: 2,
  U32: 4,
  I32: 4,
  F32: 4,
  U64: 8,
  I64: 8,
  F64: 8,
  C64: 8,
  C128: 16,
};

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
