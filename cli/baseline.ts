/**
 * Baseline files: `--write-baseline FILE` records the findings of a scan by their fingerprints, and
 * `--baseline FILE` suppresses exactly those on later scans, so that a gate fails only on what is new.
 * A fingerprint is the SARIF one ({@linkcode findingFingerprints}): the rule, the file relative to the
 * directory the scan runs from, the path through containers, the key path and the message, never a byte
 * offset, a line or a time, so a finding keeps its fingerprint when other content moves around it.
 *
 * ```json
 * {
 *   "tool": "modelaudit",
 *   "version": 1,
 *   "findings": [
 *     { "fingerprint": "9f2c…:1", "rule": "MA102", "location": "models/legacy.pkl (pos 0)" }
 *   ]
 * }
 * ```
 *
 * @module
 */

import type { ScanResult } from "../core/types.ts";
import { renderLocation } from "../report/location.ts";
import { findingFingerprints } from "../report/sarif.ts";
import { allFindings, TOOL_NAME } from "../report/summary.ts";
import { ConfigError } from "./config_error.ts";

/** The baseline format's version. */
const BASELINE_VERSION = 1;
const FINGERPRINT = /^[0-9a-f]{64}:[1-9]\d*$/;

/** One recorded finding: its fingerprint, and its rule and location for the people who read the file. */
export interface BaselineEntry {
  /** `<sha256>:<occurrence>`, as SARIF's `modelauditFinding/v1`. */
  fingerprint: string;
  /** The rule id, for readers of the file. */
  rule: string;
  /** The location as the text report writes it, for readers of the file. */
  location: string;
}

/** A baseline file's content. */
export interface Baseline {
  /** Always `modelaudit`. */
  tool: string;
  /** The format's version, 1. */
  version: number;
  /** The recorded findings, in report order. */
  findings: BaselineEntry[];
}

/**
 * The baseline of a triaged scan: every finding except those an ignore entry suppresses (they are
 * accepted in the config file already), with fingerprints taken relative to `root`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { baselineOf } from "./baseline.ts";
 * const baseline = baselineOf({
 *   startTime: "2026-12-07T00:00:00.000Z", durationMs: 1, scannerNames: [], files: [],
 *   findings: [{ rule: "MA002", severity: "warning", message: "a link leaves the root", location: { file: "m/l", members: [] }, details: {} }],
 * }, "/work");
 * assert.equal(baseline.tool, "modelaudit");
 * assert.deepEqual(baseline.findings.map((entry) => [entry.rule, entry.location]), [["MA002", "m/l"]]);
 * assert.match(baseline.findings[0].fingerprint, /^[0-9a-f]{64}:1$/);
 * ```
 */
export function baselineOf(result: ScanResult, root: string): Baseline {
  const findings = allFindings(result);
  const fingerprints = findingFingerprints(findings, root);
  const entries: BaselineEntry[] = [];
  findings.forEach((finding, index) => {
    if (finding.suppressed?.kind === "ignore") return;
    entries.push({
      fingerprint: fingerprints[index],
      rule: finding.rule,
      location: renderLocation(finding.location),
    });
  });
  return { tool: TOOL_NAME, version: BASELINE_VERSION, findings: entries };
}

/**
 * The fingerprints of the baseline file text `text` read from `path`; throws a {@linkcode ConfigError}
 * for a file that is not a modelaudit baseline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigError } from "./config_error.ts";
 * import { parseBaseline } from "./baseline.ts";
 * const fingerprints = parseBaseline(
 *   JSON.stringify({ tool: "modelaudit", version: 1, findings: [{ fingerprint: `${"a".repeat(64)}:1`, rule: "MA102", location: "m.pkl" }] }),
 *   "baseline.json",
 * );
 * assert.deepEqual([...fingerprints], [`${"a".repeat(64)}:1`]);
 * assert.throws(() => parseBaseline("{}", "baseline.json"), ConfigError); // not a modelaudit baseline
 * ```
 */
export function parseBaseline(text: string, path: string): Set<string> {
  const fail = (why: string): never => {
    throw new ConfigError(`${path}: not a modelaudit baseline: ${why}`);
  };
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    fail(`not JSON (${error instanceof Error ? error.message : error})`);
  }
  const { tool, version, findings } = (document ?? {}) as Record<string, unknown>;
  if (tool !== TOOL_NAME) fail(`"tool" is not "${TOOL_NAME}"`);
  if (version !== BASELINE_VERSION) {
    fail(`version ${JSON.stringify(version)}; this modelaudit reads version ${BASELINE_VERSION}`);
  }
  if (!Array.isArray(findings)) fail(`"findings" is not an array`);
  return new Set((findings as unknown[]).map((entry, index) => {
    const fingerprint = (entry as { fingerprint?: unknown })?.fingerprint;
    if (typeof fingerprint !== "string" || !FINGERPRINT.test(fingerprint)) {
      fail(`findings[${index}].fingerprint is not a fingerprint`);
    }
    return fingerprint as string;
  }));
}

/**
 * Reads the baseline file `path` (see {@linkcode parseBaseline}); throws a {@linkcode ConfigError}
 * when it cannot be read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigError } from "./config_error.ts";
 * import { loadBaseline, renderBaseline } from "./baseline.ts";
 * const path = await Deno.makeTempFile({ suffix: ".json" });
 * await Deno.writeTextFile(path, renderBaseline({ startTime: "", durationMs: 0, scannerNames: [], files: [], findings: [] }, "/work"));
 * assert.equal((await loadBaseline(path)).size, 0); // nothing accepted yet
 * await Deno.remove(path);
 * await assert.rejects(loadBaseline(path), ConfigError); // gone: a clear error, not a crash
 * ```
 */
export async function loadBaseline(path: string): Promise<Set<string>> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new ConfigError(
      `cannot read the baseline ${path}: ${error instanceof Error ? error.message : error}`,
    );
  }
  return parseBaseline(text, path);
}

/**
 * The baseline file's text for `result` (see {@linkcode baselineOf}): pretty JSON, a final newline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderBaseline } from "./baseline.ts";
 * const text = renderBaseline({ startTime: "", durationMs: 0, scannerNames: [], files: [], findings: [] }, "/work");
 * assert.deepEqual(JSON.parse(text), { tool: "modelaudit", version: 1, findings: [] });
 * assert.ok(text.endsWith("}\n"));
 * ```
 */
export function renderBaseline(result: ScanResult, root: string): string {
  return JSON.stringify(baselineOf(result, root), null, 2) + "\n";
}
