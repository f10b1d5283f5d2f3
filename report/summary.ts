/**
 * What every report says about a finished scan: counts by severity, file
 * totals, the process exit code, and the number and time formats the text and
 * JSON renderers share.
 *
 * @module
 */

import denoJson from "../deno.json" with { type: "json" };
import { atLeast, type Finding, type ScanResult, type Severity } from "../core/types.ts";

/** The tool's name as reports and `--version` print it. */
export const TOOL_NAME = "modelaudit";
/** The tool's version, read from deno.json so there is one place to bump it. */
export const TOOL_VERSION: string = denoJson.version;

/** Exit code: nothing at or above `--fail-on` was found and every file was scanned. */
export const EXIT_CLEAN = 0;
/** Exit code: at least one finding at or above `--fail-on`. Wins over {@linkcode EXIT_ERROR}. */
export const EXIT_FINDINGS = 1;
/** Exit code: a file could not be scanned, or the command line was wrong. */
export const EXIT_ERROR = 2;

/** The process exit codes modelaudit uses. */
export type ExitCode = typeof EXIT_CLEAN | typeof EXIT_FINDINGS | typeof EXIT_ERROR;

/** Number of findings per severity. */
export type SeverityCounts = Record<Severity, number>;

/** Totals of a scan, as the summary of every report shows them. */
export interface ScanSummary {
  /** Files the engine looked at, whatever became of them. */
  files: number;
  /** Files a scanner read. */
  scanned: number;
  /** Files skipped: not a model format, or larger than the size limit. */
  skipped: number;
  /** Files that could not be scanned. */
  errors: number;
  /** Distinct bytes the scan read, over all files. */
  bytesScanned: number;
  /** Wall time of the whole scan. */
  durationMs: number;
  /** Findings by severity, over files and the scan itself; suppressed ones are not counted. */
  counts: SeverityCounts;
  /** All findings together, suppressed ones not counted. */
  findings: number;
  /** Suppressed findings: by the config file's ignores, and by the baseline. */
  suppressed: { ignore: number; baseline: number };
}

/**
 * Every finding of a scan in report order: findings about the scan itself
 * first, then each file's findings in file order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { allFindings } from "./summary.ts";
 * const findings = allFindings({ startTime: "", durationMs: 0, files: [], findings: [], scannerNames: [] });
 * assert.equal(findings.length, 0);
 * ```
 */
export function allFindings(result: ScanResult): Finding[] {
  return [...result.findings, ...result.files.flatMap((file) => file.findings)];
}

/**
 * The scan as it counts: the same result without its suppressed findings (see
 * {@linkcode Finding.suppressed}), which only the JSON and SARIF reports keep.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { activeResult } from "./summary.ts";
 * const result = activeResult({
 *   startTime: "", durationMs: 0, files: [], scannerNames: [],
 *   findings: [{
 *     rule: "MA002", severity: "warning", message: "link", location: { file: "a", members: [] }, details: {},
 *     suppressed: { kind: "ignore", reason: "known link" },
 *   }],
 * });
 * assert.deepEqual(result.findings, []);
 * ```
 */
export function activeResult(result: ScanResult): ScanResult {
  const active = (findings: Finding[]) => findings.filter((finding) => !finding.suppressed);
  return {
    ...result,
    findings: active(result.findings),
    files: result.files.map((file) => ({ ...file, findings: active(file.findings) })),
  };
}

/**
 * Counts findings by severity.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { countBySeverity } from "./summary.ts";
 * assert.deepEqual(countBySeverity([]), { critical: 0, warning: 0, info: 0 });
 * ```
 */
export function countBySeverity(findings: readonly Finding[]): SeverityCounts {
  const counts: SeverityCounts = { critical: 0, warning: 0, info: 0 };
  for (const finding of findings) counts[finding.severity]++;
  return counts;
}

/**
 * Totals of a scan: files by status, bytes, duration and findings by severity.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { summarize } from "./summary.ts";
 * const summary = summarize({ startTime: "", durationMs: 5, files: [], findings: [], scannerNames: [] });
 * assert.equal(summary.files, 0);
 * assert.equal(summary.counts.critical, 0);
 * ```
 */
export function summarize(result: ScanResult): ScanSummary {
  const everything = allFindings(result);
  const findings = everything.filter((finding) => !finding.suppressed);
  const suppressedBy = (kind: string) =>
    everything.filter((finding) => finding.suppressed?.kind === kind).length;
  const byStatus = (status: string) => result.files.filter((file) => file.status === status).length;
  return {
    files: result.files.length,
    scanned: byStatus("scanned"),
    skipped: byStatus("skipped"),
    errors: byStatus("error"),
    bytesScanned: result.files.reduce((sum, file) => sum + file.bytesScanned, 0),
    durationMs: result.durationMs,
    counts: countBySeverity(findings),
    findings: findings.length,
    suppressed: { ignore: suppressedBy("ignore"), baseline: suppressedBy("baseline") },
  };
}

/**
 * The process exit code for a finished scan: {@linkcode EXIT_FINDINGS} when any
 * finding (of a file or of the scan itself) that is not suppressed is at or above `failOn`, else
 * {@linkcode EXIT_ERROR} when any file could not be scanned, else
 * {@linkcode EXIT_CLEAN}. Findings are never hidden behind an error code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exitCode } from "./summary.ts";
 * const result = { startTime: "", durationMs: 0, files: [], findings: [], scannerNames: [] };
 * assert.equal(exitCode(result, "warning"), 0);
 * ```
 */
export function exitCode(result: ScanResult, failOn: Severity): ExitCode {
  const counted = allFindings(result).filter((finding) => !finding.suppressed);
  if (counted.some((finding) => atLeast(finding.severity, failOn))) return EXIT_FINDINGS;
  if (result.files.some((file) => file.status === "error")) return EXIT_ERROR;
  return EXIT_CLEAN;
}

/** Binary units for {@linkcode formatBytes}; model sizes are quoted in these. */
const BYTE_UNITS = ["KiB", "MiB", "GiB", "TiB"] as const;

/**
 * A byte count for people: exact below 1 KiB, else one decimal in binary units.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatBytes } from "./summary.ts";
 * assert.equal(formatBytes(27), "27 B");
 * assert.equal(formatBytes(1536), "1.5 KiB");
 * ```
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes;
  let unit = "B";
  for (const next of BYTE_UNITS) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  return `${value.toFixed(1)} ${unit}`;
}

/**
 * A duration for people: milliseconds below one second, else seconds with two decimals.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDuration } from "./summary.ts";
 * assert.equal(formatDuration(42), "42 ms");
 * assert.equal(formatDuration(1234), "1.23 s");
 * ```
 */
export function formatDuration(ms: number): string {
  const rounded = Math.round(ms);
  return rounded < 1000 ? `${rounded} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/**
 * `n` followed by `word`, with an `s` unless `n` is one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { plural } from "./summary.ts";
 * assert.equal(plural(1, "file"), "1 file");
 * assert.equal(plural(3, "finding"), "3 findings");
 * ```
 */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * A `JSON.stringify` replacer for finding details: big integers (pickle LONG
 * values) become decimal strings instead of making `JSON.stringify` throw.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonReplacer } from "./summary.ts";
 * assert.equal(JSON.stringify({ value: 2n ** 70n }, jsonReplacer), '{"value":"1180591620717411303424"}');
 * ```
 */
export function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}
