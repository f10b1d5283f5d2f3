// The Python literal parser behind the .npy header: what ast.literal_eval accepts (cases checked
// against CPython 3.11) and what it refuses, with the offset of the refusal.
import assert from "node:assert/strict";
import { parsePythonLiteral, type PyValue } from "../../../scanners/numpy/literal.ts";
import { DEFAULT_NUMPY_OPTIONS } from "../../../scanners/option_catalog.ts";

const MAX_LITERAL_DEPTH = DEFAULT_NUMPY_OPTIONS.maxLiteralDepth;

function parse(text: string, longSuffix = false): PyValue {
  const result = parsePythonLiteral(text, { longSuffix });
  if (!result.ok) throw new Error(`${result.error} at ${result.offset}`);
  return result.value;
}

/** A compact rendering of a value, close to Python's repr. */
function show(value: PyValue): string {
  switch (value.type) {
    case "str":
      return JSON.stringify(value.value);
    case "bytes":
      return `b${JSON.stringify(String.fromCharCode(...value.value))}`;
    case "int":
      return String(value.value);
    case "bool":
      return value.value ? "True" : "False";
    case "none":
      return "None";
    case "ellipsis":
      return "...";
    case "float":
    case "complex":
      return value.type;
    case "tuple":
      return `(${value.items.map(show).join(", ")}${value.items.length === 1 ? "," : ""})`;
    case "list":
      return `[${value.items.map(show).join(", ")}]`;
    case "set":
      return `set{${value.items.map(show).join(", ")}}`;
    case "dict":
      return `{${value.entries.map(([k, v]) => `${show(k)}: ${show(v)}`).join(", ")}}`;
  }
}

function refused(text: string, options = {}): { error: string; offset: number } {
  const result = parsePythonLiteral(text, options);
  assert.ok(!result.ok, `${JSON.stringify(text)} was accepted`);
  return { error: result.error, offset: result.offset };
}

Deno.test("literal: the header np.save writes, and duplicate keys kept in order", () => {
  assert.equal(
    show(parse("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }          \n")),
    `{"descr": "<f4", "fortran_order": False, "shape": (3, 4)}`,
  );
  assert.equal(show(parse("{'a': 1, 'a': 2}")), `{"a": 1, "a": 2}`);
});

Deno.test("literal: strings, with every prefix and escape Python has (but \\N{...})", () => {
  assert.equal(show(parse(`'de' "scr"`)), `"descr"`);
  assert.equal(
    show(parse(`'\\x41\\101\\u00e9\\U0001F600\\n\\t\\\\\\'\\q'`)),
    JSON.stringify("AAé😀\n\t\\'\\q"),
  );
  assert.equal(show(parse(`r'\\n\\''`)), JSON.stringify("\\n\\'"));
  assert.equal(show(parse(`'''a\n'b'''`)), JSON.stringify("a\n'b"));
  assert.equal(show(parse(`'a\\\nb'`)), `"ab"`);
  assert.equal(show(parse(`b'\\x00O' Rb'\\x'`)), `b"\\u0000O\\\\x"`);
  assert.equal(show(parse(`u'x' U"y"`)), `"xy"`);
  assert.match(refused(`'a' b'b'`).error, /mix bytes and str/);
  assert.match(refused(`b'é'`).error, /ASCII/);
  assert.match(refused(`'\\N{BULLET}'`).error, /not supported/);
  assert.match(refused(`'\\x4'`).error, /truncated/);
  assert.deepEqual(refused(`'abc`), { error: "unterminated string", offset: 0 });
  assert.match(refused(`'a\nb'`).error, /unterminated/);
  assert.match(refused(`f'{x}'`).error, /'f' is not a literal/);
  assert.match(refused(`ur'x'`).error, /'ur' is not a literal/);
});

Deno.test("literal: numbers, signed once, complex sums, Python 2 longs only when asked", () => {
  assert.equal(
    show(parse("(0, -7, +3, 0x1F, 0o17, 0b101, 1_000, 123456789012345678901234567890)")),
    "(0, -7, 3, 31, 15, 5, 1000, 123456789012345678901234567890)",
  );
  assert.equal(
    show(parse("(1.5, -2e3, .5, 1j, 1+2j, -1-0.5j)")),
    "(float, float, float, complex, complex, complex)",
  );
  assert.equal(show(parse("(10L, 20L)", true)), "(10, 20)");
  assert.match(refused("(10L,)").error, /invalid number/);
  assert.match(refused("012").error, /leading zeros/);
  assert.match(refused("1 + 2").error, /complex/);
  assert.match(refused("--1").error, /invalid number/);
});

Deno.test("literal: containers, constants, comments and continuations", () => {
  assert.equal(
    show(parse("((), (1,), (1), [1, 2,], {1, 2}, set(), {}, None, True, ...)")),
    "((), (1,), 1, [1, 2], set{1, 2}, set{}, {}, None, True, ...)",
  );
  assert.equal(show(parse("1, 2")), "(1, 2)");
  assert.equal(show(parse("{'a': 1, # a comment\n 'b': [\n 2]} # after\n\n")), `{"a": 1, "b": [2]}`);
  assert.equal(show(parse("(1 \\\n, 2)")), "(1, 2)");
});

Deno.test("literal: code is refused where it starts", () => {
  assert.deepEqual(refused("__import__('os').system('id')"), {
    error: "'__import__' is not a literal",
    offset: 0,
  });
  assert.deepEqual(refused("{'a': os.system}"), { error: "'os' is not a literal", offset: 6 });
  assert.deepEqual(refused("{'a': 1} + 1"), { error: "unexpected text after the literal", offset: 9 });
  assert.match(refused("(lambda: 1)").error, /not a literal/);
  assert.match(refused("{1: 2, 3}").error, /expected ':'/);
  assert.match(refused("[1 2]").error, /expected ']'/);
  assert.match(refused("set(1)").error, /expected '\)'/);
});

Deno.test("literal: nesting is bounded", () => {
  const ok = "[".repeat(MAX_LITERAL_DEPTH) + "]".repeat(MAX_LITERAL_DEPTH);
  assert.equal(parse(ok).type, "list");
  const deep = "(".repeat(100_000) + ")".repeat(100_000);
  assert.match(refused(deep).error, /nested more than/);
});
