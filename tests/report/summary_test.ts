import assert from "node:assert/strict";
import type { RuleId } from "../../core/rules.ts";
import type { FileResult, Finding, ScanResult, Severity } from "../../core/types.ts";
import {
  allFindings,
  countBySeverity,
  EXIT_CLEAN,
  EXIT_ERROR,
  EXIT_FINDINGS,
  exitCode,
  formatBytes,
  formatDuration,
  jsonReplacer,
  plural,
  summarize,
  TOOL_VERSION,
} from "../../report/summary.ts";
import { CLEAN_RESULT, MIXED_RESULT } from "./_sample_result.ts";

function finding(severity: Severity, rule: RuleId = "MA100"): Finding {
  return {
    rule,
    severity,
    message: `a ${severity} finding`,
    location: { file: "x.pkl", members: [], position: 0 },
    details: {},
  };
}

function file(status: FileResult["status"], findings: Finding[] = []): FileResult {
  return { path: `${status}.pkl`, size: 1, format: null, status, findings, bytesScanned: 0, durationMs: 0 };
}

function result(files: FileResult[], findings: Finding[] = []): ScanResult {
  return { startTime: "2026-01-02T03:04:05.000Z", durationMs: 0, files, findings, scannerNames: [] };
}

Deno.test("exitCode: a clean scan is 0", () => {
  assert.equal(exitCode(result([file("scanned"), file("skipped")]), "info"), EXIT_CLEAN);
  assert.equal(exitCode(result([]), "info"), EXIT_CLEAN);
});

Deno.test("exitCode: a finding at or above --fail-on is 1, below it is not", () => {
  const warning = result([file("scanned", [finding("warning")])]);
  assert.equal(exitCode(warning, "info"), EXIT_FINDINGS);
  assert.equal(exitCode(warning, "warning"), EXIT_FINDINGS);
  assert.equal(exitCode(warning, "critical"), EXIT_CLEAN);
  const info = result([file("skipped", [finding("info", "MA003")])]);
  assert.equal(exitCode(info, "info"), EXIT_FINDINGS);
  assert.equal(exitCode(info, "warning"), EXIT_CLEAN);
  assert.equal(exitCode(result([file("scanned", [finding("critical")])]), "critical"), EXIT_FINDINGS);
});

Deno.test("exitCode: findings about the scan itself count", () => {
  assert.equal(exitCode(result([], [finding("warning", "MA002")]), "warning"), EXIT_FINDINGS);
  assert.equal(exitCode(result([], [finding("warning", "MA002")]), "critical"), EXIT_CLEAN);
});

Deno.test("exitCode: a file that could not be scanned is 2, unless a finding is at or above --fail-on", () => {
  assert.equal(exitCode(result([file("scanned"), file("error")]), "info"), EXIT_ERROR);
  const both = result([file("error"), file("scanned", [finding("critical")])]);
  assert.equal(exitCode(both, "critical"), EXIT_FINDINGS);
  const belowThreshold = result([file("error"), file("scanned", [finding("warning")])]);
  assert.equal(exitCode(belowThreshold, "critical"), EXIT_ERROR);
  // Findings on the failing file itself are not hidden either.
  assert.equal(exitCode(result([file("error", [finding("critical")])]), "warning"), EXIT_FINDINGS);
});

Deno.test("allFindings lists the scan's findings first, then each file's in order", () => {
  assert.deepEqual(allFindings(MIXED_RESULT).map((f) => f.rule), ["MA002", "MA100", "MA101", "MA003"]);
  assert.deepEqual(allFindings(CLEAN_RESULT), []);
});

Deno.test("countBySeverity and summarize total a mixed scan", () => {
  assert.deepEqual(countBySeverity([finding("info"), finding("critical"), finding("info")]), {
    critical: 1,
    warning: 0,
    info: 2,
  });
  assert.deepEqual(summarize(MIXED_RESULT), {
    files: 5,
    scanned: 2,
    skipped: 2,
    errors: 1,
    bytesScanned: 38,
    durationMs: 1234,
    counts: { critical: 2, warning: 1, info: 1 },
    findings: 4,
    suppressed: { ignore: 0, baseline: 0 },
  });
});

Deno.test("formatBytes is exact below 1 KiB and one decimal above", () => {
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(1023), "1023 B");
  assert.equal(formatBytes(1024), "1.0 KiB");
  assert.equal(formatBytes(1536), "1.5 KiB");
  assert.equal(formatBytes(5 * 1024 * 1024), "5.0 MiB");
  assert.equal(formatBytes(5_000_000_000), "4.7 GiB");
  assert.equal(formatBytes(3 * 1024 ** 5), "3072.0 TiB");
});

Deno.test("formatDuration switches to seconds at one second, after rounding", () => {
  assert.equal(formatDuration(0), "0 ms");
  assert.equal(formatDuration(12.5), "13 ms");
  assert.equal(formatDuration(999.4), "999 ms");
  assert.equal(formatDuration(999.6), "1.00 s");
  assert.equal(formatDuration(61_234), "61.23 s");
});

Deno.test("plural adds an s except for one", () => {
  assert.equal(plural(0, "file"), "0 files");
  assert.equal(plural(1, "file"), "1 file");
  assert.equal(plural(2, "error"), "2 errors");
});

Deno.test("jsonReplacer turns big integers into decimal strings", () => {
  assert.equal(JSON.stringify({ a: 2n ** 70n, b: 3 }, jsonReplacer), '{"a":"1180591620717411303424","b":3}');
});

Deno.test("TOOL_VERSION is deno.json's version", async () => {
  const denoJson = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  assert.equal(TOOL_VERSION, denoJson.version);
  assert.match(TOOL_VERSION, /^\d+\.\d+\.\d+/);
});
