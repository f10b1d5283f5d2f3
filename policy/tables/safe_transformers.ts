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
 * import assert from "node:assert/strict";
 * import { SAFE_TRANSFORMERS } from "./safe_transformers.ts";
 * assert.equal(SAFE_TRANSFORMERS.library, "transformers");
 * assert.ok((SAFE_TRANSFORMERS.families?.length ?? 0) > 0);
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
