/**
 * LZMA-alone (`.lzma`, Python's `lzma.FORMAT_ALONE`): what `joblib.dump(..., compress="lzma")`
 * writes. A 13-byte header (properties, dictionary size, decoded size or −1) and one LZMA stream.
 *
 * Decoded by lzma-purejs (a port of the LZMA SDK's decoder): of the pure-JavaScript LZMA1
 * decoders, the one that hands out its output (through `writeByte`) instead of keeping it, so that
 * the output can be capped (LZMA-JS keeps it all; xz-embedded reads only LZMA2). It decodes
 * synchronously from a byte-at-a-time input, so the compressed bytes are read into memory first
 * and the whole member is decoded in one go, its output capped (`lzma.maxDecodedBytes`). The decoded bytes are kept while
 * the member is scanned (the engine may read them more than once); what lies past the cap is not
 * decoded and reported as MA212.
 *
 * Detection follows liblzma's checks as `lzma.open` and `joblib.load` read the format (its
 * auto-detecting decoder): properties with lc + lp ≤ 4, a dictionary size of the form 2^n or
 * 2^n + 2^(n−1), a decoded size that is −1 or below 2^38, a zero first range-coder byte; plus a
 * dictionary of at least 4 KiB, the least any encoder writes (which keeps zero-filled files out).
 * Structured binary files pass those checks now and then (a MATLAB v4 header does), so the head
 * is also trial-decoded.
 *
 * @module
 */

import lzmaPurejs from "lzma-purejs";
import { type ByteSource, readAll, subSource } from "../../core/byte_source.ts";
import { DecodeError } from "../../core/decode_error.ts";
import type { Scanner } from "../../core/scanner.ts";
import { scannerOptions } from "../options.ts";
import { ByteCollector, compressedScanner, generatorStream, OutputLimitReached } from "./codec.ts";
import {
  LZMA_HEADER_AND_FIRST_BYTE,
  LZMA_HEADER_BYTES,
  type LzmaAloneHeader,
  parseLzmaAloneHeader,
} from "./magic.ts";
import { DEFAULT_LZMA_OPTIONS } from "../option_catalog.ts";

/** Compressed bytes read beyond what the decoded limit can take: headers and the encoder's final flush. */
const INPUT_SLACK_BYTES = 64 * 1024;

/** The parts of lzma-purejs's decoder used here. */
interface LzmaDecoder {
  setDecoderProperties(properties: number[]): boolean;
  code(input: ByteReader, output: ByteCollector, size: number): boolean;
  /** Decoded bytes not yet written out, flushed by hand when decoding fails. */
  _outWindow: { flush(): void };
}

const { LZMA } = lzmaPurejs as unknown as { LZMA: { Decoder: new () => LzmaDecoder } };

/** Thrown by the input when the bytes in memory are used up before the source is. */
class InputLimitReached extends Error {}

/** Thrown by the input when the source ends inside a stream. */
class Truncated extends DecodeError {
  constructor() {
    super("lzma", "truncated: the data ends inside the stream");
  }
}

/** Thrown when a stream ends (cleanly) before the size its header declares. */
class SizeMismatch extends DecodeError {
  constructor(reason: string) {
    super("lzma", reason);
  }
}

/** Bytes in memory read one at a time, as the decoder reads them. */
class ByteReader {
  position = 0;

  /** @param bytes The first bytes of a source of `sourceSize` bytes. */
  constructor(private readonly bytes: Uint8Array, private readonly sourceSize: number) {}

  readByte(): number {
    if (this.position < this.bytes.length) return this.bytes[this.position++];
    throw this.position >= this.sourceSize ? new Truncated() : new InputLimitReached();
  }
}

/**
 * Decodes the stream whose header is at the reader's position into `output`, with a dictionary
 * of `dictionarySize` bytes (the header's, unless a detection trial needs less). Throws on
 * corrupt data, after writing out what was decoded before it.
 */
function decodeStream(
  reader: ByteReader,
  output: ByteCollector,
  header: LzmaAloneHeader,
  dictionarySize = header.dictionarySize,
): void {
  const decoder = new LZMA.Decoder();
  const dictionary = [0, 8, 16, 24].map((shift) => (dictionarySize >>> shift) & 0xff);
  if (!decoder.setDecoderProperties([header.properties, ...dictionary])) {
    throw new DecodeError("lzma", "invalid stream properties");
  }
  reader.position += LZMA_HEADER_BYTES;
  const before = output.written;
  try {
    if (!decoder.code(reader, output, header.decodedSize ?? -1)) {
      throw new DecodeError("lzma", "corrupt data");
    }
  } catch (error) {
    // What the decoder holds but has not written out comes before the failure: hand it on too.
    if (!(error instanceof OutputLimitReached)) flushQuietly(decoder);
    throw error;
  }
  const decoded = output.written - before;
  if (header.decodedSize !== undefined && decoded !== header.decodedSize) {
    throw new SizeMismatch(
      `the stream ends after ${decoded} of the ${header.decodedSize} bytes its header declares`,
    );
  }
}

function flushQuietly(decoder: LzmaDecoder): void {
  try {
    decoder._outWindow.flush();
  } catch {
    // Only the output limit stops a flush, and what lies past it is not wanted.
  }
}

/** Most bytes a detection trial decodes, and so the dictionary it needs at most. */
const TRIAL_WINDOW_BYTES = 64 * 1024;

/** Compressed bytes a trial must get through when the head ends first: chance headers fail far sooner. */
const TRIAL_MIN_INPUT_BYTES = 512;

/**
 * Whether `head` (the first bytes of a source of `size` bytes) is an LZMA-alone file: a header
 * liblzma accepts, and data that decodes without error for a while. The trial decodes with a
 * small dictionary and stops at its first flush, before any valid distance could exceed it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { detectLzmaAlone } from "./lzma.ts";
 * // A MATLAB v4 file whose first bytes pass the header checks, but whose data is no LZMA stream.
 * const mat = Uint8Array.of(0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0x61, 0);
 * assert.equal(detectLzmaAlone(mat, mat.length), false);
 * ```
 */
export function detectLzmaAlone(head: Uint8Array, size: number): boolean {
  const header = parseLzmaAloneHeader(head);
  if (!header) return false;
  const window = Math.min(header.dictionarySize, TRIAL_WINDOW_BYTES);
  const reader = new ByteReader(head, size);
  try {
    decodeStream(reader, new ByteCollector(window - 1), header, window);
    return true;
  } catch (error) {
    // The data decoded cleanly to the trial's limit, or to an end marker the header's size disagrees with.
    if (error instanceof OutputLimitReached || error instanceof SizeMismatch) return true;
    const ranOut = error instanceof InputLimitReached || error instanceof Truncated;
    return ranOut && reader.position >= TRIAL_MIN_INPUT_BYTES;
  }
}

/**
 * What one decoding of a file produced.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { decodeLzmaAlone, type LzmaDecoded } from "./lzma.ts";
 * const truncated = Uint8Array.of(0x5d, 0, 0, 0x80, 0, ...new Array(8).fill(0xff), 0, 0x34, 0x19);
 * const decoded: LzmaDecoded = await decodeLzmaAlone(bytesSource(truncated));
 * assert.equal(decoded.error?.name, "DecodeError"); // what was decoded before it stays in `chunks`
 * ```
 */
export interface LzmaDecoded {
  /** The decoded bytes, in order. */
  chunks: Uint8Array[];
  /** Why decoding stopped early, if the data is corrupt. */
  error?: DecodeError;
  /** Whether decoding stopped at a limit rather than at the end. */
  limited: boolean;
}

/**
 * Decodes every stream of `source` in one synchronous run over its bytes in memory, up to
 * `limit` decoded bytes (and the compressed bytes that can take: LZMA expands incompressible
 * data by far less than an eighth).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { decodeLzmaAlone } from "./lzma.ts";
 * const file = Uint8Array.fromBase64("XQAAgAD//////////wA0GUnujmgh////ueAAAA=="); // lzma.compress(b"hello", format=lzma.FORMAT_ALONE)
 * const { chunks, error, limited } = await decodeLzmaAlone(bytesSource(file));
 * assert.equal(new TextDecoder().decode(chunks[0]), "hello");
 * assert.equal(error, undefined);
 * assert.equal(limited, false);
 * ```
 */
export async function decodeLzmaAlone(
  source: ByteSource,
  limit: number = DEFAULT_LZMA_OPTIONS.maxDecodedBytes,
): Promise<LzmaDecoded> {
  const input = await readAll(subSource(source, 0, Math.ceil(limit * 9 / 8) + INPUT_SLACK_BYTES));
  const reader = new ByteReader(input, source.size);
  const output = new ByteCollector(limit);
  try {
    while (reader.position < input.length) {
      const start = reader.position;
      const header = parseLzmaAloneHeader(input.subarray(start, start + LZMA_HEADER_AND_FIRST_BYTE));
      if (!header) {
        const rest = source.size - start;
        throw new DecodeError(
          "lzma",
          start === 0
            ? "not an LZMA stream"
            : `${rest} bytes after the last stream (from byte ${start}) are not an LZMA stream`,
        );
      }
      decodeStream(reader, output, header);
    }
    return { chunks: output.take(), limited: reader.position < source.size };
  } catch (error) {
    if (error instanceof OutputLimitReached || error instanceof InputLimitReached) {
      return { chunks: output.take(), limited: true };
    }
    // lzma-purejs throws strings ("Error in data stream") on corrupt data; anything else is a bug.
    const failure = typeof error === "string" ? new DecodeError("lzma", error) : error;
    if (!(failure instanceof DecodeError)) throw failure;
    return { chunks: output.take(), limited: false, error: failure };
  }
}

/**
 * The decoded bytes of the LZMA-alone streams in `source` (decoded as by
 * {@linkcode decodeLzmaAlone}, up to `limit` decoded bytes), chunk by chunk; throws after them
 * when decoding failed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { lzmaAloneChunks } from "./lzma.ts";
 * const file = Uint8Array.fromBase64("XQAAgAD//////////wA0GUnujmgh////ueAAAA=="); // lzma.compress(b"hello", format=lzma.FORMAT_ALONE)
 * const text = [];
 * for await (const chunk of lzmaAloneChunks(bytesSource(file))) text.push(new TextDecoder().decode(chunk));
 * assert.equal(text.join(""), "hello");
 * ```
 */
export function lzmaAloneChunks(
  source: ByteSource,
  limit: number = DEFAULT_LZMA_OPTIONS.maxDecodedBytes,
): AsyncGenerator<Uint8Array> {
  return replay(decodeLzmaAlone(source, limit));
}

async function* replay(decoded: Promise<LzmaDecoded>): AsyncGenerator<Uint8Array> {
  const { chunks, error } = await decoded;
  yield* chunks;
  if (error) throw error;
}

/**
 * The LZMA-alone scanner for the registry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { lzmaScanner } from "./lzma.ts";
 * const file = Uint8Array.fromBase64("XQAAgAD//////////wA0GUnujmgh////ueAAAA=="); // lzma.compress(b"hello", format=lzma.FORMAT_ALONE)
 * const { ctx, members } = recordingContext("model.pkl.lzma");
 * await lzmaScanner.scan(bytesSource(file), ctx);
 * assert.deepEqual(members.map((m) => m.name), ["model.pkl"]); // the engine decodes and scans it
 * ```
 */
export const lzmaScanner: Scanner = compressedScanner({
  id: "lzma",
  confirm: detectLzmaAlone,
  async open(source, ctx) {
    const { maxDecodedBytes, maxDictionaryBytes } = scannerOptions(ctx).lzma;
    const header = parseLzmaAloneHeader(await source.read(0, LZMA_HEADER_AND_FIRST_BYTE));
    if (header && header.dictionarySize > maxDictionaryBytes) {
      return {
        undecodable:
          `The LZMA dictionary (${header.dictionarySize} bytes) is larger than the ${maxDictionaryBytes} bytes this version decodes`,
      };
    }
    let decoding: Promise<LzmaDecoded> | undefined;
    let limited = false;
    const decodeOnce = () =>
      decoding ??= decodeLzmaAlone(source, maxDecodedBytes).then((decoded) => {
        limited = decoded.limited;
        return decoded;
      });
    return {
      decode: (signal) => generatorStream(replay(decodeOnce()), signal),
      notDecoded: () =>
        limited
          ? `Only the first ${maxDecodedBytes} decoded bytes were inspected: this version's LZMA decoder holds a member's decoded bytes in memory, and stops there`
          : undefined,
    };
  },
});
