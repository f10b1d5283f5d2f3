import assert from "node:assert/strict";
import { getRule, isRuleId, type Rule, type RuleId, RULES } from "../../core/rules.ts";

const rules: readonly Rule[] = Object.values(RULES);

Deno.test("every rule id is MA and three digits, keyed by itself, in ascending order", () => {
  const ids = Object.keys(RULES);
  for (const id of ids) {
    assert.match(id, /^MA\d{3}$/);
    assert.equal(RULES[id as RuleId].id, id);
  }
  assert.deepEqual(ids, [...ids].sort());
});

Deno.test("every rule has a unique kebab-case name, a kind, an example and a fix", () => {
  const names = new Set(rules.map((rule) => rule.name));
  assert.equal(names.size, rules.length);
  for (const rule of rules) {
    assert.match(rule.name, /^[a-z0-9]+(-[a-z0-9]+)*$/, rule.id);
    assert.ok(["security", "integrity", "limit"].includes(rule.kind), rule.id);
    for (const text of [rule.title, rule.why, rule.example, rule.fix]) assert.ok(text.length > 10, rule.id);
    if (rule.cwe !== undefined) assert.ok(Number.isInteger(rule.cwe) && rule.cwe > 0, rule.id);
  }
});

Deno.test("kinds: code run on load is security, a malformed stream integrity, a skipped file a limit", () => {
  assert.equal(getRule("MA101").kind, "security");
  assert.equal(getRule("MA101").cwe, 502);
  assert.equal(getRule("MA105").kind, "integrity");
  assert.equal(getRule("MA003").kind, "limit");
});

Deno.test("isRuleId accepts catalog ids exactly", () => {
  assert.equal(isRuleId("MA100"), true);
  assert.equal(isRuleId("ma100"), false);
  assert.equal(isRuleId("MA999"), false);
  assert.equal(isRuleId("toString"), false);
});
