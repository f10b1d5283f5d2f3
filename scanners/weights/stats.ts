/**
 * Robust statistics of the weight analysis: the median and the median absolute deviation (MAD),
 * which a few outliers, the very values looked for, cannot drag the way they drag a mean and a
 * standard deviation.
 *
 * @module
 */

/** Scales a MAD to the standard deviation of normal data, so that thresholds read as in sigmas. */
export const MAD_TO_SIGMA = 1.4826;

/** A robust center and scale of some values. */
export interface RobustSummary {
  /** The median. */
  median: number;
  /** The MAD times {@linkcode MAD_TO_SIGMA}; 0 when more than half the values are equal. */
  scale: number;
}

function medianOfSorted(sorted: Float64Array): number {
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * The median and scaled MAD of `values`, NaN and infinities left out; `undefined` when no finite
 * value remains.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { robustSummary } from "./stats.ts";
 * const summary = robustSummary([1, 2, 3, 4, 100])!;
 * assert.equal(summary.median, 3);
 * assert.equal(summary.scale.toFixed(4), "1.4826"); // the 100 moves neither
 * ```
 */
export function robustSummary(values: ArrayLike<number>): RobustSummary | undefined {
  const finite = Float64Array.from(values).filter(Number.isFinite).sort();
  if (finite.length === 0) return undefined;
  const median = medianOfSorted(finite);
  const deviations = finite.map((value) => Math.abs(value - median)).sort();
  return { median, scale: medianOfSorted(deviations) * MAD_TO_SIGMA };
}

/**
 * How many scaled MADs `value` lies from the median of a summary: `Infinity` for a value off a
 * center that more than half the values share exactly (scale 0), 0 for a value on it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { robustDistance } from "./stats.ts";
 * assert.equal(robustDistance(7, { median: 3, scale: 2 }), 2);
 * assert.equal(robustDistance(3, { median: 3, scale: 0 }), 0);
 * ```
 */
export function robustDistance(value: number, summary: RobustSummary): number {
  const deviation = Math.abs(value - summary.median);
  if (deviation === 0) return 0;
  return summary.scale === 0 ? Infinity : deviation / summary.scale;
}
