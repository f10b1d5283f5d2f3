import assert from "node:assert/strict";
import { getRule, type RuleId } from "../../core/rules.ts";
import type { Finding, ScanResult } from "../../core/types.ts";
import { type JsonIssue, type JsonReport, renderJson, toJsonReport } from "../../report/json.ts";
import { TOOL_VERSION } from "../../report/summary.ts";
import { CLEAN_RESULT, MIXED_RESULT, withDetails } from "./_sample_result.ts";

/** 2026-01-02T03:04:05.000Z in unix seconds. */
const START = 1767323045;

/**
 * The issue a finding of MIXED_RESULT becomes: its own fields with `location` rendered as given, then the
 * scan's finish time, the rule's why, the file and the location's structure. The finding is copied now, so a
 * renderer that changed its input could not change the expectation too.
 */
function issue(finding: Finding, file: string | null, location: string): JsonIssue {
  const { message, severity, details, rule, location: where } = structuredClone(finding);
  return {
    message,
    severity,
    location,
    details,
    timestamp: START + 1.234,
    rule,
    why: getRule(rule).why,
    file,
    where,
  };
}

const EXPECTED_MIXED: JsonReport = {
  scanner_names: ["pickle"],
  start_time: START,
  finish_time: START + 1.234,
  duration: 1.234,
  bytes_scanned: 38,
  files_scanned: 2,
  files_skipped: 2,
  files_failed: 1,
  has_errors: true,
  success: false,
  issues: [
    issue(MIXED_RESULT.findings[0], null, "models/link"),
    issue(MIXED_RESULT.files[0].findings[0], "models/evil.pkl", "models/evil.pkl (pos 0)"),
    issue(MIXED_RESULT.files[0].findings[1], "models/evil.pkl", "models/evil.pkl (pos 25)"),
    issue(MIXED_RESULT.files[3].findings[0], "models/huge.bin", "models/huge.bin"),
  ],
  issue_counts: { critical: 2, warning: 1, info: 1 },
  suppressed_counts: { ignore: 0, baseline: 0 },
  files: [
    {
      path: "models/evil.pkl",
      size: 27,
      format: "pickle",
      status: "scanned",
      bytes_scanned: 27,
      duration: 0.0125,
      issue_count: 2,
    },
    {
      path: "models/ok.pkl",
      size: 11,
      format: "pickle",
      status: "scanned",
      bytes_scanned: 11,
      duration: 0.003,
      issue_count: 0,
    },
    {
      path: "models/README.md",
      size: 2048,
      format: null,
      status: "skipped",
      reason: "not a format modelaudit scans",
      bytes_scanned: 0,
      duration: 0.001,
      issue_count: 0,
    },
    {
      path: "models/huge.bin",
      size: 5_000_000_000,
      format: null,
      status: "skipped",
      reason: "larger than --max-file-size",
      bytes_scanned: 0,
      duration: 0,
      issue_count: 1,
    },
    {
      path: "missing.pkl",
      size: 0,
      format: null,
      status: "error",
      reason: "path does not exist",
      bytes_scanned: 0,
      duration: 0,
      issue_count: 0,
    },
  ],
  tool: { name: "modelaudit", version: TOOL_VERSION },
};

Deno.test("toJsonReport maps a mixed scan field by field", () => {
  assert.deepEqual(toJsonReport(MIXED_RESULT), EXPECTED_MIXED);
});

Deno.test("renderJson prints the document with ModelAudit's fields first, indented, with a final newline", () => {
  const json = renderJson(MIXED_RESULT);
  assert.equal(json, JSON.stringify(EXPECTED_MIXED, null, 2) + "\n");
  assert.deepEqual(Object.keys(JSON.parse(json)).slice(0, 4), [
    "scanner_names",
    "start_time",
    "finish_time",
    "duration",
  ]);
});

Deno.test("renderJson keeps ModelAudit's field types: unix-second floats, lower-case severities, booleans", () => {
  const doc = JSON.parse(renderJson(MIXED_RESULT));
  for (const field of ["start_time", "duration", "bytes_scanned", "files_scanned"]) {
    assert.equal(typeof doc[field], "number", field);
  }
  assert.equal(typeof doc.has_errors, "boolean");
  assert.ok(Array.isArray(doc.scanner_names) && Array.isArray(doc.issues));
  for (const issue of doc.issues) {
    assert.deepEqual(
      Object.keys(issue).slice(0, 5),
      ["message", "severity", "location", "details", "timestamp"],
    );
    assert.match(issue.severity, /^(critical|warning|info)$/);
    assert.match(issue.rule, /^MA\d{3}$/);
  }
});

Deno.test("renderJson of a clean scan has no issues and no errors", () => {
  const doc = JSON.parse(renderJson(CLEAN_RESULT));
  assert.deepEqual(doc.issues, []);
  assert.equal(doc.has_errors, false);
  assert.equal(doc.success, true);
  assert.equal(doc.files_scanned, 1);
  assert.equal(doc.duration, 0.007);
  assert.deepEqual(doc.files[0], {
    path: "ok.pkl",
    size: 11,
    format: "pickle",
    status: "scanned",
    bytes_scanned: 11,
    duration: 0.002,
    issue_count: 0,
  });
});

Deno.test("renderJson writes big integers in details as decimal strings and keeps long values whole", () => {
  const doc = JSON.parse(renderJson(withDetails({ value: 2n ** 64n, source: "x".repeat(500) })));
  assert.deepEqual(doc.issues[0].details, { value: "18446744073709551616", source: "x".repeat(500) });
});

Deno.test("renderJson leaves out why for a rule the catalog does not know", () => {
  // A result from plain JavaScript, or read back from another version, may name a rule this one lacks.
  const result: ScanResult = {
    ...CLEAN_RESULT,
    findings: [{
      rule: "X999" as RuleId,
      severity: "info",
      message: "m",
      location: { file: "l", members: [] },
      details: {},
    }],
  };
  const issue = JSON.parse(renderJson(result)).issues[0];
  assert.equal("why" in issue, false);
  assert.equal(issue.rule, "X999");
  assert.equal(issue.file, null);
});

Deno.test("an issue keeps ModelAudit's location string and adds its structure, key path in snake_case", () => {
  const result: ScanResult = {
    ...CLEAN_RESULT,
    findings: [{
      rule: "MA100",
      severity: "critical",
      message: "m",
      location: { file: "m.zip", members: ["inner.zip", "conf.yaml"], line: 3, column: 9, keyPath: "$.a.b" },
      details: {},
    }],
  };
  const issue = JSON.parse(renderJson(result)).issues[0];
  assert.equal(issue.location, "m.zip:inner.zip:conf.yaml (line 3, col 9, key $.a.b)");
  assert.deepEqual(issue.where, {
    file: "m.zip",
    members: ["inner.zip", "conf.yaml"],
    line: 3,
    column: 9,
    key_path: "$.a.b",
  });
});
