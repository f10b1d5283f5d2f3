/**
 * `deno task fuzz [--runs N] [--seed S] [--seconds T]`: mutation fuzzing. Corrupted variants
 * of every committed fixture go through the scanner in-process, round-robin
 * over the fixtures. No exception may escape, each outcome must be a list of
 * catalogued findings, and the work of each scan stays bounded: it may read
 * its source only so many times, and only so many bytes, for its size. A hang
 * or a runaway loop shows up as a broken bound, not as a slow test.
 *
 * The test suite runs a short deterministic slice (`tests/fuzz_test.ts`);
 * `.ci/run` runs a full campaign, cut short by `--seconds` when CI's machine is
 * slow (the time decides only how many variants run, never whether one passes).
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { ByteSource } from "../core/byte_source.ts";
import { bytesSource } from "../core/byte_source.ts";
import { RULES } from "../core/rules.ts";
import { scanSource } from "../engine/dispatch.ts";

const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));
/** Variants per fixture of a full campaign: with ~230 fixtures, about 14,000 scans. */
export const FULL_VARIANTS_PER_FIXTURE = 60;
/** The seed of the suite's slice and of a campaign run without `--seed`. */
export const DEFAULT_SEED = 20261126;
/** Most reads of its source one scan may make: the fixtures need a few hundred. */
export const MAX_READS_PER_SCAN = 100_000;
/** Most bytes one scan may read, as a multiple of its source's size (plus {@linkcode READ_ALLOWANCE_BYTES}). */
export const MAX_READ_FACTOR = 64;
/** Bytes any scan may read whatever its size: heads and tails are read in fixed windows. */
export const READ_ALLOWANCE_BYTES = 1024 * 1024;

/** A small deterministic PRNG (mulberry32) so failures reproduce. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Opcodes that stress the pickle machine: calls, memo, frames, long arguments, marks. */
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

/**
 * The committed fixtures the campaign corrupts, sorted (manifests and READMEs left out).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fixtureFiles } from "./fuzz.ts";
 * const files = await fixtureFiles();
 * assert.ok(files.length > 20);
 * assert.ok(files.some((file) => file.endsWith("global_os_system_reduce_p0.pkl")));
 * assert.ok(!files.some((file) => /\.(json|md)$/.test(file)));
 * ```
 */
export async function fixtureFiles(dir = FIXTURES): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) found.push(...await fixtureFiles(path));
    else if (entry.isFile && !/\.(json|md)$/.test(entry.name)) found.push(path);
  }
  return found.sort();
}

/** A source over `bytes` that counts how often, and how much, it is read. */
function countingSource(bytes: Uint8Array): ByteSource & { reads: number; bytesRead: number } {
  const inner = bytesSource(bytes);
  const source = {
    size: inner.size,
    reads: 0,
    bytesRead: 0,
    async read(offset: number, length: number) {
      const chunk = await inner.read(offset, length);
      source.reads++;
      source.bytesRead += chunk.length;
      return chunk;
    },
  };
  return source;
}

/** What a campaign did, and every variant that broke a rule (empty when all held). */
export interface CampaignReport {
  scans: number;
  /** Most reads one scan made, and most bytes read per byte of source. */
  maxReads: number;
  maxReadFactor: number;
  failures: string[];
}

/**
 * Scans `runs` corrupted variants of the fixtures, round-robin over them, from
 * `seed`; fewer when `deadline` (a `Date.now()` time) comes first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fixtureFiles, runCampaign } from "./fuzz.ts";
 * const files = (await fixtureFiles()).filter((file) => file.includes("/pickle/"));
 * const report = await runCampaign(files.slice(0, 4), 8, 1);
 * assert.equal(report.scans, 8);
 * assert.deepEqual(report.failures, []); // no variant crashed a scanner or read without bound
 * ```
 */
export async function runCampaign(
  files: readonly string[],
  runs: number,
  seed: number,
  deadline = Infinity,
): Promise<CampaignReport> {
  const random = prng(seed);
  const originals = await Promise.all(files.map((file) => Deno.readFile(file)));
  const report: CampaignReport = { scans: 0, maxReads: 0, maxReadFactor: 0, failures: [] };
  for (let run = 0; run < runs && Date.now() < deadline; run++) {
    const index = run % files.length;
    const variant = mutate(originals[index], random);
    const where = `${files[index]} run ${run} (${variant.length} bytes, seed ${seed})`;
    const source = countingSource(variant);
    const outcome = await scanSource(source, files[index]);
    report.scans++;
    if (outcome.error !== undefined) report.failures.push(`${where}: ${outcome.error}`);
    for (const finding of outcome.findings) {
      if (!RULES[finding.rule]) report.failures.push(`${where}: unknown rule ${finding.rule}`);
    }
    if (source.reads > MAX_READS_PER_SCAN) report.failures.push(`${where}: ${source.reads} reads`);
    if (source.bytesRead > MAX_READ_FACTOR * variant.length + READ_ALLOWANCE_BYTES) {
      report.failures.push(`${where}: read ${source.bytesRead} bytes`);
    }
    report.maxReads = Math.max(report.maxReads, source.reads);
    report.maxReadFactor = Math.max(report.maxReadFactor, source.bytesRead / Math.max(1, variant.length));
  }
  return report;
}

if (import.meta.main) {
  const files = await fixtureFiles();
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      runs: { type: "string", default: String(files.length * FULL_VARIANTS_PER_FIXTURE) },
      seed: { type: "string", default: String(DEFAULT_SEED) },
      seconds: { type: "string" },
    },
  });
  const runs = Number(values.runs);
  const seed = Number(values.seed);
  const seconds = values.seconds === undefined ? Infinity : Number(values.seconds);
  if (!Number.isSafeInteger(runs) || runs < 1 || !Number.isSafeInteger(seed) || !(seconds > 0)) {
    console.error(
      "usage: deno task fuzz [--runs N] [--seed S] [--seconds T]   (N >= 1, S an integer, T > 0)",
    );
    Deno.exit(2);
  }
  const started = performance.now();
  const report = await runCampaign(files, runs, seed, Date.now() + seconds * 1000);
  const took = ((performance.now() - started) / 1000).toFixed(1);
  const cut = report.scans < runs ? ` (of ${runs}: --seconds ${seconds} ran out)` : "";
  console.log(
    `fuzz: ${report.scans}${cut} corrupted variants of ${files.length} fixtures (seed ${seed}) in ${took} s; ` +
      `at most ${report.maxReads} reads and ${report.maxReadFactor.toFixed(1)}x the bytes per scan`,
  );
  for (const failure of report.failures) console.error(`FAIL ${failure}`);
  if (report.failures.length > 0) Deno.exit(1);
}
