/**
 * The array of a `.npy` file (or `.npz` member) as a tensor for the scan's inventory: named as
 * `np.load` names it, its type string in safetensors' spelling where it has one, readable when
 * numeric and whole in the file. Reads the header alone, never the data.
 *
 * @module
 */

import type { ByteSource } from "../../core/byte_source.ts";
import type { Inventory } from "../../core/scanner.ts";
import type { TensorInfo } from "../../core/tensor.ts";
import { weightTensor } from "../tensors/decode.ts";
import { compareExtent, safeShape, storageReach } from "../tensors/extent.ts";
import type { NpyHeader } from "./header.ts";

/** Safetensors' names of NumPy's fixed-size kinds, by kind and item size. */
const DTYPES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  f: { 2: "F16", 4: "F32", 8: "F64" },
  i: { 1: "I8", 2: "I16", 4: "I32", 8: "I64" },
  u: { 1: "U8", 2: "U16", 4: "U32", 8: "U64" },
  b: { 1: "BOOL" },
  c: { 8: "C64", 16: "C128" },
};

const TYPE_STRING = /^([<>|=]?)([fiubc])(\d+)$/;

/**
 * The element type of a `descr`: safetensors' name and byte order for a plain number type, the
 * type string itself for others (`<U5`, `|S3`), `structured` for a list of fields.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { npyDtype } from "./tensors.ts";
 * assert.deepEqual(npyDtype({ type: "str", value: ">f2" }), { dtype: "F16", byteOrder: "big" });
 * assert.deepEqual(npyDtype({ type: "str", value: "<U5" }), { dtype: "<U5", byteOrder: "little" });
 * ```
 */
export function npyDtype(descr: NpyHeader["descr"]): { dtype: string; byteOrder: "little" | "big" } {
  if (descr.type !== "str") {
    return { dtype: descr.type === "list" ? "structured" : "subarray", byteOrder: "little" };
  }
  const match = TYPE_STRING.exec(descr.value);
  const byteOrder = match?.[1] === ">" ? "big" : "little";
  return { dtype: (match && DTYPES[match[2]][match[3]]) ?? descr.value, byteOrder };
}

/** The name `np.load` gives the array: an `.npz` member's name without `.npy`, or the file's. */
function arrayName(path: string): string {
  const member = path.slice(path.lastIndexOf(":") + 1);
  const name = member.includes("/") && !path.includes(":")
    ? member.slice(member.lastIndexOf("/") + 1)
    : member;
  return name.endsWith(".npy") ? name.slice(0, -4) : name;
}

/**
 * Lists the array of a parsed header (`itemsize` bytes per element, from `dtype.ts`; none for an
 * object array) at `path`, readable when its data lies whole in `source`, and the format's
 * version as a fact.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import type { TensorInfo, WeightTensor } from "../../core/tensor.ts";
 * import { listNpy } from "./tensors.ts";
 * const header = {
 *   version: "1.0", headerOffset: 10, dataOffset: 0, fortranOrder: true, shape: [2n, 2n],
 *   descr: { type: "str" as const, value: "<i2" },
 * };
 * const listed: [TensorInfo, WeightTensor | undefined][] = [];
 * const data = new Uint8Array(new Int16Array([1, 2, 3, 4]).buffer); // column-major [[1, 3], [2, 4]]
 * await listNpy(header, 2n, bytesSource(data), "weights.npz:w.npy", {
 *   tensor: async (info, readable) => void listed.push([info, readable]),
 *   fact: () => {},
 * });
 * assert.deepEqual(listed[0][0], { name: "w", dtype: "I16", shape: [2, 2], bytes: 8 });
 * assert.deepEqual([...await listed[0][1]!.read(0, 4)], [1, 3, 2, 4]);
 * ```
 */
export async function listNpy(
  header: NpyHeader,
  itemsize: bigint | undefined,
  source: ByteSource,
  path: string,
  inventory: Inventory,
): Promise<void> {
  inventory.fact("numpy.format_version", header.version);
  const shape = safeShape(header.shape);
  if (shape === undefined) return;
  // An object array's data is a pickle of Python objects: a shape, and no values to read.
  if (itemsize === undefined) {
    return await inventory.tensor({ name: arrayName(path), dtype: "object", shape }, undefined);
  }
  const { dtype, byteOrder } = npyDtype(header.descr);
  const reach = storageReach(shape)!;
  const extent = compareExtent(reach, itemsize, source.size - header.dataOffset);
  const info: TensorInfo = { name: arrayName(path), dtype, shape, bytes: Number(extent.needed) };
  // Fortran order: the first index steps fastest.
  const strides = header.fortranOrder
    ? shape.map((_, k) => shape.slice(0, k).reduce((a, b) => a * b, 1))
    : undefined;
  const readable = extent.fits
    ? weightTensor(info, { source, offset: header.dataOffset, byteOrder, strides })
    : undefined;
  await inventory.tensor(info, readable);
}
