/**
 * The 7z headers, as 7-Zip's `DOC/7zFormat.txt` lays them out: the 32-byte signature header, and
 * the header it points to (plain, or encoded in a folder of its own), which lists the packed
 * streams, the folders (chains of coders that decode them) and the files.
 *
 * The header is attacker-controlled bytes: every count read from it is checked against the bytes
 * that remain (each item takes at least one byte, or one bit of a vector) and against named
 * limits before anything is allocated for it, and malformed input is a {@linkcode MalformedHeader}
 * carrying what is wrong and where.
 *
 * @module
 */

import { SIGNATURE } from "./descriptor.ts";
import { DEFAULT_SEVENZIP_OPTIONS } from "../option_catalog.ts";

/** Bytes of the signature header. */
export const SIGNATURE_HEADER_BYTES = 32;

/** Coders in one folder, and streams of one coder: 7-Zip itself allows 64. */
const MAX_FOLDER_CODERS = 64;

/** Property ids of the header. */
export const ID = {
  END: 0x00,
  HEADER: 0x01,
  ARCHIVE_PROPERTIES: 0x02,
  ADDITIONAL_STREAMS_INFO: 0x03,
  MAIN_STREAMS_INFO: 0x04,
  FILES_INFO: 0x05,
  PACK_INFO: 0x06,
  UNPACK_INFO: 0x07,
  SUBSTREAMS_INFO: 0x08,
  SIZE: 0x09,
  CRC: 0x0a,
  FOLDER: 0x0b,
  CODERS_UNPACK_SIZE: 0x0c,
  NUM_UNPACK_STREAM: 0x0d,
  EMPTY_STREAM: 0x0e,
  EMPTY_FILE: 0x0f,
  ANTI: 0x10,
  NAME: 0x11,
  WIN_ATTRIBUTES: 0x15,
  ENCODED_HEADER: 0x17,
  DUMMY: 0x19,
} as const;

/**
 * A header that does not parse: what is wrong, and where in the header bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MalformedHeader, parseHeader } from "./header.ts";
 * assert.equal(new MalformedHeader("truncated", 12).offset, 12);
 * assert.throws(() => parseHeader(Uint8Array.of(0x01)), MalformedHeader); // a header cut short
 * ```
 */
export class MalformedHeader extends Error {
  /**
   * @param reason What is wrong.
   * @param offset Offset in the header bytes where it was found.
   */
  constructor(readonly reason: string, readonly offset: number) {
    super(`${reason} (header byte ${offset})`);
  }
}

/**
 * The signature header: where the next header lies, and whether its own checksum holds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Crc32 } from "../zip/crc32.ts";
 * import { readSignatureHeader, type SignatureHeader } from "./header.ts";
 * // 7z a -m0=Copy -mhc=off: hello.txt holding "hello"
 * const file = Uint8Array.fromBase64("N3q8ryccAAQ+1WctBQAAAAAAAAA2AAAAAAAAAG3p1EhoZWxsbwEEBgABCQUABwsBAAEBAAwFAAgKAYamEDYAAAUBERUAaABlAGwAbABvAC4AdAB4AHQAAAAAAA==");
 * const crc32 = (bytes: Uint8Array) => {
 *   const crc = new Crc32();
 *   crc.update(bytes);
 *   return crc.value;
 * };
 * const header: SignatureHeader = readSignatureHeader(file.subarray(0, 32), crc32)!;
 * assert.equal(header.nextHeaderOffset + 32, 37); // where the header starts in the file, after "hello"
 * assert.equal(header.startHeaderCrc.declared, header.startHeaderCrc.actual);
 * ```
 */
export interface SignatureHeader {
  /** Format version: major, minor (7-Zip writes 0.4). */
  version: [number, number];
  /** Offset of the next header, counted from the end of the signature header. */
  nextHeaderOffset: number;
  /** Size of the next header. */
  nextHeaderSize: number;
  /** CRC-32 of the next header. */
  nextHeaderCrc: number;
  /** CRC-32 the signature header declares for its last 20 bytes, and the one they have. */
  startHeaderCrc: { declared: number; actual: number };
}

/** One coder of a folder: its method id (hex, as 7-Zip prints it), its properties and streams. */
export interface Coder {
  /** Method id as lower-case hex, e.g. `030101` (LZMA), `21` (LZMA2). */
  method: string;
  properties: Uint8Array;
  inStreams: number;
  outStreams: number;
}

/** A folder: coders bound into a chain, the packed streams it reads, the sizes it decodes to. */
export interface Folder {
  coders: Coder[];
  /** Each binds a coder's input stream (`inIndex`) to another coder's output stream (`outIndex`). */
  bindPairs: { inIndex: number; outIndex: number }[];
  /** Input stream indexes that read packed streams, in the order of the folder's packed streams. */
  packedStreams: number[];
  /** Decoded size of each output stream of each coder, in coder order. */
  unpackSizes: number[];
  /** CRC-32 of the folder's decoded output, when declared. */
  crc?: number;
}

/**
 * Packed streams, folders and how each folder's output splits into members.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseHeader, type StreamsInfo } from "./header.ts";
 * // The header of 7z a -m0=Copy -mhc=off with hello.txt holding "hello"
 * const file = Uint8Array.fromBase64("N3q8ryccAAQ+1WctBQAAAAAAAAA2AAAAAAAAAG3p1EhoZWxsbwEEBgABCQUABwsBAAEBAAwFAAgKAYamEDYAAAUBERUAaABlAGwAbABvAC4AdAB4AHQAAAAAAA==");
 * const parsed = parseHeader(file.subarray(37));
 * const streams: StreamsInfo | undefined = parsed.streams;
 * assert.equal(streams?.folders.length, streams?.substreams.length);
 * assert.deepEqual(streams?.substreams, [[{ size: 5, crc: 907060870 }]]);
 * ```
 */
export interface StreamsInfo {
  /** Offset of the first packed stream, counted from the end of the signature header. */
  packPos: number;
  packSizes: number[];
  folders: Folder[];
  /** Per folder: the members its output holds, in order (size and CRC-32 when declared). */
  substreams: { size: number; crc?: number }[][];
}

/**
 * One file of the archive, in the order the header lists them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type FileEntry, parseHeader } from "./header.ts";
 * // The header of 7z a -m0=Copy -mhc=off with hello.txt holding "hello"
 * const file = Uint8Array.fromBase64("N3q8ryccAAQ+1WctBQAAAAAAAAA2AAAAAAAAAG3p1EhoZWxsbwEEBgABCQUABwsBAAEBAAwFAAgKAYamEDYAAAUBERUAaABlAGwAbABvAC4AdAB4AHQAAAAAAA==");
 * const parsed = parseHeader(file.subarray(37));
 * const files: FileEntry[] = parsed.kind === "header" ? parsed.files : [];
 * assert.deepEqual(files.map((f) => [f.name, f.hasStream, f.directory]), [["hello.txt", true, false]]);
 * ```
 */
export interface FileEntry {
  name: string;
  /** Whether its data is a substream of a folder (an empty file or a directory has none). */
  hasStream: boolean;
  directory: boolean;
  /** An anti-item: a marker that deletes the file on extraction (7-Zip's update mode). */
  anti: boolean;
  /** Windows attributes, with a Unix mode in the high 16 bits when bit 15 is set. */
  attributes?: number;
}

/**
 * A parsed header: the archive's listing, or a header encoded in a folder of its own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ParsedHeader, parseHeader } from "./header.ts";
 * // The header of 7z a -m0=Copy -mhc=off with hello.txt holding "hello"
 * const file = Uint8Array.fromBase64("N3q8ryccAAQ+1WctBQAAAAAAAAA2AAAAAAAAAG3p1EhoZWxsbwEEBgABCQUABwsBAAEBAAwFAAgKAYamEDYAAAUBERUAaABlAGwAbABvAC4AdAB4AHQAAAAAAA==");
 * const parsed: ParsedHeader = parseHeader(file.subarray(37));
 * assert.equal(parsed.kind === "header" && parsed.files.length, 1); // "encoded" when the listing is compressed
 * ```
 */
export type ParsedHeader =
  | { kind: "header"; streams?: StreamsInfo; files: FileEntry[] }
  | { kind: "encoded"; streams: StreamsInfo };

/**
 * Reads the signature header from the first 32 bytes of an archive, or `undefined` when they are
 * not one (no signature, or too short).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSignatureHeader } from "./header.ts";
 * const empty = Uint8Array.of(0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4, 0x8d, 0x9b, 0xd5, 0x0f, ...new Array(20).fill(0));
 * assert.equal(readSignatureHeader(empty, (_bytes) => 0x0fd59b8d)?.nextHeaderSize, 0);
 * assert.equal(readSignatureHeader(new Uint8Array(32), (_bytes) => 0), undefined); // no signature
 * ```
 */
export function readSignatureHeader(
  bytes: Uint8Array,
  crc32: (bytes: Uint8Array) => number,
): SignatureHeader | undefined {
  if (bytes.length < SIGNATURE_HEADER_BYTES || !SIGNATURE.every((b, i) => bytes[i] === b)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, SIGNATURE_HEADER_BYTES);
  return {
    version: [bytes[6], bytes[7]],
    startHeaderCrc: { declared: view.getUint32(8, true), actual: crc32(bytes.subarray(12, 32)) },
    nextHeaderOffset: Number(view.getBigUint64(12, true)),
    nextHeaderSize: Number(view.getBigUint64(20, true)),
    nextHeaderCrc: view.getUint32(28, true),
  };
}

/** Reads the header's primitives, every read bounded by the bytes there are. */
class HeaderReader {
  position = 0;

  /**
   * @param bytes The header.
   * @param maxFiles Files, folders and packed streams it may list (the `sevenzip.maxFiles` option).
   */
  constructor(private readonly bytes: Uint8Array, readonly maxFiles: number) {}

  get remaining(): number {
    return this.bytes.length - this.position;
  }

  fail(reason: string): never {
    throw new MalformedHeader(reason, this.position);
  }

  byte(): number {
    if (this.position >= this.bytes.length) this.fail("truncated");
    return this.bytes[this.position++];
  }

  take(count: number): Uint8Array {
    if (count > this.remaining) this.fail(`${count} bytes declared, ${this.remaining} remain`);
    const out = this.bytes.subarray(this.position, this.position + count);
    this.position += count;
    return out;
  }

  /** 7z's variable-length number: the first byte's leading one bits count the bytes that follow. */
  number(): number {
    const first = this.byte();
    let mask = 0x80;
    let value = 0;
    for (let i = 0; i < 8; i++) {
      if ((first & mask) === 0) {
        const high = first & (mask - 1);
        return value + high * 2 ** (8 * i);
      }
      value += this.byte() * 2 ** (8 * i);
      mask >>>= 1;
    }
    if (value > Number.MAX_SAFE_INTEGER) this.fail("a number beyond 2^53");
    return value;
  }

  /** A number that counts items of at least `bytesEach` bytes each in what remains. */
  count(what: string, bytesEach: number, max = Infinity): number {
    const value = this.number();
    if (value > max) this.fail(`${value} ${what}, more than the ${max} allowed`);
    if (value * bytesEach > this.remaining) {
      this.fail(`${value} ${what} declared, in ${this.remaining} bytes`);
    }
    return value;
  }

  uint32(): number {
    const b = this.take(4);
    return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  }

  /** A vector of `count` bits, most significant bit first. */
  bits(count: number): boolean[] {
    const bytes = this.take(Math.ceil(count / 8));
    return Array.from({ length: count }, (_, i) => (bytes[i >>> 3] & (0x80 >>> (i & 7))) !== 0);
  }

  /** An "all defined" byte, then a bit vector unless it is set. */
  definedBits(count: number): boolean[] {
    return this.byte() !== 0 ? new Array(count).fill(true) : this.bits(count);
  }

  expect(id: number, where: string): void {
    const found = this.byte();
    if (found !== id) {
      this.position--;
      this.fail(`property 0x${found.toString(16)} where ${where} expects 0x${id.toString(16)}`);
    }
  }
}

/** CRCs for `count` items: which are defined, and their values. */
function readDigests(reader: HeaderReader, count: number): (number | undefined)[] {
  const defined = reader.definedBits(count);
  const present = defined.filter(Boolean).length;
  if (present * 4 > reader.remaining) reader.fail(`${present} CRCs declared, in ${reader.remaining} bytes`);
  return defined.map((d) => (d ? reader.uint32() : undefined));
}

function readPackInfo(reader: HeaderReader): { packPos: number; packSizes: number[] } {
  const packPos = reader.number();
  const count = reader.count("packed streams", 1, reader.maxFiles);
  let packSizes: number[] = [];
  for (;;) {
    const id = reader.byte();
    if (id === ID.END) break;
    if (id === ID.SIZE) packSizes = Array.from({ length: count }, () => reader.number());
    else if (id === ID.CRC) readDigests(reader, count);
    else reader.fail(`unexpected property 0x${id.toString(16)} in the pack info`);
  }
  if (packSizes.length !== count) reader.fail("the pack info has no sizes");
  return { packPos, packSizes };
}

function readFolder(reader: HeaderReader): Omit<Folder, "unpackSizes"> {
  const coderCount = reader.count("coders", 2, MAX_FOLDER_CODERS);
  if (coderCount === 0) reader.fail("a folder without coders");
  const coders: Coder[] = [];
  let totalIn = 0;
  let totalOut = 0;
  for (let i = 0; i < coderCount; i++) {
    const flags = reader.byte();
    if (flags & 0x80) reader.fail("a coder with alternative methods, which 7-Zip never writes");
    const method = Array.from(reader.take(flags & 0x0f), (b) => b.toString(16).padStart(2, "0")).join("");
    const complex = (flags & 0x10) !== 0;
    const inStreams = complex ? reader.count("coder input streams", 0, MAX_FOLDER_CODERS) : 1;
    const outStreams = complex ? reader.count("coder output streams", 0, MAX_FOLDER_CODERS) : 1;
    const properties = flags & 0x20 ? reader.take(reader.number()) : new Uint8Array(0);
    coders.push({ method, properties, inStreams, outStreams });
    totalIn += inStreams;
    totalOut += outStreams;
  }
  if (totalOut === 0 || totalIn > MAX_FOLDER_CODERS || totalOut > MAX_FOLDER_CODERS) {
    reader.fail(`a folder with ${totalIn} input and ${totalOut} output streams`);
  }
  const bindPairs = Array.from({ length: totalOut - 1 }, () => {
    const inIndex = reader.number();
    const outIndex = reader.number();
    if (inIndex >= totalIn || outIndex >= totalOut) {
      reader.fail("a bind pair names a stream the folder lacks");
    }
    return { inIndex, outIndex };
  });
  const packedCount = totalIn - bindPairs.length;
  if (packedCount < 1) reader.fail("a folder that reads no packed stream");
  let packedStreams: number[];
  if (packedCount === 1) {
    const bound = new Set(bindPairs.map((pair) => pair.inIndex));
    packedStreams = [Array.from({ length: totalIn }, (_, i) => i).find((i) => !bound.has(i)) ?? 0];
  } else {
    packedStreams = Array.from({ length: packedCount }, () => {
      const index = reader.number();
      if (index >= totalIn) reader.fail("a packed stream index the folder lacks");
      return index;
    });
  }
  return { coders, bindPairs, packedStreams };
}

function readUnpackInfo(reader: HeaderReader): Folder[] {
  reader.expect(ID.FOLDER, "the unpack info");
  const count = reader.count("folders", 2, reader.maxFiles);
  if (reader.byte() !== 0) reader.fail("folders kept in another stream, which 7-Zip never writes");
  const partial = Array.from({ length: count }, () => readFolder(reader));
  reader.expect(ID.CODERS_UNPACK_SIZE, "the unpack info");
  const folders: Folder[] = partial.map((folder) => {
    const outs = folder.coders.reduce((sum, coder) => sum + coder.outStreams, 0);
    return { ...folder, unpackSizes: Array.from({ length: outs }, () => reader.number()) };
  });
  for (;;) {
    const id = reader.byte();
    if (id === ID.END) return folders;
    if (id !== ID.CRC) reader.fail(`unexpected property 0x${id.toString(16)} in the unpack info`);
    readDigests(reader, count).forEach((crc, i) => (folders[i].crc = crc));
  }
}

/**
 * The decoded size of a folder: that of the output stream no bind pair consumes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { folderSize } from "./header.ts";
 * assert.equal(folderSize({ coders: [], bindPairs: [], packedStreams: [0], unpackSizes: [42] }), 42);
 * ```
 */
export function folderSize(folder: Folder): number {
  const bound = new Set(folder.bindPairs.map((pair) => pair.outIndex));
  const main = folder.unpackSizes.findIndex((_, i) => !bound.has(i));
  return folder.unpackSizes[main] ?? 0;
}

function readSubstreams(reader: HeaderReader, folders: Folder[]): { size: number; crc?: number }[][] {
  let counts = folders.map(() => 1);
  let id = reader.byte();
  if (id === ID.NUM_UNPACK_STREAM) {
    counts = folders.map(() => reader.number());
    if (counts.reduce((a, b) => a + b, 0) > reader.maxFiles) {
      reader.fail(`more than ${reader.maxFiles} members in the folders`);
    }
    id = reader.byte();
  }
  const sizes: number[][] = [];
  const withSizes = id === ID.SIZE;
  for (const [f, folder] of folders.entries()) {
    const total = folderSize(folder);
    const count = counts[f];
    if (count === 0) {
      sizes.push([]);
      continue;
    }
    if (!withSizes && count > 1) reader.fail("a folder of several members without their sizes");
    const own = withSizes ? Array.from({ length: count - 1 }, () => reader.number()) : [];
    const used = own.reduce((a, b) => a + b, 0);
    if (used > total) reader.fail(`members of ${used} bytes in a folder of ${total}`);
    sizes.push([...own, total - used]);
  }
  if (withSizes) id = reader.byte();
  // Members whose CRC the folder's own covers need none of their own (one member in a folder).
  const unknown = sizes.flatMap((list, f) =>
    list.map(() => !(list.length === 1 && folders[f].crc !== undefined))
  );
  let digests: (number | undefined)[] = [];
  for (; id !== ID.END; id = reader.byte()) {
    if (id === ID.CRC) digests = readDigests(reader, unknown.filter(Boolean).length);
    else reader.fail(`unexpected property 0x${id.toString(16)} in the substreams info`);
  }
  let next = 0;
  let flat = 0;
  return sizes.map((list, f) =>
    list.map((size) => ({
      size,
      crc: unknown[flat++] ? digests[next++] : folders[f].crc,
    }))
  );
}

function readStreamsInfo(reader: HeaderReader): StreamsInfo {
  const streams: StreamsInfo = { packPos: 0, packSizes: [], folders: [], substreams: [] };
  let sawSubstreams = false;
  for (;;) {
    const id = reader.byte();
    if (id === ID.END) break;
    if (id === ID.PACK_INFO) Object.assign(streams, readPackInfo(reader));
    else if (id === ID.UNPACK_INFO) streams.folders = readUnpackInfo(reader);
    else if (id === ID.SUBSTREAMS_INFO) {
      streams.substreams = readSubstreams(reader, streams.folders);
      sawSubstreams = true;
    } else reader.fail(`unexpected property 0x${id.toString(16)} in the streams info`);
  }
  if (!sawSubstreams) {
    streams.substreams = streams.folders.map((folder) => [{ size: folderSize(folder), crc: folder.crc }]);
  }
  const packedNeeded = streams.folders.reduce((sum, folder) => sum + folder.packedStreams.length, 0);
  if (packedNeeded > streams.packSizes.length) {
    reader.fail(
      `the folders read ${packedNeeded} packed streams, the pack info has ${streams.packSizes.length}`,
    );
  }
  return streams;
}

function readNames(reader: HeaderReader, data: Uint8Array, count: number): string[] {
  if (data[0] !== 0) reader.fail("names kept in another stream, which 7-Zip never writes");
  const names: string[] = [];
  const decoder = new TextDecoder("utf-16le");
  let start = 1;
  for (let at = 1; at + 1 < data.length && names.length < count; at += 2) {
    if (data[at] === 0 && data[at + 1] === 0) {
      names.push(decoder.decode(data.subarray(start, at)));
      start = at + 2;
    }
  }
  if (names.length !== count) reader.fail(`${names.length} names for ${count} files`);
  return names;
}

function readFilesInfo(reader: HeaderReader, substreamCount: number): FileEntry[] {
  const count = reader.number();
  // Files beyond the members of the folders are empty ones, each a bit of the empty-stream vector.
  if (count > reader.maxFiles || count > substreamCount + reader.remaining * 8) {
    reader.fail(`${count} files declared, in ${reader.remaining} bytes`);
  }
  let emptyStream = new Array<boolean>(count).fill(false);
  let emptyFile: boolean[] = [];
  let anti: boolean[] = [];
  let names: string[] | undefined;
  let attributes: (number | undefined)[] = [];
  for (;;) {
    const id = reader.byte();
    if (id === ID.END) break;
    const size = reader.number();
    const data = reader.take(size);
    const field = new HeaderReader(data, reader.maxFiles);
    try {
      if (id === ID.EMPTY_STREAM) emptyStream = field.bits(count);
      else if (id === ID.EMPTY_FILE) emptyFile = field.bits(emptyStream.filter(Boolean).length);
      else if (id === ID.ANTI) anti = field.bits(emptyStream.filter(Boolean).length);
      else if (id === ID.NAME) names = readNames(field, data, count);
      else if (id === ID.WIN_ATTRIBUTES) {
        const defined = field.definedBits(count);
        if (field.byte() !== 0) field.fail("attributes kept in another stream");
        attributes = defined.map((d) => (d ? field.uint32() : undefined));
      }
      // Times, start positions and padding say nothing about what extraction writes.
    } catch (error) {
      if (error instanceof MalformedHeader) {
        throw new MalformedHeader(error.reason, reader.position - size + error.offset);
      }
      throw error;
    }
  }
  const withStream = emptyStream.filter((empty) => !empty).length;
  if (withStream !== substreamCount) {
    reader.fail(`${withStream} files with data, the folders hold ${substreamCount} members`);
  }
  let emptyIndex = 0;
  return Array.from({ length: count }, (_, i) => {
    const hasStream = !emptyStream[i];
    const empty = hasStream ? -1 : emptyIndex++;
    const isEmptyFile = empty >= 0 && emptyFile[empty] === true;
    return {
      name: names?.[i] ?? "",
      hasStream,
      directory: !hasStream && !isEmptyFile,
      anti: empty >= 0 && anti[empty] === true,
      attributes: attributes[i],
    };
  });
}

/**
 * Parses a header's bytes: the archive's listing, or an encoded header to decode and parse again.
 * One that lists more than `maxFiles` files, folders or packed streams is malformed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseHeader } from "./header.ts";
 * const empty = parseHeader(Uint8Array.of(0x01, 0x00)); // a header that lists nothing
 * assert.deepEqual(empty.kind === "header" && [empty.streams, empty.files], [undefined, []]);
 * ```
 */
export function parseHeader(
  bytes: Uint8Array,
  maxFiles: number = DEFAULT_SEVENZIP_OPTIONS.maxFiles,
): ParsedHeader {
  const reader = new HeaderReader(bytes, maxFiles);
  const kind = reader.byte();
  if (kind === ID.ENCODED_HEADER) return { kind: "encoded", streams: readStreamsInfo(reader) };
  if (kind !== ID.HEADER) reader.fail(`the header starts with 0x${kind.toString(16)}`);
  let id = reader.byte();
  if (id === ID.ARCHIVE_PROPERTIES) {
    for (let type = reader.byte(); type !== ID.END; type = reader.byte()) reader.take(reader.number());
    id = reader.byte();
  }
  if (id === ID.ADDITIONAL_STREAMS_INFO) {
    readStreamsInfo(reader);
    id = reader.byte();
  }
  let streams: StreamsInfo | undefined;
  if (id === ID.MAIN_STREAMS_INFO) {
    streams = readStreamsInfo(reader);
    id = reader.byte();
  }
  let files: FileEntry[] = [];
  const members = streams?.substreams.reduce((sum, list) => sum + list.length, 0) ?? 0;
  if (id === ID.FILES_INFO) {
    files = readFilesInfo(reader, members);
    id = reader.byte();
  } else if (members > 0) {
    reader.fail(`the folders hold ${members} members, and the header lists no files`);
  }
  if (id !== ID.END) {
    reader.position--;
    reader.fail(`unexpected property 0x${id.toString(16)} in the header`);
  }
  return { kind: "header", streams, files };
}
