/**
 * zlib (RFC 1950): what `joblib.dump(..., compress=3)` writes (its default codec) and what
 * `zlib.compress` returns. Streams are read as joblib's reader reads them: one after another
 * (it starts a new decompressor on whatever follows a finished stream), each with its Adler-32
 * checked. A zlib header is only two bytes, so detection also inflates the head: bytes that merely
 * start like a zlib header (`(S` is one, and starts many protocol-0 pickles) fail within a few bytes.
 *
 * @module
 */

import { Z_BUF_ERROR, Z_NO_FLUSH, Z_OK, Z_STREAM_END, zlibInflate, zlibInflateInit2, ZStream } from "pako";
import type { ByteSource } from "../../core/byte_source.ts";
import type { Scanner } from "../../core/scanner.ts";
import { DecodeError } from "../../core/decode_error.ts";
import { compressedScanner } from "./codec.ts";
import { type DeflateFraming, inflateStream } from "./inflate.ts";
import { isZlibHeader } from "./magic.ts";

/** Deflate input a detection trial must get through: random bytes past a valid header fail far sooner. */
const TRIAL_MIN_INPUT_BYTES = 512;

/** Decoded bytes after which a detection trial stops, convinced (and safe from a bomb in the head). */
const TRIAL_MAX_OUTPUT_BYTES = 1024 * 1024;

/** What pako (as zlib) says when a stream's Adler-32 does not match its data. */
const BAD_CHECK_MESSAGE = "incorrect data check";

/** zlib's window size bits, for pako: a zlib wrapper around deflate. */
const ZLIB_WINDOW_BITS = 15;

/**
 * Whether `head` (the first bytes of a source) is a zlib stream: a valid
 * header, and a head that inflates without error, to its end or far enough to be convincing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { detectZlib } from "./zlib.ts";
 * const text = new TextEncoder().encode("(S'echo'\np0\n.");
 * assert.equal(detectZlib(text), false); // a valid header, then invalid deflate data
 * assert.equal(detectZlib(Uint8Array.fromBase64("eJzLSM3JyQcABiwCFQ==")), true); // zlib.compress(b"hello")
 * ```
 */
export function detectZlib(head: Uint8Array): boolean {
  if (head.length < 2 || !isZlibHeader(head[0], head[1])) return false;
  const strm = new ZStream();
  zlibInflateInit2(strm, ZLIB_WINDOW_BITS);
  strm.input = head;
  strm.next_in = 0;
  strm.avail_in = head.length;
  const output = new Uint8Array(64 * 1024);
  for (let produced = 0;;) {
    strm.output = output;
    strm.next_out = 0;
    strm.avail_out = output.length;
    const status = zlibInflate(strm, Z_NO_FLUSH);
    produced += strm.next_out;
    if (status === Z_STREAM_END || produced >= TRIAL_MAX_OUTPUT_BYTES) return true;
    // The deflate data inflated to its end and only the Adler-32 is wrong: zlib, and damaged.
    if (status !== Z_OK && status !== Z_BUF_ERROR) return strm.msg === BAD_CHECK_MESSAGE;
    // The whole head inflated without error: convincing once it is long enough.
    if (strm.avail_in === 0) return strm.total_in >= TRIAL_MIN_INPUT_BYTES;
    // Input left and nothing produced: no progress is possible (a safeguard, never a loop).
    if (strm.next_out === 0) return false;
  }
}

/**
 * How zlib wraps deflate streams, for {@linkcode inflateStream}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { inflateStream } from "./inflate.ts";
 * import { ZLIB_FRAMING } from "./zlib.ts";
 * const file = Uint8Array.fromBase64("eJzLSM3JyQcABiwCFQ=="); // zlib.compress(b"hello")
 * assert.equal(ZLIB_FRAMING.native, "deflate");
 * const stream = inflateStream(bytesSource(file), ZLIB_FRAMING, new AbortController().signal);
 * assert.equal(await new Response(stream).text(), "hello");
 * ```
 */
export const ZLIB_FRAMING: DeflateFraming = {
  name: "zlib",
  native: "deflate",
  windowBits: ZLIB_WINDOW_BITS,
  async header(source: ByteSource, offset: number) {
    const header = await source.read(offset, 2);
    if (header.length === 2 && isZlibHeader(header[0], header[1])) {
      return { prefix: new Uint8Array(0), dataStart: offset };
    }
    throw new DecodeError(
      "zlib",
      offset === 0
        ? "not a zlib stream"
        : `${source.size - offset} bytes after the last stream (from byte ${offset}) are not a zlib stream`,
    );
  },
  next: (source, offset) => Promise.resolve(offset < source.size ? offset : undefined),
};

/**
 * The zlib scanner for the registry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { zlibScanner } from "./zlib.ts";
 * const file = Uint8Array.fromBase64("eJzLSM3JyQcABiwCFQ=="); // zlib.compress(b"hello")
 * const { ctx, members } = recordingContext("model.pkl.z");
 * await zlibScanner.scan(bytesSource(file), ctx);
 * assert.deepEqual(members.map((m) => m.name), ["model.pkl"]); // the engine decodes and scans it
 * ```
 */
export const zlibScanner: Scanner = compressedScanner({
  id: "zlib",
  confirm: detectZlib,
  open: (source) => Promise.resolve({ decode: (signal) => inflateStream(source, ZLIB_FRAMING, signal) }),
});
