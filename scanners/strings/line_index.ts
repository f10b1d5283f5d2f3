/**
 * Places in text (a configuration file, Python source, a chat template): the map from an
 * offset in the text (or in its UTF-8 bytes) to the line and column a user reads. The text
 * itself is decoded by `utf8_text.ts`, whose decoder drops a byte order mark, as Python's
 * `utf-8-sig` and every YAML loader do.
 *
 * @module
 */

/** Where something sits in a text file, for findings. */
export interface Place {
  /** Line, from 1. */
  line?: number;
  /** Column, from 1, in characters. */
  column?: number;
}

/**
 * Line and column of offsets in one text, by a binary search of its line starts: character
 * offsets in a string, or byte offsets in its UTF-8 bytes (columns then count bytes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LineIndex } from "./line_index.ts";
 * const lines = new LineIndex("a: 1\nb: two\n");
 * assert.deepEqual(lines.place(8), { line: 2, column: 4 });
 * assert.equal(lines.count, 3);
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

  /** Lines of the text: one more than its line breaks. */
  get count(): number {
    return this.#starts.length;
  }

  /** The line and column (both from 1) of `offset`. */
  place(offset: number): Required<Place> {
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
