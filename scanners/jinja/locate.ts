/**
 * Where the names and strings of a Jinja template are in its text. The parser of
 * `@huggingface/jinja` keeps no positions, so this light lexer walks the tags
 * (`{{ }}`, `{% %}`; comments and text skipped) and records each identifier and
 * string literal with its offset; the analysis finds a node's place as the n-th
 * word of its value. It also decodes strings as Python's Jinja does, for templates
 * the parser rejects.
 *
 * @module
 */

/** A word of the template's code: an identifier or a string literal. */
export interface Word {
  /** `id` for an identifier, `str` for a string literal. */
  kind: "id" | "str";
  /** The identifier, or the string as `@huggingface/jinja`'s lexer decodes it. */
  value: string;
  /** The string as Python's Jinja decodes it (octal, `\U`, `\N{...}` escapes too); the identifier otherwise. */
  pythonValue: string;
  /** Offset of its first character (the quote, for a string) in the template. */
  offset: number;
  /** Offset after its last character (the closing quote, for a string). */
  end: number;
  /** Index of the tag it is in, in the order tags appear. */
  tag: number;
}

/** The escapes `@huggingface/jinja` decodes besides `\x` and `\u`. */
const SIMPLE_ESCAPES: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  b: "\b",
  f: "\f",
  v: "\v",
  "'": "'",
  '"': '"',
  "\\": "\\",
};

/** Names `\N{...}` may spell in an escape-built attribute name; others decode to nothing known. */
const NAMED_CHARACTERS: Record<string, string> = { "LOW LINE": "_", "FULL STOP": ".", "SPACE": " " };

/**
 * The identifiers and string literals in the tags of `source`, in order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { wordsOf } from "./locate.ts";
 * const words = wordsOf("Hi {{ x['\\x5f'] }}");
 * assert.deepEqual(words.map((w) => [w.kind, w.value, w.offset]), [["id", "x", 6], ["str", "_", 8]]);
 * ```
 */
export function wordsOf(source: string): Word[] {
  return _lex(source).words;
}

/** A `{% raw %}...{% endraw %}` block: text, even where it looks like tags. */
interface RawBlock {
  /** Offset of its `{% raw %}`. */
  start: number;
  /** Offset after its `{% endraw %}`. */
  end: number;
  /** The text between the two tags. */
  content: string;
}

/**
 * `source` rewritten so that `@huggingface/jinja` parses what only Python's Jinja accepts, for the
 * analysis (never for rendering). `raw` rewrites `{% raw %}` blocks, which that parser lacks, as the
 * string they print; `python` also re-escapes string literals from their Python value (octal, `\U`,
 * `\N{...}` escapes, unknown escapes kept as a backslash) and writes empty parentheses, Python's
 * empty tuple, as `(none)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parserFriendly } from "./locate.ts";
 * assert.equal(parserFriendly("{{ ().x['\\137'] }}", "python"), '{{ (none).x["_"] }}');
 * assert.equal(parserFriendly("{% raw %}{{ x }}{% endraw %}", "raw"), '{{ "{{ x }}" }}');
 * ```
 */
export function parserFriendly(source: string, level: "raw" | "python"): string {
  const { words, emptyParens, rawBlocks } = _lex(source);
  const edits = rawBlocks.map((block) => ({ ...block, text: `{{ ${JSON.stringify(block.content)} }}` }));
  if (level === "python") {
    for (const word of words) {
      if (word.kind === "str") {
        edits.push({
          start: word.offset,
          end: word.end,
          content: "",
          text: JSON.stringify(word.pythonValue),
        });
      }
    }
    for (const offset of emptyParens) {
      edits.push({ start: offset, end: offset + 2, content: "", text: "(none)" });
    }
  }
  edits.sort((a, b) => a.start - b.start);
  let out = "";
  let last = 0;
  for (const edit of edits) {
    out += source.slice(last, edit.start) + edit.text;
    last = edit.end;
  }
  return out + source.slice(last);
}

/** `{% raw %}` (with its whitespace controls) at the start of a string. */
const RAW_OPEN = /^\{%-?\s*raw\s*-?%\}/;
/** `{% endraw %}` anywhere. */
const RAW_CLOSE = /\{%-?\s*endraw\s*-?%\}/g;

/** The words of `source`'s tags, where in them `()` stands, and its raw blocks. */
function _lex(source: string): { words: Word[]; emptyParens: number[]; rawBlocks: RawBlock[] } {
  const words: Word[] = [];
  const emptyParens: number[] = [];
  const rawBlocks: RawBlock[] = [];
  let tag = -1;
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf("{", i);
    if (open < 0) break;
    const next = source[open + 1];
    if (next === "#") {
      const end = source.indexOf("#}", open + 2);
      i = end < 0 ? source.length : end + 2;
      continue;
    }
    if (next !== "{" && next !== "%") {
      i = open + 1;
      continue;
    }
    const raw = next === "%" ? RAW_OPEN.exec(source.slice(open, open + 64)) : null;
    if (raw) {
      RAW_CLOSE.lastIndex = open + raw[0].length;
      const close = RAW_CLOSE.exec(source);
      const end = close ? close.index + close[0].length : source.length;
      rawBlocks.push({ start: open, end, content: source.slice(open + raw[0].length, close?.index ?? end) });
      i = end;
      continue;
    }
    tag++;
    i = _readTag(source, open + 2, next === "{" ? "}}" : "%}", tag, words, emptyParens);
  }
  return { words, emptyParens, rawBlocks };
}

/** Reads the code of one tag from `start`, recording its words and `()`s; returns the offset after its end. */
function _readTag(
  source: string,
  start: number,
  close: string,
  tag: number,
  words: Word[],
  emptyParens: number[],
): number {
  let depth = 0;
  let i = start;
  while (i < source.length) {
    const c = source[i];
    if (depth === 0 && source.startsWith(close, i)) return i + 2;
    if (c === "{") depth++;
    else if (c === "}") depth = Math.max(0, depth - 1);
    if (c === "'" || c === '"') {
      const literal = _readString(source, i);
      words.push({
        kind: "str",
        value: literal.value,
        pythonValue: literal.pythonValue,
        offset: i,
        end: literal.end,
        tag,
      });
      i = literal.end;
    } else if (/[A-Za-z_]/.test(c)) {
      let end = i + 1;
      while (end < source.length && /[A-Za-z0-9_]/.test(source[end])) end++;
      const value = source.slice(i, end);
      words.push({ kind: "id", value, pythonValue: value, offset: i, end, tag });
      i = end;
    } else if (c === "(" && source[i + 1] === ")") {
      emptyParens.push(i);
      i += 2;
    } else if (/[0-9]/.test(c)) {
      while (i < source.length && /[0-9A-Za-z_.]/.test(source[i])) i++;
    } else {
      i++;
    }
  }
  return i;
}

/** A string literal from its opening quote at `start`, decoded both ways. */
function _readString(source: string, start: number): { value: string; pythonValue: string; end: number } {
  const quote = source[start];
  let value = "";
  let pythonValue = "";
  let i = start + 1;
  while (i < source.length && source[i] !== quote) {
    if (source[i] !== "\\") {
      value += source[i];
      pythonValue += source[i++];
      continue;
    }
    const escape = _decodeEscape(source, i + 1);
    value += escape.value;
    pythonValue += escape.pythonValue;
    i = escape.end;
  }
  return { value, pythonValue, end: i + 1 };
}

/** One escape after a backslash at `start - 1`: as the two lexers decode it, and where it ends. */
function _decodeEscape(source: string, start: number): { value: string; pythonValue: string; end: number } {
  const c = source[start] ?? "";
  const hexLength = c === "x" ? 2 : c === "u" ? 4 : c === "U" ? 8 : 0;
  if (hexLength > 0) {
    const hex = source.slice(start + 1, start + 1 + hexLength);
    if (hex.length === hexLength && /^[0-9a-fA-F]+$/.test(hex)) {
      const code = parseInt(hex, 16);
      const decoded = code <= 0x10ffff ? String.fromCodePoint(code) : "";
      return { value: c === "U" ? "" : decoded, pythonValue: decoded, end: start + 1 + hexLength };
    }
  }
  const octal = /^[0-7]{1,3}/.exec(source.slice(start, start + 3));
  if (octal) {
    return {
      value: "",
      pythonValue: String.fromCharCode(parseInt(octal[0], 8)),
      end: start + octal[0].length,
    };
  }
  if (c === "N" && source[start + 1] === "{") {
    const close = source.indexOf("}", start + 2);
    if (close > 0 && close - start < 64) {
      const name = source.slice(start + 2, close).toUpperCase();
      return { value: "", pythonValue: NAMED_CHARACTERS[name] ?? "", end: close + 1 };
    }
  }
  const simple = SIMPLE_ESCAPES[c];
  return { value: simple ?? "", pythonValue: simple ?? `\\${c}`, end: start + 1 };
}
