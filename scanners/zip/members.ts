/**
 * A zip member's bytes, the way the engine and the archive profiles get them:
 * stored members as views of the archive, compressed ones (deflate, and bzip2
 * and LZMA, which Python's zipfile also reads) as streams decoded on demand that
 * verify the CRC-32 when they reach the end. Every read here is bounded by a named limit.
 *
 * @module
 */

import { type ByteSource, bytesSource, concatSources, readAll, subSource } from "../../core/byte_source.ts";
import type { MemberContent } from "../../core/scanner.ts";
import { DecodeError } from "../../core/decode_error.ts";
import { Crc32 } from "./crc32.ts";
import type { CentralEntry } from "./directory.ts";
import { bunzip2Stream } from "../compressed/bzip2.ts";
import { generatorStream } from "../compressed/codec.ts";
import { inflateRaw } from "../compressed/inflate.ts";
import { lzmaAloneChunks } from "../compressed/lzma.ts";
import { DEFAULT_LZMA_OPTIONS, DEFAULT_ZIP_OPTIONS } from "../option_catalog.ts";

/** Compression method: stored as is. */
export const METHOD_STORED = 0;
/** Compression method: deflate, what zipfile and torch.save write. */
export const METHOD_DEFLATED = 8;
/** Compression method: bzip2, which Python's zipfile reads and writes (np.load of an .npz included). */
export const METHOD_BZIP2 = 12;
/** Compression method: LZMA, which Python's zipfile reads and writes too. */
export const METHOD_LZMA = 14;

/** An LZMA member's header: a version (2 bytes), the properties' size (2 bytes), then the 5 property bytes. */
const LZMA_HEADER_BYTES = 9;
/** Flag bit 1 on an LZMA member: its stream ends with an end marker, not at the declared size. */
const FLAG_LZMA_END_MARKER = 0x0002;

/** Names of the other methods, for messages. */
const METHOD_NAMES: Readonly<Record<number, string>> = {
  1: "shrink",
  6: "implode",
  9: "deflate64",
  93: "zstd",
  95: "xz",
  98: "ppmd",
  99: "AES encryption",
};

/**
 * Decoded bytes tried to tell a deflated member flagged encrypted from one that is: encrypted
 * data fails to inflate within its first bytes, plain data inflates this far cleanly.
 */
export const PLAIN_PROBE_BYTES = 64 * 1024;

/** Bytes per read when checksumming a stored member. */
const CRC_READ_BYTES = 1024 * 1024;

/** A central directory entry with the offset of its data, from its local header. */
export interface LocatedEntry {
  /** The central directory entry. */
  entry: CentralEntry;
  /** Offset of the data in the source, or -1 when there is no local header. */
  dataOffset: number;
}

/** What a member's bytes reported while being decoded. */
export interface DecodeHooks {
  /** The decoded bytes (all of them, as many as declared) do not match the declared CRC-32. */
  onCrcMismatch(actual: number): void;
  /** The compressed stream ended at `offset` of the compressed bytes; the rest is junk loaders ignore. */
  onTrailing(offset: number): void;
}

/**
 * The method's name, e.g. `bzip2` or `method 77`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { methodName } from "./members.ts";
 * assert.equal(methodName(12), "bzip2");
 * ```
 */
export function methodName(method: number): string {
  return method === METHOD_STORED
    ? "stored"
    : method === METHOD_DEFLATED
    ? "deflate"
    : method === METHOD_BZIP2
    ? "bzip2"
    : method === METHOD_LZMA
    ? "lzma"
    : METHOD_NAMES[method] ??
      `method ${method}`;
}

/**
 * Whether modelaudit decodes members compressed with `method`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isDecodableMethod } from "./members.ts";
 * assert.equal(isDecodableMethod(8), true);
 * assert.equal(isDecodableMethod(93), false); // zstd
 * ```
 */
export function isDecodableMethod(method: number): boolean {
  return method === METHOD_STORED || method === METHOD_DEFLATED || method === METHOD_BZIP2 ||
    method === METHOD_LZMA;
}

/** The member's bytes as the archive holds them (compressed, for a compressed member). */
function compressedBytes(source: ByteSource, { entry, dataOffset }: LocatedEntry): ByteSource {
  return subSource(source, dataOffset, entry.compressedSize);
}

/**
 * A stored member's bytes: as many as both sizes allow, as Python's zipfile reads them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource, readAll } from "../../core/byte_source.ts";
 * import { listEntries } from "./directory.ts";
 * import { findEndRecord } from "./end_record.ts";
 * import { storedBytes } from "./members.ts";
 * // Python's zipfile: one stored member, data.pkl, holding pickle.dumps(None, 4)
 * const zip = "UEsDBBQAAAAAAAAAIVC/rjh5BAAAAAQAAAAIAAAAZGF0YS5wa2yABE4uUEsBAhQDFAAAAAAAAAAhUL+uOHkEAAAABAAAAAgAAAAAAAAAAAAAAIABAAAAAGRhdGEucGtsUEsFBgAAAAABAAEANgAAACoAAAAAAA==";
 * const source = bytesSource(Uint8Array.fromBase64(zip));
 * const [entry] = (await listEntries(source, (await findEndRecord(source))!, new AbortController().signal)).entries;
 * const bytes = storedBytes(source, { entry, dataOffset: 38 }); // after the 30-byte local header and the name
 * assert.deepEqual(await readAll(bytes), new Uint8Array([0x80, 4, 0x4e, 0x2e]));
 * ```
 */
export function storedBytes(source: ByteSource, { entry, dataOffset }: LocatedEntry): ByteSource {
  return subSource(source, dataOffset, Math.min(entry.compressedSize, entry.size));
}

/** Passes decoded bytes through, and checks their CRC-32 once they have all gone by. */
function crcCheck(
  entry: CentralEntry,
  onMismatch: (actual: number) => void,
): TransformStream<Uint8Array, Uint8Array> {
  const crc = new Crc32();
  let count = 0;
  return new TransformStream({
    transform(chunk, controller) {
      crc.update(chunk);
      count += chunk.length;
      controller.enqueue(chunk);
    },
    flush() {
      // A size that disagrees is the engine's finding; a checksum is only meaningful over the declared bytes.
      if (count === entry.size && crc.value !== entry.crc32) onMismatch(crc.value);
    },
  });
}

/**
 * An LZMA member's decoded bytes: its data, given an LZMA-alone header (its properties and
 * its size, or "until the end marker") in front, is what the LZMA-alone decoder reads.
 */
async function* unlzma(
  compressed: ByteSource,
  entry: CentralEntry,
  maxDecodedBytes: number,
): AsyncGenerator<Uint8Array> {
  const head = await compressed.read(0, LZMA_HEADER_BYTES);
  const propertiesSize = head.length === LZMA_HEADER_BYTES ? head[2] | (head[3] << 8) : -1;
  if (propertiesSize !== 5) {
    throw new DecodeError("lzma", `malformed member header (properties size ${propertiesSize})`);
  }
  const alone = new Uint8Array(13);
  alone.set(head.subarray(4));
  const size = (entry.flags & FLAG_LZMA_END_MARKER) !== 0 ? 0xffffffffffffffffn : BigInt(entry.size);
  new DataView(alone.buffer).setBigUint64(5, size, true);
  const data = subSource(compressed, LZMA_HEADER_BYTES, compressed.size - LZMA_HEADER_BYTES);
  yield* lzmaAloneChunks(concatSources(bytesSource(alone), data), maxDecodedBytes);
}

/**
 * The decoded bytes of a compressed member, from the start; an LZMA member's, up to
 * `maxLzmaBytes` (the `lzma.maxDecodedBytes` option: the LZMA decoder keeps its output in memory).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { listEntries } from "./directory.ts";
 * import { findEndRecord } from "./end_record.ts";
 * import { decodeMember } from "./members.ts";
 * // Python's zipfile: one deflated member, data.pkl, holding pickle.dumps(None, 4)
 * const zip = "UEsDBBQAAAAIAAAAIVC/rjh5BgAAAAQAAAAIAAAAZGF0YS5wa2xrYPHTAwBQSwECFAMUAAAACAAAACFQv644eQYAAAAEAAAACAAAAAAAAAAAAAAAgAEAAAAAZGF0YS5wa2xQSwUGAAAAAAEAAQA2AAAALAAAAAAA";
 * const source = bytesSource(Uint8Array.fromBase64(zip));
 * const [entry] = (await listEntries(source, (await findEndRecord(source))!, new AbortController().signal)).entries;
 * const crcs: number[] = [];
 * const hooks = { onCrcMismatch: (actual: number) => crcs.push(actual), onTrailing() {} };
 * const stream = decodeMember(source, { entry, dataOffset: 38 }, hooks, new AbortController().signal);
 * assert.deepEqual(await new Response(stream).bytes(), new Uint8Array([0x80, 4, 0x4e, 0x2e]));
 * assert.deepEqual(crcs, []); // the CRC-32 matches
 * ```
 */
export function decodeMember(
  source: ByteSource,
  located: LocatedEntry,
  hooks: DecodeHooks,
  signal: AbortSignal,
  maxLzmaBytes: number = DEFAULT_LZMA_OPTIONS.maxDecodedBytes,
): ReadableStream<Uint8Array> {
  const compressed = compressedBytes(source, located);
  const { method } = located.entry;
  const decoded = method === METHOD_BZIP2
    ? bunzip2Stream(compressed, signal)
    : method === METHOD_LZMA
    ? generatorStream(unlzma(compressed, located.entry, maxLzmaBytes), signal)
    : inflateRaw(compressed, hooks.onTrailing, signal);
  return decoded.pipeThrough(crcCheck(located.entry, hooks.onCrcMismatch), { signal });
}

/**
 * The member as the engine takes it: a view of a stored member, a decoder for a
 * compressed one (other methods are not members modelaudit can hand over), an LZMA
 * one decoded up to `maxLzmaBytes`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { listEntries } from "./directory.ts";
 * import { findEndRecord } from "./end_record.ts";
 * import { memberContent } from "./members.ts";
 * // Python's zipfile: one deflated member, data.pkl, holding pickle.dumps(None, 4)
 * const zip = "UEsDBBQAAAAIAAAAIVC/rjh5BgAAAAQAAAAIAAAAZGF0YS5wa2xrYPHTAwBQSwECFAMUAAAACAAAACFQv644eQYAAAAEAAAACAAAAAAAAAAAAAAAgAEAAAAAZGF0YS5wa2xQSwUGAAAAAAEAAQA2AAAALAAAAAAA";
 * const source = bytesSource(Uint8Array.fromBase64(zip));
 * const [entry] = (await listEntries(source, (await findEndRecord(source))!, new AbortController().signal)).entries;
 * const content = memberContent(source, { entry, dataOffset: 38 }, { onCrcMismatch() {}, onTrailing() {} });
 * assert.equal(content.kind, "encoded");
 * assert.deepEqual(content.kind === "encoded" && [content.encodedSize, content.declaredSize], [6, 4]);
 * ```
 */
export function memberContent(
  source: ByteSource,
  located: LocatedEntry,
  hooks: DecodeHooks,
  maxLzmaBytes: number = DEFAULT_LZMA_OPTIONS.maxDecodedBytes,
): MemberContent {
  if (located.entry.method === METHOD_STORED) return { kind: "stored", source: storedBytes(source, located) };
  return {
    kind: "encoded",
    encodedSize: located.entry.compressedSize,
    declaredSize: located.entry.size,
    decode: (signal) => decodeMember(source, located, hooks, signal, maxLzmaBytes),
  };
}

/**
 * The CRC-32 of all of `source`, read a chunk at a time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { sourceCrc } from "./members.ts";
 * assert.equal((await sourceCrc(bytesSource(new TextEncoder().encode("123456789")))).toString(16), "cbf43926");
 * ```
 */
export async function sourceCrc(source: ByteSource): Promise<number> {
  const crc = new Crc32();
  for (let at = 0; at < source.size;) {
    const chunk = await source.read(at, CRC_READ_BYTES);
    if (chunk.length === 0) break;
    crc.update(chunk);
    at += chunk.length;
  }
  return crc.value;
}

/** Reads up to `limit` bytes of a stream, then cancels it; `complete` when the stream ended cleanly first. */
async function readStream(
  stream: ReadableStream<Uint8Array>,
  limit: number,
): Promise<{ bytes: Uint8Array; complete: boolean; failed: boolean }> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  let complete = false;
  let failed = false;
  try {
    while (length < limit) {
      const { done, value } = await reader.read();
      if (done) {
        complete = true;
        break;
      }
      chunks.push(value);
      length += value.length;
    }
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    failed = true;
  } finally {
    reader.cancel().catch(() => undefined);
  }
  const bytes = new Uint8Array(Math.min(length, limit));
  let at = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, bytes.length - at);
    bytes.set(part, at);
    at += part.length;
  }
  return { bytes, complete, failed };
}

const NO_HOOKS: DecodeHooks = { onCrcMismatch() {}, onTrailing() {} };

/**
 * Whether a member flagged as encrypted reads as plain data, as a loader that
 * ignores the flag would read it: a stored member whose sizes agree (encryption
 * adds a header), or a compressed one that decodes cleanly (to its declared size,
 * or for {@linkcode PLAIN_PROBE_BYTES}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { listEntries } from "./directory.ts";
 * import { findEndRecord } from "./end_record.ts";
 * import { readsAsPlain } from "./members.ts";
 * // Python's zipfile: one deflated member, data.pkl, holding pickle.dumps(None, 4)
 * const zip = "UEsDBBQAAAAIAAAAIVC/rjh5BgAAAAQAAAAIAAAAZGF0YS5wa2xrYPHTAwBQSwECFAMUAAAACAAAACFQv644eQYAAAAEAAAACAAAAAAAAAAAAAAAgAEAAAAAZGF0YS5wa2xQSwUGAAAAAAEAAQA2AAAALAAAAAAA";
 * const source = bytesSource(Uint8Array.fromBase64(zip));
 * const [entry] = (await listEntries(source, (await findEndRecord(source))!, new AbortController().signal)).entries;
 * // Were it flagged encrypted, a loader that ignores the flag would still read it.
 * assert.equal(await readsAsPlain(source, { entry: { ...entry, flags: entry.flags | 1 }, dataOffset: 38 }), true);
 * const scrambled = { entry: { ...entry, flags: 1, size: 100_000 }, dataOffset: 30 }; // really encrypted data fails to inflate
 * assert.equal(await readsAsPlain(source, scrambled), false);
 * ```
 */
export async function readsAsPlain(source: ByteSource, located: LocatedEntry): Promise<boolean> {
  const { entry } = located;
  if (entry.method === METHOD_STORED) return entry.compressedSize === entry.size;
  if (!isDecodableMethod(entry.method)) return false;
  const probe = Math.min(entry.size, PLAIN_PROBE_BYTES);
  const signal = new AbortController().signal;
  const { bytes, complete, failed } = await readStream(
    decodeMember(source, located, NO_HOOKS, signal),
    probe,
  );
  // Fewer bytes than asked for means the stream ended short of the declared size.
  return !failed && bytes.length === probe && (probe === entry.size || !complete);
}

/**
 * The decoded content of an entry for an archive profile, at most
 * `maxBytes` (the `zip.maxProfileReadBytes` option): what decodes before any corruption, and
 * nothing for a member that cannot be decoded. Rejects for a larger entry, which
 * a profile checks the size of first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { listEntries } from "./directory.ts";
 * import { findEndRecord } from "./end_record.ts";
 * import { readEntry } from "./members.ts";
 * // Python's zipfile: one deflated member, data.pkl, holding pickle.dumps(None, 4)
 * const zip = "UEsDBBQAAAAIAAAAIVC/rjh5BgAAAAQAAAAIAAAAZGF0YS5wa2xrYPHTAwBQSwECFAMUAAAACAAAACFQv644eQYAAAAEAAAACAAAAAAAAAAAAAAAgAEAAAAAZGF0YS5wa2xQSwUGAAAAAAEAAQA2AAAALAAAAAAA";
 * const source = bytesSource(Uint8Array.fromBase64(zip));
 * const [entry] = (await listEntries(source, (await findEndRecord(source))!, new AbortController().signal)).entries;
 * assert.deepEqual(await readEntry(source, { entry, dataOffset: 38 }, true), new Uint8Array([0x80, 4, 0x4e, 0x2e]));
 * assert.deepEqual(await readEntry(source, { entry, dataOffset: 38 }, false), new Uint8Array()); // not decodable
 * ```
 */
export async function readEntry(
  source: ByteSource,
  located: LocatedEntry,
  decodable: boolean,
  maxBytes: number = DEFAULT_ZIP_OPTIONS.maxProfileReadBytes,
): Promise<Uint8Array> {
  const { entry } = located;
  if (entry.size > maxBytes) {
    throw new Error(
      `${entry.name} declares ${entry.size} bytes, more than ${maxBytes} a profile may read`,
    );
  }
  if (!decodable) return new Uint8Array(0);
  if (entry.method === METHOD_STORED) return readAll(storedBytes(source, located));
  const signal = new AbortController().signal;
  return (await readStream(decodeMember(source, located, NO_HOOKS, signal), entry.size)).bytes;
}
