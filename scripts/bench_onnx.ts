/**
 * The input of `deno task bench`'s `onnx` case: an ONNX model of gigabytes whose weights are
 * embedded initializers (`raw_data`), as `torch.onnx.export` writes a model under protobuf's
 * 2 GiB limit. The model's structure is encoded here field by field (a chain of `MatMul` and
 * `Add` nodes over float initializers, with their dims, names and the graph's inputs and
 * outputs); the tensor payloads are zero runs, written as holes in a sparse file, so that
 * gigabytes cost neither disk space nor time to write.
 *
 * @module
 */

/**
 * A part of the model: bytes, or a run of that many zero bytes (a tensor's payload).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type OnnxPart, partsLength } from "./bench_onnx.ts";
 * const parts: OnnxPart[] = [Uint8Array.of(0x4a, 0x80, 0x08), 1024]; // raw_data's header, then 1 KiB of zeros
 * assert.equal(partsLength(parts), 3 + 1024);
 * ```
 */
export type OnnxPart = Uint8Array | number;

const encoder = new TextEncoder();

function varint(value: number): number[] {
  const out: number[] = [];
  while (value >= 0x80) {
    out.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  out.push(value);
  return out;
}

/** Bytes of a field's tag and length prefix (wire type 2). */
function lengthPrefix(field: number, length: number): Uint8Array {
  return Uint8Array.from([...varint(field * 8 + 2), ...varint(length)]);
}

function varintField(field: number, value: number): Uint8Array {
  return Uint8Array.from([...varint(field * 8), ...varint(value)]);
}

function message(field: number, parts: OnnxPart[]): OnnxPart[] {
  return [lengthPrefix(field, partsLength(parts)), ...parts];
}

function text(field: number, value: string): Uint8Array {
  const bytes = encoder.encode(value);
  return Uint8Array.from([...lengthPrefix(field, bytes.length), ...bytes]);
}

/**
 * Total bytes of `parts`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { partsLength } from "./bench_onnx.ts";
 * assert.equal(partsLength([Uint8Array.of(1, 2), 10]), 12);
 * ```
 */
export function partsLength(parts: readonly OnnxPart[]): number {
  return parts.reduce<number>((sum, part) => sum + (typeof part === "number" ? part : part.length), 0);
}

/** A NodeProto: inputs 1, outputs 2, name 3, op_type 4. */
function node(opType: string, name: string, inputs: string[], outputs: string[]): OnnxPart[] {
  return message(1, [
    ...inputs.map((input) => text(1, input)),
    ...outputs.map((output) => text(2, output)),
    text(3, name),
    text(4, opType),
  ]);
}

/** A float TensorProto of `[rows, columns]` (dims 1, data_type 2 = FLOAT, name 8), its raw_data (9) a zero run. */
function initializer(name: string, rows: number, columns: number): OnnxPart[] {
  const bytes = rows * columns * 4;
  return message(5, [
    varintField(1, rows),
    varintField(1, columns),
    varintField(2, 1),
    text(8, name),
    lengthPrefix(9, bytes),
    bytes,
  ]);
}

/** A ValueInfoProto (name 1, type 2) of a float `[1, side]` tensor, as graph input 11 or output 12. */
function valueInfo(field: number, name: string, side: number): OnnxPart[] {
  const dim = (value: number) => message(1, [varintField(1, value)]);
  const shape = message(2, [...dim(1), ...dim(side)]);
  return message(field, [text(1, name), ...message(2, message(1, [varintField(1, 1), ...shape]))]);
}

/**
 * The parts of a ModelProto of at most `bytes` bytes with `layers` MatMul + Add layers, each with
 * a square float weight and a bias, in the field order onnx's serializer writes (onnx.checker
 * accepts it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { onnxModelParts, partsLength } from "./bench_onnx.ts";
 * const parts = onnxModelParts(1_000_000, 4);
 * assert.ok(partsLength(parts) <= 1_000_000 && partsLength(parts) > 900_000);
 * ```
 */
export function onnxModelParts(bytes: number, layers: number): OnnxPart[] {
  // Each layer holds a side x side weight and a 1 x side bias; the structure is a few bytes per layer.
  const side = Math.floor(Math.sqrt(bytes / layers / 4)) - 1;
  const graph: OnnxPart[] = [];
  let input = "x";
  for (let i = 0; i < layers; i++) {
    graph.push(...node("MatMul", `layer${i}/matmul`, [input, `w${i}`], [`m${i}`]));
    graph.push(...node("Add", `layer${i}/add`, [`m${i}`, `b${i}`], [`h${i}`]));
    input = `h${i}`;
  }
  graph.push(text(2, "bench"));
  for (let i = 0; i < layers; i++) {
    graph.push(...initializer(`w${i}`, side, side), ...initializer(`b${i}`, 1, side));
  }
  graph.push(...valueInfo(11, "x", side), ...valueInfo(12, input, side));
  return [
    varintField(1, 8),
    text(2, "modelaudit-bench"),
    ...message(7, graph),
    ...message(8, [varintField(2, 13)]),
  ];
}

/**
 * Writes `parts` at `path`, zero runs as holes; returns the file's size.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { onnxModelParts, writeSparseOnnx } from "./bench_onnx.ts";
 * const path = await Deno.makeTempFile();
 * assert.equal(await writeSparseOnnx(path, onnxModelParts(100_000, 2)), (await Deno.stat(path)).size);
 * await Deno.remove(path);
 * ```
 */
export async function writeSparseOnnx(path: string, parts: readonly OnnxPart[]): Promise<number> {
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  let at = 0;
  for (const part of parts) {
    if (typeof part === "number") {
      at += part;
      continue;
    }
    await file.seek(at, Deno.SeekMode.Start);
    for (let done = 0; done < part.length;) done += await file.write(part.subarray(done));
    at += part.length;
  }
  await file.truncate(at);
  return at;
}
