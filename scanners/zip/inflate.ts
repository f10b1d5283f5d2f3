/**
 * Raw deflate decoding as zlib-based loaders do it. Python's zipfile and miniz
 * (torch.load) stop at the end of the deflate stream and ignore whatever else the
 * member's compressed size covers; the platform's `DecompressionStream` instead
 * fails on such bytes and drops the output of the input chunk that held them, so
 * a payload followed by one junk byte would never be seen. Here the input is fed
 * in small pieces, and when the decoder fails the same input is decoded again up
 * to the piece that failed and then byte by byte, which finds the exact byte it
 * fails at and yields everything before it.
 *
 * @module
 */

import type { ByteSource } from "../../core/byte_source.ts";

/** Compressed bytes per write: small enough that finding the failing byte costs little, large enough to decode fast. */
const PIECE_BYTES = 16 * 1024;

/** How one decoding pass went. */
type PassEnd = { ok: true } | { ok: false; at: number; error: unknown };

/**
 * Decodes `compressed[0, end)`, written `pieceBytes(at)` at a time, yielding the output
 * after its first `skip` bytes; returns where (the offset of the failed write) and why it failed.
 */
async function* pass(
  compressed: ByteSource,
  end: number,
  skip: number,
  pieceBytes: (at: number) => number,
): AsyncGenerator<Uint8Array, PassEnd> {
  const stream = new DecompressionStream("deflate-raw");
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  let failure: PassEnd = { ok: true };
  // Writes resolve only as output is read (backpressure), so the output of every write before a
  // failed one has been read when the failure errors the stream.
  const feed = (async () => {
    try {
      for (let at = 0; at < end;) {
        const piece = await compressed.read(at, Math.min(pieceBytes(at), end - at));
        if (piece.length === 0) break;
        try {
          // A copy: sources may hand out views they reuse, and streams may transfer what they are given.
          await writer.write(piece.slice());
        } catch (error) {
          failure = { ok: false, at, error };
          return;
        }
        at += piece.length;
      }
      await writer.close().catch(() => undefined);
    } catch (error) {
      // The source failed to read: end the decoder too, or its output would wait for input forever.
      await writer.abort(error).catch(() => undefined);
      throw error;
    }
  })();
  let produced = 0;
  try {
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch {
        break; // the failed write says where and why
      }
      if (result.done) break;
      const chunk = result.value;
      const from = Math.max(0, skip - produced);
      produced += chunk.length;
      if (from < chunk.length) yield chunk.subarray(from);
    }
    await feed;
    return failure;
  } finally {
    feed.catch(() => undefined); // awaited above unless the consumer stopped early
    reader.cancel().catch(() => undefined);
    writer.abort().catch(() => undefined);
  }
}

/** Decodes in pieces; on failure, again up to the failed piece and byte by byte through it. */
async function* inflate(
  compressed: ByteSource,
  expectedSize: number,
  onTrailing: (offset: number) => void,
): AsyncGenerator<Uint8Array> {
  let emitted = 0;
  const counting = async function* (chunks: AsyncGenerator<Uint8Array, PassEnd>) {
    for (;;) {
      const next = await chunks.next();
      if (next.done) return next.value;
      emitted += next.value.length;
      yield next.value;
    }
  };
  const first = yield* counting(pass(compressed, compressed.size, 0, () => PIECE_BYTES));
  if (first.ok) return;
  const pieceEnd = Math.min(compressed.size, first.at + PIECE_BYTES);
  const second = yield* counting(
    pass(compressed, pieceEnd, emitted, (at) => (at < first.at ? PIECE_BYTES : 1)),
  );
  const end = second.ok ? first : second;
  if (end.ok) return;
  // Output complete at the failing byte: the deflate stream ended there and the rest is junk a loader ignores.
  if (emitted === expectedSize) return onTrailing(end.at);
  throw end.error;
}

/**
 * The decoded bytes of the raw deflate data in `compressed`, as a web stream.
 * Bytes after the end of the deflate stream are ignored, as zlib ignores them,
 * and reported to `onTrailing` with their offset once the output has reached
 * `expectedSize`; corrupt data errors the stream after everything decoded
 * before it. Cancelling the stream stops the decoding.
 *
 * @example
 * ```ts
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { inflateRaw } from "./inflate.ts";
 * const deflated = new Uint8Array([0x4b, 0x4c, 0x4a, 0x06, 0x00, 0xff]); // "abc", then junk
 * const stream = inflateRaw(bytesSource(deflated), 3, (at) => console.log(`junk from ${at}`));
 * new TextDecoder().decode(await new Response(stream).arrayBuffer()); // "abc" (junk from 5)
 * ```
 */
export function inflateRaw(
  compressed: ByteSource,
  expectedSize: number,
  onTrailing: (offset: number) => void = () => {},
): ReadableStream<Uint8Array> {
  return ReadableStream.from(inflate(compressed, expectedSize, onTrailing));
}
