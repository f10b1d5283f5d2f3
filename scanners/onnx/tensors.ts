/**
 * The initializers of an ONNX graph as tensors for the scan's inventory: name, `data_type` in
 * safetensors' spelling, `dims`, and where the values are. `raw_data` (little-endian, as onnx
 * writes it), packed `float_data` and `double_data` (protobuf's packed fixed-width numbers are
 * the same bytes) and external data in a file beside the model are readable in place when they
 * hold exactly what the dims and type need; values spread as varints (`int32_data`,
 * `int64_data`) and strings are listed only. Nothing is read but the fields' places.
 *
 * @module
 */

import { type ByteSource, subSource } from "../../core/byte_source.ts";
import type { Inventory, SiblingResult } from "../../core/scanner.ts";
import { dtypeBytes, elementCount, type TensorInfo } from "../../core/tensor.ts";
import { weightTensor } from "../tensors/decode.ts";
import { safeShape } from "../tensors/extent.ts";

/** `TensorProto.DataType` values and their names in safetensors' spelling (onnx's own name otherwise). */
const DATA_TYPES: Readonly<Record<number, string>> = {
  1: "F32",
  2: "U8",
  3: "I8",
  4: "U16",
  5: "I16",
  6: "I32",
  7: "I64",
  8: "STRING",
  9: "BOOL",
  10: "F16",
  11: "F64",
  12: "U32",
  13: "U64",
  14: "C64",
  15: "C128",
  16: "BF16",
  17: "F8_E4M3",
  18: "FLOAT8E4M3FNUZ",
  19: "F8_E5M2",
  20: "FLOAT8E5M2FNUZ",
  21: "UINT4",
  22: "INT4",
  23: "FLOAT4E2M1",
};

/** Where an initializer's values are, as its fields say. */
export type InitializerData =
  /** In the model: `raw_data`, or packed `float_data`/`double_data` (`field` names it), at `[start, end)`. */
  | { kind: "inline"; field: string; start: number; end: number }
  /** In a file beside the model, from `offset` for `length` bytes (to its end when absent). */
  | { kind: "external"; file: Promise<SiblingResult>; offset: number; length?: number }
  /** Spread as varints or strings, or absent: not readable in place. */
  | { kind: "none" };

/** What a TensorProto's fields declare. */
export interface Initializer {
  name: string;
  dataType: number;
  dims: readonly number[];
  data: InitializerData;
}

/**
 * The `dims` of a packed field's bytes: varints, each an int64 (a negative one reads as a huge
 * number, which no shape accepts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { packedVarints } from "./tensors.ts";
 * assert.deepEqual(packedVarints(Uint8Array.of(4, 0x80, 0x01)), [4, 128]);
 * ```
 */
export function packedVarints(bytes: Uint8Array): number[] {
  const out: number[] = [];
  let value = 0;
  let scale = 1;
  for (const byte of bytes) {
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if ((byte & 0x80) === 0) {
      out.push(value);
      value = 0;
      scale = 1;
    }
  }
  return out;
}

/** Whether the packed field `field` holds values of the data type (`float_data` floats, `double_data` doubles). */
function packedMatches(field: string, dtype: string): boolean {
  return (field === "float_data" && dtype === "F32") || (field === "double_data" && dtype === "F64") ||
    field === "raw_data";
}

/**
 * Lists one initializer of the model in `source`: readable when its values lie in place, of a
 * decodable type, exactly as many bytes as its dims and type need.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import type { TensorInfo, WeightTensor } from "../../core/tensor.ts";
 * import { listInitializer } from "./tensors.ts";
 * const model = bytesSource(new Uint8Array(new Float32Array([0.5, -1]).buffer));
 * const listed: [TensorInfo, WeightTensor | undefined][] = [];
 * await listInitializer({ name: "b", dataType: 1, dims: [2], data: { kind: "inline", field: "raw_data", start: 0, end: 8 } }, model, {
 *   tensor: async (info, readable) => void listed.push([info, readable]),
 *   fact: () => {},
 * });
 * assert.deepEqual(listed[0][0], { name: "b", dtype: "F32", shape: [2], bytes: 8 });
 * assert.deepEqual([...await listed[0][1]!.read(0, 2)], [0.5, -1]);
 * ```
 */
export async function listInitializer(
  initializer: Initializer,
  source: ByteSource,
  inventory: Inventory,
): Promise<void> {
  const shape = safeShape(initializer.dims);
  if (shape === undefined) return;
  const dtype = DATA_TYPES[initializer.dataType] ?? `onnx type ${initializer.dataType}`;
  const size = dtypeBytes(dtype);
  const needed = size === undefined ? undefined : elementCount(shape) * size;
  const info: TensorInfo = {
    name: initializer.name,
    dtype,
    shape,
    ...(needed === undefined ? {} : { bytes: needed }),
  };
  const { data } = initializer;
  let stored: ByteSource | undefined;
  if (data.kind === "inline" && packedMatches(data.field, dtype) && data.end - data.start === needed) {
    stored = subSource(source, data.start, needed);
  } else if (data.kind === "external" && needed !== undefined) {
    const file = await data.file;
    const length = data.length ?? (file.ok ? file.source.size - data.offset : -1);
    if (file.ok && length === needed && data.offset + needed <= file.source.size) {
      stored = subSource(file.source, data.offset, needed);
    }
  }
  await inventory.tensor(info, stored && weightTensor(info, { source: stored }));
}
