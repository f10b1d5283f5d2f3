/**
 * The tensors of a safetensors file, as its header declares them, for the scan's inventory:
 * each readable where the reference loader would read it (a known dtype, a shape whose size
 * its `data_offsets` span exactly, inside the data buffer), listed only otherwise. Reads the
 * header's parse alone, never the data.
 *
 * @module
 */

import { type ByteSource, subSource } from "../../core/byte_source.ts";
import type { Inventory } from "../../core/scanner.ts";
import type { TensorInfo } from "../../core/tensor.ts";
import { weightTensor } from "../tensors/decode.ts";
import { safeShape } from "../tensors/extent.ts";
import type { Header, TensorEntry } from "./header.ts";
import { keyPathOf } from "./strict_json.ts";

const METADATA_PATH = "$.__metadata__";

/** Whether the loader would hand out `tensor`'s bytes: its size is its span, and the span lies in the buffer. */
function fits(tensor: TensorEntry, shape: readonly number[], dataSize: number): boolean {
  const { bits, offsets } = tensor;
  if (bits === undefined || offsets === undefined) return false;
  const [begin, end] = offsets;
  const elements = shape.reduce((product, dim) => product * BigInt(dim), 1n);
  return begin <= end && end <= BigInt(dataSize) && (elements * BigInt(bits)) === (end - begin) * 8n;
}

/**
 * Lists every tensor of `header` (dtype and shape the loader accepts) and each `__metadata__`
 * entry as a fact `metadata.KEY`; the data buffer starts at `dataStart` of `source`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import type { TensorInfo, WeightTensor } from "../../core/tensor.ts";
 * import { listSafetensors } from "./tensors.ts";
 * const header = {
 *   tensors: [{ name: "w", keyPath: "$.w", position: 2, dtype: "F32", bits: 32, shape: [2n], offsets: [0n, 8n] as [bigint, bigint] }],
 *   metadataStrings: [], metadataChars: 0,
 * };
 * const listed: [TensorInfo, WeightTensor | undefined][] = [];
 * const data = new Uint8Array(new Float32Array([1.5, -2]).buffer);
 * await listSafetensors(header, bytesSource(data), 0, {
 *   tensor: async (info, readable) => void listed.push([info, readable]),
 *   fact: () => {},
 * });
 * assert.deepEqual(listed[0][0], { name: "w", dtype: "F32", shape: [2], bytes: 8 });
 * assert.deepEqual([...await listed[0][1]!.read(0, 2)], [1.5, -2]);
 * ```
 */
export async function listSafetensors(
  header: Header,
  source: ByteSource,
  dataStart: number,
  inventory: Inventory,
): Promise<void> {
  const keys = new Map<string, string>();
  for (const { text, keyPath, role } of header.metadataStrings) {
    if (role === "key") keys.set(keyPath, text);
    else if (keys.has(keyPath) && keyPath === keyPathOf(METADATA_PATH, keys.get(keyPath)!)) {
      inventory.fact(`metadata.${keys.get(keyPath)}`, text);
    }
  }
  const dataSize = source.size - dataStart;
  for (const tensor of header.tensors) {
    const shape = tensor.shape && safeShape(tensor.shape);
    if (tensor.dtype === undefined || shape === undefined) continue;
    const span = tensor.offsets && tensor.offsets[1] >= tensor.offsets[0]
      ? Number(tensor.offsets[1] - tensor.offsets[0])
      : undefined;
    const info: TensorInfo = {
      name: tensor.name,
      dtype: tensor.dtype,
      shape,
      ...(span === undefined ? {} : { bytes: span }),
    };
    const readable = fits(tensor, shape, dataSize)
      ? weightTensor(info, { source: subSource(source, dataStart + Number(tensor.offsets![0]), span!) })
      : undefined;
    await inventory.tensor(info, readable);
  }
}
