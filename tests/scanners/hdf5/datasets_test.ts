// HDF5 datasets as a scan lists them (inspect, the weight analysis): the committed Keras files'
// weights (the generator writes np.ones kernels and np.zeros biases) read from contiguous layouts,
// layout version 4 (libver="latest") too, inside a .keras archive's model.weights.h5, with Keras's
// facts; datasets whose data is elsewhere (an external file, a virtual mapping) listed only; and
// datatype and layout messages assembled here byte by byte: bfloat16 told from float16 by its
// exponent, big-endian numbers, chunked layouts listed only.
import assert from "node:assert/strict";
import { bytesSource } from "../../../core/byte_source.ts";
import type { TensorInfo, WeightTensor } from "../../../core/tensor.ts";
import { describeDataset, listDatasets } from "../../../scanners/hdf5/datasets.ts";
import { listed, rows } from "../tensors/_inventory.ts";

const KERAS = "fixtures/keras";

Deno.test("a Keras 2 .h5 file: its weights, read, and its version, backend and model summary", async () => {
  const { tensors, values, facts, rules } = await listed(`${KERAS}/benign/sequential_keras2.h5`);
  assert.deepEqual(rules, []);
  assert.deepEqual(rows(tensors), [
    ["/model_weights/dense/dense/bias:0", "F32", [2], 8, true],
    ["/model_weights/dense/dense/kernel:0", "F32", [2, 2], 16, true],
    ["/model_weights/dense_1/dense_1/bias:0", "F32", [2], 8, true],
    ["/model_weights/dense_1/dense_1/kernel:0", "F32", [2, 2], 16, true],
  ]);
  assert.deepEqual(values.get("/model_weights/dense/dense/kernel:0"), [1, 1, 1, 1]);
  assert.deepEqual(values.get("/model_weights/dense/dense/bias:0"), [0, 0]);
  assert.deepEqual(facts.map((fact) => [fact.name, fact.value]), [
    ["keras.keras_version", "2.15.0"],
    ["keras.backend", "tensorflow"],
    ["keras.model_class", "Sequential"],
    ["keras.model_name", "sequential"],
    ["keras.layers", 3],
  ]);
});

Deno.test("layout message version 4 (libver='latest') reads as version 3's contiguous layout", async () => {
  const { tensors, values } = await listed(`${KERAS}/benign/sequential_latest.h5`);
  assert.deepEqual(tensors.map((t) => t.readable), [true, true, true, true]);
  assert.deepEqual(values.get("/model_weights/dense_1/dense_1/kernel:0"), [1, 1, 1, 1]);
});

Deno.test("a .keras archive: model.weights.h5's datasets, in the member, and config.json's summary", async () => {
  const { tensors, values, facts } = await listed(`${KERAS}/benign/sequential_keras3.keras`);
  assert.deepEqual(tensors.map((t) => [t.members, t.name, t.shape]), [
    [["model.weights.h5"], "/layers/dense/vars/0", [8, 2]],
    [["model.weights.h5"], "/layers/dense/vars/1", [2]],
    [["model.weights.h5"], "/layers/output/vars/0", [8, 2]],
    [["model.weights.h5"], "/layers/output/vars/1", [2]],
  ]);
  assert.deepEqual(values.get("model.weights.h5:/layers/dense/vars/0"), [1, 1, 1, 1, 1, 1, 1, 1]);
  assert.ok(facts.some((fact) => fact.members[0] === "config.json" && fact.name === "keras.model_class"));
});

Deno.test("data outside the file (an external file, a virtual dataset) is listed only", async () => {
  const external = await listed(`${KERAS}/malicious/external_dataset.h5`);
  assert.deepEqual(rows(external.tensors)[0], ["/leak", "U8", [16], 16, false]);
  assert.deepEqual(external.rules, ["MA411"]);
  const virtual = await listed(`${KERAS}/malicious/virtual_dataset.h5`);
  assert.deepEqual(rows(virtual.tensors)[0], ["/vds", "F64", [4], 32, false]);
});

const SUPERBLOCK = { at: 0, version: 0, offsetSize: 8, lengthSize: 8, base: 0, end: 0, root: 0 };
const space = (...dims: number[]) => {
  const d = new Uint8Array(8 + 8 * dims.length);
  d.set([1, dims.length]);
  dims.forEach((dim, k) => new DataView(d.buffer).setBigUint64(8 + 8 * k, BigInt(dim), true));
  return { type: 1, flags: 0, data: d };
};
/** A floating-point datatype message: class 1, byte order bit, size, then its bit layout. */
const float = (size: number, exponentBits: number, bigEndian = false) => ({
  type: 3,
  flags: 0,
  data: Uint8Array.of(
    0x11,
    bigEndian ? 1 : 0,
    0,
    0,
    size,
    0,
    0,
    0,
    0,
    0,
    size * 8,
    0,
    0,
    exponentBits,
    0,
    0,
    0,
    0,
    0,
    0,
  ),
});
const contiguous = (at: number, size: number) => {
  const d = new Uint8Array(18);
  d.set([3, 1]);
  new DataView(d.buffer).setBigUint64(2, BigInt(at), true);
  new DataView(d.buffer).setBigUint64(10, BigInt(size), true);
  return { type: 8, flags: 0, data: d };
};

async function read(
  messages: ReturnType<typeof space>[],
  file: Uint8Array,
): Promise<[TensorInfo, number[] | undefined]> {
  const dataset = describeDataset(messages, "/t", SUPERBLOCK)!;
  const out: [TensorInfo, WeightTensor | undefined][] = [];
  await listDatasets([dataset], bytesSource(file), {
    tensor: (info, r) => Promise.resolve(void out.push([info, r])),
    fact: () => {},
  });
  const [info, readable] = out[0];
  return [info, readable && [...await readable.read(0, 2)]];
}

Deno.test("bfloat16 and float16 by exponent width; big-endian float32; chunked and short data listed only", async () => {
  const halves = new Uint8Array(new Uint16Array([0x3f80, 0xc049]).buffer);
  assert.deepEqual(await read([space(2), float(2, 8), contiguous(0, 4)], halves), [
    { name: "/t", dtype: "BF16", shape: [2], bytes: 4 },
    [1, -3.140625],
  ]);
  assert.deepEqual((await read([space(2), float(2, 5), contiguous(0, 4)], halves))[0].dtype, "F16");
  const big = new Uint8Array(8);
  new DataView(big.buffer).setFloat32(0, 2.5, false);
  new DataView(big.buffer).setFloat32(4, -1, false);
  assert.deepEqual((await read([space(2), float(4, 8, true), contiguous(0, 8)], big))[1], [2.5, -1]);
  const chunked = { type: 8, flags: 0, data: Uint8Array.of(3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0) };
  assert.deepEqual(await read([space(2), float(4, 8), chunked], big), [
    { name: "/t", dtype: "F32", shape: [2], bytes: 8 },
    undefined,
  ]);
  // A contiguous range that the file does not hold whole.
  assert.equal((await read([space(2), float(4, 8), contiguous(4, 8)], big))[1], undefined);
});
