// The ONNX scanner through the engine on models assembled field by field: a 2 GB model with
// embedded initializers is walked without reading its payloads (a Python operator written after
// them is still found, at the index the loader merges it to); hostile nesting and malformed
// encoding give MA466 and MA465, never a crash.
import assert from "node:assert/strict";
import type { ByteSource } from "../../../core/byte_source.ts";
import { scanBytes, scanSource } from "../../../engine/dispatch.ts";
import { renderLocation } from "../../../report/location.ts";
import { DEFAULT_ONNX_OPTIONS } from "../../../scanners/option_catalog.ts";
import { onnxModelParts, type OnnxPart, partsLength } from "../../../scripts/bench_onnx.ts";
import { scanBrief } from "../compressed/_scan.ts";

const encoder = new TextEncoder();

function varint(value: number): number[] {
  const out: number[] = [];
  for (; value >= 0x80; value = Math.floor(value / 0x80)) out.push((value % 0x80) | 0x80);
  return [...out, value];
}

/** A length-delimited field `number` holding `parts`. */
function field(number: number, ...parts: (Uint8Array | string)[]): Uint8Array {
  const bytes = parts.map((part) => typeof part === "string" ? encoder.encode(part) : part);
  const length = bytes.reduce((sum, part) => sum + part.length, 0);
  const out = Uint8Array.from(varint(number * 8 + 2));
  const joined = new Uint8Array(length);
  bytes.reduce((at, part) => (joined.set(part, at), at + part.length), 0);
  return Uint8Array.from([...out, ...varint(length), ...joined]);
}

/** A NodeProto (op_type 4, domain 7) as GraphProto field 1, with attributes (field 5, their fields given). */
function node(opType: string, domain = "", ...attributes: Uint8Array[][]): Uint8Array {
  return field(
    1,
    field(4, opType),
    ...(domain ? [field(7, domain)] : []),
    ...attributes.map((fields) => field(5, ...fields)),
  );
}

/** A source over `parts` (zero runs materialised only where read), counting the bytes read. */
function virtualSource(parts: readonly OnnxPart[]): ByteSource & { read_: number } {
  const size = partsLength(parts);
  const source = {
    size,
    read_: 0,
    read(offset: number, length: number): Promise<Uint8Array> {
      const out = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
      source.read_ += out.length;
      let at = 0;
      for (const part of parts) {
        const partLength = typeof part === "number" ? part : part.length;
        const from = Math.max(offset, at);
        const to = Math.min(offset + out.length, at + partLength);
        if (from < to && typeof part !== "number") out.set(part.subarray(from - at, to - at), from - offset);
        at += partLength;
      }
      return Promise.resolve(out);
    },
  };
  return source;
}

const GB2 = 2_000_000_000;
const LAYERS = 8;

Deno.test("onnx: a 2 GB model with embedded initializers is walked without reading its payloads", async () => {
  const parts = onnxModelParts(GB2, LAYERS);
  assert.ok(partsLength(parts) > 0.99 * GB2);
  const source = virtualSource(parts);
  // Structure only: the weight analysis, on by default, reads values (tests/engine/weights_test.ts).
  const outcome = await scanSource(source, "big.onnx", { scannerOptions: { weights: { enabled: 0 } } });
  assert.equal(outcome.error, undefined);
  assert.equal(outcome.format, "onnx");
  assert.deepEqual(outcome.findings, []);
  // A window around each field's tag: a few hundred KiB of 2 GB, whatever the tensors' sizes.
  assert.ok(source.read_ < 1024 * 1024, `read ${source.read_} bytes`);
});

Deno.test("onnx: a second graph field after the payloads is merged by protobuf, and walked", async () => {
  const parts = onnxModelParts(GB2, LAYERS);
  const pyop = node("PyOp", "ai.onnx.contrib");
  const appended = field(7, pyop);
  const source = virtualSource([...parts, appended]);
  const outcome = await scanSource(source, "big.onnx", { scannerOptions: { weights: { enabled: 0 } } });
  // Protobuf merges a singular message written twice: the PyOp follows the first graph's 2 * LAYERS nodes.
  const position = partsLength(parts) + appended.length - pyop.length;
  assert.deepEqual(outcome.findings.map((f) => `${f.rule} ${f.severity} ${renderLocation(f.location)}`), [
    `MA460 critical big.onnx (pos ${position}, key graph.node[${2 * LAYERS}])`,
  ]);
  assert.ok(source.read_ < 1024 * 1024, `read ${source.read_} bytes`);
});

/** A model whose graph nests `depth` If nodes, each in the previous one's then_branch (attribute `g`). */
function nestedIfs(depth: number): Uint8Array {
  let graph = node("Relu");
  for (let i = 0; i < depth; i++) graph = node("If", "", [field(1, "then_branch"), field(6, graph)]);
  return Uint8Array.from([0x08, 8, ...field(7, graph)]);
}

Deno.test("onnx: subgraphs nested beyond the limit are MA466 once, those within it are walked", async () => {
  const MAX_GRAPH_DEPTH = DEFAULT_ONNX_OPTIONS.maxGraphDepth;
  assert.deepEqual((await scanBrief(nestedIfs(MAX_GRAPH_DEPTH), "ok.onnx"))[1], []);
  const [format, findings] = await scanBrief(nestedIfs(MAX_GRAPH_DEPTH + 5), "deep.onnx");
  assert.equal(format, "onnx");
  assert.equal(findings.length, 1);
  assert.match(
    findings[0],
    /^MA466 warning deep\.onnx \(pos \d+, key graph(\.node\[0\]\.attribute\[0\]\.g){33}\)$/,
  );
  // Three hundred levels: still one finding, the rest never reached.
  assert.deepEqual((await scanBrief(nestedIfs(300), "deeper.onnx"))[1].map((f) => f.split(" (")[0]), [
    "MA466 warning deeper.onnx",
  ]);
});

Deno.test("onnx.maxGraphDepth and onnx.maxNodes: MA466 naming the option exactly past the limit", async () => {
  // Three Ifs nested in the graph: four nodes, the innermost graph three levels down.
  const model = nestedIfs(3);
  const at = async (onnx: { maxGraphDepth?: number; maxNodes?: number }) =>
    (await scanBytes(model, "m.onnx", { scannerOptions: { onnx } })).findings.map((f) =>
      `${f.rule} ${f.details.limit} ${f.details.option}`
    );
  assert.deepEqual(await at({ maxGraphDepth: 3, maxNodes: 4 }), []);
  assert.deepEqual(await at({ maxGraphDepth: 2 }), ["MA466 graphDepth onnx.maxGraphDepth"]);
  assert.deepEqual(await at({ maxNodes: 3 }), ["MA466 nodes onnx.maxNodes"]);
});

Deno.test("onnx: malformed encoding is MA465 where it is met", async () => {
  const graph = field(7, node("Relu"));
  const cases: [string, Uint8Array, number][] = [
    // A varint of eleven bytes as the graph's length, at 3.
    ["long varint", Uint8Array.from([0x08, 8, 0x3a, ...new Array(10).fill(0xff), 0x01]), 3],
    // Field number 0 after a valid graph.
    ["field 0", Uint8Array.from([0x08, 8, ...graph, 0x02, 0x00]), 2 + graph.length],
    // A group (wire type 3), which ONNX never writes, inside the graph.
    ["group", Uint8Array.from([0x08, 8, 0x3a, 2, 0x0b, 0x0c]), 4],
    // A node whose op_type claims more bytes than its node holds.
    ["inner overrun", Uint8Array.from([0x08, 8, 0x3a, 4, 0x0a, 2, 0x22, 9]), 6],
  ];
  for (const [what, bytes, position] of cases) {
    assert.deepEqual(
      (await scanBrief(bytes, "bad.onnx"))[1],
      [`MA465 warning bad.onnx (pos ${position})`],
      what,
    );
  }
});

Deno.test("onnx: a model without a graph does not pass as clean", async () => {
  assert.deepEqual((await scanBrief(Uint8Array.of(0x08, 8, 0x12, 1, 0x61), "empty.onnx"))[1], [
    "MA465 warning empty.onnx",
  ]);
});
