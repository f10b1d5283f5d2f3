// The NumPy arrays a scan lists (inspect, the weight analysis), on the committed fixtures the
// generator writes with np.save and np.savez: named as np.load names them, Fortran order read in
// row-major order, types without a float32 listed only, and a truncated array never readable.
import assert from "node:assert/strict";
import { listed, rows } from "../tensors/_inventory.ts";

const DIR = "fixtures/numpy";

Deno.test(".npz members: one array each, named without .npy, in members of the archive", async () => {
  for (const file of ["arrays.npz", "arrays_compressed.npz"]) {
    const { tensors, values, facts } = await listed(`${DIR}/benign/${file}`);
    assert.deepEqual(tensors.map((t) => [t.members, t.name, t.dtype, t.shape, t.bytes]), [
      [["weights.npy"], "weights", "F32", [3, 4], 48],
      [["bias.npy"], "bias", "F32", [4], 16],
    ]);
    // np.arange(12, dtype=float32).reshape(3, 4) / 4, and np.ones(4).
    assert.deepEqual(values.get("weights.npy:weights"), [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75]);
    assert.deepEqual(values.get("bias.npy:bias"), [1, 1, 1, 1]);
    assert.deepEqual(facts.map((f) => [f.members, f.name, f.value]), [
      [["weights.npy"], "numpy.format_version", "1.0"],
      [["bias.npy"], "numpy.format_version", "1.0"],
    ]);
  }
});

Deno.test("a Fortran-order array reads in row-major order", async () => {
  // np.asfortranarray(np.arange(6, dtype=int64).reshape(2, 3)): stored 0 3 1 4 2 5.
  const { tensors, values } = await listed(`${DIR}/benign/fortran_order.npy`);
  assert.deepEqual(rows(tensors), [["fortran_order", "I64", [2, 3], 48, true]]);
  assert.deepEqual(values.get("fortran_order"), [0, 1, 2, 3, 4, 5]);
});

Deno.test("strings, dates and structured arrays are listed only; an empty array reads empty", async () => {
  const strings = await listed(`${DIR}/benign/strings_dates.npz`);
  assert.deepEqual(rows(strings.tensors), [["names", "<U5", [2], 40, false], [
    "dates",
    "<M8[ns]",
    [1],
    8,
    false,
  ]]);
  assert.deepEqual(rows((await listed(`${DIR}/benign/structured.npy`)).tensors), [
    ["structured", "structured", [2], 44, false],
  ]);
  const empty = await listed(`${DIR}/benign/zero_size.npy`);
  assert.deepEqual(rows(empty.tensors), [["zero_size", "F64", [0, 3], 0, true]]);
  assert.deepEqual(empty.values.get("zero_size"), []);
});

Deno.test("a truncated array: listed with the bytes it needs, not readable, and MA310 stands", async () => {
  const { tensors, rules, values } = await listed(`${DIR}/malicious/truncated.npy`);
  assert.deepEqual(rows(tensors), [["truncated", "F64", [100], 800, false]]);
  assert.deepEqual(rules, ["MA310"]);
  assert.equal(values.size, 0);
});

Deno.test("an object array is listed by its shape, with no bytes and no values", async () => {
  const { tensors, rules } = await listed(`${DIR}/benign/object_plain.npy`);
  assert.deepEqual(rows(tensors), [["object_plain", "object", [3], undefined, false]]);
  assert.deepEqual(rules, []);
});
