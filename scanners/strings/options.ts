/**
 * The limits of the string checks every format shares for the strings a model
 * carries as data (safetensors metadata today). Set them per scan with
 * `scannerOptions: { strings: { ... } }` or `--limit strings.NAME=VALUE`.
 *
 * @module
 */

/**
 * Limits of the shared string checks.
 *
 * @example
 * ```ts
 * import { DEFAULT_STRING_OPTIONS, type StringOptions } from "./options.ts";
 * const wider: StringOptions = { ...DEFAULT_STRING_OPTIONS, maxCheckedChars: 16 * 1024 * 1024 };
 * ```
 */
export interface StringOptions {
  /**
   * Characters of one string searched for signs of a second stage (MA011; default 1 Mi): a
   * command or URL is never that far into a real value, and the search stays linear in it.
   */
  maxCheckedChars: number;
}

/**
 * The string checks' limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_STRING_OPTIONS } from "./options.ts";
 * assert.equal(DEFAULT_STRING_OPTIONS.maxCheckedChars, 1024 * 1024);
 * ```
 */
export const DEFAULT_STRING_OPTIONS: Readonly<StringOptions> = Object.freeze({
  maxCheckedChars: 1024 * 1024,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { STRING_OPTION_SUMMARIES } from "./options.ts";
 * assert.match(STRING_OPTION_SUMMARIES.maxCheckedChars, /^Characters of one string/);
 * ```
 */
export const STRING_OPTION_SUMMARIES: Readonly<Record<keyof StringOptions, string>> = {
  maxCheckedChars: "Characters of one string (metadata value) searched for signs of a second stage (MA011)",
};
