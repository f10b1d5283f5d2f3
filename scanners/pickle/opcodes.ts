/**
 * The pickle opcode table for protocols 0 to 5: every opcode CPython's
 * `pickletools` documents, with its byte, name, argument encoding and the
 * protocol that introduced it.
 *
 * @module
 */

/**
 * How an opcode's argument is encoded in the stream, named as in `pickletools`.
 * Fixed-size integers are little-endian except `float8` (big-endian IEEE 754).
 */
export type ArgKind =
  | "none"
  | "uint1"
  | "uint2"
  | "int4"
  | "uint4"
  | "uint8"
  | "float8"
  | "long1"
  | "long4"
  | "string1"
  | "string4"
  | "bytes1"
  | "bytes4"
  | "bytes8"
  | "bytearray8"
  | "unicodestring1"
  | "unicodestring4"
  | "unicodestring8"
  | "decimalnl_short"
  | "decimalnl_long"
  | "floatnl"
  | "stringnl"
  | "stringnl_noescape"
  | "stringnl_noescape_pair"
  | "unicodestringnl";

/** One opcode of the pickle virtual machine. */
export interface OpcodeInfo {
  /** The opcode byte. */
  readonly code: number;
  /** Name as in `pickletools`, e.g. `STACK_GLOBAL`. */
  readonly name: string;
  /** How its argument is encoded. */
  readonly arg: ArgKind;
  /** Protocol that introduced the opcode. */
  readonly proto: number;
}

/**
 * Opcode bytes by name, for readable `switch` statements and tests.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OP } from "./opcodes.ts";
 * assert.equal(OP.STACK_GLOBAL, 0x93);
 * ```
 */
export const OP = {
  MARK: 0x28,
  STOP: 0x2e,
  POP: 0x30,
  POP_MARK: 0x31,
  DUP: 0x32,
  FLOAT: 0x46,
  INT: 0x49,
  BININT: 0x4a,
  BININT1: 0x4b,
  LONG: 0x4c,
  BININT2: 0x4d,
  NONE: 0x4e,
  PERSID: 0x50,
  BINPERSID: 0x51,
  REDUCE: 0x52,
  STRING: 0x53,
  BINSTRING: 0x54,
  SHORT_BINSTRING: 0x55,
  UNICODE: 0x56,
  BINUNICODE: 0x58,
  APPEND: 0x61,
  BUILD: 0x62,
  GLOBAL: 0x63,
  DICT: 0x64,
  EMPTY_DICT: 0x7d,
  APPENDS: 0x65,
  GET: 0x67,
  BINGET: 0x68,
  INST: 0x69,
  LONG_BINGET: 0x6a,
  LIST: 0x6c,
  EMPTY_LIST: 0x5d,
  OBJ: 0x6f,
  PUT: 0x70,
  BINPUT: 0x71,
  LONG_BINPUT: 0x72,
  SETITEM: 0x73,
  TUPLE: 0x74,
  EMPTY_TUPLE: 0x29,
  SETITEMS: 0x75,
  BINFLOAT: 0x47,
  PROTO: 0x80,
  NEWOBJ: 0x81,
  EXT1: 0x82,
  EXT2: 0x83,
  EXT4: 0x84,
  TUPLE1: 0x85,
  TUPLE2: 0x86,
  TUPLE3: 0x87,
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
  LONG1: 0x8a,
  LONG4: 0x8b,
  BINBYTES: 0x42,
  SHORT_BINBYTES: 0x43,
  SHORT_BINUNICODE: 0x8c,
  BINUNICODE8: 0x8d,
  BINBYTES8: 0x8e,
  EMPTY_SET: 0x8f,
  ADDITEMS: 0x90,
  FROZENSET: 0x91,
  NEWOBJ_EX: 0x92,
  STACK_GLOBAL: 0x93,
  MEMOIZE: 0x94,
  FRAME: 0x95,
  BYTEARRAY8: 0x96,
  NEXT_BUFFER: 0x97,
  READONLY_BUFFER: 0x98,
} as const;

/** Name of an opcode, e.g. `"REDUCE"`. */
export type OpcodeName = keyof typeof OP;

/** Argument kind and protocol of each opcode (the bytes are in {@linkcode OP}). */
const SHAPES: Record<OpcodeName, [ArgKind, number]> = {
  MARK: ["none", 0],
  STOP: ["none", 0],
  POP: ["none", 0],
  POP_MARK: ["none", 1],
  DUP: ["none", 0],
  FLOAT: ["floatnl", 0],
  INT: ["decimalnl_short", 0],
  BININT: ["int4", 1],
  BININT1: ["uint1", 1],
  LONG: ["decimalnl_long", 0],
  BININT2: ["uint2", 1],
  NONE: ["none", 0],
  PERSID: ["stringnl_noescape", 0],
  BINPERSID: ["none", 1],
  REDUCE: ["none", 0],
  STRING: ["stringnl", 0],
  BINSTRING: ["string4", 1],
  SHORT_BINSTRING: ["string1", 1],
  UNICODE: ["unicodestringnl", 0],
  BINUNICODE: ["unicodestring4", 1],
  APPEND: ["none", 0],
  BUILD: ["none", 0],
  GLOBAL: ["stringnl_noescape_pair", 0],
  DICT: ["none", 0],
  EMPTY_DICT: ["none", 1],
  APPENDS: ["none", 1],
  GET: ["decimalnl_short", 0],
  BINGET: ["uint1", 1],
  INST: ["stringnl_noescape_pair", 0],
  LONG_BINGET: ["uint4", 1],
  LIST: ["none", 0],
  EMPTY_LIST: ["none", 1],
  OBJ: ["none", 1],
  PUT: ["decimalnl_short", 0],
  BINPUT: ["uint1", 1],
  LONG_BINPUT: ["uint4", 1],
  SETITEM: ["none", 0],
  TUPLE: ["none", 0],
  EMPTY_TUPLE: ["none", 1],
  SETITEMS: ["none", 1],
  BINFLOAT: ["float8", 1],
  PROTO: ["uint1", 2],
  NEWOBJ: ["none", 2],
  EXT1: ["uint1", 2],
  EXT2: ["uint2", 2],
  EXT4: ["int4", 2],
  TUPLE1: ["none", 2],
  TUPLE2: ["none", 2],
  TUPLE3: ["none", 2],
  NEWTRUE: ["none", 2],
  NEWFALSE: ["none", 2],
  LONG1: ["long1", 2],
  LONG4: ["long4", 2],
  BINBYTES: ["bytes4", 3],
  SHORT_BINBYTES: ["bytes1", 3],
  SHORT_BINUNICODE: ["unicodestring1", 4],
  BINUNICODE8: ["unicodestring8", 4],
  BINBYTES8: ["bytes8", 4],
  EMPTY_SET: ["none", 4],
  ADDITEMS: ["none", 4],
  FROZENSET: ["none", 4],
  NEWOBJ_EX: ["none", 4],
  STACK_GLOBAL: ["none", 4],
  MEMOIZE: ["none", 4],
  FRAME: ["uint8", 4],
  BYTEARRAY8: ["bytearray8", 5],
  NEXT_BUFFER: ["none", 5],
  READONLY_BUFFER: ["none", 5],
};

/**
 * Every opcode, in the order of {@linkcode OP}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OPCODES } from "./opcodes.ts";
 * assert.equal(OPCODES.length, 68);
 * ```
 */
export const OPCODES: readonly OpcodeInfo[] = (Object.keys(OP) as OpcodeName[]).map((name) => {
  const [arg, proto] = SHAPES[name];
  return Object.freeze({ code: OP[name], name, arg, proto });
});

/**
 * Opcode information indexed by byte; `undefined` for bytes that are not opcodes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OPCODE_BY_CODE } from "./opcodes.ts";
 * assert.equal(OPCODE_BY_CODE[0x52]?.name, "REDUCE");
 * ```
 */
export const OPCODE_BY_CODE: readonly (OpcodeInfo | undefined)[] = (() => {
  const table: (OpcodeInfo | undefined)[] = new Array(256).fill(undefined);
  for (const info of OPCODES) table[info.code] = info;
  return table;
})();

/**
 * The name of opcode byte `code`, or a hex label for a byte that is no opcode.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { opcodeName } from "./opcodes.ts";
 * assert.equal(opcodeName(0x93), "STACK_GLOBAL");
 * assert.equal(opcodeName(0xff), "0xff");
 * ```
 */
export function opcodeName(code: number): string {
  return OPCODE_BY_CODE[code]?.name ?? `0x${code.toString(16).padStart(2, "0")}`;
}

/** The highest protocol this table knows; a PROTO above it is rejected by CPython too. */
export const HIGHEST_PROTOCOL = 5;

/**
 * Opcodes that push a str or bytes constant.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TEXT_OPCODES } from "./opcodes.ts";
 * assert.ok(TEXT_OPCODES.has(0x8c)); // SHORT_BINUNICODE
 * ```
 */
export const TEXT_OPCODES: ReadonlySet<number> = new Set([
  OP.STRING,
  OP.BINSTRING,
  OP.SHORT_BINSTRING,
  OP.UNICODE,
  OP.BINUNICODE,
  OP.SHORT_BINUNICODE,
  OP.BINUNICODE8,
  OP.BINBYTES,
  OP.SHORT_BINBYTES,
  OP.BINBYTES8,
  OP.BYTEARRAY8,
]);

/**
 * Opcodes a loader accepts as the first of a stream: those that need nothing on
 * the stack. `pickle.load` does not require PROTO, so a stream may start with
 * any of them, binary ones included.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FIRST_OPCODES } from "./opcodes.ts";
 * assert.ok(FIRST_OPCODES.has(0x80)); // PROTO
 * ```
 */
export const FIRST_OPCODES: ReadonlySet<number> = new Set([
  OP.PROTO,
  OP.FRAME,
  OP.MARK,
  OP.GLOBAL,
  OP.PERSID,
  OP.NONE,
  OP.NEWTRUE,
  OP.NEWFALSE,
  OP.INT,
  OP.LONG,
  OP.LONG1,
  OP.LONG4,
  OP.FLOAT,
  OP.BININT,
  OP.BININT1,
  OP.BININT2,
  OP.BINFLOAT,
  ...TEXT_OPCODES,
  OP.EMPTY_LIST,
  OP.EMPTY_DICT,
  OP.EMPTY_TUPLE,
  OP.EMPTY_SET,
  OP.EXT1,
  OP.EXT2,
  OP.EXT4,
]);
