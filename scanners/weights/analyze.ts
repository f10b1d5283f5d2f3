/**
 * The weight analysis: what a model's trained values say, beyond what its file's structure says.
 * {@linkcode analyzeWeights} takes the tensors of one model as the tensor layer reads them
 * (`WeightTensor`, any format) and returns findings without locations; the scanner of the format
 * adds where the model is.
 *
 * The checks and what each was measured to find on real clean and trojaned models are the rules
 * MA390–MA399 (`modelaudit rules MA392`). In short: NaN and infinities (MA390) and values far outside
 * their tensor (MA391) are reliable signs of corrupt or tampered weights; a constant weight matrix
 * (MA394) is a sign of a layer that was zeroed or never trained; the classification-head checks
 * (MA392, MA393) are weak statistical signals of a backdoor, quiet by default on clean models and
 * silent on most trojaned ones too.
 *
 * @module
 */

import { elementCount, type WeightTensor } from "../../core/tensor.ts";
import type { WeightFinding } from "./finding.ts";
import { checkHead, findHead } from "./head.ts";
import {
  DEFAULT_WEIGHTS_OPTIONS,
  WEIGHTS_AUTO,
  WEIGHTS_OFF,
  type WeightsOptions,
} from "../option_catalog.ts";
import { ReadBudget } from "./read.ts";
import { checkValues, isFloatTensor } from "./values.ts";

export type { WeightFinding, WeightRuleId } from "./finding.ts";

/**
 * Whether `tensors` look like a large language model, by structure: a 2-D tensor with a
 * vocabulary-sized dimension (an embedding or an LM head of at least `llmVocabulary` rows or
 * columns) and at least `llmParameters` parameters in all. Their trained weights have outliers by
 * design (massive activations' "super weights", embedding rows of rare tokens), and reading gigabytes
 * of values costs seconds, so in `auto` mode their values are not read at all.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { looksLikeLanguageModel } from "./analyze.ts";
 * import { DEFAULT_WEIGHTS_OPTIONS } from "../option_catalog.ts";
 * const info = (name: string, shape: number[]) => ({ name, dtype: "F16", shape, read: () => Promise.resolve(new Float32Array()) });
 * const gpt2 = [info("wte.weight", [50_257, 768]), ...Array.from({ length: 12 }, (_, i) => info(`h.${i}.mlp.c_fc.weight`, [768, 3_072]))];
 * assert.equal(looksLikeLanguageModel(gpt2, DEFAULT_WEIGHTS_OPTIONS), true);
 * assert.equal(looksLikeLanguageModel([info("fc.weight", [10, 64])], DEFAULT_WEIGHTS_OPTIONS), false);
 * ```
 */
export function looksLikeLanguageModel(
  tensors: readonly WeightTensor[],
  options: Readonly<WeightsOptions>,
): boolean {
  const vocabularySized = tensors.some((tensor) =>
    tensor.shape.length === 2 && Math.max(...tensor.shape) >= options.llmVocabulary
  );
  const parameters = tensors.reduce((sum, tensor) => sum + elementCount(tensor.shape), 0);
  return vocabularySized && parameters >= options.llmParameters;
}

/**
 * Analyses the trained values of one model's tensors, reading each in bounded chunks and at most
 * `maxReadElements` elements in all, and returns what it finds (MA390–MA394; MA399 when the budget
 * ran out before every tensor was read). With `enabled` 0 it reads nothing; with 1 (auto, the
 * default) a large language model ({@linkcode looksLikeLanguageModel}) is not read at all (its scan
 * costs no more than its header); with 2 every model gets every check.
 *
 * Float tensors only (integer ones, such as step counters and token ids, are skipped). The caller
 * adds each finding's location (the tensor is `details.tensor`).
 *
 * @throws {RangeError} When a tensor's reader returns fewer elements than asked: a bug of the tensor
 * layer, not a property of the model (a reader's own errors, such as a `DecodeError`, pass through).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { analyzeWeights } from "./analyze.ts";
 * const tensor = (name: string, shape: number[], values: Float32Array) => ({
 *   name, dtype: "F32", shape, read: (start: number, count: number) => Promise.resolve(values.slice(start, start + count)),
 * });
 * const findings = await analyzeWeights([
 *   tensor("fc.weight", [16, 32], new Float32Array(512)), // all zeros: MA394
 *   tensor("fc.bias", [16], Float32Array.of(NaN, ...new Float32Array(15))), // NaN: MA390
 * ]);
 * assert.deepEqual(findings.map((f) => [f.rule, f.severity, f.details.tensor]), [
 *   ["MA394", "info", "fc.weight"],
 *   ["MA390", "warning", "fc.bias"],
 * ]);
 * ```
 */
export async function analyzeWeights(
  tensors: readonly WeightTensor[],
  options: Readonly<WeightsOptions> = DEFAULT_WEIGHTS_OPTIONS,
): Promise<WeightFinding[]> {
  if (options.enabled === WEIGHTS_OFF) return [];
  // A large language model costs no more than its header unless asked for: auto reads none of its values.
  if (options.enabled === WEIGHTS_AUTO && looksLikeLanguageModel(tensors, options)) return [];
  const budget = new ReadBudget(options.maxReadElements);
  // The head is small and the likeliest place of a backdoor: checked first, so a spent budget never skips it.
  const head = findHead(tensors, options.maxHeadUnits);
  const headChecked = head === undefined ? undefined : await checkHead(head, options, budget);
  const findings: WeightFinding[] = [];
  let unread = headChecked?.complete === false ? 1 : 0;
  let total = 0;
  for (const tensor of tensors) {
    if (!isFloatTensor(tensor) || elementCount(tensor.shape) === 0) continue;
    total += elementCount(tensor.shape);
    const checked = await checkValues(tensor, options, budget);
    findings.push(...checked.findings);
    if (!checked.complete) unread++;
  }
  findings.push(...headChecked?.findings ?? []);
  if (budget.exhausted) {
    findings.push({
      rule: "MA399",
      severity: "info",
      message: `The weight analysis stopped after ${budget.used} elements (weights.maxReadElements) of the ` +
        `model's ${total}: ${unread} tensors were not fully read`,
      details: { tensor: "", read: budget.used, elements: total, threshold: options.maxReadElements, unread },
    });
  }
  return findings;
}
