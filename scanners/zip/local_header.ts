/**
 * Local file headers: where each member's data really starts (30 bytes plus the
 * local name and extra field, which is what miniz and Python's zipfile skip), and
 * how the local header (and a data descriptor) agrees with the central directory.
 * A reader that walks local headers and one that trusts the directory must see
 * the same member, or a scanner can be shown one file and a loader another
 * (CVE-2025-1944).
 *
 * @module
 */

import type { ByteSource } from "../../core/byte_source.ts";
import { type CentralEntry, decodeName } from "./directory.ts";

/** Bytes of a local header before its name. */
export const LOCAL_HEADER_BYTES = 30;

const LOCAL_SIGNATURE = 0x04034b50;
const DESCRIPTOR_SIGNATURE = 0x08074b50;
const ZIP64_EXTRA = 0x0001;

/** General-purpose flag: sizes and CRC follow the data in a data descriptor (the local ones may be zero). */
export const FLAG_DATA_DESCRIPTOR = 0x0008;

/**
 * Flag bits whose disagreement changes how a reader reads the member: encryption, data
 * descriptor, compressed patched data, strong encryption, UTF-8 name, masked local headers.
 */
const COMPARED_FLAGS = 0x0001 | 0x0008 | 0x0020 | 0x0040 | 0x0800 | 0x2000;

/** Name bytes read with the fixed header, so that most headers take one read. */
const NAME_PREFETCH_BYTES = 256;

/** A local header, as far as the checks need it. */
export interface LocalHeader {
  /** General-purpose bit flags. */
  flags: number;
  /** Compression method. */
  method: number;
  /** CRC-32 (zero when deferred to a data descriptor). */
  crc32: number;
  /** Bytes of data (from a zip64 extra field when the fixed field is 0xffffffff). */
  compressedSize: number;
  /** Decoded size (likewise). */
  size: number;
  /** The local name's bytes. */
  rawName: Uint8Array;
  /** Offset of the member's data in the source. */
  dataOffset: number;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Sizes from a zip64 extra field, for those the fixed fields mark 0xffffffff (in the spec's order). */
function zip64Sizes(extra: Uint8Array, size: number, compressedSize: number): [number, number] {
  const fields = view(extra);
  for (let at = 0; at + 4 <= extra.length;) {
    const id = fields.getUint16(at, true);
    const length = fields.getUint16(at + 2, true);
    if (id === ZIP64_EXTRA) {
      let next = at + 4;
      const take = (value: number) => {
        if (value !== 0xffffffff || next + 8 > at + 4 + length || next + 8 > extra.length) return value;
        const wide = Number(fields.getBigUint64(next, true));
        next += 8;
        return wide;
      };
      const decoded = take(size);
      return [decoded, take(compressedSize)];
    }
    at += 4 + length;
  }
  return [size, compressedSize];
}

/**
 * Reads the local header at `offset`, or says why there is none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { readLocalHeader } from "./local_header.ts";
 * const header = new Uint8Array(31);
 * header.set([0x50, 0x4b, 3, 4]);
 * header[26] = 1; // a one-byte name
 * header[30] = 0x61;
 * const local = await readLocalHeader(bytesSource(header), 0);
 * assert.equal(typeof local === "string" ? local : local.dataOffset, 31);
 * assert.equal(await readLocalHeader(bytesSource(header), 1), "no local header at 1");
 * ```
 */
export async function readLocalHeader(source: ByteSource, offset: number): Promise<LocalHeader | string> {
  if (offset < 0 || offset + LOCAL_HEADER_BYTES > source.size) {
    return `its local header at ${offset} lies outside the file`;
  }
  let bytes = await source.read(offset, LOCAL_HEADER_BYTES + NAME_PREFETCH_BYTES);
  const fixed = view(bytes);
  if (fixed.getUint32(0, true) !== LOCAL_SIGNATURE) return `no local header at ${offset}`;
  const nameLength = fixed.getUint16(26, true);
  const extraLength = fixed.getUint16(28, true);
  const variable = nameLength + extraLength;
  if (LOCAL_HEADER_BYTES + variable > bytes.length) {
    bytes = await source.read(offset, LOCAL_HEADER_BYTES + variable);
    if (bytes.length < LOCAL_HEADER_BYTES + variable) return `its local header at ${offset} is truncated`;
  }
  const fields = view(bytes);
  const extra = bytes.subarray(LOCAL_HEADER_BYTES + nameLength, LOCAL_HEADER_BYTES + variable);
  const [size, compressedSize] = zip64Sizes(extra, fields.getUint32(22, true), fields.getUint32(18, true));
  return {
    flags: fields.getUint16(6, true),
    method: fields.getUint16(8, true),
    crc32: fields.getUint32(14, true),
    compressedSize,
    size,
    rawName: bytes.slice(LOCAL_HEADER_BYTES, LOCAL_HEADER_BYTES + nameLength),
    dataOffset: offset + LOCAL_HEADER_BYTES + variable,
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** One field on which a local header (or data descriptor) and the central directory disagree. */
export interface HeaderMismatch {
  /** The field. */
  field: "name" | "flags" | "method" | "crc32" | "compressedSize" | "size";
  /** Its value in the local header or data descriptor. */
  local: string | number;
  /** Its value in the central directory. */
  central: string | number;
}

/**
 * The fields on which `local` disagrees with `central`. CRC and sizes are not
 * compared when the local header defers them to a data descriptor.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { listEntries } from "./directory.ts";
 * import { findEndRecord } from "./end_record.ts";
 * import { compareHeaders, readLocalHeader } from "./local_header.ts";
 * // Python's zipfile: one deflated member, data.pkl, holding pickle.dumps(None, 4)
 * const zip = "UEsDBBQAAAAIAAAAIVC/rjh5BgAAAAQAAAAIAAAAZGF0YS5wa2xrYPHTAwBQSwECFAMUAAAACAAAACFQv644eQYAAAAEAAAACAAAAAAAAAAAAAAAgAEAAAAAZGF0YS5wa2xQSwUGAAAAAAEAAQA2AAAALAAAAAAA";
 * const source = bytesSource(Uint8Array.fromBase64(zip));
 * const [central] = (await listEntries(source, (await findEndRecord(source))!, new AbortController().signal)).entries;
 * const local = await readLocalHeader(source, central.headerOffset);
 * if (typeof local === "string") throw new Error(local);
 * assert.deepEqual(compareHeaders(central, local), []);
 * assert.deepEqual(compareHeaders({ ...central, method: 0 }, local), [{ field: "method", local: 8, central: 0 }]);
 * ```
 */
export function compareHeaders(central: CentralEntry, local: LocalHeader): HeaderMismatch[] {
  const found: HeaderMismatch[] = [];
  if (!sameBytes(central.rawName, local.rawName)) {
    const decode = (raw: Uint8Array) => new TextDecoder().decode(raw);
    found.push({ field: "name", local: decode(local.rawName), central: decode(central.rawName) });
  }
  if ((central.flags & COMPARED_FLAGS) !== (local.flags & COMPARED_FLAGS)) {
    found.push({ field: "flags", local: local.flags, central: central.flags });
  }
  if (central.method !== local.method) {
    found.push({ field: "method", local: local.method, central: central.method });
  }
  if (!(local.flags & FLAG_DATA_DESCRIPTOR)) {
    for (const field of ["crc32", "compressedSize", "size"] as const) {
      if (central[field] !== local[field]) {
        found.push({ field, local: local[field], central: central[field] });
      }
    }
  }
  return found;
}

/**
 * The fields on which the data descriptor after a member's data disagrees with
 * the central directory; none when it matches in its 32-bit or its zip64 form,
 * with or without its optional signature.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { listEntries } from "./directory.ts";
 * import { findEndRecord } from "./end_record.ts";
 * import { compareDescriptor } from "./local_header.ts";
 * // Python's zipfile writing to a pipe: data.pkl's CRC and sizes follow its data, in a data descriptor
 * const zip = "UEsDBBQACAAIAAAAIVAAAAAAAAAAAAAAAAAIAAAAZGF0YS5wa2xrYPHTAwBQSwcIv644eQYAAAAEAAAAUEsBAhQDFAAIAAgAAAAhUL+uOHkGAAAABAAAAAgAAAAAAAAAAAAAAIABAAAAAGRhdGEucGtsUEsFBgAAAAABAAEANgAAADwAAAAAAA==";
 * const source = bytesSource(Uint8Array.fromBase64(zip));
 * const [central] = (await listEntries(source, (await findEndRecord(source))!, new AbortController().signal)).entries;
 * assert.deepEqual(await compareDescriptor(source, central, 38), []); // the data starts at 38
 * const mismatches = await compareDescriptor(source, { ...central, crc32: 0 }, 38);
 * assert.deepEqual(mismatches.map((m) => m.field), ["crc32"]);
 * ```
 */
export async function compareDescriptor(
  source: ByteSource,
  central: CentralEntry,
  dataOffset: number,
): Promise<HeaderMismatch[]> {
  const bytes = await source.read(dataOffset + central.compressedSize, 24);
  const fields = view(bytes);
  const start = bytes.length >= 4 && fields.getUint32(0, true) === DESCRIPTOR_SIGNATURE ? 4 : 0;
  const read32 = (at: number) => (start + at + 4 <= bytes.length ? fields.getUint32(start + at, true) : -1);
  const read64 = (
    at: number,
  ) => (start + at + 8 <= bytes.length ? Number(fields.getBigUint64(start + at, true)) : -1);
  const crc32 = read32(0);
  const narrow = { compressedSize: read32(4), size: read32(8) };
  const wide = { compressedSize: read64(4), size: read64(12) };
  const matches = (sizes: { compressedSize: number; size: number }) =>
    sizes.compressedSize === central.compressedSize && sizes.size === central.size;
  const found: HeaderMismatch[] = [];
  if (crc32 !== central.crc32) found.push({ field: "crc32", local: crc32, central: central.crc32 });
  if (!matches(narrow) && !matches(wide)) {
    for (const field of ["compressedSize", "size"] as const) {
      found.push({ field, local: narrow[field], central: central[field] });
    }
  }
  return found;
}

/**
 * The members a streaming reader finds by walking local headers from the start
 * of `source`, for an archive without a central directory: each header whose
 * sizes it declares, until one that defers them to a data descriptor (its end
 * is unknown), a gap, or `max` members.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { walkLocalHeaders } from "./local_header.ts";
 * assert.equal((await walkLocalHeaders(bytesSource(new Uint8Array(10)), 100)).length, 0);
 * // Python's zipfile: one deflated member, data.pkl, holding pickle.dumps(None, 4)
 * const zip = "UEsDBBQAAAAIAAAAIVC/rjh5BgAAAAQAAAAIAAAAZGF0YS5wa2xrYPHTAwBQSwECFAMUAAAACAAAACFQv644eQYAAAAEAAAACAAAAAAAAAAAAAAAgAEAAAAAZGF0YS5wa2xQSwUGAAAAAAEAAQA2AAAALAAAAAAA";
 * const truncated = Uint8Array.fromBase64(zip).subarray(0, 44); // no central directory left
 * assert.deepEqual((await walkLocalHeaders(bytesSource(truncated), 100)).map((e) => e.name), ["data.pkl"]);
 * ```
 */
export async function walkLocalHeaders(source: ByteSource, max: number): Promise<CentralEntry[]> {
  const entries: CentralEntry[] = [];
  for (let offset = 0; entries.length < max;) {
    const local = await readLocalHeader(source, offset);
    if (typeof local === "string") break;
    if (local.flags & FLAG_DATA_DESCRIPTOR && local.compressedSize === 0) break;
    entries.push({
      index: entries.length,
      name: decodeName(local.rawName, local.flags),
      rawName: local.rawName,
      flags: local.flags,
      method: local.method,
      crc32: local.crc32,
      compressedSize: local.compressedSize,
      size: local.size,
      headerOffset: offset,
      externalAttributes: 0,
    });
    offset = local.dataOffset + local.compressedSize;
  }
  return entries;
}
