/**
 * The CycloneDX 1.6 ML-BOM: suppressions carried, and `--sbom` writing the file with the SHA-256 of
 * what was scanned. Its schema and components on a real scan of every fixture: `real_scan_test.ts`.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { type CycloneDxComponent, toCycloneDx } from "../../report/cyclonedx.ts";
import { BENIGN_PICKLE, EVIL_PICKLE, modelsDir, removeTempDirs, runInProcess } from "../_cli_helpers.ts";
import { cycloneDxValidator } from "./_schemas.ts";

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
