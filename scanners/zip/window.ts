/**
 * A byte source that keeps the last window it read. Local headers of small
 * members lie next to each other, so a pass over them costs one read per window
 * instead of one per member: through a file, ten thousand reads are seconds.
 * A read far from the last window (the next header after a gigabyte of tensor
 * data) reads only a little, so large members' data is never fetched.
 *
 * @module
 */

import type { ByteSource } from "../../core/byte_source.ts";

/** Bytes read at once on a sequential pass: many small members' headers and data, little memory. */
export const WINDOW_BYTES = 64 * 1024;

/** Bytes read at least after a jump: a header with its name and extra fields, rarely more. */
const JUMP_READ_BYTES = 4 * 1024;

/**
 * `source`, with reads of up to {@linkcode WINDOW_BYTES} served from the last window read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource, type ByteSource } from "../../core/byte_source.ts";
 * import { windowedSource } from "./window.ts";
 * const file = bytesSource(new Uint8Array(100).fill(7));
 * const reads: number[][] = [];
 * const counted: ByteSource = { size: file.size, read: (at, length) => (reads.push([at, length]), file.read(at, length)) };
 * const source = windowedSource(counted);
 * assert.deepEqual(await source.read(10, 4), new Uint8Array(4).fill(7));
 * await source.read(20, 4); // from the window
 * assert.equal(reads.length, 1); // one read of 64 KiB (here: the 100 bytes there are)
 * ```
 */
export function windowedSource(source: ByteSource): ByteSource {
  let start = 0;
  let window = new Uint8Array(0);
  return {
    size: source.size,
    async read(offset, length) {
      if (length > WINDOW_BYTES) return source.read(offset, length);
      const from = Math.min(Math.max(0, offset), source.size);
      const to = Math.min(source.size, from + Math.max(0, length));
      if (from < start || to > start + window.length) {
        const end = start + window.length;
        const sequential = from >= start && from < end + WINDOW_BYTES;
        const size = sequential ? WINDOW_BYTES : Math.max(to - from, JUMP_READ_BYTES);
        // A copy: the window outlives the next read of the source, which may reuse its buffer.
        window = (await source.read(from, size)).slice();
        start = from;
      }
      return window.subarray(from - start, to - start);
    },
  };
}
