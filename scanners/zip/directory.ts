/**
 * Listing a zip's central directory with zip.js, entry by entry from its
 * generator, over a {@linkcode ByteSource}: nothing but the end records and the
 * directory itself is read. Each entry is reduced at once to the few fields the
 * checks need, so memory grows with the entries listed (at most
 * {@linkcode MAX_ZIP_ENTRIES}), never with what the directory claims.
 *
 * @module
 */

import { configure, Reader, ZipReader } from "@zip.js/zip.js";
import { type ByteSource, subSource } from "../../core/byte_source.ts";
import type { EndRecord } from "./end_record.ts";

// zip.js decodes in web workers by default, and a worker delays the process's exit by seconds.
configure({ useWebWorkers: false });

/**
 * Entries listed per archive: five times the engine's default member limit (a checkpoint holds one
 * member per tensor); each costs a few hundred bytes, so the cap bounds memory to a few hundred MB.
 */
export const MAX_ZIP_ENTRIES = 500_000;

/**
 * Bytes zip.js may read at once (the whole central directory is one read): far above the directory
 * of {@linkcode MAX_ZIP_ENTRIES} entries, far below what would exhaust a worker's memory.
 */
export const MAX_DIRECTORY_BYTES = 256 * 1024 * 1024;

/** Entries between checks of the abort signal. */
const ABORT_CHECK_ENTRIES = 1024;

/** Python's zipfile decodes a name without the UTF-8 flag as code page 437: bytes 0x80 to 0xff. */
const CP437_HIGH =
  "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0";

/** General-purpose flag: the name is UTF-8. */
export const FLAG_UTF8 = 0x0800;

/** One central directory entry, as loaders read it. */
export interface CentralEntry {
  /** Position in the central directory, from 0. */
  index: number;
  /** The name as Python's zipfile decodes it (UTF-8 with the flag, else code page 437). */
  name: string;
  /** The name's bytes. */
  rawName: Uint8Array;
  /** zip.js's name when it differs: the one an Info-ZIP Unicode Path extra field gives extractors that honour it. */
  extraName?: string;
  /** General-purpose bit flags. */
  flags: number;
  /** Compression method. */
  method: number;
  /** CRC-32 of the decoded bytes. */
  crc32: number;
  /** Bytes the member takes in the archive. */
  compressedSize: number;
  /** Decoded size. */
  size: number;
  /** Offset of the local header in the source (zip.js shifts it when data was prepended to the archive). */
  headerOffset: number;
  /** External attributes: a Unix mode in the upper 16 bits when made on Unix. */
  externalAttributes: number;
}

/** What listing the central directory gave. */
export interface Listing {
  /** The entries read, in directory order. */
  entries: CentralEntry[];
  /** Where zip.js read the central directory, in the source. */
  directoryOffset?: number;
  /** Why the listing stopped early: the directory is malformed (`message`), or a limit was met. */
  stopped?: { kind: "malformed"; message: string } | { kind: "entries" } | {
    kind: "directory";
    bytes: number;
  };
}

/** A read larger than {@linkcode MAX_DIRECTORY_BYTES}, refused. */
class ReadTooLarge extends Error {
  constructor(readonly bytes: number) {
    super(`refused to read ${bytes} bytes at once`);
  }
}

/** zip.js's view of a {@linkcode ByteSource}: its size and random-access reads, capped. */
class SourceReader extends Reader<ByteSource> {
  readonly #source: ByteSource;

  constructor(source: ByteSource) {
    super(source);
    this.#source = source;
    this.size = source.size;
  }

  override init(): Promise<void> {
    this.size = this.#source.size;
    return Promise.resolve(super.init?.());
  }

  override async readUint8Array(offset: number, length: number): Promise<Uint8Array> {
    if (length > MAX_DIRECTORY_BYTES) throw new ReadTooLarge(length);
    // A copy: zip.js keeps some arrays it reads, and sources may reuse theirs.
    return (await this.#source.read(offset, length)).slice();
  }
}

/**
 * Decodes a name as Python's zipfile does.
 *
 * @example
 * ```ts
 * import { decodeName } from "./directory.ts";
 * decodeName(new Uint8Array([0x61, 0x81]), 0); // "aü"
 * ```
 */
export function decodeName(raw: Uint8Array, flags: number): string {
  if (flags & FLAG_UTF8) return new TextDecoder().decode(raw);
  let name = "";
  for (const byte of raw) name += byte < 0x80 ? String.fromCharCode(byte) : CP437_HIGH[byte - 0x80];
  return name;
}

/** The subset of zip.js's entry the listing reads. */
interface ZipJsEntry {
  filename: string;
  rawFilename: Uint8Array;
  rawBitFlag: number;
  compressionMethod: number;
  crc32?: number;
  compressedSize: number;
  uncompressedSize: number;
  offset: number;
  externalFileAttributes: number;
}

function centralEntry(entry: ZipJsEntry, index: number): CentralEntry {
  const name = decodeName(entry.rawFilename, entry.rawBitFlag);
  return {
    index,
    name,
    rawName: entry.rawFilename,
    extraName: entry.filename === name ? undefined : entry.filename,
    flags: entry.rawBitFlag,
    method: entry.compressionMethod,
    crc32: entry.crc32 ?? 0,
    compressedSize: entry.compressedSize,
    size: entry.uncompressedSize,
    headerOffset: entry.offset,
    externalAttributes: entry.externalFileAttributes,
  };
}

/**
 * Lists the central directory of the archive that `record` ends, up to
 * `maxEntries` ({@linkcode MAX_ZIP_ENTRIES} unless a test lowers it). Never throws on malformed input: a
 * listing cut short says why in `stopped`.
 *
 * @example
 * ```ts
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { findEndRecord } from "./end_record.ts";
 * import { listEntries } from "./directory.ts";
 * const source = bytesSource(new Uint8Array([0x50, 0x4b, 5, 6, ...new Uint8Array(18)]));
 * const listing = await listEntries(source, (await findEndRecord(source))!, new AbortController().signal);
 * listing.entries.length; // 0
 * ```
 */
export async function listEntries(
  source: ByteSource,
  record: EndRecord,
  signal: AbortSignal,
  maxEntries = MAX_ZIP_ENTRIES,
): Promise<Listing> {
  // Cut at the record's end, zip.js finds the same record and sees no appended data.
  const reader = new ZipReader(new SourceReader(subSource(source, 0, record.end)), {
    strictness: "tolerant",
    useWebWorkers: false,
  });
  const entries: CentralEntry[] = [];
  const listing: Listing = { entries };
  const generator = reader.getEntriesGenerator();
  try {
    for await (const entry of generator) {
      if (entries.length >= maxEntries) {
        listing.stopped = { kind: "entries" };
        break;
      }
      if (entries.length % ABORT_CHECK_ENTRIES === 0) signal.throwIfAborted();
      entries.push(centralEntry(entry as unknown as ZipJsEntry, entries.length));
    }
  } catch (error) {
    if (signal.aborted) throw error;
    listing.stopped = error instanceof ReadTooLarge
      ? { kind: "directory", bytes: error.bytes }
      : { kind: "malformed", message: error instanceof Error ? error.message : String(error) };
  } finally {
    await generator.return(true).catch(() => undefined);
  }
  // zip.js keeps where it found the directory, after reconciling offsets shifted by prepended data.
  const offset = (reader as unknown as { directoryOffset?: number }).directoryOffset;
  if (typeof offset === "number") listing.directoryOffset = offset;
  return listing;
}
