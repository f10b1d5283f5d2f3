/**
 * Hand-built scan results the renderer tests share: one of every kind of file
 * outcome, and an empty clean scan with ways to give its file a finding.
 *
 * @module
 */

import type { FileResult, Finding, FindingDetails, ScanResult } from "../../core/types.ts";

/**
 * A scan with a scan-level finding, a malicious pickle, a clean pickle, a
 * skipped file, a file skipped for size and a path that could not be scanned.
 */
export const MIXED_RESULT: ScanResult = {
  startTime: "2026-01-02T03:04:05.000Z",
  durationMs: 1234,
  scannerNames: ["pickle"],
  findings: [{
    rule: "MA002",
    severity: "warning",
    message: "Symbolic link points outside the scanned directory, to /etc/passwd",
    location: { file: "models/link", members: [] },
    details: { target: "/etc/passwd" },
  }],
  files: [
    {
      path: "models/evil.pkl",
      size: 27,
      format: "pickle",
      status: "scanned",
      findings: [
        {
          rule: "MA100",
          severity: "critical",
          message: "Pickle imports os.system, which runs shell commands",
          location: { file: "models/evil.pkl", members: [], position: 0 },
          details: { module: "os", function: "system", position: 0, opcode: "GLOBAL" },
        },
        {
          rule: "MA101",
          severity: "critical",
          message: "Pickle calls os.system when loaded",
          location: { file: "models/evil.pkl", members: [], position: 25 },
          details: { module: "os", function: "system", position: 25, opcode: "REDUCE" },
        },
      ],
      bytesScanned: 27,
      durationMs: 12.5,
    },
    {
      path: "models/ok.pkl",
      size: 11,
      format: "pickle",
      status: "scanned",
      findings: [],
      bytesScanned: 11,
      durationMs: 3,
    },
    {
      path: "models/README.md",
      size: 2048,
      format: null,
      status: "skipped",
      reason: "not a format modelaudit scans",
      findings: [],
      bytesScanned: 0,
      durationMs: 1,
    },
    {
      path: "models/huge.bin",
      size: 5_000_000_000,
      format: null,
      status: "skipped",
      reason: "larger than --max-file-size",
      findings: [{
        rule: "MA003",
        severity: "info",
        message: "Skipped: 5000000000 bytes is more than --max-file-size 1000000",
        location: { file: "models/huge.bin", members: [] },
        details: { size: 5_000_000_000, maxFileSize: 1_000_000 },
      }],
      bytesScanned: 0,
      durationMs: 0,
    },
    {
      path: "missing.pkl",
      size: 0,
      format: null,
      status: "error",
      reason: "path does not exist",
      findings: [],
      bytesScanned: 0,
      durationMs: 0,
    },
  ],
};

/** A scan of one clean pickle. */
export const CLEAN_RESULT: ScanResult = {
  startTime: "2026-01-02T03:04:05.000Z",
  durationMs: 7,
  scannerNames: ["pickle"],
  findings: [],
  files: [{
    path: "ok.pkl",
    size: 11,
    format: "pickle",
    status: "scanned",
    findings: [],
    bytesScanned: 11,
    durationMs: 2,
  }],
};

/**
 * CLEAN_RESULT with `finding` reported in its file, whose other fields `file` may replace.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Finding } from "../../core/types.ts";
 * import { CLEAN_RESULT, withFileFinding } from "./_sample_result.ts";
 * const finding: Finding = {
 *   rule: "MA102",
 *   severity: "warning",
 *   message: "m",
 *   location: { file: "x.pkl", members: [], position: 3 },
 *   details: {},
 * };
 * const result = withFileFinding(finding, { path: "x.pkl" });
 * assert.equal(result.files[0].path, "x.pkl");
 * assert.deepEqual(result.files[0].findings, [finding]);
 * assert.deepEqual(CLEAN_RESULT.files[0].findings, []); // the shared result is left as it was
 * ```
 */
export function withFileFinding(finding: Finding, file: Partial<FileResult> = {}): ScanResult {
  return { ...CLEAN_RESULT, files: [{ ...CLEAN_RESULT.files[0], ...file, findings: [finding] }] };
}

/**
 * CLEAN_RESULT whose file has one MA108 finding carrying `details`: for how the
 * renderers write detail values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withDetails } from "./_sample_result.ts";
 * const [finding] = withDetails({ big: 2n ** 64n }).files[0].findings;
 * assert.equal(finding.rule, "MA108");
 * assert.deepEqual(finding.details, { big: 2n ** 64n });
 * ```
 */
export function withDetails(details: FindingDetails): ScanResult {
  return withFileFinding({
    rule: "MA108",
    severity: "critical",
    message: "code",
    location: { file: "ok.pkl", members: [], position: 1 },
    details,
  });
}
