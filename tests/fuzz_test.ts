// Mutation fuzzing, a short deterministic slice of `deno task fuzz`: corrupted
// variants of every fixture go through the scanner in-process. No exception may
// escape, each outcome must be a well-formed list of catalogued findings, and
// each scan's work (reads of its source, bytes read) stays within bounds.
import assert from "node:assert/strict";
import { DEFAULT_SEED, fixtureFiles, runCampaign } from "../scripts/fuzz.ts";

/** Variants per fixture in the suite; `deno task fuzz` runs 60 per fixture. */
const SLICE_VARIANTS_PER_FIXTURE = 2;

Deno.test("corrupted fixtures: no exception, bounded work, only catalogued findings", async () => {
  const files = await fixtureFiles();
  assert.ok(files.length >= 20, `expected the committed fixtures, found ${files.length}`);
  const runs = files.length * SLICE_VARIANTS_PER_FIXTURE;
  const report = await runCampaign(files, runs, DEFAULT_SEED);
  assert.deepEqual(report.failures, []);
  assert.equal(report.scans, runs);
  // The bounds are not vacuous: the slice reads its sources, several times over for some.
  assert.ok(report.maxReads > 10 && report.maxReadFactor > 1, JSON.stringify(report));
});
