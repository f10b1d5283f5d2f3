/**
 * A strict parser for the Python literals `ast.literal_eval` accepts, which is how `np.load`
 * reads a `.npy` header (a dict literal). There is no npm package for this, and evaluating the
 * header any other way would be the very mistake this scanner looks for. It parses strings (every
 * prefix and escape but `\N{...}`, adjacent literals concatenated), ints of any size, floats and
 * complex numbers (kept only as such), `True`/`False`/`None`/`...`, tuples, lists, sets, `set()` and
 * dicts (every key and value, duplicates in order: the last one wins, as in Python). Nesting is
 * bounded; anything else is a syntax error with its offset.
 *
 * @module
 */

import { DEFAULT_NUMPY_OPTIONS } from "../option_catalog.ts";

/**
 * A Python literal value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePythonLiteral, type PyValue } from "./literal.ts";
 * const shape: PyValue = { type: "tuple", items: [{ type: "int", value: 3n }] };
 * const parsed = parsePythonLiteral("(3,)");
 * assert.deepEqual(parsed.ok && parsed.value, shape);
 * ```
 */
export type PyValue =
  | { type: "str"; value: string }
  | { type: "bytes"; value: Uint8Array }
  | { type: "int"; value: bigint }
  | { type: "bool"; value: boolean }
  | { type: "float" }
  | { type: "complex" }
  | { type: "none" }
  | { type: "ellipsis" }
  | { type: "tuple" | "list" | "set"; items: PyValue[] }
  | { type: "dict"; entries: [PyValue, PyValue][] };

/** What {@linkcode parsePythonLiteral} returns. */
export type LiteralResult =
  | { ok: true; value: PyValue }
  | { ok: false; error: string; offset: number };

/** Options of {@linkcode parsePythonLiteral}. */
export interface LiteralOptions {
  /** Drop an `L` after an integer, as numpy's header filter does for Python 2 headers (versions 1.0 and 2.0). */
  longSuffix?: boolean;
  /** Containers nested deeper than this are refused (default: the `numpy.maxLiteralDepth` option's). */
  maxDepth?: number;
}

class LiteralError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

const IDENTIFIER_CHAR = /[\p{ID_Continue}]/u;
const DIGITS: Readonly<Record<string, RegExp>> = { x: /[0-9a-fA-F_]/, o: /[0-7_]/, b: /[01_]/ };

class Parser {
  #at = 0;
  readonly #maxDepth: number;

  constructor(private readonly text: string, private readonly options: LiteralOptions) {
    this.#maxDepth = options.maxDepth ?? DEFAULT_NUMPY_OPTIONS.maxLiteralDepth;
  }

  parse(): PyValue {
    const value = this.#expressionList(0);
    this.#space();
    if (this.#at < this.text.length) this.#fail("unexpected text after the literal");
    return value;
  }

  #fail(message: string, offset = this.#at): never {
    throw new LiteralError(message, offset);
  }

  #peek(offset = 0): string {
    return this.text[this.#at + offset] ?? "";
  }

  /** Skips blanks, newlines, comments and line continuations. */
  #space(): void {
    for (;;) {
      const c = this.#peek();
      if (c === " " || c === "\t" || c === "\f" || c === "\r" || c === "\n") this.#at++;
      else if (c === "#") { while (this.#at < this.text.length && this.#peek() !== "\n") this.#at++; }
      else if (c === "\\" && (this.#peek(1) === "\n" || this.#peek(1) === "\r")) this.#at += 2;
      else return;
    }
  }

  #eat(token: string): boolean {
    this.#space();
    if (!this.text.startsWith(token, this.#at)) return false;
    this.#at += token.length;
    return true;
  }

  #expect(token: string): void {
    if (!this.#eat(token)) this.#fail(`expected '${token}'`);
  }

  /** A value, or values separated by commas (a tuple), up to a closing bracket or the end. */
  #expressionList(depth: number): PyValue {
    const first = this.#value(depth);
    if (!this.#eat(",")) return first;
    const items = [first];
    while (!this.#atClose()) {
      items.push(this.#value(depth));
      if (!this.#eat(",")) break;
    }
    return { type: "tuple", items };
  }

  #atClose(): boolean {
    this.#space();
    const c = this.#peek();
    return c === "" || c === ")" || c === "]" || c === "}";
  }

  #value(depth: number): PyValue {
    if (depth > this.#maxDepth) this.#fail(`nested more than ${this.#maxDepth} levels deep`);
    this.#space();
    const c = this.#peek();
    if (c === "(") return this.#parenthesised(depth + 1);
    if (c === "[") return { type: "list", items: this.#items("[", "]", depth + 1) };
    if (c === "{") return this.#braces(depth + 1);
    if (this.text.startsWith("...", this.#at)) {
      this.#at += 3;
      return { type: "ellipsis" };
    }
    if (c === "+" || c === "-" || /[0-9.]/.test(c)) return this.#number();
    const word = this.#word();
    if (word === "True" || word === "False") return { type: "bool", value: word === "True" };
    if (word === "None") return { type: "none" };
    if (word === "set") {
      this.#expect("(");
      this.#expect(")");
      return { type: "set", items: [] };
    }
    if (this.#startsString()) return this.#strings();
    return this.#fail(word ? `'${word}' is not a literal` : "expected a literal");
  }

  /** The identifier at the cursor, consumed only if it is a keyword literal or `set`. */
  #word(): string {
    let end = this.#at;
    while (end < this.text.length && IDENTIFIER_CHAR.test(this.text[end])) end++;
    const word = this.text.slice(this.#at, end);
    if (["True", "False", "None", "set"].includes(word)) this.#at = end;
    return word;
  }

  #parenthesised(depth: number): PyValue {
    this.#at++;
    if (this.#eat(")")) return { type: "tuple", items: [] };
    const value = this.#expressionList(depth);
    this.#expect(")");
    return value;
  }

  /** Comma-separated values between `open` and `close`, a trailing comma allowed. */
  #items(open: string, close: string, depth: number): PyValue[] {
    this.#expect(open);
    const items: PyValue[] = [];
    while (!this.#eat(close)) {
      items.push(this.#value(depth));
      if (!this.#eat(",")) {
        this.#expect(close);
        break;
      }
    }
    return items;
  }

  #braces(depth: number): PyValue {
    this.#at++;
    if (this.#eat("}")) return { type: "dict", entries: [] };
    const first = this.#value(depth);
    if (!this.#eat(":")) {
      const items = [first];
      while (this.#eat(",") && !this.#atClose()) items.push(this.#value(depth));
      this.#expect("}");
      return { type: "set", items };
    }
    const entries: [PyValue, PyValue][] = [[first, this.#value(depth)]];
    while (this.#eat(",")) {
      if (this.#eat("}")) return { type: "dict", entries };
      const key = this.#value(depth);
      this.#expect(":");
      entries.push([key, this.#value(depth)]);
    }
    this.#expect("}");
    return { type: "dict", entries };
  }

  /** A number with at most one sign, or a complex sum `a ± bj` as literal_eval allows. */
  #number(): PyValue {
    const sign = this.#peek() === "-" || this.#peek() === "+" ? this.text[this.#at++] : "";
    this.#space();
    const value = this.#unsignedNumber();
    if (value.type === "int" && sign === "-") value.value = -value.value;
    const save = this.#at;
    this.#space();
    const op = this.#peek();
    if ((op === "+" || op === "-") && value.type !== "complex") {
      this.#at++;
      this.#space();
      const imaginary = /[0-9.]/.test(this.#peek()) ? this.#unsignedNumber() : undefined;
      if (imaginary?.type === "complex") return { type: "complex" };
      this.#fail("only a complex number may follow '+' or '-'", save);
    }
    this.#at = save;
    return value;
  }

  #unsignedNumber(): { type: "int"; value: bigint } | { type: "float" } | { type: "complex" } {
    const start = this.#at;
    const prefix = this.#peek() === "0" ? this.#peek(1).toLowerCase() : "";
    if (prefix in DIGITS) {
      this.#at += 2;
      const digitsStart = this.#at;
      while (DIGITS[prefix].test(this.#peek())) this.#at++;
      const digits = this.text.slice(digitsStart, this.#at).replaceAll("_", "");
      if (!digits) this.#fail("invalid number", start);
      return this.#intEnd(BigInt(`0${prefix}${digits}`));
    }
    const match = /^(\d[\d_]*)?(\.(\d[\d_]*)?)?([eE][+-]?\d[\d_]*)?([jJ])?/.exec(this.text.slice(this.#at));
    const text = match?.[0] ?? "";
    if (!text || text === "." || (!match![1] && !match![3])) this.#fail("invalid number", start);
    this.#at += text.length;
    if (match![5]) return { type: "complex" };
    if (match![2] || match![4]) return { type: "float" };
    const digits = match![1].replaceAll("_", "");
    if (digits.length > 1 && digits.startsWith("0") && /[1-9]/.test(digits)) {
      this.#fail("leading zeros in a decimal integer are not permitted", start);
    }
    return this.#intEnd(BigInt(digits));
  }

  #intEnd(value: bigint): { type: "int"; value: bigint } | { type: "complex" } {
    if (this.#peek() === "j" || this.#peek() === "J") {
      this.#at++;
      return { type: "complex" };
    }
    if (this.options.longSuffix && this.#peek() === "L") this.#at++;
    if (IDENTIFIER_CHAR.test(this.#peek())) this.#fail("invalid number");
    return { type: "int", value };
  }

  #startsString(): boolean {
    const m = /^([rRuUbB]|[bB][rR]|[rR][bB])?['"]/.exec(this.text.slice(this.#at, this.#at + 3));
    return m !== null;
  }

  /** One or more adjacent string literals, concatenated; str and bytes may not mix. */
  #strings(): PyValue {
    const start = this.#at;
    let text = "";
    let bytes: boolean | undefined;
    do {
      const part = this.#string();
      if (bytes !== undefined && bytes !== part.bytes) this.#fail("cannot mix bytes and str literals", start);
      bytes = part.bytes;
      text += part.text;
      this.#space();
    } while (this.#startsString());
    return bytes
      ? { type: "bytes", value: Uint8Array.from(text, (c) => c.charCodeAt(0)) }
      : { type: "str", value: text };
  }

  #string(): { text: string; bytes: boolean } {
    let prefix = "";
    while (/[rRuUbB]/.test(this.#peek())) prefix += this.text[this.#at++].toLowerCase();
    const raw = prefix.includes("r");
    const bytes = prefix.includes("b");
    const quote = this.text.startsWith(this.#peek().repeat(3), this.#at)
      ? this.#peek().repeat(3)
      : this.#peek();
    const start = this.#at;
    this.#at += quote.length;
    let out = "";
    for (;;) {
      if (this.#at >= this.text.length) this.#fail("unterminated string", start);
      if (this.text.startsWith(quote, this.#at)) {
        this.#at += quote.length;
        return { text: out, bytes };
      }
      const c = this.text[this.#at];
      if (c === "\n" && quote.length === 1) this.#fail("unterminated string", start);
      if (bytes && c.charCodeAt(0) > 0x7f) this.#fail("bytes can only contain ASCII characters");
      if (c !== "\\") {
        out += c;
        this.#at++;
      } else if (raw) {
        // A raw string keeps the backslash and the character after it, quote included.
        out += c + (this.text[this.#at + 1] ?? "");
        this.#at += 2;
      } else {
        out += this.#escape(bytes);
      }
    }
  }

  #escape(bytes: boolean): string {
    const start = this.#at;
    const c = this.text[this.#at + 1] ?? "";
    this.#at += 2;
    if (c in SIMPLE_ESCAPES) return SIMPLE_ESCAPES[c];
    if (c === "\n") return "";
    if (c === "\r") {
      if (this.#peek() === "\n") this.#at++;
      return "";
    }
    if (/[0-7]/.test(c)) {
      let digits = c;
      while (digits.length < 3 && /[0-7]/.test(this.#peek())) digits += this.text[this.#at++];
      return String.fromCharCode(parseInt(digits, 8) & (bytes ? 0xff : 0x1ff));
    }
    const hexLength = c === "x" ? 2 : !bytes && c === "u" ? 4 : !bytes && c === "U" ? 8 : 0;
    if (hexLength > 0) {
      const hex = this.text.slice(this.#at, this.#at + hexLength);
      if (!new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(hex)) this.#fail(`truncated \\${c} escape`, start);
      this.#at += hexLength;
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) this.#fail(`illegal Unicode character in \\${c} escape`, start);
      return String.fromCodePoint(code);
    }
    if (!bytes && c === "N") this.#fail("\\N{...} escapes are not supported", start);
    // Python keeps an unknown escape as written (with a warning).
    return `\\${c}`;
  }
}

/**
 * Parses `text` as `ast.literal_eval` would (a leading run of blanks allowed, as it strips them).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePythonLiteral } from "./literal.ts";
 * const result = parsePythonLiteral("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
 * assert.equal(result.ok && result.value.type, "dict");
 * assert.equal(parsePythonLiteral("__import__('os')").ok, false);
 * ```
 */
export function parsePythonLiteral(text: string, options: LiteralOptions = {}): LiteralResult {
  try {
    return { ok: true, value: new Parser(text, options).parse() };
  } catch (error) {
    if (error instanceof LiteralError) return { ok: false, error: error.message, offset: error.offset };
    throw error;
  }
}
