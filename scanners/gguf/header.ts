/**
 * Reads a GGUF header (versions 1 to 3, either byte order) as strictly as llama.cpp's
 * reference reader, `gguf_init_from_reader` in `ggml/src/gguf.cpp`, and the format spec
 * (`docs/gguf.md`) describe it, and never trusts a declared size: every count and length is
 * compared with the bytes that remain in the file before anything is read or kept. What
 * gguf.cpp rejects is reported as the finding it amounts to, with its position and key path,
 * never thrown; a value that cannot be stepped over (a length past the end, an unknown value
 * type) ends the reading there, as it ends gguf.cpp's.
 *
 * Metadata values are not kept: strings are handed to a callback as they are met (the
 * scanner checks them and collects the chat templates), arrays of fixed-size values are
 * stepped over unread, so a header of 100,000 entries costs time proportional to its bytes
 * and memory for its tensor table only.
 *
 * `npm:@huggingface/gguf` (0.4.6) was evaluated first and serves the tests as a second reading of
 * every benign fixture, but it cannot be the scanner's reader: it reads from a URL or a local path,
 * not from a byte source (an archive member), throws at the first bad field without its position,
 * so a file yields one error instead of its findings, bounds counts by fixed constants (100,000
 * metadata entries, 10 MB strings, a 50 MB header) instead of by the bytes that remain, and keeps
 * every metadata value, a 150,000-token vocabulary included, in memory.
 *
 * @module
 */

import type { ByteSource } from "../../core/byte_source.ts";
import type { FindingReport } from "../../core/scanner.ts";
import { HeaderCursor, SCALAR_WIDTH, type ScalarKind } from "./cursor.ts";
import { DEFAULT_GGUF_OPTIONS, type GgufOptions } from "../option_catalog.ts";

/** GGUF metadata value types (`enum gguf_type`), by id. */
const VALUE_TYPES = [
  "u8",
  "i8",
  "u16",
  "i16",
  "u32",
  "i32",
  "f32",
  "bool",
  "string",
  "array",
  "u64",
  "i64",
  "f64",
] as const;

type ValueTypeName = (typeof VALUE_TYPES)[number];

const ARRAY = 9;
const UINT32 = 4;

/** gguf.cpp's `GGUF_DEFAULT_ALIGNMENT`: the data section's alignment when `general.alignment` is absent. */
export const DEFAULT_ALIGNMENT = 32;

/** gguf.cpp's `GGUF_MAX_STRING_LENGTH` and `GGUF_MAX_ARRAY_ELEMENTS`: it refuses anything longer. */
const REFERENCE_MAX_LENGTH = 1024 * 1024 * 1024;

/** ggml's `GGML_MAX_NAME`: gguf.cpp refuses tensor names of this many bytes or more. */
const MAX_TENSOR_NAME_BYTES = 64;

/** ggml's `GGML_MAX_DIMS`. */
const MAX_DIMS = 4;

/**
 * Arrays nested deeper than this are a bomb, not data: gguf.cpp accepts no nesting at all and
 * no writer nests more than twice; the bound also keeps the recursion off the stack's limit.
 */
const MAX_ARRAY_NESTING = 8;

/** How often (in values) a long loop checks whether the scan's time is up. */
const ABORT_CHECK_INTERVAL = 4096;

/** One tensor's entry in the tensor table, as declared. */
export interface GgufTensorInfo {
  /** Its index in the table. */
  readonly index: number;
  /** Its name, e.g. `blk.0.attn_q.weight`. */
  readonly name: string;
  /** Byte offset of the entry in the file. */
  readonly position: number;
  /** Dimensions, innermost first (`ne` in ggml). */
  readonly dims: readonly bigint[];
  /** The declared ggml type id. */
  readonly type: number;
  /** Offset of its data from the start of the data section. */
  readonly offset: bigint;
}

/** What the header declares, as far as it could be read. */
export interface GgufHeader {
  /** The format version, 1 to 3. */
  readonly version: number;
  /** False for a file written for a big-endian host. */
  readonly littleEndian: boolean;
  /** `general.alignment`, or the default when it is absent or invalid. */
  readonly alignment: number;
  /** The tensor table as far as it was read. */
  readonly tensors: readonly GgufTensorInfo[];
  /** Where the data section starts (after the tensor table, padded), when the whole header was read. */
  readonly dataStart?: number;
}

/** What the reader hands back while it reads. */
export interface GgufHeaderHandlers {
  /** A finding about the header. */
  report(finding: FindingReport): void;
  /**
   * A metadata string value (or a string element of an array), with the key it belongs to, its
   * key path (`$["tokenizer.chat_template"]`, `$["tokenizer.ggml.tokens"][5]`) and the offset of
   * its first byte. The reading waits for a returned promise (and only then: a vocabulary has
   * hundreds of thousands of strings).
   */
  string(text: string, key: string, keyPath: string, position: number): void | Promise<void>;
  /** Aborted when the scan's time is up. */
  readonly signal: AbortSignal;
}

/**
 * The key path of metadata key `key`, e.g. `$["general.name"]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { metadataKeyPath } from "./header.ts";
 * assert.equal(metadataKeyPath("tokenizer.chat_template"), '$["tokenizer.chat_template"]');
 * ```
 */
export function metadataKeyPath(key: string): string {
  return `$[${JSON.stringify(key)}]`;
}

/**
 * The key path of tensor `name` in the tensor table, e.g. `tensors["output.weight"]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tensorKeyPath } from "./header.ts";
 * assert.equal(tensorKeyPath("output.weight"), 'tensors["output.weight"]');
 * ```
 */
export function tensorKeyPath(name: string): string {
  return `tensors[${JSON.stringify(name)}]`;
}

/** Stops the reading: what follows cannot be located. */
class Stop extends Error {}

/** The reading of one header: the cursor, the version's field widths, and the findings. */
class GgufReader {
  readonly cursor: HeaderCursor;
  readonly handlers: GgufHeaderHandlers;
  /** Version 1 wrote counts and lengths as u32, later versions as u64. */
  readonly wide: boolean;
  alignment = DEFAULT_ALIGNMENT;
  #steps = 0;

  constructor(
    cursor: HeaderCursor,
    handlers: GgufHeaderHandlers,
    version: number,
    readonly maxStringBytes: number,
  ) {
    this.cursor = cursor;
    this.handlers = handlers;
    this.wide = version >= 2;
  }

  get lengthBytes(): number {
    return this.wide ? 8 : 4;
  }

  report(finding: FindingReport): void {
    this.handlers.report(finding);
  }

  /** Reports `finding` and stops the reading. */
  fatal(finding: FindingReport): never {
    this.report(finding);
    throw new Stop();
  }

  tick(): void {
    if (++this.#steps % ABORT_CHECK_INTERVAL === 0) this.handlers.signal.throwIfAborted();
  }

  truncated(what: string, keyPath?: string): never {
    const position = this.cursor.position;
    this.fatal({
      rule: "MA341",
      message: `The header is truncated: the file ends inside ${what}`,
      position,
      keyPath,
      details: { position, fileSize: this.cursor.size },
    });
  }

  async length(what: string, keyPath?: string): Promise<bigint> {
    const value = this.wide ? await this.cursor.u64() : await this.cursor.u32();
    if (value === undefined) this.truncated(what, keyPath);
    return BigInt(value);
  }

  async u32(what: string, keyPath?: string): Promise<number> {
    const value = await this.cursor.u32();
    if (value === undefined) this.truncated(what, keyPath);
    return value;
  }

  /**
   * A string: its length checked against the remaining bytes (gguf.cpp: "string length exceeds
   * remaining file size") and its own limit, then decoded, or stepped over when too long to inspect.
   */
  async string(what: string, keyPath?: string): Promise<{ text?: string; position: number }> {
    const lengthAt = this.cursor.position;
    const length = await this.length(`the length of ${what}`, keyPath);
    const position = this.cursor.position;
    if (length > BigInt(this.cursor.remaining)) {
      this.fatal({
        rule: "MA340",
        message:
          `The length of ${what} is ${length} bytes, but only ${this.cursor.remaining} remain in the file`,
        position: lengthAt,
        keyPath,
        details: { field: "string length", declared: String(length), remaining: this.cursor.remaining },
      });
    }
    const bytes = Number(length);
    if (bytes > REFERENCE_MAX_LENGTH) {
      this.report({
        rule: "MA341",
        message: `${
          capitalise(what)
        } is ${bytes} bytes long; llama.cpp refuses strings over ${REFERENCE_MAX_LENGTH}`,
        position: lengthAt,
        keyPath,
        details: { length: bytes, limit: REFERENCE_MAX_LENGTH },
      });
    }
    if (bytes > this.maxStringBytes) {
      this.cursor.skip(bytes);
      this.report({
        rule: "MA348",
        message: `${capitalise(what)} (${bytes} bytes) is too long to inspect and was not read`,
        position,
        keyPath,
        details: { length: bytes, limit: this.maxStringBytes, option: "gguf.maxStringBytes" },
      });
      return { position };
    }
    const text = await this.cursor.text(bytes);
    if (text === undefined) this.truncated(what, keyPath);
    return { text, position };
  }

  async valueType(what: string, keyPath: string): Promise<number> {
    const at = this.cursor.position;
    const type = await this.u32(what, keyPath);
    if (type >= VALUE_TYPES.length) {
      // gguf.cpp: "key '%s' has invalid GGUF type %d"; the value's size is unknown, so reading stops.
      this.fatal({
        rule: "MA341",
        message: `The ${what} is ${type | 0}, which is no GGUF value type (0 to ${VALUE_TYPES.length - 1})`,
        position: at,
        keyPath,
        details: { valueType: type | 0 },
      });
    }
    return type;
  }

  /** One metadata value of type `type`. */
  async value(type: number, key: string, keyPath: string, nesting: number): Promise<void> {
    this.tick();
    const name: ValueTypeName = VALUE_TYPES[type];
    if (name === "string") {
      const { text, position } = await this.string(`the value of ${key}`, keyPath);
      const pending = text === undefined ? undefined : this.handlers.string(text, key, keyPath, position);
      if (pending) await pending;
    } else if (name === "array") {
      await this.array(key, keyPath, nesting + 1);
    } else if (!this.cursor.skip(width(name))) {
      this.truncated(`the value of ${key}`, keyPath);
    }
  }

  /** An array: its element type and count checked before a single element is read. */
  async array(key: string, keyPath: string, nesting: number): Promise<void> {
    const typeAt = this.cursor.position;
    const type = await this.valueType("array element type", keyPath);
    if (type === ARRAY) {
      if (nesting >= MAX_ARRAY_NESTING) {
        this.fatal({
          rule: "MA340",
          message: `Arrays are nested more than ${MAX_ARRAY_NESTING} deep in ${key}: a nesting bomb`,
          position: typeAt,
          keyPath,
          details: { field: "array nesting", limit: MAX_ARRAY_NESTING },
        });
      }
      if (nesting === 1) {
        this.report({
          rule: "MA341",
          message: `${key} is an array of arrays, which llama.cpp refuses ("invalid GGUF type")`,
          position: typeAt,
          keyPath,
          details: { valueType: ARRAY },
        });
      }
    }
    const countAt = this.cursor.position;
    const count = await this.length(`the element count of ${key}`, keyPath);
    const name: ValueTypeName = VALUE_TYPES[type];
    // The least each element takes: its bytes, a string's length field, a nested array's type and count.
    const least = name === "string"
      ? this.lengthBytes
      : name === "array"
      ? 4 + this.lengthBytes
      : width(name);
    const remaining = this.cursor.remaining;
    if (count * BigInt(least) > BigInt(remaining)) {
      this.fatal({
        rule: "MA340",
        message:
          `${key} declares ${count} elements of ${name} (at least ${least} bytes each), but only ${remaining} bytes remain in the file`,
        position: countAt,
        keyPath,
        details: { field: "array length", declared: String(count), elementType: name, remaining },
      });
    }
    const n = Number(count);
    if (n > REFERENCE_MAX_LENGTH) {
      this.report({
        rule: "MA341",
        message: `${key} has ${n} elements; llama.cpp refuses arrays of more than ${REFERENCE_MAX_LENGTH}`,
        position: countAt,
        keyPath,
        details: { count: n, limit: REFERENCE_MAX_LENGTH },
      });
    }
    if (name !== "string" && name !== "array") {
      this.cursor.skip(n * least);
      return;
    }
    for (let i = 0; i < n; i++) {
      await this.value(type, key, `${keyPath}[${i}]`, nesting);
    }
  }
}

function width(name: ValueTypeName): number {
  return name === "bool" ? 1 : SCALAR_WIDTH[name as ScalarKind];
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The least bytes one metadata entry and one tensor entry take (an empty key or name, a
 * one-byte value, no dimension): the counts cannot exceed what the remaining bytes hold.
 */
function leastEntryBytes(wide: boolean): { kv: number; tensor: number } {
  const length = wide ? 8 : 4;
  return { kv: length + 4 + 1, tensor: length + 4 + 4 + 8 };
}

/**
 * Reads the version, the counts, the metadata and the tensor table of the GGUF file in
 * `source`, reporting what gguf.cpp would refuse; `undefined` when the version is unknown
 * (nothing after it can be located). Strings over `options.maxStringBytes` are stepped over unread.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { readGgufHeader } from "./header.ts";
 * // A small llama file written by gguf-py's GGUFWriter.
 * const bytes = await Deno.readFile("fixtures/gguf/benign/llama3_v3.gguf");
 * const rules: string[] = [];
 * const keyPaths: string[] = [];
 * const header = await readGgufHeader(bytesSource(bytes), {
 *   report: (finding) => rules.push(finding.rule),
 *   string: (_text, _key, keyPath) => void keyPaths.push(keyPath),
 *   signal: new AbortController().signal,
 * });
 * assert.deepEqual(rules, []);
 * assert.equal(header?.version, 3);
 * assert.equal(header?.tensors.length, 5);
 * assert.deepEqual(header?.tensors[0].dims, [8n, 16n]);
 * assert.deepEqual(keyPaths.slice(0, 2), ['$["general.architecture"]', '$["general.name"]']);
 * assert.ok(keyPaths.includes('$["tokenizer.ggml.tokens"][0]'));
 * ```
 */
export async function readGgufHeader(
  source: ByteSource,
  handlers: GgufHeaderHandlers,
  options: Readonly<GgufOptions> = DEFAULT_GGUF_OPTIONS,
): Promise<GgufHeader | undefined> {
  const cursor = new HeaderCursor(source, 4);
  const version = await readVersion(cursor, handlers);
  if (version === undefined) return undefined;
  const reader = new GgufReader(cursor, handlers, version, options.maxStringBytes);
  const tensors: GgufTensorInfo[] = [];
  const header = () => ({ version, littleEndian: cursor.littleEndian, alignment: reader.alignment, tensors });
  try {
    const tensorCount = await reader.length("the tensor count");
    const kvCount = await reader.length("the metadata count");
    checkCounts(reader, tensorCount, kvCount);
    await readMetadata(reader, Number(kvCount));
    await readTensorTable(reader, Number(tensorCount), tensors);
  } catch (error) {
    if (error instanceof Stop) return header();
    throw error;
  }
  const padded = Math.ceil(cursor.position / reader.alignment) * reader.alignment;
  return { ...header(), dataStart: tensors.length > 0 ? padded : cursor.position };
}

/** The version, in the byte order that makes it one: gguf.cpp reads a swapped one as "extremely large". */
async function readVersion(cursor: HeaderCursor, handlers: GgufHeaderHandlers): Promise<number | undefined> {
  const little = await cursor.u32();
  if (little === undefined) {
    handlers.report({
      rule: "MA341",
      message: "The header is truncated: the file ends before the version",
      position: 4,
      details: { position: 4, fileSize: cursor.size },
    });
    return undefined;
  }
  let version = little;
  if ((little & 0xffff) === 0 && little !== 0) {
    // A file written for a big-endian host (the spec's convention: same layout, swapped bytes).
    cursor.littleEndian = false;
    version = ((little >>> 24) | ((little >>> 8) & 0xff00)) >>> 0;
  }
  if (version >= 1 && version <= 3) return version;
  handlers.report({
    rule: "MA341",
    message: `GGUF version ${little} is unknown (1 to 3 exist); nothing after it can be read`,
    position: 4,
    details: { version: little },
  });
  return undefined;
}

/**
 * gguf.cpp only refuses counts beyond SIZE_MAX / sizeof(entry) and then allocates what they
 * declare; here a count is absurd as soon as its entries could not fit in the remaining bytes.
 */
function checkCounts(reader: GgufReader, tensorCount: bigint, kvCount: bigint): void {
  const remaining = BigInt(reader.cursor.remaining);
  const least = leastEntryBytes(reader.wide);
  const fields = [
    { field: "tensor count", declared: tensorCount, least: least.tensor, position: 8 },
    { field: "metadata count", declared: kvCount, least: least.kv, position: reader.wide ? 16 : 12 },
  ];
  for (const { field, declared, least, position } of fields) {
    if (declared * BigInt(least) > remaining) {
      reader.report({
        rule: "MA340",
        message: `The ${field} is ${declared}, but the ${remaining} bytes left in the file hold at most ${
          remaining / BigInt(least)
        } entries`,
        position,
        details: { field, declared: String(declared), remaining: Number(remaining) },
      });
    }
  }
  if (tensorCount * BigInt(least.tensor) > remaining || kvCount * BigInt(least.kv) > remaining) {
    throw new Stop();
  }
  if (tensorCount * BigInt(least.tensor) + kvCount * BigInt(least.kv) > remaining) {
    reader.fatal({
      rule: "MA340",
      message:
        `${tensorCount} tensors and ${kvCount} metadata entries cannot fit in the ${remaining} bytes left in the file`,
      position: 8,
      details: { field: "counts", tensorCount: String(tensorCount), kvCount: String(kvCount) },
    });
  }
}

async function readMetadata(reader: GgufReader, count: number): Promise<void> {
  const keys = new Set<string>();
  for (let i = 0; i < count; i++) {
    const keyAt = reader.cursor.position;
    const { text } = await reader.string(`metadata key ${i}`);
    const key = text ?? "";
    const keyPath = metadataKeyPath(key);
    if (text === "") {
      reader.report({
        rule: "MA341",
        message: `Metadata key ${i} is empty`,
        position: keyAt,
        details: { index: i },
      });
    } else if (keys.has(key)) {
      reader.report({
        rule: "MA341",
        message:
          `Metadata key ${key} appears twice; llama.cpp refuses the file, other readers keep either value`,
        position: keyAt,
        keyPath,
        details: { key },
      });
    }
    keys.add(key);
    const typeAt = reader.cursor.position;
    const type = await reader.valueType("value type", keyPath);
    if (key === "general.alignment") {
      await readAlignment(reader, type, typeAt, keyPath);
    } else {
      await reader.value(type, key, keyPath, 0);
    }
  }
}

/** gguf.cpp: `general.alignment` "must be of type u32", and a non-zero power of 2. */
async function readAlignment(
  reader: GgufReader,
  type: number,
  typeAt: number,
  keyPath: string,
): Promise<void> {
  if (type !== UINT32) {
    reader.report({
      rule: "MA341",
      message: `general.alignment is of type ${
        VALUE_TYPES[type]
      }; llama.cpp requires u32 and refuses the file`,
      position: typeAt,
      keyPath,
      details: { valueType: VALUE_TYPES[type] },
    });
    return reader.value(type, "general.alignment", keyPath, 0);
  }
  const valueAt = reader.cursor.position;
  const alignment = await reader.u32("general.alignment", keyPath);
  if (alignment === 0 || (alignment & (alignment - 1)) !== 0) {
    reader.report({
      rule: "MA341",
      message: `general.alignment is ${alignment}, not a power of 2; llama.cpp refuses the file`,
      position: valueAt,
      keyPath,
      details: { alignment },
    });
    return;
  }
  reader.alignment = alignment;
}

async function readTensorTable(reader: GgufReader, count: number, tensors: GgufTensorInfo[]): Promise<void> {
  const names = new Set<string>();
  for (let index = 0; index < count; index++) {
    reader.tick();
    const position = reader.cursor.position;
    const { text, position: nameAt } = await reader.string(`the name of tensor ${index}`);
    const name = text ?? "";
    const keyPath = tensorKeyPath(name);
    const pending = text === undefined ? undefined : reader.handlers.string(name, name, keyPath, nameAt);
    if (pending) await pending;
    const nameBytes = new TextEncoder().encode(name).length;
    if (nameBytes >= MAX_TENSOR_NAME_BYTES) {
      reader.report({
        rule: "MA341",
        // Other GGUF readers (stable-diffusion.cpp, ComfyUI-GGUF) accept longer names: no alarm.
        severity: "info",
        message:
          `Tensor ${index}'s name is ${nameBytes} bytes; llama.cpp refuses names of ${MAX_TENSOR_NAME_BYTES} or more`,
        position,
        keyPath,
        details: { index, length: nameBytes, limit: MAX_TENSOR_NAME_BYTES },
      });
    } else if (names.has(name)) {
      reader.report({
        rule: "MA341",
        message: `Tensor name ${name} appears twice; llama.cpp refuses the file`,
        position,
        keyPath,
        details: { index, name },
      });
    }
    names.add(name);
    const dimsAt = reader.cursor.position;
    const nDims = await reader.u32(`the dimensions of tensor ${name}`, keyPath);
    if (nDims > MAX_DIMS) {
      reader.fatal({
        rule: "MA341",
        message: `Tensor ${name} declares ${nDims} dimensions; ggml has at most ${MAX_DIMS}`,
        position: dimsAt,
        keyPath,
        details: { index, dimensions: nDims },
      });
    }
    const dims: bigint[] = [];
    for (let d = 0; d < nDims; d++) {
      // gguf.cpp reads each dimension as int64 (the spec's u64; version 1 wrote u32).
      const dim = reader.wide ? await reader.cursor.i64() : await reader.cursor.u32();
      if (dim === undefined) reader.truncated(`the dimensions of tensor ${name}`, keyPath);
      dims.push(BigInt(dim));
    }
    const type = await reader.cursor.i32();
    if (type === undefined) reader.truncated(`the type of tensor ${name}`, keyPath);
    const offset = await reader.cursor.u64();
    if (offset === undefined) reader.truncated(`the offset of tensor ${name}`, keyPath);
    tensors.push({ index, name, position, dims, type, offset });
  }
}
