/**
 * Counts the bytes of a file that the scan actually read: the `bytes_scanned` of a
 * report. Bytes read twice count once, and bytes no scanner needed (a checkpoint's
 * tensor data, an array's raw values) do not count at all.
 *
 * @module
 */

import type { ByteSource } from "../core/byte_source.ts";

/** Recorded ranges kept before they are first merged: merging costs a sort, so it waits for a batch. */
const MIN_MERGE_RANGES = 1024;

/**
 * A byte source that records which bytes of `inner` were read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../core/byte_source.ts";
 * import { CoverageSource } from "./read_coverage.ts";
 * const source = new CoverageSource(bytesSource(new Uint8Array(100)));
 * await source.read(0, 10);
 * await source.read(5, 10);
 * await source.read(90, 50);
 * assert.equal(source.bytesRead, 25); // bytes 0-14 and 90-99
 * ```
 */
export class CoverageSource implements ByteSource {
  readonly size: number;
  /** Read ranges as `[start, end)` pairs: merged and sorted up to `#merged`, in read order after it. */
  #ranges: number[] = [];
  #merged = 0;

  /** @param inner The source whose reads are counted. */
  constructor(private readonly inner: ByteSource) {
    this.size = inner.size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const bytes = await this.inner.read(offset, length);
    if (bytes.length > 0) {
      const start = Math.max(0, offset);
      const last = this.#ranges.length - 1;
      // Reading on from where the last read ended (the common, sequential case) extends that range.
      if (last > 0 && this.#ranges[last] === start) this.#ranges[last] = start + bytes.length;
      else this.#ranges.push(start, start + bytes.length);
      // Merging whenever the unmerged ranges outnumber the merged keeps memory to the distinct ranges.
      if (this.#ranges.length - this.#merged > Math.max(MIN_MERGE_RANGES * 2, this.#merged)) this.#merge();
    }
    return bytes;
  }

  /** Distinct bytes read so far. */
  get bytesRead(): number {
    this.#merge();
    let total = 0;
    for (let i = 0; i < this.#ranges.length; i += 2) total += this.#ranges[i + 1] - this.#ranges[i];
    return total;
  }

  #merge(): void {
    const pairs: [number, number][] = [];
    for (let i = 0; i < this.#ranges.length; i += 2) pairs.push([this.#ranges[i], this.#ranges[i + 1]]);
    pairs.sort((a, b) => a[0] - b[0]);
    const merged: number[] = [];
    for (const [start, end] of pairs) {
      const last = merged.length - 1;
      if (last > 0 && start <= merged[last]) merged[last] = Math.max(merged[last], end);
      else merged.push(start, end);
    }
    this.#ranges = merged;
    this.#merged = merged.length;
  }
}
