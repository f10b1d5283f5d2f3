/**
 * What the single-stream compression formats (gzip, zlib, bzip2, xz, LZMA-alone, lz4) have in
 * common: a file of one of them is a container of exactly one member, its decompressed bytes,
 * which the engine decodes lazily under its limits and scans like a file. A format is a
 * {@linkcode Codec} (how to recognise it, how to open one file of it); {@linkcode compressedScanner}
 * turns a codec into the registry's scanner, and the helpers below are the stream plumbing the
 * codecs share.
 *
 * @module
 */

import type { ByteSource } from "../../core/byte_source.ts";
import type { ScanContext, Scanner } from "../../core/scanner.ts";

/** Bytes of compressed input per decoder step: small enough that one step expands to tens of MiB at most. */
export const INPUT_CHUNK_BYTES = 64 * 1024;

/** Member name used when the file names nothing better. */
export const DEFAULT_MEMBER_NAME = "<decompressed>";

/** Longest member name kept from a header (gzip's FNAME): longer names are cut, not trusted. */
const MAX_MEMBER_NAME_CHARS = 255;

/**
 * A member as a codec opened it: how to decode it, and what it could not decode.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { OpenedMember } from "./codec.ts";
 * const member: OpenedMember = { storedName: "model.pkl", decode: () => new Blob(["hello"]).stream() };
 * assert.equal(await new Response(member.decode(new AbortController().signal)).text(), "hello");
 * ```
 */
export interface OpenedMember {
  /** The member's name as the file stores it (gzip's FNAME), unsanitised. */
  storedName?: string;
  /** The decoded size the file declares, when its loader holds it to that size. */
  declaredSize?: number;
  /** A new stream of the decoded bytes from the start; errors with a `DecodeError` on corrupt data. */
  decode(signal: AbortSignal): ReadableStream<Uint8Array>;
  /** Asked once the member is scanned: why part of it was not decoded, if it was not. */
  notDecoded?(): string | undefined;
}

/** Why a file of a recognised format cannot be decoded at all (reported as MA212). */
export interface Undecodable {
  /** The MA212 message: what the content is and why it is not decoded. */
  undecodable: string;
}

/**
 * A single-stream compression format, as its scanner decodes it (its registry entry,
 * in `descriptors.ts`, names and detects it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import type { Codec } from "./codec.ts";
 * const lz4: Codec = {
 *   id: "lz4",
 *   open: () => Promise.resolve({ undecodable: "no LZ4 decoder" }),
 * };
 * const { ctx } = recordingContext("model.lz4");
 * assert.deepEqual(await lz4.open(bytesSource(new Uint8Array(4)), ctx), { undecodable: "no LZ4 decoder" });
 * ```
 */
export interface Codec {
  /** Scanner id and format name, e.g. `gzip`. */
  readonly id: string;
  /**
   * Whether the first bytes, which passed the registry's header check, decode as this format
   * (a trial decode, for formats whose few header bytes chance alone can produce).
   */
  confirm?(head: Uint8Array, size: number): boolean;
  /** Prepares to decode `source`, scanned in `ctx`. */
  open(source: ByteSource, ctx: ScanContext): Promise<OpenedMember | Undecodable>;
}

/**
 * The member name for a compressed file at `path`: the name the file stores (sanitised)
 * when it has one, else the file's base name without its last extension
 * (`model.joblib.gz` → `model.joblib`), else {@linkcode DEFAULT_MEMBER_NAME}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memberName } from "./codec.ts";
 * assert.equal(memberName("models/model.joblib.gz"), "model.joblib");
 * assert.equal(memberName("outer.tar:model_zlib.joblib"), "model_zlib");
 * assert.equal(memberName("x.gz", "../etc/evil.pkl"), "evil.pkl");
 * assert.equal(memberName("data"), "<decompressed>");
 * ```
 */
export function memberName(path: string, storedName?: string): string {
  const stored = storedName === undefined ? "" : sanitiseName(storedName);
  if (stored) return stored;
  const base = lastSegment(path, /[:/\\]/);
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(0, dot) : DEFAULT_MEMBER_NAME;
}

function lastSegment(path: string, separators: RegExp): string {
  const parts = path.split(separators);
  return parts[parts.length - 1];
}

/** Keeps a stored name to its last path segment, without control characters or the colons locations use. */
function sanitiseName(name: string): string {
  // deno-lint-ignore no-control-regex -- control characters are exactly what must go
  const clean = lastSegment(name, /[/\\]/).replace(/[\u0000-\u001f\u007f-\u009f:]/g, "_").trim();
  if (clean === "." || clean === "..") return "";
  return clean.slice(0, MAX_MEMBER_NAME_CHARS);
}

/**
 * The registry's scanner for a codec: hands the one member to the engine to decode and scan,
 * or reports MA212 when it cannot be decoded. Decode streams the engine leaves open once the
 * member is scanned are closed then, so that no decoder outlives its member.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { compressedScanner } from "./codec.ts";
 * const undecodable = compressedScanner({ id: "lz4", open: () => Promise.resolve({ undecodable: "no LZ4 decoder" }) });
 * const { ctx, findings } = recordingContext("model.lz4");
 * await undecodable.scan(bytesSource(new Uint8Array(4)), ctx);
 * assert.deepEqual(findings, [{ rule: "MA212", message: "no LZ4 decoder", details: { format: "lz4" } }]);
 * ```
 */
export function compressedScanner(codec: Codec): Scanner {
  const { confirm } = codec;
  return {
    confirm: confirm && ((head, source) => confirm(head, source.size)),
    async scan(source, ctx) {
      const opened = await codec.open(source, ctx);
      if ("undecodable" in opened) {
        ctx.report({ rule: "MA212", message: opened.undecodable, details: { format: codec.id } });
        return;
      }
      const scanned = new AbortController();
      const links: LinkedSignal[] = [];
      try {
        await ctx.scanMember({
          name: memberName(ctx.path, opened.storedName),
          content: {
            kind: "encoded",
            encodedSize: source.size,
            declaredSize: opened.declaredSize,
            decode: (signal) => {
              const link = linkSignals(signal, scanned.signal);
              links.push(link);
              return opened.decode(link.signal);
            },
          },
        });
      } finally {
        scanned.abort();
        for (const link of links) link.release();
      }
      const missed = opened.notDecoded?.();
      if (missed) ctx.report({ rule: "MA212", message: missed, details: { format: codec.id } });
    },
  };
}

/** A signal aborted when any of its sources is, and how to unlink it from them. */
export interface LinkedSignal {
  readonly signal: AbortSignal;
  /** Removes the listeners on the sources, so that nothing they keep alive holds this signal's listeners. */
  release(): void;
}

/**
 * An abort signal that follows every one of `sources`, unlinked by `release()`. Used instead
 * of `AbortSignal.any`, whose dependent signals Deno 2.9 never collects (about 2 KB a call, and
 * with them every listener, here whole decoders: a process scanning 100,000 inputs grew by GBs).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { linkSignals } from "./codec.ts";
 * const file = new AbortController();
 * const link = linkSignals(file.signal, new AbortController().signal);
 * file.abort();
 * assert.equal(link.signal.aborted, true);
 * link.release();
 * ```
 */
export function linkSignals(...sources: AbortSignal[]): LinkedSignal {
  const controller = new AbortController();
  const abort = () => controller.abort();
  const release = () => {
    for (const source of sources) source.removeEventListener("abort", abort);
  };
  if (sources.some((source) => source.aborted)) controller.abort();
  else for (const source of sources) source.addEventListener("abort", abort, { once: true });
  return { signal: controller.signal, release };
}

/**
 * A byte stream over an async generator of chunks, pulled only when read. Aborting
 * `signal` or cancelling the stream ends the generator (its `finally` blocks run), so
 * decoders holding resources release them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generatorStream } from "./codec.ts";
 * async function* chunks() {
 *   yield new Uint8Array([1, 2]);
 *   yield new Uint8Array([3]);
 * }
 * const stream = generatorStream(chunks(), new AbortController().signal);
 * assert.deepEqual(await new Response(stream).bytes(), new Uint8Array([1, 2, 3]));
 * ```
 */
export function generatorStream(
  chunks: AsyncGenerator<Uint8Array>,
  signal: AbortSignal,
): ReadableStream<Uint8Array> {
  // The listener holds the generator, and with it the decoder's buffers: it goes as soon as the
  // stream ends, errors or is cancelled, not when the signal is collected.
  const stop = () => {
    signal.removeEventListener("abort", stop);
    void chunks.return(undefined).catch(() => undefined);
  };
  if (signal.aborted) stop();
  else signal.addEventListener("abort", stop, { once: true });
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await chunks.next();
      } catch (error) {
        signal.removeEventListener("abort", stop);
        throw error;
      }
      if (next.done) {
        signal.removeEventListener("abort", stop);
        controller.close();
      } else {
        controller.enqueue(next.value);
      }
    },
    cancel: stop,
  }, { highWaterMark: 0 });
}

/**
 * The bytes of `source` from `start` on, in pieces of at most `chunkBytes`, each a fresh copy
 * (decoders may keep or transfer what they are given).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { sourceChunks } from "./codec.ts";
 * const lengths = [];
 * for await (const chunk of sourceChunks(bytesSource(new Uint8Array(10)), 2, 4)) lengths.push(chunk.length);
 * assert.deepEqual(lengths, [4, 4]);
 * ```
 */
export async function* sourceChunks(
  source: ByteSource,
  start = 0,
  chunkBytes = INPUT_CHUNK_BYTES,
): AsyncGenerator<Uint8Array<ArrayBuffer>> {
  for (let offset = Math.max(0, start); offset < source.size;) {
    const chunk = await source.read(offset, chunkBytes);
    if (chunk.length === 0) return;
    offset += chunk.length;
    yield chunk.slice();
  }
}

/**
 * `chunks` without their first `count` bytes: what a second decoding pass yields after
 * a first one that already handed those bytes out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { skipBytes } from "./codec.ts";
 * async function* chunks() {
 *   yield new Uint8Array([1, 2, 3]);
 * }
 * const kept = [];
 * for await (const chunk of skipBytes(chunks(), 2)) kept.push(chunk);
 * assert.deepEqual(kept, [new Uint8Array([3])]);
 * ```
 */
export async function* skipBytes(
  chunks: AsyncIterable<Uint8Array>,
  count: number,
): AsyncGenerator<Uint8Array> {
  let skip = count;
  for await (const chunk of chunks) {
    if (skip >= chunk.length) {
      skip -= chunk.length;
      continue;
    }
    yield skip > 0 ? chunk.subarray(skip) : chunk;
    skip = 0;
  }
}

/**
 * Collects bytes written one at a time (by decoders with a `writeByte` output) into chunks,
 * and refuses to take more than `limit` bytes in all.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ByteCollector } from "./codec.ts";
 * const out = new ByteCollector(4);
 * out.writeByte(7);
 * assert.deepEqual(out.take(), [new Uint8Array([7])]);
 * ```
 */
export class ByteCollector {
  /** Bytes written so far, over all chunks taken. */
  written = 0;
  #chunks: Uint8Array[] = [];
  #current: Uint8Array;
  #filled = 0;

  /**
   * A collector that takes up to `limit` bytes, handed out in chunks of `chunkBytes`.
   *
   * @param limit Bytes after which `writeByte` throws {@linkcode OutputLimitReached}.
   * @param chunkBytes Size of the chunks handed out.
   */
  constructor(readonly limit = Infinity, readonly chunkBytes = INPUT_CHUNK_BYTES) {
    this.#current = new Uint8Array(chunkBytes);
  }

  /** Appends one byte. */
  writeByte(byte: number): void {
    if (this.written >= this.limit) throw new OutputLimitReached(this.limit);
    this.#current[this.#filled++] = byte;
    this.written++;
    if (this.#filled === this.#current.length) {
      this.#chunks.push(this.#current);
      this.#current = new Uint8Array(this.chunkBytes);
      this.#filled = 0;
    }
  }

  /** The bytes written since the last call, as chunks; the collector keeps none of them. */
  take(): Uint8Array[] {
    const chunks = this.#chunks;
    if (this.#filled > 0) chunks.push(this.#current.slice(0, this.#filled));
    this.#chunks = [];
    this.#filled = 0;
    return chunks;
  }
}

/**
 * Thrown by {@linkcode ByteCollector.writeByte} past its limit: stops a synchronous decoder.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ByteCollector, OutputLimitReached } from "./codec.ts";
 * const out = new ByteCollector(1);
 * out.writeByte(1);
 * assert.throws(() => out.writeByte(2), OutputLimitReached);
 * assert.equal(new OutputLimitReached(10).limit, 10);
 * ```
 */
export class OutputLimitReached extends Error {
  /**
   * The error for a collector whose `limit` was reached.
   *
   * @param limit The limit that was reached.
   */
  constructor(readonly limit: number) {
    super(`decoded output reached its limit of ${limit} bytes`);
  }
}
