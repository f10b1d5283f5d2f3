// The Python tokenizer: names, operators and numbers apart from strings and comments,
// logical lines with their indentation, f-string expressions as code, byte offsets.
import assert from "node:assert/strict";
import { MAX_FSTRING_NESTING, PythonTokenizer } from "../../../scanners/pytorch/python_tokens.ts";

/** Tokens as `kind:text@start` (strings and numbers with their source text), `^indent` on line starts. */
function tokens(source: string): string[] {
  const bytes = new TextEncoder().encode(source);
  const out: string[] = [];
  const tokenizer = new PythonTokenizer(bytes);
  for (let t = tokenizer.next(); t; t = tokenizer.next()) {
    const text = t.kind === "name" || t.kind === "op"
      ? t.text
      : new TextDecoder().decode(bytes.subarray(t.start, t.end));
    out.push(
      `${t.kind === "newline" ? "NL" : `${t.kind}:${text}`}@${t.start}${t.indent >= 0 ? `^${t.indent}` : ""}`,
    );
  }
  return out;
}

Deno.test("strings and comments are single tokens or nothing, whatever they hold", () => {
  assert.deepEqual(tokens('x = "os.system(1)" # eval(x)\n'), [
    "name:x@0^0",
    "op:=@2",
    'string:"os.system(1)"@4',
    "NL@28",
  ]);
  assert.deepEqual(tokens("'a\\'b' r'\\\\' b\"c\" '''x\n'y'''"), [
    "string:'a\\'b'@0^0",
    "string:r'\\\\'@7",
    'string:b"c"@13',
    "string:'''x\n'y'''@18",
  ]);
  // An unterminated single-quoted string ends at its line; the next line is code again.
  assert.deepEqual(tokens("'abc\nos"), ["string:'abc@0^0", "NL@4", "name:os@5^0"]);
});

Deno.test("logical lines: indentation, brackets and continuations", () => {
  assert.deepEqual(tokens("def f(a,\n      b):\n\tif a:\n\t\treturn \\\n b\n"), [
    "name:def@0^0",
    "name:f@4",
    "op:(@5",
    "name:a@6",
    "op:,@7",
    "name:b@15",
    "op:)@16",
    "op::@17",
    "NL@18",
    "name:if@20^8",
    "name:a@23",
    "op::@24",
    "NL@25",
    "name:return@28^16",
    "name:b@38",
    "NL@39",
  ]);
  assert.deepEqual(tokens("a  # c\n\n   # d\nb\r\nc"), [
    "name:a@0^0",
    "NL@6",
    "name:b@15^0",
    "NL@16",
    "name:c@18^0",
  ]);
});

Deno.test("operators are read longest first; numbers are one token", () => {
  assert.deepEqual(tokens("a**=b//c->d!=e:=1.5e3...0x1f"), [
    "name:a@0^0",
    "op:**=@1",
    "name:b@4",
    "op://@5",
    "name:c@7",
    "op:->@8",
    "name:d@10",
    "op:!=@11",
    "name:e@13",
    "op::=@14",
    "number:1.5e3...0x1f@16",
  ]);
});

Deno.test("f-string and t-string fields are code; their literal text, specs and escapes are not", () => {
  // The opening stands for the literal; the fields' tokens follow it.
  assert.deepEqual(tokens('f"a{x!r:>{w}}{{b}}\\N{DASH}{y=}"'), [
    'string:f"@0^0',
    "name:x@4",
    "name:w@10",
    "name:y@27",
    "op:=@28",
  ]);
  assert.deepEqual(tokens('F"{ "q" + g("s") }" z'), [
    'string:F"@0^0',
    'string:"q"@4',
    "op:+@8",
    "name:g@10",
    "op:(@11",
    'string:"s"@12',
    "op:)@15",
    "name:z@20",
  ]);
  assert.deepEqual(tokens("t'{a}' rf'\\{b}'"), ["string:t'@0^0", "name:a@3", "string:rf'@7", "name:b@12"]);
  // A field may span lines (Python 3.12); the literal text of a single-quoted one may not.
  assert.deepEqual(tokens('f"{a\nb}"'), ['string:f"@0^0', "name:a@3", "name:b@5"]);
  assert.deepEqual(tokens('f"{a}x\nb'), ['string:f"@0^0', "name:a@3", "NL@6", "name:b@7^0"]);
});

Deno.test("non-ASCII names are NFKC-normalized, as Python reads them; offsets stay byte offsets", () => {
  assert.deepEqual(tokens("\uff4f\uff53.\u00e9 x"), ["name:os@0^0", "op:.@6", "name:\u00e9@7", "name:x@10"]);
});

Deno.test("f-strings nest only so deep; beyond, one is a plain string", () => {
  assert.deepEqual(tokens('f"{f"{f"{x}"}"}"'), ['string:f"@0^0', 'string:f"@3', 'string:f"@6', "name:x@9"]);
  const deep = tokens('f"{'.repeat(MAX_FSTRING_NESTING + 4) + "x");
  assert.deepEqual(deep.slice(0, MAX_FSTRING_NESTING).every((t) => t.startsWith('string:f"')), true);
  assert.ok(deep.length < 4 * (MAX_FSTRING_NESTING + 4));
});
