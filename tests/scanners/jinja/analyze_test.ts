// The template analysis on its own: what each check reports and where, the folding it relies on,
// how templates inside other files are located, what hostile input costs, and that every real
// template committed under fixtures/jinja/benign/real/ stays clean.
import assert from "node:assert/strict";
import type { FindingReport } from "../../../core/scanner.ts";
import { analyzeTemplate, type TemplateLocation } from "../../../scanners/jinja/analyze.ts";
import { REAL_TEMPLATE_COUNT, realTemplates } from "./_real_templates.ts";

/** `RULE severity name line:col` of each finding of `text`. */
function brief(text: string, where?: TemplateLocation): string[] {
  const findings: FindingReport[] = [];
  analyzeTemplate(text, (finding) => findings.push(finding), where);
  return findings.map((f) =>
    `${f.rule} ${f.severity ?? "default"} ${f.details?.name ?? "-"} ${f.line ?? "-"}:${f.column ?? "-"}`
  );
}

Deno.test("jinja analysis: a plain payload is reported step by step, in template order", () => {
  assert.deepEqual(brief("{{ lipsum.__globals__.os.popen('echo pwned').read() }}"), [
    "MA502 default lipsum 1:4",
    "MA500 default __globals__ 1:11",
    "MA501 default os 1:23",
    "MA501 default popen 1:26",
  ]);
});

Deno.test("jinja analysis: obfuscated names are folded before matching", () => {
  const spellings = [
    "'__glo' + 'bals__'",
    "'__glo' ~ 'bals__'",
    "'__slabolg__'[::-1]",
    "'__slabolg__'|reverse",
    "'\\x5f\\x5fglobals\\x5f\\x5f'",
    "'\\u005f\\u005fglobals\\u005f\\u005f'",
    "['__', 'glo', 'bals', '__']|join",
    "['__', '__']|join('globals')",
    "'XXglobalsXX'|replace('X', '_')",
    "'%c%cglobals%c%c'|format(95, 95, 95, 95)",
    "'%s%sglobals%s%s' % ('_', '_', '_', '_')",
    "'{0}{0}globals{0}{0}'.format('_')",
    "'_' * 2 ~ 'globals' ~ '_' * 2",
    "'__GLOBALS__'|lower",
    "'..__globals__..'[2:-2]",
    "('__globals__', 'x')[0]",
    "'__globals__' if messages else 'content'",
  ];
  for (const spelled of spellings) {
    const findings = brief(`{{ x[${spelled}] }}`);
    assert.ok(findings.some((f) => f.startsWith("MA500 default __globals__ 1:")), `${spelled}: ${findings}`);
  }
});

Deno.test("jinja analysis: a name held by a variable or a loop variable is followed to where it is used", () => {
  assert.deepEqual(brief("{% set a = '__cla' %}{% set b = a ~ 'ss__' %}{{ x[b] }}"), [
    "MA500 default __class__ 1:33",
    "MA500 default __class__ 1:51",
  ]);
  assert.deepEqual(brief("{% for n in ['content', '__class__'] %}{{ x|attr(n) }}{% endfor %}"), [
    "MA500 default __class__ 1:25",
    "MA500 default __class__ 1:50",
  ]);
});

Deno.test("jinja analysis: a variable or loop variable set to what an escape reached stays on its path", () => {
  assert.deepEqual(brief("{% set g = lipsum.__globals__ %}{{ g.os.popen('x') }}"), [
    "MA502 default lipsum 1:12",
    "MA500 default __globals__ 1:19",
    "MA501 default os 1:38",
    "MA501 default popen 1:41",
  ]);
  assert.deepEqual(brief("{% for c in x.__subclasses__() %}{{ c.system }}{% endfor %}"), [
    "MA500 default __subclasses__ 1:15",
    "MA501 default system 1:39",
  ]);
  // A global called by name makes an ordinary object: its attributes are the template's own.
  assert.deepEqual(
    brief("{% set c = cycler('a', 'b') %}{% set ns = namespace(os='') %}{{ c.next() }}{{ ns.os }}"),
    [],
  );
});

Deno.test("jinja analysis: every name issue 11 lists is found where an escape needs it", () => {
  const dunders = [
    "__class__",
    "__mro__",
    "__base__",
    "__subclasses__",
    "__globals__",
    "__builtins__",
    "__init__",
    "__import__",
    "__getattribute__",
  ];
  for (const name of dunders) {
    assert.deepEqual(brief(`{{ x.${name} }}`), [`MA500 default ${name} 1:6`], name);
    assert.deepEqual(brief(`{{ x|attr('${name}') }}`), [`MA500 default ${name} 1:11`], name);
  }
  for (const name of ["lipsum", "cycler", "joiner", "namespace", "self", "config", "request", "url_for"]) {
    assert.deepEqual(brief(`{{ ${name}.x }}`), [`MA502 default ${name} 1:4`], name);
  }
  for (const name of ["os", "popen", "system", "eval", "exec", "import"]) {
    assert.deepEqual(brief(`{{ x.__class__['${name}'] }}`), [
      "MA500 default __class__ 1:6",
      `MA501 default ${name} 1:16`,
    ], name);
  }
});

Deno.test("jinja analysis: dangerous names count on an escape's path, not on ordinary variables", () => {
  assert.deepEqual(brief("{% set ns = namespace(system='') %}{{ ns.system }}{{ message.eval }}"), []);
  assert.deepEqual(brief("{{ x.__class__.system }}"), [
    "MA500 default __class__ 1:6",
    "MA501 default system 1:16",
  ]);
  assert.deepEqual(brief("{{ eval('1') }}{{ getattr(x, 'y') }}"), [
    "MA501 default eval 1:4",
    "MA501 default getattr 1:19",
  ]);
  // A template's own macro or variable named like a builtin is its own.
  assert.deepEqual(brief("{% macro open(x) %}{{ x }}{% endmacro %}{{ open(1) }}"), []);
  assert.deepEqual(brief("{% set os = messages %}{{ os.popen }}"), []);
});

Deno.test("jinja analysis: globals objects are reported when reached into, not when called", () => {
  assert.deepEqual(
    brief("{% set ns = namespace(a=1) %}{{ cycler('a', 'b').next() }}{{ joiner(', ')() }}"),
    [],
  );
  assert.deepEqual(brief("{{ joiner.x }}"), ["MA502 default joiner 1:4"]);
  assert.deepEqual(brief("{{ lipsum['x'] }}"), ["MA502 default lipsum 1:4"]);
  assert.deepEqual(brief("{% set self = messages %}{{ self.x }}"), []);
});

Deno.test("jinja analysis: private attributes are warnings, computed attr() names MA504", () => {
  assert.deepEqual(brief("{{ message._cache }}"), ["MA500 warning _cache 1:12"]);
  assert.deepEqual(brief("{{ message|attr(messages[0].content) }}"), ["MA504 default - 1:17"]);
  assert.deepEqual(brief("{{ message|attr('content') }}{{ message[key] }}"), []);
});

Deno.test("jinja analysis: filters take attribute names only where they name attributes", () => {
  assert.deepEqual(brief("{{ messages|selectattr('role', 'equalto', 'system')|list }}"), []);
  assert.deepEqual(brief("{{ messages|map(attribute='__class__.__mro__')|list }}"), [
    "MA500 default __class__ 1:27",
    "MA500 default __mro__ 1:27",
  ]);
  assert.deepEqual(brief("{{ messages|map(attribute='__class__.__init__.__globals__.os')|list }}"), [
    "MA500 default __class__ 1:27",
    "MA500 default __init__ 1:27",
    "MA500 default __globals__ 1:27",
    "MA501 default os 1:27",
  ]);
});

Deno.test("jinja analysis: prose that mentions internals is not code", () => {
  assert.deepEqual(brief("{{ 'Put an __init__.py in each package; never call os.system.' }}"), []);
  assert.deepEqual(brief("{# x.__globals__ #}Text about __class__ {{ messages }}"), []);
});

Deno.test("jinja analysis: a template that does not parse is MA503, then analysed with Python-only syntax rewritten", () => {
  assert.deepEqual(brief("{% for m in messages %}{{ m.content }}"), ["MA503 default - -:-"]);
  // Octal, \U and \N{...} escapes and empty tuples: only Python's Jinja reads them.
  for (
    const spelled of [
      "'\\137\\137class\\137\\137'",
      "'\\U0000005f\\U0000005fclass\\U0000005f\\U0000005f'",
      "'\\N{LOW LINE}\\N{LOW LINE}class\\N{LOW LINE}\\N{LOW LINE}'",
    ]
  ) {
    assert.deepEqual(brief(`{{ x|attr(${spelled}) }}`), [
      "MA503 default - -:-",
      "MA500 default __class__ 1:11",
    ]);
  }
  assert.deepEqual(brief("{{ ().__class__.__base__ }}"), [
    "MA503 default - -:-",
    "MA500 default __class__ 1:7",
    "MA500 default __base__ 1:17",
  ]);
  // Folding works on the rewritten template too.
  assert.deepEqual(brief("{{ ()|attr('XXclassXX'|replace('X', '_')) }}"), [
    "MA503 default - -:-",
    "MA500 default __class__ 1:12",
  ]);
  const findings: FindingReport[] = [];
  analyzeTemplate("{{ () }}", (f) => findings.push(f));
  assert.deepEqual(findings[0].details, { error: "Unexpected token: CloseParen", recovered: true });
});

Deno.test("jinja analysis: a template that cannot be parsed at all is searched as text", () => {
  const broken = "{% if %}";
  assert.deepEqual(brief(`{{ x|attr('\\137\\137class\\137\\137') }}${broken}`), [
    "MA503 default - -:-",
    "MA500 default __class__ 1:11",
  ]);
  // Pieces joined in a tag, reversed or not; a single string that mentions a name is prose.
  assert.deepEqual(brief(`{{ x|attr('__sub' ~ 'classes__') }}${broken}`), [
    "MA503 default - -:-",
    "MA500 default __subclasses__ 1:11",
  ]);
  assert.deepEqual(brief(`{{ x|attr('__ab' 'cd__') }}${broken}`), ["MA503 default - -:-"]);
  assert.deepEqual(brief(`{{ x|attr('__ssalc' '__'|reverse) }}${broken}`), [
    "MA503 default - -:-",
    "MA500 default __class__ 1:11",
  ]);
  assert.deepEqual(brief(`{{ 'see __init__.py' }}{{ ns.system }}${broken}`), ["MA503 default - -:-"]);
  assert.deepEqual(brief(`{{ x.__class__.popen }}${broken}`), [
    "MA503 default - -:-",
    "MA500 default __class__ 1:6",
    "MA501 default popen 1:16",
  ]);
  const findings: FindingReport[] = [];
  analyzeTemplate(broken, (f) => findings.push(f));
  assert.equal(findings[0].details?.recovered, false);
});

Deno.test("jinja analysis: a template inside another file is located by its key path", () => {
  const findings: FindingReport[] = [];
  analyzeTemplate("Hi\n{{ x.__class__ }}", (f) => findings.push(f), {
    keyPath: "tokenizer.chat_template",
    position: 1234,
  });
  assert.deepEqual(findings, [{
    rule: "MA500",
    message: "Chat template reaches the Python internal __class__: a step of a sandbox escape",
    severity: undefined,
    keyPath: "tokenizer.chat_template",
    position: 1234,
    details: { name: "__class__", obfuscated: false, templateLine: 2, templateColumn: 6 },
  }]);
});

Deno.test("jinja analysis: hostile templates cost bounded time and memory, never a crash", () => {
  // A repetition that would build gigabytes is left unfolded.
  assert.deepEqual(brief("{{ x['_' * 1000000000] }}"), []);
  assert.deepEqual(brief("{{ x['%c' % 99999999] }}"), []);
  // Nesting deeper than the parser's stack is MA503, not an exception.
  const deep = `{{ ${"(".repeat(20000)}1${")".repeat(20000)} }}`;
  assert.deepEqual(brief(deep), ["MA503 default - -:-"]);
  // Long chains of concatenation fold within their bounds.
  const chain = `{{ x[${Array.from({ length: 3000 }, () => "'_'").join(" ~ ")}] }}`;
  assert.deepEqual(brief(chain), []);
});

Deno.test("jinja analysis: every real template is clean", async () => {
  const templates = await realTemplates();
  for (const { name, text } of templates) assert.deepEqual(brief(text), [], name);
  assert.equal(templates.length, REAL_TEMPLATE_COUNT);
});
