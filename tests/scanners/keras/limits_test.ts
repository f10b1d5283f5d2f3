// Each keras.* and hdf5.* option lowered to one below what a committed fixture (fixtures/keras,
// Keras and HDF5 files) needs changes its findings exactly there, into the finding that names the
// option; at what the file needs, nothing changes.
import assert from "node:assert/strict";
import { scanBytes } from "../../../engine/dispatch.ts";
import type { Finding } from "../../../core/types.ts";
import { renderLocation } from "../../../report/location.ts";
import type { Hdf5Options, KerasOptions } from "../../../scanners/option_catalog.ts";

const brief = (findings: Finding[]) =>
  findings.map((f) => `${f.rule} ${f.severity} ${renderLocation(f.location)}`);

type Group = { keras: KerasOptions; hdf5: Hdf5Options };

async function scanWith<G extends keyof Group>(
  file: string,
  group: G,
  options: Partial<Group[G]> = {},
): Promise<Finding[]> {
  const bytes = await Deno.readFile(new URL(`../../../fixtures/keras/${file}`, import.meta.url));
  return (await scanBytes(bytes, file.split("/").pop()!, { scannerOptions: { [group]: options } })).findings;
}

/** Scans `file` with option `group.option` at `needed` (findings as by default) and at `needed - 1`. */
async function atLimit<G extends keyof Group>(
  file: string,
  group: G,
  option: keyof Group[G],
  needed: number,
): Promise<Finding[]> {
  const at = (value: number) => ({ [option]: value }) as Partial<Group[G]>;
  assert.deepEqual(brief(await scanWith(file, group, at(needed))), brief(await scanWith(file, group)));
  return await scanWith(file, group, at(needed - 1));
}

const LAMBDA = "lambda_import.keras:config.json (key $.config.layers[2].config.function)";

Deno.test("keras.maxConfigBytes: a config.json one byte over is MA413, not inspected, so its Lambda is not found", async () => {
  const findings = await atLimit("malicious/lambda_import.keras", "keras", "maxConfigBytes", 2737);
  assert.deepEqual(brief(findings), ["MA413 warning lambda_import.keras:config.json"]);
  assert.deepEqual(findings[0].details, { size: 2737, limit: 2736, option: "keras.maxConfigBytes" });
});

Deno.test("keras.maxConfigDepth: MA413 at the first value nested deeper; the Lambda above it is still judged", async () => {
  const findings = await atLimit("malicious/lambda_import.keras", "keras", "maxConfigDepth", 7);
  assert.deepEqual(brief(findings), [
    "MA413 warning lambda_import.keras:config.json (key $.config.layers[1].config.dtype.config.name)",
    `MA400 critical ${LAMBDA}`,
  ]);
  assert.deepEqual(findings[0].details, {
    maxDepth: 6,
    maxNodes: 5_000_000,
    limit: 6,
    option: "keras.maxConfigDepth",
  });
});

Deno.test("keras.maxConfigNodes: MA413 at the first value past the count", async () => {
  const findings = await atLimit("malicious/lambda_import.keras", "keras", "maxConfigNodes", 119);
  assert.deepEqual(brief(findings), [
    `MA400 critical ${LAMBDA}`,
    "MA413 warning lambda_import.keras:config.json (key $.compile_config.jit_compile)",
  ]);
  assert.equal(findings[1].details.option, "keras.maxConfigNodes");
  assert.equal(findings[1].details.limit, 118);
  // Stopped before the Lambda layer is visited, the walk cannot judge it.
  assert.deepEqual(
    brief(await scanWith("malicious/lambda_import.keras", "keras", { maxConfigNodes: 40 })).map((f) =>
      f.split(" ")[0]
    ),
    ["MA413"],
  );
});

/** A Lambda's code past a decoding limit: MA402 (undecoded, Keras would still run it), naming the option. */
const UNDECODED: [keyof KerasOptions, number, string][] = [
  ["maxLambdaCodeChars", 438, "its code is 438 characters, more than the 437 read"],
  ["maxMarshalObjects", 20, "more than 19 objects at byte 317"],
];

for (const [option, needed, reason] of UNDECODED) {
  Deno.test(`keras.${option}: the Lambda's code at ${needed - 1} is MA402, undecoded`, async () => {
    const findings = await atLimit("malicious/lambda_import.keras", "keras", option, needed);
    assert.deepEqual(brief(findings), [`MA402 warning ${LAMBDA}`]);
    assert.deepEqual(findings[0].details, { reason, option: `keras.${option}` });
  });
}

Deno.test("keras.maxTorchModuleChars: a longer TorchModuleWrapper blob is MA407 only, its pickle not scanned", async () => {
  const findings = await atLimit("malicious/torch_module.keras", "keras", "maxTorchModuleChars", 576);
  assert.deepEqual(brief(findings), [
    "MA407 warning torch_module.keras:config.json (key $.config.layers[1].config.module)",
  ]);
  assert.deepEqual(findings[0].details, { characters: 576, limit: 575, option: "keras.maxTorchModuleChars" });
});

Deno.test("keras.maxMetadataBytes: a metadata.json one byte over is MA409", async () => {
  const findings = await atLimit("benign/sequential_keras3.keras", "keras", "maxMetadataBytes", 63);
  assert.deepEqual(brief(findings), ["MA409 warning sequential_keras3.keras:metadata.json"]);
  assert.deepEqual(findings[0].details, { size: 63, limit: 62, option: "keras.maxMetadataBytes" });
});

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
    const findings = await atLimit(file, "hdf5", option, needed);
    const name = file.split("/").pop()!;
    assert.deepEqual(brief(findings), [`MA413 warning ${name}`]);
    assert.deepEqual(findings[0].details, { reason, limit: needed - 1, option: `hdf5.${option}` });
  });
}

Deno.test("hdf5.maxHeapObjects: a string the heap walk stops before is MA413; the config read before it is still judged", async () => {
  const findings = await atLimit("malicious/lambda_os_system.h5", "hdf5", "maxHeapObjects", 4);
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
    const findings = await atLimit("malicious/external_dataset.h5", "hdf5", option, needed);
    assert.deepEqual(brief(findings), [
      "MA411 warning external_dataset.h5 (key /leak)",
      "MA413 warning external_dataset.h5 (key /)",
    ]);
    assert.deepEqual(findings[1].details, { objects, denseGroups: [], option: `hdf5.${option}` });
  }
  // Stopped before /leak is reached, the external file it names is not seen.
  assert.deepEqual(brief(await scanWith("malicious/external_dataset.h5", "hdf5", { maxObjects: 0 })), [
    "MA413 warning external_dataset.h5 (key /)",
  ]);
});
