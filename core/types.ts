/**
 * Shared data types of a scan: severities, findings, per-file results and the
 * whole-scan result every renderer reads.
 *
 * @module
 */

import type { RuleId } from "./rules.ts";
import type { ListedTensor, ModelFact } from "./tensor.ts";

/** How bad a finding is, from worst to mildest. */
export type Severity = "critical" | "warning" | "info";

/** Severities ordered from mildest to worst, for comparisons. */
export const SEVERITY_ORDER: readonly Severity[] = ["info", "warning", "critical"];

/**
 * Whether `severity` is at least as bad as `threshold`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { atLeast } from "./types.ts";
 * assert.equal(atLeast("critical", "warning"), true);
 * assert.equal(atLeast("info", "warning"), false);
 * ```
 */
export function atLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITY_ORDER.indexOf(severity) >= SEVERITY_ORDER.indexOf(threshold);
}

/** Machine-readable details of a finding; pickle findings carry `module`, `function`, `position`, `opcode`. */
export type FindingDetails = Record<string, unknown>;

/**
 * Where a finding is, as a structure: reports render it (`outer.zip:inner/data.pkl (pos 52)`),
 * SARIF maps it to a file and a region, suppressions match its path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderLocation } from "../report/location.ts";
 * import type { Location } from "./types.ts";
 * const inPickle: Location = { file: "models/outer.zip", members: ["inner/data.pkl"], position: 52 };
 * assert.equal(renderLocation(inPickle), "models/outer.zip:inner/data.pkl (pos 52)");
 * const inConfig: Location = { file: "config.yaml", members: [], line: 3, column: 9, keyPath: "$.aws.secret" };
 * assert.equal(renderLocation(inConfig), "config.yaml (line 3, col 9, key $.aws.secret)");
 * ```
 */
export interface Location {
  /** The file as the scan names it (the path the user gave, or found under it). */
  file: string;
  /**
   * The path through containers and nested payloads, outermost first: archive members by their
   * stored names, payloads by their labels, e.g. `["inner.zip", "archive/data.pkl", "<payload@17>"]`.
   */
  members: string[];
  /** Byte offset inside the innermost of `file` and `members`. */
  position?: number;
  /** Line, from 1, inside the innermost text. */
  line?: number;
  /** Column, from 1, on `line`. */
  column?: number;
  /** Path of keys inside a structured document, e.g. `$.aws.secret` or `$.layers[3].config`. */
  keyPath?: string;
}

/**
 * One problem found in a file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scanBytes } from "../engine/dispatch.ts";
 * import type { Finding } from "./types.ts";
 * const pickle = new TextEncoder().encode("cos\nsystem\n(S'echo pwned'\ntR.");
 * const { findings } = await scanBytes(pickle, "model.pkl");
 * const first: Finding = findings[0];
 * assert.equal(first.rule, "MA100");
 * assert.equal(first.severity, "critical");
 * assert.deepEqual(first.location, { file: "model.pkl", members: [], position: 0 });
 * assert.equal(first.details.module, "os");
 * ```
 */
export interface Finding {
  /** Stable rule id from the catalog, e.g. `MA100`. */
  rule: RuleId;
  /** How bad it is; the rule's default unless the scanner had reason to differ. */
  severity: Severity;
  /** One sentence a user understands. */
  message: string;
  /** Where it is; `report/location.ts` renders it, e.g. `outer.zip:inner/data.pkl (pos 52)`. */
  location: Location;
  /** Machine-readable facts behind the message. */
  details: FindingDetails;
  /**
   * Set when the user's configuration or baseline suppresses this finding: it stays in the JSON and
   * SARIF reports, marked, but no longer counts toward the exit code or the text report.
   */
  suppressed?: Suppression;
}

/**
 * Why a finding is suppressed: an `ignore` entry of the config file (with its reason), or the baseline
 * it was already recorded in.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { activeResult } from "../report/summary.ts";
 * import type { Suppression } from "./types.ts";
 * const reviewed: Suppression = { kind: "ignore", reason: "vendor checkpoint, reviewed 2026-11" };
 * const known: Suppression = { kind: "baseline", reason: "in the baseline modelaudit-baseline.json" };
 * // A suppressed finding stays in the result, and no longer counts.
 * const finding = { rule: "MA102" as const, severity: "warning" as const, message: "m", location: { file: "m.pkl", members: [] }, details: {} };
 * const result = {
 *   startTime: "", durationMs: 0, files: [], scannerNames: [],
 *   findings: [{ ...finding, suppressed: reviewed }, { ...finding, suppressed: known }, finding],
 * };
 * assert.equal(activeResult(result).findings.length, 1);
 * ```
 */
export interface Suppression {
  /** `ignore` for a config file entry, `baseline` for a finding recorded in the baseline. */
  kind: "ignore" | "baseline";
  /** Why, in the user's words for an ignore entry. */
  reason: string;
}

/**
 * A member or payload recognised inside a scanned file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scanBytes } from "../engine/dispatch.ts";
 * import type { ContentEntry } from "./types.ts";
 * // A zip holding a pickle: the pickle is recognised inside it, by its path through the zip.
 * const zip = await Deno.readFile("fixtures/zip/malicious/crc_mismatch.zip");
 * const outcome = await scanBytes(zip, "models.zip");
 * const contents: ContentEntry[] | undefined = outcome.contents;
 * assert.ok(contents?.some((entry) => entry.format === "pickle" && entry.members.length === 1));
 * ```
 */
export interface ContentEntry {
  /** The path through containers and payloads, outermost first, e.g. `["bundle.zip", "archive/data.pkl"]`. */
  members: string[];
  /** The format its scanner recognised. */
  format: string;
  /** Its size in bytes (decoded, for a compressed member). */
  size: number;
}

/** What the engine learned about one file. */
export interface FileResult {
  /** The path as the user gave it (relative or absolute). */
  path: string;
  /** File size in bytes. */
  size: number;
  /** Format id chosen by content, or `null` when no scanner recognised the file. */
  format: string | null;
  /** `scanned`, `skipped` (not a model format, too large) or `error` (could not be scanned). */
  status: "scanned" | "skipped" | "error";
  /** Why the file was skipped or could not be scanned. */
  reason?: string;
  /** For a file that could not be scanned because modelaudit threw: the stack, shown with `--verbose`. */
  stack?: string;
  /** What was found in the file, in report order. */
  findings: Finding[];
  /** Distinct bytes of the file the scan read; bytes it skips (tensor data) do not count. */
  bytesScanned: number;
  /**
   * The members and payloads inside the file that a scanner recognised, outermost first (a checkpoint
   * in a zip, the pickle in that checkpoint): the inventory an ML-BOM lists. Absent when there are none.
   */
  contents?: ContentEntry[];
  /**
   * The tensors the file declares, through its containers, in the order their formats list them:
   * only when the scan was asked to list them (`inspect`, `ScanOptions.inventory`).
   */
  tensors?: ListedTensor[];
  /** Facts its formats state (framework, version, architecture, template names), when tensors are listed. */
  facts?: ModelFact[];
  /** Wall time spent on this file. */
  durationMs: number;
}

/**
 * The result of a whole scan, as renderers see it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ScanResult } from "./types.ts";
 * function hasCritical(result: ScanResult): boolean {
 *   return result.files.some((f) => f.findings.some((x) => x.severity === "critical"));
 * }
 * const empty: ScanResult = { startTime: "2026-01-01T00:00:00.000Z", durationMs: 0, files: [], findings: [], scannerNames: [] };
 * assert.equal(hasCritical(empty), false);
 * ```
 */
export interface ScanResult {
  /** ISO time the scan started. */
  startTime: string;
  /** Wall time of the whole scan. */
  durationMs: number;
  /** Every file the scan looked at, in walk order. */
  files: FileResult[];
  /** Findings about the scan itself rather than a file's content (e.g. a symlink that leaves the root). */
  findings: Finding[];
  /** Ids of the scanners that inspected at least one file. */
  scannerNames: string[];
}
