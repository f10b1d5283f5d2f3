/**
 * Known-safe callables of Hugging Face transformers: configuration classes.
 *
 * @module
 */

import type { SafeTable } from "./safe.ts";

/**
 * transformers' configuration classes, by family.
 *
 * @example
 * ```ts
 * import { SAFE_TRANSFORMERS } from "./safe_transformers.ts";
 * SAFE_TRANSFORMERS.library; // "transformers"
 * ```
 */
export const SAFE_TRANSFORMERS: SafeTable = {
  library: "transformers",
  families: [
    // Configuration classes (`transformers.models.bert.configuration_bert.BertConfig`, `GenerationConfig`).
    {
      root: "transformers",
      entry: "transformers.*.configuration_*",
      names: "classes",
      lastModule: /^configuration_|^quantization_config$/,
    },
  ],
};
