/**
 * The rule documentation in Markdown, generated from the catalog: one page per
 * rule (`docs/rules/MA100.md`) and an index (`docs/rules/README.md`). The SARIF
 * report points each rule's `helpUri` at its page and embeds the same text as
 * `help.markdown`, so a code-scanning alert and the repository say the same.
 *
 * `deno task docs` writes the pages; a test fails when the committed ones
 * differ from what the catalog generates.
 *
 * @module
 */

import type { Rule, RuleId } from "../core/rules.ts";
import { cweUrl } from "./rules.ts";

/**
 * Where the rule pages are published: the `docs/rules/` folder of the
 * repository on its default branch. The one place to change when the
 * repository moves.
 */
export const RULE_DOCS_URL = "https://github.com/modelaudit/modelaudit/blob/main/docs/rules/";

/** The folder of the repository the pages are written to, relative to its root. */
export const RULE_DOCS_DIR = "docs/rules";

/** The index page's file name: GitHub shows a folder's README.md when the folder is opened. */
export const RULE_INDEX_FILE = "README.md";

const GENERATED_NOTE =
  "<!-- Generated from core/rules.ts by `deno task docs`: edit the catalog, not this file. -->";

/**
 * The published page of a rule.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ruleDocUrl } from "./rule_docs.ts";
 * assert.equal(ruleDocUrl("MA100"), "https://github.com/modelaudit/modelaudit/blob/main/docs/rules/MA100.md");
 * ```
 */
export function ruleDocUrl(id: RuleId): string {
  return `${RULE_DOCS_URL}${id}.md`;
}

/**
 * A rule explained in Markdown: title, kind, default severity, CWE, why it
 * matters, an example and what to do. It is the body of the rule's page and the
 * SARIF rule's `help.markdown`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getRule } from "../core/rules.ts";
 * import { renderRuleMarkdown } from "./rule_docs.ts";
 * const markdown = renderRuleMarkdown(getRule("MA100"));
 * assert.ok(markdown.startsWith("# MA100: pickle-dangerous-import\n"));
 * assert.ok(markdown.includes("- **CWE:** [CWE-502](https://cwe.mitre.org/data/definitions/502.html)"));
 * assert.ok(markdown.includes(`## Example\n\n${getRule("MA100").example}`));
 * ```
 */
export function renderRuleMarkdown(rule: Rule): string {
  return [
    `# ${rule.id}: ${rule.name}`,
    "",
    `${rule.title}.`,
    "",
    `- **Kind:** ${rule.kind}`,
    `- **Default severity:** ${rule.severity}`,
    ...(rule.cwe === undefined ? [] : [`- **CWE:** [CWE-${rule.cwe}](${cweUrl(rule.cwe)})`]),
    "",
    "## Why it matters",
    "",
    rule.why,
    "",
    "## Example",
    "",
    rule.example,
    "",
    "## What to do",
    "",
    rule.fix,
    "",
  ].join("\n");
}

/**
 * The index of the rule pages: one table row per rule, linking to its page.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getRule } from "../core/rules.ts";
 * import { renderRuleIndex } from "./rule_docs.ts";
 * const index = renderRuleIndex([getRule("MA100"), getRule("MA101")]);
 * assert.ok(index.includes("# Rules"));
 * assert.equal(index.split("\n").filter((line) => line.startsWith("| [MA1")).length, 2); // a row each
 * ```
 */
export function renderRuleIndex(rules: readonly Rule[]): string {
  return [
    GENERATED_NOTE,
    "",
    "# Rules",
    "",
    "Every finding modelaudit reports carries one of these rule ids. `modelaudit rules ID` prints the same",
    "explanation in a terminal. The kinds: `security` is a sign of intent or of an attack, `integrity` is",
    "malformed or inconsistent content, `limit` is content that was not inspected.",
    "",
    "| Rule | Name | Kind | Default severity | CWE | What it finds |",
    "| ---- | ---- | ---- | ---------------- | --- | ------------- |",
    ...rules.map((rule) =>
      `| [${rule.id}](${rule.id}.md) | ${rule.name} | ${rule.kind} | ${rule.severity} | ${
        rule.cwe === undefined ? "" : `[CWE-${rule.cwe}](${cweUrl(rule.cwe)})`
      } | ${escapeCell(rule.title)} |`
    ),
    "",
  ].join("\n");
}

/** A pipe inside a table cell would end the cell. */
function escapeCell(text: string): string {
  return text.replaceAll("|", "\\|");
}

/**
 * Every file of `docs/rules/`, by file name: one page per rule (its Markdown
 * explanation under a note that it is generated, and a link back to the index)
 * and the index.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RULES } from "../core/rules.ts";
 * import { renderRuleDocs } from "./rule_docs.ts";
 * const files = renderRuleDocs(Object.values(RULES));
 * assert.deepEqual(Object.keys(files), [...Object.keys(RULES).map((id) => `${id}.md`), "README.md"]);
 * // What `deno task docs` committed: a stale page fails the tests.
 * assert.equal(files["MA100.md"], await Deno.readTextFile("docs/rules/MA100.md"));
 * ```
 */
export function renderRuleDocs(rules: readonly Rule[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const rule of rules) {
    files[`${rule.id}.md`] = `${GENERATED_NOTE}\n\n${
      renderRuleMarkdown(rule)
    }\n[All rules](${RULE_INDEX_FILE})\n`;
  }
  files[RULE_INDEX_FILE] = renderRuleIndex(rules);
  return files;
}
