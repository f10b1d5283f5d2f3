/**
 * The Hugging Face folder's limits: how large a config may be to be checked for remote
 * code. Set them per scan with `scannerOptions: { huggingface: { ... } }` or
 * `--limit huggingface.NAME=VALUE`.
 *
 * @module
 */

/**
 * Limits of the Hugging Face folder's plan.
 *
 * @example
 * ```ts
 * import { DEFAULT_HUGGINGFACE_OPTIONS, type HuggingFaceOptions } from "./options.ts";
 * const strict: HuggingFaceOptions = { ...DEFAULT_HUGGINGFACE_OPTIONS, maxConfigBytes: 1024 * 1024 };
 * ```
 */
export interface HuggingFaceOptions {
  /**
   * Bytes of a `config.json`, `tokenizer_config.json` or processor config parsed for its `auto_map`
   * (default 64 MiB); a larger one is MA638, not checked. Configs are kilobytes; tokenizer configs
   * with their added tokens run to a few megabytes.
   */
  maxConfigBytes: number;
}

/**
 * The Hugging Face folder's limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_HUGGINGFACE_OPTIONS } from "./options.ts";
 * assert.equal(DEFAULT_HUGGINGFACE_OPTIONS.maxConfigBytes, 64 * 1024 * 1024);
 * ```
 */
export const DEFAULT_HUGGINGFACE_OPTIONS: Readonly<HuggingFaceOptions> = Object.freeze({
  maxConfigBytes: 64 * 1024 * 1024,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HUGGINGFACE_OPTION_SUMMARIES } from "./options.ts";
 * assert.match(HUGGINGFACE_OPTION_SUMMARIES.maxConfigBytes, /^Bytes of a Hugging Face config/);
 * ```
 */
export const HUGGINGFACE_OPTION_SUMMARIES: Readonly<Record<keyof HuggingFaceOptions, string>> = {
  maxConfigBytes: "Bytes of a Hugging Face config parsed for auto_map and custom_pipelines; larger: MA638",
};
