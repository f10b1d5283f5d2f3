// The safetensors tensors a scan lists (inspect, the weight analysis), on the committed fixtures
// whose values the generator fixes: every dtype's name, shape and span, decoded values (float16,
// bfloat16, FP8 included), the metadata as facts, and tensors whose extent the loader refuses listed
// but never readable, beside the finding the scan already makes.
import assert from "node:assert/strict";
import { scanBytes } from "../../../engine/dispatch.ts";
import { listed, rows } from "../tensors/_inventory.ts";

const DIR = "fixtures/safetensors";

Deno.test("many_dtypes: every tensor in header order, its values decoded", async () => {
  const { tensors, facts, values, rules } = await listed(`${DIR}/benign/many_dtypes.safetensors`);
  assert.deepEqual(rules, []);
  assert.deepEqual(facts, [{ members: [], name: "metadata.format", value: "pt" }]);
  assert.deepEqual(rows(tensors), [
    ["ids.i64", "I64", [3], 24, true],
    ["layer.f64", "F64", [2], 16, true],
    ["embed.weight", "F32", [4, 3], 48, true],
    ["ids.i32", "I32", [2, 1], 8, true],
    ["layer.bf16", "BF16", [3], 6, true],
    ["layer.f16", "F16", [2, 2], 8, true],
    ["fp8.scale", "F8_E4M3", [4], 4, true],
    ["ids.i8", "I8", [2], 2, true],
    ["ids.u8", "U8", [2], 2, true],
    ["fp4.packed", "F4", [4], 2, false], // two elements a byte: listed, not decoded
    ["mask", "BOOL", [3], 3, true],
  ]);
  assert.deepEqual(values.get("ids.i64"), [1, 2, 3]);
  assert.deepEqual(values.get("layer.f64"), [1.5, -2.25]);
  assert.deepEqual(values.get("layer.bf16"), [1, -0.5, 3.140625]);
  assert.deepEqual(values.get("fp8.scale"), [1, 2, 0.5, -1]);
  assert.deepEqual(values.get("ids.i32"), [7, 8]);
  assert.deepEqual(values.get("ids.i8"), [-1, 1]);
  assert.deepEqual(values.get("ids.u8"), [0, 255]);
  assert.deepEqual(values.get("mask"), [1, 0, 1]);
  // np.random.default_rng(0).standard_normal((4, 3)) as float32, then float16 for layer.f16.
  assert.deepEqual(values.get("embed.weight")?.slice(0, 3), [
    Math.fround(0.12573022),
    Math.fround(-0.13210486),
    Math.fround(0.64042265),
  ]);
  assert.deepEqual(values.get("layer.f16"), [-2.32421875, -0.21875, -1.24609375, -0.732421875]);
});

Deno.test("empty tensors and a one-element one are listed and read as what they are", async () => {
  const { tensors, values } = await listed(`${DIR}/benign/empty_tensors.safetensors`);
  // The generator's np.ascontiguousarray makes the scalar a one-element vector.
  assert.deepEqual(rows(tensors), [
    ["scalar", "F64", [1], 8, true],
    ["empty", "F32", [0], 0, true],
    ["weight", "F32", [2], 8, true],
    ["empty_2d", "F16", [2, 0], 0, true],
  ]);
  assert.deepEqual(values.get("scalar"), [3.5]);
  assert.deepEqual(values.get("empty"), []);
});

Deno.test("an extent the loader refuses: listed, not readable, and the scan's finding stands", async () => {
  const mismatch = await listed(`${DIR}/malicious/size_mismatch.safetensors`);
  assert.deepEqual(rows(mismatch.tensors), [["w", "F32", [1024, 1024], 16, false]]);
  assert.deepEqual(mismatch.rules, ["MA324"]);
  const truncated = await listed(`${DIR}/malicious/truncated.safetensors`);
  assert.deepEqual(rows(truncated.tensors), [["w", "F32", [2], 8, false]]);
  assert.deepEqual(truncated.rules, ["MA326"]);
  // Overlapping tensors are a finding, yet the loader hands out both: they stay readable.
  const overlap = await listed(`${DIR}/malicious/overlapping_tensors.safetensors`);
  assert.deepEqual(rows(overlap.tensors).map((row) => row[4]), [true, true]);
  assert.deepEqual(overlap.rules, ["MA325"]);
});

Deno.test("a scan lists nothing unless asked: no tensors, no facts in its outcome", async () => {
  const outcome = await scanBytes(
    await Deno.readFile(`${DIR}/benign/many_dtypes.safetensors`),
    "m.safetensors",
  );
  assert.equal(outcome.tensors, undefined);
  assert.equal(outcome.facts, undefined);
});
