/**
 * The document `modelaudit inspect --format json` writes: per file, its format, the facts its
 * formats state and the tensors it declares through its containers, with totals per file and
 * for the whole inspection. `report/inspect_text.ts` renders the same document for people.
 *
 * @module
 */

import type { ModelFact } from "../core/tensor.ts";
import { elementCount } from "../core/tensor.ts";
import type { FileResult, ScanResult } from "../core/types.ts";
import { TOOL_NAME, TOOL_VERSION } from "./summary.ts";

/** Tensors, parameters and bytes added up; `bytes` counts the tensors whose size is known. */
export interface InspectTotals {
  /** Tensors listed. */
  tensors: number;
  /** Their elements, added up. */
  parameters: number;
  /** Bytes of their values in storage, of those whose size is known. */
  bytes: number;
}

/** One tensor in the inspect document. */
export interface InspectTensor {
  /** Members of the containers down to the source declaring it, outermost first. */
  members: string[];
  /** Its name in its format. */
  name: string;
  /** Element type, in safetensors' spelling where one exists. */
  dtype: string;
  /** Dimensions, outermost first. */
  shape: number[];
  /** Elements. */
  parameters: number;
  /** Bytes of its values in storage; `null` when the dtype's size is unknown. */
  bytes: number | null;
  /** Whether its values can be read (and so analysed). */
  readable: boolean;
}

/** One file in the inspect document. */
export interface InspectFile {
  /** The path as the scan names it. */
  path: string;
  /** Size in bytes. */
  size: number;
  /** Its format, or `null` when none was recognised. */
  format: string | null;
  /** `scanned`, `skipped` or `error`, as in a scan. */
  status: FileResult["status"];
  /** Why it was skipped or not read. */
  reason?: string;
  /** Findings a scan would report (`modelaudit scan` lists them). */
  findings: number;
  /** Members recognised inside it, with their formats. */
  contents: { members: string[]; format: string; size: number }[];
  /** Facts its formats state. */
  facts: ModelFact[];
  /** Its tensors, in the order their formats list them. */
  tensors: InspectTensor[];
  /** Its tensors added up. */
  totals: InspectTotals;
}

/** The whole inspect document. */
export interface InspectDocument {
  /** The tool that wrote it. */
  tool: { name: string; version: string };
  /** ISO time the inspection started. */
  start_time: string;
  /** Every file inspected, in walk order. */
  files: InspectFile[];
  /** Every file's tensors added up. */
  totals: InspectTotals & { files: number };
}

function addUp(tensors: readonly InspectTensor[]): InspectTotals {
  return {
    tensors: tensors.length,
    parameters: tensors.reduce((sum, tensor) => sum + tensor.parameters, 0),
    bytes: tensors.reduce((sum, tensor) => sum + (tensor.bytes ?? 0), 0),
  };
}

function inspectFile(file: FileResult): InspectFile {
  const tensors: InspectTensor[] = (file.tensors ?? []).map((tensor) => ({
    members: [...tensor.members],
    name: tensor.name,
    dtype: tensor.dtype,
    shape: [...tensor.shape],
    parameters: elementCount(tensor.shape),
    bytes: tensor.bytes ?? null,
    readable: tensor.readable,
  }));
  return {
    path: file.path,
    size: file.size,
    format: file.format,
    status: file.status,
    ...(file.reason === undefined ? {} : { reason: file.reason }),
    findings: file.findings.filter((finding) => !finding.suppressed).length,
    contents: (file.contents ?? []).map(({ members, format, size }) => ({
      members: [...members],
      format,
      size,
    })),
    facts: file.facts ?? [],
    tensors,
    totals: addUp(tensors),
  };
}

/**
 * The inspect document of a scan run with `inventory` on (what `inspect()` returns).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toInspectDocument } from "./inspect_json.ts";
 * const file = {
 *   path: "m.safetensors", size: 88, format: "safetensors", status: "scanned" as const, findings: [],
 *   bytesScanned: 80, durationMs: 1, facts: [],
 *   tensors: [{ members: [], name: "w", dtype: "F32", shape: [2, 3], bytes: 24, readable: true }],
 * };
 * const document = toInspectDocument({ startTime: "", durationMs: 1, files: [file], findings: [], scannerNames: [] });
 * assert.deepEqual(document.totals, { files: 1, tensors: 1, parameters: 6, bytes: 24 });
 * ```
 */
export function toInspectDocument(result: ScanResult): InspectDocument {
  const files = result.files.map(inspectFile);
  return {
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    start_time: result.startTime,
    files,
    totals: { files: files.length, ...addUp(files.flatMap((file) => file.tensors)) },
  };
}

/**
 * The inspect document as JSON text, ending with a newline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderInspectJson } from "./inspect_json.ts";
 * const text = renderInspectJson({ startTime: "", durationMs: 0, files: [], findings: [], scannerNames: [] });
 * assert.equal(JSON.parse(text).totals.tensors, 0);
 * ```
 */
export function renderInspectJson(result: ScanResult): string {
  return `${JSON.stringify(toInspectDocument(result), null, 2)}\n`;
}
