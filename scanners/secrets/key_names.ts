/**
 * Whether a configuration key names a secret, by its words: `hf_token`, `apiKey`,
 * `client-secret`, `DB_PASSWORD` do; `max_tokens`, `pad_token`, `tokenizer_class`,
 * `key_dim`, `primary_key`, `secret_name`, `password_file` do not. A key is split
 * into lower-case words at `_`, `-`, `.`, spaces and camelCase humps.
 *
 * @module
 */

/**
 * How surely a key names a secret: `strong` for words that mean nothing else (`password`,
 * `secret`, `api_key`, `private_key`), `weak` for words ML configs use in other senses
 * too (`token`, `auth`, `credential`).
 */
export type SecretKeyStrength = "strong" | "weak";

const STRONG_WORDS = new Set(["password", "passwd", "pwd", "passphrase", "secret", "apikey", "sas"]);
const WEAK_WORDS = new Set(["token", "auth", "credential", "credentials", "bearer", "cookie"]);
/** Words before `key` that make it a secret key (`api_key`, `access_key`, `private_key`). */
const KEY_QUALIFIERS = new Set([
  "api",
  "access",
  "secret",
  "private",
  "signing",
  "account",
  "master",
  "auth",
  "encryption",
  "client",
  "license",
  "subscription",
  "storage",
  "shared",
]);
/**
 * Words that make a secret-sounding key name something else: a tokenizer's special tokens and
 * counts (`pad_token`, `max_tokens`), a secret's name, file, variable, type or lifetime
 * (`secret_name`, `password_file`, `token_env`, `token_type`, `token_ttl`), or its digest.
 */
const NOT_A_SECRET_WORDS = new Set([
  "pad",
  "bos",
  "eos",
  "unk",
  "sep",
  "cls",
  "mask",
  "max",
  "min",
  "num",
  "number",
  "n",
  "vocab",
  "special",
  "added",
  "tokenizer",
  "tokenizers",
  "tokens",
  "dim",
  "dims",
  "size",
  "len",
  "length",
  "id",
  "ids",
  "type",
  "types",
  "index",
  "idx",
  "count",
  "limit",
  "embedding",
  "embeddings",
  "embed",
  "prefix",
  "suffix",
  "start",
  "end",
  "file",
  "files",
  "path",
  "paths",
  "dir",
  "url",
  "uri",
  "endpoint",
  "name",
  "names",
  "env",
  "var",
  "variable",
  "field",
  "header",
  "policy",
  "timeout",
  "ttl",
  "expiry",
  "expires",
  "expiration",
  "expire",
  "hash",
  "sha",
  "sha256",
  "digest",
  "format",
  "regex",
  "pattern",
  "fingerprint",
  "required",
  "enabled",
  "enable",
  "disable",
  "use",
  "image",
  "audio",
  "video",
  "mode",
  "strategy",
  "method",
  "location",
  "store",
  "provider",
  "source",
  "ref",
  "hint",
  "prompt",
  "label",
  "placeholder",
  "description",
  "help",
  "title",
  "scope",
  "scopes",
  "template",
  "class",
  "budget",
  "rate",
  "position",
  "role",
  "level",
  "generation",
  "chars",
  "boi",
  "eoi",
  "boa",
  "eoa",
  "think",
  "tool",
  "bot",
  "eot",
  "fim",
  "middle",
  "pre",
  "suf",
  "eom",
  "user",
  "assistant",
  "system",
  "map",
  "mapping",
  "column",
  "col",
  "table",
  "schema",
  "command",
  "cmd",
  "script",
  "manager",
  "backend",
  "plugin",
  "helper",
  "handler",
  "salt",
  "algorithm",
  "algo",
  "rotation",
  "strength",
  "next",
  "continuation",
  "page",
  "pagination",
  "cursor",
  "marker",
  "sync",
  "idempotency",
  "last",
  "used",
  "created",
  "changed",
  "updated",
  "date",
  "time",
  "age",
  "hashed",
  "hashing",
  "encoder",
  "decoder",
  "merge",
  "merges",
]);

/**
 * The lower-case words of a key: split at separators and camelCase humps.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { keyWords } from "./key_names.ts";
 * assert.deepEqual(keyWords("hfToken"), ["hf", "token"]);
 * assert.deepEqual(keyWords("AWS_SECRET_ACCESS_KEY"), ["aws", "secret", "access", "key"]);
 * ```
 */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== "");
}

/**
 * How surely `key` names a secret (see {@linkcode SecretKeyStrength}), or `undefined` when it
 * does not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { secretKeyStrength } from "./key_names.ts";
 * assert.equal(secretKeyStrength("db_password"), "strong");
 * assert.equal(secretKeyStrength("openaiApiKey"), "strong");
 * assert.equal(secretKeyStrength("hf_token"), "weak");
 * for (const key of ["max_tokens", "pad_token", "tokenizer_class", "key_dim", "primary_key", "password_file"]) {
 *   assert.equal(secretKeyStrength(key), undefined, key);
 * }
 * ```
 */
export function secretKeyStrength(key: string): SecretKeyStrength | undefined {
  const words = keyWords(key);
  if (words.some((word) => NOT_A_SECRET_WORDS.has(word))) return undefined;
  const qualifiedKey = words.some((word, i) =>
    (word === "key" || word === "keys") && KEY_QUALIFIERS.has(words[i - 1])
  );
  if (qualifiedKey || words.some((word) => STRONG_WORDS.has(word) || word.endsWith("password"))) {
    return "strong";
  }
  return words.some((word) => WEAK_WORDS.has(word)) ? "weak" : undefined;
}

/**
 * Whether `key` names a password (a human-chosen secret, judged by length and character
 * classes rather than randomness).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isPasswordKey } from "./key_names.ts";
 * assert.equal(isPasswordKey("DB_PASSWORD"), true);
 * assert.equal(isPasswordKey("api_key"), false);
 * ```
 */
export function isPasswordKey(key: string): boolean {
  return keyWords(key).some((word) => /^(?:\w*password|passwd|pwd|passphrase)$/.test(word));
}

/** Words of keys whose values are prose for people: documentation, descriptions, comments. */
const PROSE_WORDS = new Set([
  "description",
  "descriptions",
  "documentation",
  "doc",
  "docs",
  "docstring",
  "help",
  "comment",
  "comments",
  "summary",
  "readme",
  "note",
  "notes",
  "changelog",
  "about",
  "example",
  "examples",
  "usage",
  "message",
  "title",
  "text",
  "license",
  "abstract",
  "citation",
  "caption",
]);

/**
 * Whether `key` holds prose for people (`description`, `documentation`, `help`): a URL in
 * it is a link a reader may follow, not one a loader fetches, and `password=...` in it is an
 * example in the docs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isProseKey } from "./key_names.ts";
 * assert.equal(isProseKey("long_description"), true);
 * assert.equal(isProseKey("download_url"), false);
 * ```
 */
export function isProseKey(key: string | undefined): boolean {
  return key !== undefined && keyWords(key).some((word) => PROSE_WORDS.has(word));
}
