/**
 * A small streaming tokenizer for Python source, as far as a scanner needs one:
 * it tells names, operators and numbers apart from string literals and comments
 * (so that `"os.system"` in a string or a comment is not code), marks the first
 * token of each logical line with its indentation, and tokenizes the expressions
 * inside f-strings (and 3.14 t-strings) as the code they are, nested quotes
 * included (PEP 701). It works on bytes, so positions are byte offsets, and
 * normalizes non-ASCII names with NFKC as Python does (`ｏｓ` is `os`).
 *
 * It never fails: text Python would reject (an unterminated string, a stray
 * character) is tokenized on a best effort, in time linear in the input and
 * with memory bounded by {@linkcode MAX_FSTRING_NESTING}. No npm package
 * tokenizes Python on bytes with offsets and f-string expressions, hence this one.
 *
 * @module
 */

/** What a token is. */
export type PythonTokenKind = "name" | "op" | "number" | "string" | "newline";

/** One token. */
export interface PythonToken {
  /** What it is; `newline` ends a logical line (never emitted inside brackets). */
  kind: PythonTokenKind;
  /** Byte offset of its first byte. */
  start: number;
  /** Byte offset just past it. */
  end: number;
  /** 1-based line of its first byte. */
  line: number;
  /** For names (NFKC-normalized) and operators, their text; `""` otherwise. */
  text: string;
  /** For the first token of a logical line, its indentation in columns (tabs to multiples of 8); else -1. */
  indent: number;
}

/**
 * f-strings nested in f-string expressions deeper than this are read as plain
 * strings: Python itself gives up at a few levels, and the bound keeps the mode
 * stack small on hostile input.
 */
export const MAX_FSTRING_NESTING = 16;

/** Python's tab stops, for indentation. */
const TAB_SIZE = 8;

const OPERATORS_3 = new Set(["**=", "//=", ">>=", "<<=", "..."]);
const OPERATORS_2 = new Set([
  "**",
  "//",
  ">>",
  "<<",
  "<=",
  ">=",
  "==",
  "!=",
  "->",
  ":=",
  "+=",
  "-=",
  "*=",
  "/=",
  "%=",
  "&=",
  "|=",
  "^=",
  "@=",
]);
/** Prefixes of string literals (lower-cased); those holding `f` or `t` have code inside braces. */
const STRING_PREFIXES = new Set(["r", "u", "b", "f", "t", "br", "rb", "fr", "rf", "tr", "rt"]);

const isNameStart = (c: number) =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c >= 0x80;
const isNameByte = (c: number) => isNameStart(c) || (c >= 0x30 && c <= 0x39);
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

const QUOTE_SINGLE = 0x27;
const QUOTE_DOUBLE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const CR = 0x0d;
const HASH = 0x23;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** Where the tokenizer is: code (the top, or an f-string expression) or the literal text of an f-string. */
type Mode =
  | { kind: "code"; depth: number; fexpr: boolean }
  | { kind: "fstring"; quote: number; triple: boolean; raw: boolean; spec: boolean; start: number };

const utf8 = new TextDecoder();

/** ASCII bytes as a string: names and operators are short, and a decoder call per token costs more than this. */
function ascii(src: Uint8Array, start: number, end: number): string {
  let text = "";
  for (let i = start; i < end; i++) text += String.fromCharCode(src[i]);
  return text;
}

/**
 * Tokenizes Python source on demand, one token per {@linkcode PythonTokenizer.next}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PythonTokenizer } from "./python_tokens.ts";
 * const tokens = new PythonTokenizer(new TextEncoder().encode('x = "os.system" # os.system\n'));
 * const names = [];
 * for (let t = tokens.next(); t; t = tokens.next()) if (t.kind === "name") names.push(t.text);
 * assert.deepEqual(names, ["x"]); // strings and comments hold no names
 * ```
 */
export class PythonTokenizer {
  readonly #src: Uint8Array;
  #pos = 0;
  #line = 1;
  /** Start of the current physical line, for indentation. */
  #lineStart = 0;
  /** Whether the next token starts a logical line. */
  #atLineStart = true;
  readonly #modes: Mode[] = [{ kind: "code", depth: 0, fexpr: false }];

  /** Prepares to tokenize `source` (UTF-8). */
  constructor(source: Uint8Array) {
    this.#src = source;
  }

  /** The next token, or `undefined` at the end. */
  next(): PythonToken | undefined {
    const src = this.#src;
    for (;;) {
      const mode = this.#modes[this.#modes.length - 1];
      if (mode.kind === "fstring") {
        if (this.#fstringText(mode)) continue;
        return undefined;
      }
      if (this.#pos >= src.length) return undefined;
      const c = src[this.#pos];
      if (c === 0x20 || c === 0x09 || c === 0x0c) {
        this.#pos++;
        continue;
      }
      if (c === BACKSLASH && (src[this.#pos + 1] === NEWLINE || src[this.#pos + 1] === CR)) {
        this.#pos++;
        this.#newline();
        continue;
      }
      if (c === HASH) {
        while (this.#pos < src.length && src[this.#pos] !== NEWLINE && src[this.#pos] !== CR) this.#pos++;
        continue;
      }
      if (c === NEWLINE || c === CR) {
        const start = this.#pos;
        const line = this.#line;
        this.#newline();
        if (mode.depth > 0 || mode.fexpr || this.#atLineStart) continue;
        this.#atLineStart = true;
        return { kind: "newline", start, end: start + 1, line, text: "", indent: -1 };
      }
      const indent = this.#atLineStart ? this.#indent() : -1;
      this.#atLineStart = false;
      const token = this.#token(mode, c, indent);
      if (token) return token;
    }
  }

  /** Consumes one line break (`\n`, `\r\n` or `\r`) at the current position. */
  #newline(): void {
    if (this.#src[this.#pos] === CR && this.#src[this.#pos + 1] === NEWLINE) this.#pos++;
    this.#pos++;
    this.#line++;
    this.#lineStart = this.#pos;
  }

  #indent(): number {
    let columns = 0;
    for (let i = this.#lineStart; i < this.#pos; i++) {
      columns = this.#src[i] === 0x09 ? (Math.floor(columns / TAB_SIZE) + 1) * TAB_SIZE : columns + 1;
    }
    return columns;
  }

  /** Reads the token starting with `c`; `undefined` when it ended or opened an f-string field (tokens follow). */
  #token(mode: Mode & { kind: "code" }, c: number, indent: number): PythonToken | undefined {
    const src = this.#src;
    const start = this.#pos;
    const line = this.#line;
    if (isNameStart(c)) {
      let end = start + 1;
      while (end < src.length && isNameByte(src[end])) end++;
      const quote = src[end];
      if ((quote === QUOTE_SINGLE || quote === QUOTE_DOUBLE) && end - start <= 2) {
        const prefix = ascii(src, start, end).toLowerCase();
        if (STRING_PREFIXES.has(prefix)) {
          this.#pos = end;
          return this.#string(prefix, start, line, indent);
        }
      }
      this.#pos = end;
      return { kind: "name", start, end, line, text: nameText(src, start, end), indent };
    }
    if (c === QUOTE_SINGLE || c === QUOTE_DOUBLE) return this.#string("", start, line, indent);
    if (isDigit(c) || (c === 0x2e && isDigit(src[start + 1]))) {
      let end = start + 1;
      while (end < src.length && (isNameByte(src[end]) || src[end] === 0x2e)) end++;
      this.#pos = end;
      return { kind: "number", start, end, line, text: "", indent };
    }
    if (mode.fexpr && mode.depth === 0) {
      if (c === CLOSE_BRACE) {
        this.#pos++;
        this.#modes.pop();
        return undefined;
      }
      if (c === 0x3a) {
        // A format spec: literal text that may hold more replacement fields, up to the closing brace.
        const fstring = this.#modes[this.#modes.length - 2] as Mode & { kind: "fstring" };
        this.#pos++;
        this.#modes.push({ ...fstring, spec: true });
        return undefined;
      }
      if (c === 0x21 && src[start + 1] !== 0x3d) {
        this.#pos += 2; // a conversion, `!r`
        return undefined;
      }
    }
    const text = operatorAt(src, start);
    this.#pos = start + text.length;
    if (c === 0x28 || c === 0x5b || c === OPEN_BRACE) mode.depth++;
    else if ((c === 0x29 || c === 0x5d || c === CLOSE_BRACE) && mode.depth > 0) mode.depth--;
    return { kind: "op", start, end: this.#pos, line, text, indent };
  }

  /**
   * Reads a string literal whose opening quote is at the current position. A plain one is
   * returned whole; for an f-string (or t-string) the token is its opening, and the tokens of
   * its expressions come next.
   */
  #string(prefix: string, start: number, line: number, indent: number): PythonToken {
    const src = this.#src;
    const quote = src[this.#pos];
    const triple = src[this.#pos + 1] === quote && src[this.#pos + 2] === quote;
    this.#pos += triple ? 3 : 1;
    const raw = prefix.includes("r");
    if ((prefix.includes("f") || prefix.includes("t")) && this.#modes.length < 2 * MAX_FSTRING_NESTING) {
      this.#modes.push({ kind: "fstring", quote, triple, raw, spec: false, start });
      // The opening stands for the whole literal (it may begin a logical line); its fields' tokens follow.
      return { kind: "string", start, end: this.#pos, line, text: "", indent };
    }
    this.#skipLiteral(quote, triple);
    return { kind: "string", start, end: this.#pos, line, text: "", indent };
  }

  /** Skips a plain literal's body and its closing quote; an unterminated one ends at its line's end. */
  #skipLiteral(quote: number, triple: boolean): void {
    const src = this.#src;
    while (this.#pos < src.length) {
      const c = src[this.#pos];
      if (c === BACKSLASH) {
        this.#pos++;
        if (src[this.#pos] === NEWLINE || src[this.#pos] === CR) this.#newline();
        else this.#pos++;
      } else if (c === quote && (!triple || (src[this.#pos + 1] === quote && src[this.#pos + 2] === quote))) {
        this.#pos += triple ? 3 : 1;
        return;
      } else if (c === NEWLINE || c === CR) {
        if (!triple) return;
        this.#newline();
      } else {
        this.#pos++;
      }
    }
  }

  /**
   * Reads an f-string's literal text up to a replacement field (pushing code mode for it), the end
   * of a format spec or the closing quote. Returns false at the end of the source.
   */
  #fstringText(mode: Mode & { kind: "fstring" }): boolean {
    const src = this.#src;
    while (this.#pos < src.length) {
      const c = src[this.#pos];
      if (c === BACKSLASH) {
        const next = src[this.#pos + 1];
        if (next === NEWLINE || next === CR) {
          this.#pos++;
          this.#newline();
        } else if (!mode.raw && next === 0x4e && src[this.#pos + 2] === OPEN_BRACE) {
          // `\N{NAME}` names a character: its braces hold no expression.
          const close = src.indexOf(CLOSE_BRACE, this.#pos + 3);
          this.#pos = close < 0 ? src.length : close + 1;
        } else {
          // A backslash does not escape a brace: `\{x}` still holds the expression `x`.
          this.#pos += next === OPEN_BRACE || next === CLOSE_BRACE ? 1 : 2;
        }
      } else if (c === OPEN_BRACE) {
        if (src[this.#pos + 1] === OPEN_BRACE && !mode.spec) {
          this.#pos += 2;
          continue;
        }
        this.#pos++;
        this.#modes.push({ kind: "code", depth: 0, fexpr: true });
        return true;
      } else if (c === CLOSE_BRACE) {
        if (mode.spec) {
          // The end of the spec ends its replacement field too.
          this.#pos++;
          this.#modes.pop();
          this.#modes.pop();
          return true;
        }
        this.#pos += src[this.#pos + 1] === CLOSE_BRACE ? 2 : 1;
      } else if (
        c === mode.quote && (!mode.triple || (src[this.#pos + 1] === c && src[this.#pos + 2] === c))
      ) {
        if (mode.spec) {
          this.#unwindFString();
          return true;
        }
        this.#pos += mode.triple ? 3 : 1;
        this.#modes.pop();
        return true;
      } else if (c === NEWLINE || c === CR) {
        if (!mode.triple) {
          this.#unwindFString();
          return true;
        }
        this.#newline();
      } else {
        this.#pos++;
      }
    }
    return false;
  }

  /** Ends a broken f-string and everything opened inside it, back to the code around it. */
  #unwindFString(): void {
    while (this.#modes.length > 1) {
      const mode = this.#modes.pop()!;
      if (mode.kind === "fstring" && !mode.spec) break;
    }
  }
}

/** One-character operators (and any other byte) as strings, made once. */
const SINGLE: readonly string[] = Array.from({ length: 256 }, (_, c) => String.fromCharCode(c));
/** First characters of multi-character operators. */
const MULTI_START = new Set([...OPERATORS_2, ...OPERATORS_3].map((op) => op.charCodeAt(0)));

/** The operator at `start`: the longest of three, two or one characters. */
function operatorAt(src: Uint8Array, start: number): string {
  const c = src[start];
  if (!MULTI_START.has(c)) return SINGLE[c];
  const two = SINGLE[c] + SINGLE[src[start + 1] ?? 0];
  const three = two + SINGLE[src[start + 2] ?? 0];
  return OPERATORS_3.has(three) ? three : OPERATORS_2.has(two) ? two : SINGLE[c];
}

/** A name's text: ASCII as is, anything else NFKC-normalized as Python's parser does. */
function nameText(src: Uint8Array, start: number, end: number): string {
  for (let i = start; i < end; i++) {
    if (src[i] >= 0x80) return utf8.decode(src.subarray(start, end)).normalize("NFKC");
  }
  return ascii(src, start, end);
}
