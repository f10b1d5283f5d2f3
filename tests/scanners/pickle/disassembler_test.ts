import assert from "node:assert/strict";
import { type ByteSource, bytesSource } from "../../../core/byte_source.ts";
import {
  Disassembler,
  FrameTracker,
  GlobalName,
  LARGE_ARG_BYTES,
  LargeArg,
  type OpArg,
  type PickleOp,
  READ_CHUNK_BYTES,
  type StreamBreak,
} from "../../../scanners/pickle/disassembler.ts";
import { Builder, bytes, le, sbu } from "./_bytes.ts";

/** Every opcode of `source` through the asynchronous path, and how the stream ended. */
async function disassemble(
  source: ByteSource,
): Promise<{ ops: PickleOp[]; end: string; failure?: StreamBreak }> {
  const dis = new Disassembler(source);
  const ops: PickleOp[] = [];
  for (;;) {
    const op = dis.next();
    if (op) ops.push(op);
    else if (dis.status === "more") await dis.fill();
    else return { ops, end: dis.status, failure: dis.failure };
  }
}

/** `[name, pos, arg]` of every opcode of `data`. */
async function listing(data: Uint8Array): Promise<[string, number, OpArg][]> {
  const { ops, end, failure } = await disassemble(bytesSource(data));
  assert.equal(end, "end", JSON.stringify(failure));
  return ops.map((op) => [op.name, op.pos, op.arg]);
}

async function failureOf(data: Uint8Array): Promise<StreamBreak | undefined> {
  const { end, failure } = await disassemble(bytesSource(data));
  assert.equal(end, "break");
  return failure;
}

Deno.test("protocol-0 text arguments decode as CPython reads them", async () => {
  assert.deepEqual(
    await listing(bytes("I01\nI00\nI 0x1f\nI-7\nL12L\nL-99999999999999999999\nF1.5\nF-inf\n")),
    [
      ["INT", 0, true],
      ["INT", 4, false],
      ["INT", 8, 31],
      ["INT", 15, -7],
      ["LONG", 19, 12],
      ["LONG", 24, -99999999999999999999n],
      ["FLOAT", 47, 1.5],
      ["FLOAT", 52, -Infinity],
    ],
  );
  assert.deepEqual(
    await listing(bytes("S'a\\x41\\n\\101\\q\"'\nS\"it's\"\nVa\\u000ab\\u1234\\\\u0041\n")),
    [
      ["STRING", 0, bytes('aA\nA\\q"')],
      ["STRING", 18, bytes("it's")],
      ["UNICODE", 26, "a\nb\u1234\\\\u0041"],
    ],
  );
  assert.deepEqual(
    await listing(bytes("cos\nsystem\nios\npath\nP0\ng12\np3\n")),
    [
      ["GLOBAL", 0, new GlobalName("os", "system")],
      ["INST", 11, new GlobalName("os", "path")],
      ["PERSID", 20, "0"],
      ["GET", 23, 12],
      ["PUT", 27, 3],
    ],
  );
});

Deno.test("number lines: the C unpickler's parsers stop at a NUL, the pure-Python one's float() skips whitespace", async () => {
  // A stream that broke here would hide everything after it (and a first opcode that breaks hides the file).
  assert.deepEqual(
    await listing(bytes("I7\0junk\nL5\0xL\nF1.5\0x\ng12\0y\np3\0z\nF 2.5 \nF1_000.5\n")),
    [
      ["INT", 0, 7],
      ["LONG", 8, 5],
      ["FLOAT", 14, 1.5],
      ["GET", 21, 12],
      ["PUT", 27, 3],
      ["FLOAT", 32, 2.5],
      ["FLOAT", 39, 1000.5],
    ],
  );
  for (const line of ["F1__0\n", "F_1\n", "F1.5x\n", "I\0\n", "Ix\0\n"]) {
    assert.ok(await failureOf(bytes(line)), line);
  }
});

Deno.test("binary arguments decode with their sizes, signs and byte orders", async () => {
  const data = bytes(
    0x80,
    5,
    0x95,
    le(0, 8),
    "J",
    [0xff, 0xff, 0xff, 0xff],
    "K",
    200,
    "M",
    [0xff, 0xff],
    "G",
    [0x3f, 0xf8, 0, 0, 0, 0, 0, 0],
    0x8a,
    9,
    [0, 0, 0, 0, 0, 0, 0, 0, 0xc0],
    0x8a,
    2,
    [0x00, 0x80],
    0x8b,
    le(1, 4),
    [0x05],
    "U",
    2,
    "ab",
    "T",
    le(1, 4),
    "c",
    "C",
    1,
    [0xfe],
    "B",
    le(2, 4),
    [1, 2],
    0x8e,
    le(1, 8),
    [9],
    0x96,
    le(2, 8),
    "xy",
    "X",
    le(2, 4),
    [0xc3, 0xa9],
    0x8d,
    le(1, 8),
    "z",
    0x82,
    7,
    0x83,
    [0x34, 0x12],
    0x84,
    [0xff, 0xff, 0xff, 0x7f],
    "h",
    3,
    "j",
    le(70000, 4),
    "q",
    4,
    "r",
    le(70000, 4),
  );
  assert.deepEqual((await listing(data)).map(([name, , arg]) => [name, arg]), [
    ["PROTO", 5],
    ["FRAME", 0],
    ["BININT", -1],
    ["BININT1", 200],
    ["BININT2", 65535],
    ["BINFLOAT", 1.5],
    ["LONG1", -(2n ** 70n)],
    ["LONG1", -32768],
    ["LONG4", 5],
    ["SHORT_BINSTRING", bytes("ab")],
    ["BINSTRING", bytes("c")],
    ["SHORT_BINBYTES", bytes(0xfe)],
    ["BINBYTES", bytes(1, 2)],
    ["BINBYTES8", bytes(9)],
    ["BYTEARRAY8", bytes("xy")],
    ["BINUNICODE", "é"],
    ["BINUNICODE8", "z"],
    ["EXT1", 7],
    ["EXT2", 0x1234],
    ["EXT4", 0x7fffffff],
    ["BINGET", 3],
    ["LONG_BINGET", 70000],
    ["BINPUT", 4],
    ["LONG_BINPUT", 70000],
  ]);
});

Deno.test("arguments above LARGE_ARG_BYTES are ranges, not copies", async () => {
  const length = LARGE_ARG_BYTES + 1;
  const data = new Uint8Array(1 + 8 + length + 1);
  data.set(bytes(0x8e, le(length, 8)), 0);
  data[data.length - 1] = 0x2e;
  assert.deepEqual(await listing(data), [
    ["BINBYTES8", 0, new LargeArg(9, length, false)],
    ["STOP", 9 + length, undefined],
  ]);
});

Deno.test("a protocol-0 line longer than its cap is skipped to its newline, not buffered", async () => {
  const long = "a".repeat(LARGE_ARG_BYTES + 10);
  const module = "m".repeat(70_000);
  const data = bytes(`S'${long}'\nc${module}\nname\nN.`);
  const ops = await listing(data);
  assert.deepEqual(ops, [
    ["STRING", 0, new LargeArg(1, long.length + 2, true)],
    ["GLOBAL", long.length + 4, new GlobalName(null, "name")],
    ["NONE", data.length - 2, undefined],
    ["STOP", data.length - 1, undefined],
  ]);
});

Deno.test("decoding is the same whether opcodes straddle read chunks or not", async () => {
  // ~3 MB of short strings, integers and GLOBAL lines so that some opcodes cross each 1 MiB chunk boundary.
  const pickle = new Builder();
  pickle.add(0x80, 4);
  for (let i = 0; i < 100_000; i++) pickle.add(sbu(`key${i}`), "J", le(i, 4), `cmod${i}\nname${i}\n`);
  pickle.add(".");
  const data = pickle.build();
  assert.ok(data.length > 2 * READ_CHUNK_BYTES);
  const streamed = await disassemble(bytesSource(data));
  const inMemory = Disassembler.fromBytes(data);
  const direct: PickleOp[] = [];
  for (let op = inMemory.next(); op; op = inMemory.next()) direct.push(op);
  assert.equal(streamed.end, "end");
  assert.equal(inMemory.status, "end");
  assert.equal(streamed.ops.length, 300_002);
  assert.deepEqual(streamed.ops, direct);
});

Deno.test("an invalid opcode or a truncated argument ends the stream with a position and a reason", async () => {
  assert.deepEqual(await failureOf(bytes("N\xff.")), { pos: 1, reason: "invalid opcode 0xff" });
  assert.deepEqual(await failureOf(bytes(0x80, 4, 0x8c, 10, "abc")), {
    pos: 2,
    reason: "truncated: SHORT_BINUNICODE declares 10 bytes, 3 remain",
  });
  assert.deepEqual(await failureOf(bytes("N", "J", [1, 2])), {
    pos: 1,
    reason: "truncated: BININT needs 5 bytes, 3 remain",
  });
  assert.deepEqual(await failureOf(bytes("cos\nsys")), {
    pos: 0,
    reason: "truncated: GLOBAL line has no newline",
  });
  assert.deepEqual(await failureOf(bytes("Sabc\n.")), { pos: 0, reason: "STRING argument is not quoted" });
  assert.deepEqual(await failureOf(bytes("F1__0\n.")), { pos: 0, reason: "FLOAT argument is not a number" });
  assert.deepEqual(await failureOf(bytes("T", [0xff, 0xff, 0xff, 0xff], ".")), {
    pos: 0,
    reason: "BINSTRING has a negative length (-1)",
  });
  assert.deepEqual(await failureOf(bytes(0x8e, le(2 ** 40, 8))), {
    pos: 0,
    reason: `truncated: BINBYTES8 declares ${2 ** 40} bytes, 0 remain`,
  });
});

Deno.test("over a file's head, running out of bytes means 'more', not truncation", () => {
  const dis = Disassembler.fromBytes(bytes("(cos\nsys"), 1000);
  assert.equal(dis.next()?.name, "MARK");
  assert.equal(dis.next(), undefined);
  assert.equal(dis.status, "more");
});

function frameFindings(data: Uint8Array) {
  const dis = Disassembler.fromBytes(data);
  const frames = new FrameTracker(data.length);
  const found = [];
  for (let op = dis.next(); op; op = dis.next()) {
    const mismatch = frames.observe(op);
    if (mismatch) found.push(mismatch);
  }
  return found;
}

Deno.test("FrameTracker accepts frames that end on an opcode boundary and flags the rest", () => {
  const frame = (length: number) => bytes(0x95, le(length, 8));
  // Good: two frames, each ending exactly on an opcode, the last at STOP.
  assert.deepEqual(frameFindings(bytes(0x80, 4, frame(4), sbu("os"), frame(2), "N.")), []);
  // The 4-byte string straddles a 2-byte frame.
  assert.deepEqual(frameFindings(bytes(0x80, 4, frame(2), sbu("os"), "N.")), [
    { pos: 2, declared: 2, actual: 4, reason: "SHORT_BINUNICODE at 11 straddles the frame's end" },
  ]);
  // Declared past the end of the data.
  assert.deepEqual(frameFindings(bytes(0x80, 4, frame(100), "N.")), [
    { pos: 2, declared: 100, actual: 2, reason: "the frame runs past the end of the data" },
  ]);
  // STOP inside the frame with bytes of the frame left after it.
  assert.deepEqual(frameFindings(bytes(0x80, 4, frame(4), "N.NN")), [
    { pos: 2, declared: 4, actual: 2, reason: "the pickle ends (STOP) before the frame does" },
  ]);
  // A FRAME inside an unfinished frame.
  assert.deepEqual(frameFindings(bytes(0x80, 4, frame(12), "N", frame(1), "N.")), [
    { pos: 2, declared: 12, actual: 1, reason: "a new FRAME starts before the current frame ends" },
  ]);
});

Deno.test("FrameTracker.inFrame: open until an opcode ends exactly at the frame's end", () => {
  const data = bytes(0x80, 4, 0x95, le(2, 8), "NN", "N.");
  const dis = Disassembler.fromBytes(data);
  const frames = new FrameTracker(data.length);
  const open: string[] = [];
  for (let op = dis.next(); op; op = dis.next()) {
    frames.observe(op);
    open.push(`${op.name}:${frames.inFrame}`);
  }
  assert.deepEqual(open, [
    "PROTO:false",
    "FRAME:true",
    "NONE:true",
    "NONE:false",
    "NONE:false",
    "STOP:false",
  ]);
});

Deno.test("seek skips bytes that are not opcodes, within the buffer or past it, and never goes back", async () => {
  const data = bytes("N", 0xff, 0xff, "N.");
  const dis = Disassembler.fromBytes(data);
  assert.equal(dis.next()?.name, "NONE");
  dis.seek(3);
  assert.deepEqual([dis.next()?.pos, dis.next()?.name], [3, "STOP"]);
  assert.throws(() => dis.seek(1), /seek back/);
  // Past the buffered chunk: the next opcode is read from the source at its offset.
  const far = new Uint8Array(READ_CHUNK_BYTES + 10).fill(0xff);
  far.set(bytes("N"), 0);
  far.set(bytes("N."), READ_CHUNK_BYTES + 8);
  const streamed = new Disassembler(bytesSource(far));
  const names: string[] = [];
  for (;;) {
    const op = streamed.next();
    if (op) {
      names.push(`${op.name}@${op.pos}`);
      if (op.pos === 0) streamed.seek(READ_CHUNK_BYTES + 8);
    } else if (streamed.status === "more") await streamed.fill();
    else break;
  }
  assert.deepEqual(names, ["NONE@0", `NONE@${READ_CHUNK_BYTES + 8}`, `STOP@${READ_CHUNK_BYTES + 9}`]);
  assert.equal(streamed.status, "end");
});
