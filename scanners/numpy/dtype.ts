/**
 * What a `.npy` header's `descr` says about the array's elements, read as numpy's
 * `descr_to_dtype` reads it: whether they are Python objects (then `np.load(allow_pickle=True)`
 * unpickles the data) and how many bytes each takes. The forms `np.save` writes are understood
 * exactly: type strings such as `<f4`, `|S10`, `<U5`, `<M8[ns]`, `|O`, structured lists of
 * `(name, descr[, shape])` fields, and `(descr, shape)` subarrays. numpy accepts more (type names,
 * comma-separated strings, odd sequences); those are reported as not understood, and whether they
 * could hold objects is judged conservatively from any string they contain.
 *
 * @module
 */

import type { PyValue } from "./literal.ts";

/**
 * What a descr means for the data that follows the header.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { analyseDescr, type DtypeInfo } from "./dtype.ts";
 * const info: DtypeInfo = { kind: "plain", itemsize: 4n };
 * assert.deepEqual(analyseDescr({ type: "str", value: "<f4" }), info);
 * ```
 */
export type DtypeInfo =
  /** Plain data of `itemsize` bytes per element: np.load reads it as raw bytes. */
  | { kind: "plain"; itemsize: bigint }
  /** Python objects: the data is a pickle, unpickled by `np.load(allow_pickle=True)`. */
  | { kind: "object" }
  /** Not a form `np.save` writes; `mayHoldObjects` when some string in it could name an object type. */
  | { kind: "unknown"; reason: string; mayHoldObjects: boolean };

/** Valid item sizes of the fixed-size kinds, as numpy spells them in type strings. */
const KIND_SIZES: Readonly<Record<string, readonly number[]>> = {
  b: [1],
  i: [1, 2, 4, 8],
  u: [1, 2, 4, 8],
  f: [2, 4, 8, 12, 16],
  c: [8, 16, 24, 32],
};

/** Bytes per character of the flexible kinds: bytes (`S`, `a`), raw (`V`), UCS-4 text (`U`). */
const FLEXIBLE_KINDS: Readonly<Record<string, bigint>> = { S: 1n, a: 1n, V: 1n, U: 4n };

/** Bytes of a datetime64 or timedelta64 element. */
const DATETIME_BYTES = 8n;

const BYTE_ORDER = "[<>|=]?";
const FIXED = new RegExp(`^${BYTE_ORDER}([biufc])(\\d+)$`);
const FLEXIBLE = new RegExp(`^${BYTE_ORDER}([SaVU])(\\d+)$`);
const DATETIME = new RegExp(
  `^${BYTE_ORDER}[Mm]8(\\[\\d*(Y|M|W|D|h|m|s|ms|us|μs|ns|ps|fs|as|generic)\\])?$`,
);
const OBJECT = new RegExp(`^${BYTE_ORDER}O\\d*$`);
/** Any mention of the object type in a string numpy might parse as a dtype. */
const MENTIONS_OBJECT = /O|object/;

function unknown(reason: string, value: PyValue): DtypeInfo {
  return { kind: "unknown", reason, mayHoldObjects: mentionsObject(value) };
}

function mentionsObject(value: PyValue): boolean {
  switch (value.type) {
    case "str":
      return MENTIONS_OBJECT.test(value.value);
    case "tuple":
    case "list":
    case "set":
      return value.items.some(mentionsObject);
    case "dict":
      return value.entries.some(([key, item]) => mentionsObject(key) || mentionsObject(item));
    default:
      return false;
  }
}

/** A type string as `np.save` writes it (`dtype.str`). */
function fromTypeString(text: string, value: PyValue): DtypeInfo {
  if (OBJECT.test(text)) return { kind: "object" };
  const fixed = FIXED.exec(text);
  if (fixed) {
    const size = Number(fixed[2]);
    return KIND_SIZES[fixed[1]].includes(size)
      ? { kind: "plain", itemsize: BigInt(size) }
      : unknown(`'${text}' is not a valid ${fixed[1]} size`, value);
  }
  const flexible = FLEXIBLE.exec(text);
  if (flexible) return { kind: "plain", itemsize: BigInt(flexible[2]) * FLEXIBLE_KINDS[flexible[1]] };
  if (DATETIME.test(text)) return { kind: "plain", itemsize: DATETIME_BYTES };
  return unknown(`'${text}' is not a type string np.save writes`, value);
}

/** A subarray shape: an int or a tuple of ints, none negative; `undefined` if it is not one. */
function shapeSize(value: PyValue): bigint | undefined {
  const dims = value.type === "tuple" ? value.items : [value];
  let size = 1n;
  for (const dim of dims) {
    const n = intValue(dim);
    if (n === undefined || n < 0n) return undefined;
    size *= n;
  }
  return size;
}

/**
 * The value of a Python int (bools are ints in Python), or `undefined` for anything else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { intValue } from "./dtype.ts";
 * assert.equal(intValue({ type: "bool", value: true }), 1n);
 * assert.equal(intValue({ type: "str", value: "1" }), undefined);
 * ```
 */
export function intValue(value: PyValue): bigint | undefined {
  if (value.type === "int") return value.value;
  if (value.type === "bool") return value.value ? 1n : 0n;
  return undefined;
}

/** A type with a subarray shape: `(descr, shape)`. */
function withShape(descr: PyValue, shape: PyValue, whole: PyValue): DtypeInfo {
  const base = analyseDescr(descr);
  if (base.kind !== "plain") return base;
  const count = shapeSize(shape);
  return count === undefined ? unknown("a subarray shape is not a tuple of non-negative ints", whole) : {
    kind: "plain",
    itemsize: base.itemsize * count,
  };
}

/** A field name: a string, or a `(title, name)` pair of strings. */
function isFieldName(value: PyValue): boolean {
  return value.type === "str" ||
    (value.type === "tuple" && value.items.length === 2 && value.items.every((item) => item.type === "str"));
}

/** A structured descr: a list of `(name, descr)` or `(name, descr, shape)` fields. */
function fromFields(fields: PyValue, items: readonly PyValue[]): DtypeInfo {
  let itemsize = 0n;
  let fallback: DtypeInfo | undefined;
  for (const field of items) {
    const parts = field.type === "tuple" || field.type === "list" ? field.items : undefined;
    if (!parts || parts.length < 2 || parts.length > 3 || !isFieldName(parts[0])) {
      return unknown("a field is not a (name, descr) or (name, descr, shape) sequence", fields);
    }
    const info = parts.length === 3 ? withShape(parts[1], parts[2], fields) : analyseDescr(parts[1]);
    if (info.kind === "object") return info;
    if (info.kind === "unknown") fallback ??= { ...info, mayHoldObjects: mentionsObject(fields) };
    else itemsize += info.itemsize;
  }
  return fallback ?? { kind: "plain", itemsize };
}

/**
 * What `descr` means for the data that follows the header.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { analyseDescr } from "./dtype.ts";
 * assert.deepEqual(analyseDescr({ type: "str", value: "<f4" }), { kind: "plain", itemsize: 4n });
 * assert.deepEqual(analyseDescr({ type: "str", value: "|O" }), { kind: "object" });
 * ```
 */
export function analyseDescr(descr: PyValue): DtypeInfo {
  switch (descr.type) {
    case "str":
      return fromTypeString(descr.value, descr);
    case "tuple":
      return descr.items.length >= 2
        ? withShape(descr.items[0], descr.items[1], descr)
        : unknown("a tuple descr needs a type and a shape", descr);
    case "list":
      return fromFields(descr, descr.items);
    default:
      return unknown(`a ${descr.type} is not a dtype description`, descr);
  }
}
