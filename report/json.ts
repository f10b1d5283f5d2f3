/**
 * The JSON report. Its top level keeps the field names and types of
 * ModelAudit's JSON output (`scanner_names`, `start_time`, `bytes_scanned`,
 * `issues`, `has_errors`, `files_scanned`, `duration`), so pipelines written
 * for it keep working; modelaudit adds a rule id to each issue and per-file
 * results. Times are unix seconds and durations seconds, as floats, like
 * ModelAudit's.
 *
 * @module
 */

import { RULES } from "../core/rules.ts";
import type {
  FileResult,
  Finding,
  FindingDetails,
  Location,
  ScanResult,
  Severity,
  Suppression,
} from "../core/types.ts";
import { renderLocation } from "./location.ts";
import { jsonReplacer, type SeverityCounts, summarize, TOOL_NAME, TOOL_VERSION } from "./summary.ts";

/** One finding in the JSON report (ModelAudit's issue, plus `rule` and `file`). */
export interface JsonIssue {
  /** One sentence a user understands. */
  message: string;
  /** Lower case, as in ModelAudit. */
  severity: Severity;
  /** Full path through containers, e.g. `models.zip:data.pkl (pos 52)`, as ModelAudit writes it. */
  location: string;
  /** Pickle findings carry `module`, `function`, `position` and `opcode`. */
  details: FindingDetails;
  /** Unix seconds. Findings are not timed one by one: this is when the scan finished. */
  timestamp: number;
  /** Rule id from the catalog (`modelaudit rules ID` explains it). */
  rule: string;
  /** Why the rule matters, from the catalog (ModelAudit's optional `why`). */
  why?: string;
  /** The scanned path the finding belongs to; `null` for findings about the scan itself. */
  file: string | null;
  /** `location` as a structure, for tools that map it (SARIF regions, suppressions). */
  where: JsonLocation;
  /** Present when the config file or the baseline suppresses the finding. */
  suppressed?: Suppression;
}

/** A finding's location in the JSON report: {@linkcode Location} with snake_case keys. */
export interface JsonLocation {
  /** The file as the scan names it. */
  file: string;
  /** Members and nested payloads from the file inward, e.g. `["inner.zip", "archive/data.pkl"]`. */
  members: string[];
  /** Byte offset inside the innermost of `file` and `members`. */
  position?: number;
  /** Line, from 1. */
  line?: number;
  /** Column, from 1. */
  column?: number;
  /** Path of keys inside a structured document, e.g. `$.aws.secret`. */
  key_path?: string;
}

/**
 * A finding's {@linkcode Location} as the JSON report writes it (`where`): snake_case keys, members copied.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toJsonLocation } from "./json.ts";
 * const members = ["model.zip", "data.pkl"];
 * const where = toJsonLocation({ file: "c.yaml", members, line: 3, keyPath: "$.a" });
 * assert.deepEqual(where, { file: "c.yaml", members, line: 3, key_path: "$.a" });
 * assert.notEqual(where.members, members); // a copy: the report never shares the finding's array
 * ```
 */
export function toJsonLocation({ keyPath, ...rest }: Location): JsonLocation {
  return { ...rest, members: [...rest.members], ...(keyPath === undefined ? {} : { key_path: keyPath }) };
}

/** One file in the JSON report. */
export interface JsonFile {
  /** The path as the scan listed it. */
  path: string;
  /** File size in bytes. */
  size: number;
  /** Format chosen by content, or `null` when no scanner recognised the file. */
  format: string | null;
  /** `scanned`, `skipped` (not a model format, too large) or `error` (could not be scanned). */
  status: FileResult["status"];
  /** Why the file was skipped or could not be scanned. */
  reason?: string;
  /** Distinct bytes of this file the scan read. */
  bytes_scanned: number;
  /** Seconds. */
  duration: number;
  /** Number of entries in `issues` whose `file` is this path. */
  issue_count: number;
}

/** The whole JSON document `modelaudit scan --format json` prints. */
export interface JsonReport {
  /** Ids of the scanners that inspected at least one file. */
  scanner_names: string[];
  /** Unix seconds (float) when the scan started. */
  start_time: number;
  /** Unix seconds (float) when the scan finished. */
  finish_time: number;
  /** Seconds (float) the scan took. */
  duration: number;
  /** Distinct bytes the scan read, over all files. */
  bytes_scanned: number;
  /** Files whose status is `scanned`. */
  files_scanned: number;
  /** Files whose status is `skipped`. */
  files_skipped: number;
  /** Files whose status is `error`. */
  files_failed: number;
  /** True when any file could not be scanned (not when something was found). */
  has_errors: boolean;
  /** The opposite of `has_errors`, as in ModelAudit. */
  success: boolean;
  /** Every finding: those about the scan itself first, then each file's in file order. */
  issues: JsonIssue[];
  /** Findings by severity, suppressed ones not counted. */
  issue_counts: SeverityCounts;
  /** Suppressed findings: by ignores of the config file, and by the baseline. */
  suppressed_counts: { ignore: number; baseline: number };
  /** Every file the scan looked at. */
  files: JsonFile[];
  /** The tool that wrote the report. */
  tool: { name: string; version: string };
}

const seconds = (ms: number) => ms / 1000;

/**
 * Builds the JSON report document of a finished scan.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toJsonReport } from "./json.ts";
 * const report = toJsonReport({
 *   startTime: "2026-01-01T00:00:00.000Z", durationMs: 1500, files: [], findings: [], scannerNames: [],
 * });
 * assert.equal(report.start_time, 1767225600);
 * assert.equal(report.duration, 1.5);
 * ```
 */
export function toJsonReport(result: ScanResult): JsonReport {
  const startMs = Date.parse(result.startTime);
  const finish = seconds(startMs + result.durationMs);
  const issue = (file: string | null) => (finding: Finding): JsonIssue => {
    const why = RULES[finding.rule]?.why;
    return {
      message: finding.message,
      severity: finding.severity,
      location: renderLocation(finding.location),
      details: finding.details,
      timestamp: finish,
      rule: finding.rule,
      ...(why ? { why } : {}),
      file,
      where: toJsonLocation(finding.location),
      ...(finding.suppressed ? { suppressed: finding.suppressed } : {}),
    };
  };
  const summary = summarize(result);
  return {
    scanner_names: [...result.scannerNames],
    start_time: seconds(startMs),
    finish_time: finish,
    duration: seconds(result.durationMs),
    bytes_scanned: summary.bytesScanned,
    files_scanned: summary.scanned,
    files_skipped: summary.skipped,
    files_failed: summary.errors,
    has_errors: summary.errors > 0,
    success: summary.errors === 0,
    issues: [
      ...result.findings.map(issue(null)),
      ...result.files.flatMap((file) => file.findings.map(issue(file.path))),
    ],
    issue_counts: summary.counts,
    suppressed_counts: summary.suppressed,
    files: result.files.map((file) => ({
      path: file.path,
      size: file.size,
      format: file.format,
      status: file.status,
      ...(file.reason !== undefined ? { reason: file.reason } : {}),
      bytes_scanned: file.bytesScanned,
      duration: seconds(file.durationMs),
      issue_count: file.findings.filter((finding) => !finding.suppressed).length,
    })),
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
  };
}

/**
 * Renders a finished scan as the JSON report (see {@linkcode JsonReport}),
 * pretty-printed, with a final newline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderJson } from "./json.ts";
 * const json = renderJson({
 *   startTime: "2026-01-01T00:00:00.000Z", durationMs: 0, files: [], findings: [], scannerNames: [],
 * });
 * assert.equal(JSON.parse(json).has_errors, false);
 * ```
 */
export function renderJson(result: ScanResult): string {
  return JSON.stringify(toJsonReport(result), jsonReplacer, 2) + "\n";
}
