/**
 * `modelaudit inspect` for people: per file its format, the facts its formats state and a table
 * of its tensors (grouped by the container member that declares them), with totals. Every text a
 * file controls is escaped for the terminal.
 *
 * @module
 */

import type { ScanResult } from "../core/types.ts";
import {
  type InspectFile,
  type InspectTensor,
  type InspectTotals,
  toInspectDocument,
} from "./inspect_json.ts";
import { formatBytes, plural } from "./summary.ts";
import { escapeTerminal } from "./text.ts";

/** Longest fact value shown: a thumbnail or a whole config in metadata would flood the listing. */
const MAX_FACT_CHARS = 120;

function totalsLine(totals: InspectTotals): string {
  return `${plural(totals.tensors, "tensor")}, ${plural(totals.parameters, "parameter")}, ${
    formatBytes(totals.bytes)
  }`;
}

function shown(value: string | number | boolean): string {
  const text = escapeTerminal(String(value));
  return text.length > MAX_FACT_CHARS ? `${text.slice(0, MAX_FACT_CHARS)}… (${text.length} chars)` : text;
}

/** The table of `tensors`, its columns as wide as their widest cell. */
function tensorTable(tensors: readonly InspectTensor[]): string[] {
  const rows = tensors.map((tensor) => [
    escapeTerminal(tensor.name),
    escapeTerminal(tensor.dtype),
    `[${tensor.shape.join(", ")}]`,
    tensor.parameters.toLocaleString("en-US"),
    tensor.bytes === null ? "?" : formatBytes(tensor.bytes),
    tensor.readable ? "" : "listed only",
  ]);
  const header = ["name", "dtype", "shape", "parameters", "bytes", ""];
  const widths = header.map((cell, k) => Math.max(cell.length, ...rows.map((row) => row[k].length)));
  const line = (row: string[]) =>
    `    ${
      row.map((cell, k) => k === 3 || k === 4 ? cell.padStart(widths[k]) : cell.padEnd(widths[k])).join("  ")
    }`
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

function renderFile(file: InspectFile): string[] {
  const where = file.format ?? "unrecognised";
  const lines = [`${escapeTerminal(file.path)} (${escapeTerminal(where)}, ${formatBytes(file.size)})`];
  if (file.status !== "scanned") {
    lines.push(`  ${file.status}${file.reason ? `: ${escapeTerminal(file.reason)}` : ""}`);
  }
  if (file.findings > 0) {
    lines.push(`  ${plural(file.findings, "finding")}: run 'modelaudit scan' on it before loading it`);
  }
  for (const entry of file.contents) {
    lines.push(`  contains ${escapeTerminal(entry.members.join(":"))} (${escapeTerminal(entry.format)})`);
  }
  for (const fact of file.facts) {
    const at = fact.members.length > 0 ? `${escapeTerminal(fact.members.join(":"))}: ` : "";
    lines.push(`  ${at}${escapeTerminal(fact.name)} = ${shown(fact.value)}`);
  }
  // Tensors grouped by the source that declares them, in order.
  let start = 0;
  while (start < file.tensors.length) {
    const key = file.tensors[start].members.join(":");
    let end = start;
    while (end < file.tensors.length && file.tensors[end].members.join(":") === key) end++;
    lines.push(
      `  tensors${key ? ` in ${escapeTerminal(key)}` : ""}:`,
      ...tensorTable(file.tensors.slice(start, end)),
    );
    start = end;
  }
  if (file.tensors.length > 0) lines.push(`  ${totalsLine(file.totals)}`);
  return lines;
}

/**
 * Renders an inspection (a scan run with `inventory` on) as text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderInspectText } from "./inspect_text.ts";
 * const file = {
 *   path: "m.safetensors", size: 88, format: "safetensors", status: "scanned" as const, findings: [],
 *   bytesScanned: 80, durationMs: 1, facts: [{ members: [], name: "metadata.format", value: "pt" }],
 *   tensors: [{ members: [], name: "w", dtype: "F32", shape: [2, 3], bytes: 24, readable: true }],
 * };
 * const text = renderInspectText({ startTime: "", durationMs: 1, files: [file], findings: [], scannerNames: [] });
 * assert.equal(text, [
 *   "m.safetensors (safetensors, 88 B)",
 *   "  metadata.format = pt",
 *   "  tensors:",
 *   "    name  dtype  shape   parameters  bytes",
 *   "    w     F32    [2, 3]           6   24 B",
 *   "  1 tensor, 6 parameters, 24 B",
 *   "",
 *   "Total: 1 file, 1 tensor, 6 parameters, 24 B",
 *   "",
 * ].join("\n"));
 * ```
 */
export function renderInspectText(result: ScanResult): string {
  const document = toInspectDocument(result);
  const blocks = document.files.map((file) => renderFile(file).join("\n"));
  const total = `Total: ${plural(document.totals.files, "file")}, ${totalsLine(document.totals)}`;
  return `${[...blocks, total].join("\n\n")}\n`;
}
