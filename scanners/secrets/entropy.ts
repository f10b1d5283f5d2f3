/**
 * Shannon entropy of a string and the thresholds above which a value looks random
 * enough to be a secret rather than a word, an identifier or a name.
 *
 * A random string's entropy depends on its alphabet and on its length (16 characters
 * cannot hold more than 4 bits each). The thresholds are therefore per charset and per
 * length: the 1st percentile of the entropy of 5,000 uniformly random strings of that
 * length and alphabet, so that 99 % of random secrets pass, interpolated on log2 of the
 * length. Words and identifiers stay well below them: `my-super-secret-key` has 3.26
 * bits a character against a threshold of 3.6 at 19 characters, `sentencepiece_model`
 * 3.22, `correcthorsebatterystaple` 3.36 against 3.9.
 *
 * @module
 */

/** The alphabet a value is drawn from, which sets the entropy it can reach. */
export type Charset = "hex" | "base64";

/**
 * Bits per character of `text` by its character frequencies (Shannon entropy).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shannonEntropy } from "./entropy.ts";
 * assert.equal(shannonEntropy("aaaa"), 0);
 * assert.equal(shannonEntropy("abcd"), 2);
 * ```
 */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * `hex` for a value of hex digits only, `base64` for anything else (base64, base64url,
 * base62 and punctuated secrets reach about the same entropy).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { charsetOf } from "./entropy.ts";
 * assert.equal(charsetOf("9f86d081884c7d65"), "hex");
 * assert.equal(charsetOf("wJalrXUtnFEMI/K7MDENG"), "base64");
 * ```
 */
export function charsetOf(text: string): Charset {
  return /^[0-9a-f]+$/i.test(text) ? "hex" : "base64";
}

/** [length, bits per character]: the 1st percentile of random strings' entropy (see the module doc). */
const THRESHOLDS: Record<Charset, readonly (readonly [number, number])[]> = {
  hex: [[8, 1.9], [16, 2.7], [32, 3.3], [64, 3.6]],
  base64: [[8, 2.4], [16, 3.3], [32, 4.2], [64, 4.9]],
};

/**
 * The entropy, in bits per character, above which a value of `length` characters drawn
 * from `charset` looks random (constant below 8 and above 64 characters).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { entropyThreshold } from "./entropy.ts";
 * assert.equal(entropyThreshold("hex", 32), 3.3);
 * assert.equal(entropyThreshold("base64", 24), 3.83); // interpolated on log2(length) between 16 and 32
 * ```
 */
export function entropyThreshold(charset: Charset, length: number): number {
  const table = THRESHOLDS[charset];
  if (length <= table[0][0]) return table[0][1];
  for (let i = 1; i < table.length; i++) {
    const [toLength, toBits] = table[i];
    if (length <= toLength) {
      const [fromLength, fromBits] = table[i - 1];
      const t = Math.log2(length / fromLength) / Math.log2(toLength / fromLength);
      return Math.round((fromBits + t * (toBits - fromBits)) * 100) / 100;
    }
  }
  return table[table.length - 1][1];
}

/**
 * Whether `text` is as random as a secret of its length and charset: its entropy reaches
 * {@linkcode entropyThreshold}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { looksRandom } from "./entropy.ts";
 * assert.equal(looksRandom("q8Zr2LxVt0PmW4kNc7Ya"), true);
 * assert.equal(looksRandom("my-super-secret-key"), false);
 * ```
 */
export function looksRandom(text: string): boolean {
  return shannonEntropy(text) >= entropyThreshold(charsetOf(text), text.length);
}
