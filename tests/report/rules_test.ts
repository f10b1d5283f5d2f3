import assert from "node:assert/strict";
import { getRule, type Rule, RULES } from "../../core/rules.ts";
import { renderRule, renderRuleList } from "../../report/rules.ts";

Deno.test("renderRuleList prints one aligned line per rule", () => {
  const rules: Rule[] = [
    {
      id: "MA001",
      name: "short",
      kind: "security",
      severity: "warning",
      title: "First",
      why: "w",
      example: "e",
      fix: "f",
    },
    {
      id: "MA100",
      name: "a-longer-name",
      kind: "security",
      severity: "critical",
      title: "Second",
      why: "w",
      example: "e",
      fix: "f",
    },
  ];
  assert.equal(
    renderRuleList(rules),
    "MA001  warning   short          First\n" +
      "MA100  critical  a-longer-name  Second\n",
  );
  assert.equal(renderRuleList([]), "");
});

Deno.test("renderRuleList lists every rule of the catalog", () => {
  const lines = renderRuleList(Object.values(RULES)).trimEnd().split("\n");
  assert.equal(lines.length, Object.keys(RULES).length);
  assert.match(
    lines.find((line) => line.startsWith("MA100"))!,
    /^MA100 +critical +pickle-dangerous-import +Pickle /,
  );
});

Deno.test("renderRule prints the full explanation of one rule", () => {
  const rule = getRule("MA003");
  assert.equal(
    renderRule(rule),
    `MA003 file-too-large
Severity: info
Kind: limit
File skipped: larger than --max-file-size.

Why it matters: ${rule.why}

Example: ${rule.example}

What to do: ${rule.fix}
`,
  );
});

Deno.test("renderRule names the rule's CWE where it has one", () => {
  const rule = getRule("MA100");
  assert.ok(
    renderRule(rule).startsWith(
      "MA100 pickle-dangerous-import\nSeverity: critical\nKind: security\n" +
        "CWE: CWE-502 (https://cwe.mitre.org/data/definitions/502.html)\n",
    ),
  );
});
