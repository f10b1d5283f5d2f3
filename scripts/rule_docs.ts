/**
 * Writes the rule documentation generated from the catalog: `docs/rules/<ID>.md`
 * for every rule and the index `docs/rules/README.md`, and removes pages of ids
 * the catalog no longer has. `tests/docs_test.ts` fails when the committed
 * pages differ from what this writes.
 *
 * ```sh
 * deno task docs
 * ```
 *
 * @module
 */

import { RULES } from "../core/rules.ts";
import { renderRuleDocs, RULE_DOCS_DIR } from "../report/rule_docs.ts";

const dir = new URL(`../${RULE_DOCS_DIR}/`, import.meta.url);
const files = renderRuleDocs(Object.values(RULES));
await Deno.mkdir(dir, { recursive: true });
for await (const entry of Deno.readDir(dir)) {
  if (entry.isFile && entry.name.endsWith(".md") && !Object.hasOwn(files, entry.name)) {
    await Deno.remove(new URL(entry.name, dir));
  }
}
for (const [name, text] of Object.entries(files)) await Deno.writeTextFile(new URL(name, dir), text);
console.log(`${RULE_DOCS_DIR}: ${Object.keys(files).length} files`);
