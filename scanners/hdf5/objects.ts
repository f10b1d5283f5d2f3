/**
 * A bounded walk over the objects of an HDF5 file, from the root group along hard links, for
 * what points outside the file: external links, datasets whose data lives in external files,
 * and virtual datasets. Both group layouts are read: symbol tables (a version 1 B-tree of
 * symbol table nodes, names in a local heap, what h5py writes by default) and link messages
 * (new-style groups, compact or in dense storage: `dense.ts`). Groups whose dense links are laid
 * out in a way `dense.ts` does not follow are reported as not inspected by the caller.
 *
 * @module
 */

import { DecodeError } from "../../core/decode_error.ts";
import { type Dataset, describeDataset } from "./datasets.ts";
import { denseObjects, UnsupportedLayout } from "./dense.ts";
import type { Hdf5Options } from "../option_catalog.ts";
import { type Hdf5Reader, type HeaderMessage, MESSAGE, readUint } from "./reader.ts";

/**
 * Bytes of a name read from a local heap: a sanity bound of one small read, not of work (a longer
 * name is cut, and the walk goes on).
 */
const MAX_NAME_BYTES = 4096;

/** Something in the file that points outside it. */
export interface ExternalReference {
  /** The object's path in the file, e.g. `/model_weights/dense`. */
  path: string;
  kind: "external-link" | "external-file" | "virtual-dataset";
  /** The file it names, when the message names one. */
  target?: string;
}

/** What the walk found. */
export interface WalkResult {
  references: ExternalReference[];
  /** Groups whose links are in dense storage, not listed. */
  denseGroups: string[];
  /** Set when a limit stopped the walk. */
  truncated: boolean;
  /** The option whose limit stopped it, when one did. */
  option?: `hdf5.${keyof Pick<Hdf5Options, "maxObjects" | "maxGroupNodes">}`;
  /** Object headers read. */
  objects: number;
  /** The datasets met, in walk order, when they were asked for. */
  datasets?: Dataset[];
}

function fail(reason: string): never {
  throw new DecodeError("hdf5", reason);
}

const UTF8 = new TextDecoder();
const cString = (bytes: Uint8Array, at: number) => {
  const end = bytes.indexOf(0, at);
  return UTF8.decode(bytes.subarray(at, end < 0 ? bytes.length : end));
};

const childPath = (parent: string, name: string) => parent === "/" ? `/${name}` : `${parent}/${name}`;

/** Walks the file's objects; throws a DecodeError on structures that do not decode. */
class ObjectWalk {
  readonly result: WalkResult = { references: [], denseGroups: [], truncated: false, objects: 0 };
  /** The datasets met, when the caller lists them. */
  datasets?: Dataset[];
  readonly #visited = new Set<number>();
  readonly #queue: [number, string][] = [];
  #nodes = 0;

  constructor(readonly reader: Hdf5Reader, readonly signal: AbortSignal) {}

  async run(root: number, rootMessages: HeaderMessage[]): Promise<WalkResult> {
    this.#visited.add(root);
    await this.#object(rootMessages, "/");
    while (this.#queue.length > 0 && !this.signal.aborted) {
      const [address, path] = this.#queue.shift()!;
      if (this.result.objects >= this.reader.options.maxObjects) {
        this.#stop("hdf5.maxObjects");
        break;
      }
      this.result.objects++;
      await this.#object(await this.reader.objectHeader(address), path);
    }
    return this.result;
  }

  #stop(option: NonNullable<WalkResult["option"]>): void {
    this.result.truncated = true;
    this.result.option ??= option;
  }

  #enqueue(address: number | undefined, path: string): void {
    if (address === undefined) return;
    const absolute = this.reader.absolute(address);
    if (this.#visited.has(absolute)) return;
    this.#visited.add(absolute);
    this.#queue.push([absolute, path]);
  }

  async #object(messages: HeaderMessage[], path: string): Promise<void> {
    const { offsetSize } = this.reader.superblock;
    if (this.datasets) {
      const dataset = describeDataset(messages, path, this.reader.superblock);
      if (dataset) this.datasets.push(dataset);
    }
    for (const message of messages) {
      const d = message.data;
      if (message.type === MESSAGE.link) this.#link(d, path);
      else if (message.type === MESSAGE.symbolTable) {
        await this.#symbolTable(readUint(d, 0, offsetSize), readUint(d, offsetSize, offsetSize), path);
      } else if (message.type === MESSAGE.linkInfo) {
        await this.#denseLinks(d, path);
      } else if (message.type === MESSAGE.externalFiles) {
        this.result.references.push({ path, kind: "external-file", target: await this.#externalFile(d) });
      } else if (message.type === MESSAGE.layout && d[0] >= 3 && d[1] === 3) {
        this.result.references.push({ path, kind: "virtual-dataset" });
      }
    }
  }

  /** A new-style group's links in dense storage; a layout not read is counted as not inspected. */
  async #denseLinks(d: Uint8Array, path: string): Promise<void> {
    const { offsetSize } = this.reader.superblock;
    const at = 2 + (d[1] & 0x01 ? 8 : 0);
    const heap = readUint(d, at, offsetSize);
    const index = readUint(d, at + offsetSize, offsetSize);
    if (heap === undefined || index === undefined) return;
    try {
      for (const link of await denseObjects(this.reader, heap, index, 5)) this.#link(link, path);
    } catch (error) {
      if (!(error instanceof UnsupportedLayout)) throw error;
      this.result.denseGroups.push(path);
    }
  }

  /** A link message (version 1): hard links are followed, external ones reported. */
  #link(d: Uint8Array, path: string): void {
    if (d[0] !== 1) fail(`link message of unknown version ${d[0]} in ${path}`);
    const flags = d[1];
    let pos = 2;
    const type = flags & 0x08 ? d[pos++] : 0;
    if (flags & 0x04) pos += 8;
    if (flags & 0x10) pos++;
    const lengthSize = 1 << (flags & 0x03);
    const nameLength = readUint(d, pos, lengthSize) ?? fail(`link name length undefined in ${path}`);
    pos += lengthSize;
    const name = UTF8.decode(d.subarray(pos, pos + nameLength));
    pos += nameLength;
    const target = childPath(path, name);
    if (type === 0) this.#enqueue(readUint(d, pos, this.reader.superblock.offsetSize), target);
    else if (type === 64) {
      const length = readUint(d, pos, 2) ?? 0;
      const info = d.subarray(pos + 2, pos + 2 + length);
      // Version and flags byte, then the file name and the object path, each NUL-terminated.
      const file = cString(info, 1);
      const object = cString(info, 1 + new TextEncoder().encode(file).length + 1);
      this.result.references.push({ path: target, kind: "external-link", target: `${file}:${object}` });
    }
  }

  async #heapName(heap: { data: number; size: number }, offset: number): Promise<string> {
    if (offset >= heap.size) fail(`name offset ${offset} lies outside its local heap`);
    const bytes = await this.reader.read(heap.data + offset, Math.min(MAX_NAME_BYTES, heap.size - offset));
    return cString(bytes, 0);
  }

  async #localHeap(address: number): Promise<{ data: number; size: number }> {
    const { offsetSize, lengthSize } = this.reader.superblock;
    const at = this.reader.absolute(address);
    const head = await this.reader.read(at, 8 + 2 * lengthSize + offsetSize);
    if (String.fromCharCode(...head.subarray(0, 4)) !== "HEAP") fail(`no local heap at ${at}`);
    const size = readUint(head, 8, lengthSize) ?? fail(`local heap at ${at} has no size`);
    const data = readUint(head, 8 + 2 * lengthSize, offsetSize) ?? fail(`local heap at ${at} has no data`);
    return { data: this.reader.absolute(data), size };
  }

  async #symbolTable(
    btree: number | undefined,
    heapAddress: number | undefined,
    path: string,
  ): Promise<void> {
    if (btree === undefined || heapAddress === undefined) fail(`group ${path} has an undefined symbol table`);
    const heap = await this.#localHeap(heapAddress);
    const { offsetSize, lengthSize } = this.reader.superblock;
    const nodes = [btree];
    while (nodes.length > 0) {
      if (++this.#nodes > this.reader.options.maxGroupNodes) {
        this.#stop("hdf5.maxGroupNodes");
        return;
      }
      const at = this.reader.absolute(nodes.pop()!);
      const head = await this.reader.read(at, 8 + 2 * offsetSize);
      const signature = String.fromCharCode(...head.subarray(0, 4));
      if (signature === "SNOD") {
        await this.#symbolNode(at, head[6] | head[7] << 8, heap, path);
        continue;
      }
      if (signature !== "TREE" || head[4] !== 0) fail(`no group B-tree node at ${at} (${path})`);
      const entries = head[6] | head[7] << 8;
      const body = await this.reader.read(
        at + 8 + 2 * offsetSize,
        (entries + 1) * lengthSize + entries * offsetSize,
      );
      if (body.length < entries * (lengthSize + offsetSize)) fail(`group B-tree node at ${at} is truncated`);
      for (let i = 0; i < entries; i++) {
        const child = readUint(body, lengthSize + i * (lengthSize + offsetSize), offsetSize);
        if (child !== undefined) nodes.push(child);
      }
    }
  }

  async #symbolNode(
    at: number,
    count: number,
    heap: { data: number; size: number },
    path: string,
  ): Promise<void> {
    const { offsetSize } = this.reader.superblock;
    const entrySize = 2 * offsetSize + 24;
    const body = await this.reader.read(at + 8, count * entrySize);
    if (body.length < count * entrySize) fail(`symbol table node at ${at} is truncated`);
    for (let i = 0; i < count; i++) {
      const base = i * entrySize;
      const name = await this.#heapName(heap, readUint(body, base, offsetSize) ?? 0);
      this.#enqueue(readUint(body, base + offsetSize, offsetSize), childPath(path, name));
    }
  }

  /** The first file an External Data Files message names. */
  async #externalFile(d: Uint8Array): Promise<string | undefined> {
    const { offsetSize, lengthSize } = this.reader.superblock;
    const used = readUint(d, 6, 2) ?? 0;
    const heapAddress = readUint(d, 8, offsetSize);
    if (used === 0 || heapAddress === undefined) return undefined;
    const heap = await this.#localHeap(heapAddress);
    return await this.#heapName(heap, readUint(d, 8 + offsetSize, lengthSize) ?? 0);
  }
}

/**
 * Walks the objects reachable from the root group (whose messages the caller has read), and
 * describes the datasets it meets when `listDatasets` is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { Hdf5Reader } from "./reader.ts";
 * import { walkObjects } from "./objects.ts";
 * const walk = async (path: string) => {
 *   const reader = await Hdf5Reader.open(bytesSource(await Deno.readFile(path)), 0);
 *   const root = reader.superblock.root;
 *   return await walkObjects(reader, root, await reader.objectHeader(root), new AbortController().signal);
 * };
 * // A model saved by Keras 2.15: its groups and datasets, no link out of the file.
 * const saved = await walk("fixtures/keras/benign/sequential_keras2.h5");
 * assert.deepEqual(saved.references, []);
 * assert.equal(saved.truncated, false);
 * ```
 */
export async function walkObjects(
  reader: Hdf5Reader,
  root: number,
  rootMessages: HeaderMessage[],
  signal: AbortSignal,
  listDatasets = false,
): Promise<WalkResult> {
  const walk = new ObjectWalk(reader, signal);
  if (listDatasets) walk.datasets = [];
  const result = await walk.run(root, rootMessages);
  return walk.datasets ? { ...result, datasets: walk.datasets } : result;
}
