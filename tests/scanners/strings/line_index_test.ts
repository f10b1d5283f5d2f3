// Offsets to the line and column a user reads, for every text scanner (config files, Python
// source, chat templates): in a string, or in its UTF-8 bytes.
import assert from "node:assert/strict";
import { LineIndex } from "../../../scanners/strings/line_index.ts";

Deno.test("line index: the first character, a line's start, the end after a final newline", () => {
  const lines = new LineIndex("ab\ncd\n");
  assert.deepEqual(lines.place(0), { line: 1, column: 1 });
  assert.deepEqual(lines.place(3), { line: 2, column: 1 });
  assert.deepEqual(lines.place(6), { line: 3, column: 1 });
});

Deno.test("line index: \\r\\n ends one line; bytes count columns in bytes", () => {
  assert.deepEqual(new LineIndex("a\r\nb").place(3), { line: 2, column: 1 });
  assert.deepEqual(new LineIndex(new TextEncoder().encode("é\nxy")).place(4), { line: 2, column: 2 });
});
