/**
 * A static reader of CPython's `marshal` format, enough to list what a code object uses: the
 * bytes Keras stores for a `Lambda` layer (`python_utils.func_dump`: `marshal.dumps(fn.__code__)`,
 * base64-encoded) are a code object, and `func_load` runs it with `marshal.loads` when the model
 * loads. Nothing here runs or builds Python objects: the reader walks the type-tagged stream
 * (`Python/marshal.c`) and keeps strings, tuples and code objects.
 *
 * Code objects are laid out in two ways among the versions Keras users have: CPython 3.8 to 3.10
 * (`co_nlocals` after the argument counts, then `varnames`, `freevars`, `cellvars`) and 3.11 to
 * 3.13 (`localsplusnames`, `localspluskinds`, `qualname` and the exception table). The stream does
 * not say which wrote it, so both are tried; the one that reads the whole stream wins.
 *
 * @module
 */

import { DecodeError } from "../../core/decode_error.ts";
import { disassemble } from "./bytecode.ts";
import { DEFAULT_KERAS_OPTIONS, type KerasOptions } from "../option_catalog.ts";

/**
 * Nesting of containers and code objects accepted: real lambdas nest a few levels at most. Fixed,
 * not an option: it keeps the recursive reader off the end of the call stack.
 */
export const MAX_MARSHAL_DEPTH = 64;

/**
 * The stream holds more objects than `keras.maxMarshalObjects`: it was not read to its end, so
 * what its code uses is not known. A {@linkcode DecodeError} to callers that only ask whether it
 * decoded; {@linkcode option} names the limit to raise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MarshalLimitError } from "./marshal.ts";
 * const error = new MarshalLimitError(10, 7);
 * assert.equal(error.option, "keras.maxMarshalObjects");
 * assert.equal(error.reason, "more than 10 objects at byte 7");
 * ```
 */
export class MarshalLimitError extends DecodeError {
  /** Always `MarshalLimitError`. */
  override name = "MarshalLimitError";
  /** The option whose limit was reached. */
  readonly option = "keras.maxMarshalObjects";
  /** Its value. */
  readonly limit: number;

  /**
   * The object budget of one stream ran out.
   *
   * @param limit The budget, `keras.maxMarshalObjects`.
   * @param position Where in the stream it ran out.
   */
  constructor(limit: number, position: number) {
    super("marshal", `more than ${limit} objects at byte ${position}`);
    this.limit = limit;
  }
}

/** What a code object uses, as far as a static reader can tell. */
export interface CodeFacts {
  /** `co_names` of every code object in the stream: globals, attributes and imported names, in order. */
  names: string[];
  /** String constants of every code object (`__import__("os")` keeps `"os"` here). */
  strings: string[];
  /** `co_name` of the outermost code object (`<lambda>` for a lambda). */
  name: string;
  /** Which layout decoded the stream. */
  layout: "3.8-3.10" | "3.11+";
  /** Code objects found, the outermost included. */
  codeObjects: number;
  /**
   * Dotted references the bytecode makes, found by disassembling it (`bytecode.ts`): a global or
   * an import and the attributes loaded from it, e.g. `["os", "system"]`; `undefined` when the
   * bytecode is not that of a CPython version whose opcodes are known.
   */
  references?: string[][];
  /** The CPython versions whose opcodes the references were read with. */
  python?: string;
}

/** A marshalled value, as far as the reader keeps it. */
export type Value =
  | { kind: "str"; value: string }
  | { kind: "bytes"; data: Uint8Array }
  | { kind: "tuple"; items: Value[] }
  | { kind: "code"; code: CodeObject }
  | { kind: "other" };

/**
 * A code object as far as the reader keeps it.
 *
 * @example
 * ```ts
 * import type { CodeObject } from "./marshal.ts";
 * const empty: CodeObject = { name: "<lambda>", names: [], consts: [], bytecode: new Uint8Array() };
 * ```
 */
export interface CodeObject {
  /** `co_name`. */
  name: string;
  /** `co_names`: what LOAD_GLOBAL, LOAD_ATTR and IMPORT_NAME index. */
  names: string[];
  /** `co_consts`, with nested code objects. */
  consts: Value[];
  /** `co_code`: the instructions. */
  bytecode: Uint8Array;
}

const FLAG_REF = 0x80;
const LATIN1 = new TextDecoder("latin1");
const UTF8 = new TextDecoder();

/** Reads one stream with one code layout; throws a DecodeError where the bytes do not fit it. */
class MarshalReader {
  #pos = 0;
  #objects = 0;
  readonly #refs: (Value | undefined)[] = [];
  readonly #view: DataView;

  constructor(readonly bytes: Uint8Array, readonly modern: boolean, readonly maxObjects: number) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get position(): number {
    return this.#pos;
  }

  #fail(reason: string): never {
    throw new DecodeError("marshal", `${reason} at byte ${this.#pos}`);
  }

  #need(count: number): void {
    if (count < 0 || this.#pos + count > this.bytes.length) this.#fail("truncated stream");
  }

  #u8(): number {
    this.#need(1);
    return this.bytes[this.#pos++];
  }

  #i32(): number {
    this.#need(4);
    const value = this.#view.getInt32(this.#pos, true);
    this.#pos += 4;
    return value;
  }

  #skip(count: number): void {
    this.#need(count);
    this.#pos += count;
  }

  #text(count: number, latin1: boolean): string {
    this.#need(count);
    const slice = this.bytes.subarray(this.#pos, this.#pos + count);
    this.#pos += count;
    // marshal writes str as UTF-8 with surrogatepass: invalid sequences are replaced, never fatal here.
    return (latin1 ? LATIN1 : UTF8).decode(slice);
  }

  /** A declared element count, bounded by the bytes left (each element takes at least one). */
  #count(declared: number): number {
    if (declared < 0 || declared > this.bytes.length - this.#pos) this.#fail(`implausible count ${declared}`);
    return declared;
  }

  read(depth = 0): Value {
    if (depth > MAX_MARSHAL_DEPTH) this.#fail(`nesting deeper than ${MAX_MARSHAL_DEPTH}`);
    if (++this.#objects > this.maxObjects) throw new MarshalLimitError(this.maxObjects, this.#pos);
    const tag = this.#u8();
    const type = String.fromCharCode(tag & ~FLAG_REF);
    // marshal numbers a flagged object before reading what it contains, so refs keep its order.
    const slot = tag & FLAG_REF ? this.#refs.push(undefined) - 1 : -1;
    const value = this.#value(type, depth);
    if (slot >= 0) this.#refs[slot] = value;
    return value;
  }

  #bytes(count: number): Uint8Array {
    this.#need(count);
    this.#pos += count;
    return this.bytes.subarray(this.#pos - count, this.#pos);
  }

  #value(type: string, depth: number): Value {
    switch (type) {
      case "0":
      case "N":
      case "F":
      case "T":
      case "S":
      case ".":
        return { kind: "other" };
      case "i":
        this.#skip(4);
        return { kind: "other" };
      case "I":
      case "g":
        this.#skip(8);
        return { kind: "other" };
      case "y":
        this.#skip(16);
        return { kind: "other" };
      case "f":
        this.#skip(this.#u8());
        return { kind: "other" };
      case "x":
        this.#skip(this.#u8());
        this.#skip(this.#u8());
        return { kind: "other" };
      case "l": {
        const digits = this.#i32();
        this.#skip(2 * this.#count(Math.abs(digits)));
        return { kind: "other" };
      }
      case "s":
        return { kind: "bytes", data: this.#bytes(this.#count(this.#i32())) };
      case "t":
      case "u":
        return { kind: "str", value: this.#text(this.#count(this.#i32()), false) };
      case "a":
      case "A":
        return { kind: "str", value: this.#text(this.#count(this.#i32()), true) };
      case "z":
      case "Z":
        return { kind: "str", value: this.#text(this.#u8(), true) };
      case "r": {
        const index = this.#i32();
        const target = index >= 0 && index < this.#refs.length ? this.#refs[index] : undefined;
        // A reference to an object still being read (a tuple holding itself) cannot come from marshal.dumps.
        return target ?? this.#fail(`reference ${index} to no finished object`);
      }
      case "(":
        return this.#tuple(this.#count(this.#i32()), depth);
      case ")":
        return this.#tuple(this.#u8(), depth);
      case "[":
      case "<":
      case ">":
        return { kind: "tuple", items: this.#tuple(this.#count(this.#i32()), depth).items };
      case "{": {
        const items: Value[] = [];
        for (;;) {
          if (this.#pos < this.bytes.length && this.bytes[this.#pos] === 0x30) {
            this.#pos++;
            return { kind: "tuple", items };
          }
          items.push(this.read(depth + 1), this.read(depth + 1));
        }
      }
      case "c":
        return { kind: "code", code: this.#code(depth) };
      default:
        return this.#fail(`unknown type code 0x${type.charCodeAt(0).toString(16)}`);
    }
  }

  #tuple(count: number, depth: number): Value & { kind: "tuple" } {
    const items: Value[] = [];
    for (let i = 0; i < count; i++) items.push(this.read(depth + 1));
    return { kind: "tuple", items };
  }

  #strings(value: Value, field: string): string[] {
    if (value.kind !== "tuple") this.#fail(`code object's ${field} is not a tuple`);
    return value.items.map((item) =>
      item.kind === "str" ? item.value : this.#fail(`${field} holds a non-string`)
    );
  }

  #code(depth: number): CodeObject {
    // argcount, posonlyargcount, kwonlyargcount, [nlocals up to 3.10], stacksize, flags
    this.#skip(this.modern ? 20 : 24);
    const code = this.read(depth + 1);
    if (code.kind !== "bytes") this.#fail("code object's bytecode is not bytes");
    const consts = this.read(depth + 1);
    if (consts.kind !== "tuple") this.#fail("code object's constants are not a tuple");
    const names = this.#strings(this.read(depth + 1), "names");
    if (this.modern) {
      this.#strings(this.read(depth + 1), "localsplusnames");
      if (this.read(depth + 1).kind !== "bytes") this.#fail("localspluskinds is not bytes");
    } else {
      for (const field of ["varnames", "freevars", "cellvars"]) this.#strings(this.read(depth + 1), field);
    }
    const filename = this.read(depth + 1);
    const name = this.read(depth + 1);
    if (filename.kind !== "str" || name.kind !== "str") {
      this.#fail("code object's file or name is not a string");
    }
    if (this.modern && this.read(depth + 1).kind !== "str") {
      this.#fail("code object's qualname is not a string");
    }
    this.#skip(4); // firstlineno
    if (this.read(depth + 1).kind !== "bytes") this.#fail("code object's line table is not bytes");
    if (this.modern && this.read(depth + 1).kind !== "bytes") this.#fail("exception table is not bytes");
    return { name: name.value, names, consts: consts.items, bytecode: code.data };
  }
}

function collect(code: CodeObject, facts: CodeFacts): void {
  facts.codeObjects++;
  facts.names.push(...code.names);
  const pending: Value[] = [...code.consts];
  while (pending.length > 0) {
    const value = pending.pop()!;
    if (value.kind === "str") facts.strings.push(value.value);
    else if (value.kind === "tuple") pending.push(...value.items);
    else if (value.kind === "code") collect(value.code, facts);
  }
}

function decodeWith(bytes: Uint8Array, modern: boolean, maxObjects: number): CodeFacts {
  const reader = new MarshalReader(bytes, modern, maxObjects);
  const root = reader.read();
  if (root.kind !== "code") throw new DecodeError("marshal", "the stream does not hold a code object");
  if (reader.position !== bytes.length) {
    throw new DecodeError("marshal", `${bytes.length - reader.position} bytes after the code object`);
  }
  const facts: CodeFacts = {
    names: [],
    strings: [],
    name: root.code.name,
    layout: modern ? "3.11+" : "3.8-3.10",
    codeObjects: 0,
  };
  collect(root.code, facts);
  const disassembled = disassemble(root.code, modern);
  if (disassembled) Object.assign(facts, disassembled);
  return facts;
}

/**
 * The names and string constants of a marshalled code object, read without running it, reading at
 * most `options.maxMarshalObjects` objects. Throws a {@linkcode DecodeError} when neither code
 * layout reads the whole stream: a {@linkcode MarshalLimitError} when one stopped at that limit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DecodeError } from "../../core/decode_error.ts";
 * import { readCodeFacts } from "./marshal.ts";
 * // marshal.dumps((lambda x: x).__code__) of CPython 3.11 would go here; a bare None is no code object:
 * assert.throws(() => readCodeFacts(new Uint8Array([0x4e])), (error) => {
 *   assert.ok(error instanceof DecodeError);
 *   assert.match(error.message, /the stream does not hold a code object/);
 *   return true;
 * });
 * ```
 */
export function readCodeFacts(
  bytes: Uint8Array,
  options: Pick<KerasOptions, "maxMarshalObjects"> = DEFAULT_KERAS_OPTIONS,
): CodeFacts {
  let modernError: unknown;
  try {
    return decodeWith(bytes, true, options.maxMarshalObjects);
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    modernError = error;
  }
  try {
    return decodeWith(bytes, false, options.maxMarshalObjects);
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    // A layout stopped by the limit may be the right one: the limit, not the bytes, is to blame.
    if (modernError instanceof MarshalLimitError) throw modernError;
    if (error instanceof MarshalLimitError) throw error;
    throw new DecodeError(
      "marshal",
      `not a code object of CPython 3.8 to 3.13 (3.11+ layout: ${
        (modernError as DecodeError).reason
      }; 3.8-3.10 layout: ${error.reason})`,
    );
  }
}
