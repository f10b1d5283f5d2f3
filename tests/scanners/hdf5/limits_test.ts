// Each hdf5.* option lowered to one below what a committed fixture needs changes its findings
// exactly there, into MA413 naming the option; at what it needs, nothing changes.
import assert from "node:assert/strict";
import { scanBytes } from "../../../engine/dispatch.ts";
import type { Finding } from "../../../core/types.ts";
import { renderLocation } from "../../../report/location.ts";
import type { Hdf5Options } from "../../../scanners/hdf5/options.ts";

const brief = (findings: Finding[]) =>
  findings.map((f) => `${f.rule} ${f.severity} ${renderLocation(f.location)}`);

async function scanWith(file: string, options: Partial<Hdf5Options> = {}): Promise<Finding[]> {
  const bytes = await Deno.readFile(new URL(`../../../fixtures/keras/${file}`, import.meta.url));
  return (await scanBytes(bytes, file.split("/").pop()!, { scannerOptions: { hdf5: options } })).findings;
}

/** Scans `file` with `option` at `needed` (findings as by default) and at `needed - 1`. */
async function atLimit(file: string, option: keyof Hdf5Options, needed: number): Promise<Finding[]> {
  assert.deepEqual(brief(await scanWith(file, { [option]: needed })), brief(await scanWith(file)));
  return await scanWith(file, { [option]: needed - 1 });
}

/** A structure past a limit stops the scan of the file: MA413 with the option in place of MA410. */
const STOPPED: [string, keyof Hdf5Options, number, string][] = [
  [
    "malicious/lambda_os_system.h5",
    "maxAttributeBytes",
    807,
    'attribute "model_config" holds 807 bytes, more than the 806 read',
  ],
  [
    "malicious/lambda_os_system.h5",
    "maxHeaderChunkBytes",
    336,
    "object header block at 800 declares 336 bytes, more than the 335 read",
  ],
  [
    "malicious/lambda_os_system.h5",
    "maxHeaderMessages",
    6,
    "object header at 96 declares 6 messages, more than the 5 read",
  ],
  ["benign/sequential_latest.h5", "maxHeaderMessages", 12, "object header at 373 has more than 11 messages"],
  ["malicious/external_dataset.h5", "maxHeaderChunks", 3, "object header at 1136 has more than 2 blocks"],
  ["malicious/dense_attributes.h5", "maxDenseRecords", 12, "B-tree at 1136 holds more than 11 records"],
  [
    "malicious/dense_attributes_wide.h5",
    "maxDenseRecords",
    120,
    "B-tree at 1136 holds more than 119 records",
  ],
  ["malicious/external_link_dense.h5", "maxDenseRecords", 21, "B-tree at 10486 holds more than 20 records"],
];

for (const [file, option, needed, reason] of STOPPED) {
  Deno.test(`hdf5.${option}: ${file} at ${needed - 1} is MA413, not MA410`, async () => {
    const findings = await atLimit(file, option, needed);
    const name = file.split("/").pop()!;
    assert.deepEqual(brief(findings), [`MA413 warning ${name}`]);
    assert.deepEqual(findings[0].details, { reason, limit: needed - 1, option: `hdf5.${option}` });
  });
}

Deno.test("hdf5.maxHeapObjects: a string the heap walk stops before is MA413; the config read before it is still judged", async () => {
  const findings = await atLimit("malicious/lambda_os_system.h5", "maxHeapObjects", 4);
  assert.deepEqual(brief(findings), [
    "MA400 critical lambda_os_system.h5 (key @model_config.config.layers[1].config.function)",
    "MA413 warning lambda_os_system.h5",
  ]);
  assert.deepEqual(findings[1].details, {
    reason: "global heap collection at 2048 holds more than 3 objects",
    limit: 3,
    option: "hdf5.maxHeapObjects",
  });
});

Deno.test("hdf5.maxObjects and hdf5.maxGroupNodes: the walk stops with MA413 at /, objects read so far reported", async () => {
  for (const [option, needed, objects] of [["maxObjects", 10, 9], ["maxGroupNodes", 12, 8]] as const) {
    const findings = await atLimit("malicious/external_dataset.h5", option, needed);
    assert.deepEqual(brief(findings), [
      "MA411 warning external_dataset.h5 (key /leak)",
      "MA413 warning external_dataset.h5 (key /)",
    ]);
    assert.deepEqual(findings[1].details, { objects, denseGroups: [], option: `hdf5.${option}` });
  }
  // Stopped before /leak is reached, the external file it names is not seen.
  assert.deepEqual(brief(await scanWith("malicious/external_dataset.h5", { maxObjects: 0 })), [
    "MA413 warning external_dataset.h5 (key /)",
  ]);
});
