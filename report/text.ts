/**
 * The human-readable report: a header, the files that need attention with
 * each finding numbered (location, severity, message, rule), and a summary.
 *
 * Everything a model file controls (names, module strings, messages quoting
 * them) is printed with control and bidirectional-override characters
 * escaped, so a hostile file cannot rewrite the terminal or hide text.
 *
 * @module
 */

import { RULES } from "../core/rules.ts";
import type { FileResult, Finding, ScanResult, Severity } from "../core/types.ts";
import { renderLocation } from "./location.ts";
import {
  activeResult,
  formatBytes,
  formatDuration,
  jsonReplacer,
  plural,
  summarize,
  TOOL_NAME,
  TOOL_VERSION,
} from "./summary.ts";

/** Options of {@linkcode renderText}. */
export interface TextOptions {
  /** Use ANSI colors. The caller decides (a TTY, and `NO_COLOR` unset). */
  color?: boolean;
  /** List every file, including clean and skipped ones, and each finding's explanation and details. */
  verbose?: boolean;
  /**
   * Print only the numbered findings and the files that could not be scanned,
   * one per line, without header, summary or indentation. Wins over `verbose`.
   */
  quiet?: boolean;
}

const ANSI = {
  reset: "\x1b[0m",
  bold: "\x1b[1m",
  dim: "\x1b[2m",
  red: "\x1b[31m",
  green: "\x1b[32m",
  yellow: "\x1b[33m",
  cyan: "\x1b[36m",
} as const;

type Style = keyof typeof ANSI;

const SEVERITY_STYLE: Record<Severity, Style[]> = {
  critical: ["bold", "red"],
  warning: ["yellow"],
  info: ["cyan"],
};

/**
 * C0/C1 controls (ESC starts terminal sequences), Unicode line separators, and
 * bidi marks, overrides and isolates (Trojan-Source style reordering) in text
 * that a scanned file controls.
 */
// deno-lint-ignore no-control-regex
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/**
 * Escapes characters that could alter the terminal or reorder the text, as
 * `\xNN` or `\u{NNNN}`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeTerminal } from "./text.ts";
 * assert.equal(escapeTerminal("evil\x1b[2J.pkl"), "evil\\x1b[2J.pkl");
 * ```
 */
export function escapeTerminal(text: string): string {
  return text.replace(UNSAFE_CHARS, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
  });
}

/**
 * Renders a finished scan as text for a terminal or a log.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderText } from "./text.ts";
 * const text = renderText(
 *   { startTime: "2026-01-01T00:00:00.000Z", durationMs: 3, files: [], findings: [], scannerNames: [] },
 *   { color: false },
 * );
 * assert.ok(text.includes("Files:     0 (0 scanned, 0 skipped, 0 errors)"));
 * assert.ok(text.endsWith("No security issues found.\n"));
 * ```
 */
export function renderText(scanned: ScanResult, options: TextOptions = {}): string {
  // Suppressed findings are counted in the summary, never listed.
  const result = activeResult(scanned);
  const paint = (text: string, ...styles: Style[]) =>
    options.color && styles.length ? styles.map((s) => ANSI[s]).join("") + text + ANSI.reset : text;
  const verbose = !options.quiet && (options.verbose ?? false);
  const indent = options.quiet ? "" : "  ";
  let number = 0;

  const findingLines = (finding: Finding): string[] => {
    number++;
    const severity = paint(`[${finding.severity.toUpperCase()}]`, ...SEVERITY_STYLE[finding.severity]);
    const location = escapeTerminal(renderLocation(finding.location));
    const message = escapeTerminal(finding.message);
    const lines = [
      `${indent}${number}. ${location}: ${severity} ${message} ${paint(`[${finding.rule}]`, "dim")}`,
    ];
    if (verbose) {
      const pad = `${indent}${" ".repeat(String(number).length + 2)}`;
      const why = RULES[finding.rule]?.why;
      if (why) lines.push(`${pad}${paint("Why:", "dim")} ${why}`);
      const details = Object.entries(finding.details);
      if (details.length) {
        lines.push(
          `${pad}${paint("Details:", "dim")} ${details.map(([k, v]) => formatDetail(k, v)).join(", ")}`,
        );
      }
    }
    return lines;
  };

  const errorLine = (file: FileResult) =>
    `${options.quiet ? "" : paint("! ", "bold", "yellow")}${escapeTerminal(file.path)}: ` +
    paint("[ERROR]", "bold", "yellow") +
    ` could not be scanned: ${escapeTerminal(file.reason ?? "unknown error")}`;

  // A stack means modelaudit itself failed: worth showing to whoever reports the bug.
  const stackLines = (file: FileResult): string[] =>
    verbose && file.stack
      ? file.stack.split("\n").map((line) => `${indent}${indent}${paint(escapeTerminal(line.trim()), "dim")}`)
      : [];

  const fileBlock = (file: FileResult): string[] => {
    if (file.status === "error") {
      return [errorLine(file), ...stackLines(file), ...file.findings.flatMap(findingLines)];
    }
    const facts = [...(file.format ? [file.format] : []), formatBytes(file.size)];
    if (verbose) facts.push(formatDuration(file.durationMs));
    const path = paint(escapeTerminal(file.path), "bold");
    let heading: string;
    if (file.findings.length) {
      const mark = file.findings.some((f) => f.severity !== "info")
        ? paint("✗", "bold", "red")
        : paint("i", "cyan");
      heading = `${mark} ${path} (${facts.join(", ")}): ${plural(file.findings.length, "finding")}`;
    } else if (file.status === "skipped") {
      const reason = file.reason ? `: ${escapeTerminal(file.reason)}` : "";
      heading = `- ${path} (${facts.join(", ")}): skipped${reason}`;
    } else {
      heading = `${paint("✓", "green")} ${path} (${facts.join(", ")}): clean`;
    }
    return [heading, ...file.findings.flatMap(findingLines)];
  };

  if (options.quiet) {
    const lines = [
      ...result.findings.flatMap(findingLines),
      ...result.files.flatMap((file) => [
        ...(file.status === "error" ? [errorLine(file)] : []),
        ...file.findings.flatMap(findingLines),
      ]),
    ];
    return lines.length ? lines.join("\n") + "\n" : "";
  }

  const summary = summarize(scanned);
  const out: string[] = [
    `${paint(`${TOOL_NAME} ${TOOL_VERSION}`, "bold")} · scan started ${result.startTime}`,
    "",
  ];
  if (result.findings.length) {
    out.push(paint("Scan findings", "bold"), ...result.findings.flatMap(findingLines));
  }
  const shown = result.files.filter((file) => verbose || file.findings.length || file.status === "error");
  out.push(...shown.flatMap(fileBlock));
  if (result.findings.length || shown.length) out.push("");

  const { counts } = summary;
  out.push(
    paint("Summary", "bold"),
    `  Files:     ${summary.files} (${summary.scanned} scanned, ${summary.skipped} skipped, ` +
      `${plural(summary.errors, "error")})`,
    `  Bytes:     ${formatBytes(summary.bytesScanned)} in ${formatDuration(summary.durationMs)}`,
    `  Findings:  ${
      paint(`${counts.critical} critical`, ...(counts.critical ? SEVERITY_STYLE.critical : []))
    }, ` +
      `${paint(plural(counts.warning, "warning"), ...(counts.warning ? SEVERITY_STYLE.warning : []))}, ` +
      `${counts.info} info`,
  );
  const { ignore, baseline } = summary.suppressed;
  if (ignore || baseline) {
    out.push(
      `  Suppressed: ${
        ignore + baseline
      } (${ignore} by ignores in the config file, ${baseline} by the baseline)`,
    );
  }
  if (result.scannerNames.length) out.push(`  Scanners:  ${result.scannerNames.join(", ")}`);
  out.push("");
  if (counts.critical || counts.warning) {
    out.push(
      paint(
        "✗ Security issues found: do not load these files until every finding is explained.",
        "bold",
        "red",
      ),
    );
  }
  if (summary.errors) {
    out.push(paint(`! ${plural(summary.errors, "file")} could not be scanned.`, "bold", "yellow"));
  }
  if (!counts.critical && !counts.warning && !summary.errors) {
    out.push(paint("✓ No security issues found.", "bold", "green"));
  }
  return out.join("\n") + "\n";
}

/** Longest detail value shown in text; the JSON report has the rest. */
const MAX_DETAIL_CHARS = 200;

function formatDetail(key: string, value: unknown): string {
  const text = typeof value === "string" || typeof value === "bigint"
    ? String(value)
    : JSON.stringify(value, jsonReplacer) ?? String(value);
  const cut = text.length > MAX_DETAIL_CHARS ? `${text.slice(0, MAX_DETAIL_CHARS)}…` : text;
  return `${escapeTerminal(key)}=${escapeTerminal(cut)}`;
}
