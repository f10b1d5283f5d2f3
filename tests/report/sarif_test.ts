import assert from "node:assert/strict";
import { getRule, RULES } from "../../core/rules.ts";
import type { Finding, ScanResult } from "../../core/types.ts";
import { renderRuleMarkdown, ruleDocUrl } from "../../report/rule_docs.ts";
import { renderRule } from "../../report/rules.ts";
import {
  GITHUB_MAX_RESULTS,
  renderSarif,
  type SarifLog,
  type SarifResult,
  SECURITY_SEVERITY,
  SRCROOT,
  toSarif,
} from "../../report/sarif.ts";
import { TOOL_VERSION } from "../../report/summary.ts";
import { runInProcess } from "../_cli_helpers.ts";
import { assertGitHubAccepts } from "./_github_sarif.ts";
import { REPO_ROOT } from "./_real_scan.ts";
import { sarifValidator } from "./_schemas.ts";
import { CLEAN_RESULT, MIXED_RESULT, withFileFinding } from "./_sample_result.ts";

const ROOT = "/work/project";

const finding = (over: Partial<Finding>): Finding => ({
  rule: "MA100",
  severity: "critical",
  message: "Pickle imports os.system",
  location: { file: "models/evil.pkl", members: [], position: 0 },
  details: {},
  ...over,
});

const onlyResult = (result: ScanResult, root: string | undefined = ROOT): SarifResult => {
  const { results } = toSarif(result, { root }).runs[0];
  assert.equal(results.length, 1);
  return results[0];
};

Deno.test("toSarif maps a mixed scan: one run, every rule, results in report order, errors as notifications", () => {
  const log = toSarif(MIXED_RESULT, { root: ROOT });
  assert.equal(log.version, "2.1.0");
  assert.equal(log.runs.length, 1);
  const [run] = log.runs;
  assert.deepEqual(run.tool.driver.rules.map((rule) => rule.id), Object.keys(RULES));
  assert.equal(run.tool.driver.version, TOOL_VERSION);
  assert.deepEqual(
    run.results.map((result) => [result.ruleId, result.level, result.message.text]),
    [
      ["MA002", "warning", "Symbolic link points outside the scanned directory, to /etc/passwd"],
      ["MA100", "error", "Pickle imports os.system, which runs shell commands"],
      ["MA101", "error", "Pickle calls os.system when loaded"],
      ["MA003", "note", "Skipped: 5000000000 bytes is more than --max-file-size 1000000"],
    ],
  );
  for (const result of run.results) assert.equal(run.tool.driver.rules[result.ruleIndex].id, result.ruleId);
  assert.deepEqual(run.results[1].locations, [{
    physicalLocation: {
      artifactLocation: { uri: "models/evil.pkl", uriBaseId: SRCROOT },
      region: { startLine: 1, byteOffset: 0 },
    },
  }]);
  assert.deepEqual(run.results[2].locations[0].physicalLocation.region, { startLine: 1, byteOffset: 25 });
  // No position: the file as a whole.
  assert.deepEqual(run.results[0].locations[0].physicalLocation.region, { startLine: 1 });
  assert.deepEqual(run.results[1].properties, {
    severity: "critical",
    location: "models/evil.pkl (pos 0)",
    where: { file: "models/evil.pkl", members: [], position: 0 },
    details: { module: "os", function: "system", position: 0, opcode: "GLOBAL" },
  });
  assert.deepEqual(run.originalUriBaseIds, { [SRCROOT]: { uri: "file:///work/project/" } });
  const [invocation] = run.invocations;
  assert.equal(invocation.executionSuccessful, false);
  assert.equal(invocation.startTimeUtc, "2026-01-02T03:04:05.000Z");
  assert.equal(invocation.endTimeUtc, "2026-01-02T03:04:06.234Z");
  assert.deepEqual(invocation.toolExecutionNotifications, [{
    level: "error",
    message: { text: "missing.pkl could not be scanned: path does not exist" },
    locations: [{ physicalLocation: { artifactLocation: { uri: "missing.pkl", uriBaseId: SRCROOT } } }],
  }]);
  assert.equal(toSarif(CLEAN_RESULT).runs[0].invocations[0].executionSuccessful, true);
});

Deno.test("toSarif describes each rule from the catalog, with GitHub's severity and tags", () => {
  const rules = toSarif(CLEAN_RESULT).runs[0].tool.driver.rules;
  const ma100 = rules.find((rule) => rule.id === "MA100")!;
  const catalog = getRule("MA100");
  assert.deepEqual(ma100, {
    id: "MA100",
    name: catalog.name,
    shortDescription: { text: catalog.title },
    fullDescription: { text: catalog.why },
    helpUri: ruleDocUrl("MA100"),
    help: { text: renderRule(catalog), markdown: renderRuleMarkdown(catalog) },
    defaultConfiguration: { level: "error" },
    properties: {
      tags: ["security", "external/cwe/cwe-502"],
      "security-severity": SECURITY_SEVERITY.critical,
      kind: "security",
      severity: "critical",
      cwe: "CWE-502",
    },
  });
  // A limit rule is a problem, not a security alert.
  const ma210 = rules.find((rule) => rule.id === "MA210")!;
  assert.deepEqual(ma210.properties, {
    tags: ["limit"],
    "problem.severity": "warning",
    kind: "limit",
    severity: "warning",
  });
  assert.equal(rules.find((rule) => rule.id === "MA003")!.defaultConfiguration.level, "note");
});

Deno.test("a finding inside containers: the outer file with line 1, the member path as a logical location", () => {
  const result = onlyResult(withFileFinding(finding({
    location: { file: "bundle.zip", members: ["model.pt", "archive/data.pkl"], position: 52 },
  })));
  assert.deepEqual(result.locations, [{
    physicalLocation: {
      artifactLocation: { uri: "bundle.zip", uriBaseId: SRCROOT },
      // The offset is in the member, not in bundle.zip: it is no region of the file.
      region: { startLine: 1 },
    },
    logicalLocations: [{
      name: "archive/data.pkl",
      fullyQualifiedName: "bundle.zip:model.pt:archive/data.pkl",
      kind: "resource",
    }],
  }]);
  assert.equal(result.properties.location, "bundle.zip:model.pt:archive/data.pkl (pos 52)");
  assert.deepEqual(result.properties.where, {
    file: "bundle.zip",
    members: ["model.pt", "archive/data.pkl"],
    position: 52,
  });
});

Deno.test("a finding at a line and column of a text file: a text region, and the key path as a logical location", () => {
  const result = onlyResult(withFileFinding(finding({
    rule: "MA005",
    location: { file: "config.yaml", members: [], position: 40, line: 3, column: 9, keyPath: "$.aws.secret" },
  })));
  assert.deepEqual(result.locations[0], {
    physicalLocation: {
      artifactLocation: { uri: "config.yaml", uriBaseId: SRCROOT },
      region: { startLine: 3, startColumn: 9 },
    },
    logicalLocations: [{ name: "$.aws.secret", fullyQualifiedName: "$.aws.secret", kind: "property" }],
  });
  const lineOnly = onlyResult(withFileFinding(finding({ location: { file: "a.py", members: [], line: 7 } })));
  assert.deepEqual(lineOnly.locations[0].physicalLocation.region, { startLine: 7 });
});

Deno.test("artifact URIs: relative to the root and percent-encoded; outside it, absolute file URIs", () => {
  const uriOf = (file: string, root: string | undefined = ROOT) =>
    onlyResult(withFileFinding(finding({ location: { file, members: [] } })), root)
      .locations[0].physicalLocation.artifactLocation;
  assert.deepEqual(uriOf("models/a b#1%.pkl"), { uri: "models/a%20b%231%25.pkl", uriBaseId: SRCROOT });
  assert.deepEqual(uriOf("./models/../x:y.pkl"), { uri: "x%3Ay.pkl", uriBaseId: SRCROOT });
  assert.deepEqual(uriOf("/work/project/models/m.pkl"), { uri: "models/m.pkl", uriBaseId: SRCROOT });
  assert.deepEqual(uriOf("../other/m.pkl"), { uri: "file:///work/other/m.pkl" });
  assert.deepEqual(uriOf("/etc/m.pkl"), { uri: "file:///etc/m.pkl" });
  // Without a root, relative paths keep the base and the reader decides where it is.
  assert.deepEqual(uriOf("models/m.pkl", undefined), { uri: "models/m.pkl", uriBaseId: SRCROOT });
  assert.equal(toSarif(CLEAN_RESULT).runs[0].originalUriBaseIds, undefined);
});

Deno.test("fingerprints: stable when a finding moves, distinct for different findings and repeats", () => {
  const fingerprint = (over: Partial<Finding>) =>
    onlyResult(withFileFinding(finding(over))).partialFingerprints;
  const base = fingerprint({});
  assert.match(base.primaryLocationLineHash, /^[0-9a-f]{16}:1$/);
  assert.match(base["modelauditFinding/v1"], /^[0-9a-f]{64}:1$/);
  assert.equal(base["modelauditFinding/v1"].slice(0, 16), base.primaryLocationLineHash.slice(0, 16));
  // The same finding elsewhere in the same file (the file changed around it) is the same alert.
  assert.deepEqual(fingerprint({ location: { file: "models/evil.pkl", members: [], position: 900 } }), base);
  for (
    const other of [
      { rule: "MA101" as const },
      { message: "Pickle imports os.popen" },
      { location: { file: "models/other.pkl", members: [], position: 0 } },
      { location: { file: "models/evil.pkl", members: ["inner.pkl"], position: 0 } },
    ]
  ) assert.notEqual(fingerprint(other).primaryLocationLineHash, base.primaryLocationLineHash);
  // The same finding twice in one file: two alerts, told apart by their occurrence.
  const twice = toSarif({
    ...CLEAN_RESULT,
    files: [{
      ...CLEAN_RESULT.files[0],
      findings: [finding({}), finding({ location: { ...finding({}).location, position: 9 } })],
    }],
  }, { root: ROOT }).runs[0].results.map((result) => result.partialFingerprints.primaryLocationLineHash);
  assert.deepEqual(twice, [base.primaryLocationLineHash, base.primaryLocationLineHash.replace(/:1$/, ":2")]);
});

Deno.test("over the result limit: the worst findings are kept in report order, and a notification says so", () => {
  const findings = [
    finding({ severity: "info", message: "i1" }),
    finding({ severity: "critical", message: "c1" }),
    finding({ severity: "warning", message: "w1" }),
    finding({ severity: "critical", message: "c2" }),
    finding({ severity: "info", message: "i2" }),
  ];
  const run = toSarif({ ...CLEAN_RESULT, files: [{ ...CLEAN_RESULT.files[0], findings }] }, { maxResults: 3 })
    .runs[0];
  assert.deepEqual(run.results.map((result) => result.message.text), ["c1", "w1", "c2"]);
  assert.deepEqual(run.invocations[0].toolExecutionNotifications, [{
    level: "warning",
    message: {
      text:
        "2 of 5 findings were left out, the mildest first: GitHub code scanning rejects a run with more " +
        "than 3 results. The JSON report lists them all.",
    },
  }]);
  assert.equal(GITHUB_MAX_RESULTS, 25_000);
});

Deno.test("renderSarif writes pretty JSON with big integers as strings", () => {
  const text = renderSarif(withFileFinding(finding({ details: { value: 2n ** 70n } })));
  assert.ok(text.endsWith("}\n"));
  const log: SarifLog = JSON.parse(text);
  assert.deepEqual(log.runs[0].results[0].properties.details, { value: "1180591620717411303424" });
});

/** The GitHub code scanning constraints ("SARIF support for code scanning", and its upload limits). */
Deno.test("the SARIF schema rejects what GitHub would: a region without a start, a result without a message", async () => {
  const validate = await sarifValidator();
  const log = toSarif(withFileFinding(finding({})), { root: ROOT });
  const broken = structuredClone(log) as unknown as { runs: { results: Record<string, unknown>[] }[] };
  delete broken.runs[0].results[0].message;
  assert.match(validate(broken) ?? "", /message/);
  const noRegionStart = structuredClone(log);
  noRegionStart.runs[0].results[0].locations[0].physicalLocation.region = {} as never;
  assert.match(validate(noRegionStart) ?? "", /startLine/);
  assert.equal(validate(log), undefined);
});

Deno.test("modelaudit scan --format sarif prints SARIF with paths relative to the working directory", async () => {
  // `deno task test` runs in the repository, which the relative scan path and the URIs assume.
  assert.equal(new URL(`file://${Deno.cwd()}/`).href, new URL(`file://${REPO_ROOT}`).href);
  const output = await runInProcess(["scan", "--format", "sarif", "fixtures/pickle/malicious"]);
  assert.equal(output.code, 1, output.stderr);
  const log: SarifLog = JSON.parse(output.stdout);
  assert.equal((await sarifValidator())(log), undefined);
  assertGitHubAccepts(log, REPO_ROOT);
  const uris = new Set(log.runs[0].results.map((r) => r.locations[0].physicalLocation.artifactLocation.uri));
  assert.ok([...uris].every((uri) => uri.startsWith("fixtures/pickle/malicious/")), [...uris].join(", "));
  assert.equal(log.runs[0].originalUriBaseIds?.[SRCROOT].uri, new URL(`file://${REPO_ROOT}`).href);
});
