// joblib's array data inside a pickle stream, on streams assembled here the way
// joblib.dump writes them (joblib/numpy_pickle.py: NumpyArrayWrapper.write_array),
// scanned through the engine as a `.joblib` file is.
import assert from "node:assert/strict";
import { scanBytes } from "../../../engine/dispatch.ts";
import { Disassembler } from "../../../scanners/pickle/disassembler.ts";
import { arrayData, isArrayWrapper } from "../../../scanners/pickle/joblib.ts";
import { PickleMachine, quietHooks, type Value } from "../../../scanners/pickle/machine.ts";
import { Builder, bytes, global, le, type Part, sbu } from "./_bytes.ts";
import { scanBrief } from "./_context.ts";
import { renderLocation } from "../../../report/location.ts";

const FILE = "m.joblib";
const OS_SYSTEM = global("os", "system");
/** Fills raw data: an invalid opcode, so a skip that is off by one byte breaks the stream. */
const FILL = 0xff;

/** An int constant: BININT when it fits, else LONG1 (two's complement, little-endian). */
function int(value: number | bigint): Part[] {
  const n = BigInt(value);
  if (n >= -(2n ** 31n) && n < 2n ** 31n) return ["J", le(Number(BigInt.asUintN(32, n)), 4)];
  const out: number[] = [];
  let rest = n;
  // Stop once the rest is all sign bits and the last byte carries the sign.
  do {
    out.push(Number(BigInt.asUintN(8, rest)));
    rest >>= 8n;
  } while (rest !== ((out[out.length - 1] & 0x80) !== 0 ? -1n : 0n));
  return [0x8a, out.length, out];
}

interface DtypeState {
  version?: number;
  byteorder?: string;
  /** subarray, names, fields: `N` each unless given. */
  structure?: Part[];
  elsize?: number;
  flags?: number;
}

/** `numpy.dtype(typestr, False, True)` and, unless `state` is null, the BUILD numpy's reduce gives it. */
function dtype(typestr: string, state: DtypeState | null = {}): Part[] {
  const call: Part[] = [global("numpy", "dtype"), sbu(typestr), 0x89, 0x88, 0x87, "R"];
  if (state === null) return call;
  const { version = 3, byteorder = "<", structure = ["NNN"], elsize = -1, flags = 0 } = state;
  return [
    ...call,
    "(",
    ...int(version),
    sbu(byteorder),
    ...structure,
    ...int(elsize),
    ...int(-1),
    ...int(flags),
    "t",
    "b",
  ];
}

interface WrapperSpec {
  dtype: Part[];
  shape: (number | bigint)[];
  /** `numpy_array_alignment_bytes`: absent (joblib before 1.2) when undefined, None when null. */
  alignment?: number | null;
  /** The class the wrapper is an instance of. */
  cls?: string;
}

/** A NumpyArrayWrapper as joblib pickles it at protocol 2 (NEWOBJ, a state dict, BUILD); BINPUT 1 memoizes it. */
function wrapper(
  { dtype, shape, alignment, cls = "joblib.numpy_pickle.NumpyArrayWrapper" }: WrapperSpec,
): Part[] {
  const dot = cls.lastIndexOf(".");
  return [
    global(cls.slice(0, dot), cls.slice(dot + 1)),
    ")",
    0x81,
    "q",
    1,
    "}",
    "(",
    sbu("subclass"),
    global("numpy", "ndarray"),
    sbu("shape"),
    "(",
    ...shape.flatMap(int),
    "t",
    sbu("order"),
    sbu("C"),
    sbu("dtype"),
    ...dtype,
    sbu("allow_mmap"),
    0x88,
    ...(alignment === undefined
      ? []
      : [sbu("numpy_array_alignment_bytes"), ...(alignment === null ? ["N"] : int(alignment))]),
    "u",
    "b",
  ];
}

/** The wrapper of a one-dimensional object array (`dtype('O8')` with numpy's object flags) of `length` items. */
function objectArray(length: number): Part[] {
  return wrapper({ dtype: dtype("O8", { byteorder: "|", flags: 63 }), shape: [length] });
}

/** joblib's padding at `offset`: a length byte, then that many 0xff, so that the data starts 16-aligned. */
function padding(offset: number): number[] {
  const length = 16 - ((offset + 1) % 16);
  return [length, ...new Array(length).fill(0xff)];
}

/** A whole pickle that calls os.system; positions of its import and call inside it. */
function payload(): { bytes: Uint8Array; imported: number; called: number } {
  const p = new Builder();
  p.add(0x80, 2);
  const imported = p.add(OS_SYSTEM);
  p.add(sbu("echo modelaudit-test"), 0x85);
  const called = p.add("R");
  p.add(".");
  return { bytes: p.build(), imported, called };
}

async function findings(data: Uint8Array): Promise<string[]> {
  const outcome = await scanBytes(data, FILE);
  assert.equal(outcome.error, undefined);
  assert.equal(outcome.format, "pickle");
  return outcome.findings.map((f) => `${f.rule} ${f.severity} ${renderLocation(f.location)}`);
}

async function malformedReason(data: Uint8Array): Promise<string> {
  const found = (await scanBytes(data, FILE)).findings.filter((f) => f.rule === "MA105");
  assert.equal(found.length, 1);
  return String(found[0].details.reason);
}

/** A protocol-2 dict `{"weights": <array>, "hook": os.system(...)}` with the array's raw data written as given. */
function arrayThenPayload(spec: WrapperSpec, data: (offset: number) => Part[]) {
  const b = new Builder();
  b.add(0x80, 2, "}", "(", sbu("weights"), ...wrapper(spec));
  const raw = b.add(...data(b.size), sbu("hook"));
  const imported = b.add(OS_SYSTEM);
  b.add(sbu("echo modelaudit-test"), 0x85);
  const called = b.add("R");
  b.add("u", ".");
  return { data: b.build(), raw, imported, called };
}

Deno.test("raw array data is skipped by its padding byte, shape and dtype; the pickle after it is scanned", async () => {
  const s = arrayThenPayload(
    { dtype: dtype("i8"), shape: [2], alignment: 16 },
    (at) => [...padding(at), new Array(16).fill(FILL)],
  );
  assert.deepEqual(await findings(s.data), [
    `MA100 critical ${FILE} (pos ${s.imported})`,
    `MA101 critical ${FILE} (pos ${s.called})`,
  ]);
  // A plain unpickler (the option off, as for torch's streams) stops at the padding byte.
  assert.deepEqual(await scanBrief(s.data), [`MA105 warning @${s.raw}`]);
});

Deno.test("the padding-length byte is read as joblib reads it, not recomputed from the alignment", async () => {
  const s = arrayThenPayload(
    { dtype: dtype("u1"), shape: [3], alignment: 16 },
    () => [5, new Array(5 + 3).fill(FILL)],
  );
  assert.deepEqual(await findings(s.data), [
    `MA100 critical ${FILE} (pos ${s.imported})`,
    `MA101 critical ${FILE} (pos ${s.called})`,
  ]);
});

Deno.test("itemsizes of every kind numpy writes, from the dtype string and its state", async () => {
  // numpy's state of dtype([("a", "<i4"), ("b", "<f8")]): no subarray, names, fields {name: (dtype, offset)}.
  const fields: Part[] = ["N", "(", sbu("a"), sbu("b"), "t", "}", "("];
  fields.push(sbu("a"), ...dtype("i4"), "K", 0, 0x86, sbu("b"), ...dtype("f8"), "K", 4, 0x86, "u");
  const cases: [string, Part[], number][] = [
    ["b1", dtype("b1", { byteorder: "|" }), 1],
    ["?", dtype("?", { byteorder: "|" }), 1],
    ["i1", dtype("i1", { byteorder: "|" }), 1],
    [">i2", dtype(">i2", { byteorder: ">" }), 2],
    ["u4", dtype("u4"), 4],
    ["<i8", dtype("<i8"), 8],
    ["f2", dtype("f2"), 2],
    ["f4", dtype("f4"), 4],
    ["f8", dtype("f8"), 8],
    ["f16", dtype("f16"), 16],
    ["c8", dtype("c8"), 8],
    ["c16", dtype("c16"), 16],
    ["c32", dtype("c32"), 32],
    ["M8[ns] (no state)", dtype("M8[ns]", null), 8],
    ["m8", dtype("m8", { version: 4 }), 8],
    ["S10", dtype("S10", { byteorder: "|", elsize: 10 }), 10],
    ["<U5", dtype("<U5", { elsize: 20, flags: 8 }), 20],
    ["V12 with fields", dtype("V12", { byteorder: "|", structure: fields, elsize: 12, flags: 16 }), 12],
    [
      "V48 subarray",
      dtype("V48", {
        byteorder: "|",
        structure: [...dtype("f8"), "K", 2, "K", 3, 0x86, 0x86, "NN"],
        elsize: 48,
      }),
      48,
    ],
  ];
  for (const [name, parts, itemsize] of cases) {
    const s = arrayThenPayload(
      { dtype: parts, shape: [3], alignment: 16 },
      (at) => [...padding(at), new Array(3 * itemsize).fill(FILL)],
    );
    assert.deepEqual(await findings(s.data), [
      `MA100 critical ${FILE} (pos ${s.imported})`,
      `MA101 critical ${FILE} (pos ${s.called})`,
    ], name);
  }
});

Deno.test("a 0-d array holds one element; an empty one none; a None alignment means no padding", async () => {
  for (
    const [shape, alignment, data] of [
      [[], 16, 8],
      [[0, 5], 16, 0],
      [[2], null, 16],
    ] as const
  ) {
    const s = arrayThenPayload(
      { dtype: dtype("f8"), shape: [...shape], alignment },
      (at) => [...(alignment === null ? [] : padding(at)), new Array(data).fill(FILL)],
    );
    assert.deepEqual(await findings(s.data), [
      `MA100 critical ${FILE} (pos ${s.imported})`,
      `MA101 critical ${FILE} (pos ${s.called})`,
    ], JSON.stringify(shape));
  }
});

Deno.test("a shape that runs past the end of the file is malformed where the array data starts", async () => {
  const b = new Builder();
  b.add(0x80, 2, "}", "(", sbu("weights"), ...wrapper({ dtype: dtype("f8"), shape: [1000], alignment: 16 }));
  const raw = b.add(...padding(b.size), new Array(64).fill(FILL));
  const data = b.build();
  assert.deepEqual(await findings(data), [`MA105 warning ${FILE} (pos ${raw})`]);
  const needed = 1 + padding(raw)[0] + 8000;
  assert.match(
    await malformedReason(data),
    new RegExp(`needs ${needed} bytes, ${data.length - raw} remain$`),
  );
});

Deno.test("huge and negative shapes are compared exactly, never trusted", async () => {
  const huge = arrayThenPayload(
    { dtype: dtype("c16"), shape: [2n ** 62n, 2n ** 62n, 3], alignment: 16 },
    () => [],
  );
  assert.match(
    await malformedReason(huge.data),
    new RegExp(`needs ${1n + BigInt(huge.data[huge.raw]) + 2n ** 124n * 48n} bytes`),
  );
  // No data at all: joblib stops, but a plain unpickler reads on into the payload.
  const negative = arrayThenPayload({ dtype: dtype("f8"), shape: [-1, -2], alignment: 16 }, () => []);
  const raw = `${FILE}:<raw@${negative.raw}>`;
  assert.deepEqual(await findings(negative.data), [
    `MA100 critical ${raw} (pos ${negative.imported - negative.raw})`,
    `MA101 critical ${raw} (pos ${negative.called - negative.raw})`,
    `MA105 warning ${FILE} (pos ${negative.raw})`,
  ]);
  assert.match(await malformedReason(negative.data), /negative dimension \(-1\)$/);
});

Deno.test("an object array's data is a pickle: scanned in place, then the outer pickle resumes after its STOP", async () => {
  const inner = payload();
  const b = new Builder();
  b.add(
    0x80,
    2,
    "}",
    "(",
    sbu("labels"),
    ...objectArray(2),
  );
  const start = b.add(inner.bytes);
  b.add(sbu("more"));
  const unknown = b.add(global("mypkg", "helper"));
  const called = b.add(")R");
  b.add("u", ".");
  assert.deepEqual(await findings(b.build()), [
    `MA100 critical ${FILE} (pos ${start + inner.imported})`,
    `MA101 critical ${FILE} (pos ${start + inner.called})`,
    `MA102 warning ${FILE} (pos ${unknown})`,
    `MA103 warning ${FILE} (pos ${called + 1})`,
  ]);
});

Deno.test("an object array's pickle that breaks is malformed once, where it breaks", async () => {
  const b = new Builder();
  b.add(
    0x80,
    2,
    "}",
    "(",
    sbu("labels"),
    ...objectArray(1),
  );
  const start = b.add(0x80, 2);
  b.add(OS_SYSTEM);
  const data = b.build();
  assert.deepEqual(await findings(data), [
    `MA100 critical ${FILE} (pos ${start + 2})`,
    `MA105 warning ${FILE} (pos ${data.length})`,
  ]);
  const missing = new Builder();
  missing.add(0x80, 2, ...objectArray(1));
  assert.deepEqual(await findings(missing.build()), [`MA105 warning ${FILE} (pos ${missing.size})`]);
});

Deno.test("without a padding byte, data a plain unpickler would run is scanned from its first byte", async () => {
  const inner = payload();
  const second = payload();
  const b = new Builder();
  b.add(0x80, 2, "}", "(", sbu("a"), ...wrapper({ dtype: dtype("u1"), shape: [inner.bytes.length] }));
  const start = b.add(inner.bytes);
  // A plain unpickler stops at the first payload's STOP; read on, it breaks at SETITEMS (no MARK), so the
  // second array's data is on no loader's path.
  b.add(
    "u",
    "(",
    sbu("b"),
    ...wrapper({ dtype: dtype("u1"), shape: [second.bytes.length] }),
    second.bytes,
    "u",
    ".",
  );
  assert.deepEqual(await findings(b.build()), [
    `MA100 critical ${FILE}:<raw@${start}> (pos ${inner.imported})`,
    `MA101 critical ${FILE}:<raw@${start}> (pos ${inner.called})`,
  ]);
});

Deno.test("a plain unpickler that reads on after the first array's payload meets the second one", async () => {
  const inner = payload();
  const second = payload();
  const b = new Builder();
  b.add(0x80, 2, "}", "(", sbu("a"), ...wrapper({ dtype: dtype("u1"), shape: [inner.bytes.length] }));
  const start = b.add(inner.bytes);
  // To a second pickle.load, SHORT_BINUNICODE "b" starts a pickle that reads the second array as opcodes.
  b.add(sbu("b"), ...wrapper({ dtype: dtype("u1"), shape: [second.bytes.length] }));
  const next = b.add(second.bytes) - start;
  b.add("u", ".");
  assert.deepEqual(await findings(b.build()), [
    `MA100 critical ${FILE}:<raw@${start}> (pos ${inner.imported})`,
    `MA101 critical ${FILE}:<raw@${start}> (pos ${inner.called})`,
    `MA100 critical ${FILE}:<raw@${start}>:<raw@${next}> (pos ${second.imported})`,
    `MA101 critical ${FILE}:<raw@${start}>:<raw@${next}> (pos ${second.called})`,
  ]);
});

Deno.test("a padding byte that is an opcode lets a plain unpickler in, so that view is scanned too", async () => {
  const inner = payload();
  const b = new Builder();
  b.add(0x80, 2, "}", "(", sbu("a"), ...wrapper({ dtype: dtype("u1"), shape: [0], alignment: 16 }));
  // Padding length 0x28 is MARK to a plain unpickler, which runs the payload; joblib skips 40 bytes.
  const start = b.add(0x28, inner.bytes, new Array(0x28 - inner.bytes.length).fill(FILL));
  b.add("u", ".");
  assert.deepEqual(await findings(b.build()), [
    `MA100 critical ${FILE}:<raw@${start}> (pos ${1 + inner.imported})`,
    `MA101 critical ${FILE}:<raw@${start}> (pos ${1 + inner.called})`,
  ]);
});

Deno.test("dtypes the scanner cannot size exactly are malformed, with the reason", async () => {
  const cases: [Part[], RegExp][] = [
    [dtype("i3"), /its dtype 'i3' is not one numpy writes$/],
    [dtype("l"), /its dtype 'l' is not one numpy writes$/],
    [dtype("f8", { flags: 1 }), /has flags 1, which contradict whether it holds objects$/],
    [dtype("O8", { byteorder: "|", flags: 0 }), /has flags 0, which contradict whether it holds objects$/],
    [dtype("U5", { elsize: 400 }), /gives itemsize 400, its dtype string 20$/],
    [dtype("f8", { version: 2 }), /has version 2, not 3 or 4$/],
    [dtype("f8", { byteorder: "<<" }), /has no one-character byte order$/],
    [dtype("f8", { structure: ["N", "(", sbu("a"), "t", "}"] }), /gives a subarray or fields/],
    [[global("numpy", "float64")], /its dtype is not a numpy.dtype\(\.\.\.\) call$/],
  ];
  for (const [parts, reason] of cases) {
    const s = arrayThenPayload(
      { dtype: parts, shape: [1], alignment: 16 },
      (at) => [...padding(at), FILL, FILL],
    );
    assert.deepEqual(await findings(s.data), [`MA105 warning ${FILE} (pos ${s.raw})`], String(reason));
    assert.match(await malformedReason(s.data), reason);
  }
});

Deno.test("a wrapper built twice, or inside a FRAME that goes on, is malformed: joblib reads elsewhere", async () => {
  const b = new Builder();
  b.add(0x80, 2, "(", ...wrapper({ dtype: dtype("u1"), shape: [1], alignment: 16 }));
  b.add(...padding(b.size), FILL, "h", 1, "}");
  const again = b.add("b") + 1;
  b.add("l.");
  // The machine flags the second BUILD itself: it could call a __setstate__ the first one stored.
  assert.deepEqual(await findings(b.build()), [
    `MA101 critical ${FILE} (pos ${again - 1})`,
    `MA105 warning ${FILE} (pos ${again})`,
  ]);
  assert.match(await malformedReason(b.build()), /built a second time/);

  const ops = bytes(...wrapper({ dtype: dtype("u1"), shape: [0], alignment: 16 }), ".");
  const framed = bytes(0x80, 4, 0x95, le(ops.length, 8), ops, 1, FILL);
  const at = 11 + ops.length - 1;
  assert.deepEqual(await findings(framed), [`MA105 warning ${FILE} (pos ${at})`]);
  assert.match(await malformedReason(framed), /inside a FRAME that goes on after it$/);
  // joblib commits the frame before the data: a frame that ends at the BUILD is fine.
  const committed = bytes(0x80, 4, 0x95, le(ops.length - 1, 8), ops.subarray(0, -1), 1, FILL, ".");
  assert.deepEqual(await findings(committed), []);
});

Deno.test("only joblib's own NumpyArrayWrapper has data after its BUILD", async () => {
  const b = new Builder();
  b.add(0x80, 2, "(");
  const imported = b.add(
    ...wrapper({ dtype: dtype("u1"), shape: [1], alignment: 16, cls: "mypkg.NumpyArrayWrapper" }),
  );
  const created = imported + global("mypkg", "NumpyArrayWrapper").length + 1;
  const raw = b.add(...padding(b.size), FILL, "l.");
  assert.deepEqual(await findings(b.build()), [
    `MA102 warning ${FILE} (pos ${imported})`,
    `MA103 warning ${FILE} (pos ${created})`,
    `MA105 warning ${FILE} (pos ${raw})`,
  ]);
});

Deno.test("a wrapper made by a call joblib never writes (partial(cls)()) cannot be sized", async () => {
  const spec = { dtype: dtype("u1"), shape: [1], alignment: 16 };
  const b = new Builder();
  b.add(
    0x80,
    2,
    global("functools", "partial"),
    global("joblib.numpy_pickle", "NumpyArrayWrapper"),
    0x85,
    "R)",
  );
  const computed = b.add("R");
  // The state dict and BUILD, as for a wrapper made by NEWOBJ.
  b.add(...wrapper(spec).slice(5));
  const raw = b.add(...padding(b.size), FILL, ".");
  assert.deepEqual(await findings(b.build()), [
    `MA103 warning ${FILE} (pos ${computed})`,
    `MA105 warning ${FILE} (pos ${raw})`,
  ]);
  assert.match(await malformedReason(b.build()), /made by a call joblib never writes/);
});

Deno.test("protocols 0 and 1 create the wrapper with copyreg._reconstructor; joblib.dump(protocol=0) bytes", async () => {
  // joblib.dump(numpy.arange(3, dtype="u1"), f, protocol=0) with joblib 1.2.0 and numpy 1.24.
  const dumped = bytes(
    "ccopy_reg\n_reconstructor\np0\n(cjoblib.numpy_pickle\nNumpyArrayWrapper\np1\nc__builtin__\nobject\np2\nNtp3\n",
    "Rp4\n(dp5\nVsubclass\np6\ncnumpy\nndarray\np7\nsVshape\np8\n(I3\ntp9\nsVorder\np10\nVC\np11\nsVdtype\np12\n",
    "cnumpy\ndtype\np13\n(Vu1\np14\nI00\nI01\ntp15\nRp16\n(I3\nV|\np17\nNNNI-1\nI-1\nI0\ntp18\nbsVallow_mmap\np19\n",
    "I01\nsVnumpy_array_alignment_bytes\np20\nI16\nsb\n",
    new Array(10).fill(0xff),
    [0, 1, 2],
    ".",
  );
  assert.deepEqual(await findings(dumped), []);
  const inner = payload();
  assert.deepEqual(await findings(bytes(dumped, inner.bytes)), [
    `MA100 critical ${FILE} (pos ${dumped.length + inner.imported})`,
    `MA101 critical ${FILE} (pos ${dumped.length + inner.called})`,
  ]);
});

Deno.test("arrayData on the values the machine built", () => {
  const built: Value[] = [];
  const machine = new PickleMachine(
    quietHooks({ fact: (fact) => fact.kind === "build" && built.push(fact.target) }),
  );
  const stream = bytes(
    0x80,
    2,
    "(",
    ...wrapper({ dtype: dtype("<U5", { elsize: 20, flags: 8 }), shape: [2, 3], alignment: 16 }),
    ...wrapper({ dtype: dtype("f8"), shape: [4] }),
    ...objectArray(1),
    global("joblib.numpy_pickle", "NumpyArrayWrapper"),
    ")",
    0x81,
    "N",
    "b",
    "l.",
  );
  const dis = Disassembler.fromBytes(stream);
  for (let op = dis.next(); op; op = dis.next()) machine.step(op);
  const wrappers = built.filter(isArrayWrapper);
  // The three dtypes' BUILDs reach the hook too, but they are no wrappers.
  assert.equal(built.length, 7);
  assert.equal(wrappers.length, 4);
  assert.deepEqual(wrappers.map(arrayData), [
    { kind: "raw", padded: true, bytes: 120n },
    { kind: "raw", padded: false, bytes: 32n },
    { kind: "pickle" },
    { kind: "unknown", reason: "its BUILD state is not a dict" },
  ]);
});
