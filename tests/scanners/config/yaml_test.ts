// YAML read from its nodes, nothing constructed: language tags sorted and judged, keys repeated,
// aliases left as references (their anchors walked once), several documents as a list.
import assert from "node:assert/strict";
import { recordingContext } from "../../../core/recording_context.ts";
import { DEFAULT_CONFIG_OPTIONS } from "../../../scanners/option_catalog.ts";
import { LineIndex } from "../../../scanners/strings/line_index.ts";
import { walkConfig } from "../../../scanners/config/tree.ts";
import { parseYamlConfig } from "../../../scanners/config/yaml.ts";
import { objectTag } from "../../../scanners/config/yaml_tags.ts";

function parse(text: string) {
  const recorded = recordingContext("a.yaml");
  const tree = parseYamlConfig(recorded.ctx, text, new LineIndex(text), DEFAULT_CONFIG_OPTIONS);
  return { tree, ...recorded };
}

Deno.test("yaml tags: what each language's tag builds", () => {
  const cases: [string, string | undefined, string | undefined, boolean | undefined][] = [
    ["tag:yaml.org,2002:python/object/new:subprocess.Popen", "python", "subprocess.Popen", undefined],
    ["tag:yaml.org,2002:python/module:os", "python", "os", undefined],
    ["tag:yaml.org,2002:python/str", "python", undefined, undefined],
    ["!ruby/object:Net::WriteAdapter", "ruby", "Net::WriteAdapter", true],
    ["!ruby/object:MyApp::Settings", "ruby", "MyApp::Settings", false],
    ["!ruby/sym", "ruby", undefined, undefined],
    ["tag:yaml.org,2002:com.sun.rowset.JdbcRowSetImpl", "java", "com.sun.rowset.JdbcRowSetImpl", true],
    ["tag:yaml.org,2002:com.example.Settings", "java", "com.example.Settings", false],
    ["!php/object", "php", undefined, true],
    ["tag:yaml.org,2002:binary", undefined, undefined, undefined],
    ["!Ref", undefined, undefined, undefined],
    ["!ENV", undefined, undefined, undefined],
  ];
  for (const [tag, language, callable, gadget] of cases) {
    const found = objectTag(tag);
    assert.deepEqual([found?.language, found?.callable, found?.gadget], [language, callable, gadget], tag);
  }
});

Deno.test("yaml: a python tag is judged by the policy, and the scan's own denials count", () => {
  const text = "a: !!python/object:mycorp.shell.Runner {}\n";
  assert.deepEqual(parse(text).findings.map((f) => f.severity), ["warning"]);
  const recorded = recordingContext("a.yaml");
  const ctx = { ...recorded.ctx, policy: recorded.ctx.policy.extend({ denied: ["mycorp.shell"] }) };
  parseYamlConfig(ctx, text, new LineIndex(text), DEFAULT_CONFIG_OPTIONS);
  assert.deepEqual(recorded.findings.map((f) => [f.rule, f.severity]), [["MA523", "critical"]]);
});

Deno.test("yaml: aliases are references: an anchor's strings are walked once, at the anchor", async () => {
  const { tree, findings } = parse("base: &b {url: http://203.0.113.7/x}\nuse1: *b\nuse2: *b\n");
  assert.deepEqual(findings, []);
  const strings: string[] = [];
  await walkConfig(tree!, DEFAULT_CONFIG_OPTIONS, (node, keyPath) => {
    if (node.kind === "string") strings.push(keyPath);
  });
  assert.deepEqual(strings, ["$.base.url"]);
});

Deno.test("yaml: several documents are a list; a tag on a key is seen too", () => {
  const { tree, findings } = parse("a: 1\n---\n? !!python/name:os.system\n: x\n");
  assert.equal(tree?.kind === "list" && tree.items.length, 2);
  assert.deepEqual(findings.map((f) => [f.rule, f.severity, f.line]), [["MA523", "critical", 3]]);
});

Deno.test("yaml: a collection as a key is constructed too, its tags judged; two such keys are no repeat", () => {
  const text = '? !!python/object/apply:os.system ["echo pwned"]\n: 1\n? [a, b]\n: 2\n? [c, d]\n: 3\n';
  const { findings } = parse(text);
  assert.deepEqual(findings.map((f) => [f.rule, f.severity, f.line, f.details?.callable]), [
    ["MA523", "critical", 1, "os.system"],
  ]);
});
