// The initializers an ONNX model lists (inspect, the weight analysis), on the committed fixtures:
// onnx.helper's float weights (np.random.default_rng(1) and (2)) read from raw_data, torch.onnx's
// export, the model's producer facts, and external data read from the file beside the model
// through the sandbox's sibling opener; a short or misplaced external file leaves its tensor
// listed only, beside the MA464 the scan already makes.
import assert from "node:assert/strict";
import { scanFile } from "../../../engine/scan_file.ts";
import { listed, rows } from "../tensors/_inventory.ts";

Deno.test("mlp.onnx: both initializers, read from raw_data, and the producer's facts", async () => {
  const { tensors, values, facts, rules } = await listed("fixtures/onnx/benign/mlp.onnx", 3);
  assert.deepEqual(rules, []);
  assert.deepEqual(rows(tensors), [["w1", "F32", [4, 8], 128, true], ["b1", "F32", [8], 32, true]]);
  // np.random.default_rng(1).standard_normal((4, 8)) and default_rng(2).standard_normal(8), as float32.
  assert.deepEqual(values.get("w1"), [0.3455841839313507, 0.8216181397438049, 0.3304370641708374]);
  assert.deepEqual(values.get("b1"), [0.18905338644981384, -0.5227484703063965, -0.41306355595588684]);
  assert.deepEqual(facts.map((fact) => [fact.name, fact.value]), [
    ["onnx.ir_version", 8],
    ["onnx.producer_name", "modelaudit-fixtures"],
    ["onnx.opset.ai.onnx", 13],
  ]);
});

Deno.test("torch_cnn.onnx: torch.onnx's initializer names and shapes, and its producer", async () => {
  const { tensors, facts } = await listed("fixtures/onnx/benign/torch_cnn.onnx");
  assert.deepEqual(rows(tensors), [
    ["5.weight", "F32", [10, 36], 1440, true],
    ["5.bias", "F32", [10], 40, true],
    ["onnx::Conv_18", "F32", [4, 1, 3, 3], 144, true],
    ["onnx::Conv_19", "F32", [4], 16, true],
  ]);
  assert.deepEqual(facts.filter((fact) => fact.name.startsWith("onnx.producer")).map((fact) => fact.value), [
    "pytorch",
    "1.13.0",
  ]);
});

/** Scans `folder/model.onnx` as a file of the scanned root `folder`, listing, with the first values read. */
async function externalModel(folder: string) {
  const root = await Deno.realPath(folder);
  const values = new Map<string, number[]>();
  const outcome = await scanFile({
    realPath: `${root}/model.onnx`,
    path: "model.onnx",
    blacklist: [],
    root,
    inventory: true,
  }, {
    onTensor: async (tensor) => void values.set(tensor.name, [...await tensor.read(0, 3)]),
  });
  return { outcome, values };
}

Deno.test("external data beside the model is read in place, through the sandbox's opener", async () => {
  const { outcome, values } = await externalModel("fixtures/onnx/external/saved");
  assert.deepEqual(rows(outcome.tensors!), [["w1", "F32", [4, 8], 128, true], ["b1", "F32", [8], 32, true]]);
  // onnx.save_model(..., save_as_external_data=True) of the same MLP: the same values, from the .data file.
  assert.deepEqual(values.get("w1"), [0.3455841839313507, 0.8216181397438049, 0.3304370641708374]);
});

Deno.test("external data that is short or out of its file: listed only, and MA464 stands", async () => {
  for (const folder of ["short", "huge_offset"]) {
    const { outcome, values } = await externalModel(`fixtures/onnx/external/${folder}`);
    assert.deepEqual(rows(outcome.tensors!), [["w1", "F32", [4, 8], 128, false], [
      "b1",
      "F32",
      [8],
      32,
      true,
    ]]);
    assert.deepEqual([...values.keys()], ["b1"]);
    assert.deepEqual(outcome.findings.map((finding) => finding.rule), ["MA464"]);
  }
});

Deno.test("metadata.onnx: the model's metadata_props, as facts", async () => {
  const { facts } = await listed("fixtures/onnx/benign/metadata.onnx");
  assert.deepEqual(facts.filter((fact) => fact.name.startsWith("metadata.")).map((f) => [f.name, f.value]), [
    ["metadata.author", "modelaudit"],
    ["metadata.license", "MIT"],
    ["metadata.eval_metric", "accuracy"],
    ["metadata.description", "A small MLP; call model.eval() before inference."],
    [
      "metadata.source",
      "https://huggingface.co/onnx/models, converted with https://github.com/onnx/tensorflow-onnx",
    ],
  ]);
});
