/**
 * A JSON parser as strict as serde_json, the parser of the reference safetensors
 * loader (`serde_json::from_str`): RFC 8259 grammar, whitespace only ` \t\n\r`,
 * no control characters in strings, no lone surrogate escapes, fewer than 128
 * nested containers, nothing after the value but whitespace. Unlike `JSON.parse` it keeps
 * what a differential needs: every repeated key (with both positions), the byte
 * offset of every value, and numbers as their literal text (a `u64` offset does not
 * fit a double).
 *
 * It is written here rather than taken from a package because no JSON package
 * offers all of that at once: `JSON.parse` drops repeated keys and precision,
 * jsonc-parser is lenient on whitespace and surrogates and recurses on nesting.
 * The loop is iterative: a hostile `[[[[...` cannot overflow the stack.
 *
 * @module
 */

import { DEFAULT_SAFETENSORS_OPTIONS } from "../option_catalog.ts";

/** serde_json's default recursion limit: deeper input is an error there. */
export const MAX_JSON_DEPTH = 128;

/** A parsed value with the byte offset where it starts. */
export type JsonNode =
  | { kind: "object"; start: number; entries: JsonEntry[] }
  | { kind: "array"; start: number; items: JsonNode[] }
  | { kind: "string"; start: number; value: string }
  | { kind: "number"; start: number; text: string }
  | { kind: "literal"; start: number; value: boolean | null };

/** One `key: value` of an object, in document order (repeated keys appear each time). */
export interface JsonEntry {
  /** The key, unescaped. */
  key: string;
  /** Byte offset of the key's opening quote. */
  keyStart: number;
  /** Its value. */
  value: JsonNode;
}

/** A key an object holds twice. */
export interface DuplicateKey {
  /** Key path of the object that holds it, `$` for the top level. */
  objectPath: string;
  /** The key, unescaped. */
  key: string;
  /** Byte offset of its first occurrence. */
  first: number;
  /** Byte offset of the repeat. */
  repeated: number;
}

/** The outcome of {@linkcode parseStrictJson}. */
export type StrictJsonResult =
  | { ok: true; value: JsonNode; duplicates: DuplicateKey[] }
  | {
    ok: false;
    position: number;
    reason: string;
    /** Set when the input was not judged: it holds more than the values allowed (`maxValues`). */
    limit?: true;
  };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

const isSpace = (b: number) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
const isDigit = (b: number) => b >= 0x30 && b <= 0x39;

const ESCAPES: Record<number, string> = {
  0x22: '"',
  0x5c: "\\",
  0x2f: "/",
  0x62: "\b",
  0x66: "\f",
  0x6e: "\n",
  0x72: "\r",
  0x74: "\t",
};

const utf8 = new TextDecoder("utf-8", { fatal: true });
// deno-lint-ignore no-control-regex -- serde_json refuses these characters unescaped in strings.
const CONTROL_CHARACTER = /[\x00-\x1f]/;
/** Strings up to this many bytes are built without the decoder when they are ASCII. */
const SHORT_STRING_BYTES = 256;

/**
 * A key path segment appended to `path`: `.name` for identifiers, `["a.b"]` otherwise, `[3]` for indices.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { keyPathOf } from "./strict_json.ts";
 * assert.equal(keyPathOf("$", "__metadata__"), "$.__metadata__");
 * assert.equal(keyPathOf("$", "model.embed.weight"), '$["model.embed.weight"]');
 * assert.equal(keyPathOf("$.shape", 1), "$.shape[1]");
 * ```
 */
export function keyPathOf(path: string, segment: string | number): string {
  if (typeof segment === "number") return `${path}[${segment}]`;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)
    ? `${path}.${segment}`
    : `${path}[${JSON.stringify(segment)}]`;
}

type Frame =
  | {
    kind: "object";
    node: Extract<JsonNode, { kind: "object" }>;
    seen: Map<string, number>;
    key: string;
    keyStart: number;
  }
  | { kind: "array"; node: Extract<JsonNode, { kind: "array" }> };

class Failure {
  constructor(readonly position: number, readonly reason: string, readonly limit = false) {}
}

/**
 * Parses `bytes` (UTF-8 already checked by the caller, or checked here) as one JSON value,
 * as strictly as serde_json; positions are byte offsets plus `base`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseStrictJson } from "./strict_json.ts";
 * const bytes = new TextEncoder().encode('{"a": 1, "a": 2}');
 * const result = parseStrictJson(bytes);
 * assert.ok(result.ok);
 * assert.deepEqual(result.duplicates, [{ objectPath: "$", key: "a", first: 1, repeated: 9 }]);
 * const trailing = parseStrictJson(new TextEncoder().encode('{} {}'), 8);
 * assert.deepEqual(trailing, { ok: false, position: 11, reason: "data after the JSON value" });
 * ```
 */
export function parseStrictJson(
  bytes: Uint8Array,
  base = 0,
  maxValues: number = DEFAULT_SAFETENSORS_OPTIONS.maxHeaderValues,
): StrictJsonResult {
  try {
    return new Parser(bytes, base, maxValues).parse();
  } catch (error) {
    if (!(error instanceof Failure)) throw error;
    const failure = { ok: false as const, position: base + error.position, reason: error.reason };
    return error.limit ? { ...failure, limit: true } : failure;
  }
}

class Parser {
  #i = 0;
  #values = 0;
  readonly #duplicates: DuplicateKey[] = [];
  readonly #stack: Frame[] = [];

  constructor(readonly bytes: Uint8Array, readonly base: number, readonly maxValues: number) {}

  parse(): StrictJsonResult {
    const b = this.bytes;
    this.#skipSpace();
    let value: JsonNode;
    for (;;) {
      const opened = this.#valueOrOpen();
      if (opened === undefined) continue; // a container opened: parse its first value
      value = opened;
      // Attach the finished value to its parents, closing the containers that end here.
      let done = false;
      for (;;) {
        const top = this.#stack.at(-1);
        if (top === undefined) {
          done = true;
          break;
        }
        if (top.kind === "object") top.node.entries.push({ key: top.key, keyStart: top.keyStart, value });
        else top.node.items.push(value);
        this.#skipSpace();
        const c = b[this.#i];
        if (c === COMMA) {
          this.#i++;
          this.#skipSpace();
          if (top.kind === "object") this.#key(top);
          break;
        }
        if (c === (top.kind === "object" ? RBRACE : RBRACKET)) {
          this.#i++;
          this.#stack.pop();
          value = top.node;
          continue;
        }
        throw new Failure(
          this.#i,
          this.#i >= b.length ? "unexpected end of the header" : "expected `,` or a closing bracket",
        );
      }
      if (done) break;
    }
    this.#skipSpace();
    if (this.#i < b.length) throw new Failure(this.#i, "data after the JSON value");
    return { ok: true, value, duplicates: this.#duplicates };
  }

  #skipSpace(): void {
    const b = this.bytes;
    while (this.#i < b.length && isSpace(b[this.#i])) this.#i++;
  }

  /** A scalar, an empty container, or `undefined` after opening a container whose first value comes next. */
  #valueOrOpen(): JsonNode | undefined {
    const b = this.bytes;
    const start = this.#i;
    const at = this.base + start;
    const c = b[start];
    if (++this.#values > this.maxValues) {
      throw new Failure(start, `more than ${this.maxValues} values`, true);
    }
    if (c === LBRACE || c === LBRACKET) {
      // serde_json counts the container being opened: the 128th is refused.
      if (this.#stack.length + 1 >= MAX_JSON_DEPTH) {
        throw new Failure(start, `${MAX_JSON_DEPTH} or more nested containers`);
      }
      this.#i++;
      this.#skipSpace();
      if (c === LBRACE) {
        const node = { kind: "object" as const, start: at, entries: [] };
        if (b[this.#i] === RBRACE) {
          this.#i++;
          return node;
        }
        const frame: Frame = { kind: "object", node, seen: new Map(), key: "", keyStart: 0 };
        this.#stack.push(frame);
        this.#key(frame);
        return undefined;
      }
      const node = { kind: "array" as const, start: at, items: [] };
      if (b[this.#i] === RBRACKET) {
        this.#i++;
        return node;
      }
      this.#stack.push({ kind: "array", node });
      return undefined;
    }
    if (c === QUOTE) return { kind: "string", start: at, value: this.#string() };
    if (c === 0x2d || isDigit(c)) return { kind: "number", start: at, text: this.#number() };
    for (const [word, value] of [["true", true], ["false", false], ["null", null]] as const) {
      if (this.#matches(word)) {
        this.#i += word.length;
        return { kind: "literal", start: at, value };
      }
    }
    throw new Failure(start, start >= b.length ? "unexpected end of the header" : "expected a JSON value");
  }

  #matches(word: string): boolean {
    for (let k = 0; k < word.length; k++) if (this.bytes[this.#i + k] !== word.charCodeAt(k)) return false;
    return true;
  }

  /** Reads `"key":` into `frame`, recording a repeat. */
  #key(frame: Extract<Frame, { kind: "object" }>): void {
    const start = this.#i;
    if (this.bytes[start] !== QUOTE) throw new Failure(start, "expected a string key");
    const key = this.#string();
    this.#skipSpace();
    if (this.bytes[this.#i] !== COLON) throw new Failure(this.#i, "expected `:` after a key");
    this.#i++;
    this.#skipSpace();
    const at = this.base + start;
    const first = frame.seen.get(key);
    if (first === undefined) frame.seen.set(key, at);
    else this.#duplicates.push({ objectPath: this.#path(), key, first, repeated: at });
    frame.key = key;
    frame.keyStart = at;
  }

  /** Key path of the innermost open object. */
  #path(): string {
    let path = "$";
    for (let k = 0; k < this.#stack.length - 1; k++) {
      const frame = this.#stack[k];
      path = keyPathOf(path, frame.kind === "object" ? frame.key : frame.node.items.length);
    }
    return path;
  }

  #string(): string {
    const b = this.bytes;
    const open = this.#i;
    // Most strings have no escape: find their end with native searches, and check them in one pass of a
    // regular expression; the loop below is for escapes, and to locate an error.
    const close = b.indexOf(QUOTE, open + 1);
    if (close > open && b.subarray(open + 1, close).indexOf(BACKSLASH) < 0) {
      const text = this.#decode(open + 1, close);
      if (!CONTROL_CHARACTER.test(text)) {
        this.#i = close + 1;
        return text;
      }
    }
    let i = open + 1;
    let text = "";
    let from = i;
    for (;;) {
      if (i >= b.length) throw new Failure(open, "unterminated string");
      const c = b[i];
      if (c === QUOTE) break;
      if (c < 0x20) throw new Failure(i, "control character in a string");
      if (c !== BACKSLASH) {
        i++;
        continue;
      }
      text += this.#decode(from, i);
      const e = b[i + 1];
      if (e === 0x75) {
        const unit = this.#hex4(i + 2);
        i += 6;
        if (unit >= 0xdc00 && unit <= 0xdfff) throw new Failure(i - 6, "lone surrogate in a \\u escape");
        if (unit >= 0xd800 && unit <= 0xdbff) {
          const low = b[i] === BACKSLASH && b[i + 1] === 0x75 ? this.#hex4(i + 2) : -1;
          if (low < 0xdc00 || low > 0xdfff) throw new Failure(i - 6, "lone surrogate in a \\u escape");
          text += String.fromCharCode(unit, low);
          i += 6;
        } else {
          text += String.fromCharCode(unit);
        }
      } else if (e !== undefined && ESCAPES[e] !== undefined) {
        text += ESCAPES[e];
        i += 2;
      } else {
        throw new Failure(i, "invalid escape in a string");
      }
      from = i;
    }
    this.#i = i + 1;
    return text + this.#decode(from, i);
  }

  #decode(from: number, to: number): string {
    if (from === to) return "";
    // Keys, dtypes and names are short ASCII: building them directly is several times faster than a decoder call.
    if (to - from <= SHORT_STRING_BYTES) {
      let ascii = true;
      for (let k = from; k < to && ascii; k++) ascii = this.bytes[k] < 0x80;
      if (ascii) return String.fromCharCode(...this.bytes.subarray(from, to));
    }
    try {
      return utf8.decode(this.bytes.subarray(from, to));
    } catch {
      throw new Failure(from, "invalid UTF-8 in a string");
    }
  }

  #hex4(at: number): number {
    let unit = 0;
    for (let k = 0; k < 4; k++) {
      const c = this.bytes[at + k];
      const digit = isDigit(c)
        ? c - 0x30
        : c >= 0x61 && c <= 0x66
        ? c - 0x57
        : c >= 0x41 && c <= 0x46
        ? c - 0x37
        : -1;
      if (digit < 0) throw new Failure(at + k, "invalid \\u escape");
      unit = unit * 16 + digit;
    }
    return unit;
  }

  #number(): string {
    const b = this.bytes;
    const start = this.#i;
    let i = start;
    if (b[i] === 0x2d) i++;
    if (b[i] === 0x30) i++;
    else if (isDigit(b[i])) { while (isDigit(b[i])) i++; }
    else throw new Failure(i, "invalid number");
    if (b[i] === 0x2e) {
      i++;
      if (!isDigit(b[i])) throw new Failure(i, "invalid number");
      while (isDigit(b[i])) i++;
    }
    if (b[i] === 0x65 || b[i] === 0x45) {
      i++;
      if (b[i] === 0x2b || b[i] === 0x2d) i++;
      if (!isDigit(b[i])) throw new Failure(i, "invalid number");
      while (isDigit(b[i])) i++;
    }
    this.#i = i;
    return String.fromCharCode(...b.subarray(start, i));
  }
}
