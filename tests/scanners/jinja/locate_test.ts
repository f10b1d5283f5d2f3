// The light lexer that gives template words their offsets: only code inside tags counts, strings are
// decoded the way each Jinja decodes them, and tags end where Jinja ends them.
import assert from "node:assert/strict";
import { parserFriendly, wordsOf } from "../../../scanners/jinja/locate.ts";

const brief = (source: string) => wordsOf(source).map((w) => `${w.kind}:${w.value}@${w.offset}#${w.tag}`);

Deno.test("locate: words of tags only, with their offsets and tags", () => {
  assert.deepEqual(brief("a {# x.y #} b {{ m.c }} {% if d %}e{% endif %}"), [
    "id:m@17#0",
    "id:c@19#0",
    "id:if@27#1",
    "id:d@30#1",
    "id:endif@38#2",
  ]);
});

Deno.test("locate: strings hide tag ends and braces; dict literals nest", () => {
  assert.deepEqual(brief("{{ '}}' ~ x }}{{ {'k': v}['k'] }} y"), [
    "str:}}@3#0",
    "id:x@10#0",
    "str:k@18#1",
    "id:v@23#1",
    "str:k@26#1",
  ]);
});

Deno.test("locate: escapes decoded as @huggingface/jinja does, and as Python's Jinja does", () => {
  const [word] = wordsOf("{{ '\\x5f\\u005f\\U0000005f\\137\\N{LOW LINE}\\n\\q' }}");
  assert.equal(word.value, "__\n");
  assert.equal(word.pythonValue, "_____\n\\q");
});

Deno.test("locate: unterminated tags and strings end at the end of the text", () => {
  assert.deepEqual(brief("{{ 'abc"), ["str:abc@3#0"]);
  assert.deepEqual(brief("{% x"), ["id:x@3#0"]);
  assert.deepEqual(brief("{# never closed {{ x }}"), []);
});

Deno.test("locate: Python-only syntax rewritten for the parser, only inside tags", () => {
  assert.equal(
    parserFriendly("{{ f() ~ '\\137\\q' }} text () '\\137'", "python"),
    "{{ f(none) ~ \"_\\\\q\" }} text () '\\137'",
  );
});

Deno.test("locate: raw blocks are text, and become the string they print", () => {
  const source = "{{ a }}{% raw %}{{ x.__class__ }}{% endraw %}{{ b }}{%- raw -%}never closed {{ y }}";
  assert.deepEqual(brief(source), ["id:a@3#0", "id:b@48#1"]);
  assert.equal(
    parserFriendly(source, "raw"),
    '{{ a }}{{ "{{ x.__class__ }}" }}{{ b }}{{ "never closed {{ y }}" }}',
  );
});
