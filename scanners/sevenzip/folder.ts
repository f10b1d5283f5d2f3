/**
 * Decoding a 7z folder: its coders chained from the packed stream to the decoded output
 * (LZMA, LZMA2, deflate, bzip2 or copy, then the BCJ x86 and delta filters), and its output
 * cut into the members it holds. A solid folder holds many members in one stream: it is decoded
 * once, forward, each member sliced out in turn; a member read again, or out of order, decodes
 * the folder anew from its start. Decoded bytes before a member's that no member read takes are
 * charged to the engine's budget all the same.
 *
 * @module
 */

import type { ByteSource } from "../../core/byte_source.ts";
import { DecodeError } from "../../core/decode_error.ts";
import { bunzip2Stream } from "../compressed/bzip2.ts";
import { sourceChunks } from "../compressed/codec.ts";
import { inflateRaw } from "../compressed/inflate.ts";
import { lzma2Chunks, lzma2DictionarySize, lzmaRawChunks } from "../compressed/lzma_decoder.ts";
import { DEFAULT_LZMA_OPTIONS } from "../option_catalog.ts";
import { bcjX86, deltaDecode } from "./filters.ts";
import type { Folder } from "./header.ts";

/** Method ids (hex) of the coders decoded here, and of those recognised by name only. */
export const METHOD = {
  COPY: "00",
  DELTA: "03",
  BCJ_X86: "03030103",
  LZMA: "030101",
  LZMA2: "21",
  DEFLATE: "040108",
  BZIP2: "040202",
  AES: "06f10701",
} as const;

/** Names of the methods 7-Zip and py7zr write, for messages. */
const METHOD_NAMES: Readonly<Record<string, string>> = {
  [METHOD.COPY]: "copy",
  [METHOD.DELTA]: "delta",
  [METHOD.BCJ_X86]: "BCJ (x86)",
  [METHOD.LZMA]: "LZMA",
  [METHOD.LZMA2]: "LZMA2",
  [METHOD.DEFLATE]: "deflate",
  [METHOD.BZIP2]: "bzip2",
  [METHOD.AES]: "AES-256",
  "0303011b": "BCJ2",
  "03030205": "BCJ (PowerPC)",
  "03030401": "BCJ (IA-64)",
  "03030501": "BCJ (ARM)",
  "03030701": "BCJ (ARM Thumb)",
  "03030805": "BCJ (SPARC)",
  "0a": "BCJ (ARM64)",
  "0b": "BCJ (RISC-V)",
  "030401": "PPMd",
  "040109": "deflate64",
  "04f71101": "zstd",
  "04f71102": "brotli",
  "04f71104": "LZ4",
};

/**
 * A method's name, e.g. `LZMA2`, or its hex id when unknown.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { methodName } from "./folder.ts";
 * assert.equal(methodName("030401"), "PPMd");
 * ```
 */
export function methodName(method: string): string {
  return METHOD_NAMES[method] ?? `method ${method}`;
}

/** A chunk stream from one stage of a folder to the next. */
type Chunks = AsyncGenerator<Uint8Array>;

/**
 * How a folder can be read: decoded by a chain of coders, or not at all (encrypted, or a method
 * or layout not decoded here).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { type FolderDecoding, planFolder } from "./folder.ts";
 * const ppmd = { method: "030401", properties: new Uint8Array(5), inStreams: 1, outStreams: 1 };
 * const folder = { coders: [ppmd], bindPairs: [], packedStreams: [0], unpackSizes: [3] };
 * const decoding: FolderDecoding = planFolder(folder, bytesSource(new Uint8Array(3)));
 * assert.equal(decoding.kind, "unsupported");
 * assert.deepEqual(decoding.methods, ["PPMd"]);
 * ```
 */
export type FolderDecoding =
  | { kind: "decodable"; methods: string[]; open(): Chunks }
  | { kind: "encrypted"; methods: string[] }
  | { kind: "unsupported"; methods: string[]; reason: string };

/** The coders from the one that reads the packed stream to the one whose output is the folder's. */
function coderChain(folder: Folder): number[] | string {
  const { coders, bindPairs } = folder;
  if (coders.some((coder) => coder.inStreams !== 1 || coder.outStreams !== 1)) {
    return "a coder with several streams (as BCJ2 has), which modelaudit does not decode";
  }
  if (folder.packedStreams.length !== 1) {
    return "a folder of several packed streams, which modelaudit does not decode";
  }
  const boundOut = new Set(bindPairs.map((pair) => pair.outIndex));
  const mains = coders.map((_, i) => i).filter((i) => !boundOut.has(i));
  if (mains.length !== 1) return "its coders have no single output";
  const chain = [mains[0]];
  for (;;) {
    const current = chain[chain.length - 1];
    const pair = bindPairs.find((p) => p.inIndex === current);
    if (!pair) break;
    if (chain.includes(pair.outIndex)) return "its coders are bound in a loop";
    chain.push(pair.outIndex);
  }
  if (chain.length !== coders.length || chain[chain.length - 1] !== folder.packedStreams[0]) {
    return "its coders are not one chain";
  }
  return chain.reverse();
}

function uint32(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}

function tooLarge(dictionarySize: number, maxDictionaryBytes: number): string {
  return `its dictionary (${dictionarySize} bytes) is larger than the ${maxDictionaryBytes} bytes modelaudit decodes`;
}

/** A stage that reads the packed stream, or `undefined` when the method is not decoded here. */
function firstStage(
  method: string,
  properties: Uint8Array,
  packed: ByteSource,
  size: number,
  maxDictionaryBytes: number,
) {
  switch (method) {
    case METHOD.COPY:
      return () => sourceChunks(packed);
    case METHOD.LZMA: {
      if (properties.length < 5) return "its LZMA properties are shorter than 5 bytes";
      const dictionarySize = uint32(properties, 1);
      if (dictionarySize > maxDictionaryBytes) return tooLarge(dictionarySize, maxDictionaryBytes);
      return () =>
        lzmaRawChunks(packed, { properties: properties[0], dictionarySize }, size, maxDictionaryBytes);
    }
    case METHOD.LZMA2: {
      const dictionarySize = lzma2DictionarySize(properties[0] ?? 0xff);
      if (properties.length < 1 || dictionarySize === undefined) return "its LZMA2 properties are invalid";
      if (dictionarySize > maxDictionaryBytes) return tooLarge(dictionarySize, maxDictionaryBytes);
      return () => lzma2Chunks(packed, dictionarySize, size, maxDictionaryBytes);
    }
    case METHOD.DEFLATE:
      return () => streamChunks(inflateRaw(packed));
    case METHOD.BZIP2:
      return () => streamChunks(bunzip2Stream(packed, new AbortController().signal));
  }
  return undefined;
}

async function* streamChunks(stream: ReadableStream<Uint8Array>): Chunks {
  yield* stream;
}

/** A filter stage, or `undefined` when the method is no filter decoded here. */
function filterStage(method: string, properties: Uint8Array) {
  switch (method) {
    case METHOD.BCJ_X86:
      // A start offset other than zero is an option no archiver sets by default.
      if (properties.some((b) => b !== 0)) return "BCJ with a start offset, which modelaudit does not decode";
      return (input: Chunks) => bcjX86(input);
    case METHOD.DELTA:
      return (input: Chunks) => deltaDecode(input, (properties[0] ?? 0) + 1);
  }
  return undefined;
}

/**
 * How to decode `folder`, whose packed stream is `packed`; an LZMA or LZMA2 dictionary over
 * `maxDictionaryBytes` (the `lzma.maxDictionaryBytes` option) makes it unsupported.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { planFolder } from "./folder.ts";
 * const folder = {
 *   coders: [{ method: "00", properties: new Uint8Array(0), inStreams: 1, outStreams: 1 }],
 *   bindPairs: [],
 *   packedStreams: [0],
 *   unpackSizes: [3],
 * };
 * assert.equal(planFolder(folder, bytesSource(new Uint8Array([1, 2, 3]))).kind, "decodable");
 * ```
 */
export function planFolder(
  folder: Folder,
  packed: ByteSource,
  maxDictionaryBytes: number = DEFAULT_LZMA_OPTIONS.maxDictionaryBytes,
): FolderDecoding {
  const methods = folder.coders.map((coder) => methodName(coder.method));
  if (folder.coders.some((coder) => coder.method === METHOD.AES)) return { kind: "encrypted", methods };
  const chain = coderChain(folder);
  if (typeof chain === "string") return { kind: "unsupported", methods, reason: chain };
  const [first, ...rest] = chain.map((index) => folder.coders[index]);
  const filterFirst = filterStage(first.method, first.properties);
  const start =
    firstStage(first.method, first.properties, packed, folder.unpackSizes[chain[0]], maxDictionaryBytes) ??
      (typeof filterFirst === "function" ? () => filterFirst(sourceChunks(packed)) : filterFirst);
  if (start === undefined) {
    return { kind: "unsupported", methods, reason: `modelaudit has no ${methodName(first.method)} decoder` };
  }
  if (typeof start === "string") return { kind: "unsupported", methods, reason: start };
  const filters: ((input: Chunks) => Chunks)[] = [];
  for (const coder of rest) {
    const filter = filterStage(coder.method, coder.properties);
    if (filter === undefined) {
      return {
        kind: "unsupported",
        methods,
        reason: `modelaudit decodes ${methodName(coder.method)} only first in a chain`,
      };
    }
    if (typeof filter === "string") return { kind: "unsupported", methods, reason: filter };
    filters.push(filter);
  }
  const open = (): Chunks => filters.reduce((chunks, filter) => filter(chunks), start());
  return { kind: "decodable", methods, open };
}

/** A pass over a folder's output, and how far it has got. */
interface Cursor {
  chunks: Chunks;
  /** Decoded bytes of the folder handed out or skipped so far. */
  position: number;
  /** Decoded bytes read from `chunks` but not yet handed out (they start at `position`). */
  pending: Uint8Array;
}

/**
 * A folder's decoded output, read member by member. A read that starts at or after where the
 * last one stopped goes on with the same pass; an earlier one starts a new pass.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SolidFolder } from "./folder.ts";
 * async function* output() {
 *   yield new TextEncoder().encode("firstsecond");
 * }
 * const folder = new SolidFolder(output, 11);
 * let text = "";
 * for await (const chunk of folder.slice(5, 6, () => true)) text += new TextDecoder().decode(chunk);
 * assert.equal(text, "second");
 * ```
 */
export class SolidFolder {
  #idle: Cursor | undefined;

  /**
   * @param open Starts a new pass over the folder's decoded output.
   * @param size The decoded size the folder declares.
   */
  constructor(private readonly open: () => Chunks, readonly size: number) {}

  /**
   * The folder's decoded bytes from `start`, `length` of them. Bytes decoded to get there are
   * passed to `charge` first; when it refuses them, the slice ends there. Errors where the
   * folder's data is corrupt, or ends before the slice does.
   */
  async *slice(start: number, length: number, charge: (bytes: number) => boolean): Chunks {
    let cursor = this.#idle;
    this.#idle = undefined;
    if (!cursor || cursor.position > start) {
      await cursor?.chunks.return(undefined).catch(() => undefined);
      cursor = { chunks: this.open(), position: 0, pending: new Uint8Array(0) };
    }
    const end = start + length;
    let failed = false;
    try {
      while (cursor.position < end) {
        if (cursor.pending.length === 0) {
          const next = await cursor.chunks.next();
          if (next.done) {
            throw new DecodeError(
              "7z",
              `the folder's data ends after ${cursor.position} of its ${this.size} bytes`,
            );
          }
          cursor.pending = next.value;
          continue;
        }
        if (cursor.position < start) {
          const skip = Math.min(cursor.pending.length, start - cursor.position);
          if (!charge(skip)) return;
          cursor.position += skip;
          cursor.pending = cursor.pending.subarray(skip);
          continue;
        }
        const take = Math.min(cursor.pending.length, end - cursor.position);
        const out = cursor.pending.subarray(0, take);
        cursor.position += take;
        cursor.pending = cursor.pending.subarray(take);
        yield out;
      }
    } catch (error) {
      failed = true;
      await cursor.chunks.return(undefined).catch(() => undefined);
      throw error;
    } finally {
      // A pass that did not fail (its reader may have stopped reading early) serves the next member.
      if (!failed) this.#keep(cursor);
    }
  }

  #keep(cursor: Cursor): void {
    if (this.#idle && this.#idle !== cursor) void this.#idle.chunks.return(undefined).catch(() => undefined);
    this.#idle = cursor;
  }

  /** Ends any pass kept for a later member. */
  async close(): Promise<void> {
    const idle = this.#idle;
    this.#idle = undefined;
    await idle?.chunks.return(undefined).catch(() => undefined);
  }
}
