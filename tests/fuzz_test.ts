// Mutation fuzzing: thousands of corrupted variants of every fixture go through
// the scanner in-process. No exception may escape, no scan may hang, and each
// outcome must still be a well-formed list of catalogued findings.
import assert from "node:assert/strict";
import { join } from "node:path";
import { RULES } from "../core/rules.ts";
import { scanBytes } from "../engine/dispatch.ts";

const FIXTURES = new URL("../fixtures/", import.meta.url).pathname;
/** Variants per fixture: with ~60 fixtures this is a few thousand scans. */
const VARIANTS_PER_FIXTURE = 60;
/** Generous bound for one small scan; only a hang or a blow-up comes near it. */
const MAX_SCAN_MS = 5_000;

/** A small deterministic PRNG (mulberry32) so failures reproduce. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Opcodes that stress the machine: calls, memo, frames, long arguments, marks. */
const INTERESTING = [
  0x52,
  0x93,
  0x63,
  0x69,
  0x6f,
  0x81,
  0x92,
  0x62,
  0x95,
  0x94,
  0x68,
  0x6a,
  0x71,
  0x72,
  0x28,
  0x31,
  0x30,
  0x2e,
  0x32,
  0x8e,
  0x96,
  0x97,
  0x98,
  0x82,
  0x83,
  0x84,
  0x8a,
  0x8b,
  0x8d,
];

function mutate(bytes: Uint8Array, random: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(random() * n);
  const out = [...bytes];
  const edits = 1 + pick(4);
  for (let i = 0; i < edits; i++) {
    const at = pick(out.length + 1);
    switch (pick(7)) {
      case 0:
        if (out.length) out[pick(out.length)] ^= 1 << pick(8);
        break;
      case 1:
        out.splice(at, 0, pick(256));
        break;
      case 2:
        out.splice(at, 1 + pick(16));
        break;
      case 3:
        out.length = pick(out.length + 1);
        break;
      case 4:
        out.splice(at, 0, ...out.slice(pick(out.length + 1), pick(out.length + 1)).slice(0, 256));
        break;
      case 5:
        out.splice(at, 0, INTERESTING[pick(INTERESTING.length)]);
        break;
      default:
        out.splice(at, 4, 0xff, 0xff, 0xff, 0x7f);
    }
  }
  return Uint8Array.from(out);
}

async function fixtureFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) found.push(...await fixtureFiles(path));
    else if (entry.isFile && !/\.(json|md)$/.test(entry.name)) found.push(path);
  }
  return found.sort();
}

Deno.test("thousands of corrupted fixtures: no exception, no hang, only catalogued findings", async () => {
  const files = await fixtureFiles(FIXTURES);
  assert.ok(files.length >= 20, `expected the committed fixtures, found ${files.length}`);
  const random = prng(20261126);
  let scans = 0;
  for (const file of files) {
    const original = await Deno.readFile(file);
    for (let i = 0; i < VARIANTS_PER_FIXTURE; i++) {
      const variant = mutate(original, random);
      const started = performance.now();
      const outcome = await scanBytes(variant, file);
      const elapsed = performance.now() - started;
      const where = `${file} variant ${i} (${variant.length} bytes)`;
      assert.equal(outcome.error, undefined, `${where}: ${outcome.error}`);
      assert.ok(elapsed < MAX_SCAN_MS, `${where}: took ${elapsed.toFixed(0)} ms`);
      for (const finding of outcome.findings) {
        assert.ok(RULES[finding.rule], `${where}: unknown rule ${finding.rule}`);
      }
      scans++;
    }
  }
  assert.equal(scans, files.length * VARIANTS_PER_FIXTURE);
});
