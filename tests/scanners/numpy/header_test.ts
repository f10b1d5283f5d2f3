// The .npy header as np.load reads it, on np.save output (the fixtures) and on headers built
// here: versions, lengths, encodings, the exact key set, and the types of shape and fortran_order.
import assert from "node:assert/strict";
import { bytesSource } from "../../../core/byte_source.ts";
import { analyseDescr } from "../../../scanners/numpy/dtype.ts";
import { readNpyHeader } from "../../../scanners/numpy/header.ts";
import { DEFAULT_NUMPY_OPTIONS } from "../../../scanners/option_catalog.ts";

const MAX_NPY_HEADER_BYTES = DEFAULT_NUMPY_OPTIONS.maxHeaderBytes;
import { parsePythonLiteral, type PyValue } from "../../../scanners/numpy/literal.ts";
import { concat, fixture } from "../compressed/_scan.ts";

const MAGIC = Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59);

/** A .npy file of `header` (text, or bytes) at `version`, then `data`. */
function npy(header: string | Uint8Array, version = 1, data = new Uint8Array(0)): Uint8Array {
  const text = typeof header === "string" ? new TextEncoder().encode(header) : header;
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, text.length, true);
  return concat(MAGIC, Uint8Array.of(version, 0), length.subarray(0, version === 1 ? 2 : 4), text, data);
}

async function problem(bytes: Uint8Array) {
  const result = await readNpyHeader(bytesSource(bytes));
  assert.ok(!result.ok, "the header was accepted");
  return result.problem;
}

Deno.test("npy header: np.save output, versions 1.0, 2.0 and 3.0", async () => {
  for (
    const [file, version, dataOffset, shape] of [
      ["benign/float32_2d.npy", "1.0", 128, [3n, 4n]],
      ["benign/version_2_0.npy", "2.0", 128, [3n, 4n]],
      ["benign/version_3_0.npy", "3.0", 128, [2n]],
      ["benign/zero_size.npy", "1.0", 128, [0n, 3n]],
    ] as const
  ) {
    const result = await readNpyHeader(bytesSource(await fixture(`numpy/${file}`)));
    assert.ok(result.ok, file);
    assert.equal(result.header.version, version);
    assert.equal(result.header.dataOffset, dataOffset);
    assert.deepEqual(result.header.shape, shape);
  }
});

Deno.test("npy header: Python 2 longs in versions 1.0 and 2.0 only, and bools as shape ints", async () => {
  const text = "{'descr': '<f4', 'fortran_order': True, 'shape': (2L, True), }";
  const result = await readNpyHeader(bytesSource(npy(text)));
  assert.ok(result.ok);
  assert.deepEqual(result.header.shape, [2n, 1n]);
  assert.equal(result.header.fortranOrder, true);
  assert.match((await problem(npy(text, 3))).reason, /not a Python literal: invalid number/);
});

Deno.test("npy header: what np.load refuses, and where", async () => {
  const good = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }";
  assert.deepEqual(await problem(concat(Uint8Array.of(0x93), new TextEncoder().encode("NUMPZ\x01\x00"))), {
    reason: "the file does not start with the .npy magic string",
    position: 0,
    dataOffset: undefined,
  });
  for (const version of [0, 4]) assert.equal((await problem(npy(good, version))).position, 6);
  const minor = npy(good);
  minor[7] = 1;
  assert.match((await problem(minor)).reason, /version 1\.1/);
  assert.deepEqual(await problem(npy(good).subarray(0, 30)), {
    reason: "truncated: the header declares 57 bytes, 20 remain",
    position: 8,
    dataOffset: undefined,
  });
  const cases: [string, RegExp][] = [
    ["[1, 2]", /a list, not a dict/],
    ["{'descr': '<f4', 'shape': (1,)}", /keys are \["descr","shape"\]/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", /keys are/],
    ["{b'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", /a bytes key/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': [1]}", /shape is not a tuple of ints/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (1.0,)}", /shape is not a tuple of ints/],
    ["{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}", /fortran_order is not a bool/],
  ];
  for (const [text, reason] of cases) {
    const found = await problem(npy(text));
    assert.match(found.reason, reason, text);
    assert.deepEqual([found.position, found.dataOffset], [10, 10 + text.length], text);
  }
  const syntax = await problem(npy("{'descr': os.system}"));
  assert.deepEqual([syntax.position, syntax.reason], [
    20,
    "the header is not a Python literal: 'os' is not a literal",
  ]);
  assert.match((await problem(npy(Uint8Array.of(0x7b, 0xff), 3))).reason, /not valid UTF-8/);
});

Deno.test("npy header: a header over the inspected size is refused with its data offset and the option to raise", async () => {
  const length = MAX_NPY_HEADER_BYTES + 1;
  const bytes = npy(new Uint8Array(length).fill(0x20), 2);
  assert.deepEqual(await problem(bytes), {
    reason: `the header is ${length} bytes long, more than the ${MAX_NPY_HEADER_BYTES} inspected`,
    position: 8,
    dataOffset: 12 + length,
    option: "numpy.maxHeaderBytes",
  });
});

/** `analyseDescr` of a descr written as Python. */
function descr(text: string) {
  const parsed = parsePythonLiteral(text);
  assert.ok(parsed.ok, text);
  return analyseDescr(parsed.value as PyValue);
}

Deno.test("dtype: the type strings np.save writes, with their item sizes", () => {
  for (
    const [text, itemsize] of [
      ["'<f4'", 4n],
      ["'|b1'", 1n],
      ["'>i8'", 8n],
      ["'<c16'", 16n],
      ["'<f16'", 16n],
      ["'|S3'", 3n],
      ["'<U5'", 20n],
      ["'|V16'", 16n],
      ["'<M8[ns]'", 8n],
      ["'<m8'", 8n],
    ] as const
  ) assert.deepEqual(descr(text), { kind: "plain", itemsize }, text);
  for (const text of ["'|O'", "'O'", "'<O8'"]) assert.deepEqual(descr(text), { kind: "object" }, text);
});

Deno.test("dtype: structured fields, subarrays, titles and padding", () => {
  assert.deepEqual(descr("[('id', '<i4'), ('w', '<f8', (2,)), ('tag', '|S2')]"), {
    kind: "plain",
    itemsize: 22n,
  });
  assert.deepEqual(descr("[(('Title', 'x'), '<f4'), ('', '|V4'), ('n', [('a', '<i2'), ('b', '|u1', 3)])]"), {
    kind: "plain",
    itemsize: 13n,
  });
  assert.deepEqual(descr("('<f4', (2, 3))"), { kind: "plain", itemsize: 24n });
  assert.deepEqual(descr("[]"), { kind: "plain", itemsize: 0n });
  assert.deepEqual(descr("[('a', '<i4'), ('b', [('c', '|O')])]"), { kind: "object" });
  assert.deepEqual(descr("[('a', 'weird'), ('b', '|O')]"), { kind: "object" });
});

Deno.test("dtype: other forms are not understood; whether they may name objects is judged from their strings", () => {
  for (
    const [text, mayHoldObjects] of [
      ["'float32'", false],
      ["'<i3'", false],
      ["'object'", true],
      ["'i4,O'", true],
      ["['xO']", true],
      ["[('a', '<f4', (-1,))]", false],
      ["{'names': ['a'], 'formats': ['O']}", true],
      ["('<f4',)", false],
      ["7", false],
    ] as const
  ) {
    const info = descr(text);
    assert.equal(info.kind, "unknown", text);
    assert.equal(info.kind === "unknown" && info.mayHoldObjects, mayHoldObjects, text);
  }
});
