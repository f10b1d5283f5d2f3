/**
 * The values of Python string literals as source spells them: prefixes
 * (`r`, `u`, `b`), the three quotings, escapes (`\x6f`, `\u006f`, octal) and
 * adjacent literals (`"o" "s"`). What a payload writes to hide a module name
 * from a text search. Decoded by the strict Python literal parser that reads
 * `.npy` headers, so the two agree on what a literal is.
 *
 * @module
 */

import { parsePythonLiteral } from "../numpy/literal.ts";

/** Characters of one literal decoded by default: names are short, and this bounds the work on a huge constant. */
export const MAX_LITERAL_CHARS = 4096;

const latin1 = new TextDecoder("latin1");

/**
 * The value of string literal text (`'os'`, `r"\d"`, `"""doc"""`, `b'x'` as Latin-1, `"o" "s"`), or
 * `undefined` for an f-string, text longer than `maxChars`, or text that is no string literal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stringValue } from "./literals.ts";
 * assert.equal(stringValue(String.raw`"\x6fs"`), "os");
 * assert.equal(stringValue(String.raw`r"\x6f"`), String.raw`\x6f`);
 * assert.equal(stringValue(`'''sys''' "tem"`), "system");
 * assert.equal(stringValue(`f"{x}"`), undefined);
 * ```
 */
export function stringValue(text: string, maxChars: number = MAX_LITERAL_CHARS): string | undefined {
  if (text.length > maxChars) return undefined;
  const parsed = parsePythonLiteral(text);
  if (!parsed.ok) return undefined;
  const { value } = parsed;
  return value.type === "str" ? value.value : value.type === "bytes" ? latin1.decode(value.value) : undefined;
}
