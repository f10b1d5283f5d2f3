/**
 * bzip2: what `bz2.open` and `joblib.dump(..., compress="bz2")` write. Decoded by seek-bzip one
 * block at a time: bzip2 blocks are independent, each at most 900 kB before its final run-length
 * step, so memory stays bounded whatever the file's size. seek-bzip decodes synchronously from a
 * byte-at-a-time input; each block's compressed bytes are read ahead into a window first. Streams
 * follow one another as `bz2.BZ2File` reads them; anything after the last one is an error here
 * (Python ignores it: the bytes are never read, so they are reported rather than trusted).
 *
 * @module
 */

import seekBzip from "seek-bzip";
import type { ByteSource } from "../../core/byte_source.ts";
import type { Scanner } from "../../core/scanner.ts";
import { DecodeError } from "../../core/decode_error.ts";
import { ByteCollector, compressedScanner, generatorStream } from "./codec.ts";
import { BZIP2_STREAM_HEADER_BYTES, startsBzip2Stream } from "./magic.ts";

/**
 * Compressed bytes one block can take: its symbols are at most 50 × (2^15 − 1) selectors' worth
 * of Huffman codes of at most 20 bits (about 4.1 MB), plus its tables; real blocks stay under 1 MB.
 */
const MAX_BLOCK_INPUT_BYTES = 5 * 1024 * 1024;

/** The parts of seek-bzip's decoder used here (its block-level methods). */
interface Bunzip {
  /** Reads the next block's header and symbols; false at the end of the stream. */
  _init_block(): boolean;
  /** Writes the current block's bytes to the output, checking its CRC. */
  _read_bunzip(): void;
  /** Starts a new stream from the input's current byte. */
  _start_bunzip(input: BzipInput, output: ByteCollector): void;
  /** The bit reader; the stream's CRC follows its last block. */
  reader: { read(bits: number): number };
  /** The CRC the stream's blocks declared, combined. */
  streamCRC: number;
}

/** seek-bzip's module: the decoder's constructor. */
const Bunzip = seekBzip as unknown as new (input: BzipInput, output: ByteCollector) => Bunzip;

/** A window of a source read ahead, read synchronously a byte at a time, as seek-bzip reads. */
class BzipInput {
  /** Offset of the next byte to read. */
  position = 0;
  #window = new Uint8Array(0);
  #windowStart = 0;

  constructor(private readonly source: ByteSource) {}

  /** Reads ahead so that the next `count` bytes (or all that is left) can be read synchronously. */
  async fill(count: number): Promise<void> {
    const want = Math.min(this.source.size, this.position + count);
    const windowEnd = this.#windowStart + this.#window.length;
    if (windowEnd >= want) return;
    const kept = this.#window.subarray(Math.max(0, this.position - this.#windowStart));
    const more = await this.source.read(windowEnd, want - windowEnd);
    const window = new Uint8Array(kept.length + more.length);
    window.set(kept);
    window.set(more, kept.length);
    this.#window = window;
    this.#windowStart = windowEnd - kept.length;
  }

  readByte(): number {
    const index = this.position - this.#windowStart;
    if (index >= this.#window.length) {
      throw new DecodeError(
        "bzip2",
        this.position >= this.source.size
          ? "truncated: the data ends inside a stream"
          : `a block is longer than ${MAX_BLOCK_INPUT_BYTES} bytes, which no bzip2 block can be`,
      );
    }
    this.position++;
    return this.#window[index];
  }

  /** seek-bzip's bulk read: fills `buffer` from `offset` with `length` bytes; returns how many. */
  read(buffer: Uint8Array, offset: number, length: number): number {
    for (let i = 0; i < length; i++) buffer[offset + i] = this.readByte();
    return length;
  }
}

/**
 * seek-bzip reports corrupt data as an error carrying an `errorCode` (a TypeError, oddly); that,
 * and the truncation the input reports, are decode errors. Anything else it throws is a bug.
 */
function bzipError(error: unknown): unknown {
  if (error instanceof DecodeError) return error;
  if (error instanceof Error && typeof (error as { errorCode?: unknown }).errorCode === "number") {
    return new DecodeError("bzip2", error.message, { cause: error });
  }
  return error;
}

/** Every stream of `source`, block by block. */
async function* bunzip(source: ByteSource): AsyncGenerator<Uint8Array> {
  const input = new BzipInput(source);
  const output = new ByteCollector();
  await input.fill(BZIP2_STREAM_HEADER_BYTES);
  let decoder: Bunzip;
  try {
    decoder = new Bunzip(input, output);
  } catch (error) {
    throw bzipError(error);
  }
  for (;;) {
    await input.fill(MAX_BLOCK_INPUT_BYTES);
    let block: boolean;
    try {
      block = decoder._init_block();
      if (block) decoder._read_bunzip();
    } catch (error) {
      // A block whose CRC fails has been written out already: it is handed on, then the error.
      yield* output.take();
      throw bzipError(error);
    }
    yield* output.take();
    if (block) continue;
    let crc: number;
    try {
      crc = decoder.reader.read(32) >>> 0;
    } catch (error) {
      throw bzipError(error);
    }
    if (crc !== decoder.streamCRC >>> 0) {
      throw new DecodeError("bzip2", "the stream's combined CRC does not match");
    }
    if (input.position >= source.size) return;
    await input.fill(BZIP2_STREAM_HEADER_BYTES);
    const next = await source.read(input.position, BZIP2_STREAM_HEADER_BYTES);
    if (!startsBzip2Stream(next)) {
      throw new DecodeError(
        "bzip2",
        `${
          source.size - input.position
        } bytes after the last stream (from byte ${input.position}) are not a bzip2 stream`,
      );
    }
    decoder._start_bunzip(input, output);
  }
}

/**
 * The decoded bytes of every bzip2 stream in `source`, as a web stream that errors
 * where decoding fails (after everything decoded before it), e.g. a zip member
 * compressed with bzip2.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { bunzip2Stream } from "./bzip2.ts";
 * const file = Uint8Array.fromBase64("QlpoOTFBWSZTWRkxZT0AAACBAAJEoAAhmmgzTQczi7kinChIDJiynoA="); // bz2.compress(b"hello")
 * const stream = bunzip2Stream(bytesSource(file), new AbortController().signal);
 * assert.equal(await new Response(stream).text(), "hello");
 * ```
 */
export function bunzip2Stream(source: ByteSource, signal: AbortSignal): ReadableStream<Uint8Array> {
  return generatorStream(bunzip(source), signal);
}

/**
 * The bzip2 scanner for the registry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { bzip2Scanner } from "./bzip2.ts";
 * const file = Uint8Array.fromBase64("QlpoOTFBWSZTWRkxZT0AAACBAAJEoAAhmmgzTQczi7kinChIDJiynoA="); // bz2.compress(b"hello")
 * const { ctx, members } = recordingContext("model.pkl.bz2");
 * await bzip2Scanner.scan(bytesSource(file), ctx);
 * assert.deepEqual(members.map((m) => m.name), ["model.pkl"]); // the engine decodes and scans it
 * ```
 */
export const bzip2Scanner: Scanner = compressedScanner({
  id: "bzip2",
  open: (source) => Promise.resolve({ decode: (signal: AbortSignal) => bunzip2Stream(source, signal) }),
});
