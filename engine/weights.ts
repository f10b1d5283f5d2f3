/**
 * The weight analysis in a scan: the readable tensors one model lists, collected while its source
 * is open, and analysed (`scanners/weights/`) before its frame ends. A model is what one loader
 * loads: a file's tensors, plus those of the members its container names a loader for (the arrays of
 * an `.npz`), whose values are copied when their member is a decoded one released before the
 * container's scan ends.
 *
 * @module
 */

import { DecodeError } from "../core/decode_error.ts";
import { elementCount, type WeightTensor } from "../core/tensor.ts";
import type { WeightFinding } from "../scanners/weights/finding.ts";
import type { WeightsOptions } from "../scanners/option_catalog.ts";

/**
 * A collected tensor and the members down to the source that listed it.
 *
 * @example
 * ```ts
 * import type { CollectedTensor } from "./weights.ts";
 * const values = Float32Array.of(0.5);
 * const collected: CollectedTensor = {
 *   tensor: { name: "b", dtype: "F32", shape: [1], read: () => Promise.resolve(values) },
 *   members: ["bias.npy"],
 * };
 * ```
 */
export interface CollectedTensor {
  /** The tensor, readable until its model is analysed. */
  tensor: WeightTensor;
  /** The members from the file down to the source that listed it, outermost first. */
  members: readonly string[];
}

/**
 * The readable tensors of one model, as its frames list them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WeightCollection } from "./weights.ts";
 * const values = Float32Array.of(1, 2);
 * const tensor = { name: "b", dtype: "F32", shape: [2], read: (s: number, n: number) => Promise.resolve(values.slice(s, s + n)) };
 * const model = new WeightCollection(1_000);
 * await model.add(tensor, ["w.npy"], true); // from a decoded member: its values are copied
 * values[0] = 9;
 * assert.deepEqual([...await model.tensors[0].tensor.read(0, 2)], [1, 2]);
 * ```
 */
export class WeightCollection {
  /** The tensors collected, in the order they were listed. */
  readonly tensors: CollectedTensor[] = [];
  /** Tensors of released members that were too large to copy, and are therefore not analysed. */
  uncopied = 0;
  #copied = 0;

  /** @param maxCopied Elements copied at most (`weights.maxCopiedElements`); tensors past it are left out. */
  constructor(readonly maxCopied: number) {}

  /**
   * Collects `tensor`, listed by the source at `members`. With `copy` (its source is released before
   * the model is analysed), its values are read now and kept, up to `maxCopied` elements per model.
   */
  async add(tensor: WeightTensor, members: readonly string[], copy: boolean): Promise<void> {
    if (!copy) {
      this.tensors.push({ tensor, members });
      return;
    }
    const count = elementCount(tensor.shape);
    if (this.#copied + count > this.maxCopied) {
      this.uncopied++;
      return;
    }
    this.#copied += count;
    const values = await tensor.read(0, count);
    const { name, dtype, shape } = tensor;
    const kept: WeightTensor = {
      name,
      dtype,
      shape,
      read: (start, n) => Promise.resolve(values.slice(start, start + n)),
    };
    this.tensors.push({ tensor: kept, members });
  }
}

/**
 * A finding of the analysis and the members down to the source of the tensor it names.
 *
 * @example
 * ```ts
 * import type { PlacedWeightFinding } from "./weights.ts";
 * const placed: PlacedWeightFinding = {
 *   finding: { rule: "MA390", severity: "warning", message: "Tensor b holds 1 NaN", details: { tensor: "b" } },
 *   members: ["bias.npy"],
 * };
 * ```
 */
export interface PlacedWeightFinding {
  /** The finding, its tensor in `details.tensor` (`""` for one about the whole model). */
  finding: WeightFinding;
  /** The members of the tensor's source; the model's own for a finding about the whole model. */
  members: readonly string[];
}

/**
 * Analyses a model's collected tensors (loading the analysis only now: a scan that collects none
 * never loads it), each finding placed at the source of its tensor. A model with tensors left out
 * for their size gets an MA399 saying so.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_WEIGHTS_OPTIONS } from "../scanners/option_catalog.ts";
 * import { analyzeCollected, WeightCollection } from "./weights.ts";
 * const values = Float32Array.of(NaN, 1);
 * const model = new WeightCollection(0);
 * await model.add({ name: "b", dtype: "F32", shape: [2], read: (s, n) => Promise.resolve(values.slice(s, s + n)) }, ["m.npy"], false);
 * const [placed] = await analyzeCollected(model, [], DEFAULT_WEIGHTS_OPTIONS);
 * assert.deepEqual([placed.finding.rule, placed.members], ["MA390", ["m.npy"]]);
 * ```
 */
export async function analyzeCollected(
  model: WeightCollection,
  members: readonly string[],
  options: Readonly<WeightsOptions>,
): Promise<PlacedWeightFinding[]> {
  const { analyzeWeights } = await import("../scanners/weights/analyze.ts");
  let findings: WeightFinding[];
  try {
    findings = await analyzeWeights(model.tensors.map((collected) => collected.tensor), options);
  } catch (error) {
    // Values that end before their tensor does (a truncated file) stop the analysis, not the scan.
    if (!(error instanceof DecodeError)) throw error;
    findings = [{
      rule: "MA399",
      severity: "info",
      message: `The weight analysis stopped: a tensor's ${error.reason}`,
      details: { tensor: "", reason: error.message },
    }];
  }
  const sourceOf = new Map(model.tensors.map((collected) => [collected.tensor.name, collected.members]));
  const placed = findings.map((finding) => ({
    finding,
    members: sourceOf.get(finding.details.tensor) ?? members,
  }));
  if (model.uncopied > 0) {
    placed.push({
      finding: {
        rule: "MA399",
        severity: "info",
        message: `The weight analysis left out ${model.uncopied} tensors of compressed members: ` +
          `more than ${model.maxCopied} elements (weights.maxCopiedElements) would have been held in memory`,
        details: { tensor: "", uncopied: model.uncopied, threshold: model.maxCopied },
      },
      members,
    });
  }
  return placed;
}
