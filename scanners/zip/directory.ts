/**
 * Reading a zip's central directory as Python's zipfile and miniz (torch.load)
 * read it: from where the end record finder placed it ({@linkcode EndRecord}),
 * header by header, through a window over the {@linkcode ByteSource}. Each entry
 * is reduced at once to the few fields the checks need, so memory grows with the
 * entries listed (at most the `zip.maxEntries` option), never with what the
 * directory claims.
 *
 * The directory is read here and not by a zip library because the library must
 * read it where loaders do. zip.js 2.24 reconciles the stored offset with "right
 * before the end record" while ignoring a zip64 end record the classic record
 * does not defer to; torch writes both records, and when the first central header
 * is exactly as long as the two zip64 records (76 bytes: a 21-character archive
 * name), zip.js lands on the second header and fails the whole listing.
 *
 * @module
 */

import type { ByteSource } from "../../core/byte_source.ts";
import { Crc32 } from "./crc32.ts";
import type { EndRecord } from "./end_record.ts";
import { DEFAULT_ZIP_OPTIONS, type ZipOptions } from "../option_catalog.ts";
import { windowedSource } from "./window.ts";

/** Entries between checks of the abort signal. */
const ABORT_CHECK_ENTRIES = 1024;

/** Bytes of a central header before its name. */
const CENTRAL_HEADER_BYTES = 46;
const CENTRAL_SIGNATURE = 0x02014b50;
/** Extra field ids: zip64 extended information, and Info-ZIP's Unicode Path. */
const ZIP64_EXTRA = 0x0001;
const UNICODE_PATH_EXTRA = 0x7075;
/** A 32-bit field saturated to say its value is in the zip64 extra field. */
const SATURATED = 0xffffffff;

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
  /** The name an Info-ZIP Unicode Path extra field gives extractors that honour it, when it differs. */
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
  /** Offset of the local header in the source (shifted, as Python's zipfile does, by data before the archive). */
  headerOffset: number;
  /** External attributes: a Unix mode in the upper 16 bits when made on Unix. */
  externalAttributes: number;
}

/** What listing the central directory gave. */
export interface Listing {
  /** The entries read, in directory order. */
  entries: CentralEntry[];
  /** Why the listing stopped early or is in doubt: the directory is malformed (`message`), or a limit was met. */
  stopped?: { kind: "malformed"; message: string } | { kind: "entries" } | {
    kind: "directory";
    bytes: number;
  };
}

/**
 * Decodes a name as Python's zipfile does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeName } from "./directory.ts";
 * assert.equal(decodeName(new Uint8Array([0x61, 0x81]), 0), "aü"); // code page 437 without the UTF-8 flag
 * assert.equal(decodeName(new Uint8Array([0xc3, 0xbc]), 0x0800), "ü");
 * ```
 */
export function decodeName(raw: Uint8Array, flags: number): string {
  if (flags & FLAG_UTF8) return new TextDecoder().decode(raw);
  let name = "";
  for (const byte of raw) name += byte < 0x80 ? String.fromCharCode(byte) : CP437_HIGH[byte - 0x80];
  return name;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The sizes and offset a zip64 extra field holds for the saturated ones, in the order Python reads them. */
interface Wide {
  size: number;
  compressedSize: number;
  headerOffset: number;
}

/**
 * Replaces the saturated fields of `wide` from a zip64 extra field; a reason when the field is too
 * short for them (Python's zipfile and miniz then refuse the archive).
 */
function readZip64(data: Uint8Array, wide: Wide): string | undefined {
  const fields = view(data);
  let at = 0;
  for (const key of ["size", "compressedSize", "headerOffset"] as const) {
    if (wide[key] !== SATURATED) continue;
    if (at + 8 > data.length) return `its zip64 extra field lacks the ${key}`;
    const value = fields.getBigUint64(at, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) return `its zip64 ${key} is beyond any real file`;
    wide[key] = Number(value);
    at += 8;
  }
  return undefined;
}

/** The Unicode Path extra field's name, if the field is valid for `rawName` (Info-ZIP's rules, as zip.js). */
function unicodePath(data: Uint8Array, rawName: Uint8Array, flags: number): string | undefined {
  if (data.length < 5 || data[0] !== 1 || flags & FLAG_UTF8) return undefined;
  const crc = new Crc32();
  crc.update(rawName);
  if (view(data).getUint32(1, true) !== crc.value) return undefined;
  return new TextDecoder().decode(data.subarray(5));
}

/** The entry whose central header is `header` (its name, extra field and comment included), or why it is malformed. */
function parseEntry(header: Uint8Array, index: number, shift: number): CentralEntry | string {
  const fields = view(header);
  const flags = fields.getUint16(8, true);
  const nameLength = fields.getUint16(28, true);
  const extraLength = fields.getUint16(30, true);
  const rawName = header.slice(CENTRAL_HEADER_BYTES, CENTRAL_HEADER_BYTES + nameLength);
  const name = decodeName(rawName, flags);
  const wide: Wide = {
    size: fields.getUint32(24, true),
    compressedSize: fields.getUint32(20, true),
    headerOffset: fields.getUint32(42, true),
  };
  let extraName: string | undefined;
  const extra = header.subarray(
    CENTRAL_HEADER_BYTES + nameLength,
    CENTRAL_HEADER_BYTES + nameLength + extraLength,
  );
  const extraFields = view(extra);
  // Each field takes at least its 4-byte head, so the walk ends within 16 384 steps.
  for (let at = 0; at + 4 <= extra.length;) {
    const id = extraFields.getUint16(at, true);
    const data = extra.subarray(at + 4, at + 4 + extraFields.getUint16(at + 2, true));
    if (id === ZIP64_EXTRA) {
      const problem = readZip64(data, wide);
      if (problem) return problem;
    } else if (id === UNICODE_PATH_EXTRA) {
      const other = unicodePath(data, rawName, flags);
      if (other !== undefined && other !== name) extraName = other;
    }
    at += 4 + data.length;
  }
  return {
    index,
    name,
    rawName,
    ...(extraName === undefined ? {} : { extraName }),
    flags,
    method: fields.getUint16(10, true),
    crc32: fields.getUint32(16, true),
    compressedSize: wide.compressedSize,
    size: wide.size,
    headerOffset: wide.headerOffset + shift,
    externalAttributes: fields.getUint32(38, true),
  };
}

/**
 * Lists the central directory of the archive that `record` ends, up to
 * `options.maxEntries` entries, refusing a directory of more than `options.maxDirectoryBytes`. It reads
 * entries for as many bytes as the directory takes (as Python's zipfile does; a
 * count that disagrees is reported), and shifts local header offsets by the data
 * before the archive, as Python's zipfile does. Never throws on malformed input:
 * a listing cut short says why in `stopped`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { findEndRecord } from "./end_record.ts";
 * import { listEntries } from "./directory.ts";
 * // Python's zipfile: one deflated member, data.pkl, holding pickle.dumps(None, 4)
 * const zip = "UEsDBBQAAAAIAAAAIVC/rjh5BgAAAAQAAAAIAAAAZGF0YS5wa2xrYPHTAwBQSwECFAMUAAAACAAAACFQv644eQYAAAAEAAAACAAAAAAAAAAAAAAAgAEAAAAAZGF0YS5wa2xQSwUGAAAAAAEAAQA2AAAALAAAAAAA";
 * const source = bytesSource(Uint8Array.fromBase64(zip));
 * const listing = await listEntries(source, (await findEndRecord(source))!, new AbortController().signal);
 * assert.deepEqual(listing.entries.map((e) => [e.name, e.method, e.size]), [["data.pkl", 8, 4]]);
 * ```
 */
export async function listEntries(
  source: ByteSource,
  record: EndRecord,
  signal: AbortSignal,
  options: Readonly<ZipOptions> = DEFAULT_ZIP_OPTIONS,
): Promise<Listing> {
  const { maxEntries, maxDirectoryBytes } = options;
  const entries: CentralEntry[] = [];
  if (record.directorySize > maxDirectoryBytes) {
    return { entries, stopped: { kind: "directory", bytes: record.directorySize } };
  }
  const near = windowedSource(source);
  const end = record.directoryOffset + record.directorySize;
  // Data before the archive moves its records by as much as it moves the directory. A stored offset
  // past the directory (reported by the scanner) moves nothing: the headers are taken where they say.
  const shift = Math.max(0, record.directoryOffset - record.storedDirectoryOffset);
  const malformed = (message: string): Listing => ({ entries, stopped: { kind: "malformed", message } });
  for (let at = record.directoryOffset; at < end;) {
    const index = entries.length;
    if (index >= maxEntries) return { entries, stopped: { kind: "entries" } };
    if (index % ABORT_CHECK_ENTRIES === 0) signal.throwIfAborted();
    const head = await near.read(at, CENTRAL_HEADER_BYTES);
    if (head.length < CENTRAL_HEADER_BYTES || at + CENTRAL_HEADER_BYTES > end) {
      return malformed(`entry ${index} is cut short at ${at}`);
    }
    const fields = view(head);
    if (fields.getUint32(0, true) !== CENTRAL_SIGNATURE) {
      return malformed(`no central directory header for entry ${index} at ${at}`);
    }
    const length = CENTRAL_HEADER_BYTES + fields.getUint16(28, true) + fields.getUint16(30, true) +
      fields.getUint16(32, true);
    const header = await near.read(at, length);
    if (header.length < length || at + length > end) {
      return malformed(`entry ${index} runs past the central directory`);
    }
    const entry = parseEntry(header, index, shift);
    if (typeof entry === "string") return malformed(`entry ${index}: ${entry}`);
    entries.push(entry);
    at += length;
  }
  // A classic count holds the low 16 bits of the real one: old writers wrap it past 65 535 entries.
  const counted = record.zip64 ? entries.length : entries.length % 0x10000;
  if (counted !== record.entries) {
    return malformed(
      `the end record declares ${record.entries} entries, the directory holds ${entries.length}`,
    );
  }
  return { entries };
}
