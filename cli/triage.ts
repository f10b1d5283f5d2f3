/**
 * What the user decided about findings, applied to a finished scan: rules left out by `--select` and
 * `--ignore` are dropped (ruff's meaning: those rules are off), severities are overridden per rule, and
 * findings matched by an ignore entry of the config file or recorded in the baseline are kept but marked
 * suppressed, so the JSON and SARIF reports still show them and the exit code no longer counts them.
 * An ignore entry past its expiry date suppresses nothing and says so (MA090).
 *
 * @module
 */

import { getRule } from "../core/rules.ts";
import type { Finding, ScanResult, Severity } from "../core/types.ts";
import type { IgnoreEntry } from "./config.ts";

/** What to apply; every part is optional. */
export interface TriagePolicy {
  /** Rule ids or prefixes to keep (all when empty). */
  select?: readonly string[];
  /** Rule ids or prefixes to drop; they win over `select`. */
  ignore?: readonly string[];
  /** Severity per rule id, instead of the one a finding was reported with. */
  severity?: Partial<Record<string, Severity>>;
  /** Ignore entries, with the config file they come from. */
  ignores?: { file: string; entries: readonly IgnoreEntry[] };
  /** Fingerprints recorded in a baseline file (`findingFingerprints` of `report/sarif.ts`), and its name. */
  baseline?: { file: string; fingerprints: ReadonlySet<string> };
  /** The directory paths are relative to: the baseline's fingerprints were taken from it. */
  root: string;
  /** Today, `YYYY-MM-DD` in UTC: an ignore expires after its day. */
  today: string;
}

/** Whether a finding's file matches a path glob. */
type FileMatcher = (file: string) => boolean;

/**
 * The matcher of each path glob, against the file relative to `root` with `/` between segments when it
 * is inside it. Loaded only when an ignore entry names a path: picomatch and `node:path` cost a
 * process some 15 ms to import, which `--select` alone or a config's severities need not pay.
 */
async function globMatchers(root: string): Promise<(glob: string) => FileMatcher> {
  const [{ default: picomatch }, { isAbsolute, relative, resolve, sep }] = await Promise.all([
    import("picomatch"),
    import("node:path"),
  ]);
  const globPath = (file: string) => {
    const inRoot = relative(root, resolve(root, file));
    return inRoot.startsWith("..") || isAbsolute(inRoot) ? file : inRoot.split(sep).join("/");
  };
  return (glob) => {
    const test = picomatch(glob, { dot: true });
    return (file) => test(globPath(file));
  };
}

const matches = (selectors: readonly string[], rule: string) => selectors.some((s) => rule.startsWith(s));

function selected(rule: string, policy: TriagePolicy): boolean {
  if (policy.select?.length && !matches(policy.select, rule)) return false;
  return !matches(policy.ignore ?? [], rule);
}

/** The entries in force, each with the matcher of its path glob; MA090 for those that expired. */
async function activeIgnores(policy: TriagePolicy, report: Finding[]) {
  if (!policy.ignores) return [];
  const { file, entries } = policy.ignores;
  const matcherOf = entries.some((entry) => entry.path !== undefined)
    ? await globMatchers(policy.root)
    : undefined;
  const active: { entry: IgnoreEntry; matches: FileMatcher }[] = [];
  for (const entry of entries) {
    if (entry.expires !== undefined && entry.expires < policy.today) {
      report.push({
        rule: "MA090",
        severity: getRule("MA090").severity,
        message: `The ignore of ${entry.rule}${
          entry.path ? ` in ${entry.path}` : ""
        } expired on ${entry.expires}: the findings it suppressed are reported again`,
        location: { file, members: [], keyPath: entry.keyPath },
        details: { rule: entry.rule, path: entry.path ?? null, expires: entry.expires, reason: entry.reason },
      });
      continue;
    }
    active.push({ entry, matches: entry.path === undefined ? () => true : matcherOf!(entry.path) });
  }
  return active;
}

/**
 * Applies `policy` to a finished scan and returns the result to report; `result` is not changed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { triage } from "./triage.ts";
 * const finding = (rule: "MA102" | "MA003", file: string) => ({
 *   rule, severity: "warning" as const, message: `${rule} in ${file}`,
 *   location: { file, members: [] }, details: {},
 * });
 * const result = {
 *   startTime: "2026-12-07T00:00:00.000Z", durationMs: 1, scannerNames: ["pickle"], findings: [],
 *   files: [{
 *     path: "vendor/a.pkl", size: 9, format: "pickle", status: "scanned" as const, bytesScanned: 9, durationMs: 1,
 *     findings: [finding("MA102", "vendor/a.pkl"), finding("MA003", "vendor/a.pkl")],
 *   }],
 * };
 * const triaged = await triage(result, {
 *   ignore: ["MA003"],
 *   ignores: { file: "modelaudit.toml", entries: [
 *     { rule: "MA1", path: "vendor/**", reason: "reviewed", keyPath: "$.ignore[0]" },
 *   ] },
 *   root: "/work", today: "2026-12-07",
 * });
 * assert.deepEqual(triaged.files[0].findings.map((f) => [f.rule, f.suppressed]), [
 *   ["MA102", { kind: "ignore", reason: "reviewed" }],
 * ]);
 * ```
 */
export async function triage(result: ScanResult, policy: TriagePolicy): Promise<ScanResult> {
  const configFindings: Finding[] = [];
  const ignores = await activeIgnores(policy, configFindings);
  const adjust = (finding: Finding): Finding => {
    const severity = policy.severity?.[finding.rule];
    if (!severity) return finding;
    return { ...finding, severity, details: { ...finding.details, reportedSeverity: finding.severity } };
  };
  const keep = (findings: Finding[]) => findings.filter((f) => selected(f.rule, policy)).map(adjust);
  const kept: ScanResult = {
    ...result,
    findings: keep([...result.findings, ...configFindings]),
    files: result.files.map((file) => ({ ...file, findings: keep(file.findings) })),
  };
  const all = [...kept.findings, ...kept.files.flatMap((file) => file.findings)];
  // The baseline's fingerprints are SARIF's; its module loads only for a baseline.
  const fingerprints = policy.baseline
    ? (await import("../report/sarif.ts")).findingFingerprints(all, policy.root)
    : [];
  const suppressed = new Map<Finding, Finding>();
  all.forEach((finding, index) => {
    const ignore = ignores.find(({ entry, matches }) =>
      finding.rule.startsWith(entry.rule) && matches(finding.location.file)
    );
    if (ignore) {
      suppressed.set(finding, { ...finding, suppressed: { kind: "ignore", reason: ignore.entry.reason } });
    } else if (policy.baseline?.fingerprints.has(fingerprints[index])) {
      const reason = `recorded in the baseline ${policy.baseline.file}`;
      suppressed.set(finding, { ...finding, suppressed: { kind: "baseline", reason } });
    }
  });
  const mark = (findings: Finding[]) => findings.map((finding) => suppressed.get(finding) ?? finding);
  return {
    ...kept,
    findings: mark(kept.findings),
    files: kept.files.map((file) => ({ ...file, findings: mark(file.findings) })),
  };
}
