/**
 * Writes the benchmark's pickles byte by byte, the way CPython's pickler lays
 * them out (memo, frames, batched APPENDS/SETITEMS), without Python and without
 * holding a large file in memory: bytes go to a sink in pieces of about 1 MiB.
 *
 * Only `scripts/bench.ts` uses this module; nothing here is loaded by the scanner.
 *
 * @module
 */

/** Opcodes the generators write, named as in CPython's `pickletools`. */
const OP = {
  MARK: 0x28,
  STOP: 0x2e,
  INT: 0x49,
  FLOAT: 0x46,
  UNICODE: 0x56,
  NONE: 0x4e,
  GLOBAL: 0x63,
  REDUCE: 0x52,
  TUPLE: 0x74,
  EMPTY_TUPLE: 0x29,
  TUPLE1: 0x85,
  TUPLE2: 0x86,
  TUPLE3: 0x87,
  LIST: 0x6c,
  DICT: 0x64,
  EMPTY_LIST: 0x5d,
  EMPTY_DICT: 0x7d,
  APPEND: 0x61,
  APPENDS: 0x65,
  SETITEM: 0x73,
  SETITEMS: 0x75,
  PUT: 0x70,
  GET: 0x67,
  BINPUT: 0x71,
  LONG_BINPUT: 0x72,
  BINGET: 0x68,
  LONG_BINGET: 0x6a,
  MEMOIZE: 0x94,
  BININT: 0x4a,
  BININT1: 0x4b,
  BININT2: 0x4d,
  BINFLOAT: 0x47,
  BINUNICODE: 0x58,
  SHORT_BINUNICODE: 0x8c,
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
  PROTO: 0x80,
  FRAME: 0x95,
  STACK_GLOBAL: 0x93,
  SHORT_BINBYTES: 0x43,
  BINBYTES: 0x42,
  BINBYTES8: 0x8e,
  BYTEARRAY8: 0x96,
} as const;

/** CPython's `_FRAME_SIZE_TARGET`: a frame is committed once it holds this many bytes. */
const FRAME_TARGET = 64 * 1024;
/** CPython's `_FRAME_SIZE_MIN`: smaller frames are written without a FRAME header. */
const FRAME_MIN = 4;
/** CPython's `_BATCHSIZE`: items per APPENDS/SETITEMS batch. */
const BATCH_SIZE = 1000;
/** Bytes buffered before a write to the sink: large enough for speed, small enough to never matter. */
const FLUSH_BYTES = 1 << 20;
/** Largest payload length a BINBYTES (4-byte length) opcode can carry. */
const MAX_U32 = 0xffff_ffff;

const encoder = new TextEncoder();

/** A growable byte buffer with the little- and big-endian writes pickles need. */
class ByteBuffer {
  #bytes = new Uint8Array(1 << 16);
  #view = new DataView(this.#bytes.buffer);
  length = 0;

  #reserve(count: number): void {
    if (this.length + count <= this.#bytes.length) return;
    const grown = new Uint8Array(Math.max(this.#bytes.length * 2, this.length + count));
    grown.set(this.#bytes.subarray(0, this.length));
    this.#bytes = grown;
    this.#view = new DataView(grown.buffer);
  }

  u8(value: number): void {
    this.#reserve(1);
    this.#bytes[this.length++] = value;
  }

  u16(value: number): void {
    this.#reserve(2);
    this.#view.setUint16(this.length, value, true);
    this.length += 2;
  }

  u32(value: number): void {
    this.#reserve(4);
    this.#view.setUint32(this.length, value, true);
    this.length += 4;
  }

  i32(value: number): void {
    this.#reserve(4);
    this.#view.setInt32(this.length, value, true);
    this.length += 4;
  }

  u64(value: number): void {
    this.u32(value % 2 ** 32);
    this.u32(Math.floor(value / 2 ** 32));
  }

  f64be(value: number): void {
    this.#reserve(8);
    this.#view.setFloat64(this.length, value, false);
    this.length += 8;
  }

  bytes(data: Uint8Array): void {
    this.#reserve(data.length);
    this.#bytes.set(data, this.length);
    this.length += data.length;
  }

  view(): Uint8Array {
    return this.#bytes.subarray(0, this.length);
  }

  clear(): void {
    this.length = 0;
  }
}

/**
 * Receives the pickle's bytes in order. The chunk is only valid during the call:
 * a sink that keeps it must copy it.
 */
export type ByteSink = (chunk: Uint8Array) => void;

/**
 * A sink that writes every chunk to an open file, synchronously.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileSink, writeOpcodePickle } from "./bench_pickles.ts";
 * const path = await Deno.makeTempFile({ suffix: ".pkl" });
 * const file = Deno.openSync(path, { write: true, truncate: true });
 * const written = writeOpcodePickle(fileSink(file), 1000);
 * file.close();
 * assert.equal((await Deno.stat(path)).size, written.bytes);
 * await Deno.remove(path);
 * ```
 */
export function fileSink(file: Deno.FsFile): ByteSink {
  return (chunk) => {
    for (let done = 0; done < chunk.length;) done += file.writeSync(chunk.subarray(done));
  };
}

/** Python `bytes` opcodes for payloads too large for SHORT_BINBYTES. */
type LargeBytesKind = "BINBYTES" | "BINBYTES8" | "BYTEARRAY8";

/** A Python `tuple`. */
class PyTuple {
  constructor(readonly items: readonly PyValue[]) {}
}

/** `module.name(*args)`: a GLOBAL (or STACK_GLOBAL) import followed by REDUCE. */
class PyCall {
  constructor(readonly module: string, readonly name: string, readonly args: readonly PyValue[]) {}
}

/**
 * A Python value to pickle: `bigint` is an `int`, `number` a `float`, a plain
 * object a `dict` with string keys.
 */
type PyValue =
  | null
  | boolean
  | bigint
  | number
  | string
  | readonly PyValue[]
  | PyTuple
  | PyCall
  | { readonly [key: string]: PyValue };

/**
 * Writes pickle opcodes to a sink and counts them. Protocol 0 gets text
 * opcodes, 2 and 3 binary ones with BINPUT, 4 and 5 MEMOIZE and (by default)
 * frames; strings are memoized by value, so a repeated string becomes a GET,
 * as when CPython pickles the same (interned) string object again. Usage:
 * `begin(protocol)`, values or a streamed list, `end()`; `opcodes` counts what was written.
 */
class PickleWriter {
  /** Opcodes written so far, FRAME and PROTO included. */
  opcodes = 0;
  /** Bytes handed to the sink so far. */
  bytes = 0;
  readonly #sink: ByteSink;
  readonly #raw = new ByteBuffer();
  readonly #frame = new ByteBuffer();
  #protocol = 0;
  #framing = false;
  #memoSize = 0;
  readonly #strings = new Map<string, number>();
  /** Items in the open APPENDS/SETITEMS batch of each open streamed container. */
  readonly #batches: number[] = [];

  constructor(sink: ByteSink) {
    this.#sink = sink;
  }

  /** Starts a pickle (several may follow each other in one stream); `framed` defaults to protocol >= 4. */
  begin(protocol: number, framed = protocol >= 4): void {
    this.#protocol = protocol;
    this.#memoSize = 0;
    this.#strings.clear();
    if (protocol >= 2) {
      this.#raw.u8(OP.PROTO);
      this.#raw.u8(protocol);
      this.opcodes++;
    }
    this.#framing = framed;
  }

  /** Writes STOP, commits the last frame and flushes everything to the sink. */
  end(): void {
    this.#op(OP.STOP);
    this.#commitFrame();
    this.#framing = false;
    this.flush();
  }

  /** Turns framing of the following small opcodes on or off (loaders accept both, in any mix). */
  setFraming(on: boolean): void {
    if (!on) this.#commitFrame();
    this.#framing = on;
  }

  /** Hands buffered bytes outside any open frame to the sink. */
  flush(): void {
    if (this.#raw.length === 0) return;
    this.bytes += this.#raw.length;
    this.#sink(this.#raw.view());
    this.#raw.clear();
  }

  /** Marks the end of one top-level item: commits a full frame and flushes a full buffer, as CPython does. */
  boundary(): void {
    if (this.#framing && this.#frame.length >= FRAME_TARGET) this.#commitFrame();
    if (this.#raw.length >= FLUSH_BYTES) this.flush();
  }

  get #out(): ByteBuffer {
    return this.#framing ? this.#frame : this.#raw;
  }

  #op(code: number): void {
    this.#out.u8(code);
    this.opcodes++;
  }

  /** A protocol-0 opcode whose argument is a line of ASCII text. */
  #line(code: number, text: string): void {
    this.#op(code);
    this.#out.bytes(encoder.encode(text));
    this.#out.u8(0x0a);
  }

  #commitFrame(): void {
    const size = this.#frame.length;
    if (size === 0) return;
    if (size >= FRAME_MIN) {
      this.#raw.u8(OP.FRAME);
      this.#raw.u64(size);
      this.opcodes++;
    }
    this.#raw.bytes(this.#frame.view());
    this.#frame.clear();
  }

  /** Stores the top of the stack in the memo; returns its index. */
  put(): number {
    const index = this.#memoSize++;
    if (this.#protocol === 0) {
      this.#line(OP.PUT, String(index));
    } else if (this.#protocol >= 4) {
      this.#op(OP.MEMOIZE);
    } else if (index < 256) {
      this.#op(OP.BINPUT);
      this.#out.u8(index);
    } else {
      this.#op(OP.LONG_BINPUT);
      this.#out.u32(index);
    }
    return index;
  }

  /** Pushes memo entry `index`. */
  get(index: number): void {
    if (this.#protocol === 0) {
      this.#line(OP.GET, String(index));
    } else if (index < 256) {
      this.#op(OP.BINGET);
      this.#out.u8(index);
    } else {
      this.#op(OP.LONG_BINGET);
      this.#out.u32(index);
    }
  }

  none(): void {
    this.#op(OP.NONE);
  }

  bool(value: boolean): void {
    if (this.#protocol < 2) this.#line(OP.INT, value ? "01" : "00");
    else this.#op(value ? OP.NEWTRUE : OP.NEWFALSE);
  }

  /** A Python int in the signed 32-bit range (what INT and BININT hold). */
  int(value: number): void {
    if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
      throw new RangeError(`int ${value} is outside the 32-bit range the generators use`);
    }
    if (this.#protocol === 0) {
      this.#line(OP.INT, String(value));
    } else if (value >= 0 && value < 256) {
      this.#op(OP.BININT1);
      this.#out.u8(value);
    } else if (value >= 0 && value < 65536) {
      this.#op(OP.BININT2);
      this.#out.u16(value);
    } else {
      this.#op(OP.BININT);
      this.#out.i32(value);
    }
  }

  float(value: number): void {
    if (this.#protocol === 0) {
      // Python's float() parses JavaScript's shortest round-trip form ("1e-7", "0.25").
      this.#line(OP.FLOAT, String(value));
    } else {
      this.#op(OP.BINFLOAT);
      this.#out.f64be(value);
    }
  }

  /** A str, memoized; a string already in this pickle's memo becomes a GET. */
  str(value: string): void {
    const known = this.#strings.get(value);
    if (known !== undefined) {
      this.get(known);
      return;
    }
    if (this.#protocol === 0) {
      // Protocol 0 stores raw-unicode-escape text; plain printable ASCII needs no escaping.
      if (!/^[\x20-\x5b\x5d-\x7e]*$/.test(value)) throw new RangeError(`not plain ASCII: ${value}`);
      this.#line(OP.UNICODE, value);
    } else {
      const utf8 = encoder.encode(value);
      if (this.#protocol >= 4 && utf8.length < 256) {
        this.#op(OP.SHORT_BINUNICODE);
        this.#out.u8(utf8.length);
      } else {
        this.#op(OP.BINUNICODE);
        this.#out.u32(utf8.length);
      }
      this.#out.bytes(utf8);
    }
    this.#strings.set(value, this.put());
  }

  /** Bytes short enough for SHORT_BINBYTES (protocol 3 and up), memoized. */
  shortBytes(data: Uint8Array): void {
    if (this.#protocol < 3 || data.length > 255) {
      throw new RangeError("SHORT_BINBYTES needs protocol 3+, <256 bytes");
    }
    this.#op(OP.SHORT_BINBYTES);
    this.#out.u8(data.length);
    this.#out.bytes(data);
    this.put();
  }

  /**
   * A large bytes or bytearray payload of `size` bytes, `pattern` repeated. As in
   * CPython, it goes outside any frame and straight to the sink, so its size
   * costs no memory here; it is memoized afterwards.
   */
  largeBytes(kind: LargeBytesKind, size: number, pattern: Uint8Array): void {
    const minProtocol = kind === "BINBYTES" ? 3 : kind === "BINBYTES8" ? 4 : 5;
    if (this.#protocol < minProtocol || (kind === "BINBYTES" && size > MAX_U32) || pattern.length === 0) {
      throw new RangeError(`${kind} of ${size} bytes does not fit protocol ${this.#protocol}`);
    }
    this.#commitFrame();
    this.#raw.u8(OP[kind]);
    this.opcodes++;
    if (kind === "BINBYTES") this.#raw.u32(size);
    else this.#raw.u64(size);
    this.flush();
    for (let done = 0; done < size;) {
      const piece = pattern.subarray(0, Math.min(pattern.length, size - done));
      this.#sink(piece);
      done += piece.length;
    }
    this.bytes += size;
    this.put();
  }

  /** `module.name` as an import: GLOBAL below protocol 4, two strings and STACK_GLOBAL from 4. Memoized. */
  global(module: string, name: string): void {
    if (this.#protocol >= 4) {
      this.str(module);
      this.str(name);
      this.#op(OP.STACK_GLOBAL);
    } else {
      this.#op(OP.GLOBAL);
      this.#out.bytes(encoder.encode(`${module}\n${name}\n`));
    }
    this.put();
  }

  /** Opens a list whose items are written one by one; call {@linkcode listItem} after each, then {@linkcode endList}. */
  beginList(): void {
    this.#openContainer(OP.LIST, OP.EMPTY_LIST);
    if (this.#protocol > 0) this.#op(OP.MARK);
    this.#batches.push(0);
  }

  /** Ends an item of the open list: APPEND in protocol 0, a new APPENDS batch every 1000 items otherwise. */
  listItem(): void {
    if (this.#protocol === 0) {
      this.#op(OP.APPEND);
      return;
    }
    const last = this.#batches.length - 1;
    if (++this.#batches[last] === BATCH_SIZE) {
      this.#op(OP.APPENDS);
      this.#op(OP.MARK);
      this.#batches[last] = 0;
    }
  }

  /** Closes the open list's last batch. */
  endList(): void {
    this.#batches.pop();
    if (this.#protocol > 0) this.#op(OP.APPENDS);
  }

  #openContainer(textCode: number, binaryCode: number): void {
    if (this.#protocol === 0) {
      this.#op(OP.MARK);
      this.#op(textCode);
    } else {
      this.#op(binaryCode);
    }
    this.put();
  }

  /** CPython's `_batch_appends`/`_batch_setitems`: one item alone, more between MARK and the batch opcode. */
  #items<T>(items: readonly T[], write: (item: T) => void, single: number, batch: number): void {
    if (this.#protocol === 0) {
      for (const item of items) {
        write(item);
        this.#op(single);
      }
      return;
    }
    for (let start = 0; start < items.length; start += BATCH_SIZE) {
      const chunk = items.slice(start, start + BATCH_SIZE);
      if (chunk.length === 1) {
        write(chunk[0]);
        this.#op(single);
        continue;
      }
      this.#op(OP.MARK);
      chunk.forEach(write);
      this.#op(batch);
    }
  }

  #tuple(items: readonly PyValue[]): void {
    if (items.length === 0) {
      // CPython neither memoizes nor marks the empty tuple in binary protocols.
      if (this.#protocol === 0) {
        this.#op(OP.MARK);
        this.#op(OP.TUPLE);
      } else {
        this.#op(OP.EMPTY_TUPLE);
      }
      return;
    }
    const short = this.#protocol >= 2 && items.length <= 3;
    if (!short) this.#op(OP.MARK);
    for (const item of items) this.value(item);
    this.#op(short ? [OP.TUPLE1, OP.TUPLE2, OP.TUPLE3][items.length - 1] : OP.TUPLE);
    this.put();
  }

  /** Pickles a whole value, as CPython's pickler would lay it out. */
  value(value: PyValue): void {
    if (value === null) this.none();
    else if (typeof value === "boolean") this.bool(value);
    else if (typeof value === "bigint") this.int(Number(value));
    else if (typeof value === "number") this.float(value);
    else if (typeof value === "string") this.str(value);
    else if (value instanceof PyTuple) this.#tuple(value.items);
    else if (value instanceof PyCall) {
      this.global(value.module, value.name);
      this.#tuple(value.args);
      this.#op(OP.REDUCE);
      this.put();
    } else if (Array.isArray(value)) {
      this.#openContainer(OP.LIST, OP.EMPTY_LIST);
      this.#items(value as readonly PyValue[], (item) => this.value(item), OP.APPEND, OP.APPENDS);
    } else {
      this.#openContainer(OP.DICT, OP.EMPTY_DICT);
      this.#items(
        Object.entries(value),
        ([key, item]) => {
          this.str(key);
          this.value(item);
        },
        OP.SETITEM,
        OP.SETITEMS,
      );
    }
  }
}

/**
 * A deterministic pseudo-random generator (mulberry32): the same seed gives the
 * same inputs on every machine, so generated files can be reused and compared.
 */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Protocols of the small pickles, in turn. */
const SMALL_PROTOCOLS: readonly number[] = [0, 2, 4];
/** One small pickle in this many carries the planted `os.system` call. */
export const PLANT_EVERY = 100;
/** The harmless command the planted pickles would run. */
const PLANTED_COMMAND = "echo modelaudit-bench";

const KINDS = ["linear", "conv2d", "embedding", "layer_norm", "attention"];
const TAGS = ["train", "eval", "fp16", "frozen", "pruned", "quantized", "ema", "teacher"];

/**
 * The content of small pickle number `index`: a layer-config-like dict with
 * lists, tuples, floats and nested dicts, of varied size; every
 * {@linkcode PLANT_EVERY}th (from 0) also holds `os.system(PLANTED_COMMAND)`.
 */
function smallPickleValue(index: number): PyValue {
  const next = random(index + 1);
  const int = (max: number) => BigInt(Math.floor(next() * max));
  const weight = () => Math.round((next() - 0.5) * 4000) / 1e5;
  const value: Record<string, PyValue> = {
    name: `layer_${index}`,
    kind: KINDS[index % KINDS.length],
    shape: [int(4096) + 1n, int(4096) + 1n],
    dtype: "float32",
    lr: weight(),
    enabled: next() < 0.5,
    dropout: next() < 0.3 ? null : weight(),
    tags: Array.from({ length: Number(int(5)) }, () => TAGS[Number(int(TAGS.length))]),
    stats: new PyTuple([weight(), weight(), weight()]),
    weights: Array.from({ length: 8 + Number(int(400)) }, weight),
    config: { hidden: int(8192), heads: int(64) + 1n, vocab: int(300_000), activation: "gelu" },
  };
  if (index % PLANT_EVERY === 0) value.hook = new PyCall("os", "system", [PLANTED_COMMAND]);
  return value;
}

/**
 * Small pickle number `index` as bytes, in protocol 0, 2 or 4 in turn; every
 * {@linkcode PLANT_EVERY}th, from the first, carries a harmless `os.system` call.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scanBytes } from "../engine/dispatch.ts";
 * import { PLANT_EVERY, smallPickle } from "./bench_pickles.ts";
 * assert.deepEqual([...smallPickle(1).subarray(0, 2)], [0x80, 0x02]); // PROTO 2
 * assert.deepEqual((await scanBytes(smallPickle(1), "1.pkl")).findings, []);
 * // The first of every PLANT_EVERY calls os.system; the scanner must find it.
 * const planted = await scanBytes(smallPickle(PLANT_EVERY), "100.pkl");
 * assert.deepEqual(planted.findings.map((finding) => finding.rule), ["MA100", "MA101"]);
 * ```
 */
export function smallPickle(index: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  const writer = new PickleWriter((chunk) => chunks.push(chunk.slice()));
  writer.begin(SMALL_PROTOCOLS[index % SMALL_PROTOCOLS.length]);
  writer.value(smallPickleValue(index));
  writer.end();
  const out = new Uint8Array(writer.bytes);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** Payload sizes of the large pickle's chunks, in MiB, in turn: the 8-64 MiB of real weight shards. */
const CHUNK_MIB: readonly number[] = [8, 64, 16, 48, 32, 24, 56, 40];
/** Payload opcodes of the large pickle's chunks, in turn. */
const CHUNK_KINDS: readonly LargeBytesKind[] = ["BINBYTES8", "BINBYTES", "BYTEARRAY8"];
/** A last chunk smaller than this joins the one before, so every chunk is a large (unframed) write. */
const MIN_CHUNK = FRAME_TARGET;
/** Bytes of repeated payload pattern: tensor-like data, rewritten for every chunk. */
const PATTERN_BYTES = 1 << 20;
/** Generous bound on the large pickle's bytes outside payloads, per chunk, to plan sizes before counting. */
const CHUNK_OVERHEAD = 256;

/** Float32 weights around zero, like a trained layer; never starting with a pickle's 0x80. */
function weightPattern(): Uint8Array {
  const next = random(7);
  const floats = new Float32Array(PATTERN_BYTES / 4);
  for (let i = 0; i < floats.length; i++) floats[i] = (next() + next() + next() - 1.5) * 0.04;
  // Every payload starts with the pattern: a leading 0x80 would make it look like a nested pickle.
  floats[0] = 0.01;
  return new Uint8Array(floats.buffer);
}

function largeLayout(totalBytes: number): number[] {
  const sizes: number[] = [];
  let left = totalBytes - 2 * CHUNK_OVERHEAD;
  for (let i = 0; left > 0; i++) {
    const size = Math.min(CHUNK_MIB[i % CHUNK_MIB.length] * 2 ** 20, left);
    sizes.push(size);
    left -= size + CHUNK_OVERHEAD;
  }
  if (sizes.length > 1 && sizes[sizes.length - 1] < MIN_CHUNK) {
    sizes[sizes.length - 2] += sizes.pop()! + CHUNK_OVERHEAD;
  }
  return sizes;
}

/**
 * The large pickle's opcodes, with `sizes` as payload sizes: a protocol-5 list
 * of chunks, each a large payload (BINBYTES8, BINBYTES or BYTEARRAY8, written
 * unframed), then a 64-byte SHORT_BINBYTES header and a name, framed for even
 * chunks and unframed for odd ones.
 */
function writeLarge(writer: PickleWriter, sizes: readonly number[], pattern: Uint8Array): void {
  writer.begin(5);
  writer.beginList();
  sizes.forEach((size, i) => {
    writer.largeBytes(CHUNK_KINDS[i % CHUNK_KINDS.length], size, pattern);
    writer.listItem();
    writer.setFraming(i % 2 === 0);
    writer.shortBytes(pattern.subarray(4, 68));
    writer.listItem();
    writer.str(`shard-${String(i).padStart(6, "0")}`);
    writer.listItem();
    writer.boundary();
  });
  writer.setFraming(true);
  writer.endList();
  writer.end();
}

/** What writing a generated pickle produced. */
export interface Written {
  bytes: number;
  opcodes: number;
}

/**
 * Writes a pickle of exactly `totalBytes` bytes (at least 1 MiB), almost all of
 * it large byte payloads, to `sink`, streaming: memory use stays at the 1 MiB
 * payload pattern whatever the size.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeLargePickle } from "./bench_pickles.ts";
 * let received = 0;
 * const written = writeLargePickle((chunk) => received += chunk.length, 2 ** 20);
 * assert.equal(written.bytes, 2 ** 20); // exactly the size asked for
 * assert.equal(received, 2 ** 20);
 * assert.throws(() => writeLargePickle(() => {}, 1000), RangeError);
 * ```
 */
export function writeLargePickle(sink: ByteSink, totalBytes: number): Written {
  if (!Number.isSafeInteger(totalBytes) || totalBytes < 2 ** 20) {
    throw new RangeError("the large pickle needs at least 1 MiB");
  }
  const pattern = weightPattern();
  const sizes = largeLayout(totalBytes);
  // A dry run through a counting sink gives the exact overhead; the last payload absorbs the difference.
  const dry = new PickleWriter(() => {});
  writeLarge(dry, sizes, pattern);
  sizes[sizes.length - 1] += totalBytes - dry.bytes;
  const writer = new PickleWriter(sink);
  writeLarge(writer, sizes, pattern);
  if (writer.bytes !== totalBytes) {
    throw new Error(`large pickle is ${writer.bytes} bytes, not ${totalBytes}`);
  }
  return { bytes: writer.bytes, opcodes: writer.opcodes };
}

/** Distinct short strings in the opcode pickle; repeats of one become memo GETs. */
const VOCABULARY = 3000;
/** Share of the opcode budget spent in the first, protocol-2 pickle (BINPUT/BINGET); the rest is protocol 4. */
const PROTOCOL_2_SHARE = 0.4;
/** Opcodes a list needs after its last item: APPENDS, STOP and a final FRAME. */
const CLOSING_OPCODES = 3;

function writeItem(writer: PickleWriter, next: () => number): void {
  const r = next();
  if (r < 0.35) {
    const scale = r < 0.2 ? 256 : r < 0.3 ? 65536 : 2 ** 31;
    writer.int(Math.floor(next() * scale) - (r >= 0.3 ? 2 ** 30 : 0));
  } else if (r < 0.7) {
    const word = Math.floor(next() * next() * VOCABULARY);
    writer.str(`tok_${word.toString(36)}`);
  } else if (r < 0.85) {
    writer.float(next() * 2 - 1);
  } else if (r < 0.99) {
    const pick = next();
    if (pick < 0.5) writer.none();
    else writer.bool(pick < 0.75);
  } else {
    writer.value(new PyTuple([BigInt(Math.floor(next() * 256)), BigInt(Math.floor(next() * 256))]));
  }
}

function writeItemList(
  writer: PickleWriter,
  protocol: number,
  untilOpcodes: number,
  next: () => number,
): void {
  writer.begin(protocol);
  writer.beginList();
  while (writer.opcodes + CLOSING_OPCODES < untilOpcodes) {
    writeItem(writer, next);
    writer.listItem();
    writer.boundary();
  }
  writer.endList();
  writer.end();
}

/**
 * Writes a stream of two pickles holding about `opcodes` small opcodes in all
 * (lists of ints, short strings, floats, None/bools and a few tuples, in
 * APPENDS batches): first protocol 2 with BINPUT/BINGET, then protocol 4 with
 * MEMOIZE and frames, like the consecutive pickles of a legacy `torch.save`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scanBytes } from "../engine/dispatch.ts";
 * import { writeOpcodePickle } from "./bench_pickles.ts";
 * const chunks: Uint8Array[] = [];
 * const written = writeOpcodePickle((chunk) => chunks.push(chunk.slice()), 10_000);
 * assert.equal(written.opcodes, 10_000);
 * const bytes = new Uint8Array(chunks.flatMap((chunk) => [...chunk]));
 * assert.equal(bytes.length, written.bytes);
 * const outcome = await scanBytes(bytes, "opcodes.pkl");
 * assert.equal(outcome.format, "pickle");
 * assert.deepEqual(outcome.findings, []); // benign data, however many opcodes
 * ```
 */
export function writeOpcodePickle(sink: ByteSink, opcodes: number): Written {
  const writer = new PickleWriter(sink);
  const next = random(5);
  writeItemList(writer, 2, Math.round(opcodes * PROTOCOL_2_SHARE), next);
  writeItemList(writer, 4, opcodes, next);
  return { bytes: writer.bytes, opcodes: writer.opcodes };
}
