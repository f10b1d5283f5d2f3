/**
 * The header of a NumPy `.npy` file, read and validated as `np.load` reads it
 * (`numpy.lib.format`): the magic string, a version of 1.0, 2.0 or 3.0, a little-endian header
 * length (2 bytes in 1.0, 4 after), and a header that is a Python dict literal with exactly the
 * keys `descr`, `fortran_order` and `shape`, where `shape` is a tuple of ints and
 * `fortran_order` a bool. Versions 1.0 and 2.0 are Latin-1 and may carry Python 2's `L` suffix
 * on ints; 3.0 is UTF-8. The data starts right after the header.
 *
 * @module
 */

import type { ByteSource } from "../../core/byte_source.ts";
import { intValue } from "./dtype.ts";
import { parsePythonLiteral, type PyValue } from "./literal.ts";
import { hasNpyMagic } from "./magic.ts";
import { DEFAULT_NUMPY_OPTIONS, type NumpyOptions } from "../option_catalog.ts";

/** Offset of the version bytes, and of the header length. */
const VERSION_OFFSET = 6;
const LENGTH_OFFSET = 8;

/** Bytes decoded per call when decoding Latin-1. */
const LATIN1_SLICE = 8192;

/** The keys a header must have, no more, no fewer. */
const EXPECTED_KEYS = ["descr", "fortran_order", "shape"];

/**
 * A valid header.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { type NpyHeader, readNpyHeader } from "./header.ts";
 * const text = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }".padEnd(117) + "\n";
 * const file = Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, text.length, 0, ...new TextEncoder().encode(text));
 * const result = await readNpyHeader(bytesSource(file));
 * const header: NpyHeader | undefined = result.ok ? result.header : undefined;
 * assert.equal(header?.version, "1.0");
 * assert.equal(header?.dataOffset, 128); // where the array data starts
 * ```
 */
export interface NpyHeader {
  /** The format version, `1.0`, `2.0` or `3.0`. */
  version: string;
  /** Offset of the header text, just after its length field. */
  headerOffset: number;
  /** Offset of the array data, just after the header. */
  dataOffset: number;
  /** The `descr` value, as parsed (see `dtype.ts` for what it means). */
  descr: PyValue;
  /** The `fortran_order` value. */
  fortranOrder: boolean;
  /** The `shape` value: ints (bools count as ints, as in Python), possibly negative. */
  shape: bigint[];
}

/** Why a header is invalid: where, and, when the header's length was readable, where its data starts. */
export interface NpyHeaderProblem {
  /** What is wrong, in a phrase. */
  reason: string;
  /** Offset of the field at fault. */
  position: number;
  /** Where the data would start, when the header's length was readable. */
  dataOffset?: number;
  /** The option whose limit the header exceeds, when that is what is wrong (`numpy.maxHeaderBytes`). */
  option?: string;
}

/** What {@linkcode readNpyHeader} returns. */
export type NpyHeaderResult = { ok: true; header: NpyHeader } | { ok: false; problem: NpyHeaderProblem };

function fail(reason: string, position: number, dataOffset?: number, option?: string): NpyHeaderResult {
  return { ok: false, problem: { reason, position, dataOffset, ...option ? { option } : {} } };
}

/** The header's text, decoded as numpy decodes it. */
function decodeHeader(bytes: Uint8Array, utf8: boolean): string | undefined {
  if (!utf8) {
    // Latin-1, one character per byte (TextDecoder's "latin1" is windows-1252); in slices, as
    // spreading a large array into one call overflows the stack.
    let text = "";
    for (let i = 0; i < bytes.length; i += LATIN1_SLICE) {
      text += String.fromCharCode(...bytes.subarray(i, i + LATIN1_SLICE));
    }
    return text;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Byte offset, in the header, of character `index` of its text. */
function byteOffset(text: string, index: number, utf8: boolean): number {
  return utf8 ? new TextEncoder().encode(text.slice(0, index)).length : index;
}

/** The dict's entries by key, the last of duplicates winning, or a reason it is not the header dict. */
function headerFields(value: PyValue): Map<string, PyValue> | string {
  if (value.type !== "dict") return `the header is a ${value.type}, not a dict`;
  const fields = new Map<string, PyValue>();
  for (const [key, item] of value.entries) {
    if (key.type !== "str") return `the header has a ${key.type} key`;
    fields.set(key.value, item);
  }
  const keys = [...fields.keys()].sort();
  if (keys.join() !== EXPECTED_KEYS.join()) {
    return `the header's keys are ${JSON.stringify(keys)}, not ${JSON.stringify(EXPECTED_KEYS)}`;
  }
  return fields;
}

/**
 * Reads and validates the header of `source`, a `.npy` file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { readNpyHeader } from "./header.ts";
 * const text = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n";
 * const file = Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, text.length, 0, ...new TextEncoder().encode(text));
 * const result = await readNpyHeader(bytesSource(file));
 * assert.deepEqual(result.ok && result.header.shape, [2n]);
 * ```
 */
export async function readNpyHeader(
  source: ByteSource,
  options: Readonly<NumpyOptions> = DEFAULT_NUMPY_OPTIONS,
): Promise<NpyHeaderResult> {
  const { maxHeaderBytes, maxLiteralDepth } = options;
  const prefix = await source.read(0, LENGTH_OFFSET + 4);
  if (!hasNpyMagic(prefix)) return fail("the file does not start with the .npy magic string", 0);
  const major = prefix[VERSION_OFFSET];
  const minor = prefix[VERSION_OFFSET + 1];
  const version = `${major}.${minor}`;
  if (minor !== 0 || major < 1 || major > 3) {
    return fail(`format version ${version} is not one np.load reads (1.0, 2.0 or 3.0)`, VERSION_OFFSET);
  }
  const lengthBytes = major === 1 ? 2 : 4;
  const headerOffset = LENGTH_OFFSET + lengthBytes;
  if (prefix.length < headerOffset) return fail("truncated: the header length is cut short", LENGTH_OFFSET);
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const length = major === 1 ? view.getUint16(LENGTH_OFFSET, true) : view.getUint32(LENGTH_OFFSET, true);
  const dataOffset = headerOffset + length;
  if (dataOffset > source.size) {
    return fail(
      `truncated: the header declares ${length} bytes, ${source.size - headerOffset} remain`,
      LENGTH_OFFSET,
    );
  }
  if (length > maxHeaderBytes) {
    return fail(
      `the header is ${length} bytes long, more than the ${maxHeaderBytes} inspected`,
      LENGTH_OFFSET,
      dataOffset,
      "numpy.maxHeaderBytes",
    );
  }
  const utf8 = major === 3;
  const text = decodeHeader(await source.read(headerOffset, length), utf8);
  if (text === undefined) return fail("the header is not valid UTF-8", headerOffset, dataOffset);
  // ast.literal_eval strips leading blanks and tabs before parsing.
  const literal = text.replace(/^[ \t]+/, "");
  const parsed = parsePythonLiteral(literal, { longSuffix: major <= 2, maxDepth: maxLiteralDepth });
  if (!parsed.ok) {
    const at = headerOffset + byteOffset(text, parsed.offset + text.length - literal.length, utf8);
    return fail(`the header is not a Python literal: ${parsed.error}`, at, dataOffset);
  }
  const fields = headerFields(parsed.value);
  if (typeof fields === "string") return fail(fields, headerOffset, dataOffset);
  const shape = fields.get("shape")!;
  const dims = shape.type === "tuple" ? shape.items.map(intValue) : undefined;
  if (!dims || dims.some((dim) => dim === undefined)) {
    return fail("the shape is not a tuple of ints", headerOffset, dataOffset);
  }
  const fortranOrder = fields.get("fortran_order")!;
  if (fortranOrder.type !== "bool") return fail("fortran_order is not a bool", headerOffset, dataOffset);
  return {
    ok: true,
    header: {
      version,
      headerOffset,
      dataOffset,
      descr: fields.get("descr")!,
      fortranOrder: fortranOrder.value,
      shape: dims as bigint[],
    },
  };
}
