/**
 * Random-access byte sources. Scanners read through this interface only, so the
 * same code scans a file on disk, an archive member or a payload nested in a pickle
 * without copying it and without touching the file system.
 *
 * @module
 */

/**
 * A read-only, random-access view of bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "./byte_source.ts";
 * const source = bytesSource(new Uint8Array([0x80, 0x04, 0x2e]));
 * assert.deepEqual(await source.read(0, 2), new Uint8Array([0x80, 0x04]));
 * assert.deepEqual(await source.read(2, 100), new Uint8Array([0x2e])); // fewer only at the end
 * ```
 */
export interface ByteSource {
  /** Total length in bytes. */
  readonly size: number;
  /**
   * Reads up to `length` bytes at `offset`. Returns fewer bytes only at the end
   * of the source. The returned array may be a view that the caller must not keep
   * across later reads if it needs it unchanged.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/**
 * A byte source over bytes already in memory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "./byte_source.ts";
 * const source = bytesSource(new TextEncoder().encode("hello"));
 * assert.equal(source.size, 5);
 * ```
 */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read(offset, length) {
      const start = Math.min(Math.max(0, offset), bytes.length);
      return Promise.resolve(bytes.subarray(start, Math.min(bytes.length, start + Math.max(0, length))));
    },
  };
}

/**
 * A window of `length` bytes starting at `offset` in `parent`, without copying.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource, subSource } from "./byte_source.ts";
 * const inner = subSource(bytesSource(new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])), 4, 3);
 * assert.equal(inner.size, 3);
 * assert.deepEqual(await inner.read(0, 10), new Uint8Array([4, 5, 6]));
 * ```
 */
export function subSource(parent: ByteSource, offset: number, length: number): ByteSource {
  const start = Math.min(Math.max(0, offset), parent.size);
  const size = Math.min(Math.max(0, length), parent.size - start);
  return {
    size,
    read(at, count) {
      const from = Math.min(Math.max(0, at), size);
      return parent.read(start + from, Math.min(Math.max(0, count), size - from));
    },
  };
}

/**
 * Reads the whole source into memory. Only for sources known to be small.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource, readAll } from "./byte_source.ts";
 * const all = await readAll(bytesSource(new Uint8Array([1, 2, 3])));
 * assert.deepEqual(all, new Uint8Array([1, 2, 3]));
 * ```
 */
export async function readAll(source: ByteSource): Promise<Uint8Array> {
  const out = new Uint8Array(source.size);
  let done = 0;
  while (done < source.size) {
    const chunk = await source.read(done, source.size - done);
    if (chunk.length === 0) break;
    out.set(chunk, done);
    done += chunk.length;
  }
  return done === out.length ? out : out.subarray(0, done);
}

/**
 * The bytes of `first` followed by those of `second`, without copying either: how a
 * decoder is handed a header it needs in front of bytes a container holds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource, concatSources } from "./byte_source.ts";
 * const both = concatSources(bytesSource(new Uint8Array([1, 2])), bytesSource(new Uint8Array([3])));
 * assert.deepEqual(await both.read(1, 2), new Uint8Array([2, 3]));
 * ```
 */
export function concatSources(first: ByteSource, second: ByteSource): ByteSource {
  const size = first.size + second.size;
  return {
    size,
    async read(offset, length) {
      const start = Math.min(Math.max(0, offset), size);
      const end = Math.min(size, start + Math.max(0, length));
      if (end <= first.size) return first.read(start, end - start);
      if (start >= first.size) return second.read(start - first.size, end - start);
      const head = await first.read(start, first.size - start);
      const tail = await second.read(0, end - first.size);
      const out = new Uint8Array(head.length + tail.length);
      out.set(head);
      out.set(tail, head.length);
      return out;
    },
  };
}
