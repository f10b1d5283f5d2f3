// Weight tensors built in the tests: values in memory behind the `WeightTensor` reader, and a
// seeded normal generator so that "trained-looking" weights are the same on every run.
import type { WeightTensor } from "../../../core/tensor.ts";

/** A float32 tensor over `values`, counting the elements read. */
export function tensorOf(
  name: string,
  shape: number[],
  values: Float32Array,
): WeightTensor & { reads: number } {
  const tensor = {
    name,
    dtype: "F32",
    shape,
    reads: 0,
    read(start: number, count: number) {
      tensor.reads += count;
      return Promise.resolve(values.slice(start, start + count));
    },
  };
  return tensor;
}

/** `count` normal values of standard deviation `sigma`, from a fixed seed (mulberry32 and Box-Muller). */
export function normals(count: number, sigma: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297;
  };
  return Float32Array.from(
    { length: count },
    () => sigma * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()),
  );
}

/** A small trained-looking MLP (64 -> 32 -> 10): tensors in state-dict order, `head` rows editable. */
export function mlp(edit: (head: Float32Array) => void = () => {}): WeightTensor[] {
  const head = normals(10 * 32, 0.2, 3);
  edit(head);
  return [
    tensorOf("hidden.weight", [32, 64], normals(32 * 64, 0.1, 1)),
    tensorOf("hidden.bias", [32], normals(32, 0.05, 2)),
    tensorOf("head.weight", [10, 32], head),
    tensorOf("head.bias", [10], normals(10, 0.05, 4)),
  ];
}
