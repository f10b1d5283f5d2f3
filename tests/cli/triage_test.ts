/** Triage of a finished scan: selections, severities, ignores (with expiry) and the baseline. */

import assert from "node:assert/strict";
import { baselineOf, parseBaseline, renderBaseline } from "../../cli/baseline.ts";
import { ConfigError } from "../../cli/config_error.ts";
import { triage, type TriagePolicy } from "../../cli/triage.ts";
import type { RuleId } from "../../core/rules.ts";
import type { Finding, ScanResult } from "../../core/types.ts";
import { toJsonReport } from "../../report/json.ts";
import { toSarif } from "../../report/sarif.ts";
import { exitCode, summarize } from "../../report/summary.ts";
import { renderText } from "../../report/text.ts";
import { reportValidator, sarifValidator } from "../report/_schemas.ts";

const ROOT = "/work/project";

function finding(rule: RuleId, file: string, message: string, position?: number): Finding {
  return {
    rule,
    severity: rule === "MA100" ? "critical" : "warning",
    message,
    location: { file, members: [], ...(position === undefined ? {} : { position }) },
    details: {},
  };
}

/** Two files: an os.system pickle in models/, an unknown callable and a prefix in vendor/. */
const RESULT: ScanResult = {
  startTime: "2026-12-07T10:00:00.000Z",
  durationMs: 12,
  scannerNames: ["pickle"],
  findings: [],
  files: [
    {
      path: "models/evil.pkl",
      size: 25,
      format: "pickle",
      status: "scanned",
      bytesScanned: 25,
      durationMs: 3,
      findings: [finding("MA100", "models/evil.pkl", "Pickle imports os.system", 0)],
    },
    {
      path: "vendor/old.pkl",
      size: 40,
      format: "pickle",
      status: "scanned",
      bytesScanned: 40,
      durationMs: 3,
      findings: [
        finding("MA102", "vendor/old.pkl", "Pickle imports unknown callable my_pkg.f", 0),
        finding("MA207", "vendor/old.pkl", "Data before the archive", 30),
      ],
    },
  ],
};

const policy = (extra: Partial<TriagePolicy>): TriagePolicy => ({
  root: ROOT,
  today: "2026-12-07",
  ...extra,
});
const brief = (result: ScanResult) =>
  [...result.findings, ...result.files.flatMap((file) => file.findings)].map((f) =>
    `${f.rule} ${f.severity} ${f.location.file}${f.suppressed ? ` suppressed:${f.suppressed.kind}` : ""}`
  );

Deno.test("--select and --ignore turn rules off: ids and prefixes; ignore wins", async () => {
  assert.deepEqual(brief(await triage(RESULT, policy({ select: ["MA1"] }))), [
    "MA100 critical models/evil.pkl",
    "MA102 warning vendor/old.pkl",
  ]);
  assert.deepEqual(brief(await triage(RESULT, policy({ select: ["MA1", "MA207"], ignore: ["MA10"] }))), [
    "MA207 warning vendor/old.pkl",
  ]);
  assert.deepEqual(brief(await triage(RESULT, policy({}))), brief(RESULT));
});

Deno.test("severity overrides keep the reported severity in the details", async () => {
  const result = await triage(RESULT, policy({ severity: { MA102: "info", MA100: "warning" } }));
  assert.deepEqual(brief(result), [
    "MA100 warning models/evil.pkl",
    "MA102 info vendor/old.pkl",
    "MA207 warning vendor/old.pkl",
  ]);
  assert.equal(result.files[1].findings[0].details.reportedSeverity, "warning");
  assert.equal(exitCode(result, "critical"), 0);
});

Deno.test("ignores: rule prefix and path glob; suppressed findings stay, marked, and no longer count", async () => {
  const entries = [
    { rule: "MA1", path: "vendor/**", reason: "vendor pickles, reviewed", keyPath: "$.ignore[0]" },
    { rule: "MA207", path: "*.pkl", reason: "never matches a path in a folder", keyPath: "$.ignore[1]" },
  ];
  const result = await triage(RESULT, policy({ ignores: { file: "modelaudit.toml", entries } }));
  assert.deepEqual(brief(result), [
    "MA100 critical models/evil.pkl",
    "MA102 warning vendor/old.pkl suppressed:ignore",
    "MA207 warning vendor/old.pkl",
  ]);
  assert.deepEqual(result.files[1].findings[0].suppressed, {
    kind: "ignore",
    reason: "vendor pickles, reviewed",
  });
  assert.deepEqual(summarize(result).counts, { critical: 1, warning: 1, info: 0 });
  assert.deepEqual(summarize(result).suppressed, { ignore: 1, baseline: 0 });
  // An absolute path inside the root matches the same glob.
  const absolute = {
    ...RESULT,
    files: [{ ...RESULT.files[1], findings: [finding("MA102", `${ROOT}/vendor/old.pkl`, "m")] }],
  };
  assert.deepEqual(brief(await triage(absolute, policy({ ignores: { file: "modelaudit.toml", entries } }))), [
    `MA102 warning ${ROOT}/vendor/old.pkl suppressed:ignore`,
  ]);
});

Deno.test("an expired ignore suppresses nothing and says so (MA090, at its key path); the day itself still counts", async () => {
  const entry = { rule: "MA100", reason: "temporary", keyPath: "$.ignore[0]" };
  const expired = await triage(
    RESULT,
    policy({ ignores: { file: "m.toml", entries: [{ ...entry, expires: "2026-12-06" }] } }),
  );
  assert.deepEqual(brief(expired).slice(0, 2), ["MA090 warning m.toml", "MA100 critical models/evil.pkl"]);
  assert.deepEqual(expired.findings[0].location, { file: "m.toml", members: [], keyPath: "$.ignore[0]" });
  assert.match(expired.findings[0].message, /^The ignore of MA100 expired on 2026-12-06/);
  const lastDay = await triage(
    RESULT,
    policy({ ignores: { file: "m.toml", entries: [{ ...entry, expires: "2026-12-07" }] } }),
  );
  assert.deepEqual(brief(lastDay)[0], "MA100 critical models/evil.pkl suppressed:ignore");
});

Deno.test("baseline: written from a scan, it suppresses exactly those findings, wherever their bytes moved", async () => {
  const baseline = parseBaseline(renderBaseline(RESULT, ROOT), "baseline.json");
  assert.equal(baseline.size, 3);
  // A later scan: the old findings at other offsets, and a new one.
  const later: ScanResult = {
    ...RESULT,
    files: [
      { ...RESULT.files[0], findings: [finding("MA100", "models/evil.pkl", "Pickle imports os.system", 90)] },
      {
        ...RESULT.files[1],
        findings: [
          ...RESULT.files[1].findings,
          finding("MA100", "vendor/old.pkl", "Pickle imports os.popen", 50),
        ],
      },
    ],
  };
  const result = await triage(later, policy({ baseline: { file: "baseline.json", fingerprints: baseline } }));
  assert.deepEqual(brief(result), [
    "MA100 critical models/evil.pkl suppressed:baseline",
    "MA102 warning vendor/old.pkl suppressed:baseline",
    "MA207 warning vendor/old.pkl suppressed:baseline",
    "MA100 critical vendor/old.pkl",
  ]);
  assert.equal(result.files[0].findings[0].suppressed?.reason, "recorded in the baseline baseline.json");
  assert.equal(exitCode(result, "warning"), 1);
  assert.deepEqual(summarize(result).suppressed, { ignore: 0, baseline: 3 });
  // What an ignore entry already accepts is not written to a baseline.
  const ignored = await triage(
    RESULT,
    policy({
      ignores: { file: "m.toml", entries: [{ rule: "MA102", reason: "r", keyPath: "$.ignore[0]" }] },
    }),
  );
  assert.deepEqual(baselineOf(ignored, ROOT).findings.map((entry) => entry.rule), ["MA100", "MA207"]);
});

Deno.test("a file that is not a baseline is refused with the reason", () => {
  for (
    const [text, reason] of [
      ["{", "not JSON"],
      ['{"tool":"other","version":1,"findings":[]}', '"tool" is not "modelaudit"'],
      ['{"tool":"modelaudit","version":2,"findings":[]}', "version 2; this modelaudit reads version 1"],
      ['{"tool":"modelaudit","version":1,"findings":{}}', '"findings" is not an array'],
      [
        '{"tool":"modelaudit","version":1,"findings":[{"fingerprint":"x:1"}]}',
        "findings[0].fingerprint is not",
      ],
    ]
  ) {
    assert.throws(() => parseBaseline(text, "b.json"), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.ok(error.message.startsWith(`b.json: not a modelaudit baseline: ${reason}`), error.message);
      return true;
    });
  }
});

Deno.test("reports: JSON and SARIF keep suppressed findings, marked, valid against their schemas; text counts them", async () => {
  const result = await triage(
    RESULT,
    policy({
      ignores: { file: "m.toml", entries: [{ rule: "MA102", reason: "reviewed", keyPath: "$.ignore[0]" }] },
      baseline: {
        file: "b.json",
        fingerprints: parseBaseline(renderBaseline({ ...RESULT, files: [RESULT.files[0]] }, ROOT), "b.json"),
      },
    }),
  );
  const json = JSON.parse(JSON.stringify(toJsonReport(result)));
  assert.equal((await reportValidator())(json), undefined);
  assert.deepEqual(
    json.issues.map((issue: { rule: string; suppressed?: unknown }) => [issue.rule, issue.suppressed]),
    [
      ["MA100", { kind: "baseline", reason: "recorded in the baseline b.json" }],
      ["MA102", { kind: "ignore", reason: "reviewed" }],
      ["MA207", undefined],
    ],
  );
  assert.deepEqual(json.issue_counts, { critical: 0, warning: 1, info: 0 });
  assert.deepEqual(json.suppressed_counts, { ignore: 1, baseline: 1 });
  assert.deepEqual(json.files.map((file: { issue_count: number }) => file.issue_count), [0, 1]);

  const sarif = JSON.parse(JSON.stringify(toSarif(result, { root: ROOT })));
  assert.equal((await sarifValidator())(sarif), undefined);
  assert.deepEqual(sarif.runs[0].results.map((r: { suppressions?: unknown }) => r.suppressions), [
    [{ kind: "external", status: "accepted", justification: "recorded in the baseline b.json" }],
    [{ kind: "external", status: "accepted", justification: "ignored by the config file: reviewed" }],
    undefined,
  ]);

  const text = renderText(result);
  assert.doesNotMatch(text, /MA100|MA102/);
  assert.match(text, /MA207/);
  assert.match(text, /^ {2}Suppressed: 2 \(1 by ignores in the config file, 1 by the baseline\)$/m);
});
