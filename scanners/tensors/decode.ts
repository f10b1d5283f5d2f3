/**
 * Tensor values decoded from their stored bytes to float32, in bounded chunks: the one reader
 * behind every format's {@linkcode WeightTensor}. A format says where the bytes are (a byte
 * range of a file or a container member), their byte order and, for a strided layout (PyTorch,
 * a Fortran-order array), the step of each dimension; this module does the rest.
 *
 * @module
 */

import type { ByteSource } from "../../core/byte_source.ts";
import { DecodeError } from "../../core/decode_error.ts";
import { dtypeBytes, elementCount, type TensorInfo, type WeightTensor } from "../../core/tensor.ts";

/**
 * Bytes read from storage at a time: a read of any length holds at most this much raw data at once.
 * The weight analysis's chunk of float32 values (`weights.chunkElements`, 1 Mi elements) is as large,
 * so that each of its chunks costs one read of the file.
 */
export const READ_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Where a tensor's values are stored and how.
 *
 * @example
 * ```ts
 * import { bytesSource } from "../../core/byte_source.ts";
 * import type { TensorStorage } from "./decode.ts";
 * // A 2×3 matrix stored column-major (a Fortran-order array): row steps 1 element, column steps 2.
 * const storage: TensorStorage = { source: bytesSource(new Uint8Array(24)), strides: [1, 2] };
 * ```
 */
export interface TensorStorage {
  /** The bytes holding the values: a file, a member, or a range of either. */
  readonly source: ByteSource;
  /** Byte offset in `source` of storage element 0 (default 0). */
  readonly offset?: number;
  /** Byte order of multi-byte values (default little-endian; a `>f4` array or a big-endian GGUF is big). */
  readonly byteOrder?: "little" | "big";
  /**
   * Storage elements between neighbours along each dimension, outermost first; absent for a
   * contiguous row-major layout.
   */
  readonly strides?: readonly number[];
  /** Storage element of the tensor's first element (PyTorch's storage offset; default 0). */
  readonly elementOffset?: number;
}

type Decode = (view: DataView, at: number, little: boolean) => number;

const scratch = new DataView(new ArrayBuffer(4));

/** An IEEE 754 half-precision value from its 16 bits. */
function float16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** A bfloat16 value: the upper half of a float32. */
function bfloat16(bits: number): number {
  scratch.setUint32(0, bits << 16);
  return scratch.getFloat32(0);
}

/** OCP FP8 E4M3 (the `fn` variant safetensors and PyTorch store): no infinities, NaN at S.1111.111. */
function float8e4m3(bits: number): number {
  const sign = bits & 0x80 ? -1 : 1;
  const exponent = (bits >> 3) & 0xf;
  const mantissa = bits & 0x7;
  if (exponent === 0) return sign * (mantissa / 8) * 2 ** -6;
  if (exponent === 0xf && mantissa === 0x7) return NaN;
  return sign * (1 + mantissa / 8) * 2 ** (exponent - 7);
}

/** OCP FP8 E5M2: half precision with its low 8 bits cut. */
function float8e5m2(bits: number): number {
  return float16(bits << 8);
}

const DECODERS: Readonly<Record<string, Decode>> = {
  F64: (view, at, little) => view.getFloat64(at, little),
  F32: (view, at, little) => view.getFloat32(at, little),
  F16: (view, at, little) => float16(view.getUint16(at, little)),
  BF16: (view, at, little) => bfloat16(view.getUint16(at, little)),
  F8_E4M3: (view, at) => float8e4m3(view.getUint8(at)),
  F8_E5M2: (view, at) => float8e5m2(view.getUint8(at)),
  I64: (view, at, little) => Number(view.getBigInt64(at, little)),
  U64: (view, at, little) => Number(view.getBigUint64(at, little)),
  I32: (view, at, little) => view.getInt32(at, little),
  U32: (view, at, little) => view.getUint32(at, little),
  I16: (view, at, little) => view.getInt16(at, little),
  U16: (view, at, little) => view.getUint16(at, little),
  I8: (view, at) => view.getInt8(at),
  U8: (view, at) => view.getUint8(at),
  BOOL: (view, at) => (view.getUint8(at) === 0 ? 0 : 1),
};

/**
 * Whether values of `dtype` (safetensors' spelling) can be decoded to float32.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isDecodable } from "./decode.ts";
 * assert.equal(isDecodable("BF16"), true);
 * assert.equal(isDecodable("C64"), false); // complex values have no one float32
 * ```
 */
export function isDecodable(dtype: string): boolean {
  return dtype in DECODERS;
}

/** Row-major strides of `shape`, in elements. */
function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let k = shape.length - 1; k >= 0; k--) {
    strides[k] = step;
    step *= shape[k];
  }
  return strides;
}

function isContiguous(shape: readonly number[], strides: readonly number[]): boolean {
  const dense = contiguousStrides(shape);
  // A dimension of one element is never stepped along: its stride does not matter.
  return strides.every((stride, k) => shape[k] === 1 || stride === dense[k]);
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * A readable tensor over its storage, or `undefined` when its dtype has no decoder. The caller
 * has checked that the storage holds every element (`scanners/tensors/extent.ts`): a read that
 * finds the source shorter throws, as an I/O failure would.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { weightTensor } from "./decode.ts";
 * const stored = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x7bff]).buffer); // float16 1, -2, 65504
 * const tensor = weightTensor({ name: "h", dtype: "F16", shape: [3] }, { source: bytesSource(stored) })!;
 * assert.deepEqual([...await tensor.read(0, 3)], [1, -2, 65504]);
 * ```
 */
export function weightTensor(info: TensorInfo, storage: TensorStorage): WeightTensor | undefined {
  const decode = DECODERS[info.dtype];
  const size = dtypeBytes(info.dtype);
  if (decode === undefined || size === undefined) return undefined;
  const total = elementCount(info.shape);
  const little = storage.byteOrder !== "big";
  const base = (storage.offset ?? 0) + (storage.elementOffset ?? 0) * size;
  const strides = storage.strides;
  const strided = strides !== undefined && !isContiguous(info.shape, strides);
  return {
    ...info,
    read(start, count) {
      if (!Number.isSafeInteger(start) || !Number.isSafeInteger(count) || start < 0 || count < 0) {
        return Promise.reject(new RangeError(`Cannot read ${count} elements from ${start}`));
      }
      if (start + count > total) {
        return Promise.reject(
          new RangeError(`${info.name} has ${total} elements; cannot read ${count} from ${start}`),
        );
      }
      const out = new Float32Array(count);
      if (strided) {
        return readStrided(storage.source, base, size, decode, little, info.shape, strides!, start, out);
      }
      // Float32 in the host's byte order is already what `out` holds: copied, not decoded value by value.
      const asIs = info.dtype === "F32" && little === HOST_LITTLE_ENDIAN;
      return readContiguous(
        storage.source,
        base + start * size,
        size,
        asIs ? undefined : decode,
        little,
        out,
      );
    },
  };
}

/**
 * A source that ends inside the values its tensor declares (a truncated file, a member cut short):
 * corrupt input, not a bug of the reader.
 */
function storageEnded(at: number): DecodeError {
  return new DecodeError("tensor", `its storage ends at byte ${at}, before the values the tensor declares`);
}

/** Whether this machine stores numbers little-endian (every platform Deno ships for). */
const HOST_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Reads contiguous elements into `out`: decoded one by one, or, without `decode`, copied byte for byte. */
async function readContiguous(
  source: ByteSource,
  from: number,
  size: number,
  decode: Decode | undefined,
  little: boolean,
  out: Float32Array,
): Promise<Float32Array> {
  const perChunk = Math.max(1, Math.floor(READ_CHUNK_BYTES / size));
  const outBytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  for (let done = 0; done < out.length;) {
    const n = Math.min(out.length - done, perChunk);
    const bytes = await source.read(from + done * size, n * size);
    if (bytes.length < n * size) throw storageEnded(from + done * size + bytes.length);
    if (decode === undefined) {
      outBytes.set(bytes.subarray(0, n * size), done * size);
    } else {
      const data = view(bytes);
      for (let i = 0; i < n; i++) out[done + i] = decode(data, i * size, little);
    }
    done += n;
  }
  return out;
}

/**
 * Elements of a strided layout in row-major order: each is found by its multi-index, and
 * read through a window of storage that moves only when an element falls outside it.
 */
async function readStrided(
  source: ByteSource,
  base: number,
  size: number,
  decode: Decode,
  little: boolean,
  shape: readonly number[],
  strides: readonly number[],
  start: number,
  out: Float32Array,
): Promise<Float32Array> {
  const index = new Array<number>(shape.length).fill(0);
  let rest = start;
  let element = 0;
  for (let k = shape.length - 1; k >= 0; k--) {
    index[k] = rest % shape[k];
    rest = Math.floor(rest / shape[k]);
    element += index[k] * strides[k];
  }
  let windowStart = -1;
  let window: DataView = new DataView(new ArrayBuffer(0));
  for (let i = 0; i < out.length; i++) {
    const at = base + element * size;
    if (windowStart < 0 || at < windowStart || at + size > windowStart + window.byteLength) {
      const bytes = await source.read(at, Math.max(size, READ_CHUNK_BYTES));
      if (bytes.length < size) throw storageEnded(at + bytes.length);
      windowStart = at;
      window = view(bytes.slice());
    }
    out[i] = decode(window, at - windowStart, little);
    for (let k = shape.length - 1; k >= 0; k--) {
      element += strides[k];
      if (++index[k] < shape[k]) break;
      element -= strides[k] * shape[k];
      index[k] = 0;
    }
  }
  return out;
}
