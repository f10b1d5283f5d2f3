// The Python source scanner through the engine: which files it claims, its committed fixtures through the
// sandboxed worker pool (their exact findings, CPython's positions, are in fixtures/python/expected.json,
// which tests/fixtures_test.ts checks), and what oversized, undecodable or unparsable files give.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { scanBytes } from "../../../engine/dispatch.ts";
import { scan } from "../../../engine/scan.ts";
import { fixture, OS_SYSTEM, osSystemFindings, scanBrief } from "../compressed/_scan.ts";

const encoder = new TextEncoder();

interface Manifest {
  fixtures: {
    file: string;
    findings: { rule: string; severity: string; line?: number; column?: number }[];
  }[];
}

Deno.test("python scanner: the parser loads and runs in a sandboxed worker (no env, no net, read-only)", async () => {
  // tests/fixtures_test.ts checks every fixture against fixtures/python/expected.json in-process; here the
  // same files go through the worker pool, whose workers may read the fixtures and nothing else.
  const root = fileURLToPath(new URL("../../../fixtures/python", import.meta.url));
  const manifest: Manifest = JSON.parse(await Deno.readTextFile(`${root}/expected.json`));
  const result = await scan([root], { sandbox: true });
  const scanned = result.files.filter((file) => file.path.endsWith(".py")).map((file) => [
    file.path.slice(root.length + 1),
    file.status,
    file.format,
    file.findings.map((f) => `${f.rule} ${f.severity} ${f.location.line}:${f.location.column}`),
  ]);
  assert.deepEqual(
    scanned.sort(),
    manifest.fixtures.map((fixture) => [
      fixture.file,
      "scanned",
      "python",
      fixture.findings.map((f) => `${f.rule} ${f.severity} ${f.line}:${f.column}`),
    ]).sort(),
  );
});

Deno.test("python scanner: findings say when the call runs, in words and in details", async () => {
  const outcome = await scanBytes(
    await fixture("python/malicious/modeling_method_call.py"),
    "modeling_evil.py",
  );
  assert.deepEqual(outcome.findings.map((f) => [f.message, f.details]), [[
    "Python source calls subprocess.run (process) when its function is called: it spawns processes and runs shell commands",
    {
      callable: "subprocess.run",
      written: "subprocess.run",
      category: "process",
      importTime: false,
      entry: "subprocess",
    },
  ]]);
});

Deno.test("python scanner: a .py file is claimed by its name and its text", async () => {
  const source = encoder.encode("import os\nos.system('echo pwned')\n");
  assert.deepEqual(await scanBrief(source, "pkg/modeling_evil.py"), [
    "python",
    ["MA600 critical pkg/modeling_evil.py (line 2, col 1)"],
  ]);
  // The same text under another name is not Python source to this scanner.
  assert.deepEqual(await scanBrief(source, "notes.txt"), [null, []]);
});

Deno.test("python scanner: binary content named .py is not Python; a pickle is still a pickle", async () => {
  assert.deepEqual(await scanBrief(Uint8Array.of(0x89, 0x00, 0xff, 0xfe), "model.py"), [
    null,
    ["MA007 info model.py"],
  ]);
  const [format, findings] = await scanBrief(OS_SYSTEM, "model.py");
  assert.equal(format, "pickle");
  assert.deepEqual(findings, ["MA001 warning model.py", ...osSystemFindings("model.py")]);
});

Deno.test("python scanner: python.maxSourceBytes bounds the file parsed", async () => {
  const source = encoder.encode("import os\nos.system('echo pwned')\n");
  const over = await scanBytes(source, "evil.py", {
    scannerOptions: { python: { maxSourceBytes: source.length - 1 } },
  });
  assert.deepEqual(over.findings.map((f) => [f.rule, f.details]), [[
    "MA604",
    { size: source.length, limit: source.length - 1, option: "python.maxSourceBytes" },
  ]]);
  const at = await scanBytes(source, "evil.py", {
    scannerOptions: { python: { maxSourceBytes: source.length } },
  });
  assert.deepEqual(at.findings.map((f) => f.rule), ["MA600"]);
});

Deno.test("python scanner: python.maxSyntaxNodes and maxReportedCalls are reported when reached", async () => {
  const source = encoder.encode("import os\n" + "os.system('x')\n".repeat(20));
  const capped = await scanBytes(source, "evil.py", { scannerOptions: { python: { maxReportedCalls: 5 } } });
  assert.deepEqual(capped.findings.map((f) => f.rule), [...Array(5).fill("MA600"), "MA604"]);
  assert.equal(capped.findings[5].details.omitted, 15);
  const budget = await scanBytes(source, "evil.py", { scannerOptions: { python: { maxSyntaxNodes: 30 } } });
  assert.equal(budget.findings.at(-1)?.rule, "MA604");
  assert.equal(budget.findings.at(-1)?.details.option, "python.maxSyntaxNodes");
});

Deno.test("python scanner: a few syntax errors in a long valid file are the parser's gaps, not MA603", async () => {
  // Valid Python that @lezer/python recovers from: a bare `yield`, a float written `1.`.
  const body = Array.from({ length: 40 }, (_, i) => `    step_${i} = ${i}`).join("\n");
  const source =
    `import contextlib\n@contextlib.contextmanager\ndef ctx():\n${body}\n    yield\n    x = 1. / 2\n`;
  assert.deepEqual((await scanBytes(encoder.encode(source), "ctx.py")).findings, []);
  // The same errors in a short file are a file that does not parse.
  const short = await scanBytes(encoder.encode("def f(:\n    yield\n"), "short.py");
  assert.deepEqual(short.findings.map((f) => [f.rule, f.details]), [["MA603", {
    syntaxErrors: 2,
    lines: 3,
  }]]);
});

Deno.test("python scanner: string constants go through the shared string checks; docstrings do not", async () => {
  const source = [
    '"""Model code. Example:',
    "",
    "    >>> model.load_state_dict(torch.load(PATH))",
    '"""',
    "URL = 'http://' '203.0.113.7/stage2.sh'",
    "MODE = 'evil-tag'",
    "def f():",
    '    """Loads with torch.load(path) and os.system("x") as documented."""',
    "    return URL",
    "",
  ].join("\n");
  const outcome = await scanBytes(encoder.encode(source), "modeling_x.py", { blacklist: ["evil-tag"] });
  assert.deepEqual(
    outcome.findings.map((f) => [f.rule, f.location.line, f.location.column, f.details.indicator]),
    [
      ["MA011", 5, 7, "raw-ip-url"],
      ["MA005", 6, 8, undefined],
    ],
  );
});

Deno.test("python scanner: a callable handed to another call says so", async () => {
  const outcome = await scanBytes(
    encoder.encode("import os\nlist(map(os.system, ['echo pwned']))\n"),
    "evil.py",
  );
  assert.deepEqual(outcome.findings.map((f) => [f.rule, f.message, f.details.passedTo]), [[
    "MA600",
    "Python source hands map() os.system (process) when the module is imported: os runs shell commands (system, popen), replaces or spawns processes (exec*, spawn*) and deletes files",
    "map",
  ]]);
});
