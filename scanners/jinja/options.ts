/**
 * The chat-template scanners' limits: how large a template file and a JSON file
 * holding templates may be to be analysed. Set them per scan with
 * `scannerOptions: { jinja: { ... } }` or `--limit jinja.NAME=VALUE`.
 *
 * @module
 */

/**
 * Limits of the chat-template scanners.
 *
 * @example
 * ```ts
 * import { DEFAULT_JINJA_OPTIONS, type JinjaOptions } from "./options.ts";
 * const strict: JinjaOptions = { ...DEFAULT_JINJA_OPTIONS, maxTemplateBytes: 1024 * 1024 };
 * ```
 */
export interface JinjaOptions {
  /**
   * Bytes of a chat template analysed (default 8 MiB), wherever it is: a `.jinja` file, a template
   * in a `tokenizer_config.json` (MA503) or in a GGUF file's metadata (MA348); a larger one is not
   * analysed. Real templates are a few kilobytes, the largest tens.
   */
  maxTemplateBytes: number;
  /**
   * Bytes of a `tokenizer_config.json` or `chat_template.json` parsed (default 64 MiB); a larger one
   * is MA503, not analysed. Tokenizer configs with their added tokens run to a few megabytes.
   */
  maxConfigBytes: number;
}

/**
 * The chat-template scanners' limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_JINJA_OPTIONS } from "./options.ts";
 * assert.equal(DEFAULT_JINJA_OPTIONS.maxTemplateBytes, 8 * 1024 * 1024);
 * ```
 */
export const DEFAULT_JINJA_OPTIONS: Readonly<JinjaOptions> = Object.freeze({
  maxTemplateBytes: 8 * 1024 * 1024,
  maxConfigBytes: 64 * 1024 * 1024,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JINJA_OPTION_SUMMARIES } from "./options.ts";
 * assert.match(JINJA_OPTION_SUMMARIES.maxTemplateBytes, /^Bytes of a chat template/);
 * ```
 */
export const JINJA_OPTION_SUMMARIES: Readonly<Record<keyof JinjaOptions, string>> = {
  maxTemplateBytes:
    "Bytes of a chat template analysed (.jinja, tokenizer config, GGUF); larger: MA503, MA348",
  maxConfigBytes: "Bytes of a tokenizer_config.json or chat_template.json parsed; larger: MA503",
};
