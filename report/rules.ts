/**
 * Text views of the rule catalog for `modelaudit rules`: a one-line-per-rule
 * table, and one rule's full explanation.
 *
 * @module
 */

import type { Rule } from "../core/rules.ts";

/**
 * One line per rule: id, default severity, name and title, in columns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getRule } from "../core/rules.ts";
 * import { renderRuleList } from "./rules.ts";
 * const list = renderRuleList([getRule("MA100"), getRule("MA101")]);
 * assert.equal(
 *   list,
 *   "MA100  critical  pickle-dangerous-import  Pickle imports a callable that can run code or touch the system\n" +
 *     "MA101  critical  pickle-dangerous-call    Pickle calls a dangerous callable when loaded\n",
 * );
 * ```
 */
export function renderRuleList(rules: readonly Rule[]): string {
  const width = (pick: (rule: Rule) => string) => Math.max(0, ...rules.map((rule) => pick(rule).length));
  const idWidth = width((r) => r.id);
  const severityWidth = width((r) => r.severity);
  const nameWidth = width((r) => r.name);
  return rules.map((rule) =>
    [rule.id.padEnd(idWidth), rule.severity.padEnd(severityWidth), rule.name.padEnd(nameWidth), rule.title]
      .join("  ") + "\n"
  ).join("");
}

/**
 * The MITRE page of a CWE, e.g. `https://cwe.mitre.org/data/definitions/502.html`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cweUrl } from "./rules.ts";
 * assert.equal(cweUrl(502), "https://cwe.mitre.org/data/definitions/502.html");
 * ```
 */
export function cweUrl(cwe: number): string {
  return `https://cwe.mitre.org/data/definitions/${cwe}.html`;
}

/**
 * A rule's full explanation: heading, default severity, kind, CWE, why it matters, an example and what to do.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getRule } from "../core/rules.ts";
 * import { renderRule } from "./rules.ts";
 * const text = renderRule(getRule("MA100"));
 * assert.ok(text.startsWith("MA100"));
 * assert.ok(text.includes(getRule("MA100").title));
 * ```
 */
export function renderRule(rule: Rule): string {
  return [
    `${rule.id} ${rule.name}`,
    `Severity: ${rule.severity}`,
    `Kind: ${rule.kind}`,
    ...(rule.cwe === undefined ? [] : [`CWE: CWE-${rule.cwe} (${cweUrl(rule.cwe)})`]),
    `${rule.title}.`,
    "",
    `Why it matters: ${rule.why}`,
    "",
    `Example: ${rule.example}`,
    "",
    `What to do: ${rule.fix}`,
    "",
  ].join("\n");
}
