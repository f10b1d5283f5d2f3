/**
 * A bounded reader of the HDF5 structures a security check needs, over a random-access
 * {@linkcode ByteSource}: the superblock (versions 0 to 3), object headers (versions 1 and 2,
 * with their continuation blocks), attribute messages with fixed-length and variable-length
 * string values (the latter in global heap collections), and the messages of a group or dataset
 * that point outside the file (links, external data files, virtual layouts).
 *
 * Only the bytes of those structures are read, one small read at a time: a multi-GB weights file
 * costs a few kilobytes. Every declared length and count is checked against the file and against
 * the reader's options (`hdf5.*`) before anything is read; a structure that does not decode throws
 * a {@linkcode DecodeError}, one past a limit an {@linkcode Hdf5LimitError}. (npm:h5wasm, the HDF5 C library in WebAssembly, needs the whole file
 * copied into its in-memory file system: it cannot read lazily from a byte source.)
 *
 * @module
 */

import type { ByteSource } from "../../core/byte_source.ts";
import { DecodeError } from "../../core/decode_error.ts";
import { signatureAt } from "./descriptor.ts";
import { DEFAULT_HDF5_OPTIONS, type Hdf5Options } from "../option_catalog.ts";

/**
 * A structure of the file goes past one of the reader's limits: it may be well formed, but it was
 * not read. A {@linkcode DecodeError} to callers that only ask whether the file decoded;
 * {@linkcode option} names the limit to raise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hdf5LimitError } from "./reader.ts";
 * const error = new Hdf5LimitError("maxHeaderChunks", 1024, "object header at 96 has more than 1024 blocks");
 * assert.equal(error.option, "hdf5.maxHeaderChunks");
 * assert.equal(error.message, "hdf5: object header at 96 has more than 1024 blocks");
 * ```
 */
export class Hdf5LimitError extends DecodeError {
  /** Always `Hdf5LimitError`. */
  override name = "Hdf5LimitError";
  /** The option whose limit was reached, e.g. `hdf5.maxHeaderChunks`. */
  readonly option: `hdf5.${keyof Hdf5Options}`;
  /** Its value. */
  readonly limit: number;

  /**
   * A limit reached.
   *
   * @param option The option, without the `hdf5.` prefix.
   * @param limit Its value.
   * @param reason What went past it.
   */
  constructor(option: keyof Hdf5Options, limit: number, reason: string) {
    super("hdf5", reason);
    this.option = `hdf5.${option}`;
    this.limit = limit;
  }
}

/** The parsed superblock: sizes and absolute addresses. */
export interface Superblock {
  /** Where the signature is: bytes before it are the user block. */
  readonly at: number;
  readonly version: number;
  readonly offsetSize: number;
  readonly lengthSize: number;
  /** Absolute position addresses are relative to. */
  readonly base: number;
  /** Absolute end of the HDF5 data as the superblock declares it. */
  readonly end: number;
  /** Absolute address of the root group's object header. */
  readonly root: number;
}

/** One message of an object header. */
export interface HeaderMessage {
  readonly type: number;
  /** Message flags: bit 1 means the message is shared (stored elsewhere). */
  readonly flags: number;
  readonly data: Uint8Array;
}

/** Message types this reader knows by name. */
export const MESSAGE = {
  dataspace: 0x0001,
  linkInfo: 0x0002,
  datatype: 0x0003,
  link: 0x0006,
  externalFiles: 0x0007,
  layout: 0x0008,
  attribute: 0x000c,
  continuation: 0x0010,
  symbolTable: 0x0011,
  attributeInfo: 0x0015,
} as const;

/** An attribute as stored: its name, and how to read its value. */
export interface Attribute {
  readonly name: string;
  /** `fixed` strings hold their bytes in `raw`; `vlen` strings hold global heap ids there. */
  readonly kind: "fixed-string" | "vlen-string" | "other";
  /** Element size in bytes (fixed strings) or of one heap reference (variable-length). */
  readonly elementSize: number;
  /** Elements the dataspace holds. */
  readonly count: number;
  /** The value's bytes in the message. */
  readonly raw: Uint8Array;
}

function fail(reason: string): never {
  throw new DecodeError("hdf5", reason);
}

/** Little-endian unsigned integer of `size` bytes at `at`, as a safe number, or `undefined` for all ones. */
export function readUint(bytes: Uint8Array, at: number, size: number): number | undefined {
  if (at + size > bytes.length) fail(`truncated structure (field at ${at} of ${bytes.length} bytes)`);
  let value = 0;
  let allOnes = true;
  for (let i = size - 1; i >= 0; i--) {
    const byte = bytes[at + i];
    if (byte !== 0xff) allOnes = false;
    value = value * 256 + byte;
  }
  if (allOnes && size > 1) return undefined;
  if (!Number.isSafeInteger(value)) fail(`value beyond 2^53 at ${at}`);
  return value;
}

function uint(bytes: Uint8Array, at: number, size: number): number {
  return readUint(bytes, at, size) ?? fail(`undefined address where one is required (at ${at})`);
}

const ascii = (bytes: Uint8Array, at: number, text: string) =>
  [...text].every((c, i) => bytes[at + i] === c.charCodeAt(0));

const UTF8 = new TextDecoder();

/**
 * Reads structures of one HDF5 file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { Hdf5Reader } from "./reader.ts";
 * const reader = await Hdf5Reader.open(bytesSource(new Uint8Array(16)), 0).catch((e) => e);
 * assert.equal(reader instanceof Error, true); // no superblock there
 * ```
 */
export class Hdf5Reader {
  private constructor(
    readonly source: ByteSource,
    readonly superblock: Superblock,
    readonly options: Readonly<Hdf5Options>,
  ) {}

  /**
   * Throws the {@linkcode Hdf5LimitError} of `option` (`maxHeaderChunks`) when `value` is over it.
   *
   * @example
   * ```ts
   * import type { Hdf5Reader } from "./reader.ts";
   * function checkBlocks(reader: Hdf5Reader, blocks: number) {
   *   reader.limit("maxHeaderChunks", blocks, `more than ${reader.options.maxHeaderChunks} blocks`);
   * }
   * ```
   */
  limit(option: keyof Hdf5Options, value: number, reason: string): void {
    const limit = this.options[option];
    if (value > limit) throw new Hdf5LimitError(option, limit, reason);
  }

  /** Bytes read from the source so far, for the benchmark and the report. */
  bytesRead = 0;

  /**
   * Reads `length` bytes at absolute `at`, all of them or a DecodeError.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { bytesSource } from "../../core/byte_source.ts";
   * import { Hdf5Reader } from "./reader.ts";
   * // A Sequential model saved by Keras 2.15 (h5py).
   * const bytes = await Deno.readFile("fixtures/keras/benign/sequential_keras2.h5");
   * const reader = await Hdf5Reader.open(bytesSource(bytes), 0);
   * assert.deepEqual([...await reader.read(reader.superblock.at, 8)], [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
   * ```
   */
  async read(at: number, length: number): Promise<Uint8Array> {
    if (at < 0 || at + length > this.source.size) {
      fail(
        `structure at ${at} (${length} bytes) lies beyond the end of the file (${this.source.size} bytes)`,
      );
    }
    const bytes = await this.source.read(at, length);
    this.bytesRead += bytes.length;
    if (bytes.length < length) fail(`short read at ${at}`);
    return bytes;
  }

  /**
   * Parses the superblock whose signature is at `at`; the reader keeps within `options`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { bytesSource } from "../../core/byte_source.ts";
   * import { DecodeError } from "../../core/decode_error.ts";
   * import { Hdf5Reader } from "./reader.ts";
   * const reader = await Hdf5Reader.open(bytesSource(await Deno.readFile("fixtures/keras/benign/sequential_keras2.h5")), 0);
   * assert.equal(reader.superblock.version, 0);
   * await assert.rejects(Hdf5Reader.open(bytesSource(new Uint8Array(8)), 0), DecodeError); // no superblock there
   * ```
   */
  static async open(
    source: ByteSource,
    at: number,
    options: Readonly<Hdf5Options> = DEFAULT_HDF5_OPTIONS,
  ): Promise<Hdf5Reader> {
    const probe = new Hdf5Reader(source, {
      at,
      version: 0,
      offsetSize: 8,
      lengthSize: 8,
      base: 0,
      end: 0,
      root: 0,
    }, options);
    const head = await probe.read(at, Math.min(128, source.size - at));
    if (!signatureAt(head, 0)) fail(`no superblock signature at ${at}`);
    const version = head[8];
    let offsetSize: number, lengthSize: number, fields: number;
    if (version === 0 || version === 1) {
      offsetSize = head[13];
      lengthSize = head[14];
      fields = version === 0 ? 24 : 28;
    } else if (version === 2 || version === 3) {
      offsetSize = head[9];
      lengthSize = head[10];
      fields = 12;
    } else {
      return fail(`unknown superblock version ${version}`);
    }
    if (![2, 4, 8].includes(offsetSize) || ![2, 4, 8].includes(lengthSize)) {
      fail(`invalid sizes of offsets (${offsetSize}) or lengths (${lengthSize})`);
    }
    const base = uint(head, fields, offsetSize);
    // v0/1: base, free-space info, end of file, driver info, then the root symbol table entry
    // (link name offset, object header address); v2/3: base, extension, end of file, root header.
    const eofField = fields + 2 * offsetSize;
    const rootField = version < 2 ? fields + 5 * offsetSize : fields + 3 * offsetSize;
    const eof = uint(head, eofField, offsetSize);
    const root = uint(head, rootField, offsetSize);
    return new Hdf5Reader(source, {
      at,
      version,
      offsetSize,
      lengthSize,
      base,
      // The library stores the end of the data with the base address added (H5F__super_read).
      end: eof,
      root: base + root,
    }, options);
  }

  /** The absolute position of a file address. */
  absolute(address: number): number {
    return this.superblock.base + address;
  }

  /**
   * Every message of the object header at absolute `address`, continuation blocks included.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { bytesSource } from "../../core/byte_source.ts";
   * import { Hdf5Reader } from "./reader.ts";
   * // A Sequential model saved by Keras 2.15 (h5py).
   * const bytes = await Deno.readFile("fixtures/keras/benign/sequential_keras2.h5");
   * const reader = await Hdf5Reader.open(bytesSource(bytes), 0);
   * const messages = await reader.objectHeader(reader.superblock.root);
   * // The root group: symbol table (0x11) and the model's attributes (0x0c), after its NIL.
   * assert.deepEqual(messages.map((m) => m.type), [0x10, 0x11, 0x0c, 0x0c, 0x0c, 0x0c]);
   * ```
   */
  async objectHeader(address: number): Promise<HeaderMessage[]> {
    if (address >= this.source.size) fail(`object header at ${address} lies beyond the end of the file`);
    const prefix = await this.read(address, Math.min(32, this.source.size - address));
    return ascii(prefix, 0, "OHDR")
      ? await this.#headerV2(address, prefix)
      : await this.#headerV1(address, prefix);
  }

  async #headerV1(address: number, prefix: Uint8Array): Promise<HeaderMessage[]> {
    if (prefix[0] !== 1) fail(`object header at ${address} has unknown version ${prefix[0]}`);
    const declared = uint(prefix, 2, 2);
    this.limit(
      "maxHeaderMessages",
      declared,
      `object header at ${address} declares ${declared} messages, more than the ${this.options.maxHeaderMessages} read`,
    );
    const size = uint(prefix, 8, 4);
    const messages: HeaderMessage[] = [];
    const chunks: [number, number][] = [[address + 16, size]];
    for (let c = 0; c < chunks.length; c++) {
      this.#checkChunks(address, c);
      const [at, length] = chunks[c];
      const chunk = await this.#chunk(at, length);
      for (let pos = 0; pos + 8 <= chunk.length && messages.length < declared;) {
        const type = uint(chunk, pos, 2);
        const msgSize = uint(chunk, pos + 2, 2);
        const data = chunk.subarray(pos + 8, pos + 8 + msgSize);
        if (data.length < msgSize) fail(`message at ${at + pos} runs past its header block`);
        messages.push({ type, flags: chunk[pos + 4], data });
        if (type === MESSAGE.continuation) chunks.push(this.#continuation(data));
        pos += 8 + msgSize;
      }
    }
    return messages;
  }

  async #headerV2(address: number, prefix: Uint8Array): Promise<HeaderMessage[]> {
    if (prefix[4] !== 2) fail(`object header at ${address} has unknown version ${prefix[4]}`);
    const flags = prefix[5];
    let pos = 6 + (flags & 0x20 ? 16 : 0) + (flags & 0x10 ? 4 : 0);
    const sizeBytes = 1 << (flags & 0x03);
    const chunk0 = uint(prefix, pos, sizeBytes);
    pos += sizeBytes;
    const withOrder = (flags & 0x04) !== 0;
    const messages: HeaderMessage[] = [];
    // Each block: messages from `start` up to the 4-byte checksum.
    const chunks: [number, number, number][] = [[address, pos, pos + chunk0 + 4]];
    for (let c = 0; c < chunks.length; c++) {
      this.#checkChunks(address, c);
      const [at, start, total] = chunks[c];
      const chunk = await this.#chunk(at, total);
      if (c > 0 && !ascii(chunk, 0, "OCHK")) fail(`continuation block at ${at} lacks its OCHK signature`);
      const headerSize = withOrder ? 6 : 4;
      for (let p = start; p + headerSize <= chunk.length - 4;) {
        this.limit(
          "maxHeaderMessages",
          messages.length + 1,
          `object header at ${address} has more than ${this.options.maxHeaderMessages} messages`,
        );
        const type = chunk[p];
        const msgSize = uint(chunk, p + 1, 2);
        const data = chunk.subarray(p + headerSize, p + headerSize + msgSize);
        if (data.length < msgSize || p + headerSize + msgSize > chunk.length - 4) {
          fail(`message at ${at + p} runs past its header block`);
        }
        messages.push({ type, flags: chunk[p + 3], data });
        if (type === MESSAGE.continuation) {
          const [next, length] = this.#continuation(data);
          chunks.push([next, 4, length]);
        }
        p += headerSize + msgSize;
      }
    }
    return messages;
  }

  #continuation(data: Uint8Array): [number, number] {
    const { offsetSize, lengthSize } = this.superblock;
    return [this.absolute(uint(data, 0, offsetSize)), uint(data, offsetSize, lengthSize)];
  }

  /** Before block `index` (from 0) of the object header at `address` is read. */
  #checkChunks(address: number, index: number): void {
    const { maxHeaderChunks } = this.options;
    this.limit(
      "maxHeaderChunks",
      index + 1,
      `object header at ${address} has more than ${maxHeaderChunks} blocks`,
    );
  }

  #chunk(at: number, length: number): Promise<Uint8Array> {
    this.limit(
      "maxHeaderChunkBytes",
      length,
      `object header block at ${at} declares ${length} bytes, more than the ${this.options.maxHeaderChunkBytes} read`,
    );
    return this.read(at, length);
  }

  /**
   * Parses an attribute message (versions 1 to 3).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { bytesSource } from "../../core/byte_source.ts";
   * import { Hdf5Reader } from "./reader.ts";
   * // A Sequential model saved by Keras 2.15 (h5py).
   * const bytes = await Deno.readFile("fixtures/keras/benign/sequential_keras2.h5");
   * const reader = await Hdf5Reader.open(bytesSource(bytes), 0);
   * const messages = await reader.objectHeader(reader.superblock.root);
   * const names = messages.filter((m) => m.type === 0x000c).map((m) => reader.attribute(m).name);
   * assert.deepEqual(names, ["backend", "keras_version", "model_config", "training_config"]);
   * ```
   */
  attribute(message: HeaderMessage): Attribute {
    const d = message.data;
    const version = d[0];
    if (version < 1 || version > 3) fail(`attribute message of unknown version ${version}`);
    const nameSize = uint(d, 2, 2);
    const typeSize = uint(d, 4, 2);
    const spaceSize = uint(d, 6, 2);
    const pad = (n: number) => version === 1 ? Math.ceil(n / 8) * 8 : n;
    let pos = version === 3 ? 9 : 8;
    const nameBytes = d.subarray(pos, pos + nameSize);
    const name = UTF8.decode(
      nameBytes.subarray(0, nameBytes.indexOf(0) < 0 ? nameBytes.length : nameBytes.indexOf(0)),
    );
    pos += pad(nameSize);
    const datatype = d.subarray(pos, pos + typeSize);
    pos += pad(typeSize);
    const dataspace = d.subarray(pos, pos + spaceSize);
    pos += pad(spaceSize);
    if (datatype.length < 8 || dataspace.length < 2 || pos > d.length) {
      fail(`attribute "${name}" is truncated`);
    }
    // Version 2 and 3 flags: bit 0 a shared datatype, which a reference replaces.
    const shared = version > 1 && (d[1] & 0x01) !== 0;
    const typeClass = datatype[0] & 0x0f;
    const elementSize = uint(datatype, 4, 4);
    const kind = shared
      ? "other"
      : typeClass === 3
      ? "fixed-string"
      : typeClass === 9 && (datatype[1] & 0x0f) === 1
      ? "vlen-string"
      : "other";
    return { name, kind, elementSize, count: this.#elements(dataspace), raw: d.subarray(pos) };
  }

  #elements(space: Uint8Array): number {
    const version = space[0];
    const rank = space[1];
    if (version === 2 && space[3] === 2) return 0; // null dataspace
    const dimsAt = version === 1 ? 8 : 4;
    let count = 1;
    for (let i = 0; i < rank; i++) {
      count *= uint(space, dimsAt + i * this.superblock.lengthSize, this.superblock.lengthSize);
      this.limit(
        "maxAttributeBytes",
        count,
        `attribute dataspace declares more than ${this.options.maxAttributeBytes} elements`,
      );
    }
    return count;
  }

  /**
   * The first element of a string attribute, decoded as UTF-8 (what `h5py` gives Keras);
   * `undefined` for an attribute of another type or without elements.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { bytesSource } from "../../core/byte_source.ts";
   * import { Hdf5Reader } from "./reader.ts";
   * // A Sequential model saved by Keras 2.15 (h5py).
   * const bytes = await Deno.readFile("fixtures/keras/benign/sequential_keras2.h5");
   * const reader = await Hdf5Reader.open(bytesSource(bytes), 0);
   * const messages = await reader.objectHeader(reader.superblock.root);
   * const [backend, version] = messages.filter((m) => m.type === 0x000c).map((m) => reader.attribute(m));
   * assert.equal(await reader.attributeText(backend), "tensorflow");
   * assert.equal(await reader.attributeText(version), "2.15.0");
   * ```
   */
  async attributeText(attribute: Attribute): Promise<string | undefined> {
    if (attribute.count === 0 || attribute.kind === "other") return undefined;
    if (attribute.kind === "fixed-string") {
      this.#checkValue(`attribute "${attribute.name}"`, attribute.elementSize);
      const value = attribute.raw.subarray(0, attribute.elementSize);
      if (value.length < attribute.elementSize) fail(`attribute "${attribute.name}" value is truncated`);
      const end = value.indexOf(0);
      return UTF8.decode(end < 0 ? value : value.subarray(0, end));
    }
    const { offsetSize } = this.superblock;
    const length = uint(attribute.raw, 0, 4);
    const collection = uint(attribute.raw, 4, offsetSize);
    const index = uint(attribute.raw, 4 + offsetSize, 4);
    this.#checkValue(`attribute "${attribute.name}"`, length);
    return UTF8.decode((await this.heapObject(collection, index)).subarray(0, length));
  }

  /** Before the value of an attribute (`what`) is read. */
  #checkValue(what: string, bytes: number): void {
    const { maxAttributeBytes } = this.options;
    this.limit(
      "maxAttributeBytes",
      bytes,
      `${what} holds ${bytes} bytes, more than the ${maxAttributeBytes} read`,
    );
  }

  /**
   * Object `index` of the global heap collection at file address `address`.
   *
   * @example
   * ```ts
   * import type { Hdf5Reader } from "./reader.ts";
   * async function first(reader: Hdf5Reader, address: number) {
   *   return await reader.heapObject(address, 1);
   * }
   * ```
   */
  async heapObject(address: number, index: number): Promise<Uint8Array> {
    const { lengthSize } = this.superblock;
    const at = this.absolute(address);
    const head = await this.read(at, 8 + lengthSize);
    if (!ascii(head, 0, "GCOL")) fail(`no global heap collection at ${at}`);
    const size = uint(head, 8, lengthSize);
    const end = at + size;
    if (end > this.source.size) fail(`global heap collection at ${at} runs past the end of the file`);
    let pos = at + 8 + lengthSize;
    for (let n = 0; pos + 8 + lengthSize <= end; n++) {
      const { maxHeapObjects } = this.options;
      this.limit(
        "maxHeapObjects",
        n + 1,
        `global heap collection at ${at} holds more than ${maxHeapObjects} objects`,
      );
      const objectHead = await this.read(pos, 8 + lengthSize);
      const id = uint(objectHead, 0, 2);
      const objectSize = uint(objectHead, 8, lengthSize);
      if (id === 0) break; // free space: the last object
      if (id === index) {
        this.#checkValue(`global heap object ${index}`, objectSize);
        return this.read(pos + 8 + lengthSize, objectSize);
      }
      pos += 8 + lengthSize + Math.ceil(objectSize / 8) * 8;
    }
    return fail(`global heap collection at ${at} has no object ${index}`);
  }
}
