/**
 * The extension types of Flax checkpoints, as `flax.serialization` writes them
 * (`_msgpack_ext_pack`): 1 an ndarray, 3 a NumPy scalar (both the msgpack of `(shape,
 * dtype name, C-order bytes)`, `_ndarray_to_bytes`), 2 a Python complex (`(real, imag)`).
 * Only their headers are decoded: the bytes of an array are a view, never copied or read.
 *
 * @module
 */

import { Decoder, type ExtensionCodecType } from "@msgpack/msgpack";

/** Bytes per item of the dtype names Flax writes (NumPy's, and ml_dtypes' bfloat16 and float8). */
const ITEM_BYTES: Readonly<Record<string, number>> = {
  bool: 1,
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  uint64: 8,
  float16: 2,
  bfloat16: 2,
  float32: 4,
  float64: 8,
  complex64: 8,
  complex128: 16,
  float8_e4m3fn: 1,
  float8_e4m3fnuz: 1,
  float8_e4m3b11fnuz: 1,
  float8_e5m2: 1,
  float8_e5m2fnuz: 1,
};

/** Flax's extension types, by code. */
export const FLAX_EXTENSIONS: Readonly<Record<number, string>> = {
  1: "ndarray",
  2: "complex",
  3: "NumPy scalar",
};

/** An ndarray's header decoder: three small fields, whatever the array's size. */
const HEADER = new Decoder({ maxArrayLength: 64, maxMapLength: 0, maxStrLength: 256 });

/** Why an ndarray ext's payload is not `(shape, dtype, bytes)` of matching size; `undefined` when it is. */
function _ndarrayProblem(data: Uint8Array): string | undefined {
  let header: unknown;
  try {
    header = HEADER.decode(data);
  } catch (error) {
    return `its header does not decode (${error instanceof Error ? error.message : String(error)})`;
  }
  if (!Array.isArray(header) || header.length !== 3) return "its header is not (shape, dtype, bytes)";
  const [shape, dtype, buffer] = header;
  if (!Array.isArray(shape) || !shape.every((n) => Number.isSafeInteger(n) && n >= 0)) {
    return "its shape is not a list of sizes";
  }
  if (typeof dtype !== "string" || !(buffer instanceof Uint8Array)) return "its dtype or bytes are missing";
  const itemBytes = ITEM_BYTES[dtype];
  // Other NumPy dtypes (strings, datetimes) have sizes of their own: their bytes are np.frombuffer's to check.
  if (itemBytes === undefined) return undefined;
  const expected = shape.reduce((product: number, n: number) => product * n, itemBytes);
  return expected === buffer.length
    ? undefined
    : `its shape [${shape.join(", ")}] of ${dtype} needs ${expected} bytes, it holds ${buffer.length}`;
}

/** What the extension values of one file were: Flax's that did not check out, and unknown types. */
export interface ExtensionReport {
  /** Flax extension values whose header is wrong, with why (the first few). */
  problems: string[];
  /** How many values of each extension type Flax does not know. */
  unknown: Map<number, number>;
  /** The payloads of the first few of those values, with their type: a loader's ext_hook reads them. */
  payloads: { type: number; data: Uint8Array }[];
}

/** Wrong Flax values, and unknown extension payloads, kept per file: the first say what is wrong. */
const MAX_KEPT = 8;

/**
 * An extension codec for the decoder that checks Flax's types and counts the others, returning
 * `null` for every value: the scan needs no tensor.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Decoder } from "@msgpack/msgpack";
 * import { flaxExtensionCheck } from "./flax.ts";
 * const { codec, report } = flaxExtensionCheck();
 * // {"w": ext 42 of 1 byte}: an extension Flax does not know.
 * new Decoder({ extensionCodec: codec }).decode(new Uint8Array([0x81, 0xa1, 0x77, 0xd4, 42, 0]));
 * assert.deepEqual([...report.unknown], [[42, 1]]);
 * ```
 */
export function flaxExtensionCheck(): { codec: ExtensionCodecType<undefined>; report: ExtensionReport } {
  const report: ExtensionReport = { problems: [], unknown: new Map(), payloads: [] };
  const codec: ExtensionCodecType<undefined> = {
    tryToEncode: () => null,
    decode(data, type) {
      if (type === 1 || type === 3) {
        const problem = _ndarrayProblem(data);
        if (problem && report.problems.length < MAX_KEPT) {
          report.problems.push(`${FLAX_EXTENSIONS[type]}: ${problem}`);
        }
      } else if (type !== 2 && type !== -1) {
        // -1 is msgpack's own timestamp, which Python's msgpack decodes itself.
        report.unknown.set(type, (report.unknown.get(type) ?? 0) + 1);
        if (report.payloads.length < MAX_KEPT) report.payloads.push({ type, data });
      }
      return null;
    },
  };
  return { codec, report };
}
