/**
 * Bounded reading of {@linkcode WeightTensor}s: in chunks, against a budget of elements per model,
 * so that no tensor is ever held whole and a model of any size takes bounded time.
 *
 * @module
 */

import { elementCount, type WeightTensor } from "../../core/tensor.ts";

/** Elements read together when sampling: one read per block rather than one per element. */
const SAMPLE_BLOCK = 256;

/**
 * Elements a model's analysis may still read; every read takes its share.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ReadBudget } from "./read.ts";
 * const budget = new ReadBudget(10);
 * assert.equal(budget.take(4), 4);
 * assert.equal(budget.take(8), 6);
 * assert.equal(budget.exhausted, true);
 * ```
 */
export class ReadBudget {
  #left: number;
  /** Whether a read was cut short or refused. */
  exhausted = false;

  /** A budget of `elements`. */
  constructor(readonly elements: number) {
    this.#left = elements;
  }

  /** Elements read so far. */
  get used(): number {
    return this.elements - this.#left;
  }

  /** Takes up to `wanted` elements; returns how many may be read. */
  take(wanted: number): number {
    const granted = Math.min(wanted, this.#left);
    this.#left -= granted;
    if (granted < wanted) this.exhausted = true;
    return granted;
  }
}

/**
 * `count` elements of `tensor` from `start`: a reader that returns more is cut to what was asked (so
 * no caller writes past what it holds); one that returns fewer is a bug of the tensor layer, thrown.
 */
async function readExactly(tensor: WeightTensor, start: number, count: number): Promise<Float32Array> {
  const values = await tensor.read(start, count);
  if (values.length < count) {
    throw new RangeError(`${tensor.name}: read(${start}, ${count}) returned ${values.length} elements`);
  }
  return values.subarray(0, count);
}

/**
 * Reads `tensor` in order, `chunk` elements at a time, handing each chunk and the index of its first
 * element to `visit`. Returns whether every element was read (false when the budget ran out).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ReadBudget, readChunks } from "./read.ts";
 * const values = Float32Array.of(1, 2, 3, 4, 5);
 * const tensor = { name: "b", dtype: "F32", shape: [5], read: (s: number, n: number) => Promise.resolve(values.slice(s, s + n)) };
 * const starts: number[] = [];
 * assert.equal(await readChunks(tensor, 2, new ReadBudget(100), (_, start) => starts.push(start)), true);
 * assert.deepEqual(starts, [0, 2, 4]);
 * ```
 */
export async function readChunks(
  tensor: WeightTensor,
  chunk: number,
  budget: ReadBudget,
  visit: (values: Float32Array, start: number) => void,
): Promise<boolean> {
  const count = elementCount(tensor.shape);
  const step = Math.max(1, chunk);
  for (let start = 0; start < count; start += step) {
    const granted = budget.take(Math.min(step, count - start));
    if (granted === 0) return false;
    visit(await readExactly(tensor, start, granted), start);
    if (granted < Math.min(step, count - start)) return false;
  }
  return true;
}

/**
 * Up to `size` elements of `tensor`, in evenly spaced blocks (all of them when it has no more): the
 * sample its median and MAD are estimated from. `undefined` when the budget ran out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ReadBudget, sampleTensor } from "./read.ts";
 * const values = Float32Array.from({ length: 10_000 }, (_, i) => i);
 * const tensor = { name: "w", dtype: "F32", shape: [100, 100], read: (s: number, n: number) => Promise.resolve(values.slice(s, s + n)) };
 * const sample = (await sampleTensor(tensor, 1_024, 4_096, new ReadBudget(1e6)))!;
 * assert.equal(sample.length, 1_024);
 * assert.equal(sample[0], 0);
 * assert.equal(sample[1_023], 9_999); // the last block ends the tensor
 * ```
 */
export async function sampleTensor(
  tensor: WeightTensor,
  size: number,
  chunk: number,
  budget: ReadBudget,
): Promise<Float32Array | undefined> {
  const count = elementCount(tensor.shape);
  if (count <= size) {
    const all = new Float32Array(count);
    const complete = await readChunks(tensor, chunk, budget, (values, start) => all.set(values, start));
    return complete ? all : undefined;
  }
  const blocks = Math.max(1, Math.floor(size / SAMPLE_BLOCK));
  const sample = new Float32Array(blocks * SAMPLE_BLOCK);
  for (let block = 0; block < blocks; block++) {
    if (budget.take(SAMPLE_BLOCK) < SAMPLE_BLOCK) return undefined;
    const start = blocks === 1 ? 0 : Math.floor(block * (count - SAMPLE_BLOCK) / (blocks - 1));
    sample.set(await readExactly(tensor, start, SAMPLE_BLOCK), block * SAMPLE_BLOCK);
  }
  return sample;
}
