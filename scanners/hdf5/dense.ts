/**
 * Attributes in dense storage: where the HDF5 library keeps an object's attributes once there
 * are more than the object header holds compactly (8 by default, in the newest file format). The
 * attribute messages are objects of a fractal heap, found through a version 2 B-tree indexed by
 * name (`H5A__dense_*`); h5py, and so Keras, read `model_config` from there as from the header.
 *
 * Read here: the B-tree's leaf records (a root leaf, or one level of internal node above the
 * leaves), and the heap objects they name: managed objects in the root direct block or the direct
 * blocks of the root indirect block, tiny objects held in the heap ID, and huge objects stored
 * apart (their address in the ID, or in the heap's own huge-object B-tree). A layout beyond that
 * (deeper trees, nested indirect blocks, filtered heaps) throws an {@linkcode UnsupportedLayout}:
 * the caller reports the attributes as not inspected.
 *
 * @module
 */

import { DecodeError } from "../../core/decode_error.ts";
import { type Hdf5Reader, type HeaderMessage, MESSAGE, readUint } from "./reader.ts";

/**
 * A dense-storage layout this reader does not follow.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UnsupportedLayout } from "./dense.ts";
 * assert.equal(new UnsupportedLayout("filtered heap").message, "filtered heap");
 * ```
 */
export class UnsupportedLayout extends Error {
  /** Always `UnsupportedLayout`. */
  override name = "UnsupportedLayout";
}

function fail(reason: string): never {
  throw new DecodeError("hdf5", reason);
}

const ascii = (bytes: Uint8Array, text: string) => [...text].every((c, i) => bytes[i] === c.charCodeAt(0));
/** Bytes that hold a count up to `max` (the B-tree's "number of records" fields). */
const bytesFor = (max: number) => Math.max(1, Math.ceil(Math.log2(max + 1) / 8));

interface Heap {
  idLength: number;
  flags: number;
  tableWidth: number;
  startBlock: number;
  maxDirect: number;
  /** Bytes of a heap offset (the heap's maximum size in bits, rounded up to bytes). */
  offsetBytes: number;
  /** Bytes of a managed object's length in its ID. */
  lengthBytes: number;
  root: number;
  rows: number;
  hugeTree?: number;
}

async function readHeap(reader: Hdf5Reader, address: number): Promise<Heap> {
  const { offsetSize: O, lengthSize: L } = reader.superblock;
  const at = reader.absolute(address);
  const h = await reader.read(at, 22 + 12 * L + 4 * O);
  if (!ascii(h, "FRHP") || h[4] !== 0) fail(`no fractal heap header at ${at}`);
  if (readUint(h, 7, 2)) throw new UnsupportedLayout("the attribute heap is filtered");
  let p = 14 + L;
  const hugeTree = readUint(h, p, O);
  p += O + L + O + 8 * L; // the huge-object index, free space and its manager, the space and object counts
  const tableWidth = readUint(h, p, 2)!;
  const startBlock = readUint(h, p + 2, L)!;
  const maxDirect = readUint(h, p + 2 + L, L)!;
  const maxHeapBits = readUint(h, p + 2 + 2 * L, 2)!;
  const root = readUint(h, p + 6 + 2 * L, O);
  const rows = readUint(h, p + 6 + 2 * L + O, 2)!;
  if (root === undefined || tableWidth === 0 || startBlock === 0 || maxDirect < startBlock) {
    fail(`fractal heap at ${at} has no root block or an invalid table`);
  }
  const offsetBytes = Math.ceil(maxHeapBits / 8);
  const idLength = readUint(h, 5, 2)!;
  return {
    idLength,
    flags: h[9],
    tableWidth,
    startBlock,
    maxDirect,
    offsetBytes,
    lengthBytes: Math.min(bytesFor(maxDirect - 1), idLength - 1 - offsetBytes),
    root,
    rows,
    hugeTree,
  };
}

/** The size of the blocks of row `row` of the heap's doubling table, and where the row starts. */
function row(heap: Heap, index: number): { size: number; start: number } {
  const size = index < 2 ? heap.startBlock : heap.startBlock * 2 ** (index - 1);
  const start = index === 0 ? 0 : heap.tableWidth * heap.startBlock * 2 ** (index - 1);
  return { size, start };
}

/** The absolute position of managed heap offset `offset`, in the root direct block or a direct child of the root. */
async function managedAt(reader: Hdf5Reader, heap: Heap, offset: number): Promise<number> {
  if (heap.rows === 0) return reader.absolute(heap.root) + offset;
  const { offsetSize: O } = reader.superblock;
  for (let r = 0; r < heap.rows; r++) {
    const { size, start } = row(heap, r);
    if (size > heap.maxDirect) break;
    if (offset < start || offset >= start + size * heap.tableWidth) continue;
    const column = Math.floor((offset - start) / size);
    const entry = 5 + O + heap.offsetBytes + (r * heap.tableWidth + column) * O;
    const ib = await reader.read(reader.absolute(heap.root), entry + O);
    if (!ascii(ib, "FHIB")) fail(`no fractal heap indirect block at ${reader.absolute(heap.root)}`);
    const block = readUint(ib, entry, O) ?? fail(`heap offset ${offset} lies in an unallocated block`);
    return reader.absolute(block) + (offset - start - column * size);
  }
  throw new UnsupportedLayout("the attribute heap has nested indirect blocks");
}

/** The B-tree's records: a root leaf, or the leaves under one internal root. */
async function records(reader: Hdf5Reader, address: number, type: number): Promise<Uint8Array[]> {
  const { offsetSize: O, lengthSize: L } = reader.superblock;
  const at = reader.absolute(address);
  const h = await reader.read(at, 22 + O + L);
  if (!ascii(h, "BTHD") || h[5] !== type) fail(`no version 2 B-tree of type ${type} at ${at}`);
  const nodeSize = readUint(h, 6, 4)!;
  const recordSize = readUint(h, 10, 2)!;
  const depth = readUint(h, 12, 2)!;
  const root = readUint(h, 16, O);
  const rootRecords = readUint(h, 16 + O, 2)!;
  if (root === undefined || rootRecords === 0) return [];
  if (recordSize === 0) fail(`B-tree at ${at} has empty records`);
  if (depth > 1) throw new UnsupportedLayout(`the attribute index is a B-tree of depth ${depth}`);
  const leaf = async (node: number, count: number) => {
    const bytes = await reader.read(reader.absolute(node), 6 + count * recordSize);
    if (!ascii(bytes, "BTLF")) fail(`no B-tree leaf at ${reader.absolute(node)}`);
    return Array.from(
      { length: count },
      (_, i) => bytes.subarray(6 + i * recordSize, 6 + (i + 1) * recordSize),
    );
  };
  const checkCount = (count: number) =>
    reader.limit(
      "maxDenseRecords",
      count,
      `B-tree at ${at} holds more than ${reader.options.maxDenseRecords} records`,
    );
  if (depth === 0) {
    checkCount(rootRecords);
    return await leaf(root, rootRecords);
  }
  // Internal root: its records, then a child pointer per record + 1 (address, record count).
  const countBytes = bytesFor(Math.floor((nodeSize - 10) / recordSize));
  const node = await reader.read(
    reader.absolute(root),
    6 + rootRecords * recordSize + (rootRecords + 1) * (O + countBytes),
  );
  if (!ascii(node, "BTIN")) fail(`no B-tree internal node at ${reader.absolute(root)}`);
  const out = Array.from(
    { length: rootRecords },
    (_, i) => node.subarray(6 + i * recordSize, 6 + (i + 1) * recordSize),
  );
  for (let c = 0; c <= rootRecords; c++) {
    const pointer = 6 + rootRecords * recordSize + c * (O + countBytes);
    const child = readUint(node, pointer, O) ?? fail("B-tree child address undefined");
    out.push(...await leaf(child, readUint(node, pointer + O, countBytes)!));
    checkCount(out.length);
  }
  return out;
}

/** The bytes of the heap object `id` names. */
async function heapObject(reader: Hdf5Reader, heap: Heap, id: Uint8Array): Promise<Uint8Array> {
  const { offsetSize: O, lengthSize: L } = reader.superblock;
  const kind = (id[0] >> 4) & 0x03;
  if (id[0] >> 6 !== 0) fail(`heap ID of unknown version ${id[0] >> 6}`);
  if (kind === 2) return id.subarray(1, 1 + (id[0] & 0x0f) + 1); // tiny: held in the ID itself
  if (kind === 0) {
    const offset = readUint(id, 1, heap.offsetBytes) ?? fail("managed object offset undefined");
    const length = readUint(id, 1 + heap.offsetBytes, heap.lengthBytes) ??
      fail("managed object length undefined");
    return await reader.read(await managedAt(reader, heap, offset), length);
  }
  if (kind !== 1) fail(`heap ID of unknown type ${kind}`);
  if (heap.idLength >= 1 + O + L) {
    // Huge and stored apart, with the address and length in the ID.
    return await reader.read(reader.absolute(readUint(id, 1, O)!), readUint(id, 1 + O, L)!);
  }
  if (heap.hugeTree === undefined) fail("huge heap object without a huge-object index");
  const key = readUint(id, 1, Math.min(heap.idLength - 1, L));
  for (const record of await records(reader, heap.hugeTree, 1)) {
    if (readUint(record, O + L, L) === key) {
      return await reader.read(reader.absolute(readUint(record, 0, O)!), readUint(record, O, L)!);
    }
  }
  return fail(`huge heap object ${key} is not in its index`);
}

/** Where the heap ID sits in a name index's records: after the name's hash (links), or first (attributes). */
const ID_OFFSETS: Readonly<Record<number, number>> = { 5: 4, 8: 0 };

/**
 * The heap objects a dense-storage name index lists, in index order: the link messages of a group
 * (a B-tree of type 5) or the attribute messages of an object (type 8).
 *
 * @example
 * ```ts
 * import type { Hdf5Reader } from "./reader.ts";
 * import { denseObjects } from "./dense.ts";
 * async function count(reader: Hdf5Reader, heap: number, index: number) {
 *   return (await denseObjects(reader, heap, index, 8)).length;
 * }
 * ```
 */
export async function denseObjects(
  reader: Hdf5Reader,
  heapAddress: number,
  nameIndex: number,
  type: 5 | 8,
): Promise<Uint8Array[]> {
  const heap = await readHeap(reader, heapAddress);
  const objects: Uint8Array[] = [];
  for (const record of await records(reader, nameIndex, type)) {
    const at = ID_OFFSETS[type];
    objects.push(await heapObject(reader, heap, record.subarray(at, at + heap.idLength)));
  }
  return objects;
}

/**
 * The attribute messages of an object whose Attribute Info message names a fractal heap and a
 * name index, as header messages the attribute parser reads.
 *
 * @example
 * ```ts
 * import type { Hdf5Reader } from "./reader.ts";
 * import { denseAttributes } from "./dense.ts";
 * async function names(reader: Hdf5Reader, heap: number, index: number) {
 *   return (await denseAttributes(reader, heap, index)).map((m) => reader.attribute(m).name);
 * }
 * ```
 */
export async function denseAttributes(
  reader: Hdf5Reader,
  heapAddress: number,
  nameIndex: number,
): Promise<HeaderMessage[]> {
  return (await denseObjects(reader, heapAddress, nameIndex, 8)).map((data) => ({
    type: MESSAGE.attribute,
    flags: 0,
    data,
  }));
}
