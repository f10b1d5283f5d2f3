import assert from "node:assert/strict";
import { OP, OPCODE_BY_CODE, opcodeName, OPCODES } from "../../../scanners/pickle/opcodes.ts";

Deno.test("the table has all 68 opcodes of pickletools, each byte once", () => {
  assert.equal(OPCODES.length, 68);
  assert.equal(new Set(OPCODES.map((o) => o.code)).size, 68);
  assert.equal(OPCODE_BY_CODE.filter((o) => o !== undefined).length, 68);
});

Deno.test("opcode bytes, argument kinds and protocols match pickletools", () => {
  // A sample from each protocol and each argument family, checked against CPython's Lib/pickletools.py.
  const expected: [string, number, string, number][] = [
    ["MARK", 0x28, "none", 0],
    ["INT", 0x49, "decimalnl_short", 0],
    ["LONG", 0x4c, "decimalnl_long", 0],
    ["FLOAT", 0x46, "floatnl", 0],
    ["STRING", 0x53, "stringnl", 0],
    ["UNICODE", 0x56, "unicodestringnl", 0],
    ["GLOBAL", 0x63, "stringnl_noescape_pair", 0],
    ["INST", 0x69, "stringnl_noescape_pair", 0],
    ["PERSID", 0x50, "stringnl_noescape", 0],
    ["BININT", 0x4a, "int4", 1],
    ["BINSTRING", 0x54, "string4", 1],
    ["BINFLOAT", 0x47, "float8", 1],
    ["LONG_BINGET", 0x6a, "uint4", 1],
    ["PROTO", 0x80, "uint1", 2],
    ["EXT2", 0x83, "uint2", 2],
    ["EXT4", 0x84, "int4", 2],
    ["LONG1", 0x8a, "long1", 2],
    ["LONG4", 0x8b, "long4", 2],
    ["BINBYTES", 0x42, "bytes4", 3],
    ["SHORT_BINBYTES", 0x43, "bytes1", 3],
    ["BINUNICODE8", 0x8d, "unicodestring8", 4],
    ["BINBYTES8", 0x8e, "bytes8", 4],
    ["FRAME", 0x95, "uint8", 4],
    ["MEMOIZE", 0x94, "none", 4],
    ["STACK_GLOBAL", 0x93, "none", 4],
    ["NEWOBJ_EX", 0x92, "none", 4],
    ["BYTEARRAY8", 0x96, "bytearray8", 5],
    ["NEXT_BUFFER", 0x97, "none", 5],
    ["READONLY_BUFFER", 0x98, "none", 5],
  ];
  for (const [name, code, arg, proto] of expected) {
    assert.deepEqual(OPCODE_BY_CODE[code], { code, name, arg, proto }, name);
  }
});

Deno.test("opcodeName names opcodes and labels other bytes in hex", () => {
  assert.equal(opcodeName(OP.REDUCE), "REDUCE");
  assert.equal(opcodeName(0x0a), "0x0a");
});
