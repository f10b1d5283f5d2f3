/**
 * A streaming decoder of raw LZMA and LZMA2 data, as 7z folders hold them: the decoded bytes are
 * handed out step by step (at most {@linkcode LZMA_STEP_BYTES} at a time, or one LZMA2 chunk), so
 * that a member of gigabytes is decoded with memory bounded by its dictionary, and a consumer that
 * stops reading stops the decoding.
 *
 * Why not a package: lzma-purejs (which {@link ./lzma.ts} uses for LZMA-alone files) decodes a
 * whole stream in one synchronous call, its state in local variables, so it cannot hand out part
 * of a stream and go on later; LZMA-JS keeps all its output; xz-decompress (xz-embedded) reads only
 * complete xz streams and one at a time; xz-compat decodes whole buffers and installs a native
 * module at run time. This is the LZMA SDK's decoder (the specification in its `lzma-specification`
 * document), with every distance checked against what has been decoded and the dictionary.
 *
 * @module
 */

import type { ByteSource } from "../../core/byte_source.ts";
import { DecodeError } from "../../core/decode_error.ts";
import { DEFAULT_LZMA_OPTIONS } from "../option_catalog.ts";

/** Decoded bytes of raw LZMA produced per step: a step runs synchronously, so this bounds its time. */
export const LZMA_STEP_BYTES = 1024 * 1024;

/** Longest match LZMA encodes: a step may overshoot its size by this much. */
const MAX_MATCH_BYTES = 273;

/** Compressed bytes kept ahead of the decoder: far more than one symbol (at most 20 bytes) reads. */
const INPUT_MARGIN_BYTES = 64;

/** Compressed bytes read from the source at a time. */
const INPUT_READ_BYTES = 256 * 1024;

/** Largest LZMA2 chunk: 2 MiB decoded, 64 KiB compressed. */
const LZMA2_MAX_CHUNK_DECODED = 1 << 21;

const STATES = 12;
const POS_STATES_MAX = 16;
const END_POS_MODEL_INDEX = 14;
const FULL_DISTANCES = 128;
const ALIGN_BITS = 4;
const PROB_INIT = 1024;

/** Thrown on data no LZMA encoder writes; the message says what is wrong (the format is added after). */
class CorruptData extends Error {}

/** `error` as the engine takes corrupt input: a {@linkcode DecodeError} of `format`; anything else passes as is. */
function asDecodeError(format: string, error: unknown): unknown {
  return error instanceof CorruptData ? new DecodeError(format, error.message) : error;
}

/** A length decoder's probabilities: choice bits, then low, mid and high bit trees. */
class LengthProbabilities {
  choice = new Uint16Array(2);
  low = new Uint16Array(POS_STATES_MAX << 3);
  mid = new Uint16Array(POS_STATES_MAX << 3);
  high = new Uint16Array(256);

  reset(): void {
    for (const probs of [this.choice, this.low, this.mid, this.high]) probs.fill(PROB_INIT);
  }
}

/**
 * The LZMA decoder's state: probabilities, the range coder, and the dictionary as a circular window.
 * Input is a buffer the caller fills; `decode` runs until it has produced what it was asked for.
 */
class LzmaState {
  // Range coder over `input`.
  input: Uint8Array = new Uint8Array(0);
  inPos = 0;
  inEnd = 0;
  /**
   * The range coder's range and code, as signed 32-bit integers in a typed array: V8 keeps them
   * unboxed there (unsigned comparisons flip the sign bit of both sides).
   */
  readonly rc = new Int32Array(2);

  // The window: the last `window.length` decoded bytes, `pos` where the next goes.
  readonly window: Uint8Array;
  pos = 0;
  /** Decoded bytes since the dictionary was last reset (for distance checks). */
  total = 0;
  /** Where output not yet handed out starts in the window, and how many such bytes there are. */
  flushPos = 0;
  pending = 0;

  lc = 0;
  lp = 0;
  pb = 0;
  state = 0;
  rep0 = 0;
  rep1 = 0;
  rep2 = 0;
  rep3 = 0;

  literal = new Uint16Array(0x300);
  isMatch = new Uint16Array(STATES * POS_STATES_MAX);
  isRep = new Uint16Array(STATES);
  isRepG0 = new Uint16Array(STATES);
  isRepG1 = new Uint16Array(STATES);
  isRepG2 = new Uint16Array(STATES);
  isRep0Long = new Uint16Array(STATES * POS_STATES_MAX);
  posSlot = new Uint16Array(4 << 6);
  posSpecial = new Uint16Array(1 + FULL_DISTANCES - END_POS_MODEL_INDEX);
  align = new Uint16Array(1 << ALIGN_BITS);
  matchLength = new LengthProbabilities();
  repLength = new LengthProbabilities();

  constructor(readonly dictionarySize: number, windowSize: number) {
    this.window = new Uint8Array(windowSize);
  }

  setProperties(properties: number): void {
    if (properties >= 9 * 5 * 5) throw new CorruptData(`invalid properties byte ${properties}`);
    this.lc = properties % 9;
    this.lp = Math.floor(properties / 9) % 5;
    this.pb = Math.floor(properties / 45);
    const size = 0x300 << (this.lc + this.lp);
    if (this.literal.length !== size) this.literal = new Uint16Array(size);
  }

  resetState(): void {
    for (
      const probs of [
        this.literal,
        this.isMatch,
        this.isRep,
        this.isRepG0,
        this.isRepG1,
        this.isRepG2,
        this.isRep0Long,
        this.posSlot,
        this.posSpecial,
        this.align,
      ]
    ) probs.fill(PROB_INIT);
    this.matchLength.reset();
    this.repLength.reset();
    this.state = 0;
    this.rep0 =
      this.rep1 =
      this.rep2 =
      this.rep3 =
        0;
  }

  resetDictionary(): void {
    this.total = 0;
  }

  /** Starts the range coder on `input` from `start`: a zero byte, then the first code. */
  initRangeCoder(input: Uint8Array, start: number, end: number): void {
    this.input = input;
    this.inPos = start;
    this.inEnd = end;
    if (this.#byte() !== 0) throw new CorruptData("the range coder's first byte is not zero");
    const rc = this.rc;
    rc[0] = -1;
    rc[1] = 0;
    for (let i = 0; i < 4; i++) rc[1] = (rc[1] << 8) | this.#byte();
    if (rc[1] === -1) throw new CorruptData("invalid range coder start");
  }

  #byte(): number {
    if (this.inPos >= this.inEnd) throw new CorruptData("truncated: the data ends inside the stream");
    return this.input[this.inPos++];
  }

  #bit(probs: Uint16Array, index: number): number {
    const rc = this.rc;
    const p = probs[index];
    let range = rc[0];
    let code = rc[1];
    const bound = Math.imul(range >>> 11, p);
    let bit: number;
    if ((code ^ 0x80000000) < (bound ^ 0x80000000)) {
      range = bound;
      probs[index] = p + ((2048 - p) >>> 5);
      bit = 0;
    } else {
      range = (range - bound) | 0;
      code = (code - bound) | 0;
      probs[index] = p - (p >>> 5);
      bit = 1;
    }
    if ((range & 0xff000000) === 0) {
      range <<= 8;
      code = (code << 8) | this.#byte();
    }
    rc[0] = range;
    rc[1] = code;
    return bit;
  }

  /**
   * Decodes a literal from the probabilities at `base`, after a match when `matchByte` is not -1.
   * The hottest loop of incompressible data: the range coder is kept in local variables here.
   */
  #literal(base: number, matchByte: number): number {
    const probs = this.literal;
    const rc = this.rc;
    const input = this.input;
    const inEnd = this.inEnd;
    let inPos = this.inPos;
    let range = rc[0];
    let code = rc[1];
    let symbol = 1;
    let matching = matchByte >= 0;
    while (symbol < 0x100) {
      let index = base + symbol;
      let matchBit = 0;
      if (matching) {
        matchBit = (matchByte >>> 7) & 1;
        matchByte <<= 1;
        index += (1 + matchBit) << 8;
      }
      const p = probs[index];
      const bound = Math.imul(range >>> 11, p);
      let bit: number;
      if ((code ^ 0x80000000) < (bound ^ 0x80000000)) {
        range = bound;
        probs[index] = p + ((2048 - p) >>> 5);
        bit = 0;
      } else {
        range = (range - bound) | 0;
        code = (code - bound) | 0;
        probs[index] = p - (p >>> 5);
        bit = 1;
      }
      if ((range & 0xff000000) === 0) {
        if (inPos >= inEnd) throw new CorruptData("truncated: the data ends inside the stream");
        range <<= 8;
        code = (code << 8) | input[inPos++];
      }
      symbol = (symbol << 1) | bit;
      if (matching && matchBit !== bit) matching = false;
    }
    rc[0] = range;
    rc[1] = code;
    this.inPos = inPos;
    return symbol & 0xff;
  }

  #tree(probs: Uint16Array, offset: number, bits: number): number {
    let m = 1;
    for (let i = 0; i < bits; i++) m = (m << 1) | this.#bit(probs, offset + m);
    return m - (1 << bits);
  }

  #reverseTree(probs: Uint16Array, offset: number, bits: number): number {
    let m = 1;
    let symbol = 0;
    for (let i = 0; i < bits; i++) {
      const bit = this.#bit(probs, offset + m);
      m = (m << 1) | bit;
      symbol |= bit << i;
    }
    return symbol;
  }

  #direct(bits: number): number {
    const rc = this.rc;
    let result = 0;
    for (let i = 0; i < bits; i++) {
      rc[0] = rc[0] >>> 1;
      let bit = 0;
      if ((rc[1] ^ 0x80000000) >= (rc[0] ^ 0x80000000)) {
        rc[1] = rc[1] - rc[0];
        bit = 1;
      }
      result = ((result << 1) | bit) >>> 0;
      if ((rc[0] & 0xff000000) === 0) {
        rc[0] <<= 8;
        rc[1] = (rc[1] << 8) | this.#byte();
      }
    }
    return result;
  }

  #length(probs: LengthProbabilities, posState: number): number {
    if (this.#bit(probs.choice, 0) === 0) return this.#tree(probs.low, posState << 3, 3);
    if (this.#bit(probs.choice, 1) === 0) return 8 + this.#tree(probs.mid, posState << 3, 3);
    return 16 + this.#tree(probs.high, 0, 8);
  }

  #put(byte: number): void {
    this.window[this.pos] = byte;
    if (++this.pos === this.window.length) this.pos = 0;
    this.total++;
    this.pending++;
  }

  #back(distance: number): number {
    let at = this.pos - distance - 1;
    if (at < 0) at += this.window.length;
    return this.window[at];
  }

  #copy(count: number): void {
    const distance = this.rep0;
    if (distance >= this.total || distance >= this.dictionarySize || distance >= this.window.length) {
      throw new CorruptData(`a match ${distance + 1} bytes back, past the decoded data or the dictionary`);
    }
    for (let i = 0; i < count; i++) this.#put(this.#back(distance));
  }

  /** Appends bytes stored uncompressed (an LZMA2 uncompressed chunk). */
  putBytes(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) this.#put(bytes[i]);
  }

  /**
   * Decodes until `want` more bytes are out (a match may run past it, up to {@linkcode MAX_MATCH_BYTES})
   * or the end marker; stops early, between symbols, once fewer than `margin` input bytes remain.
   * Returns `true` at the end marker.
   */
  decode(want: number, margin: number): boolean {
    const goal = this.pending + want;
    const pbMask = (1 << this.pb) - 1;
    const lpMask = (1 << this.lp) - 1;
    while (this.pending < goal && this.inEnd - this.inPos >= margin) {
      const posState = this.total & pbMask;
      const state = this.state;
      if (this.#bit(this.isMatch, (state << 4) + posState) === 0) {
        const previous = this.total > 0 ? this.#back(0) : 0;
        const base = 0x300 * (((this.total & lpMask) << this.lc) + (previous >>> (8 - this.lc)));
        this.#put(this.#literal(base, state >= 7 ? this.#back(this.rep0) : -1));
        this.state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
        continue;
      }
      let length: number;
      if (this.#bit(this.isRep, state) === 1) {
        if (this.#bit(this.isRepG0, state) === 0) {
          if (this.#bit(this.isRep0Long, (state << 4) + posState) === 0) {
            this.state = state < 7 ? 9 : 11;
            this.#copy(1);
            continue;
          }
        } else {
          let distance: number;
          if (this.#bit(this.isRepG1, state) === 0) {
            distance = this.rep1;
          } else {
            if (this.#bit(this.isRepG2, state) === 0) {
              distance = this.rep2;
            } else {
              distance = this.rep3;
              this.rep3 = this.rep2;
            }
            this.rep2 = this.rep1;
          }
          this.rep1 = this.rep0;
          this.rep0 = distance;
        }
        length = this.#length(this.repLength, posState);
        this.state = state < 7 ? 8 : 11;
      } else {
        this.rep3 = this.rep2;
        this.rep2 = this.rep1;
        this.rep1 = this.rep0;
        length = this.#length(this.matchLength, posState);
        this.state = state < 7 ? 7 : 10;
        const slot = this.#tree(this.posSlot, Math.min(length, 3) << 6, 6);
        let distance = slot;
        if (slot >= 4) {
          const directBits = (slot >>> 1) - 1;
          distance = ((2 | (slot & 1)) << directBits) >>> 0;
          if (slot < END_POS_MODEL_INDEX) {
            distance += this.#reverseTree(this.posSpecial, distance - slot - 1, directBits);
          } else {
            distance += this.#direct(directBits - ALIGN_BITS) * (1 << ALIGN_BITS);
            distance += this.#reverseTree(this.align, 0, ALIGN_BITS);
          }
        }
        if (distance === 0xffffffff) return true;
        this.rep0 = distance;
      }
      this.#copy(length + 2);
    }
    return false;
  }

  /** The decoded bytes not yet handed out, copied out of the window. */
  take(): Uint8Array {
    const out = new Uint8Array(this.pending);
    const first = Math.min(this.pending, this.window.length - this.flushPos);
    out.set(this.window.subarray(this.flushPos, this.flushPos + first));
    if (first < this.pending) out.set(this.window.subarray(0, this.pending - first), first);
    this.flushPos = this.pos;
    this.pending = 0;
    return out;
  }
}

/** The window for a dictionary of `dictionarySize` bytes when at most `outputBound` bytes are decoded. */
function windowFor(dictionarySize: number, outputBound: number, stepBytes: number): number {
  return Math.max(4096, Math.min(dictionarySize, outputBound)) + stepBytes + MAX_MATCH_BYTES;
}

/**
 * A dictionary beyond `maxBytes` (the window is also never larger than the decoded size, when
 * known): callers that can report it as not decodable check it first.
 */
function checkDictionary(dictionarySize: number, maxBytes: number): void {
  if (dictionarySize > maxBytes) {
    throw new CorruptData(
      `its dictionary (${dictionarySize} bytes) is larger than the ${maxBytes} bytes this decoder allows`,
    );
  }
}

/** Compressed input read ahead from a source, for a decoder that must not stop inside a symbol. */
class InputBuffer {
  bytes: Uint8Array = new Uint8Array(0);
  /** Offset in the source of `bytes[0]`. */
  start = 0;

  constructor(private readonly source: ByteSource) {}

  /** Keeps what the decoder has not read (from `position` in `bytes`) and reads more after it. */
  async refill(position: number): Promise<void> {
    const kept = this.bytes.subarray(position);
    const from = this.start + this.bytes.length;
    const more = from < this.source.size ? await this.source.read(from, INPUT_READ_BYTES) : new Uint8Array(0);
    if (more.length === 0 && from < this.source.size) {
      throw new Error(`the source returned no bytes at ${from}`);
    }
    const next = new Uint8Array(kept.length + more.length);
    next.set(kept);
    next.set(more, kept.length);
    this.start += position;
    this.bytes = next;
  }

  get atEnd(): boolean {
    return this.start + this.bytes.length >= this.source.size;
  }
}

/**
 * The LZMA properties a 7z coder declares: the lc/lp/pb byte and the dictionary size.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { type LzmaProperties, lzmaRawChunks } from "./lzma_decoder.ts";
 * const properties: LzmaProperties = { properties: 0x5d, dictionarySize: 1 << 24 }; // lc=3, lp=0, pb=2
 * const raw = Uint8Array.fromBase64("ADQZSe6OaCH///+54AAA"); // lzma.compress(b"hello", lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA1}])
 * const text = [];
 * for await (const chunk of lzmaRawChunks(bytesSource(raw), properties)) text.push(new TextDecoder().decode(chunk));
 * assert.equal(text.join(""), "hello");
 * ```
 */
export interface LzmaProperties {
  /** (pb × 5 + lp) × 9 + lc. */
  properties: number;
  /** Dictionary size in bytes. */
  dictionarySize: number;
}

/**
 * Decodes raw LZMA data (no header: 7z keeps the properties apart) to `size` bytes, or to its end
 * marker when `size` is undefined, step by step, refusing a dictionary over `maxDictionaryBytes`
 * (the `lzma.maxDictionaryBytes` option). Errors name the format and what is wrong; data
 * that ends before `size` bytes (an end marker too early) is an error too.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { lzmaRawChunks } from "./lzma_decoder.ts";
 * const raw = Uint8Array.fromBase64("ADQZSe6OaCH///+54AAA"); // lzma.compress(b"hello", lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA1}])
 * const text = [];
 * for await (const chunk of lzmaRawChunks(bytesSource(raw), { properties: 0x5d, dictionarySize: 1 << 23 })) {
 *   text.push(new TextDecoder().decode(chunk));
 * }
 * assert.equal(text.join(""), "hello"); // to its end marker: no size given
 * ```
 */
export async function* lzmaRawChunks(
  source: ByteSource,
  properties: LzmaProperties,
  size?: number,
  maxDictionaryBytes: number = DEFAULT_LZMA_OPTIONS.maxDictionaryBytes,
): AsyncGenerator<Uint8Array> {
  try {
    checkDictionary(properties.dictionarySize, maxDictionaryBytes);
    const state = new LzmaState(
      properties.dictionarySize,
      windowFor(properties.dictionarySize, size ?? Infinity, LZMA_STEP_BYTES),
    );
    state.setProperties(properties.properties);
    state.resetState();
    const input = new InputBuffer(source);
    await input.refill(0);
    state.initRangeCoder(input.bytes, 0, input.bytes.length);
    let produced = 0;
    for (;;) {
      if (!input.atEnd && state.inEnd - state.inPos < INPUT_MARGIN_BYTES * 2) {
        await input.refill(state.inPos);
        state.input = input.bytes;
        state.inPos = 0;
        state.inEnd = input.bytes.length;
      }
      const want = Math.min(LZMA_STEP_BYTES, (size ?? Infinity) - produced);
      const ended = state.decode(want, input.atEnd ? 0 : INPUT_MARGIN_BYTES);
      const chunk = state.take();
      // A match that ran past the declared size is cut to it.
      const cut = size === undefined ? chunk : chunk.subarray(0, Math.max(0, size - produced));
      produced += cut.length;
      if (cut.length > 0) yield cut;
      if (ended) break;
      if (size !== undefined && produced >= size) return;
      if (input.atEnd && state.inPos >= state.inEnd && chunk.length === 0) {
        throw new CorruptData("truncated: the data ends inside the stream");
      }
    }
    if (size !== undefined && produced < size) {
      throw new CorruptData(`the stream's end marker comes after ${produced} of its ${size} bytes`);
    }
  } catch (error) {
    throw asDecodeError("lzma", error);
  }
}

/**
 * The dictionary size an LZMA2 properties byte declares (7z's and xz's one-byte form), or
 * `undefined` for an invalid byte.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lzma2DictionarySize } from "./lzma_decoder.ts";
 * assert.equal(lzma2DictionarySize(24), 16777216);
 * assert.equal(lzma2DictionarySize(41), undefined); // past the format's range
 * ```
 */
export function lzma2DictionarySize(byte: number): number | undefined {
  if (byte > 40) return undefined;
  if (byte === 40) return 0xffffffff;
  return (2 | (byte & 1)) * 2 ** (Math.floor(byte / 2) + 11);
}

/**
 * Decodes raw LZMA2 data (a sequence of chunks ending with a zero byte) with a dictionary of
 * `dictionarySize` bytes, one chunk (at most 2 MiB) at a time. `sizeBound`, when known (the
 * decoded size 7z declares), bounds the window: a small member needs no large dictionary.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { lzma2Chunks } from "./lzma_decoder.ts";
 * const raw = Uint8Array.fromBase64("AQAEaGVsbG8A"); // lzma.compress(b"hello", lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA2}])
 * const text = [];
 * for await (const chunk of lzma2Chunks(bytesSource(raw), 1 << 23)) text.push(new TextDecoder().decode(chunk));
 * assert.equal(text.join(""), "hello");
 * ```
 */
export async function* lzma2Chunks(
  source: ByteSource,
  dictionarySize: number,
  sizeBound = Infinity,
  maxDictionaryBytes: number = DEFAULT_LZMA_OPTIONS.maxDictionaryBytes,
): AsyncGenerator<Uint8Array> {
  try {
    checkDictionary(dictionarySize, maxDictionaryBytes);
    const state = new LzmaState(
      dictionarySize,
      windowFor(dictionarySize, sizeBound, LZMA2_MAX_CHUNK_DECODED),
    );
    let offset = 0;
    let needDictionaryReset = true;
    let needProperties = true;
    for (;;) {
      const head = await source.read(offset, 6);
      if (head.length === 0) throw new CorruptData("truncated: the data ends before its end marker");
      const control = head[0];
      if (control === 0x00) return;
      if (control === 0x01 || control === 0x02) {
        if (head.length < 3) throw new CorruptData("truncated chunk header");
        if (control === 0x01) {
          state.resetDictionary();
          needDictionaryReset = false;
        } else if (needDictionaryReset) {
          throw new CorruptData("the first chunk does not reset the dictionary");
        }
        const size = ((head[1] << 8) | head[2]) + 1;
        const bytes = await source.read(offset + 3, size);
        if (bytes.length < size) throw new CorruptData("truncated: an uncompressed chunk ends early");
        state.putBytes(bytes);
        offset += 3 + size;
        yield state.take();
        continue;
      }
      if (control < 0x80) throw new CorruptData(`invalid chunk control byte 0x${control.toString(16)}`);
      const reset = (control >>> 5) & 3;
      const headerBytes = reset >= 2 ? 6 : 5;
      if (head.length < headerBytes) throw new CorruptData("truncated chunk header");
      const decoded = ((control & 0x1f) << 16) + ((head[1] << 8) | head[2]) + 1;
      const packed = ((head[3] << 8) | head[4]) + 1;
      if (reset === 3) {
        state.resetDictionary();
        needDictionaryReset = false;
      } else if (needDictionaryReset) {
        throw new CorruptData("the first chunk does not reset the dictionary");
      }
      if (reset >= 2) {
        state.setProperties(head[5]);
        if (state.lc + state.lp > 4) throw new CorruptData("lc + lp is more than 4");
        needProperties = false;
      } else if (needProperties) {
        throw new CorruptData("a chunk before any properties");
      }
      if (reset >= 1) state.resetState();
      const data = await source.read(offset + headerBytes, packed);
      if (data.length < packed) throw new CorruptData("truncated: a compressed chunk ends early");
      state.initRangeCoder(data, 0, data.length);
      const ended = state.decode(decoded, 0);
      if (ended || state.pending !== decoded) {
        throw new CorruptData(`a chunk does not decode to the ${decoded} bytes it declares`);
      }
      offset += headerBytes + packed;
      yield state.take();
    }
  } catch (error) {
    throw asDecodeError("lzma2", error);
  }
}
