/**
 * Checks a GGUF tensor table against the file, without reading a byte of tensor data: each
 * tensor's ggml type, shape and byte size as gguf.cpp computes them (`gguf_init_from_reader`:
 * type in range, non-negative dimensions, element count and byte size representable, rows a
 * whole number of blocks), its offset aligned and inside the file (llama.cpp's model loader:
 * "tensor data is not within the file bounds"), no two tensors sharing bytes, and the
 * contiguous layout gguf.cpp requires ("tensor has offset %d, expected %d").
 *
 * @module
 */

import type { FindingReport } from "../../core/scanner.ts";
import { classifyGgmlType } from "./ggml_types.ts";
import { type GgufHeader, type GgufTensorInfo, tensorKeyPath } from "./header.ts";

const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/** A tensor whose data could be sized: where it lies in the data section. */
interface Extent {
  readonly tensor: GgufTensorInfo;
  readonly start: bigint;
  readonly end: bigint;
}

function where(tensor: GgufTensorInfo): Pick<FindingReport, "position" | "keyPath"> {
  return { position: tensor.position, keyPath: tensorKeyPath(tensor.name) };
}

/** The tensor's data size in bytes, or `undefined` after reporting why it has none. */
function sizeOf(tensor: GgufTensorInfo, report: (finding: FindingReport) => void): bigint | undefined {
  const { name, type, dims } = tensor;
  const ggml = classifyGgmlType(type);
  if (ggml.kind === "retired") {
    report({
      rule: "MA342",
      severity: "warning",
      message:
        `Tensor ${name} has ggml type ${type} (${ggml.type.name}), which llama.cpp retired and now refuses to load`,
      ...where(tensor),
      details: { tensor: name, ggmlType: type, kind: ggml.kind },
    });
  } else if (ggml.kind !== "known") {
    const newer = ggml.kind === "newer";
    report({
      rule: "MA342",
      severity: newer ? "warning" : undefined,
      message: newer
        ? `Tensor ${name} has ggml type ${type}, unknown to this version (a newer llama.cpp's?); its size is not checked`
        : ggml.kind === "removed"
        ? `Tensor ${name} has ggml type ${type}, which ggml removed; loaders divide by its zero block size`
        : `Tensor ${name} has ggml type ${type}, which no ggml has: loaders index their type tables with it`,
      ...where(tensor),
      details: { tensor: name, ggmlType: type, kind: ggml.kind },
    });
    return undefined;
  }
  if (dims.some((dim) => dim < 0n)) {
    report({
      rule: "MA343",
      message: `Tensor ${name} has a negative dimension (${dims.join(" × ")})`,
      ...where(tensor),
      details: { tensor: name, dims: dims.map(String) },
    });
    return undefined;
  }
  const elements = dims.reduce((product, dim) => product * dim, 1n);
  if (elements > INT64_MAX) {
    report({
      rule: "MA343",
      message: `Tensor ${name}'s element count (${dims.join(" × ")}) overflows 64 bits`,
      ...where(tensor),
      details: { tensor: name, dims: dims.map(String) },
    });
    return undefined;
  }
  const { blockSize, typeSize, name: typeName } = ggml.type;
  if ((dims[0] ?? 1n) % BigInt(blockSize) !== 0n) {
    report({
      rule: "MA341",
      message: `Tensor ${name}'s rows of ${
        dims[0]
      } elements are not a whole number of ${typeName} blocks (${blockSize}); llama.cpp refuses it`,
      ...where(tensor),
      details: { tensor: name, rowElements: String(dims[0]), blockSize },
    });
    return undefined;
  }
  const bytes = elements / BigInt(blockSize) * BigInt(typeSize);
  if (bytes > UINT64_MAX) {
    report({
      rule: "MA343",
      message: `Tensor ${name}'s size in bytes overflows 64 bits`,
      ...where(tensor),
      details: { tensor: name, bytes: String(bytes) },
    });
    return undefined;
  }
  return bytes;
}

/**
 * Reports every tensor of `header` whose type, shape or place in a file of `fileSize` bytes
 * a loader could not trust. Returns where the file's content ends as llama.cpp lays it out (the
 * last tensor's data, padded to the alignment) when every tensor is where it expects it, so that
 * bytes past it can be looked at; `undefined` otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { readGgufHeader } from "./header.ts";
 * import { checkTensorTable } from "./tensors.ts";
 * const check = async (path: string) => {
 *   const bytes = await Deno.readFile(path);
 *   const handlers = { report: () => {}, string: () => {}, signal: new AbortController().signal };
 *   const header = await readGgufHeader(bytesSource(bytes), handlers);
 *   assert.ok(header);
 *   const rules: string[] = [];
 *   const end = checkTensorTable(header, bytes.length, (finding) => rules.push(finding.rule));
 *   return { end, size: bytes.length, rules };
 * };
 * // Every tensor where llama.cpp expects it: the content ends at the end of the file.
 * assert.deepEqual(await check("fixtures/gguf/benign/llama3_v3.gguf"), { end: 8256, size: 8256, rules: [] });
 * // Two tensors sharing bytes: where the content ends cannot be trusted.
 * assert.deepEqual(await check("fixtures/gguf/malicious/overlapping_tensors.gguf"), {
 *   end: undefined,
 *   size: 8256,
 *   rules: ["MA344"],
 * });
 * ```
 */
export function checkTensorTable(
  header: GgufHeader,
  fileSize: number,
  report: (finding: FindingReport) => void,
): number | undefined {
  const { tensors, alignment, dataStart } = header;
  if (dataStart === undefined) return undefined;
  const alignmentN = BigInt(alignment);
  if (tensors.length === 0) return Math.ceil(dataStart / alignment) * alignment;
  const dataBytes = BigInt(fileSize) - BigInt(dataStart);
  if (dataBytes < 0n) {
    report({
      rule: "MA343",
      message:
        `The data section of ${tensors.length} tensors starts at ${dataStart}, past the end of the file`,
      position: dataStart,
      details: { dataStart, fileSize },
    });
  }
  const flagged = new Set<GgufTensorInfo>();
  // In table order; a tensor that could not be sized is a hole (undefined) the layout check stops at.
  const extents: (Extent | undefined)[] = [];
  for (const tensor of tensors) {
    const bytes = sizeOf(tensor, report);
    if (bytes === undefined) {
      extents.push(undefined);
      continue;
    }
    const { name, offset } = tensor;
    if (offset % alignmentN !== 0n) {
      flagged.add(tensor);
      report({
        rule: "MA345",
        message: `Tensor ${name}'s offset ${offset} is not a multiple of the alignment ${alignment}`,
        ...where(tensor),
        details: { tensor: name, offset: String(offset), alignment },
      });
    }
    const end = offset + bytes;
    if (dataBytes >= 0n && end > dataBytes) {
      flagged.add(tensor);
      report({
        rule: "MA343",
        message: `Tensor ${name}'s ${bytes} bytes at data offset ${offset} end ${
          end - dataBytes
        } bytes past the end of the file`,
        ...where(tensor),
        details: { tensor: name, offset: String(offset), bytes: String(bytes), dataBytes: String(dataBytes) },
      });
    }
    extents.push({ tensor, start: offset, end });
  }
  reportOverlaps(extents.filter((e) => e !== undefined), flagged, report);
  const dataEnd = reportGaps(extents, alignmentN, flagged, report);
  return dataEnd === undefined || dataBytes < 0n ? undefined : dataStart + Number(dataEnd);
}

/**
 * gguf.cpp's layout rule: each tensor starts where the previous one's padded data ends. Only
 * tensors not already reported are named; the check stops at a tensor that could not be sized.
 * Returns the padded end of the data section when every tensor kept the rule.
 */
function reportGaps(
  extents: readonly (Extent | undefined)[],
  alignment: bigint,
  flagged: ReadonlySet<GgufTensorInfo>,
  report: (finding: FindingReport) => void,
): bigint | undefined {
  let expected = 0n;
  let kept = true;
  for (const extent of extents) {
    if (extent === undefined) return undefined;
    const { tensor, start, end } = extent;
    kept &&= start === expected && !flagged.has(tensor);
    if (start !== expected && !flagged.has(tensor)) {
      report({
        rule: "MA345",
        message:
          `Tensor ${tensor.name} is at data offset ${start}; llama.cpp expects ${expected} (tensors in order, no gaps)`,
        ...where(tensor),
        details: { tensor: tensor.name, offset: String(start), expected: String(expected) },
      });
    }
    expected += (end - start + alignment - 1n) / alignment * alignment;
  }
  return kept ? expected : undefined;
}

/** Tensors sharing bytes, each reported once against the tensor it overlaps that reaches furthest. */
function reportOverlaps(
  extents: readonly Extent[],
  flagged: Set<GgufTensorInfo>,
  report: (finding: FindingReport) => void,
): void {
  const sorted = extents.filter((e) => e.end > e.start).sort((a, b) =>
    a.start < b.start ? -1 : a.start > b.start ? 1 : a.tensor.index - b.tensor.index
  );
  let furthest: Extent | undefined;
  for (const extent of sorted) {
    if (furthest && extent.start < furthest.end) {
      const { tensor } = extent;
      flagged.add(tensor);
      report({
        rule: "MA344",
        message: `Tensor ${tensor.name} shares bytes ${extent.start}–${
          (extent.end < furthest.end ? extent.end : furthest.end) - 1n
        } of the data section with tensor ${furthest.tensor.name}`,
        ...where(tensor),
        details: { tensor: tensor.name, overlaps: furthest.tensor.name, offset: String(extent.start) },
      });
    }
    if (!furthest || extent.end > furthest.end) furthest = extent;
  }
}
