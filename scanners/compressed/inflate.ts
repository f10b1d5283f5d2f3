/**
 * Deflate streams in their gzip and zlib wrappers, decoded as Python reads them: member after
 * member (gzip.GzipFile and joblib's readers go on into a concatenated member), every member's
 * checksum verified, and anything after the last member that is not another member an error.
 * Raw deflate (a zip member's data) ends with its one stream: zlib-based loaders (Python's
 * zipfile, miniz in torch.load) ignore whatever else the member's compressed size covers.
 *
 * Two decoders serve this. The fast one is the runtime's native `DecompressionStream` over the
 * whole file; it accepts exactly one member that ends where the file ends. Given anything after
 * a member it fails, and drops the output of the input piece it was given last, without saying
 * where the member ended. So when it fails, the exact decoder (pako's zlib port, driven step by
 * step) decodes the file again from the start, skipping what the fast one already handed out,
 * and finds where each member ends, what follows it, and what was really wrong.
 *
 * @module
 */

import { Z_BUF_ERROR, Z_NO_FLUSH, Z_OK, Z_STREAM_END, zlibInflate, zlibInflateInit2, ZStream } from "pako";
import type { ByteSource } from "../../core/byte_source.ts";
import { DecodeError } from "../../core/decode_error.ts";
import { generatorStream, INPUT_CHUNK_BYTES, skipBytes } from "./codec.ts";

/** Decoded bytes per step of the exact decoder. */
const OUTPUT_CHUNK_BYTES = 64 * 1024;

/**
 * Decoded bytes one input piece of the native decoder should expand to, once the data's ratio is
 * known: the native decoder turns each piece into one chunk, and deflate reaches 1,032:1, so a
 * fixed 64 KiB piece of a bomb is a 64 MiB chunk (several are in flight at once). Small chunks
 * also keep the garbage small: a worker's collector runs on its own schedule, and a 1 GiB bomb
 * decoded in 1-2 MiB chunks left ~80 MiB of them uncollected at its peak, in 128 KiB chunks ~35.
 */
const TARGET_OUTPUT_BYTES = 64 * 1024;

/** The native decoder's first input piece, before any output tells the ratio: 256 KiB decoded at most. */
const FIRST_INPUT_BYTES = 256;

/** The smallest input piece, for data at the format's highest ratio (64 KiB decoded). */
const MIN_INPUT_BYTES = 64;

/**
 * How a format wraps its deflate streams.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GZIP_FRAMING } from "./gzip.ts";
 * import type { DeflateFraming } from "./inflate.ts";
 * import { ZLIB_FRAMING } from "./zlib.ts";
 * const framings: DeflateFraming[] = [GZIP_FRAMING, ZLIB_FRAMING];
 * assert.deepEqual(framings.map((f) => [f.native, f.windowBits]), [["gzip", 31], ["deflate", 15]]);
 * ```
 */
export interface DeflateFraming {
  /** The format's name in messages. */
  readonly name: string;
  /** The `DecompressionStream` format that reads one whole-file member. */
  readonly native: CompressionFormat;
  /** pako's `windowBits` for one member with its wrapper: 31 for gzip, 15 for zlib. */
  readonly windowBits: number;
  /**
   * Reads the header of the member at `offset`: what to hand pako before the source's bytes
   * from `dataStart` on (a normalised header, or nothing). Throws on a header Python rejects.
   */
  header(source: ByteSource, offset: number): Promise<{ prefix: Uint8Array; dataStart: number }>;
  /** Where the next member starts after one ending at `offset`, or `undefined` at the end; throws on garbage. */
  next(source: ByteSource, offset: number): Promise<number | undefined>;
}

/**
 * The decoded bytes of every member of `source`, as a stream that errors where decoding fails.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { inflateStream } from "./inflate.ts";
 * import { GZIP_FRAMING } from "./gzip.ts";
 * const gzip = async (text: string) =>
 *   await new Response(new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"))).bytes();
 * const gz = new Uint8Array([...await gzip("hello, "), ...await gzip("world")]); // two members
 * const stream = inflateStream(bytesSource(gz), GZIP_FRAMING, new AbortController().signal);
 * assert.equal(await new Response(stream).text(), "hello, world");
 * ```
 */
export function inflateStream(
  source: ByteSource,
  framing: DeflateFraming,
  signal: AbortSignal,
): ReadableStream<Uint8Array> {
  return generatorStream(inflate(source, framing, signal), signal);
}

/**
 * The bytes of `source` in pieces sized so that each decodes to about {@linkcode TARGET_OUTPUT_BYTES},
 * by the ratio of what `emitted` says was decoded so far to what was read.
 */
async function* ratioSizedChunks(
  source: ByteSource,
  emitted: () => number,
): AsyncGenerator<Uint8Array<ArrayBuffer>> {
  for (let offset = 0; offset < source.size;) {
    const decoded = emitted();
    const ratio = decoded / Math.max(1, offset);
    const size = decoded === 0 ? FIRST_INPUT_BYTES : Math.max(
      MIN_INPUT_BYTES,
      Math.min(INPUT_CHUNK_BYTES, Math.floor(TARGET_OUTPUT_BYTES / Math.max(1, ratio))),
    );
    const chunk = await source.read(offset, size);
    if (chunk.length === 0) return;
    offset += chunk.length;
    yield chunk.slice();
  }
}

async function* inflate(source: ByteSource, framing: DeflateFraming, signal: AbortSignal) {
  let emitted = 0;
  try {
    const input = ReadableStream.from(ratioSizedChunks(source, () => emitted));
    for await (const chunk of input.pipeThrough(new DecompressionStream(framing.native))) {
      emitted += chunk.length;
      yield chunk;
    }
    return;
  } catch (error) {
    if (signal.aborted) throw error;
  }
  yield* skipBytes(exactInflate(source, framing), emitted);
}

/** Every member, decoded by pako. */
async function* exactInflate(source: ByteSource, framing: DeflateFraming): AsyncGenerator<Uint8Array> {
  for (let offset: number | undefined = 0; offset !== undefined;) {
    const { prefix, dataStart } = await framing.header(source, offset);
    const end: number = yield* inflateMember(source, framing, prefix, dataStart);
    offset = await framing.next(source, end);
  }
}

/** One member, from its (normalised) header to its checked trailer; returns the offset just past it. */
async function* inflateMember(
  source: ByteSource,
  framing: DeflateFraming,
  prefix: Uint8Array,
  dataStart: number,
): AsyncGenerator<Uint8Array, number> {
  const strm = new ZStream();
  zlibInflateInit2(strm, framing.windowBits);
  const output = new Uint8Array(OUTPUT_CHUNK_BYTES);
  let offset = dataStart;
  let pending: Uint8Array | undefined = prefix.length > 0 ? prefix : undefined;
  for (;;) {
    const fromSource = pending === undefined;
    const input = pending ?? await source.read(offset, INPUT_CHUNK_BYTES);
    pending = undefined;
    if (input.length === 0) throw new DecodeError(framing.name, "truncated: the data ends inside a member");
    strm.input = input;
    strm.next_in = 0;
    strm.avail_in = input.length;
    for (;;) {
      strm.output = output;
      strm.next_out = 0;
      strm.avail_out = output.length;
      const consumedBefore = strm.next_in;
      const status = zlibInflate(strm, Z_NO_FLUSH);
      if (strm.next_out > 0) yield output.slice(0, strm.next_out);
      if (status === Z_STREAM_END) return offset + strm.next_in;
      if (status !== Z_OK && status !== Z_BUF_ERROR) {
        throw new DecodeError(framing.name, strm.msg || `inflate failed (status ${status})`);
      }
      if (strm.avail_in === 0 && strm.avail_out > 0) break;
      if (strm.next_in === consumedBefore && strm.next_out === 0) {
        throw new DecodeError(framing.name, "the decoder made no progress");
      }
    }
    if (fromSource) offset += input.length;
  }
}

/**
 * Raw deflate, as a zip member holds it: one stream, and bytes after it are not data (reported
 * to `onTrailing` with their offset, as loaders ignore them).
 */
function rawFraming(onTrailing: (offset: number) => void): DeflateFraming {
  return {
    name: "deflate",
    native: "deflate-raw",
    windowBits: -15,
    header: () => Promise.resolve({ prefix: new Uint8Array(0), dataStart: 0 }),
    next(source, offset) {
      if (offset < source.size) onTrailing(offset);
      return Promise.resolve(undefined);
    },
  };
}

/**
 * The decoded bytes of the raw deflate data in `compressed` (a zip member's), as a web
 * stream. Bytes after the end of the deflate stream are ignored, as zlib ignores them, and
 * reported to `onTrailing` with their offset; corrupt data errors the stream after
 * everything decoded before it. Cancelling the stream stops the decoding.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { inflateRaw } from "./inflate.ts";
 * const deflated = new Uint8Array([0x4b, 0x4c, 0x4a, 0x06, 0x00, 0xff]); // "abc", then junk
 * const junk: number[] = [];
 * const stream = inflateRaw(bytesSource(deflated), (at) => junk.push(at));
 * assert.equal(await new Response(stream).text(), "abc");
 * assert.deepEqual(junk, [5]);
 * ```
 */
export function inflateRaw(
  compressed: ByteSource,
  onTrailing: (offset: number) => void = () => {},
  signal: AbortSignal = new AbortController().signal,
): ReadableStream<Uint8Array> {
  return inflateStream(compressed, rawFraming(onTrailing), signal);
}
