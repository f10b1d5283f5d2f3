/**
 * The classification head of a model, found by structure, and its checks: an output unit whose
 * weight norm is an outlier (MA392), and one unlike every other unit (MA393).
 *
 * A BadNets-style backdoor teaches one class to answer a trigger; the hope (of this check, and of
 * the literature it follows) is that the target class's unit then stands apart from the others. It is
 * a statistical signal, measured on real trojaned models in `scripts/bench_weights.ts`, and a warning
 * at most.
 *
 * @module
 */

import type { WeightTensor } from "../../core/tensor.ts";
import { rounded, type WeightFinding } from "./finding.ts";
import type { WeightsOptions } from "../option_catalog.ts";
import { type ReadBudget, readChunks } from "./read.ts";
import { robustSummary } from "./stats.ts";
import { isFloatTensor } from "./values.ts";

/**
 * Units a head needs for a median and MAD over its units to mean anything at a 12-MAD threshold: over
 * fewer, mutual nearest units share their cosine and the MAD collapses (a random 8 x 8 matrix, a GGUF
 * fixture's untrained output layer, reaches 17 MADs). Ten is the smallest head measured (the digit
 * classifiers of `scripts/make_trojan_models.py`).
 */
const MIN_HEAD_UNITS = 10;

/** A classification head: its weight (`units` x `inputs`, one row per output unit) and its bias. */
export interface Head {
  /** The 2-D weight, one row per output unit. */
  weight: WeightTensor;
  /** The bias beside it (a vector of one value per unit), if the model has one: a flagged unit's is in its details. */
  bias?: WeightTensor;
  /** Output units (classes). */
  units: number;
  /** Inputs of each unit. */
  inputs: number;
}

/**
 * The classification head of `tensors`, found by structure rather than by name: among the 2-D float
 * weights (rows are output units, as PyTorch, ONNX Gemm and safetensors store them) whose output
 * size no other layer takes as its input size, the last in order with at least 10 and at most
 * `maxHeadUnits` units. Its bias is the vector of as many values named like it (`fc.weight`,
 * `fc.bias`), else the first such vector after it. `undefined` when no tensor qualifies.
 *
 * Keras kernels, stored inputs first (`inputs x units`), are not recognised as heads.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findHead } from "./head.ts";
 * const info = (name: string, shape: number[]) => ({ name, dtype: "F32", shape, read: () => Promise.resolve(new Float32Array()) });
 * const tensors = [info("fc1.weight", [32, 64]), info("fc1.bias", [32]), info("out.weight", [10, 32]), info("out.bias", [10])];
 * const head = findHead(tensors, 1_000)!;
 * assert.equal(head.weight.name, "out.weight"); // fc1's 32 outputs feed out.weight
 * assert.equal(head.bias?.name, "out.bias");
 * ```
 */
export function findHead(tensors: readonly WeightTensor[], maxHeadUnits: number): Head | undefined {
  // How many layers take each input size: a 2-D weight's columns, a convolution's input channels.
  const takers = new Map<number, number>();
  for (const tensor of tensors) {
    if (tensor.shape.length >= 2) takers.set(tensor.shape[1], (takers.get(tensor.shape[1]) ?? 0) + 1);
  }
  const weight = tensors.findLast((tensor) => {
    if (!isFloatTensor(tensor) || tensor.shape.length !== 2) return false;
    const [units, inputs] = tensor.shape;
    const others = (takers.get(units) ?? 0) - (inputs === units ? 1 : 0);
    return units >= MIN_HEAD_UNITS && units <= maxHeadUnits && inputs >= 1 && others === 0;
  });
  if (weight === undefined) return undefined;
  const units = weight.shape[0];
  const vectors = tensors.filter((tensor) =>
    isFloatTensor(tensor) && tensor.shape.length === 1 && tensor.shape[0] === units
  );
  const twin = weight.name.replace(/weight$/, "bias");
  const bias = vectors.find((tensor) => twin !== weight.name && tensor.name === twin) ??
    vectors.find((tensor) => tensors.indexOf(tensor) > tensors.indexOf(weight));
  return { weight, bias, units, inputs: weight.shape[1] };
}

/** Each unit's cosine similarity to its most similar other unit (NaN for a unit of norm 0). */
function nearestCosines(
  rows: Float32Array,
  units: number,
  inputs: number,
  norms: Float64Array,
): Float64Array {
  const nearest = new Float64Array(units).fill(NaN);
  for (let a = 0; a < units; a++) {
    if (norms[a] === 0) continue;
    for (let b = a + 1; b < units; b++) {
      if (norms[b] === 0) continue;
      let dot = 0;
      for (let k = 0; k < inputs; k++) dot += rows[a * inputs + k] * rows[b * inputs + k];
      const cosine = dot / (norms[a] * norms[b]);
      if (!(cosine <= nearest[a])) nearest[a] = cosine;
      if (!(cosine <= nearest[b])) nearest[b] = cosine;
    }
  }
  return nearest;
}

/**
 * Checks a head's output units: a weight norm more than `headNormMads` MADs from the units' median
 * (MA392), and a nearest-unit cosine similarity more than `headCosineMads` MADs below the units'
 * median (MA393). The head is read whole (it is small: at most `maxHeadElements`, or it is skipped);
 * the pairwise cosines take `units^2 x inputs / 2` products. `complete` is false when the budget ran
 * out before the head was read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkHead } from "./head.ts";
 * import { DEFAULT_WEIGHTS_OPTIONS } from "../option_catalog.ts";
 * import { ReadBudget } from "./read.ts";
 * // 8 units of 4 inputs with norms 2.00 to 2.14; unit 5's weights 30 times larger
 * const rows = Float32Array.from({ length: 8 * 4 }, (_, i) => (1 + 0.01 * Math.floor(i / 4)) * (Math.floor(i / 4) === 5 ? 30 : 1));
 * const weight = { name: "fc.weight", dtype: "F32", shape: [8, 4], read: (s: number, n: number) => Promise.resolve(rows.slice(s, s + n)) };
 * const { findings } = await checkHead({ weight, units: 8, inputs: 4 }, DEFAULT_WEIGHTS_OPTIONS, new ReadBudget(1e6));
 * assert.deepEqual(findings.map((f) => [f.rule, f.details.unit]), [["MA392", 5]]);
 * ```
 */
export async function checkHead(
  head: Head,
  options: Readonly<WeightsOptions>,
  budget: ReadBudget,
): Promise<{ findings: WeightFinding[]; complete: boolean }> {
  const { weight, units, inputs } = head;
  if (units * inputs > options.maxHeadElements) return { findings: [], complete: true };
  const rows = new Float32Array(units * inputs);
  const complete = await readChunks(
    weight,
    options.chunkElements,
    budget,
    (values, start) => rows.set(values, start),
  );
  if (!complete) return { findings: [], complete };
  // The bias of a flagged unit goes into its details: a favoured class often has a raised bias too.
  let biases: Float32Array | undefined;
  if (head.bias !== undefined) {
    const read = new Float32Array(units);
    const whole = await readChunks(
      head.bias,
      options.chunkElements,
      budget,
      (values, start) => read.set(values, start),
    );
    if (!whole) return { findings: [], complete: false };
    biases = read;
  }
  const unitDetails = (unit: number) => ({
    tensor: weight.name,
    unit,
    ...biases === undefined ? {} : { bias: rounded(biases[unit]) },
  });
  const norms = new Float64Array(units);
  for (let unit = 0; unit < units; unit++) {
    let sum = 0;
    for (let k = 0; k < inputs; k++) sum += rows[unit * inputs + k] ** 2;
    norms[unit] = Math.sqrt(sum);
  }
  // A head with NaN or infinities is MA390's; its norms and cosines mean nothing.
  if (!norms.every(Number.isFinite)) return { findings: [], complete };
  const findings: WeightFinding[] = [];
  const normSummary = robustSummary(norms);
  if (normSummary !== undefined && normSummary.scale > 0) {
    for (let unit = 0; unit < units; unit++) {
      const statistic = Math.abs(norms[unit] - normSummary.median) / normSummary.scale;
      if (statistic <= options.headNormMads) continue;
      findings.push({
        rule: "MA392",
        severity: "warning",
        message: `Output unit ${unit} of the classification head ${weight.name} has a weight norm of ` +
          `${rounded(norms[unit])}, ${rounded(statistic)} MADs from the units' median ${
            rounded(normSummary.median)
          } (threshold ${options.headNormMads}): a class the model favours, as a backdoor's target may be`,
        details: {
          ...unitDetails(unit),
          norm: rounded(norms[unit]),
          median: rounded(normSummary.median),
          statistic: rounded(statistic),
          threshold: options.headNormMads,
        },
      });
    }
  }
  const nearest = nearestCosines(rows, units, inputs, norms);
  const cosineSummary = robustSummary(nearest);
  if (cosineSummary !== undefined && cosineSummary.scale > 0) {
    for (let unit = 0; unit < units; unit++) {
      const statistic = (cosineSummary.median - nearest[unit]) / cosineSummary.scale;
      if (!(statistic > options.headCosineMads)) continue;
      findings.push({
        rule: "MA393",
        severity: "warning",
        message: `Output unit ${unit} of the classification head ${weight.name} is unlike every other unit ` +
          `(its nearest cosine similarity ${rounded(nearest[unit])} is ${
            rounded(statistic)
          } MADs below the ` +
          `units' median ${rounded(cosineSummary.median)}, threshold ${options.headCosineMads}): ` +
          `a class that answers different features, as a backdoor's target may`,
        details: {
          ...unitDetails(unit),
          nearestCosine: rounded(nearest[unit]),
          median: rounded(cosineSummary.median),
          statistic: rounded(statistic),
          threshold: options.headCosineMads,
        },
      });
    }
  }
  return { findings, complete };
}
