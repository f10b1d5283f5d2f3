/**
 * gzip (RFC 1952): what `gzip.open`, `joblib.dump(..., compress="gzip")` and the gzip tool
 * write. Members are read as Python's `gzip.GzipFile` reads them: headers leniently (reserved
 * flags and the header checksum are ignored, as Python ignores them), member after member, with
 * the zero padding between or after members skipped; the trailer's CRC-32 and size are checked.
 * The member is named by the header's FNAME field when there is one.
 *
 * @module
 */

import { type ByteSource, bytesSource } from "../../core/byte_source.ts";
import { HEAD_BYTES } from "../../core/detection.ts";
import type { Scanner } from "../../core/scanner.ts";
import { DecodeError } from "../../core/decode_error.ts";
import { compressedScanner } from "./codec.ts";
import { type DeflateFraming, inflateStream } from "./inflate.ts";

/** Header flags (RFC 1952, section 2.3.1). */
const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;

/** Bytes of the fixed part of a member header. */
const FIXED_HEADER_BYTES = 10;

/** Bytes of a stored name kept; a longer name is skipped past, not kept. */
const MAX_NAME_BYTES = 1024;

/** Bytes read per step while looking for the end of a zero-terminated field or of zero padding. */
const SCAN_STEP_BYTES = 4096;

/**
 * The header pako is given in place of each member's own: the same member without the optional
 * fields, so that pako checks only what Python checks (the trailer).
 */
const NORMALISED_HEADER = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff);

/** A member header as read: where the deflate data starts, and the stored name if any. */
interface GzipHeader {
  dataStart: number;
  name?: string;
}

function truncated(offset: number): DecodeError {
  return new DecodeError("gzip", `truncated: the member header at byte ${offset} is cut short`);
}

/** The offset just past the zero-terminated field at `offset`, and its first bytes. */
async function zeroTerminated(source: ByteSource, offset: number, headerAt: number) {
  const kept: number[] = [];
  for (let at = offset; at < source.size;) {
    const chunk = await source.read(at, SCAN_STEP_BYTES);
    if (chunk.length === 0) break;
    const end = chunk.indexOf(0);
    const text = end < 0 ? chunk : chunk.subarray(0, end);
    for (const byte of text.subarray(0, Math.max(0, MAX_NAME_BYTES - kept.length))) kept.push(byte);
    if (end >= 0) return { end: at + end + 1, kept };
    at += chunk.length;
  }
  throw truncated(headerAt);
}

/**
 * Reads the member header at `offset` as Python's gzip module does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { readGzipHeader } from "./gzip.ts";
 * const header = Uint8Array.of(0x1f, 0x8b, 8, 8, 0, 0, 0, 0, 0, 3, 0x61, 0);
 * assert.equal((await readGzipHeader(bytesSource(header), 0)).name, "a");
 * ```
 */
export async function readGzipHeader(source: ByteSource, offset: number): Promise<GzipHeader> {
  const fixed = await source.read(offset, FIXED_HEADER_BYTES);
  if (fixed.length < FIXED_HEADER_BYTES) throw truncated(offset);
  if (fixed[0] !== 0x1f || fixed[1] !== 0x8b) {
    throw new DecodeError("gzip", `no gzip member at byte ${offset}`);
  }
  if (fixed[2] !== 8) {
    throw new DecodeError(
      "gzip",
      `the member at byte ${offset} uses compression method ${fixed[2]}, not deflate`,
    );
  }
  const flags = fixed[3];
  let at = offset + FIXED_HEADER_BYTES;
  if (flags & FEXTRA) {
    const length = await source.read(at, 2);
    if (length.length < 2) throw truncated(offset);
    at += 2 + (length[0] | (length[1] << 8));
  }
  let name: string | undefined;
  if (flags & FNAME) {
    const field = await zeroTerminated(source, at, offset);
    // RFC 1952: names are ISO 8859-1, one character per byte.
    name = String.fromCharCode(...field.kept);
    at = field.end;
  }
  if (flags & FCOMMENT) at = (await zeroTerminated(source, at, offset)).end;
  if (flags & FHCRC) at += 2;
  if (at > source.size) throw truncated(offset);
  return { dataStart: at, name };
}

/** Where the next member starts after `offset`, past zero padding; `undefined` at the end of the file. */
async function nextMember(source: ByteSource, offset: number): Promise<number | undefined> {
  for (let at = offset; at < source.size;) {
    const chunk = await source.read(at, SCAN_STEP_BYTES);
    if (chunk.length === 0) break;
    const nonZero = chunk.findIndex((byte) => byte !== 0);
    if (nonZero < 0) {
      at += chunk.length;
      continue;
    }
    at += nonZero;
    const magic = await source.read(at, 2);
    if (magic[0] === 0x1f && magic[1] === 0x8b) return at;
    throw new DecodeError(
      "gzip",
      `${source.size - at} bytes after the last member (from byte ${at}) are not a gzip member`,
    );
  }
  return undefined;
}

/**
 * How gzip wraps deflate streams, for {@linkcode inflateStream}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { GZIP_FRAMING } from "./gzip.ts";
 * const gz = await new Response(new Blob(["hello"]).stream().pipeThrough(new CompressionStream("gzip"))).bytes();
 * assert.equal(GZIP_FRAMING.native, "gzip");
 * assert.equal((await GZIP_FRAMING.header(bytesSource(gz), 0)).dataStart, 10);
 * assert.equal(await GZIP_FRAMING.next(bytesSource(gz), gz.length), undefined); // no member after it
 * ```
 */
export const GZIP_FRAMING: DeflateFraming = {
  name: "gzip",
  native: "gzip",
  windowBits: 16 + 15,
  async header(source, offset) {
    const { dataStart } = await readGzipHeader(source, offset);
    return { prefix: NORMALISED_HEADER, dataStart };
  },
  next: nextMember,
};

/**
 * The gzip scanner for the registry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { gzipScanner } from "./gzip.ts";
 * const gz = await new Response(new Blob(["hello"]).stream().pipeThrough(new CompressionStream("gzip"))).bytes();
 * const { ctx, members } = recordingContext("model.pkl.gz");
 * await gzipScanner.scan(bytesSource(gz), ctx);
 * assert.deepEqual(members.map((m) => m.name), ["model.pkl"]); // the engine decodes and scans it
 * ```
 */
export const gzipScanner: Scanner = compressedScanner({
  id: "gzip",
  async open(source) {
    // The name is read from the head only: a name that does not end there is not worth reading on for.
    const head = bytesSource(await source.read(0, HEAD_BYTES));
    const storedName = await readGzipHeader(head, 0).then((header) => header.name, () => undefined);
    return { storedName, decode: (signal) => inflateStream(source, GZIP_FRAMING, signal) };
  },
});
