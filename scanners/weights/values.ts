/**
 * Checks of one tensor's values, read once in chunks: NaN and infinities (MA390), values far outside
 * the tensor's own distribution (MA391), and a weight matrix left constant (MA394).
 *
 * @module
 */

import { elementCount, type TensorInfo, type WeightTensor } from "../../core/tensor.ts";
import { rounded, type WeightFinding } from "./finding.ts";
import type { WeightsOptions } from "../option_catalog.ts";
import { type ReadBudget, readChunks, sampleTensor } from "./read.ts";
import { robustDistance, type RobustSummary, robustSummary } from "./stats.ts";

/**
 * Whether a tensor's type is one whose values training sets (floating point, decoded to float32 by
 * its reader); integer tensors (token ids, step counters, quantized codes) are not judged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isFloatTensor } from "./values.ts";
 * assert.equal(isFloatTensor({ dtype: "BF16" }), true);
 * assert.equal(isFloatTensor({ dtype: "I64" }), false);
 * ```
 */
export function isFloatTensor(tensor: Pick<TensorInfo, "dtype">): boolean {
  return /^(?:F\d|BF16)/.test(tensor.dtype);
}

/**
 * Whether a tensor is a weight matrix or kernel (two dimensions of more than one) with enough
 * elements to be judged by its own distribution (MA391) or its constancy (MA394). Vectors are left
 * out on purpose: biases start at zero, LayerNorm and BatchNorm weights at one, and an unused one (a
 * frozen norm, a bias of a layer followed by a norm) stays there; BatchNorm running variances span
 * orders of magnitude by nature.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isWeightMatrix } from "./values.ts";
 * assert.equal(isWeightMatrix([32, 64], 256), true);
 * assert.equal(isWeightMatrix([768], 256), false); // a norm's weight or a bias
 * assert.equal(isWeightMatrix([1, 1, 768], 256), false); // a token vector
 * ```
 */
export function isWeightMatrix(shape: readonly number[], minElements: number): boolean {
  return shape.filter((dimension) => dimension > 1).length >= 2 && elementCount(shape) >= minElements;
}

/** What one pass over a tensor's values found. */
interface ValueTally {
  nan: number;
  infinite: number;
  firstBad: number;
  first: number;
  constant: boolean;
  farthest: number;
  farthestIndex: number;
  farthestValue: number;
}

function tally(
  values: Float32Array,
  start: number,
  center: RobustSummary | undefined,
  into: ValueTally,
): void {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (!Number.isFinite(value)) {
      if (Number.isNaN(value)) into.nan++;
      else into.infinite++;
      if (into.firstBad < 0) into.firstBad = start + i;
      into.constant = false;
      continue;
    }
    if (start + i === 0) into.first = value;
    else if (value !== into.first) into.constant = false;
    if (center !== undefined) {
      const distance = robustDistance(value, center);
      if (distance > into.farthest) {
        into.farthest = distance;
        into.farthestIndex = start + i;
        into.farthestValue = value;
      }
    }
  }
}

/**
 * Reads `tensor` once (after a bounded sample for its median and MAD) and reports NaN and
 * infinities (MA390) and, in a weight matrix ({@linkcode isWeightMatrix}), a value more
 * than `magnitudeMads` MADs from the median (MA391) and a constant value (MA394). Returns
 * `complete: false` when the budget ran out before the end: the
 * findings then cover what was read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_WEIGHTS_OPTIONS } from "../option_catalog.ts";
 * import { ReadBudget } from "./read.ts";
 * import { checkValues } from "./values.ts";
 * const values = Float32Array.of(0.5, NaN, -0.25, Infinity);
 * const tensor = { name: "w", dtype: "F32", shape: [4], read: (s: number, n: number) => Promise.resolve(values.slice(s, s + n)) };
 * const { findings } = await checkValues(tensor, DEFAULT_WEIGHTS_OPTIONS, new ReadBudget(100));
 * assert.deepEqual(findings.map((f) => f.rule), ["MA390"]);
 * ```
 */
export async function checkValues(
  tensor: WeightTensor,
  options: Readonly<WeightsOptions>,
  budget: ReadBudget,
): Promise<{ findings: WeightFinding[]; complete: boolean }> {
  let center: RobustSummary | undefined;
  if (isWeightMatrix(tensor.shape, options.minTensorElements)) {
    const sample = await sampleTensor(tensor, options.sampleElements, options.chunkElements, budget);
    if (sample === undefined) return { findings: [], complete: false };
    center = robustSummary(sample);
    // More than half the sampled values equal (a sparse or pruned tensor): no scale to judge by.
    if (center?.scale === 0) center = undefined;
  }
  const seen: ValueTally = {
    nan: 0,
    infinite: 0,
    firstBad: -1,
    first: NaN,
    constant: true,
    farthest: 0,
    farthestIndex: -1,
    farthestValue: NaN,
  };
  const complete = await readChunks(
    tensor,
    options.chunkElements,
    budget,
    (values, start) => tally(values, start, center, seen),
  );
  const findings: WeightFinding[] = [];
  if (seen.nan + seen.infinite > 0) {
    findings.push({
      rule: "MA390",
      severity: "warning",
      message: `Tensor ${tensor.name} holds ${seen.nan} NaN and ${seen.infinite} infinite values ` +
        `(the first at element ${seen.firstBad}): the model computes garbage, or the values carry something else`,
      details: { tensor: tensor.name, nan: seen.nan, infinite: seen.infinite, firstIndex: seen.firstBad },
    });
  }
  if (center !== undefined && seen.farthest > options.magnitudeMads) {
    findings.push({
      rule: "MA391",
      severity: "warning",
      message: `Tensor ${tensor.name} holds ${seen.farthestValue} at element ${seen.farthestIndex}, ` +
        `${rounded(seen.farthest)} MADs from its median ${
          rounded(center.median)
        } (threshold ${options.magnitudeMads})`,
      details: {
        tensor: tensor.name,
        index: seen.farthestIndex,
        value: seen.farthestValue,
        median: rounded(center.median),
        scale: rounded(center.scale),
        statistic: rounded(seen.farthest),
        threshold: options.magnitudeMads,
      },
    });
  }
  if (complete && seen.constant && isWeightMatrix(tensor.shape, options.minTensorElements)) {
    findings.push({
      rule: "MA394",
      severity: "info",
      message: `Tensor ${tensor.name} (${tensor.shape.join(" x ")}) is ${
        seen.first === 0 ? "all zeros" : `the constant ${seen.first}`
      }: training leaves no weight matrix so`,
      details: { tensor: tensor.name, value: seen.first, shape: [...tensor.shape] },
    });
  }
  return { findings, complete };
}
