// The TensorFlow scanner through the engine, on messages encoded here by protobufjs: weights of megabytes
// walked without being read, graphs nested in strings, hostile nesting and broken wire data as findings
// (never a crash), detection of .pb files by name and content, an asset that leads out of the folder, and
// the SavedModel folder as one unit.
import assert from "node:assert/strict";
import { join } from "node:path";
import { bytesSource } from "../../../core/byte_source.ts";
import { scanBytes, scanSource } from "../../../engine/dispatch.ts";
import { scan } from "../../../engine/scan.ts";
import { fileScope, Siblings } from "../../../engine/siblings.ts";
import { renderLocation } from "../../../report/location.ts";
import { DEFAULT_SCAN_LIMITS } from "../../../engine/limits.ts";
import {
  encode,
  floatConst,
  graphDef,
  lengthDelimited,
  node,
  offsetOf,
  stringConst,
  utf8,
} from "./_graphs.ts";
import { tempDir } from "../../_cli_helpers.ts";

async function brief(
  bytes: Uint8Array,
  path: string,
): Promise<{ format: string | null; findings: string[] }> {
  const outcome = await scanBytes(bytes, path);
  assert.equal(outcome.error, undefined);
  return {
    format: outcome.format,
    findings: outcome.findings.map((f) => `${f.rule} ${f.severity} ${renderLocation(f.location)}`),
  };
}

const PYFUNC = node("py", "PyFunc", ["x"], { token: { s: utf8("pyfunc_0") } });

Deno.test("tensorflow: a node after megabytes of weights is found, and the weights are never read", async () => {
  const weights = floatConst("kernel", 3 * 1024 * 1024);
  const bytes = graphDef(node("x", "Placeholder"), weights, PYFUNC);
  const outcome = await scanBytes(bytes, "frozen.pb");
  assert.equal(outcome.format, "tensorflow-graphdef");
  const at = offsetOf(bytes, encode("tensorflow.NodeDef", PYFUNC));
  assert.deepEqual(outcome.findings.map((f) => `${f.rule} ${renderLocation(f.location)}`), [
    `MA430 frozen.pb (pos ${at}, key $.node['py'])`,
  ]);
  assert.ok(outcome.bytesScanned < 256 * 1024, `read ${outcome.bytesScanned} of ${bytes.length} bytes`);
});

Deno.test("tensorflow: a graph in a string of a node too large to decode whole is still read", async () => {
  const inner = graphDef(stringConst("p", utf8("/etc/shadow")), node("r", "ReadFile", ["p"]));
  const padding = new Uint8Array(2 * 1024 * 1024).fill(0x61);
  const holder = stringConst("graph_def", padding, inner);
  const { findings } = await brief(graphDef(holder, node("ds", "DatasetFromGraph", ["graph_def"])), "ds.pb");
  const read = offsetOf(inner, encode("tensorflow.NodeDef", node("r", "ReadFile", ["p"])));
  assert.deepEqual(findings, [
    `MA431 critical ds.pb:$.node['graph_def'].attr['value'].s[1] (pos ${read}, key $.node['r'])`,
  ]);
});

Deno.test("tensorflow: graphs in strings are members of their graph, followed within the engine's depth limit", async () => {
  let graph = graphDef(PYFUNC);
  const level = "$.node['g'].attr['value'].s[0]";
  graph = graphDef(stringConst("g", graph));
  assert.deepEqual((await brief(graph, "one.pb")).findings, [
    `MA430 critical one.pb:${level} (pos 0, key $.node['py'])`,
  ]);
  for (let depth = 1; depth <= DEFAULT_SCAN_LIMITS.maxDepth; depth++) {
    graph = graphDef(stringConst("g", graph));
  }
  const { findings } = await brief(graph, "deep.pb");
  assert.deepEqual(findings, [
    `MA210 warning deep.pb:${Array(DEFAULT_SCAN_LIMITS.maxDepth).fill(level).join(":")}`,
  ]);
});

Deno.test("tensorflow: hostile nesting and broken wire data are MA434, never a crash", async () => {
  // NameAttrList{name, attr{"a": AttrValue{func: ...}}} 300 deep: deeper than protobufjs decodes (or encodes).
  let func = encode("tensorflow.NameAttrList", { name: "f" });
  for (let i = 0; i < 300; i++) {
    const entry = new Uint8Array([0x0a, 1, 0x61, ...lengthDelimited(0x12, lengthDelimited(0x52, func))]);
    func = new Uint8Array([0x0a, 1, 0x66, ...lengthDelimited(0x12, entry)]);
  }
  const call = encode("tensorflow.NodeDef", { name: "call", op: "PartitionedCall" });
  const deepNode = new Uint8Array([
    ...call,
    ...lengthDelimited(
      0x2a,
      new Uint8Array([0x0a, 1, 0x66, ...lengthDelimited(0x12, lengthDelimited(0x52, func))]),
    ),
  ]);
  const nested = lengthDelimited(0x0a, deepNode);
  assert.deepEqual((await brief(nested, "nested.pb")).findings, ["MA434 warning nested.pb"]);
  const good = graphDef(node("x", "Placeholder"), PYFUNC);
  assert.deepEqual((await brief(good.subarray(0, good.length - 3), "cut.pb")).findings, [
    "MA434 warning cut.pb",
  ]);
  const badVarint = Uint8Array.of(0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
  assert.deepEqual((await brief(badVarint, "saved_model.pb")).findings, ["MA434 warning saved_model.pb"]);
});

Deno.test("tensorflow: unknown fields and groups are skipped as TensorFlow's parser skips them", async () => {
  const pyfunc = encode("tensorflow.NodeDef", PYFUNC);
  // Field 99 as a group (start 99, a varint field inside, end 99), then the node.
  const group = Uint8Array.of(0x9b, 0x06, 0x08, 0x01, 0x9c, 0x06);
  const bytes = new Uint8Array([0x0a, 0x00, ...group, 0x0a, pyfunc.length, ...pyfunc]);
  const { findings } = await brief(bytes, "odd.pb");
  assert.deepEqual(findings, [`MA430 critical odd.pb (pos ${2 + group.length}, key $.node['py'])`]);
});

Deno.test("tensorflow: .pb files are claimed by name and content; a disguised pickle is a pickle", async () => {
  assert.deepEqual(await brief(utf8("just some notes\n"), "notes.pb"), {
    format: null,
    findings: ["MA007 info notes.pb"],
  });
  assert.deepEqual(await brief(utf8("not a protobuf"), "saved_model.pb"), {
    format: "tensorflow-saved-model",
    findings: ["MA434 warning saved_model.pb"],
  });
  assert.deepEqual(await brief(utf8("meta_graphs { graph_def { nodes {} } }"), "saved_model.pbtxt"), {
    format: "tensorflow-saved-model",
    findings: ["MA434 warning saved_model.pbtxt"],
  });
  const pickle = new Uint8Array([0x80, 2, ...utf8("cos\nsystem\nq\x00."), 0x2e]);
  const { format, findings } = await brief(pickle, "graph.pb");
  assert.equal(format, "pickle");
  assert.ok(findings.some((f) => f.startsWith("MA001 warning graph.pb")), findings.join("\n"));
});

Deno.test("tensorflow: a SavedModel asset that leads out of the folder is refused and reported", async () => {
  const root = await tempDir("modelaudit_tensorflow_");
  await Deno.mkdir(join(root, "model", "assets"), { recursive: true });
  const bytes = encode("tensorflow.SavedModel", {
    saved_model_schema_version: 1,
    meta_graphs: [{
      graph_def: { node: [stringConst("asset_path", utf8("vocab.txt"))] },
      asset_file_def: [{ tensor_info: { name: "asset_path:0" }, filename: "../../../etc/passwd" }],
    }],
  });
  const file = join(root, "model", "saved_model.pb");
  await Deno.writeFile(file, bytes);
  using siblings = new Siblings(fileScope(file, "model/saved_model.pb", root));
  const outcome = await scanSource(bytesSource(bytes), "model/saved_model.pb", { siblings });
  assert.deepEqual(outcome.findings.map((f) => `${f.rule} ${f.severity}`), ["MA010 critical"]);
});

Deno.test("tensorflow: a SavedModel folder is one unit whose checkpoint is raw data, never read", async () => {
  const root = await tempDir("modelaudit_tensorflow_");
  const dir = join(root, "model");
  await Deno.mkdir(join(dir, "variables"), { recursive: true });
  await Deno.mkdir(join(dir, "assets"), { recursive: true });
  await Deno.copyFile(
    new URL("../../../fixtures/tensorflow/benign/tf1_saver/saved_model.pb", import.meta.url),
    join(dir, "saved_model.pb"),
  );
  // RestoreV2 copies these bytes into tensors and parses nothing: a pickle there is never unpickled.
  const pickle = new Uint8Array([0x80, 2, ...utf8("cos\nsystem\nq\x00."), 0x2e]);
  await Deno.writeFile(join(dir, "variables", "variables.data-00000-of-00001"), pickle);
  await Deno.writeFile(join(dir, "variables", "variables.index"), new Uint8Array(16));
  await Deno.writeFile(join(dir, "assets", "vocab.txt"), utf8("a\nb\n"));
  const result = await scan([root], { sandbox: false });
  assert.deepEqual(
    result.files.map((
      file,
    ) => [file.path.slice(root.length + 1), file.status, file.format, file.findings.length]),
    [
      ["model/assets/vocab.txt", "skipped", null, 0],
      ["model/saved_model.pb", "scanned", "tensorflow-saved-model", 0],
      ["model/variables/variables.data-00000-of-00001", "skipped", null, 0],
      ["model/variables/variables.index", "skipped", null, 0],
    ],
  );
  assert.match(result.files[2].reason ?? "", /raw tensor bytes/);
});
