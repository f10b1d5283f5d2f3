/**
 * The checks of one configuration value: credentials (MA540–MA546) and risky URLs
 * (MA550–MA557). No I/O: a config scanner walking a YAML, JSON, TOML, INI or XML
 * document calls {@linkcode configValueFindings} for every string value with its key path,
 * and reports each finding with the value's location; as a check of the config scanners'
 * per-string hook (`scanners/config/values.ts`):
 *
 * ```ts ignore
 * const secretsAndUrls: ConfigValueCheck = (ctx, { value, keyPath, key }) => {
 *   for (const finding of configValueFindings(value, keyPath, key)) ctx.report(finding);
 * };
 * // and the shared string checks leave the URLs to it (one URL, one finding):
 * checkString(ctx, value, { what: `The value at ${keyPath}`, keyPath, skipIndicators: URL_INDICATORS });
 * ```
 *
 * @module
 */

import { findCredentials } from "./credentials.ts";
import type { ValueFinding } from "./types.ts";
import { findRiskyUrls } from "./urls.ts";

export type { ValueFinding } from "./types.ts";
export { URL_INDICATORS } from "./urls.ts";

/**
 * Values shorter than this hold no finding: the shortest password the generic check takes has 8
 * characters, as has the shortest risky URL (`file:///`); every provider token is longer.
 */
const MIN_CHECKED_CHARS = 8;

/**
 * Characters of one value checked (64 KiB): credentials and URLs sit near the start of a
 * value; an embedded document longer than that is searched only in its head, so the work
 * per value stays bounded.
 */
export const MAX_CHECKED_CHARS = 64 * 1024;

/**
 * The key a value sits under: the last name of its key path (`$.hub.token` → `token`,
 * `$.servers[2].password` → `password`, `$["api-key"]` → `api-key`), or `undefined` for a
 * value in a list or at the root.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lastKey } from "./check.ts";
 * assert.equal(lastKey("$.hub.token"), "token");
 * assert.equal(lastKey("$.servers[2].password"), "password");
 * assert.equal(lastKey('$["api-key"]'), "api-key");
 * assert.equal(lastKey("$.env[0]"), undefined);
 * ```
 */
export function lastKey(keyPath: string): string | undefined {
  const match = /(?:\.([^.[\]]+)|\["((?:[^"\\]|\\.)*)"\]|\['([^']*)'\])$/.exec(keyPath);
  return match === null ? undefined : match[1] ?? match[2] ?? match[3];
}

/**
 * The findings about one string `value` of a configuration file: the credentials it holds
 * and the risky URLs it names. `keyPath` is where it sits (`$.hub.token`), and `key` the
 * name it is given (by default the last key of `keyPath`); the key decides whether a
 * random-looking value is a secret and whether a plain http:// URL is a download. Only the
 * first {@linkcode MAX_CHECKED_CHARS} characters are searched. A message never holds a
 * secret whole: `details.preview` is redacted (`hf_QmZr…IuYt (37 chars)`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configValueFindings } from "./check.ts";
 * const [token] = configValueFindings("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", "$.hub.token");
 * assert.equal(token.rule, "MA542");
 * assert.equal(token.severity, "critical");
 * assert.equal(token.details.provider, "huggingface");
 * const [url] = configValueFindings("http://203.0.113.9/model.bin", "$.weights_url");
 * assert.equal(url.rule, "MA550");
 * assert.deepEqual(configValueFindings("<pad>", "$.pad_token"), []);
 * assert.deepEqual(configValueFindings("${HF_TOKEN}", "$.hub.token"), []);
 * assert.deepEqual(configValueFindings("https://huggingface.co/gpt2", "$.model_url"), []);
 * ```
 */
export function configValueFindings(
  value: string,
  keyPath: string,
  key: string | undefined = lastKey(keyPath),
): ValueFinding[] {
  // Shorter than any credential or risky URL: a tokenizer's vocabulary is hundreds of thousands of these.
  if (value.length < MIN_CHECKED_CHARS) return [];
  const checked = value.length > MAX_CHECKED_CHARS ? value.slice(0, MAX_CHECKED_CHARS) : value;
  return [...findCredentials(checked, key, keyPath), ...findRiskyUrls(checked, key)];
}
