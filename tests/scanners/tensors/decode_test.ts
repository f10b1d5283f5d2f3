// The one tensor reader: every decodable dtype on bytes written here (float16 and bfloat16 edge
// values, FP8, big-endian, 64-bit integers), reads across chunk boundaries that never hold more than
// a chunk, strided layouts, and ranges and storage that do not fit.
import assert from "node:assert/strict";
import { type ByteSource, bytesSource } from "../../../core/byte_source.ts";
import { DecodeError } from "../../../core/decode_error.ts";
import { isDecodable, READ_CHUNK_BYTES, weightTensor } from "../../../scanners/tensors/decode.ts";

const u16 = (...bits: number[]) => new Uint8Array(new Uint16Array(bits).buffer);

Deno.test("float16: normal, largest, subnormal, signed zero, infinities and NaN", async () => {
  const bits = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x0400, 0x8000, 0x7c00, 0xfc00, 0x3555];
  const tensor = weightTensor({ name: "h", dtype: "F16", shape: [bits.length] }, {
    source: bytesSource(u16(...bits)),
  })!;
  const values = [...await tensor.read(0, bits.length)];
  assert.deepEqual(values, [
    1,
    -2,
    65504,
    2 ** -24,
    2 ** -14,
    -0,
    Infinity,
    -Infinity,
    Math.fround(0.333251953125),
  ]);
  assert.ok(Object.is(values[5], -0));
  const nan = weightTensor({ name: "n", dtype: "F16", shape: [1] }, { source: bytesSource(u16(0x7e00)) })!;
  assert.ok(Number.isNaN((await nan.read(0, 1))[0]));
});

Deno.test("bfloat16: the upper half of a float32, infinities and subnormals included", async () => {
  const bits = [0x3f80, 0xc049, 0x7f80, 0xff80, 0x0001, 0x4049];
  const tensor = weightTensor({ name: "b", dtype: "BF16", shape: [2, 3] }, {
    source: bytesSource(u16(...bits)),
  })!;
  assert.deepEqual([...await tensor.read(0, 6)], [1, -3.140625, Infinity, -Infinity, 2 ** -133, 3.140625]);
});

Deno.test("FP8 E4M3 and E5M2, as the OCP formats define them", async () => {
  const e4m3 = weightTensor({ name: "a", dtype: "F8_E4M3", shape: [5] }, {
    source: bytesSource(Uint8Array.of(0x38, 0x40, 0x30, 0xb8, 0x7e)),
  })!;
  assert.deepEqual([...await e4m3.read(0, 5)], [1, 2, 0.5, -1, 448]);
  const e5m2 = weightTensor({ name: "b", dtype: "F8_E5M2", shape: [3] }, {
    source: bytesSource(Uint8Array.of(0x3c, 0xc0, 0x7c)),
  })!;
  assert.deepEqual([...await e5m2.read(0, 3)], [1, -2, Infinity]);
});

Deno.test("integers, booleans and float64, little- and big-endian", async () => {
  const big = new DataView(new ArrayBuffer(16));
  big.setFloat64(0, -2.5, false);
  big.setFloat64(8, 1e300, false);
  const f64 = weightTensor({ name: "d", dtype: "F64", shape: [2] }, {
    source: bytesSource(new Uint8Array(big.buffer)),
    byteOrder: "big",
  })!;
  assert.deepEqual([...await f64.read(0, 2)], [-2.5, Infinity]); // 1e300 has no float32: it rounds to infinity
  const i64 = weightTensor({ name: "i", dtype: "I64", shape: [2] }, {
    source: bytesSource(new Uint8Array(new BigInt64Array([-3n, 1n << 40n]).buffer)),
  })!;
  assert.deepEqual([...await i64.read(0, 2)], [-3, 2 ** 40]);
  const mask = weightTensor({ name: "m", dtype: "BOOL", shape: [3] }, {
    source: bytesSource(Uint8Array.of(0, 7, 1)),
  })!;
  assert.deepEqual([...await mask.read(0, 3)], [0, 1, 1]);
  const u32 = weightTensor({ name: "u", dtype: "U32", shape: [1] }, {
    source: bytesSource(Uint8Array.of(0xff, 0xff, 0xff, 0xff)),
  })!;
  assert.deepEqual([...await u32.read(0, 1)], [4294967296]); // 2^32 - 1 rounds to 2^32 in float32
});

Deno.test("a read across chunk boundaries holds at most one chunk of storage at a time", async () => {
  const elements = READ_CHUNK_BYTES / 4 * 2 + 10;
  const values = Float32Array.from({ length: elements }, (_, i) => i);
  const backing = bytesSource(new Uint8Array(values.buffer));
  const lengths: number[] = [];
  const counting: ByteSource = {
    size: backing.size,
    read(offset, length) {
      lengths.push(length);
      return backing.read(offset, length);
    },
  };
  const tensor = weightTensor({ name: "w", dtype: "F32", shape: [elements] }, {
    source: counting,
    offset: 0,
  })!;
  const edge = READ_CHUNK_BYTES / 4 - 3;
  assert.deepEqual([...await tensor.read(edge, 6)], [edge, edge + 1, edge + 2, edge + 3, edge + 4, edge + 5]);
  lengths.length = 0;
  const all = await tensor.read(0, elements);
  assert.deepEqual(all, values);
  assert.deepEqual(lengths, [READ_CHUNK_BYTES, READ_CHUNK_BYTES, 40]);
});

Deno.test("a strided layout reads in row-major order, from its element offset", async () => {
  // Storage 0..11; a 3×2 transposed view of the 2×3 matrix starting at element 6: [[6, 9], [7, 10], [8, 11]].
  const storage = bytesSource(new Uint8Array(Float32Array.from({ length: 12 }, (_, i) => i).buffer));
  const view = weightTensor({ name: "t", dtype: "F32", shape: [3, 2] }, {
    source: storage,
    strides: [1, 3],
    elementOffset: 6,
  })!;
  assert.deepEqual([...await view.read(0, 6)], [6, 9, 7, 10, 8, 11]);
  assert.deepEqual([...await view.read(3, 2)], [10, 8]);
  // Strides of a contiguous layout read as one.
  const dense = weightTensor({ name: "d", dtype: "F32", shape: [2, 1, 3] }, {
    source: storage,
    strides: [3, 99, 1],
  })!;
  assert.deepEqual([...await dense.read(2, 3)], [2, 3, 4]);
});

Deno.test("ranges outside the tensor and storage shorter than it are errors, never short reads", async () => {
  const tensor = weightTensor({ name: "w", dtype: "F32", shape: [2] }, {
    source: bytesSource(new Uint8Array(6)),
  })!;
  await assert.rejects(tensor.read(1, 2), RangeError);
  await assert.rejects(tensor.read(-1, 1), RangeError);
  // Storage that ends early is corrupt input (a truncated file), which the engine reports; not a bug.
  await assert.rejects(
    tensor.read(0, 2),
    (error) => error instanceof DecodeError && /storage ends/.test(error.message),
  );
  assert.equal(
    weightTensor({ name: "c", dtype: "C64", shape: [1] }, { source: bytesSource(new Uint8Array(8)) }),
    undefined,
  );
  assert.equal(
    weightTensor({ name: "q", dtype: "Q4_K", shape: [256] }, { source: bytesSource(new Uint8Array(144)) }),
    undefined,
  );
  assert.deepEqual(["F32", "BF16", "F4", "Q8_0"].map(isDecodable), [true, true, false, false]);
});
