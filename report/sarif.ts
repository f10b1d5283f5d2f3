/**
 * The SARIF 2.1.0 report (`--format sarif`), for GitHub code scanning and other
 * SARIF viewers: one run whose `tool.driver` lists every rule of the catalog,
 * and one result per finding.
 *
 * A result's location names the scanned file relative to the scan's root
 * (`uriBaseId` `%SRCROOT%`), the byte offset as a region where the finding has
 * one, and the path through containers (`outer.zip:inner/data.pkl`) as a
 * logical location. What GitHub code scanning requires is met on purpose:
 * - every region has a `startLine`, because GitHub shows no alert without one.
 *   A finding at a line of a file has that line (and column); any other gets
 *   line 1, the file as a whole, with the exact byte offset beside it when the
 *   finding is in the file itself rather than in a member;
 * - every result has `partialFingerprints.primaryLocationLineHash`, the only
 *   fingerprint GitHub reads, computed from what identifies the finding (rule,
 *   file, members, key path, message) and not from its byte offset, so an
 *   alert survives an unrelated change that moves it;
 * - security rules carry `security-severity`, the others `problem.severity`;
 * - at most {@linkcode GITHUB_MAX_RESULTS} results, the worst first: GitHub
 *   rejects a run with more, and a notification says how many were left out.
 *
 * Files that could not be scanned are the invocation's error notifications,
 * and `executionSuccessful` is false.
 *
 * @module
 */

import { isAbsolute, normalize, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { getRule, type Rule, type RuleId, RULES } from "../core/rules.ts";
import {
  type Finding,
  type Location,
  type ScanResult,
  type Severity,
  SEVERITY_ORDER,
  type Suppression,
} from "../core/types.ts";
import { toJsonLocation } from "./json.ts";
import { renderLocation } from "./location.ts";
import { renderRuleMarkdown, ruleDocUrl } from "./rule_docs.ts";
import { renderRule } from "./rules.ts";
import { sha256Hex } from "./sha256.ts";
import { allFindings, jsonReplacer, TOOL_NAME, TOOL_VERSION } from "./summary.ts";

/** The OASIS schema of SARIF 2.1.0 (errata 01), which `schemas/sarif-2.1.0.json` is a copy of. */
export const SARIF_SCHEMA_URI =
  "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/** The base id of relative artifact URIs: the directory the scan's paths are relative to. */
export const SRCROOT = "%SRCROOT%";

/** GitHub code scanning rejects a run with more results than this. */
export const GITHUB_MAX_RESULTS = 25_000;

/** SARIF levels of modelaudit's severities. */
export const SARIF_LEVELS: Readonly<Record<Severity, SarifLevel>> = {
  critical: "error",
  warning: "warning",
  info: "note",
};

/**
 * GitHub's `security-severity` of a security rule, from its default severity: critical
 * (over 9.0), high (7.0 to 8.9) and low (below 4.0). A warning is high so that GitHub's
 * default check threshold, "high or higher", fails where `--fail-on warning`, the default, does.
 */
export const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = {
  critical: "9.5",
  warning: "7.5",
  info: "3.0",
};

/** GitHub's `problem.severity` of a rule that is not about security. */
const PROBLEM_SEVERITY: Readonly<Record<Severity, string>> = {
  critical: "error",
  warning: "warning",
  info: "recommendation",
};

/** A SARIF level. */
export type SarifLevel = "error" | "warning" | "note";

/** A SARIF `message`. */
export interface SarifMessage {
  /** Plain text. */
  text: string;
}

/** A SARIF `artifactLocation`: a relative URI with its base, or an absolute `file:` URI. */
export interface SarifArtifactLocation {
  /** Percent-encoded, `/`-separated. */
  uri: string;
  /** {@linkcode SRCROOT} when `uri` is relative. */
  uriBaseId?: string;
}

/** A SARIF `region`; always with a `startLine`, which GitHub needs. */
export interface SarifRegion {
  /** From 1; 1 when the finding has no line. */
  startLine: number;
  /** From 1, when the finding has a column. */
  startColumn?: number;
  /** Byte offset in the file, when the finding is at one in the file itself. */
  byteOffset?: number;
}

/** A SARIF `logicalLocation`. */
export interface SarifLogicalLocation {
  /** The innermost member, or the key path. */
  name: string;
  /** The whole path: `outer.zip:inner/data.pkl`, or the key path. */
  fullyQualifiedName: string;
  /** `resource` for a member of a container, `property` for a key path. */
  kind: "resource" | "property";
}

/** A SARIF `location`. */
export interface SarifLocation {
  /** The file and the region in it. */
  physicalLocation: { artifactLocation: SarifArtifactLocation; region?: SarifRegion };
  /** The path through containers and the key path, where there are any. */
  logicalLocations?: SarifLogicalLocation[];
}

/** A SARIF `reportingDescriptor`: one rule of the catalog. */
export interface SarifRule {
  /** The rule id, e.g. `MA100`. */
  id: RuleId;
  /** The rule's kebab-case name. */
  name: string;
  /** The rule's title. */
  shortDescription: SarifMessage;
  /** Why the rule matters. */
  fullDescription: SarifMessage;
  /** The rule's page in the repository. */
  helpUri: string;
  /** The explanation `modelaudit rules ID` prints, and the rule's page in Markdown. */
  help: { text: string; markdown: string };
  /** The level of the rule's default severity. */
  defaultConfiguration: { level: SarifLevel };
  /** GitHub's tags and severity, and the rule's kind, severity and CWE. */
  properties: Record<string, unknown>;
}

/** A SARIF `result`: one finding. */
export interface SarifResult {
  /** The rule id. */
  ruleId: RuleId;
  /** The rule's index in `tool.driver.rules`. */
  ruleIndex: number;
  /** The level of the finding's severity. */
  level: SarifLevel;
  /** The finding's message. */
  message: SarifMessage;
  /** Exactly one location. */
  locations: [SarifLocation];
  /** `primaryLocationLineHash` (GitHub's) and `modelauditFinding/v1`, the whole hash. */
  partialFingerprints: Record<string, string>;
  /** The finding's severity, `location` as the text report writes it, `where` and `details` as the JSON report does. */
  properties: Record<string, unknown>;
  /** Present when the config file or the baseline suppresses the finding. */
  suppressions?: SarifSuppression[];
}

/** Why a result is suppressed: modelaudit's config file or baseline, outside the analysed files. */
export interface SarifSuppression {
  /** Always `external`: the suppression lives in modelaudit's own configuration. */
  kind: "external";
  /** Always `accepted`. */
  status: "accepted";
  /** The ignore entry's reason, or the baseline it was recorded in. */
  justification: string;
}

/** A SARIF `notification` of the invocation. */
export interface SarifNotification {
  /** `error` for a file that could not be scanned, `warning` for results left out. */
  level: SarifLevel;
  /** What happened. */
  message: SarifMessage;
  /** The file it happened to, where there is one. */
  locations?: SarifLocation[];
}

/** The SARIF document `modelaudit scan --format sarif` prints. */
export interface SarifLog {
  /** {@linkcode SARIF_SCHEMA_URI}. */
  $schema: string;
  /** Always `2.1.0`. */
  version: "2.1.0";
  /** Exactly one run. */
  runs: [SarifRun];
}

/** The run of a {@linkcode SarifLog}. */
export interface SarifRun {
  /** modelaudit and every rule of its catalog. */
  tool: {
    driver: {
      name: string;
      version: string;
      semanticVersion: string;
      informationUri: string;
      rules: SarifRule[];
    };
  };
  /** The scan: when, whether every file was scanned, and the notifications. */
  invocations: [{
    executionSuccessful: boolean;
    startTimeUtc: string;
    endTimeUtc: string;
    workingDirectory?: { uri: string };
    toolExecutionNotifications: SarifNotification[];
  }];
  /** Where {@linkcode SRCROOT} is, when the root is known. */
  originalUriBaseIds?: Record<string, { uri: string }>;
  /** One per finding, in report order. */
  results: SarifResult[];
}

/** Options of {@linkcode toSarif}. */
export interface SarifOptions {
  /**
   * The absolute directory the scan's paths are taken from, which artifact URIs are made relative to
   * (the CLI passes its working directory). Files outside it get absolute `file:` URIs. Without it,
   * relative paths stay as given and the base is left for the reader to set.
   */
  root?: string;
  /** At most this many results (default {@linkcode GITHUB_MAX_RESULTS}); the worst are kept. */
  maxResults?: number;
}

/** Where the project lives: the rule docs' repository. */
const INFORMATION_URI = new URL("../../", ruleDocUrl("MA001")).href;

const RULE_IDS = Object.keys(RULES) as RuleId[];
const RULE_INDEX = new Map(RULE_IDS.map((id, index) => [id, index]));

function sarifRule(rule: Rule): SarifRule {
  const security = rule.kind === "security";
  return {
    id: rule.id,
    name: rule.name,
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.why },
    helpUri: ruleDocUrl(rule.id),
    help: { text: renderRule(rule), markdown: renderRuleMarkdown(rule) },
    defaultConfiguration: { level: SARIF_LEVELS[rule.severity] },
    properties: {
      tags: [rule.kind, ...(rule.cwe === undefined ? [] : [`external/cwe/cwe-${rule.cwe}`])],
      ...(security
        ? { "security-severity": SECURITY_SEVERITY[rule.severity] }
        : { "problem.severity": PROBLEM_SEVERITY[rule.severity] }),
      kind: rule.kind,
      severity: rule.severity,
      ...(rule.cwe === undefined ? {} : { cwe: `CWE-${rule.cwe}` }),
    },
  };
}

/** A relative path as a URI reference: each segment percent-encoded, `/` between them. */
function relativeUri(path: string): string {
  return path.split(sep).map(encodeURIComponent).join("/");
}

function directoryUrl(root: string): string {
  const href = pathToFileURL(root).href;
  return href.endsWith("/") ? href : `${href}/`;
}

/** The scanned file as an artifact location, relative to `root` when it is inside it. */
function artifactLocation(file: string, root: string | undefined): SarifArtifactLocation {
  if (root === undefined) {
    return isAbsolute(file)
      ? { uri: pathToFileURL(file).href }
      : { uri: relativeUri(normalize(file)), uriBaseId: SRCROOT };
  }
  const absolute = resolve(root, file);
  const inRoot = relative(root, absolute);
  const outside = inRoot === "" || inRoot === ".." || inRoot.startsWith(`..${sep}`) || isAbsolute(inRoot);
  return outside ? { uri: pathToFileURL(absolute).href } : { uri: relativeUri(inRoot), uriBaseId: SRCROOT };
}

function region(location: Location): SarifRegion {
  // Inside a member, line, column and offset are the member's: the file itself is only known as a whole.
  if (location.members.length > 0) return { startLine: 1 };
  if (location.line !== undefined) {
    return {
      startLine: location.line,
      ...(location.column === undefined ? {} : { startColumn: location.column }),
    };
  }
  return { startLine: 1, ...(location.position === undefined ? {} : { byteOffset: location.position }) };
}

function logicalLocations(location: Location): SarifLogicalLocation[] {
  const found: SarifLogicalLocation[] = [];
  if (location.members.length > 0) {
    found.push({
      name: location.members.at(-1)!,
      fullyQualifiedName: [location.file, ...location.members].join(":"),
      kind: "resource",
    });
  }
  if (location.keyPath !== undefined) {
    found.push({ name: location.keyPath, fullyQualifiedName: location.keyPath, kind: "property" });
  }
  return found;
}

function sarifLocation(location: Location, root: string | undefined): SarifLocation {
  const logical = logicalLocations(location);
  return {
    physicalLocation: { artifactLocation: artifactLocation(location.file, root), region: region(location) },
    ...(logical.length === 0 ? {} : { logicalLocations: logical }),
  };
}

/**
 * The stable identity of each finding, as SARIF's `modelauditFinding/v1` fingerprint and the baseline
 * record it: a SHA-256 of the rule, the file relative to `root` (as the SARIF artifact location), the
 * path through containers, the key path and the message, then `:` and the occurrence of that identity
 * among `findings` (1 for the first). Neither the byte offset nor the line counts: an alert must survive
 * a change elsewhere in the file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findingFingerprints } from "./sarif.ts";
 * const finding = {
 *   rule: "MA100" as const, severity: "critical" as const, message: "Pickle imports os.system",
 *   location: { file: "models/evil.pkl", members: [], position: 0 }, details: {},
 * };
 * const moved = { ...finding, location: { ...finding.location, position: 40 } };
 * const [first, second] = findingFingerprints([finding, moved], "/work");
 * // The same identity (the byte offset does not count), told apart by the occurrence.
 * assert.equal(first.split(":")[0], second.split(":")[0]);
 * assert.deepEqual([first.split(":")[1], second.split(":")[1]], ["1", "2"]);
 * ```
 */
export function findingFingerprints(findings: readonly Finding[], root: string | undefined): string[] {
  const occurrences = new Map<string, number>();
  return findings.map((finding) => {
    const { uri, uriBaseId = "" } = artifactLocation(finding.location.file, root);
    const identity = sha256Hex(JSON.stringify([
      finding.rule,
      uriBaseId,
      uri,
      finding.location.members,
      finding.location.keyPath ?? "",
      finding.message,
    ]));
    const occurrence = (occurrences.get(identity) ?? 0) + 1;
    occurrences.set(identity, occurrence);
    return `${identity}:${occurrence}`;
  });
}

function suppressionText(suppressed: Suppression): string {
  return suppressed.kind === "ignore"
    ? `ignored by the config file: ${suppressed.reason}`
    : suppressed.reason;
}

/** The findings to report: all of them, or the `max` worst in report order. */
function keepWorst(findings: readonly Finding[], max: number): Finding[] {
  if (findings.length <= max) return [...findings];
  const rank = (finding: Finding) => -SEVERITY_ORDER.indexOf(finding.severity);
  const kept = new Set(
    findings.map((finding, index) => ({ finding, index }))
      .sort((a, b) => rank(a.finding) - rank(b.finding) || a.index - b.index)
      .slice(0, max)
      .map(({ index }) => index),
  );
  return findings.filter((_, index) => kept.has(index));
}

/**
 * Builds the SARIF 2.1.0 document of a finished scan.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toSarif } from "./sarif.ts";
 * const log = toSarif({
 *   startTime: "2026-01-01T00:00:00.000Z", durationMs: 5, scannerNames: ["pickle"], findings: [],
 *   files: [{
 *     path: "models/evil.pkl", size: 25, format: "pickle", status: "scanned", bytesScanned: 25, durationMs: 5,
 *     findings: [{
 *       rule: "MA100", severity: "critical", message: "Pickle imports os.system",
 *       location: { file: "models/evil.pkl", members: [], position: 0 }, details: {},
 *     }],
 *   }],
 * }, { root: "/work" });
 * const [result] = log.runs[0].results;
 * assert.equal(result.ruleId, "MA100");
 * assert.equal(result.level, "error"); // critical
 * assert.deepEqual(result.locations[0].physicalLocation, {
 *   artifactLocation: { uri: "models/evil.pkl", uriBaseId: "%SRCROOT%" },
 *   region: { startLine: 1, byteOffset: 0 },
 * });
 * ```
 */
export function toSarif(result: ScanResult, options: SarifOptions = {}): SarifLog {
  const { root, maxResults = GITHUB_MAX_RESULTS } = options;
  const findings = allFindings(result);
  const kept = keepWorst(findings, maxResults);
  const fingerprints = findingFingerprints(kept, root);
  const results = kept.map((finding, index): SarifResult => {
    const fingerprint = fingerprints[index];
    const { suppressed } = finding;
    return {
      ruleId: finding.rule,
      ruleIndex: RULE_INDEX.get(finding.rule)!,
      level: SARIF_LEVELS[finding.severity],
      message: { text: finding.message },
      locations: [sarifLocation(finding.location, root)],
      partialFingerprints: {
        primaryLocationLineHash: `${fingerprint.slice(0, 16)}:${fingerprint.split(":")[1]}`,
        "modelauditFinding/v1": fingerprint,
      },
      ...(suppressed
        ? {
          suppressions: [{
            kind: "external",
            status: "accepted",
            justification: suppressionText(suppressed),
          }],
        }
        : {}),
      properties: {
        severity: finding.severity,
        location: renderLocation(finding.location),
        where: toJsonLocation(finding.location),
        details: finding.details,
      },
    };
  });
  const notifications: SarifNotification[] = result.files.filter((file) => file.status === "error").map((
    file,
  ) => ({
    level: "error",
    message: { text: `${file.path} could not be scanned: ${file.reason ?? "unknown error"}` },
    locations: [{ physicalLocation: { artifactLocation: artifactLocation(file.path, root) } }],
  }));
  if (kept.length < findings.length) {
    notifications.push({
      level: "warning",
      message: {
        text:
          `${
            findings.length - kept.length
          } of ${findings.length} findings were left out, the mildest first: ` +
          `GitHub code scanning rejects a run with more than ${maxResults} results. The JSON report lists them all.`,
      },
    });
  }
  const start = Date.parse(result.startTime);
  return {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [{
      tool: {
        driver: {
          name: TOOL_NAME,
          version: TOOL_VERSION,
          semanticVersion: TOOL_VERSION,
          informationUri: INFORMATION_URI,
          rules: RULE_IDS.map((id) => sarifRule(getRule(id))),
        },
      },
      invocations: [{
        executionSuccessful: !result.files.some((file) => file.status === "error"),
        startTimeUtc: new Date(start).toISOString(),
        endTimeUtc: new Date(start + result.durationMs).toISOString(),
        ...(root === undefined ? {} : { workingDirectory: { uri: directoryUrl(root) } }),
        toolExecutionNotifications: notifications,
      }],
      ...(root === undefined ? {} : { originalUriBaseIds: { [SRCROOT]: { uri: directoryUrl(root) } } }),
      results,
    }],
  };
}

/**
 * Renders a finished scan as the SARIF 2.1.0 report (see {@linkcode toSarif}),
 * pretty-printed, with a final newline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderSarif } from "./sarif.ts";
 * const sarif = renderSarif({
 *   startTime: "2026-01-01T00:00:00.000Z", durationMs: 0, files: [], findings: [], scannerNames: [],
 * }, { root: "/work" });
 * assert.equal(JSON.parse(sarif).version, "2.1.0");
 * assert.deepEqual(JSON.parse(sarif).runs[0].results, []);
 * assert.ok(sarif.endsWith("}\n"));
 * ```
 */
export function renderSarif(result: ScanResult, options: SarifOptions = {}): string {
  return JSON.stringify(toSarif(result, options), jsonReplacer, 2) + "\n";
}
