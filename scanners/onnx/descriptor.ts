/**
 * ONNX as the registry knows it before the scanner loads. ONNX has no magic bytes: a
 * `ModelProto` is a protobuf message, and protobuf parsers skip fields they do not know, so
 * onnx and onnxruntime load a model behind any number of unknown fields. A file named
 * `.onnx` is therefore claimed when it starts with a `ModelProto` field (however malformed
 * what follows: the scanner reports it), or when its head is well-formed protobuf as far as
 * it goes (or up to a field the file is too short for), whatever its field numbers; text,
 * such as a Git LFS pointer, never is. A file named
 * otherwise is claimed only when its head reads as serializers write a model, fields in
 * number order: `ir_version` with a plausible value, then well-formed string fields up to the
 * graph (field 7), which random or other data practically never does.
 *
 * @module
 */

import { PRIORITY } from "../../core/detection.ts";
import type { DirectoryDescriptor, ScannerDescriptor } from "../../core/scanner.ts";
import { MODEL, MODEL_FIELD_WIRE } from "./schema.ts";

/** Highest IR version a sniffed model may declare: 14 is current, room is left for a few more. */
const MAX_SNIFFED_IR_VERSION = 32;
/** Longest producer name, version, domain or doc string a sniffed model may have before its graph. */
const MAX_SNIFFED_STRING = 4096;

/** A varint at `at` in `head`, or `undefined` when it does not end within ten bytes or the head. */
function varint(head: Uint8Array, at: number): { value: number; next: number } | undefined {
  let value = 0;
  for (let i = 0, scale = 1; i < 10 && at + i < head.length; i++, scale *= 128) {
    value += (head[at + i] & 0x7f) * scale;
    if ((head[at + i] & 0x80) === 0) return { value, next: at + i + 1 };
  }
  return undefined;
}

/** Whether `bytes` are text a producer or doc string holds: UTF-8 without control characters but tab and newlines. */
function isText(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Whether `head` starts with a `ModelProto` field of the right wire type whose length fits in `size`. */
function startsLikeModel(head: Uint8Array, size: number): boolean {
  const tag = varint(head, 0);
  if (!tag || MODEL_FIELD_WIRE.get(Math.floor(tag.value / 8)) !== tag.value % 8) return false;
  if (tag.value % 8 !== 2) return varint(head, tag.next) !== undefined;
  const length = varint(head, tag.next);
  return length !== undefined && length.next + length.value <= size;
}

/** Bytes each fixed-width wire type takes, by wire type (1: 64 bits, 5: 32 bits). */
const FIXED_BYTES: ReadonlyMap<number, number> = new Map([[1, 8], [5, 4]]);

/**
 * Whether `head` (the first bytes of `size`) is well-formed protobuf fields as far as it goes:
 * at least one complete field, then fields up to the end of the head, the end of the file, or
 * a field that runs past the end of the file (truncation). Wire types are 0, 1, 2 and 5.
 */
function isProtobufPrefix(head: Uint8Array, size: number): boolean {
  let at = 0;
  let complete = 0;
  // A varint that does not end in the head: the head was cut inside it, or it is longer than ten bytes.
  const cut = (from: number) => complete > 0 && head.length < size && head.length - from < 10;
  // Each field takes at least two bytes: the loop ends within the head.
  while (at < head.length) {
    const tag = varint(head, at);
    if (!tag) return cut(at);
    const wire = tag.value % 8;
    // Field numbers run from 1 to 2^29 - 1.
    if (tag.value < 8 || tag.value >= 2 ** 32 || !(wire === 0 || wire === 2 || FIXED_BYTES.has(wire))) {
      return false;
    }
    let end: number;
    if (wire === 0) {
      const value = varint(head, tag.next);
      if (!value) return cut(tag.next);
      end = value.next;
    } else if (wire === 2) {
      const length = varint(head, tag.next);
      if (!length) return cut(tag.next);
      end = length.next + length.value;
    } else {
      end = tag.next + FIXED_BYTES.get(wire)!;
    }
    if (end > size) return complete > 0;
    complete++;
    at = end;
  }
  return complete > 0;
}

/** Whether `head` reads as `ir_version`, then plausible fields, up to the graph. */
function sniffModel(head: Uint8Array, size: number): boolean {
  if (head[0] !== 0x08) return false;
  const ir = varint(head, 1);
  if (!ir || ir.value < 1 || ir.value > MAX_SNIFFED_IR_VERSION) return false;
  let at = ir.next;
  let last: number = MODEL.irVersion;
  while (at < head.length) {
    const tag = varint(head, at);
    if (!tag) return false;
    const number = Math.floor(tag.value / 8);
    const wire = tag.value % 8;
    // Serializers write fields in number order: anything else is not a model.
    if (MODEL_FIELD_WIRE.get(number) !== wire || number <= last) return false;
    last = number;
    const value = varint(head, tag.next);
    if (!value) return false;
    if (number === MODEL.graph || number === MODEL.opsetImport) return value.next + value.value <= size;
    if (wire === 0) {
      at = value.next;
      continue;
    }
    if (value.value > MAX_SNIFFED_STRING || value.next + value.value > head.length) return false;
    if (!isText(head.subarray(value.next, value.next + value.value))) return false;
    at = value.next + value.value;
  }
  return false;
}

/**
 * Whether a file may be an ONNX model: named `.onnx` and starting with a `ModelProto` field or
 * well-formed protobuf as far as its head goes, or, under any name, starting like a model up
 * to its graph.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { detectOnnx } from "./descriptor.ts";
 * // ir_version 8, producer_name "pytorch", then a 2-byte graph
 * const head = Uint8Array.of(0x08, 8, 0x12, 7, ...new TextEncoder().encode("pytorch"), 0x3a, 2, 0x0a, 0);
 * assert.equal(detectOnnx(head, head.length, "model.bin"), true);
 * assert.equal(detectOnnx(Uint8Array.of(0x80, 4, 0x4e, 0x2e), 4, "model.onnx"), false); // a pickle
 * ```
 */
export function detectOnnx(head: Uint8Array, size: number, name: string): boolean {
  if (name.toLowerCase().endsWith(".onnx") && (startsLikeModel(head, size) || isProtobufPrefix(head, size))) {
    return true;
  }
  return sniffModel(head, size);
}

/**
 * The ONNX scanner's registry entry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { onnxDescriptor } from "./descriptor.ts";
 * assert.deepEqual(onnxDescriptor.extensions, [".onnx"]);
 * const model = await Deno.readFile("fixtures/onnx/benign/mlp.onnx"); // made by onnx.helper
 * assert.equal(onnxDescriptor.detect(model, model.length, "model.onnx"), true);
 * ```
 */
export const onnxDescriptor: ScannerDescriptor = {
  id: "onnx",
  description: "ONNX model (ModelProto), with its external data",
  extensions: [".onnx"],
  priority: PRIORITY.model,
  detect: detectOnnx,
  load: () => import("./scanner.ts").then((module) => module.onnxScanner),
};

/**
 * A folder with ONNX models, as the registry knows it: one with a `.onnx` file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { onnxFolderDescriptor } from "./descriptor.ts";
 * assert.equal(onnxFolderDescriptor.matches(["model.onnx", "model.onnx.data"]), true);
 * assert.equal(onnxFolderDescriptor.matches(["model.safetensors", "config.json"]), false);
 * ```
 */
export const onnxFolderDescriptor: DirectoryDescriptor = {
  id: "onnx-folder",
  description: "A folder of ONNX models and their external data",
  priority: PRIORITY.model,
  matches: (names) => names.some((name) => name.toLowerCase().endsWith(".onnx")),
  load: () => import("./directory.ts").then((module) => module.onnxFolderScanner),
};
