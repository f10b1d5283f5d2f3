// The committed rule docs are what the catalog generates: a rule added or changed in core/rules.ts without
// `deno task docs` fails here, and so does a page edited by hand or left behind by a removed id.
import assert from "node:assert/strict";
import { RULES } from "../core/rules.ts";
import { renderRuleDocs, RULE_DOCS_DIR } from "../report/rule_docs.ts";

const DIR = new URL(`../${RULE_DOCS_DIR}/`, import.meta.url);

Deno.test("docs/rules is up to date with the rule catalog (run `deno task docs`)", async () => {
  const expected = renderRuleDocs(Object.values(RULES));
  const committed: Record<string, string> = {};
  for await (const entry of Deno.readDir(DIR)) {
    if (entry.isFile) committed[entry.name] = await Deno.readTextFile(new URL(entry.name, DIR));
  }
  assert.deepEqual(Object.keys(committed).sort(), Object.keys(expected).sort(), "stale or missing pages");
  for (const [name, text] of Object.entries(expected)) {
    assert.equal(committed[name], text, `${RULE_DOCS_DIR}/${name} is stale: run \`deno task docs\``);
  }
});
