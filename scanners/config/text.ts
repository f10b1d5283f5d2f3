/**
 * Configuration text as the parsers take it: UTF-8 decoded (a byte order mark
 * dropped, as Python's `utf-8-sig` and every YAML loader drop it), and the map
 * from a character offset in that text to the line and column a user reads.
 *
 * @module
 */

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Where a value sits in a configuration file, for findings. */
export interface Place {
  /** Line, from 1. */
  line?: number;
  /** Column, from 1, in characters. */
  column?: number;
}

/**
 * The UTF-8 text of `bytes` without a leading byte order mark, or `undefined` when the bytes
 * are not UTF-8 text (or hold a NUL byte, which no configuration text does).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeConfigText } from "./text.ts";
 * assert.equal(decodeConfigText(new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0x3a, 0x20, 0x31])), "a: 1");
 * assert.equal(decodeConfigText(new Uint8Array([0x80, 0x02, 0x00])), undefined);
 * ```
 */
export function decodeConfigText(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    const text = utf8.decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    return undefined;
  }
}

/**
 * The length of `head` without a UTF-8 sequence cut at its end (a head is cut at a byte count),
 * so that the head of a text file decodes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { completeUtf8Length } from "./text.ts";
 * assert.equal(completeUtf8Length(new Uint8Array([0x61, 0xc3, 0xa9])), 3);
 * assert.equal(completeUtf8Length(new Uint8Array([0x61, 0xc3])), 1);
 * ```
 */
export function completeUtf8Length(head: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, head.length); back++) {
    const byte = head[head.length - back];
    if ((byte & 0xc0) !== 0x80) {
      const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
      return needed > back ? head.length - back : head.length;
    }
  }
  return head.length;
}

/**
 * Line and column of offsets in one text, by a binary search of its line starts: character
 * offsets in a string, or byte offsets in its UTF-8 bytes (columns then count bytes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LineIndex } from "./text.ts";
 * const lines = new LineIndex("a: 1\nb: two\n");
 * assert.deepEqual(lines.place(8), { line: 2, column: 4 });
 * assert.deepEqual(new LineIndex(new TextEncoder().encode("{\n \"a\": 1}")).place(3), { line: 2, column: 2 });
 * ```
 */
export class LineIndex {
  readonly #starts: number[] = [0];

  /** Indexes the line starts of `text` (after each `\n`; a `\r\n` ends one line). */
  constructor(text: string | Uint8Array) {
    if (typeof text === "string") {
      for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) this.#starts.push(i + 1);
    } else {
      for (let i = text.indexOf(0x0a); i !== -1; i = text.indexOf(0x0a, i + 1)) this.#starts.push(i + 1);
    }
  }

  /** The line and column (both from 1) of `offset`. */
  place(offset: number): Place {
    let low = 0;
    let high = this.#starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.#starts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - this.#starts[low] + 1 };
  }
}
