/**
 * The tensors of a GGUF file for the scan's inventory: shape outermost first (GGUF stores `ne`
 * innermost first), the ggml type's name as dtype, size in whole blocks. Plain number types
 * (F32, F16, BF16, F64 and the integers) are readable in the file's byte order; quantized ones are
 * listed only. Tensors the table check refuses (unknown type, bad shape) are left out: they are
 * findings already. Reads the header's table alone, never the data.
 *
 * @module
 */

import { type ByteSource, subSource } from "../../core/byte_source.ts";
import type { Inventory } from "../../core/scanner.ts";
import type { TensorInfo } from "../../core/tensor.ts";
import { isDecodable, weightTensor } from "../tensors/decode.ts";
import { safeShape } from "../tensors/extent.ts";
import { classifyGgmlType } from "./ggml_types.ts";
import type { GgufHeader } from "./header.ts";

/**
 * Lists every tensor of `header` whose type and shape a loader accepts, readable where its data
 * lies whole in `source`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import type { TensorInfo } from "../../core/tensor.ts";
 * import { listGgufTensors } from "./inventory.ts";
 * const header = {
 *   version: 3, littleEndian: true, alignment: 32, dataStart: 0,
 *   tensors: [{ index: 0, name: "tok", position: 24, dims: [3n, 2n], type: 0, offset: 0n }],
 * };
 * const listed: TensorInfo[] = [];
 * await listGgufTensors(header, bytesSource(new Uint8Array(24)), {
 *   tensor: async (info) => void listed.push(info),
 *   fact: () => {},
 * });
 * assert.deepEqual(listed, [{ name: "tok", dtype: "F32", shape: [2, 3], bytes: 24 }]);
 * ```
 */
export async function listGgufTensors(
  header: GgufHeader,
  source: ByteSource,
  inventory: Inventory,
): Promise<void> {
  const { dataStart } = header;
  if (dataStart === undefined) return;
  const dataBytes = BigInt(source.size - dataStart);
  for (const tensor of header.tensors) {
    const ggml = classifyGgmlType(tensor.type);
    const shape = safeShape([...tensor.dims].reverse());
    if (ggml.kind !== "known" || shape === undefined) continue;
    const { name: dtype, blockSize, typeSize } = ggml.type;
    const elements = tensor.dims.reduce((product, dim) => product * dim, 1n);
    if ((tensor.dims[0] ?? 1n) % BigInt(blockSize) !== 0n) continue;
    const bytes = elements / BigInt(blockSize) * BigInt(typeSize);
    const info: TensorInfo = { name: tensor.name, dtype, shape, bytes: Number(bytes) };
    const fits = tensor.offset + bytes <= dataBytes;
    const readable = fits && isDecodable(dtype)
      ? weightTensor(info, {
        source: subSource(source, dataStart + Number(tensor.offset), Number(bytes)),
        byteOrder: header.littleEndian ? "little" : "big",
      })
      : undefined;
    await inventory.tensor(info, readable);
  }
}
