// The entropy thresholds against what they separate: uniformly random strings (secrets) of each
// charset and length must pass, the words and identifiers real configs hold must not.
import assert from "node:assert/strict";
import { entropyThreshold, looksRandom, shannonEntropy } from "../../../scanners/secrets/entropy.ts";

/** A deterministic generator (a 32-bit LCG), so the test draws the same strings every run. */
function randomStrings(alphabet: string, length: number, count: number, seed: number): string[] {
  let state = seed;
  const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  return Array.from(
    { length: count },
    () => Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join(""),
  );
}

const HEX = "0123456789abcdef";
const BASE62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

Deno.test("entropy: at least 97 % of random hex and base62 strings of 16 to 64 characters look random", () => {
  for (
    const [alphabet, lengths] of [[HEX, [16, 24, 32, 40, 64]], [BASE62, [16, 20, 24, 32, 40, 64]]] as const
  ) {
    for (const length of lengths) {
      const strings = randomStrings(alphabet, length, 1000, length * 7919);
      const passed = strings.filter(looksRandom).length;
      assert.ok(passed >= 970, `${alphabet.length}-letter alphabet, ${length} chars: ${passed}/1000`);
    }
  }
});

// Short CamelCase class names (`LlamaTokenizerFast`, 18 letters) and digit runs can reach the threshold: the
// identifier and number shapes of `placeholders.ts` keep them out, as check_test.ts's benign list shows.
Deno.test("entropy: words and identifiers of real configs do not look random", () => {
  for (
    const text of [
      "my-super-secret-key",
      "correcthorsebatterystaple",
      "sentencepiece_model",
      "bert-base-uncased",
      "ddp_find_unused_parameters_false",
      "aaaaaaaaaaaaaaaaaaaa",
      "0000000000000000000000000000000000000000",
    ]
  ) assert.equal(looksRandom(text), false, text);
});

Deno.test("entropy: the threshold rises with length up to 64 characters, then stays", () => {
  assert.equal(shannonEntropy(""), 0);
  assert.equal(entropyThreshold("hex", 4), entropyThreshold("hex", 8));
  assert.ok(entropyThreshold("base64", 20) < entropyThreshold("base64", 40));
  assert.equal(entropyThreshold("base64", 64), 4.9);
  assert.equal(entropyThreshold("base64", 4096), 4.9);
});
