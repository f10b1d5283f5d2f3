// XML: the document type declaration read before any parser sees it (XXE, remote DTDs, entity bombs,
// whose size is computed), then blanked, so that nothing is resolved or expanded; PMML identified.
import assert from "node:assert/strict";
import { recordingContext } from "../../../core/recording_context.ts";
import { DEFAULT_CONFIG_OPTIONS } from "../../../scanners/option_catalog.ts";
import { LineIndex } from "../../../scanners/strings/line_index.ts";
import { type ConfigNode, walkConfig } from "../../../scanners/config/tree.ts";
import { parseXmlConfig } from "../../../scanners/config/xml.ts";
import { expandedSizes, readDoctype } from "../../../scanners/config/xml_doctype.ts";

function parse(text: string) {
  const recorded = recordingContext("a.xml");
  const tree = parseXmlConfig(recorded.ctx, text, new LineIndex(text), DEFAULT_CONFIG_OPTIONS);
  return { tree, ...recorded };
}

async function strings(tree: ConfigNode | undefined): Promise<string[]> {
  const out: string[] = [];
  if (tree) {
    await walkConfig(tree, DEFAULT_CONFIG_OPTIONS, (node, keyPath) => {
      if (node.kind === "string") out.push(`${keyPath}=${node.value}`);
    });
  }
  return out;
}

Deno.test("xml: the declaration's quotes, brackets and comments do not end it early", () => {
  const text =
    `<!DOCTYPE r [<!-- a > in a comment --><!ENTITY a "x>y"><!ENTITY % p SYSTEM 'http://h/]>'>]><r/>`;
  const doctype = readDoctype(text)!;
  assert.equal(text.slice(doctype.end), "<r/>");
  assert.deepEqual(doctype.entities.map((e) => [e.name, e.parameter, e.value ?? e.system]), [
    ["a", false, "x>y"],
    ["p", true, "http://h/]>"],
  ]);
});

Deno.test("xml: entity sizes saturate past the limit, and a self reference counts once", () => {
  const entities = Array.from({ length: 12 }, (_, i) => ({
    name: `e${i}`,
    parameter: false,
    value: i === 0 ? "&e0;lol" : `&e${i - 1};`.repeat(10),
    offset: i,
  }));
  const sizes = expandedSizes(entities, 1_000_000);
  assert.equal(sizes.get("e0"), 7);
  assert.equal(sizes.get("e5"), 700_000);
  assert.equal(sizes.get("e6"), 1_000_001);
  assert.equal(sizes.get("e11"), 1_000_001);
});

Deno.test("xml: an external entity is reported and never read; its reference stays text", async () => {
  const { tree, findings } = parse(
    '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<r a="1">&x;</r>',
  );
  assert.deepEqual(findings.map((f) => [f.rule, f.severity, f.line]), [["MA528", undefined, 1]]);
  assert.deepEqual(await strings(tree), ['$.r["@a"]=1', '$.r["#text"]=&x;']);
});

Deno.test("xml: a local DTD (log4j.dtd) is clean; one fetched by URL or read by absolute path is MA528 info (parsers fetch it only when told to)", () => {
  assert.deepEqual(parse('<!DOCTYPE c SYSTEM "log4j.dtd"><c/>').findings, []);
  for (const system of ["http://203.0.113.7/c.dtd", "/etc/passwd"]) {
    const { findings } = parse(`<!DOCTYPE c SYSTEM "${system}"><c/>`);
    assert.deepEqual(findings.map((f) => [f.rule, f.severity, f.details?.system]), [[
      "MA528",
      "info",
      system,
    ]]);
  }
});

Deno.test("xml: not well-formed is MA520 at the validator's line; PMML is identified", () => {
  const { findings } = parse("<a>\n<b></a>");
  assert.deepEqual(findings.map((f) => [f.rule, f.line]), [["MA520", 2]]);
  const { identified } = parse('<?xml version="1.0"?>\n<PMML version="4.4"><Header/></PMML>');
  assert.deepEqual(identified, ["pmml"]);
});

Deno.test("xml: repeated elements are a list, attributes @name, text #text, each at its element's line", async () => {
  const { tree } = parse('<m>\n  <f name="a"/>\n  <f name="b">t &amp; u</f>\n</m>');
  assert.deepEqual(await strings(tree), [
    '$.m.f[0]["@name"]=a',
    '$.m.f[1]["@name"]=b',
    '$.m.f[1]["#text"]=t & u',
  ]);
});
