/**
 * joblib's arrays inside a pickle stream. `joblib.dump` pickles each numpy array as a
 * `joblib.numpy_pickle.NumpyArrayWrapper` (a BUILD whose state dict holds `shape`, `dtype`,
 * `order`, `allow_mmap` and, since joblib 1.2, `numpy_array_alignment_bytes`) and writes the
 * array's data into the stream right after that BUILD; `joblib.load` reads it there
 * (`NumpyArrayWrapper.read_array`) and goes on with the pickle after it:
 *
 * - a dtype that holds objects (`dtype.hasobject`): one whole pickle (`pickle.dump(array,
 *   protocol=2)`), read with `pickle.load`;
 * - any other dtype: when the wrapper has a `numpy_array_alignment_bytes` that is not None, one
 *   padding-length byte and that many padding bytes (joblib writes 1 to 16 bytes of 0xff, so
 *   that the data starts 16-aligned), then `prod(shape) * dtype.itemsize` bytes of raw data.
 *
 * This module tells, from the symbolic values the machine built, which of these follows a
 * wrapper's BUILD and how long raw data is. It never guesses: anything it cannot size exactly
 * (a dtype it does not know, a state it does not track) is an answer of its own.
 *
 * @module
 */

import { type CallValue, type ContainerValue, INSTANCE_CREATORS, type Value } from "./machine.ts";

/** Import-policy names (aliases and dotted names resolved as the unpickler does) of joblib's array wrapper. */
const WRAPPER_CLASSES: ReadonlySet<string> = new Set([
  "joblib.numpy_pickle.NumpyArrayWrapper",
  "sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper",
]);

/** Calls deep the wrapper class is looked for along the callees of a call (`partial(cls)()` is two). */
const WRAPPER_SEARCH_DEPTH = 3;

/** numpy's own pickles of a dtype: `numpy.dtype(typestr, align, copy)`, then BUILD with its state. */
const NUMPY_DTYPE = "numpy.dtype";

/** The dtype strings numpy's `dtype.__reduce__` writes (`f8`, `U5`, `V64`, `M8`), with an optional byte order. */
const TYPESTR = /^[<>|=]?([?biufcmMOSUV])(\d{0,10})(\[\w+\])?$/;

/** Itemsizes numpy accepts after each fixed-size kind letter (`i8`, `c16`); `""` is the letter alone. */
const FIXED_SIZES: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  "?": { "": 1 },
  b: { "": 1, "1": 1 },
  i: { "1": 1, "2": 2, "4": 4, "8": 8 },
  u: { "1": 1, "2": 2, "4": 4, "8": 8 },
  f: { "2": 2, "4": 4, "8": 8, "12": 12, "16": 16 },
  c: { "8": 8, "16": 16, "24": 24, "32": 32 },
  m: { "": 8, "8": 8 },
  M: { "": 8, "8": 8 },
  // Object arrays are pickled, never sized; 4 is a 32-bit platform's pointer.
  O: { "": 8, "4": 4, "8": 8 },
};

/** Bytes per character of numpy's `U` dtype (UCS-4). */
const UNICODE_CHAR_BYTES = 4;

/** numpy's `NPY_ITEM_HASOBJECT`: the dtype flag `dtype.hasobject` reads. */
const HASOBJECT_FLAG = 0x01;

/** numpy's largest itemsize (a C int). */
const MAX_ITEMSIZE = 2 ** 31 - 1;

/** What follows the BUILD of an array wrapper, as `joblib.load` reads it. */
export type ArrayData =
  /** Raw data: a padding-length byte and padding first when `padded`, then `bytes` bytes. */
  | { kind: "raw"; padded: boolean; bytes: bigint }
  /** An object array: one whole pickle, read with `pickle.load`. */
  | { kind: "pickle" }
  /** Where the data ends cannot be told exactly, and why. */
  | { kind: "unknown"; reason: string };

/** A dtype, as far as the layout of array data needs it. */
type DtypeLayout = { object: boolean; itemsize: number } | { problem: string };

/** Kinds of dict keys that never equal an attribute name (a str). */
const NON_NAME_KEYS: ReadonlySet<Value["kind"]> = new Set(["int", "float", "bool", "none", "bytes"]);

/** The import-policy name of a known-safe global, e.g. `numpy.dtype`. */
function safeName(value: Value | undefined): string | undefined {
  return value?.kind === "global" && value.verdict?.tier === "safe" ? value.verdict.entry : undefined;
}

function isWrapperClass(value: Value | undefined): boolean {
  const name = safeName(value);
  return name !== undefined && WRAPPER_CLASSES.has(name);
}

/** Whether every item of a container was kept (the machine keeps only the first few). */
function complete(container: ContainerValue): boolean {
  return container.items.length >= (container.kind === "dict" ? 2 * container.count : container.count);
}

function integer(value: Value | undefined): bigint | undefined {
  return value?.kind === "int" && value.value !== undefined
    ? BigInt(value.value as number | bigint)
    : undefined;
}

/**
 * Whether the call `value` (or the call that computed its callee, up to `depth` calls deep) calls the
 * wrapper class or passes it as an argument. Instances among the arguments do not count: an object
 * made from an array is no array wrapper.
 */
function callsWrapperClass(value: CallValue, depth: number): boolean {
  if (isWrapperClass(value.callee) || value.args.items.some(isWrapperClass)) return true;
  return depth > 1 && value.callee.kind === "call" && callsWrapperClass(value.callee, depth - 1);
}

/**
 * Whether `value` may be an instance of joblib's `NumpyArrayWrapper`: the result of calling its
 * class (NEWOBJ as pickle writes it at protocol 2 and later, INST, OBJ, REDUCE), of a `copyreg`
 * helper that creates an instance of it (`_reconstructor` at protocols 0 and 1), or of any other
 * call that involves the class (`functools.partial(cls)()`), which {@linkcode arrayData} cannot size.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Disassembler } from "./disassembler.ts";
 * import { isArrayWrapper } from "./joblib.ts";
 * import { PickleMachine, quietHooks, type Value } from "./machine.ts";
 * // Needs read permission: a joblib.dump of a LogisticRegression, among this repository's fixtures.
 * const file = await Deno.readFile("fixtures/pickle/benign/sklearn_logreg.joblib");
 * const built: Value[] = []; // the objects each BUILD gave their state
 * const machine = new PickleMachine(quietHooks({ fact: (fact) => fact.kind === "build" && built.push(fact.target) }));
 * const dis = Disassembler.fromBytes(file);
 * for (let op = dis.next(); op && !built.some(isArrayWrapper); op = dis.next()) machine.step(op);
 * // joblib.load reads the array's data right after this BUILD: raw bytes, no more opcodes.
 * assert.equal(built.filter(isArrayWrapper).length, 1);
 * ```
 */
export function isArrayWrapper(value: Value): value is CallValue {
  return value.kind === "call" && callsWrapperClass(value, WRAPPER_SEARCH_DEPTH);
}

/** Why the wrapper's attributes are not just its BUILD state, if they are not. */
function creationProblem(wrapper: CallValue): string | undefined {
  const args = wrapper.args;
  if (isWrapperClass(wrapper.callee)) {
    // NEWOBJ creates with `cls.__new__`; INST and OBJ without arguments too. Otherwise `__init__` runs.
    const bare = wrapper.opcode === "NEWOBJ" || wrapper.opcode === "NEWOBJ_EX" ||
      ((wrapper.opcode === "INST" || wrapper.opcode === "OBJ") && args.count === 0);
    return bare
      ? undefined
      : `it is created by calling its class (${wrapper.opcode}), whose __init__ sets attributes`;
  }
  const creator = safeName(wrapper.callee);
  if (creator === undefined || !INSTANCE_CREATORS.has(creator) || !isWrapperClass(args.items[0])) {
    return "it is made by a call joblib never writes, which may or may not create the wrapper";
  }
  if (creator !== "copyreg._reconstructor") return undefined;
  const [, base, state] = args.items;
  return args.count === 3 && safeName(base) === "builtins.object" && state?.kind === "none"
    ? undefined
    : "copyreg._reconstructor creates it from another base than object";
}

/** The layout of a dtype string as numpy parses it, or `undefined` when it is not one numpy writes. */
function parseTypestr(typestr: string): { kind: string; itemsize: number } | undefined {
  const match = TYPESTR.exec(typestr);
  if (match === null) return undefined;
  const [, kind, digits, unit] = match;
  if (unit !== undefined && kind !== "m" && kind !== "M") return undefined;
  const fixed = FIXED_SIZES[kind];
  if (fixed !== undefined) {
    const itemsize = fixed[digits];
    return itemsize === undefined ? undefined : { kind, itemsize };
  }
  const count = digits === "" ? 0 : Number(digits);
  const itemsize = kind === "U" ? count * UNICODE_CHAR_BYTES : count;
  return itemsize <= MAX_ITEMSIZE ? { kind, itemsize } : undefined;
}

/**
 * The layout of a `numpy.dtype(typestr, align, copy)` call and the state its BUILD gave it
 * (numpy's `__setstate__` of versions 3 and 4: `(version, byteorder, subarray, names, fields,
 * elsize, alignment, flags[, metadata])`). numpy takes the itemsize of the flexible kinds
 * (`S`, `U`, `V`) and the object flag of every kind from the state; a state that contradicts
 * its dtype string is a problem rather than a guess at which one a numpy version believes.
 */
function dtypeLayout(dtype: Value | undefined): DtypeLayout {
  if (dtype === undefined) return { problem: "its state has no dtype" };
  if (dtype.kind !== "call" || safeName(dtype.callee) !== NUMPY_DTYPE) {
    return { problem: "its dtype is not a numpy.dtype(...) call" };
  }
  const arg = dtype.args.items[0];
  const typestr = arg?.kind === "str" && typeof arg.value === "string" ? arg.value : undefined;
  if (typestr === undefined) return { problem: "its dtype is not made from a constant dtype string" };
  const parsed = parseTypestr(typestr);
  if (parsed === undefined) return { problem: `its dtype '${typestr}' is not one numpy writes` };
  const extended = parsed.kind === "S" || parsed.kind === "U" || parsed.kind === "V";
  const state = dtype.state;
  if (state === undefined) return { object: parsed.kind === "O", itemsize: parsed.itemsize };
  const described = `the state of dtype '${typestr}'`;
  if (state.kind !== "tuple" || (state.count !== 8 && state.count !== 9) || state.items.length < 8) {
    return { problem: `${described} is not the 8- or 9-item tuple numpy writes` };
  }
  const [version, byteorder, subarray, names, fields, elsize, , flags] = state.items;
  const versionNumber = integer(version);
  if (versionNumber !== 3n && versionNumber !== 4n) {
    return { problem: `${described} has version ${versionNumber ?? "(not an integer)"}, not 3 or 4` };
  }
  if (byteorder.kind !== "str" || typeof byteorder.value !== "string" || byteorder.value.length !== 1) {
    return { problem: `${described} has no one-character byte order` };
  }
  const size = integer(elsize);
  const flagBits = integer(flags);
  if (size === undefined || flagBits === undefined) {
    return { problem: `${described} has no integer itemsize or flags` };
  }
  if (extended ? size !== BigInt(parsed.itemsize) : size !== -1n && size !== BigInt(parsed.itemsize)) {
    return { problem: `${described} gives itemsize ${size}, its dtype string ${parsed.itemsize}` };
  }
  const object = (flagBits & BigInt(HASOBJECT_FLAG)) !== 0n;
  if (parsed.kind !== "V") {
    if (object !== (parsed.kind === "O")) {
      return { problem: `${described} has flags ${flagBits}, which contradict whether it holds objects` };
    }
    if (subarray.kind !== "none" || names.kind !== "none" || fields.kind !== "none") {
      return { problem: `${described} gives a subarray or fields to a dtype that has none` };
    }
  }
  return { object, itemsize: parsed.itemsize };
}

/** The wrapper's attributes: its BUILD state dict, last entry of a key winning. */
function attributes(wrapper: CallValue): Map<string, Value> | string {
  const state = wrapper.state;
  if (state?.kind !== "dict") return "its BUILD state is not a dict";
  if (!complete(state)) return "its state dict has more entries than the scanner keeps";
  const found = new Map<string, Value>();
  for (let i = 0; i + 1 < state.items.length; i += 2) {
    const key = state.items[i];
    if (key.kind === "str") {
      // A key too long to keep is longer than any attribute read here.
      if (typeof key.value === "string") found.set(key.value, state.items[i + 1]);
    } else if (!NON_NAME_KEYS.has(key.kind)) {
      return "a key of its state dict is not a constant";
    }
  }
  return found;
}

/** Elements in an array of `shape` (`joblib`: 1 for `()`), or why they cannot be counted. */
function elementCount(shape: Value | undefined): bigint | string {
  if (shape?.kind !== "tuple" && shape?.kind !== "list") return "its shape is not a tuple";
  if (!complete(shape)) return `its shape has ${shape.count} dimensions, more than the scanner keeps`;
  let count = 1n;
  for (const item of shape.items) {
    const dimension = integer(item);
    if (dimension === undefined) return "a dimension of its shape is not an integer constant";
    if (dimension < 0n) return `its shape has a negative dimension (${dimension})`;
    count *= dimension;
  }
  return count;
}

/**
 * What `joblib.load` reads right after the BUILD of `wrapper` (see {@linkcode isArrayWrapper}),
 * from the state that BUILD gave it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Disassembler } from "./disassembler.ts";
 * import { arrayData, isArrayWrapper } from "./joblib.ts";
 * import { PickleMachine, quietHooks, type Value } from "./machine.ts";
 * // Needs read permission: a joblib.dump of a LogisticRegression, among this repository's fixtures.
 * const file = await Deno.readFile("fixtures/pickle/benign/sklearn_logreg.joblib");
 * const built: Value[] = [];
 * const machine = new PickleMachine(quietHooks({ fact: (fact) => fact.kind === "build" && built.push(fact.target) }));
 * const dis = Disassembler.fromBytes(file);
 * for (let op = dis.next(); op && !built.some(isArrayWrapper); op = dis.next()) machine.step(op);
 * const wrapper = built.find(isArrayWrapper)!;
 * assert.deepEqual(arrayData(wrapper), { kind: "raw", padded: true, bytes: 16n }); // shape (2,), dtype 'f8'
 * ```
 */
export function arrayData(wrapper: CallValue): ArrayData {
  const unknown = (reason: string): ArrayData => ({ kind: "unknown", reason });
  const creation = creationProblem(wrapper);
  if (creation !== undefined) return unknown(creation);
  const found = attributes(wrapper);
  if (typeof found === "string") return unknown(found);
  const dtype = dtypeLayout(found.get("dtype"));
  if ("problem" in dtype) return unknown(dtype.problem);
  if (dtype.object) return { kind: "pickle" };
  // `getattr(wrapper, "numpy_array_alignment_bytes", None) is not None` decides the padding.
  const alignment = found.get("numpy_array_alignment_bytes");
  if (alignment?.kind === "call" || alignment?.kind === "persid" || alignment?.kind === "unknown") {
    return unknown("whether it has numpy_array_alignment_bytes (padding) is not a constant");
  }
  const count = elementCount(found.get("shape"));
  if (typeof count === "string") return unknown(count);
  return {
    kind: "raw",
    padded: alignment !== undefined && alignment.kind !== "none",
    bytes: count * BigInt(dtype.itemsize),
  };
}
