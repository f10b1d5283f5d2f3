/**
 * xz: what `lzma.open` (its default format) and `joblib.dump(..., compress="xz")` write.
 * Decoded by xz-decompress (xz-embedded compiled to WebAssembly), which reads concatenated
 * streams and their padding as `lzma.LZMAFile` does, within a 64 MiB dictionary.
 *
 * Two properties of that decoder shape this module:
 * - When a step fails it drops the output that step produced, so bytes after the last stream
 *   would cost the stream's last decoded bytes (where a payload would sit). After a failure the
 *   file is therefore decoded once more, its input fed a byte at a time from the piece the
 *   failing step read: the step that fails then holds no decoded bytes.
 * - It decodes one stream at a time and makes any other wait: an xz stream nested in an xz
 *   stream that is still being read would wait forever. Such a nested stream is reported as not
 *   decodable instead (MA212); open streams are counted per scanned file.
 *
 * @module
 */

import xz from "xz-decompress";
import type { ByteSource } from "../../core/byte_source.ts";
import type { Scanner } from "../../core/scanner.ts";
import { DecodeError } from "../../core/decode_error.ts";
import { compressedScanner, generatorStream, INPUT_CHUNK_BYTES, skipBytes } from "./codec.ts";

const { XzReadableStream } = xz;

/** Integrity check id of SHA-256, which xz-embedded as built here does not support. */
const CHECK_SHA256 = 0x0a;

/** What xz-embedded's error codes mean, for messages. */
const XZ_ERRORS: Readonly<Record<string, string>> = {
  "3": "out of memory",
  "4": "its dictionary is larger than the 64 MiB this decoder allows",
  "5": "bytes that are not an xz stream (after the last stream, or a damaged header)",
  "6": "an integrity check or filter this decoder does not support",
  "7": "corrupt data",
  "8": "truncated, or followed by bytes that are not an xz stream",
};

/** xz streams being decoded, per scanned file (keyed by the file's abort signal). */
const openStreams = new WeakMap<AbortSignal, number>();

function countOpen(file: AbortSignal, delta: number): void {
  openStreams.set(file, (openStreams.get(file) ?? 0) + delta);
}

/** xz-embedded's status code, which xz-decompress reports as `... error code N`, as a decode error; else a bug. */
function xzError(error: unknown): unknown {
  const code = error instanceof Error ? error.message.match(/error code (\d+)/)?.[1] : undefined;
  if (code === undefined) return error;
  return new DecodeError("xz", `${XZ_ERRORS[code] ?? "error"} (xz-embedded code ${code})`, { cause: error });
}

/** Where a decoding pass has read its input up to: the start of the last piece handed to the decoder. */
interface PassProgress {
  lastPieceStart: number;
}

/** One decoding pass; input from `fineFrom` on is fed a byte at a time. */
async function* xzPass(
  source: ByteSource,
  file: AbortSignal,
  fineFrom: number,
  progress: PassProgress,
): AsyncGenerator<Uint8Array> {
  let offset = 0;
  // highWaterMark 0: the decoder pulls a piece only once it has used the last one up.
  const input = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const size = offset >= fineFrom ? 1 : Math.min(INPUT_CHUNK_BYTES, fineFrom - offset);
      const piece = offset < source.size ? await source.read(offset, size) : new Uint8Array(0);
      if (piece.length === 0) return controller.close();
      progress.lastPieceStart = offset;
      offset += piece.length;
      controller.enqueue(piece.slice());
    },
  }, { highWaterMark: 0 });
  countOpen(file, 1);
  try {
    for await (const chunk of new XzReadableStream(input)) yield chunk;
  } catch (error) {
    throw xzError(error);
  } finally {
    countOpen(file, -1);
  }
}

/** All streams of `source`; after a failure, a second pass recovers what the failing step dropped. */
async function* unxz(source: ByteSource, file: AbortSignal, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  const progress: PassProgress = { lastPieceStart: 0 };
  let emitted = 0;
  try {
    for await (const chunk of xzPass(source, file, Infinity, progress)) {
      emitted += chunk.length;
      yield chunk;
    }
    return;
  } catch (error) {
    if (signal.aborted) throw error;
  }
  yield* skipBytes(xzPass(source, file, progress.lastPieceStart, { lastPieceStart: 0 }), emitted);
}

/**
 * The xz scanner for the registry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { xzScanner } from "./xz.ts";
 * // lzma.compress(b"hello"): an xz stream checked with CRC64
 * const file = Uint8Array.fromBase64("/Td6WFoAAATm1rRGAgAhARYAAAB0L+WjAQAEaGVsbG8AAAAAsTe52+XaHpsAAR0FuC2Arx+2830BAAAAAARZWg==");
 * const { ctx, members } = recordingContext("model.pkl.xz");
 * await xzScanner.scan(bytesSource(file), ctx);
 * assert.deepEqual(members.map((m) => m.name), ["model.pkl"]); // the engine decodes and scans it
 * ```
 */
export const xzScanner: Scanner = compressedScanner({
  id: "xz",
  async open(source, ctx) {
    const flags = await source.read(6, 2);
    if (flags[1] === CHECK_SHA256) {
      return {
        undecodable:
          "The xz stream is checked with SHA-256, which this version's xz decoder does not support",
      };
    }
    const file = ctx.signal;
    if ((openStreams.get(file) ?? 0) > 0) {
      return {
        undecodable:
          "An xz stream nested in an xz stream that is still being read cannot be decoded: the xz decoder decodes one stream at a time",
      };
    }
    return { decode: (signal) => generatorStream(unxz(source, file, signal), signal) };
  },
});
