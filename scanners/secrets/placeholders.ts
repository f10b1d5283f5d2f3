/**
 * Values that stand for a secret without being one: environment references
 * (`${HF_TOKEN}`, `$HF_TOKEN`, `{{ secrets.X }}`), fill-in markers (`<your-key>`,
 * `YOUR_API_KEY`, `xxxx`, `***`, `changeme`), and empty words (`None`, `null`). And
 * values that sit under a secret-sounding key without being secrets: digests, UUIDs,
 * paths, URLs, version numbers, dotted names, special tokens of a tokenizer and prose.
 *
 * @module
 */

/** Interpolation syntaxes: the secret is filled in from elsewhere when the config is read. */
const INTERPOLATION = /\$\{|\{\{|\}\}|%\(|#\{|\$\(|^\$[A-Za-z_]\w*$|^%[A-Za-z_]\w*%$|^\$env:/i;
/** A fill-in marker: `<your-key>`, `[TOKEN]`, `YOUR_API_KEY`, `xxxx`, `***`, `...`. */
const FILL_IN = new RegExp(
  [
    String.raw`^<[^<>]*>$`,
    String.raw`^\[[^\[\]]*\]$`,
    String.raw`^(?:your|my|insert|enter|put|add|replace|paste|set)[\s_-]`,
    String.raw`[\s_-]here$`,
    String.raw`x{4,}|\*{3,}|\.{3}|…|#{4,}|_{4,}|0{8,}`,
    String.raw`^(.)\1*$`,
    String
      .raw`example|placeholder|dummy|redacted|sample|fake|changeme|change[_-]me|replace[_-]?me|not[_-]?set|secret[_-]?here`,
  ].join("|"),
  "i",
);
/** Words that stand for no value or a default one. */
const EMPTY_WORDS = new Set([
  "none",
  "null",
  "nil",
  "undefined",
  "true",
  "false",
  "yes",
  "no",
  "on",
  "off",
  "empty",
  "n/a",
  "na",
  "todo",
  "tbd",
  "fixme",
  "default",
  "unset",
  "hidden",
  "masked",
  "required",
  "optional",
  "secret",
  "password",
  "token",
  "apikey",
  "api_key",
  "test",
  "testing",
  "foo",
  "bar",
  "baz",
  "admin",
  "root",
  "guest",
  "user",
  "pass",
  "passwd",
  "string",
  "str",
  "env",
  "auto",
  "bearer",
  "basic",
  "oauth",
  "oauth2",
  "jwt",
]);

/**
 * Whether `value` is a reference to a secret or a marker to fill one in, not a secret.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isPlaceholder } from "./placeholders.ts";
 * for (const value of ["${HF_TOKEN}", "$HF_TOKEN", "{{ secrets.HF }}", "<your-key>", "YOUR_API_KEY", "xxxx", "None"]) {
 *   assert.equal(isPlaceholder(value), true, value);
 * }
 * assert.equal(isPlaceholder("q8Zr2LxVt0PmW4kNc7Ya"), false);
 * ```
 */
export function isPlaceholder(value: string): boolean {
  const trimmed = value.trim().replace(/^["']|["']$/g, "");
  return trimmed === "" || EMPTY_WORDS.has(trimmed.toLowerCase()) || INTERPOLATION.test(trimmed) ||
    FILL_IN.test(trimmed) || ENV_NAME.test(trimmed);
}

/** An environment variable's name (`HF_TOKEN`, `OPENAI_API_KEY`): where the secret is read from. */
const ENV_NAME = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$|^[A-Z]+$/;

const HEX_DIGEST_LENGTHS = new Set([32, 40, 56, 64, 96, 128]);

/** Shapes of values that are not secrets, with what each is. */
const NOT_SECRETS: readonly [string, RegExp][] = [
  ["uuid", /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i],
  ["url", /^[a-z][a-z0-9+.-]*:\/\//i],
  ["path", /^(?:\/|\.{1,2}\/|~\/|[a-z]:[\\/]|\\\\)|^[\w.-]+(?:\/[\w.-]+)*\/[\w-]+\.[a-z][a-z0-9]{0,5}$/i],
  ["timestamp", /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}|$)/],
  ["number", /^[\d.,:_+-]+(?:e[+-]?\d+)?$/i],
  ["dotted-name", /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+$/],
  ["special-token", /^<\|?[^<>]*\|?>$|^\[[A-Z_]+\]$|^▁/],
  ["prose", /\s/],
  ["identifier", /^[a-z]+(?:[_-][a-z]+)*$|^[A-Z][a-z]+(?:[A-Z][a-z]+)*$/],
];

/**
 * What `value` is when it has a shape no secret has (`uuid`, `url`, `path`, `digest`, ...),
 * or `undefined`. A hex string of a digest's length (MD5, SHA-1, SHA-256, ...) counts as a
 * digest only when `hexIsDigest`: under a key that names a secret outright (`secret_key`),
 * 64 hex digits are a key; under `token`, more often a checksum.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nonSecretShape } from "./placeholders.ts";
 * assert.equal(nonSecretShape("550e8400-e29b-41d4-a716-446655440000", true), "uuid");
 * assert.equal(nonSecretShape("d41d8cd98f00b204e9800998ecf8427e", true), "digest");
 * assert.equal(nonSecretShape("d41d8cd98f00b204e9800998ecf8427e", false), undefined);
 * assert.equal(nonSecretShape("q8Zr2LxVt0PmW4kNc7Ya", true), undefined);
 * ```
 */
export function nonSecretShape(value: string, hexIsDigest: boolean): string | undefined {
  if (hexIsDigest && HEX_DIGEST_LENGTHS.has(value.length) && /^[0-9a-f]+$/i.test(value)) return "digest";
  return NOT_SECRETS.find(([, pattern]) => pattern.test(value))?.[0];
}
