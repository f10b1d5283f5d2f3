/**
 * The 7z filters that sit after a decompressor in a folder: x86 branch conversion (BCJ), which
 * 7-Zip applies to executables and libraries, and delta, which it applies to WAV and other
 * sampled data. Both are byte-exact ports of liblzma's decoders, over streams of chunks.
 *
 * @module
 */

/** Whether `b` is a byte an x86 call or jump target's high byte can be (the filter converts only those). */
function test86MsByte(b: number): boolean {
  return b === 0 || b === 0xff;
}

const MASK_TO_ALLOWED = [true, true, true, false, true, false, false, false];
const MASK_TO_BIT_NUMBER = [0, 1, 2, 2, 3, 3, 3, 3];

/** The x86 BCJ decoder's state between chunks. */
class X86State {
  prevMask = 0;
  prevPos = -5;

  /** Converts `buffer` (starting at stream position `now`) in place; returns how many bytes are final. */
  decode(buffer: Uint8Array, now: number): number {
    if (buffer.length < 5) return 0;
    let prevMask = this.prevMask;
    let prevPos = this.prevPos;
    if (now - prevPos > 5) prevPos = now - 5;
    const limit = buffer.length - 5;
    let i = 0;
    while (i <= limit) {
      let b = buffer[i];
      if (b !== 0xe8 && b !== 0xe9) {
        i++;
        continue;
      }
      const offset = now + i - prevPos;
      prevPos = now + i;
      if (offset > 5) prevMask = 0;
      else for (let k = 0; k < offset; k++) prevMask = ((prevMask & 0x77) << 1) & 0xff;
      b = buffer[i + 4];
      if (test86MsByte(b) && MASK_TO_ALLOWED[(prevMask >>> 1) & 7] && prevMask >>> 1 < 0x10) {
        let src = ((b << 24) | (buffer[i + 3] << 16) | (buffer[i + 2] << 8) | buffer[i + 1]) >>> 0;
        let dest: number;
        for (;;) {
          dest = (src - (now + i + 5)) >>> 0;
          if (prevMask === 0) break;
          const index = MASK_TO_BIT_NUMBER[prevMask >>> 1];
          b = (dest >>> (24 - index * 8)) & 0xff;
          if (!test86MsByte(b)) break;
          src = (dest ^ (2 ** (32 - index * 8) - 1)) >>> 0;
        }
        buffer[i + 4] = ~(((dest >>> 24) & 1) - 1) & 0xff;
        buffer[i + 3] = (dest >>> 16) & 0xff;
        buffer[i + 2] = (dest >>> 8) & 0xff;
        buffer[i + 1] = dest & 0xff;
        i += 5;
        prevMask = 0;
      } else {
        i++;
        prevMask |= 1;
        if (test86MsByte(b)) prevMask |= 0x10;
      }
    }
    this.prevMask = prevMask;
    this.prevPos = prevPos;
    return i;
  }
}

/**
 * Undoes 7-Zip's x86 BCJ filter (method `03030103`) on a stream of chunks: call and jump targets
 * turned back from absolute into relative addresses. Up to four bytes wait for the next chunk.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bcjX86 } from "./filters.ts";
 * async function* chunks() {
 *   yield Uint8Array.of(0x90, 0x90);
 * }
 * const out = [];
 * for await (const chunk of bcjX86(chunks())) out.push(...chunk);
 * assert.deepEqual(out, [0x90, 0x90]); // no CALL or JMP to convert back
 * ```
 */
export async function* bcjX86(input: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const state = new X86State();
  let carry = new Uint8Array(0);
  let position = 0;
  for await (const chunk of input) {
    const buffer = new Uint8Array(carry.length + chunk.length);
    buffer.set(carry);
    buffer.set(chunk, carry.length);
    const done = state.decode(buffer, position);
    position += done;
    carry = buffer.slice(done);
    if (done > 0) yield buffer.subarray(0, done);
  }
  if (carry.length > 0) yield carry;
}

/**
 * Undoes the delta filter (method `03`, its property byte the distance minus one) on a stream of
 * chunks: each byte is the sum of itself and the byte `distance` before it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deltaDecode } from "./filters.ts";
 * async function* chunks() {
 *   yield Uint8Array.of(1, 1, 1, 1);
 * }
 * const out = [];
 * for await (const chunk of deltaDecode(chunks(), 1)) out.push(...chunk);
 * assert.deepEqual(out, [1, 2, 3, 4]);
 * ```
 */
export async function* deltaDecode(
  input: AsyncIterable<Uint8Array>,
  distance: number,
): AsyncGenerator<Uint8Array> {
  const history = new Uint8Array(256);
  let pos = 0;
  for await (const chunk of input) {
    const out = chunk.slice();
    for (let i = 0; i < out.length; i++) {
      out[i] = (out[i] + history[(distance + pos) & 0xff]) & 0xff;
      history[pos & 0xff] = out[i];
      pos = (pos - 1) & 0xff;
    }
    yield out;
  }
}
