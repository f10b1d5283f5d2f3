import assert from "node:assert/strict";
import type { ScanResult } from "../../core/types.ts";
import { renderJson, toJsonReport } from "../../report/json.ts";
import { reportValidator } from "./_schemas.ts";
import { MIXED_RESULT, withDetails, withFileFinding } from "./_sample_result.ts";

const validate = await reportValidator();

/** A report taken apart to break it. */
// deno-lint-ignore no-explicit-any -- the drift cases reach into any field
type Loose = Record<string, any>;

/** The report as a consumer parses it: through the JSON text, so replaced values (big integers) count. */
const parsed = (result: ScanResult) => JSON.parse(renderJson(result));

Deno.test("hand-built reports match the schema: scan-level findings, errors, big integers, text locations", () => {
  assert.equal(validate(parsed(MIXED_RESULT)), undefined);
  assert.equal(validate(parsed(withDetails({ big: 2n ** 64n, nested: { list: [1, "a"] } }))), undefined);
  const text = withFileFinding({
    rule: "MA005",
    severity: "critical",
    message: "m",
    location: { file: "c.yaml", members: [], line: 3, column: 9, keyPath: "$.aws.secret" },
    details: {},
  });
  assert.equal(validate(parsed(text)), undefined);
});

Deno.test("the schema fails on drift: a field added or missing anywhere, a wrong type, an error without a reason", () => {
  const base = () => structuredClone(toJsonReport(MIXED_RESULT)) as unknown as Loose;
  const cases: [string, (report: Loose) => void, RegExp][] = [
    ["a new top-level field", (r) => r.extra = 1, /additional properties/],
    ["a missing top-level field", (r) => delete r.files_failed, /files_failed/],
    ["a new issue field", (r) => r.issues[1].confidence = "high", /additional properties/],
    ["a missing issue field", (r) => delete r.issues[1].where, /where/],
    ["a new location field", (r) => r.issues[1].where.offset = 3, /additional properties/],
    ["a camelCase key path", (r) => r.issues[1].where.keyPath = "$.a", /additional properties/],
    ["a new file field", (r) => r.files[0].stack = "Error", /additional properties/],
    ["an upper-case severity", (r) => r.issues[1].severity = "CRITICAL", /allowed values/],
    ["a rule id that is no id", (r) => r.issues[1].rule = "pickle-import", /pattern/],
    ["an error without a reason", (r) => delete r.files[4].reason, /reason/],
    ["a scanned file with a reason", (r) => r.files[0].reason = "x", /boolean schema is false/],
    ["a negative count", (r) => r.issue_counts.info = -1, />= 0/],
    ["another tool", (r) => r.tool.name = "ModelScan", /constant/],
  ];
  for (const [name, breakIt, message] of cases) {
    const report = base();
    breakIt(report);
    assert.match(validate(report) ?? "valid", message, name);
  }
});
