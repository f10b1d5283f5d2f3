// The tensors a PyTorch zip checkpoint rebuilds, as a scan lists them (inspect, the weight
// analysis): on the committed torch.save fixtures (names, dtypes, shapes and the first values
// torch.load gives), on a whole pickled module (named through its modules), and on checkpoints
// assembled here opcode by opcode: a transposed view read in row-major order, a view that reaches
// past its storage (MA301, listed but not readable), and a deflated storage (listed only).
import assert from "node:assert/strict";
import { buildZip, latin1 } from "../zip/_zip.ts";
import { listed, rows } from "../tensors/_inventory.ts";

const DIR = "fixtures/pytorch/benign";

Deno.test("state_dict.pt and its legacy twin: every tensor by its key, with the values torch.load gives", async () => {
  // The generator saves the same state dict both ways (one seed): zip members and legacy records agree.
  for (const file of ["state_dict.pt", "state_dict_legacy.pt"]) {
    const { tensors, values, rules } = await listed(`${DIR}/${file}`, 3);
    assert.deepEqual(rules, []);
    assert.deepEqual(rows(tensors), [
      ["0.weight", "F32", [3, 4], 48, true],
      ["0.bias", "F32", [3], 12, true],
      ["2.weight", "F32", [2, 3], 24, true],
      ["2.bias", "F32", [2], 8, true],
    ]);
    assert.deepEqual(values.get("0.weight"), [
      -0.003743410110473633,
      0.26822179555892944,
      -0.4115225672721863,
    ]);
    assert.deepEqual(values.get("2.bias"), [0.47942468523979187, -0.11881878226995468]);
  }
});

Deno.test("model.pt: a pickled module's parameters are named through its modules", async () => {
  const { tensors } = await listed(`${DIR}/model.pt`);
  assert.deepEqual(tensors.map((t) => t.name), [
    "_modules.0._parameters.weight",
    "_modules.0._parameters.bias",
    "_modules.2._parameters.weight",
    "_modules.2._parameters.bias",
  ]);
});

Deno.test("many_tensors.pt: every storage type's dtype, complex listed only", async () => {
  const { tensors, values } = await listed(`${DIR}/many_tensors.pt`, 4);
  assert.equal(tensors.length, 303);
  assert.deepEqual(tensors.slice(0, 11).map((t) => [t.name, t.dtype, t.readable]), [
    ["layer0.weight", "F32", true],
    ["layer1.weight", "F64", true],
    ["layer2.weight", "F16", true],
    ["layer3.weight", "BF16", true],
    ["layer4.weight", "I64", true],
    ["layer5.weight", "I32", true],
    ["layer6.weight", "I16", true],
    ["layer7.weight", "I8", true],
    ["layer8.weight", "U8", true],
    ["layer9.weight", "BOOL", true],
    ["layer10.weight", "C64", false],
  ]);
  assert.deepEqual(values.get("layer2.weight"), [-2.876953125, -1.61328125, -2.38671875, 0.72802734375]);
  assert.deepEqual(values.get("layer3.weight"), [-3.421875, 4.40625, -4.28125, 0.490234375]);
  assert.deepEqual(values.get("layer8.weight"), [0, 2, 248, 1]);
});

/** data.pkl of `{"t": _rebuild_tensor_v2(<FloatStorage "0" of 6>, offset, size, stride, False, None)}`. */
function dataPkl(offset: number, size: number[], stride: number[]): Uint8Array {
  const ints = (values: number[]) => `(${values.map((v) => `I${v}\n`).join("")}t`;
  return latin1(
    "(dS't'\nctorch._utils\n_rebuild_tensor_v2\n((S'storage'\nctorch\nFloatStorage\nS'0'\nS'cpu'\nI6\ntQ" +
      `I${offset}\n${ints(size)}${ints(stride)}I00\nNtRs.`,
  );
}

async function checkpoint(pickle: Uint8Array, method = 0): Promise<Uint8Array> {
  const storage = new Uint8Array(Float32Array.from([0, 1, 2, 3, 4, 5]).buffer);
  return await buildZip([
    { name: "archive/data.pkl", data: pickle },
    { name: "archive/data/0", data: storage, method },
    { name: "archive/version", data: latin1("3\n") },
  ]);
}

Deno.test("a transposed view reads in row-major order from its storage offset", async () => {
  // The 2×2 view [[1, 3], [2, 4]] of storage 0..5: offset 1, strides (1, 2).
  const zip = await checkpoint(dataPkl(1, [2, 2], [1, 2]));
  const { tensors, values, rules } = await listed("view.pt", 4, zip);
  assert.deepEqual(rules, []);
  assert.deepEqual(rows(tensors), [["t", "F32", [2, 2], 16, true]]);
  assert.deepEqual(values.get("t"), [1, 3, 2, 4]);
});

Deno.test("a view past its storage is MA301 at the rebuild call, listed but never readable", async () => {
  const zip = await checkpoint(dataPkl(4, [2, 2], [2, 1])); // reaches element 4 + 2 + 1 = 7 of 6
  const { tensors, values, outcome } = await listed("past.pt", 4, zip);
  assert.deepEqual(rows(tensors), [["t", "F32", [2, 2], 16, false]]);
  assert.equal(values.size, 0);
  assert.deepEqual(
    outcome.findings.map((f) => [f.rule, f.location.members, f.details.neededBytes, f.details.recordBytes]),
    [
      ["MA301", ["archive/data.pkl"], 32, 24],
    ],
  );
  // The same check runs in a plain scan, where nothing is listed.
  const { scanBytes } = await import("../../../engine/dispatch.ts");
  assert.deepEqual((await scanBytes(zip, "past.pt")).findings.map((f) => f.rule), ["MA301"]);
});

Deno.test("a deflated storage is listed only: its bytes are not in place", async () => {
  const zip = await checkpoint(dataPkl(0, [6], [1]), 8);
  const { tensors } = await listed("deflated.pt", 4, zip);
  assert.deepEqual(rows(tensors), [["t", "F32", [6], 24, false]]);
});

Deno.test("torch2_layout.pt: the format version and byte order torch 2 records, as facts", async () => {
  const { facts, tensors } = await listed(`${DIR}/torch2_layout.pt`);
  assert.deepEqual(facts.map((fact) => [fact.name, fact.value]), [["pytorch.byteorder", "little"], [
    "pytorch.version",
    "3",
  ]]);
  assert.deepEqual(tensors.map((t) => t.name), ["0.weight", "0.bias", "2.weight", "2.bias"]);
});
