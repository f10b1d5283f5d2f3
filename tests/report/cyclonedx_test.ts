/**
 * The CycloneDX 1.6 ML-BOM: valid against the official schema on a real scan of every fixture, models
 * inside archives listed under their archive, findings attached to the component they were found in,
 * suppressions carried, and `--sbom` writing the file with the SHA-256 of what was scanned.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { type CycloneDxComponent, toCycloneDx } from "../../report/cyclonedx.ts";
import { allFindings } from "../../report/summary.ts";
import { BENIGN_PICKLE, EVIL_PICKLE, modelsDir, removeTempDirs, runInProcess } from "../_cli_helpers.ts";
import { realScan } from "./_real_scan.ts";
import { cycloneDxValidator } from "./_schemas.ts";

function flatten(components: readonly CycloneDxComponent[]): CycloneDxComponent[] {
  return components.flatMap((component) => [component, ...flatten(component.components ?? [])]);
}

Deno.test("a real scan of every fixture is a valid ML-BOM: unique refs, every finding a vulnerability of a listed component", async () => {
  const result = await realScan();
  const bom = JSON.parse(JSON.stringify(toCycloneDx(result)));
  assert.equal((await cycloneDxValidator())(bom), undefined);
  const components = flatten(bom.components);
  const refs = components.map((component) => component["bom-ref"]);
  assert.equal(new Set(refs).size, refs.length);
  assert.equal(bom.vulnerabilities.length, allFindings(result).length);
  for (const vulnerability of bom.vulnerabilities) {
    for (const { ref } of vulnerability.affects ?? []) assert.ok(refs.includes(ref), ref);
  }
  // Every file scanned as a format is a component, with its format.
  const scanned = result.files.filter((file) => file.status === "scanned" && file.format);
  for (const file of scanned) {
    const component = bom.components.find((c: CycloneDxComponent) => c["bom-ref"] === `file:${file.path}`);
    assert.ok(component, file.path);
    assert.ok(
      component.properties.some((p: { name: string; value: string }) =>
        p.name === "modelaudit:format" && p.value === file.format
      ),
    );
  }
});

Deno.test("models inside an archive are components of it; a checkpoint's own pickle is not another model", async () => {
  const result = await realScan();
  const bom = toCycloneDx(result);
  const archive = bom.components.find((c) => c.name.endsWith("sevenzip/malicious/checkpoint_lzma2.7z"))!;
  assert.equal(archive.type, "file");
  assert.deepEqual(
    archive.components!.map((
      c,
    ) => [c.name, c.type, c.properties.find((p) => p.name === "modelaudit:framework")?.value]),
    [["model.safetensors", "machine-learning-model", "safetensors"], [
      "pytorch_model.bin",
      "machine-learning-model",
      "PyTorch",
    ]],
  );
  const checkpoint = archive.components![1]["bom-ref"];
  const critical = bom.vulnerabilities.filter((v) => v.affects?.[0].ref === checkpoint).map((
    v,
  ) => [v.id, v.ratings[0].severity]);
  assert.deepEqual(critical, [["MA100", "critical"], ["MA101", "critical"]]);
  const [pickle] = bom.vulnerabilities.filter((v) => v.affects?.[0].ref === checkpoint);
  assert.deepEqual(pickle.cwes, [502]);
  assert.match(pickle.source.url, /docs\/rules\/MA100\.md$/);
});

Deno.test("a suppressed finding carries its reason as the analysis", () => {
  const bom = toCycloneDx({
    startTime: "2026-12-07T10:00:00.000Z",
    durationMs: 1,
    scannerNames: ["pickle"],
    findings: [],
    files: [{
      path: "m.pkl",
      size: 25,
      format: "pickle",
      status: "scanned",
      bytesScanned: 25,
      durationMs: 1,
      findings: [{
        rule: "MA102",
        severity: "warning",
        message: "Pickle imports unknown callable my_pkg.f",
        location: { file: "m.pkl", members: [], position: 0 },
        details: {},
        suppressed: { kind: "ignore", reason: "reviewed" },
      }],
    }],
  });
  assert.deepEqual(bom.vulnerabilities[0].analysis, { response: ["will_not_fix"], detail: "reviewed" });
  assert.deepEqual(bom.vulnerabilities[0].properties.at(-1), {
    name: "modelaudit:suppressed",
    value: "ignore",
  });
  assert.equal(bom.vulnerabilities[0].ratings[0].severity, "medium");
});

Deno.test("--sbom writes the ML-BOM beside any report format, with the SHA-256 of each scanned file", async () => {
  const dir = await modelsDir({ "evil.pkl": EVIL_PICKLE, "ok.pkl": BENIGN_PICKLE });
  const run = await runInProcess([
    "scan",
    "-q",
    "-f",
    "json",
    "--sbom",
    `${dir}/bom.json`,
    `${dir}/evil.pkl`,
    `${dir}/ok.pkl`,
  ]);
  assert.equal(run.code, 1);
  assert.equal(JSON.parse(run.stdout).issues.length, 2, "the report on stdout is unchanged");
  const bom = JSON.parse(await Deno.readTextFile(`${dir}/bom.json`));
  assert.equal((await cycloneDxValidator())(bom), undefined);
  assert.deepEqual(
    bom.components.map((c: CycloneDxComponent) => [c.name.slice(dir.length + 1), c.hashes?.[0].content]),
    [
      ["evil.pkl", createHash("sha256").update(EVIL_PICKLE).digest("hex")],
      ["ok.pkl", createHash("sha256").update(BENIGN_PICKLE).digest("hex")],
    ],
  );
  const unwritable = await runInProcess(["scan", "--sbom", `${dir}/missing/bom.json`, `${dir}/ok.pkl`]);
  assert.equal(unwritable.code, 2);
  assert.match(unwritable.stderr, /cannot write the ML-BOM to .*missing\/bom\.json/);
});

Deno.test("ML-BOM tests remove their directories", () => {
  for (const dir of removeTempDirs()) assert.throws(() => Deno.statSync(dir), Deno.errors.NotFound);
});
