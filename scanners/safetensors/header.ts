/**
 * The safetensors header, parsed JSON to what the reference loader reads
 * (tensor.rs `HashMetadata`, `TensorInfo`): `__metadata__`, an optional map of
 * strings to strings, and every other key a tensor with exactly a known `dtype`,
 * a `shape` of `usize` and a pair of `usize` `data_offsets`. Repeated keys are
 * reported with what each parser makes of them: serde's `HashMap` (and Python's
 * `json`) keep the last tensor of a name, serde's derived structs refuse a
 * repeated `__metadata__` or tensor field (`duplicate field`): serde-rs/serde#2897
 * (maps overwrite, last wins) and serde-rs/serde#690 (structs error, the default).
 *
 * @module
 */

import type { ScanContext } from "../../core/scanner.ts";
import { DTYPE_BITS } from "./format.ts";
import { type JsonEntry, type JsonNode, keyPathOf, type StrictJsonResult } from "./strict_json.ts";

/** The largest `usize` of the 64-bit platforms the reference loader runs on. */
export const USIZE_MAX = (1n << 64n) - 1n;

/** One tensor as the header declares it; fields the loader would refuse are left out. */
export interface TensorEntry {
  /** Its key in the header. */
  name: string;
  /** Its key path, e.g. `$["model.embed.weight"]`. */
  keyPath: string;
  /** Byte offset of its key in the file. */
  position: number;
  /** A dtype the reference loader knows. */
  dtype?: string;
  /** Bits per element of `dtype`. */
  bits?: number;
  /** Dimensions, each a `usize`. */
  shape?: bigint[];
  /** `[begin, end]`, relative to the data buffer. */
  offsets?: [bigint, bigint];
  /** Byte offset of the `data_offsets` value in the file. */
  offsetsPosition?: number;
}

/** A string of the header that the shared string checks read. */
export interface HeaderString {
  /** The string, unescaped. */
  text: string;
  /** Byte offset of its opening quote in the file. */
  position: number;
  /** Key path of the value, or of the entry whose key it is. */
  keyPath: string;
  /** `key` for a metadata key, `value` for a value. */
  role: "key" | "value";
}

/** What the loader takes from the header. */
export interface Header {
  /** Every tensor, the last of a repeated name only (as the loader keeps it). */
  tensors: TensorEntry[];
  /** Every string in `__metadata__` (keys and values, however deep), each occurrence of a repeated one too. */
  metadataStrings: HeaderString[];
  /** Characters of `__metadata__`'s keys and values in all, for the oversize check. */
  metadataChars: number;
  /** Byte offset of the (last) `__metadata__` key, if any. */
  metadataPosition?: number;
}

const TENSOR_FIELDS = new Set(["dtype", "shape", "data_offsets"]);
const TENSOR_FIELD_LIST = [...TENSOR_FIELDS].join(", ");

/**
 * A JSON number as serde reads a `usize`: an integer literal within 64 bits (`-0` is 0), else `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { usizeOf } from "./header.ts";
 * assert.equal(usizeOf({ kind: "number", start: 0, text: "18446744073709551615" }), 18446744073709551615n);
 * assert.equal(usizeOf({ kind: "number", start: 0, text: "1.0" }), undefined);
 * assert.equal(usizeOf({ kind: "number", start: 0, text: "-1" }), undefined);
 * ```
 */
export function usizeOf(node: JsonNode): bigint | undefined {
  if (node.kind !== "number") return undefined;
  if (node.text === "-0") return 0n;
  if (!/^(?:0|[1-9][0-9]{0,19})$/.test(node.text)) return undefined;
  const value = BigInt(node.text);
  return value <= USIZE_MAX ? value : undefined;
}

const describe = (node: JsonNode) =>
  node.kind === "literal"
    ? String(node.value)
    : node.kind === "number"
    ? `the number ${node.text}`
    : `a JSON ${node.kind}`;

/**
 * Reads a parsed header as the reference loader does, reporting MA322 (repeated keys), MA323 (tensor
 * entries it refuses) and MA328 (`__metadata__` that is no map of strings). `undefined` when the
 * header is no object at all (MA321).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readHeader } from "./header.ts";
 * import { parseStrictJson } from "./strict_json.ts";
 * const json = '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"__metadata__":{"format":"pt"}}';
 * const parsed = parseStrictJson(new TextEncoder().encode(json), 8);
 * assert.ok(parsed.ok);
 * const header = readHeader(parsed, { report: () => {} })!;
 * assert.deepEqual(header.tensors[0].offsets, [0n, 8n]);
 * assert.deepEqual(header.metadataStrings.map((s) => s.text), ["format", "pt"]);
 * ```
 */
export function readHeader(
  parsed: Extract<StrictJsonResult, { ok: true }>,
  ctx: Pick<ScanContext, "report">,
): Header | undefined {
  const root = parsed.value;
  if (root.kind !== "object") {
    ctx.report({
      rule: "MA321",
      message: `The safetensors header is ${describe(root)}, not a JSON object`,
      position: root.start,
      details: { reason: "not an object" },
    });
    return undefined;
  }
  reportDuplicates(parsed, ctx);
  const header: Header = { tensors: [], metadataStrings: [], metadataChars: 0 };
  const tensors = new Map<string, TensorEntry>();
  for (const entry of root.entries) {
    if (entry.key === "__metadata__") readMetadata(entry, header, ctx);
    else tensors.set(entry.key, readTensor(entry, ctx)); // the last of a repeated name, as serde's HashMap keeps
  }
  header.tensors = [...tensors.values()];
  return header;
}

function reportDuplicates(
  parsed: Extract<StrictJsonResult, { ok: true }>,
  ctx: Pick<ScanContext, "report">,
): void {
  for (const { objectPath, key, first, repeated } of parsed.duplicates) {
    const keyPath = keyPathOf(objectPath, key);
    let consequence: string;
    if (objectPath === "$") {
      consequence = key === "__metadata__"
        ? "the reference loader refuses the file (duplicate field), Python's json keeps the last"
        : "Python's json and the reference loader keep the last tensor, parsers that keep the first see another";
    } else if (objectPath === "$.__metadata__") {
      consequence =
        "Python's json and the reference loader keep the last value, parsers that keep the first see another";
    } else {
      consequence = "the reference loader refuses the file (duplicate field), lenient parsers pick one";
    }
    ctx.report({
      rule: "MA322",
      message: `The safetensors header repeats the key ${keyPath}: ${consequence}`,
      position: repeated,
      keyPath,
      details: { key, objectPath, firstPosition: first, repeatedPosition: repeated },
    });
  }
}

function readMetadata(entry: JsonEntry, header: Header, ctx: Pick<ScanContext, "report">): void {
  const keyPath = keyPathOf("$", entry.key);
  header.metadataPosition = entry.keyStart;
  const node = entry.value;
  // serde's Option<HashMap<String, String>>: null is None.
  if (node.kind === "literal" && node.value === null) return;
  if (node.kind !== "object") {
    ctx.report({
      rule: "MA328",
      message: `safetensors __metadata__ is ${describe(node)}, not a map of strings`,
      position: node.start,
      keyPath,
      details: { found: node.kind },
    });
  } else {
    for (const item of node.entries) {
      if (item.value.kind === "string") continue;
      ctx.report({
        rule: "MA328",
        message: `safetensors metadata value ${keyPathOf(keyPath, item.key)} is ${
          describe(item.value)
        }, not a string`,
        position: item.value.start,
        keyPath: keyPathOf(keyPath, item.key),
        details: { key: item.key, found: item.value.kind },
      });
    }
  }
  collectStrings(node, keyPath, header);
}

/** Every string under `node`, keys included: the loader refuses nested values, plain JSON readers do not. */
function collectStrings(root: JsonNode, rootPath: string, header: Header): void {
  const work: { node: JsonNode; keyPath: string }[] = [{ node: root, keyPath: rootPath }];
  while (work.length > 0) {
    const { node, keyPath } = work.pop()!;
    if (node.kind === "string") {
      header.metadataStrings.push({ text: node.value, position: node.start, keyPath, role: "value" });
      header.metadataChars += node.value.length;
    } else if (node.kind === "object") {
      for (let k = node.entries.length - 1; k >= 0; k--) {
        const item = node.entries[k];
        const path = keyPathOf(keyPath, item.key);
        work.push({ node: item.value, keyPath: path });
        header.metadataStrings.push({ text: item.key, position: item.keyStart, keyPath: path, role: "key" });
        header.metadataChars += item.key.length;
      }
    } else if (node.kind === "array") {
      for (let k = node.items.length - 1; k >= 0; k--) {
        work.push({ node: node.items[k], keyPath: keyPathOf(keyPath, k) });
      }
    }
  }
  header.metadataStrings.sort((a, b) => a.position - b.position);
}

function readTensor(entry: JsonEntry, ctx: Pick<ScanContext, "report">): TensorEntry {
  const keyPath = keyPathOf("$", entry.key);
  const tensor: TensorEntry = { name: entry.key, keyPath, position: entry.keyStart };
  const invalid = (message: string, node: JsonNode, field?: string) =>
    ctx.report({
      rule: "MA323",
      message: `safetensors tensor ${JSON.stringify(entry.key)}: ${message}`,
      position: node.start,
      keyPath: field === undefined ? keyPath : keyPathOf(keyPath, field),
      details: { tensor: entry.key, ...(field === undefined ? {} : { field }) },
    });
  const info = entry.value;
  if (info.kind !== "object") {
    invalid(`the entry is ${describe(info)}, not an object with ${TENSOR_FIELD_LIST}`, info);
    return tensor;
  }
  const fields = new Map(info.entries.map((item) => [item.key, item.value]));
  for (const item of info.entries) {
    if (!TENSOR_FIELDS.has(item.key)) {
      invalid(
        `field ${JSON.stringify(item.key)} is not one the reference loader reads (it ignores it)`,
        item.value,
        item.key,
      );
    }
  }
  for (const field of TENSOR_FIELDS) if (!fields.has(field)) invalid(`field ${field} is missing`, info);

  const dtype = fields.get("dtype");
  if (dtype !== undefined) {
    const bits = dtype.kind === "string" ? DTYPE_BITS.get(dtype.value) : undefined;
    if (dtype.kind === "string" && bits !== undefined) {
      tensor.dtype = dtype.value;
      tensor.bits = bits;
    } else {
      const what = dtype.kind === "string" ? JSON.stringify(dtype.value) : describe(dtype);
      invalid(`dtype ${what} is not one the reference loader knows`, dtype, "dtype");
    }
  }
  const shape = fields.get("shape");
  if (shape !== undefined) {
    const dims = shape.kind === "array" ? shape.items.map(usizeOf) : [];
    if (shape.kind === "array" && dims.every((dim) => dim !== undefined)) tensor.shape = dims as bigint[];
    else invalid("shape is not a list of non-negative 64-bit integers", shape, "shape");
  }
  const offsets = fields.get("data_offsets");
  if (offsets !== undefined) {
    const pair = offsets.kind === "array" && offsets.items.length === 2 ? offsets.items.map(usizeOf) : [];
    if (pair.length === 2 && pair[0] !== undefined && pair[1] !== undefined) {
      tensor.offsets = [pair[0], pair[1]];
      tensor.offsetsPosition = offsets.start;
    } else {
      invalid("data_offsets is not a pair of non-negative 64-bit integers", offsets, "data_offsets");
    }
  }
  return tensor;
}
