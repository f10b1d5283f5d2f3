// ONNX detection on real files: every fixture is claimed under its name, and those written as
// onnx and torch write them under any name; a model behind fields protobuf skips (which onnx
// loads) is still claimed and scanned under `.onnx`; text, pickles and other formats are not.
import assert from "node:assert/strict";
import { HEAD_BYTES } from "../../../core/detection.ts";
import { detectOnnx } from "../../../scanners/onnx/descriptor.ts";
import { concat, fixture, OS_SYSTEM, osSystemFindings, scanBrief } from "../compressed/_scan.ts";

const MODELS = [
  "benign/mlp.onnx",
  "benign/if.onnx",
  "benign/local_function.onnx",
  "benign/torch_cnn.onnx",
  "benign/torch_attention_lstm.onnx",
  "malicious/pyop.onnx",
  "malicious/torch_python_op.onnx",
  "external/saved/model.onnx",
];

const detect = (bytes: Uint8Array, name: string) =>
  detectOnnx(bytes.subarray(0, HEAD_BYTES), bytes.length, name);

Deno.test("onnx detection: models onnx and torch write are claimed under any name", async () => {
  for (const path of MODELS) {
    const bytes = await fixture(`onnx/${path}`);
    assert.ok(detect(bytes, "model.onnx"), path);
    assert.ok(detect(bytes, "model.bin"), path);
  }
  // Cut in half, a model is still claimed under its name (and reported as truncated, MA465).
  assert.ok(detect(await fixture("onnx/malicious/truncated.onnx"), "model.onnx"));
});

Deno.test("onnx detection: a model behind fields protobuf skips is claimed and scanned under .onnx", async () => {
  const pyop = await fixture("onnx/malicious/pyop.onnx");
  // An unknown field 100 (3 bytes), or field 1 with the wrong wire type: onnx.load reads past both.
  for (const prefix of [Uint8Array.of(0xa2, 0x06, 3, 0x61, 0x62, 0x63), Uint8Array.of(0x0a, 0)]) {
    const bytes = concat(prefix, pyop);
    assert.ok(detect(bytes, "model.onnx"));
    // Under another name it is not sniffed: serializers never write such a head.
    assert.equal(detect(bytes, "model.bin"), false);
    const [format, findings] = await scanBrief(bytes, "evade.onnx");
    assert.equal(format, "onnx");
    assert.deepEqual(findings, [`MA460 critical evade.onnx (pos ${25 + prefix.length}, key graph.node[0])`]);
  }
});

Deno.test("onnx detection: text, pickles and other formats named .onnx are not claimed", async () => {
  const text = (s: string) => new TextEncoder().encode(s);
  const lfs = text("version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 1024\n");
  assert.equal(detect(lfs, "model.onnx"), false);
  assert.deepEqual(await scanBrief(lfs, "model.onnx"), [null, ["MA007 info model.onnx"]]);
  assert.equal(detect(text("<!DOCTYPE html><html>Not found</html>"), "model.onnx"), false);
  assert.equal(detect(text('{"format": "pt"}'), "model.onnx"), false);
  assert.equal(detect(OS_SYSTEM, "model.onnx"), false);
  const [format, findings] = await scanBrief(OS_SYSTEM, "model.onnx");
  assert.equal(format, "pickle");
  assert.deepEqual(findings.filter((f) => !f.startsWith("MA001")), osSystemFindings("model.onnx"));
  for (
    const path of [
      "safetensors/benign/many_dtypes.safetensors",
      "numpy/benign/float32_2d.npy",
      "zip/benign/deflated.zip",
    ]
  ) {
    assert.equal(detect(await fixture(path), "model.onnx"), false, path);
  }
});
