/**
 * The values of Python string literals as source spells them: prefixes
 * (`r`, `u`, `b`), the three quotings, escapes (`\x6f`, `\u006f`, octal) and
 * the concatenations that make one string of several (`"o" "s"`, `"o" + "s"`).
 * What a payload writes to hide a module name from a text search.
 *
 * @module
 */

/** Characters of one literal decoded by default: names are short, and this bounds the work on a huge constant. */
export const MAX_LITERAL_CHARS = 4096;

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\n": "",
};

/**
 * The value of one string literal token (`'os'`, `r"\d"`, `"""doc"""`, `b'x'`), or `undefined` for an
 * f-string, a token longer than `maxChars`, or text that is no string literal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stringValue } from "./literals.ts";
 * assert.equal(stringValue(String.raw`"\x6fs"`), "os");
 * assert.equal(stringValue(String.raw`r"\x6f"`), String.raw`\x6f`);
 * assert.equal(stringValue(`'''sys'''`), "sys");
 * assert.equal(stringValue(`f"{x}"`), undefined);
 * ```
 */
export function stringValue(token: string, maxChars: number = MAX_LITERAL_CHARS): string | undefined {
  if (token.length > maxChars) return undefined;
  const match = /^([rRuUbB]{0,2})('''|"""|'|")/.exec(token);
  if (!match) return undefined;
  const [, prefix, quote] = match;
  if (!token.endsWith(quote) || token.length < prefix.length + 2 * quote.length) return undefined;
  const body = token.slice(prefix.length + quote.length, token.length - quote.length);
  return /[rR]/.test(prefix) ? body : _unescape(body, /[bB]/.test(prefix));
}

/** `body` with its backslash escapes decoded; `\u` and `\N` are text in bytes literals. */
function _unescape(body: string, bytes: boolean): string {
  if (!body.includes("\\")) return body;
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== "\\" || i + 1 >= body.length) {
      out += c;
      continue;
    }
    const next = body[++i];
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      continue;
    }
    const width = next === "x" ? 2 : next === "u" && !bytes ? 4 : next === "U" && !bytes ? 8 : 0;
    const hex = body.slice(i + 1, i + 1 + width);
    if (width > 0 && hex.length === width && /^[0-9a-fA-F]+$/.test(hex)) {
      const point = parseInt(hex, 16);
      out += point <= 0x10ffff ? String.fromCodePoint(point) : "";
      i += width;
      continue;
    }
    const octal = /^[0-7]{1,3}/.exec(body.slice(i, i + 3));
    if (octal) {
      out += String.fromCharCode(parseInt(octal[0], 8));
      i += octal[0].length - 1;
      continue;
    }
    out += `\\${next}`;
  }
  return out;
}
