// The INI reader against Python's configparser's grammar: sections, `=` and `:` options, whole-line
// comments, continuation lines; repeated sections as lists, repeated options MA522, stray lines MA520.
import assert from "node:assert/strict";
import { recordingContext } from "../../../core/recording_context.ts";
import { parseIniConfig } from "../../../scanners/config/ini.ts";
import { DEFAULT_CONFIG_OPTIONS } from "../../../scanners/option_catalog.ts";
import { walkConfig } from "../../../scanners/config/tree.ts";

async function strings(text: string): Promise<string[]> {
  const { ctx } = recordingContext("a.ini");
  const tree = parseIniConfig(ctx, text);
  const out: string[] = [];
  if (tree) {
    await walkConfig(tree, DEFAULT_CONFIG_OPTIONS, (node, keyPath) => {
      if (node.kind === "string") out.push(`${keyPath}=${JSON.stringify(node.value)}@${node.place?.line}`);
    });
  }
  return out;
}

Deno.test("ini: options, colons, comments and continuation lines as configparser reads them", async () => {
  const text = "; comment\n[a]\nx = 1\ny: two words\n# note\nz =\n    first\n    second\n[b.c]\nk=v\n";
  assert.deepEqual(await strings(text), [
    '$.a.x="1"@3',
    '$.a.y="two words"@4',
    '$.a.z="\\nfirst\\nsecond"@6',
    '$["b.c"].k="v"@10',
  ]);
});

Deno.test("ini: a repeated section is a list (Darknet), a repeated option MA522", async () => {
  assert.deepEqual(await strings("[conv]\nfilters=16\n[conv]\nfilters=32\n"), [
    '$.conv[0].filters="16"@2',
    '$.conv[1].filters="32"@4',
  ]);
  const { ctx, findings } = recordingContext("a.ini");
  parseIniConfig(ctx, "[a]\nKey = 1\nkey = 2\n");
  assert.deepEqual(findings.map((f) => [f.rule, f.line, f.details]), [["MA522", 3, {
    key: "key",
    firstLine: 2,
  }]]);
});

Deno.test("ini: an option before any section, or a line of no kind, is MA520 and nothing is read", () => {
  for (const [text, line] of [["x = 1\n[a]\n", 1], ["[a]\nx = 1\n=oops\n", 3]] as const) {
    const { ctx, findings } = recordingContext("a.ini");
    assert.equal(parseIniConfig(ctx, text), undefined);
    assert.deepEqual(findings.map((f) => [f.rule, f.line]), [["MA520", line]]);
  }
});
