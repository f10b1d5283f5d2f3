// Each keras.* option lowered to one below what a committed fixture needs changes its findings
// exactly there, into the finding that names the option; at what it needs, nothing changes.
import assert from "node:assert/strict";
import { scanBytes } from "../../../engine/dispatch.ts";
import type { Finding } from "../../../core/types.ts";
import { renderLocation } from "../../../report/location.ts";
import type { KerasOptions } from "../../../scanners/keras/options.ts";

const brief = (findings: Finding[]) =>
  findings.map((f) => `${f.rule} ${f.severity} ${renderLocation(f.location)}`);

async function scanWith(file: string, options: Partial<KerasOptions> = {}): Promise<Finding[]> {
  const bytes = await Deno.readFile(new URL(`../../../fixtures/keras/${file}`, import.meta.url));
  return (await scanBytes(bytes, file.split("/").pop()!, { scannerOptions: { keras: options } })).findings;
}

/** Scans `file` with `option` at `needed` (findings as by default) and at `needed - 1`. */
async function atLimit(file: string, option: keyof KerasOptions, needed: number): Promise<Finding[]> {
  assert.deepEqual(brief(await scanWith(file, { [option]: needed })), brief(await scanWith(file)));
  return await scanWith(file, { [option]: needed - 1 });
}

const LAMBDA = "lambda_import.keras:config.json (key $.config.layers[2].config.function)";

Deno.test("keras.maxConfigBytes: a config.json one byte over is MA413, not inspected, so its Lambda is not found", async () => {
  const findings = await atLimit("malicious/lambda_import.keras", "maxConfigBytes", 2737);
  assert.deepEqual(brief(findings), ["MA413 warning lambda_import.keras:config.json"]);
  assert.deepEqual(findings[0].details, { size: 2737, limit: 2736, option: "keras.maxConfigBytes" });
});

Deno.test("keras.maxConfigDepth: MA413 at the first value nested deeper; the Lambda above it is still judged", async () => {
  const findings = await atLimit("malicious/lambda_import.keras", "maxConfigDepth", 7);
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
  const findings = await atLimit("malicious/lambda_import.keras", "maxConfigNodes", 119);
  assert.deepEqual(brief(findings), [
    `MA400 critical ${LAMBDA}`,
    "MA413 warning lambda_import.keras:config.json (key $.compile_config.jit_compile)",
  ]);
  assert.equal(findings[1].details.option, "keras.maxConfigNodes");
  assert.equal(findings[1].details.limit, 118);
  // Stopped before the Lambda layer is visited, the walk cannot judge it.
  assert.deepEqual(
    brief(await scanWith("malicious/lambda_import.keras", { maxConfigNodes: 40 })).map((f) =>
      f.split(" ")[0]
    ),
    ["MA413"],
  );
});

Deno.test("keras.maxLambdaCodeChars: a code string one character longer is MA402, undecoded", async () => {
  const findings = await atLimit("malicious/lambda_import.keras", "maxLambdaCodeChars", 438);
  assert.deepEqual(brief(findings), [`MA402 warning ${LAMBDA}`]);
  assert.deepEqual(findings[0].details, {
    reason: "its code is 438 characters, more than the 437 read",
    option: "keras.maxLambdaCodeChars",
  });
});

Deno.test("keras.maxMarshalObjects: a code object of one object more is MA402, undecoded", async () => {
  const findings = await atLimit("malicious/lambda_import.keras", "maxMarshalObjects", 20);
  assert.deepEqual(brief(findings), [`MA402 warning ${LAMBDA}`]);
  assert.deepEqual(findings[0].details, {
    reason: "more than 19 objects at byte 317",
    option: "keras.maxMarshalObjects",
  });
});

Deno.test("keras.maxTorchModuleChars: a longer TorchModuleWrapper blob is MA407 only, its pickle not scanned", async () => {
  const findings = await atLimit("malicious/torch_module.keras", "maxTorchModuleChars", 576);
  assert.deepEqual(brief(findings), [
    "MA407 warning torch_module.keras:config.json (key $.config.layers[1].config.module)",
  ]);
  assert.deepEqual(findings[0].details, { characters: 576, limit: 575, option: "keras.maxTorchModuleChars" });
});

Deno.test("keras.maxMetadataBytes: a metadata.json one byte over is MA409", async () => {
  const findings = await atLimit("benign/sequential_keras3.keras", "maxMetadataBytes", 63);
  assert.deepEqual(brief(findings), ["MA409 warning sequential_keras3.keras:metadata.json"]);
  assert.deepEqual(findings[0].details, { size: 63, limit: 62, option: "keras.maxMetadataBytes" });
});
