/**
 * HDF5 datasets as tensors for the scan's inventory (a Keras `.h5` file's weights): the
 * dataset's path as its name, its dataspace's dimensions, its datatype in safetensors' spelling
 * (fixed-point and floating-point numbers; bfloat16 told from float16 by its exponent's width),
 * and, for a contiguous layout, the byte range its values fill. Chunked and compact datasets are
 * listed only: reading them means walking a chunk B-tree and undoing filters. Only the object
 * header's messages are read, never the data.
 *
 * @module
 */

import { type ByteSource, subSource } from "../../core/byte_source.ts";
import { DecodeError } from "../../core/decode_error.ts";
import type { Inventory } from "../../core/scanner.ts";
import { elementCount, type TensorInfo } from "../../core/tensor.ts";
import { weightTensor } from "../tensors/decode.ts";
import { compareExtent, safeShape } from "../tensors/extent.ts";
import { type HeaderMessage, MESSAGE, readUint, type Superblock } from "./reader.ts";

/** A dataset as its object header declares it. */
export interface Dataset {
  /** Its path in the file, e.g. `/model_weights/dense/dense/kernel:0`. */
  path: string;
  /** Dimensions, outermost first. */
  shape: number[];
  /** Element type in safetensors' spelling, or what the datatype class is (`string`, `compound`, ...). */
  dtype: string;
  /** Bytes per element. */
  elementSize: number;
  /** Byte order of multi-byte numbers. */
  byteOrder: "little" | "big";
  /** Where the values are: a contiguous range (absolute), or a layout read no further. */
  layout: { kind: "contiguous"; at: number; size: number } | {
    kind: "unallocated" | "compact" | "chunked" | "other";
  };
}

/** Datatype class names, by class number, for the types listed only. */
const CLASS_NAMES = [
  "integer",
  "float",
  "time",
  "string",
  "bitfield",
  "opaque",
  "compound",
  "reference",
  "enum",
];

function dataspaceShape(d: Uint8Array, lengthSize: number): number[] | undefined {
  const version = d[0];
  const rank = d[1];
  const at = version === 1 ? 8 : 4;
  if (version === 2 && d[3] === 2) return undefined; // a null dataspace holds nothing
  const shape: number[] = [];
  for (let k = 0; k < rank; k++) {
    const dim = readUint(d, at + k * lengthSize, lengthSize);
    if (dim === undefined) return undefined;
    shape.push(dim);
  }
  return shape;
}

function datatypeOf(d: Uint8Array): Pick<Dataset, "dtype" | "elementSize" | "byteOrder"> {
  const typeClass = d[0] & 0x0f;
  const bits = d[1];
  const elementSize = readUint(d, 4, 4) ?? 0;
  const byteOrder = bits & 0x01 ? "big" : "little";
  if (typeClass === 0) {
    const signed = (bits & 0x08) !== 0;
    const name = { 1: "8", 2: "16", 4: "32", 8: "64" }[elementSize];
    return { dtype: name ? `${signed ? "I" : "U"}${name}` : "integer", elementSize, byteOrder };
  }
  if (typeClass === 1) {
    // Properties: bit offset (2), precision (2), exponent location, exponent size, mantissa location and size.
    const exponentBits = d[8 + 5];
    const dtype = elementSize === 4
      ? "F32"
      : elementSize === 8
      ? "F64"
      : elementSize === 2
      ? exponentBits === 8 ? "BF16" : "F16"
      : "float";
    return { dtype, elementSize, byteOrder };
  }
  return { dtype: CLASS_NAMES[typeClass] ?? `class ${typeClass}`, elementSize, byteOrder };
}

function layoutOf(d: Uint8Array, superblock: Superblock): Dataset["layout"] {
  // Layout message versions 3 and 4 (4 with `libver="latest"`) share the compact and contiguous
  // encodings; older ones are listed only.
  if (d[0] !== 3 && d[0] !== 4) return { kind: "other" };
  if (d[1] === 0) return { kind: "compact" };
  if (d[1] === 2) return { kind: "chunked" };
  if (d[1] !== 1) return { kind: "other" };
  const address = readUint(d, 2, superblock.offsetSize);
  const size = readUint(d, 2 + superblock.offsetSize, superblock.lengthSize);
  return address === undefined || size === undefined
    ? { kind: "unallocated" }
    : { kind: "contiguous", at: superblock.base + address, size };
}

/**
 * The dataset an object header describes, or `undefined` for an object that is no dataset (a
 * group) or whose messages do not decode (the walk reports what it cannot read).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeDataset } from "./datasets.ts";
 * const superblock = { at: 0, version: 0, offsetSize: 8, lengthSize: 8, base: 0, end: 0, root: 0 };
 * const space = Uint8Array.of(1, 1, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0);
 * const type = Uint8Array.of(0x11, 0x20, 0x3f, 0, 4, 0, 0, 0, 0, 0, 32, 0, 23, 8, 0, 23, 127, 0, 0, 0);
 * const layout = Uint8Array.of(3, 1, 64, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0);
 * const dataset = describeDataset([{ type: 1, flags: 0, data: space }, { type: 3, flags: 0, data: type }, { type: 8, flags: 0, data: layout }], "/w", superblock);
 * assert.deepEqual(dataset, { path: "/w", shape: [3], dtype: "F32", elementSize: 4, byteOrder: "little", layout: { kind: "contiguous", at: 64, size: 12 } });
 * ```
 */
export function describeDataset(
  messages: readonly HeaderMessage[],
  path: string,
  superblock: Superblock,
): Dataset | undefined {
  const find = (type: number) => messages.find((message) => message.type === type);
  const layout = find(MESSAGE.layout);
  const space = find(MESSAGE.dataspace);
  const type = find(MESSAGE.datatype);
  // A shared datatype (flag bit 1) is a reference to a committed type, not its description.
  if (!layout || !space || !type || type.flags & 0x02) return undefined;
  try {
    const shape = dataspaceShape(space.data, superblock.lengthSize);
    if (shape === undefined) return undefined;
    return { path, shape, ...datatypeOf(type.data), layout: layoutOf(layout.data, superblock) };
  } catch (error) {
    if (error instanceof DecodeError) return undefined;
    throw error;
  }
}

/**
 * Lists `datasets`, readable where their values fill a contiguous range of `source` exactly as
 * their shape and type need.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import type { TensorInfo } from "../../core/tensor.ts";
 * import { listDatasets } from "./datasets.ts";
 * const listed: TensorInfo[] = [];
 * await listDatasets([
 *   { path: "/w", shape: [2], dtype: "F32", elementSize: 4, byteOrder: "little", layout: { kind: "chunked" } },
 * ], bytesSource(new Uint8Array(0)), { tensor: async (info) => void listed.push(info), fact: () => {} });
 * assert.deepEqual(listed, [{ name: "/w", dtype: "F32", shape: [2], bytes: 8 }]);
 * ```
 */
export async function listDatasets(
  datasets: readonly Dataset[],
  source: ByteSource,
  inventory: Inventory,
): Promise<void> {
  for (const dataset of datasets) {
    const shape = safeShape(dataset.shape);
    if (!shape) continue;
    const bytes = elementCount(shape) * dataset.elementSize;
    const info: TensorInfo = { name: dataset.path, dtype: dataset.dtype, shape, bytes };
    const { layout } = dataset;
    const fits = layout.kind === "contiguous" && layout.size === bytes &&
      compareExtent(BigInt(layout.at + layout.size), 1, source.size).fits;
    const readable = fits && layout.kind === "contiguous"
      ? weightTensor(info, {
        source: subSource(source, layout.at, layout.size),
        byteOrder: dataset.byteOrder,
      })
      : undefined;
    await inventory.tensor(info, readable);
  }
}
