/**
 * Redacted previews of secrets: enough to recognise a credential in a report and find it
 * in the file, never enough to use it.
 *
 * @module
 */

/** Characters shown at each end of a long secret. */
const SHOWN_AT_EACH_END = 4;
/** Below this length only the first two characters are shown: four at each end would reveal most of it. */
const SHORT_SECRET = 16;

/**
 * `secret` with its middle replaced by `…` and its length: `hf_AbCd…EfGh (37 chars)`. The first
 * `prefixLength` characters, a known prefix (`hf_`, `ghp_`, `sk-proj-`), are shown whole besides:
 * they name the provider, not the secret.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { redact } from "./redact.ts";
 * assert.equal(redact("hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh", 3), "hf_AbCd…EfGh (37 chars)");
 * assert.equal(redact("hunter2hunter2"), "hu… (14 chars)");
 * ```
 */
export function redact(secret: string, prefixLength = 0): string {
  const chars = [...secret];
  if (chars.length < SHORT_SECRET) return `${chars.slice(0, 2).join("")}… (${chars.length} chars)`;
  const head = chars.slice(0, prefixLength + SHOWN_AT_EACH_END).join("");
  return `${head}…${chars.slice(-SHOWN_AT_EACH_END).join("")} (${chars.length} chars)`;
}
