/**
 * The weight analysis's options: whether it runs, its thresholds and its read budget. Set them per
 * scan with `scannerOptions: { weights: { ... } }` or `--limit weights.NAME=VALUE`; `--weights` and
 * `--no-weights` set {@linkcode WeightsOptions.enabled}.
 *
 * Thresholds are in median absolute deviations (MADs, scaled by 1.4826 so that one MAD is one
 * standard deviation of normal data): a robust scale the outlier being looked for cannot inflate.
 * The defaults were tuned on the even seeds of `scripts/make_trojan_models.py`'s models and measured
 * on the odd ones (`deno task bench:weights`); see the rules MA390–MA399 for what they found.
 *
 * @module
 */

/** `enabled`: the analysis does not run. */
export const WEIGHTS_OFF = 0;
/**
 * `enabled`: every check, except on a large language model, whose values are not read at all (its
 * scan costs no more than its header; `--weights` reads them).
 */
export const WEIGHTS_AUTO = 1;
/** `enabled`: every check on every model, large language models included. */
export const WEIGHTS_ON = 2;

/**
 * Options of the weight analysis.
 *
 * @example
 * ```ts
 * import { DEFAULT_WEIGHTS_OPTIONS, WEIGHTS_ON, type WeightsOptions } from "./options.ts";
 * const full: WeightsOptions = { ...DEFAULT_WEIGHTS_OPTIONS, enabled: WEIGHTS_ON };
 * ```
 */
export interface WeightsOptions {
  /**
   * 0 off, 1 auto (default: all checks, but no value of a large language model read: its gigabytes
   * would cost seconds, and its trained weights have outliers by design), 2 on (all checks on every
   * model, NaN/Inf in a large language model included).
   */
  enabled: number;
  /**
   * A value of a weight matrix farther than this many MADs from its median is MA391 (default 1,000).
   * Real trained weights are heavy-tailed: GNU Backgammon's networks reach 89 MADs.
   */
  magnitudeMads: number;
  /** An output unit of a classification head whose weight norm is this many MADs from the median is MA392 (default 12). */
  headNormMads: number;
  /**
   * An output unit whose similarity to its nearest other unit (cosine) is this many MADs below the
   * units' median nearest-unit similarity is MA393 (default 12).
   */
  headCosineMads: number;
  /** Output units a head may have (default 1,000); a 2-D weight with more is no classification head. */
  maxHeadUnits: number;
  /** Elements of a head held in memory (default 4,194,304, 16 MiB as float32); a larger head is not analysed. */
  maxHeadElements: number;
  /** Elements a tensor needs for its distribution to be judged (MA391) or its constancy (MA394) (default 256). */
  minTensorElements: number;
  /** A 2-D tensor with a dimension this large is vocabulary-sized (default 30,000): a sign of a language model. */
  llmVocabulary: number;
  /** Parameters that, with a vocabulary-sized tensor, make a model a large language model (default 50,000,000). */
  llmParameters: number;
  /** Elements of a tensor sampled for its median and MAD (default 65,536). */
  sampleElements: number;
  /** Elements read at once (default 1,048,576, 4 MiB as float32): the memory one read may take. */
  chunkElements: number;
  /**
   * Elements read per model in all (default 268,435,456: 1 GiB of float32, about a second); past it the
   * rest is not read (MA399). The classification head is read first, so the budget never skips it.
   */
  maxReadElements: number;
  /**
   * Elements of compressed archive members' tensors kept in memory for their model's analysis (default
   * 16,777,216: 64 MiB of float32); an `.npz`'s arrays past it are left out (MA399).
   */
  maxCopiedElements: number;
}

/**
 * The weight analysis's options when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_WEIGHTS_OPTIONS, WEIGHTS_AUTO } from "./options.ts";
 * assert.equal(DEFAULT_WEIGHTS_OPTIONS.enabled, WEIGHTS_AUTO);
 * ```
 */
export const DEFAULT_WEIGHTS_OPTIONS: Readonly<WeightsOptions> = Object.freeze({
  enabled: WEIGHTS_AUTO,
  magnitudeMads: 1_000,
  headNormMads: 12,
  headCosineMads: 12,
  maxHeadUnits: 1_000,
  maxHeadElements: 4 * 1024 * 1024,
  minTensorElements: 256,
  llmVocabulary: 30_000,
  llmParameters: 50_000_000,
  sampleElements: 65_536,
  chunkElements: 1024 * 1024,
  maxReadElements: 256 * 1024 * 1024,
  maxCopiedElements: 16 * 1024 * 1024,
});

/**
 * What each option sets, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WEIGHTS_OPTION_SUMMARIES } from "./options.ts";
 * assert.match(WEIGHTS_OPTION_SUMMARIES.enabled, /^0 off/);
 * ```
 */
export const WEIGHTS_OPTION_SUMMARIES: Readonly<Record<keyof WeightsOptions, string>> = {
  enabled: "0 off, 1 auto (a large language model's values are not read), 2 on (every model, LLMs too)",
  magnitudeMads: "MADs from its weight matrix's median a value may be; farther: MA391",
  headNormMads: "MADs from the median a head unit's weight norm may be; farther: MA392",
  headCosineMads: "MADs below the median nearest-unit cosine a head unit may be; farther: MA393",
  maxHeadUnits: "Output units of a classification head; a 2-D weight with more is no head",
  maxHeadElements: "Elements of a classification head held in memory; a larger head is not analysed",
  minTensorElements: "Elements a tensor needs to be judged by MA391 and MA394",
  llmVocabulary: "A 2-D dimension this large is vocabulary-sized (a sign of a language model)",
  llmParameters: "Parameters that, with a vocabulary-sized tensor, make a large language model",
  sampleElements: "Elements of a tensor sampled for its median and MAD",
  chunkElements: "Elements read at once",
  maxReadElements: "Elements read per model; past it the rest is not analysed: MA399",
  maxCopiedElements:
    "Elements of compressed members' tensors held for their model's analysis; past it: MA399",
};
