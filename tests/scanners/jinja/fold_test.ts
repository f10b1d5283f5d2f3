// Constant folding against Python's own results (each expected value is what CPython 3.11 and
// Jinja 3.1 give for the same expression), its refusals, and its bounds.
import assert from "node:assert/strict";
import { parse, tokenize } from "@huggingface/jinja";
import type { JinjaNode } from "../../../scanners/jinja/ast.ts";
import { type Constant, foldConstant } from "../../../scanners/jinja/fold.ts";

/** The values `{{ expression }}` folds to, with `scope` for its variables. */
function fold(expression: string, scope: Record<string, Constant[]> = {}): Constant[] {
  const program = parse(tokenize(`{{ ${expression} }}`)) as unknown as { body: JinjaNode[] };
  return foldConstant(program.body[0], new Map(Object.entries(scope)));
}

Deno.test("fold: Python's slices, indices and string operations", () => {
  const cases: [string, Constant][] = [
    ["'abcdef'[::-1]", "fedcba"],
    ["'abcdef'[1:4]", "bcd"],
    ["'abcdef'[-2:]", "ef"],
    ["'abcdef'[::2]", "ace"],
    ["'abcdef'[5:1:-2]", "fd"],
    ["'abcdef'[10:]", ""],
    ["'abcdef'[-1]", "f"],
    ["[1, 2, 3][::-1]", [3, 2, 1]],
    ["'a' ~ 1 ~ true", "a1True"],
    ["'ab' + 'cd'", "abcd"],
    ["[1] + [2]", [1, 2]],
    ["'ab' * 3", "ababab"],
    ["3 * 'ab'", "ababab"],
    ["'%s-%d-%x-%c%%' % ('a', 7, 255, 95)", "a-7-ff-_%"],
    ["'%s!' % 'x'", "x!"],
    ["'{}{1}{name}'.format('a', 'b', name='c')", "abc"],
    ["'{{{0}}}'.format('x')", "{x}"],
    ["'-'.join(['a', 'b'])", "a-b"],
    ["'a_b'.replace('_', '.')", "a.b"],
    ["'  x '.strip()", "x"],
    ["['a', 'b']|join", "ab"],
    ["['a', 'b']|join(', ')", "a, b"],
    ["'abc'|join('.')", "a.b.c"],
    ["'abc'|reverse", "cba"],
    ["'aXbX'|replace('X', '_')", "a_b_"],
    ["'%s%s'|format('a', 'b')", "ab"],
    ["'AbC'|lower", "abc"],
    ["'abc'|upper", "ABC"],
    ["'abc'|list", ["a", "b", "c"]],
    ["['x', 'y']|first", "x"],
    ["['x', 'y']|last", "y"],
    ["' a '|trim", "a"],
    ["5|string", "5"],
  ];
  for (const [expression, value] of cases) assert.deepEqual(fold(expression), [value], expression);
});

Deno.test("fold: variables, ternaries and their alternatives", () => {
  assert.deepEqual(fold("a ~ 'x'", { a: ["1", "2"] }), ["1x", "2x"]);
  assert.deepEqual(fold("'a' if c else 'b'"), ["a", "b"]);
  assert.deepEqual(fold("a", {}), []);
});

Deno.test("fold: what is not a constant, or not an operation it knows, stays unknown", () => {
  for (
    const expression of [
      "messages[0]",
      "x ~ 'a'",
      "'a'|unknown_filter",
      "'a'.title()",
      "'%s %s' % 'only one'",
      "'{0}'.format()",
      "'abc'[::0]",
      "'abc'[x:]",
      "'a' - 'b'",
      "[x, 'a']",
      "'%c' % -1",
      "'%c' % 1114112",
    ]
  ) {
    assert.deepEqual(fold(expression), [], expression);
  }
});

Deno.test("fold: bounded in length and in alternatives", () => {
  assert.deepEqual(fold("'ab' * 3000"), []);
  assert.deepEqual(fold("'a' * 4096"), ["a".repeat(4096)]);
  const many = Array.from({ length: 40 }, (_, i) => String(i));
  assert.equal(fold("a ~ b", { a: many, b: many }).length, 16);
});
