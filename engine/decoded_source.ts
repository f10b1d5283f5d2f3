/**
 * Byte sources over compressed members. A member that decodes to little is
 * decoded once into memory; a larger one is decoded on demand as a forward
 * stream that keeps only a window of recent bytes (and the head), restarting
 * from the beginning when a scanner reads behind the window. Every decoded
 * byte, re-reads included, is charged to the file's {@linkcode DecodeBudget}:
 * that one number bounds both the time and the memory a compression bomb costs.
 *
 * @module
 */

import type { ByteSource } from "../core/byte_source.ts";
import { DecodeError } from "../core/decode_error.ts";
import { HEAD_BYTES } from "../core/detection.ts";
import type { MemberContent } from "../core/scanner.ts";
import { chargeTransientBytes, requestCollection } from "./gc.ts";
import type { DecodeBudget } from "./decode_budget.ts";
import { DEFAULT_SCAN_LIMITS } from "./limits.ts";

/** Decoded bytes kept behind the furthest read, so that small steps back need no restart. */
const KEEP_BEHIND_BYTES = 1024 * 1024;

/** Why a decoded member's bytes are not all there or not what the container said. */
export type DecodeProblem =
  | { kind: "corrupt"; at: number; message: string }
  | { kind: "budget"; at: number }
  /** `exact` is false when decoding stopped once past the declared size: `actual` is then a lower bound. */
  | { kind: "size"; declared: number; actual: number; exact: boolean };

/** A decoded member: its bytes, and what went wrong decoding them so far. */
export interface DecodedMember {
  source: ByteSource;
  /** Problems met while decoding; more may appear as the source is read further. */
  readonly problems: readonly DecodeProblem[];
  /**
   * Whether the source is decoded on demand: reading its end decodes all of it, so only what a
   * scanner needs should be read (no look at its tail on a guess).
   */
  readonly streamed: boolean;
  /** Ends any decoding still under way; reads after it decode anew. */
  close(): void;
}

type EncodedContent = Extract<MemberContent, { kind: "encoded" }>;

/** One pass over the decoded stream, charged to the budget. */
class DecodePass {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #controller = new AbortController();
  #signal: AbortSignal;
  #abort = () => this.#controller.abort(this.#signal.reason);
  /** Decoded bytes consumed from this pass. */
  position = 0;
  done = false;

  constructor(
    content: EncodedContent,
    signal: AbortSignal,
    private readonly report: Reporter,
    private readonly budget: DecodeBudget,
  ) {
    this.#signal = signal;
    if (signal.aborted) this.#abort();
    else signal.addEventListener("abort", this.#abort, { once: true });
    this.#reader = content.decode(this.#controller.signal, (bytes) => this.#charge(bytes)).getReader();
  }

  /** Takes bytes the container decoded on the way to the member's from the budget. */
  #charge(bytes: number): boolean {
    if (this.budget.take(bytes) === bytes) return true;
    this.report({ kind: "budget", at: this.position });
    return false;
  }

  /**
   * The next decoded chunk, or `undefined` at the end, on corrupt data or when the budget is spent.
   * Throws what is not a {@linkcode DecodeError}: a bug, an I/O failure or the scan's abort.
   */
  async next(): Promise<Uint8Array | undefined> {
    const budget = this.budget;
    while (!this.done) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await this.#reader.read();
      } catch (error) {
        if (!(error instanceof DecodeError)) {
          this.close();
          throw error;
        }
        this.report({ kind: "corrupt", at: this.position, message: error.message });
        return this.#stop();
      }
      if (result.done) return this.#stop();
      if (result.value.length === 0) continue;
      const granted = budget.take(result.value.length);
      if (granted < result.value.length) this.report({ kind: "budget", at: this.position + granted });
      if (granted === 0) return this.#stop();
      const chunk = result.value.subarray(0, granted);
      this.position += granted;
      chargeTransientBytes(granted);
      return chunk;
    }
    return undefined;
  }

  #stop(): undefined {
    this.close();
    return undefined;
  }

  close(): void {
    if (this.done) return;
    this.done = true;
    // The file's signal outlives its members: a listener left on it would keep this pass's decoder.
    this.#signal.removeEventListener("abort", this.#abort);
    this.#reader.cancel().catch(() => undefined);
    this.#controller.abort();
  }
}

type Reporter = (problem: DecodeProblem) => void;

/** A decoded chunk kept in a window, with its offset in the decoded bytes. */
interface WindowChunk {
  start: number;
  bytes: Uint8Array;
}

/**
 * Bytes `start` to `end` of the decoded stream from `chunks` (consecutive, in order, covering the
 * range): a view when one chunk holds them all (chunks are never written to), else a copy.
 */
function readChunks(chunks: readonly WindowChunk[], start: number, end: number): Uint8Array {
  if (start >= end || chunks.length === 0) return new Uint8Array(0);
  // The last chunk that starts at or before `start`.
  let low = 0;
  for (let high = chunks.length - 1; low < high;) {
    const middle = (low + high + 1) >>> 1;
    if (chunks[middle].start <= start) low = middle;
    else high = middle - 1;
  }
  const first = chunks[low];
  if (end <= first.start + first.bytes.length) {
    return first.bytes.subarray(start - first.start, end - first.start);
  }
  const out = new Uint8Array(end - start);
  for (let index = low, at = start; at < end && index < chunks.length; index++) {
    const { start: chunkStart, bytes } = chunks[index];
    const piece = bytes.subarray(at - chunkStart, Math.min(bytes.length, end - chunkStart));
    out.set(piece, at - start);
    at += piece.length;
  }
  return out;
}

/**
 * A member decoded whole into `chunks`, read without joining them: joining would hold the
 * member twice (the chunks and their copy) until the collector gets round to the chunks.
 */
function chunksSource(chunks: readonly WindowChunk[], size: number): ByteSource {
  return {
    size,
    read(offset, length) {
      const start = Math.min(Math.max(0, offset), size);
      const end = Math.min(size, start + Math.max(0, length));
      return Promise.resolve(readChunks(chunks, start, end));
    },
  };
}

/** A source decoded on demand, keeping the head and a window of recent bytes. */
class StreamedSource implements ByteSource {
  #pass: DecodePass | undefined;
  /** Kept decoded chunks, in order. */
  #window: WindowChunk[];

  /** `pass` and `window`, when given, continue a pass that has already decoded the window's bytes. */
  constructor(
    readonly size: number,
    private readonly head: Uint8Array,
    private readonly content: EncodedContent,
    private readonly budget: DecodeBudget,
    private readonly signal: AbortSignal,
    private readonly report: Reporter,
    pass?: DecodePass,
    window: WindowChunk[] = [],
  ) {
    this.#pass = pass;
    this.#window = window;
  }

  /** Stops the pass under way and drops the window. */
  close(): void {
    this.#pass?.close();
    this.#pass = undefined;
    this.#window = [];
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const start = Math.min(Math.max(0, offset), this.size);
    const end = Math.min(this.size, start + Math.max(0, length));
    if (end <= this.head.length) return this.head.subarray(start, end);
    const windowStart = this.#window[0]?.start ?? this.#pass?.position ?? 0;
    if (!this.#pass || start < windowStart) {
      this.#pass?.close();
      this.#window = [];
      this.#pass = new DecodePass(this.content, this.signal, this.report, this.budget);
    }
    const pass = this.#pass;
    while (pass.position < end) {
      const chunk = await pass.next();
      if (!chunk) break;
      this.#window.push({ start: pass.position - chunk.length, bytes: chunk });
      const oldest = this.#window[0];
      if (this.#window.length > 1 && oldest.start + oldest.bytes.length < start - KEEP_BEHIND_BYTES) {
        this.#window.shift();
      }
    }
    if (pass.done && pass.position < end && !this.budget.exhausted) {
      this.report({ kind: "size", declared: this.size, actual: pass.position, exact: true });
    }
    const available = Math.min(end, pass.position);
    if (available <= start) return new Uint8Array(0);
    return readChunks(this.#window, start, available);
  }
}

/**
 * Decodes an encoded member under `budget`: at once into memory when it is small,
 * else as a {@linkcode StreamedSource}. A member of undeclared size is first
 * decoded to its end to learn its size (keeping the bytes if they are few).
 * `inMemoryBytes` is what "small" means: {@linkcode ScanLimits.maxInMemoryDecodeBytes}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DecodeBudget } from "./decode_budget.ts";
 * import { decodeMember } from "./decoded_source.ts";
 * const bytes = new Uint8Array([0x80, 4, 0x4e, 0x2e]);
 * const compressed = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
 * const gzip = new Uint8Array(await new Response(compressed).arrayBuffer());
 * const member = await decodeMember({
 *   kind: "encoded",
 *   encodedSize: gzip.length,
 *   decode: () => new Blob([gzip]).stream().pipeThrough(new DecompressionStream("gzip")),
 * }, new DecodeBudget(1 << 20), new AbortController().signal);
 * assert.equal(member.source.size, 4);
 * assert.equal(member.streamed, false); // small: decoded into memory at once
 * ```
 */
export async function decodeMember(
  content: EncodedContent,
  budget: DecodeBudget,
  signal: AbortSignal,
  inMemoryBytes: number = DEFAULT_SCAN_LIMITS.maxInMemoryDecodeBytes,
): Promise<DecodedMember> {
  const problems: DecodeProblem[] = [];
  const seen = new Set<string>();
  const report: Reporter = (problem) => {
    // A restarted pass meets the same corrupt byte again: one problem, once.
    const key = JSON.stringify(problem);
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  };
  const declared = content.declaredSize;
  let keepLimit = declared !== undefined && declared > inMemoryBytes ? HEAD_BYTES : inMemoryBytes;
  const pass = new DecodePass(content, signal, report, budget);
  const kept: WindowChunk[] = [];
  let keptBytes = 0;
  // Reading past a declared size by one byte tells a lie from the truth.
  const stopAt = declared === undefined ? Infinity : declared + 1;
  while (pass.position < stopAt) {
    if (declared !== undefined && keptBytes >= keepLimit) break;
    const chunk = await pass.next();
    if (!chunk) break;
    if (keptBytes < keepLimit) {
      // A chunk far larger than what is kept (a bomb's) is cut to a copy: a view would hold on to all of it.
      const wanted = keepLimit - keptBytes;
      const keep = chunk.length - wanted > KEEP_BEHIND_BYTES ? chunk.slice(0, wanted) : chunk;
      kept.push({ start: keptBytes, bytes: keep });
      keptBytes += keep.length;
    } else if (keepLimit > HEAD_BYTES) {
      // Too large to be kept whole: only its head will be, so the rest goes now, not after decoding all of it.
      const head = readChunks(kept, 0, HEAD_BYTES).slice();
      kept.splice(0, kept.length, { start: 0, bytes: head });
      keptBytes = keepLimit = head.length;
      // Up to 32 MiB just became garbage, and the rest of the pass will not fit where it is.
      requestCollection();
    }
  }
  if (pass.done || pass.position >= stopAt) {
    pass.close();
    const actual = pass.position;
    // A decode the budget cut short says nothing about the member's size.
    if (declared !== undefined && actual !== declared && !problems.some((p) => p.kind === "budget")) {
      report({ kind: "size", declared, actual, exact: pass.position < stopAt });
    }
    const size = declared === undefined ? actual : Math.min(actual, declared);
    if (size <= keptBytes) return { source: chunksSource(kept, size), problems, streamed: false, close() {} };
    const head = readChunks(kept, 0, Math.min(HEAD_BYTES, size)).slice();
    const source = new StreamedSource(size, head, content, budget, signal, report);
    return { source, problems, streamed: true, close: () => source.close() };
  }
  // A large declared member: the pass goes on from where the head ends, when a scanner reads on,
  // unless part of its last chunk was dropped: then a read past the head starts a new pass.
  const head = readChunks(kept, 0, Math.min(HEAD_BYTES, keptBytes)).slice();
  const continued = pass.position === keptBytes;
  if (!continued) pass.close();
  const source = continued
    ? new StreamedSource(declared!, head, content, budget, signal, report, pass, kept)
    : new StreamedSource(declared!, head, content, budget, signal, report);
  return { source, problems, streamed: true, close: () => source.close() };
}
