/**
 * Finding a zip's end-of-central-directory record the way loaders do: Python's
 * zipfile and miniz (torch.load) both search the last 64 KiB + 22 bytes of a file
 * backwards for the record's signature, so an archive may carry a comment or
 * junk after it, and anything before it. The record found is the last one whose
 * central directory is plausible (a central header where the record says, or
 * where it must be), which also tells a zip appended to a pickle from bytes that
 * merely contain the signature.
 *
 * @module
 */

import type { ByteSource } from "../../core/byte_source.ts";

/** Bytes of the end record without its comment. */
export const END_RECORD_BYTES = 22;

/** The longest comment a record can declare: loaders search no further back than this. */
const MAX_COMMENT_BYTES = 0xffff;

/** Bytes at the end of a file that loaders search for the end record. */
export const END_RECORD_SEARCH_BYTES: number = END_RECORD_BYTES + MAX_COMMENT_BYTES;

const END_SIGNATURE = 0x06054b50;
const END_SIGNATURE_FIRST_BYTE = END_SIGNATURE & 0xff;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_END_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const ZIP64_LOCATOR_BYTES = 20;
const ZIP64_END_BYTES = 56;

/** Signatures tried per search: a real tail holds one or two; thousands are an attack on the search. */
const MAX_CANDIDATES = 64;

/** What the end record (and its zip64 twin, when there is one) declares. */
export interface EndRecord {
  /** Offset of the end record in the source. */
  offset: number;
  /** First byte after the record and its comment (at most the source's size): anything after is appended. */
  end: number;
  /** Entries the central directory declares. */
  entries: number;
  /** Bytes of the central directory. */
  directorySize: number;
  /** Where the central directory really starts in the source (the record's offset, or where it must be). */
  directoryOffset: number;
  /** The central directory's offset as the record states it (from the archive's own start). */
  storedDirectoryOffset: number;
  /** Whether the sizes came from a zip64 record. */
  zip64: boolean;
  /** Fields on which the classic record disagrees with the zip64 record it defers to (readers differ on which they use). */
  disagrees: string[];
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

async function signatureAt(source: ByteSource, offset: number, signature: number): Promise<boolean> {
  if (offset < 0 || offset + 4 > source.size) return false;
  const bytes = await source.read(offset, 4);
  return bytes.length === 4 && view(bytes).getUint32(0, true) === signature;
}

/** The 64-bit value as a number, or `undefined` past what a number holds exactly (no real file is that large). */
function safe(value: bigint): number | undefined {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
}

/** The zip64 record a classic record at `offset` defers to, if it is where its locator (or the record) says. */
async function zip64Record(
  source: ByteSource,
  offset: number,
): Promise<{ at: number; entries: number; directorySize: number; directoryOffset: number } | undefined> {
  const locatorAt = offset - ZIP64_LOCATOR_BYTES;
  if (!(await signatureAt(source, locatorAt, ZIP64_LOCATOR_SIGNATURE))) return undefined;
  const locator = view(await source.read(locatorAt, ZIP64_LOCATOR_BYTES));
  // Data prepended to the archive shifts the record from where the locator says to right before it.
  const candidates = [safe(locator.getBigUint64(8, true)), locatorAt - ZIP64_END_BYTES];
  for (const at of candidates) {
    if (at === undefined || !(await signatureAt(source, at, ZIP64_END_SIGNATURE))) continue;
    const record = await source.read(at, ZIP64_END_BYTES);
    if (record.length < ZIP64_END_BYTES) continue;
    const fields = view(record);
    const entries = safe(fields.getBigUint64(32, true));
    const directorySize = safe(fields.getBigUint64(40, true));
    const directoryOffset = safe(fields.getBigUint64(48, true));
    if (entries === undefined || directorySize === undefined || directoryOffset === undefined) continue;
    return { at, entries, directorySize, directoryOffset };
  }
  return undefined;
}

/** Reads the record at `offset` in `tail` (which starts at `tailStart`); `undefined` when it is not plausible. */
async function readRecord(
  source: ByteSource,
  tail: Uint8Array,
  tailStart: number,
  offset: number,
): Promise<EndRecord | undefined> {
  const fields = view(tail.subarray(offset - tailStart, offset - tailStart + END_RECORD_BYTES));
  const end = Math.min(source.size, offset + END_RECORD_BYTES + fields.getUint16(20, true));
  const classic = {
    entries: fields.getUint16(10, true),
    directorySize: fields.getUint32(12, true),
    directoryOffset: fields.getUint32(16, true),
  };
  let { entries, directorySize, directoryOffset: storedOffset } = classic;
  let directoryEnd = offset;
  const saturated = entries === 0xffff || directorySize === 0xffffffff || storedOffset === 0xffffffff;
  // Python's zipfile and miniz take the zip64 record whenever its locator precedes the end record.
  const record = await zip64Record(source, offset);
  if (saturated && !record) return undefined;
  const zip64 = record !== undefined;
  const disagrees: string[] = [];
  if (record) {
    for (const field of ["entries", "directorySize", "directoryOffset"] as const) {
      const limit = field === "entries" ? 0xffff : 0xffffffff;
      if (classic[field] !== limit && classic[field] !== record[field]) disagrees.push(field);
    }
    ({ entries, directorySize, directoryOffset: storedOffset } = record);
    directoryEnd = record.at;
  }
  const found = (directoryOffset: number) => ({
    offset,
    end,
    entries,
    directorySize,
    directoryOffset,
    storedDirectoryOffset: storedOffset,
    zip64,
    disagrees,
  });
  // An empty archive has no directory to check: only one that ends the source is taken for one, or
  // zeros after four stray bytes in a tensor would make a pickle a zip.
  if (entries === 0 && directorySize === 0) return end === source.size ? found(directoryEnd) : undefined;
  // Python's zipfile reads the directory right before the record (a zip appended to other data keeps
  // offsets from its own start); the stored offset is the other place a loader may look.
  for (const at of [directoryEnd - directorySize, storedOffset]) {
    if (await signatureAt(source, at, CENTRAL_SIGNATURE)) return found(at);
  }
  return undefined;
}

/**
 * The last offset at or before `from` where an end signature may start (its first byte, `P`), or -1:
 * a builtin search from one `P` to the one before, rather than a read at every offset.
 */
function signatureStartBefore(tail: Uint8Array, from: number): number {
  return from < 0 ? -1 : tail.lastIndexOf(END_SIGNATURE_FIRST_BYTE, from);
}

/**
 * The last plausible end-of-central-directory record in the last
 * {@linkcode END_RECORD_SEARCH_BYTES} of `source`, if any.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { findEndRecord } from "./end_record.ts";
 * const empty = new Uint8Array([0x50, 0x4b, 5, 6, ...new Uint8Array(18)]);
 * assert.equal((await findEndRecord(bytesSource(empty)))?.entries, 0);
 * assert.equal(await findEndRecord(bytesSource(new Uint8Array(22))), undefined);
 * assert.equal(await findEndRecord(bytesSource(empty.subarray(0, 21))), undefined); // shorter than a record
 * ```
 */
export async function findEndRecord(source: ByteSource): Promise<EndRecord | undefined> {
  const length = Math.min(source.size, END_RECORD_SEARCH_BYTES);
  const tailStart = source.size - length;
  const tail = await source.read(tailStart, length);
  const fields = view(tail);
  let candidates = 0;
  for (
    let at = signatureStartBefore(tail, tail.length - END_RECORD_BYTES);
    at >= 0 && candidates < MAX_CANDIDATES;
    at = signatureStartBefore(tail, at - 1)
  ) {
    if (fields.getUint32(at, true) !== END_SIGNATURE) continue;
    candidates++;
    const record = await readRecord(source, tail, tailStart, tailStart + at);
    if (record) return record;
  }
  return undefined;
}
