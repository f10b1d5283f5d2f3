import assert from "node:assert/strict";
import { getRule, type Rule, RULES } from "../../core/rules.ts";
import {
  renderRuleDocs,
  renderRuleIndex,
  renderRuleMarkdown,
  RULE_DOCS_URL,
  ruleDocUrl,
} from "../../report/rule_docs.ts";

const RULE: Rule = {
  id: "MA100",
  name: "pickle-dangerous-import",
  kind: "security",
  severity: "critical",
  cwe: 502,
  title: "Pickle imports a callable | that runs code",
  why: "Why text.",
  example: "Example text.",
  fix: "Fix text.",
};

Deno.test("renderRuleMarkdown: title, kind, severity, CWE link, why, example and fix", () => {
  assert.equal(
    renderRuleMarkdown(RULE),
    [
      "# MA100: pickle-dangerous-import",
      "",
      "Pickle imports a callable | that runs code.",
      "",
      "- **Kind:** security",
      "- **Default severity:** critical",
      "- **CWE:** [CWE-502](https://cwe.mitre.org/data/definitions/502.html)",
      "",
      "## Why it matters",
      "",
      "Why text.",
      "",
      "## Example",
      "",
      "Example text.",
      "",
      "## What to do",
      "",
      "Fix text.",
      "",
    ].join("\n"),
  );
  const { cwe: _, ...withoutCwe } = RULE;
  assert.doesNotMatch(renderRuleMarkdown(withoutCwe), /CWE/);
});

Deno.test("renderRuleIndex: one row per rule linking its page, pipes in titles escaped", () => {
  const rows = renderRuleIndex([RULE, getRule("MA003")]).split("\n").filter((line) => line.startsWith("| ["));
  assert.deepEqual(rows, [
    "| [MA100](MA100.md) | pickle-dangerous-import | security | critical | " +
    "[CWE-502](https://cwe.mitre.org/data/definitions/502.html) | Pickle imports a callable \\| that runs code |",
    `| [MA003](MA003.md) | file-too-large | limit | info |  | ${getRule("MA003").title} |`,
  ]);
});

Deno.test("renderRuleDocs: a page per catalog rule and the index; each page links back to it", () => {
  const files = renderRuleDocs(Object.values(RULES));
  assert.deepEqual(Object.keys(files), [...Object.keys(RULES).map((id) => `${id}.md`), "README.md"]);
  assert.ok(files["MA100.md"].includes(renderRuleMarkdown(getRule("MA100"))));
  assert.ok(files["MA100.md"].endsWith("[All rules](README.md)\n"));
  assert.ok(files["MA100.md"].startsWith("<!-- Generated from core/rules.ts"));
});

Deno.test("ruleDocUrl is the page under the one documented base URL", () => {
  assert.equal(ruleDocUrl("MA204"), `${RULE_DOCS_URL}MA204.md`);
  assert.match(RULE_DOCS_URL, /^https:\/\/github\.com\/[^/]+\/[^/]+\/blob\/main\/docs\/rules\/$/);
});
