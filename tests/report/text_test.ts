import assert from "node:assert/strict";
import type { ScanResult } from "../../core/types.ts";
import { TOOL_VERSION } from "../../report/summary.ts";
import { escapeTerminal, renderText } from "../../report/text.ts";
import { CLEAN_RESULT, MIXED_RESULT, withDetails, withFileFinding } from "./_sample_result.ts";

const HEADER = `modelaudit ${TOOL_VERSION} · scan started 2026-01-02T03:04:05.000Z\n`;

/** How MIXED_RESULT's report ends, verbose or not: the unscannable file, the summary and the verdict. */
const MIXED_END = `! missing.pkl: [ERROR] could not be scanned: path does not exist

Summary
  Files:     5 (2 scanned, 2 skipped, 1 error)
  Bytes:     38 B in 1.23 s
  Findings:  2 critical, 1 warning, 1 info
  Scanners:  pickle

✗ Security issues found: do not load these files until every finding is explained.
! 1 file could not be scanned.
`;

Deno.test("renderText shows files that need attention, numbered findings and the summary", () => {
  assert.equal(
    renderText(MIXED_RESULT, { color: false }),
    HEADER +
      `
Scan findings
  1. models/link: [WARNING] Symbolic link points outside the scanned directory, to /etc/passwd [MA002]
✗ models/evil.pkl (pickle, 27 B): 2 findings
  2. models/evil.pkl (pos 0): [CRITICAL] Pickle imports os.system, which runs shell commands [MA100]
  3. models/evil.pkl (pos 25): [CRITICAL] Pickle calls os.system when loaded [MA101]
i models/huge.bin (4.7 GiB): 1 finding
  4. models/huge.bin: [INFO] Skipped: 5000000000 bytes is more than --max-file-size 1000000 [MA003]
` + MIXED_END,
  );
});

Deno.test("renderText verbose lists every file and explains each finding", () => {
  assert.equal(
    renderText(MIXED_RESULT, { color: false, verbose: true }),
    HEADER +
      `
Scan findings
  1. models/link: [WARNING] Symbolic link points outside the scanned directory, to /etc/passwd [MA002]
     Why: A link that leaves the scanned tree can make a loader read a file nobody scanned.
     Details: target=/etc/passwd
✗ models/evil.pkl (pickle, 27 B, 13 ms): 2 findings
  2. models/evil.pkl (pos 0): [CRITICAL] Pickle imports os.system, which runs shell commands [MA100]
     Why: Unpickling resolves every GLOBAL/STACK_GLOBAL/INST import; calling what it imports is how pickle payloads run commands.
     Details: module=os, function=system, position=0, opcode=GLOBAL
  3. models/evil.pkl (pos 25): [CRITICAL] Pickle calls os.system when loaded [MA101]
     Why: REDUCE, INST, OBJ, NEWOBJ, NEWOBJ_EX and BUILD call what was imported; with a denied callable that runs attacker-chosen code on load.
     Details: module=os, function=system, position=25, opcode=REDUCE
✓ models/ok.pkl (pickle, 11 B, 3 ms): clean
- models/README.md (2.0 KiB, 1 ms): skipped: not a format modelaudit scans
i models/huge.bin (4.7 GiB, 0 ms): 1 finding
  4. models/huge.bin: [INFO] Skipped: 5000000000 bytes is more than --max-file-size 1000000 [MA003]
     Why: A skipped file was not inspected at all.
     Details: size=5000000000, maxFileSize=1000000
` + MIXED_END,
  );
});

Deno.test("renderText quiet prints only the numbered findings and the unscannable files", () => {
  assert.equal(
    renderText(MIXED_RESULT, { color: false, quiet: true, verbose: true }),
    `1. models/link: [WARNING] Symbolic link points outside the scanned directory, to /etc/passwd [MA002]
2. models/evil.pkl (pos 0): [CRITICAL] Pickle imports os.system, which runs shell commands [MA100]
3. models/evil.pkl (pos 25): [CRITICAL] Pickle calls os.system when loaded [MA101]
4. models/huge.bin: [INFO] Skipped: 5000000000 bytes is more than --max-file-size 1000000 [MA003]
missing.pkl: [ERROR] could not be scanned: path does not exist
`,
  );
  assert.equal(renderText(CLEAN_RESULT, { quiet: true }), "");
});

Deno.test("renderText of a clean scan is the header, the summary and a clean verdict", () => {
  assert.equal(
    renderText(CLEAN_RESULT),
    HEADER +
      `
Summary
  Files:     1 (1 scanned, 0 skipped, 0 errors)
  Bytes:     11 B in 7 ms
  Findings:  0 critical, 0 warnings, 0 info
  Scanners:  pickle

✓ No security issues found.
`,
  );
});

Deno.test("renderText colors severities and verdicts with ANSI codes only when asked", () => {
  const oneFinding: ScanResult = { ...MIXED_RESULT, findings: [], files: [MIXED_RESULT.files[0]] };
  const colored = renderText(oneFinding, { color: true });
  assert.ok(colored.includes("\x1b[1m\x1b[31m[CRITICAL]\x1b[0m Pickle imports os.system"), colored);
  assert.ok(
    colored.includes("\x1b[1m\x1b[31m✗\x1b[0m \x1b[1mmodels/evil.pkl\x1b[0m (pickle, 27 B)"),
    colored,
  );
  assert.ok(colored.includes("\x1b[1m\x1b[31m✗ Security issues found"), colored);
  // deno-lint-ignore no-control-regex
  assert.equal(colored.replace(/\x1b\[\d+m/g, ""), renderText(oneFinding, { color: false }));
  assert.ok(!renderText(oneFinding, { color: false }).includes("\x1b"));
});

Deno.test("renderText escapes terminal controls and bidi overrides from scanned content", () => {
  const hostile = withFileFinding({
    rule: "MA102",
    severity: "warning",
    message: "Pickle imports x\u202egnp.exe\r\x1b[2K",
    location: { file: "evil\x1b]0;pwned\x07.pkl", members: [], position: 3 },
    details: { module: "x\x1b[31m" },
  }, { path: "evil\x1b]0;pwned\x07.pkl" });
  const text = renderText(hostile, { verbose: true });
  // deno-lint-ignore no-control-regex
  assert.ok(!/[\x00-\x09\x0b-\x1f\u202e]/.test(text), JSON.stringify(text));
  assert.ok(
    text.includes(
      "evil\\x1b]0;pwned\\x07.pkl (pos 3): [WARNING] Pickle imports x\\u{202e}gnp.exe\\x0d\\x1b[2K",
    ),
  );
  assert.ok(text.includes("Details: module=x\\x1b[31m"));
});

Deno.test("renderText shows the stack of a scan that modelaudit failed with --verbose only", () => {
  const failed: ScanResult = {
    ...CLEAN_RESULT,
    files: [{
      ...CLEAN_RESULT.files[0],
      status: "error",
      reason: "Cannot read properties of undefined (reading 'length')",
      stack:
        "TypeError: Cannot read properties of undefined (reading 'length')\n    at scan (file:///m/x.ts:3:7)",
    }],
  };
  const error =
    "! ok.pkl: [ERROR] could not be scanned: Cannot read properties of undefined (reading 'length')\n";
  assert.ok(renderText(failed).includes(error));
  assert.ok(!renderText(failed).includes("at scan"));
  assert.ok(
    renderText(failed, { verbose: true }).includes(
      error + "    TypeError: Cannot read properties of undefined (reading 'length')\n" +
        "    at scan (file:///m/x.ts:3:7)\n",
    ),
  );
  assert.ok(!renderText(failed, { quiet: true, verbose: true }).includes("at scan"));
});

Deno.test("escapeTerminal leaves printable text, including non-ASCII, alone", () => {
  assert.equal(escapeTerminal("modèle/權重.pkl"), "modèle/權重.pkl");
  assert.equal(escapeTerminal("a\nb\tc\x7f\x9b"), "a\\x0ab\\x09c\\x7f\\x9b");
  assert.equal(escapeTerminal("\u2066x\u2069\u2028"), "\\u{2066}x\\u{2069}\\u{2028}");
});

Deno.test("renderText cuts long detail values and prints big integers as numbers", () => {
  const text = renderText(withDetails({ source: "x".repeat(500), big: 2n ** 64n }), { verbose: true });
  assert.ok(text.includes(`Details: source=${"x".repeat(200)}…, big=18446744073709551616\n`), text);
});
