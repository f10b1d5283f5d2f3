import assert from "node:assert/strict";
import { getRule, type Rule, RULES } from "../../core/rules.ts";
import { renderRule, renderRuleList } from "../../report/rules.ts";

Deno.test("renderRuleList prints one aligned line per rule", () => {
  const rules: Rule[] = [
    { id: "MA001", name: "short", severity: "warning", title: "First", why: "w", fix: "f" },
    { id: "MA100", name: "a-longer-name", severity: "critical", title: "Second", why: "w", fix: "f" },
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
File skipped: larger than --max-file-size.

Why it matters: ${rule.why}

What to do: ${rule.fix}
`,
  );
});
