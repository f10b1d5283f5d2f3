/**
 * A byte source over a file on disk, read by random access: nothing is read
 * until a scanner asks for it, so a 5 GB file costs only what is inspected.
 *
 * @module
 */

import type { ByteSource } from "../core/byte_source.ts";

/** A byte source that owns an open file; close it when the scan is done. */
export interface FileSource extends ByteSource, Disposable {
  close(): void;
}

/**
 * Opens `path` for random-access reading.
 *
 * @example
 * ```ts
 * import { openFileSource } from "./file_source.ts";
 * using source = await openFileSource("model.pkl");
 * const head = await source.read(0, 16);
 * ```
 */
export async function openFileSource(path: string): Promise<FileSource> {
  const file = await Deno.open(path, { read: true });
  try {
    const { size } = await file.stat();
    // seek + read is not atomic: reads are queued so concurrent callers never interleave.
    let queue: Promise<unknown> = Promise.resolve();
    const readAt = async (offset: number, length: number): Promise<Uint8Array> => {
      const start = Math.min(Math.max(0, offset), size);
      const out = new Uint8Array(Math.min(Math.max(0, length), size - start));
      await file.seek(start, Deno.SeekMode.Start);
      let filled = 0;
      while (filled < out.length) {
        const count = await file.read(out.subarray(filled));
        if (count === null) break;
        filled += count;
      }
      return filled === out.length ? out : out.subarray(0, filled);
    };
    return {
      size,
      read(offset, length) {
        const result = queue.then(() => readAt(offset, length));
        queue = result.catch(() => undefined);
        return result;
      },
      close: () => file.close(),
      [Symbol.dispose]: () => file.close(),
    };
  } catch (error) {
    file.close();
    throw error;
  }
}
