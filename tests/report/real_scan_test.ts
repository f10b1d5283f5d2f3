// The reports of one real scan of every fixture area (see `_real_scan.ts`), each checked against its
// official schema and what consumers require: the JSON report, SARIF as GitHub code scanning takes it,
// and the CycloneDX ML-BOM. One module, so that the scan runs once.
import assert from "node:assert/strict";
import type { ScanResult } from "../../core/types.ts";
import { type CycloneDxComponent, toCycloneDx } from "../../report/cyclonedx.ts";
import { renderJson } from "../../report/json.ts";
import { toSarif } from "../../report/sarif.ts";
import { allFindings } from "../../report/summary.ts";
import { assertGitHubAccepts } from "./_github_sarif.ts";
import { realScan, REPO_ROOT } from "./_real_scan.ts";
import { cycloneDxValidator, reportValidator, sarifValidator } from "./_schemas.ts";

/** The report as a consumer parses it: through the JSON text, so replaced values (big integers) count. */
const parsed = (result: ScanResult) => JSON.parse(renderJson(result));

function flatten(components: readonly CycloneDxComponent[]): CycloneDxComponent[] {
  return components.flatMap((component) => [component, ...flatten(component.components ?? [])]);
}

Deno.test("the JSON report of a real scan of every fixture area matches schemas/report.schema.json", async () => {
  const report = parsed(await realScan());
  assert.equal((await reportValidator())(report), undefined);
  // The scan covers what the schema describes: every status, issues in and out of containers, reasons.
  assert.deepEqual(
    new Set(report.files.map((file: { status: string }) => file.status)),
    new Set(["scanned", "skipped", "error"]),
  );
  assert.ok(report.issues.some((issue: { where: { members: string[] } }) => issue.where.members.length > 0));
  assert.ok(
    report.issues.some((issue: { where: { position?: number } }) => issue.where.position !== undefined),
  );
  assert.ok(report.issues.some((issue: { rule: string }) => issue.rule === "MA003"));
});

Deno.test("a real scan of every fixture area is valid SARIF 2.1.0 that GitHub code scanning accepts", async () => {
  const validate = await sarifValidator();
  const result = await realScan();
  const log = toSarif(result, { root: REPO_ROOT });
  assert.equal(validate(log), undefined);
  assertGitHubAccepts(log, REPO_ROOT);
  const { results, invocations } = log.runs[0];
  // What the scan must have exercised for the checks above to mean something.
  const regions = results.map((result) => result.locations[0].physicalLocation.region!);
  assert.ok(
    regions.some((region) => region.byteOffset !== undefined && region.byteOffset > 0),
    "a byte offset",
  );
  assert.ok(
    results.some((result) => result.locations[0].logicalLocations?.[0].kind === "resource"),
    "a member",
  );
  assert.ok(
    results.some((result) => (result.properties.where as { members: string[] }).members.length >= 2),
    "a finding nested two containers deep",
  );
  assert.ok(results.some((result) => result.ruleId === "MA003"), "a file skipped for its size");
  assert.deepEqual(new Set(results.map((result) => result.level)), new Set(["error", "warning", "note"]));
  assert.equal(invocations[0].executionSuccessful, false);
  assert.deepEqual(invocations[0].toolExecutionNotifications.map((notification) => notification.level), [
    "error",
  ]);
  // Every finding is there, one result each.
  const findings = result.findings.length + result.files.reduce((n, file) => n + file.findings.length, 0);
  assert.equal(results.length, findings);
});

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
    // The model's config.json is a data component beside the models, as a chat template would be.
    [["config.json", "data", "JSON configuration"], [
      "model.safetensors",
      "machine-learning-model",
      "safetensors",
    ], [
      "pytorch_model.bin",
      "machine-learning-model",
      "PyTorch",
    ]],
  );
  const checkpoint = archive.components![2]["bom-ref"];
  const critical = bom.vulnerabilities.filter((v) => v.affects?.[0].ref === checkpoint).map((
    v,
  ) => [v.id, v.ratings[0].severity]);
  assert.deepEqual(critical, [["MA100", "critical"], ["MA101", "critical"]]);
  const [pickle] = bom.vulnerabilities.filter((v) => v.affects?.[0].ref === checkpoint);
  assert.deepEqual(pickle.cwes, [502]);
  assert.match(pickle.source.url, /docs\/rules\/MA100\.md$/);
});
