import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { getRule, RULES } from "../core/rules.ts";
import type { JsonReport } from "../report/json.ts";
import { TOOL_VERSION } from "../report/summary.ts";
import { LIMIT_INFO } from "../engine/limits.ts";
import { runFlags } from "../scripts/compile_all.ts";
import {
  BENIGN_PICKLE,
  EVIL_PICKLE,
  modelsDir,
  removeTempDirs,
  runCommand,
  runInProcess,
  type RunOutput,
  tempDir,
  UNKNOWN_PICKLE,
} from "./_cli_helpers.ts";

// Most tests run the CLI in this process through runCli, which is quick; a
// handful run it as the process users start, with deno.json's permissions, to
// check exit codes, the sandbox's permissions and the report file end to end.

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));
/** The flags of deno.json's modelaudit task, which the scan task also uses. */
const FLAGS = await runFlags();

/** The CLI in this process. */
function modelaudit(args: string[], env?: Record<string, string>): Promise<RunOutput> {
  return runInProcess(args, env);
}

/** The CLI as a process of its own, started as `deno task modelaudit` starts it. */
function modelauditProcess(args: string[], env?: Record<string, string>): Promise<RunOutput> {
  return runCommand(Deno.execPath(), ["run", ...FLAGS, MAIN, ...args], { env });
}

function assertExit(result: RunOutput, code: number): void {
  assert.equal(
    result.code,
    code,
    `exit ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
  );
}

function json(result: RunOutput): JsonReport {
  return JSON.parse(result.stdout);
}

const benignDir = await modelsDir({ "ok.pkl": BENIGN_PICKLE });
const evilDir = await modelsDir({ "evil.pkl": EVIL_PICKLE, "ok.pkl": BENIGN_PICKLE });
const unknownDir = await modelsDir({ "custom.pkl": UNKNOWN_PICKLE });

Deno.test("scan: a clean directory exits 0 with a clean text report (process)", async () => {
  const result = await modelauditProcess(["scan", benignDir]);
  assertExit(result, 0);
  assert.ok(result.stdout.startsWith(`modelaudit ${TOOL_VERSION} · scan started `), result.stdout);
  assert.ok(result.stdout.includes("  Files:     1 (1 scanned, 0 skipped, 0 errors)\n"), result.stdout);
  assert.ok(result.stdout.endsWith("\n✓ No security issues found.\n"), result.stdout);
  assert.ok(!result.stdout.includes("\x1b"), "no colors when stdout is not a terminal");
  assert.equal(result.stderr, "");
});

Deno.test("scan: a malicious pickle exits 1 and names os.system at its position (process)", async () => {
  const result = await modelauditProcess(["scan", evilDir]);
  assertExit(result, 1);
  const evil = `${evilDir}/evil.pkl`;
  assert.ok(result.stdout.includes(`✗ ${evil} (pickle, ${EVIL_PICKLE.length} B): `), result.stdout);
  assert.ok(result.stdout.includes(`  1. ${evil} (pos 0): [CRITICAL] `), result.stdout);
  assert.ok(/\[MA100\]\n/.test(result.stdout), result.stdout);
  assert.ok(result.stdout.includes("✗ Security issues found"), result.stdout);
  // The clean file is counted, not listed.
  assert.ok(!result.stdout.includes(`${evilDir}/ok.pkl`), result.stdout);
  assert.ok(result.stdout.includes("  Files:     2 (2 scanned, 0 skipped, 0 errors)\n"), result.stdout);
});

Deno.test("scan --format json: ModelAudit's fields with pickle details", async () => {
  const result = await modelaudit(["scan", "--format", "json", evilDir]);
  assertExit(result, 1);
  const report = json(result);
  assert.deepEqual(report.scanner_names, ["pickle"]);
  assert.equal(typeof report.start_time, "number");
  assert.ok(Math.abs(report.start_time - Date.now() / 1000) < 600, String(report.start_time));
  assert.equal(report.files_scanned, 2);
  assert.equal(report.bytes_scanned, EVIL_PICKLE.length + BENIGN_PICKLE.length);
  assert.equal(report.has_errors, false);
  const imports = report.issues.filter((issue) => issue.rule === "MA100");
  assert.equal(imports.length, 1, JSON.stringify(report.issues));
  assert.equal(imports[0].severity, "critical");
  assert.equal(imports[0].location, `${evilDir}/evil.pkl (pos 0)`);
  assert.equal(imports[0].file, `${evilDir}/evil.pkl`);
  const { module, function: fn, position, opcode } = imports[0].details;
  assert.deepEqual({ module, fn, position, opcode }, {
    module: "os",
    fn: "system",
    position: 0,
    opcode: "GLOBAL",
  });
  assert.deepEqual(report.files.map((f) => [f.path, f.status, f.format]), [
    [`${evilDir}/evil.pkl`, "scanned", "pickle"],
    [`${evilDir}/ok.pkl`, "scanned", "pickle"],
  ]);
});

Deno.test("scan --fail-on: warnings fail by default, not with critical; critical fails with critical", async () => {
  assertExit(await modelaudit(["scan", unknownDir]), 1);
  assertExit(await modelaudit(["scan", "--fail-on", "critical", unknownDir]), 0);
  assertExit(await modelaudit(["scan", "--fail-on", "critical", evilDir]), 1);
  const unknown = json(await modelaudit(["scan", "--format", "json", "--fail-on", "critical", unknownDir]));
  assert.ok(unknown.issues.length > 0 && unknown.issues.every((issue) => issue.severity === "warning"));
});

Deno.test("scan: a missing path exits 2, and findings still win over the error", async () => {
  const missing = `${benignDir}/does-not-exist.pkl`;
  const result = await modelaudit(["scan", benignDir, missing]);
  assertExit(result, 2);
  assert.ok(result.stdout.includes(`! ${missing}: [ERROR] could not be scanned: `), result.stdout);
  assert.ok(result.stdout.includes("! 1 file could not be scanned.\n"), result.stdout);
  const report = json(await modelaudit(["scan", "--format", "json", missing]));
  assert.equal(report.has_errors, true);
  assert.equal(report.files[0].status, "error");
  assertExit(await modelaudit(["scan", evilDir, missing]), 1);
});

Deno.test("scan --timeout: a file not finished within the budget is a scan error (exit 2)", async () => {
  // One millisecond cannot even start a worker, let alone scan.
  const result = await modelaudit(["scan", "--format", "json", "--timeout", "0.001", benignDir]);
  assertExit(result, 2);
  const report = json(result);
  assert.equal(report.has_errors, true);
  assert.deepEqual(report.files.map((file) => file.status), ["error"]);
});

Deno.test("scan --output writes the report to the file and nothing to stdout (process)", async () => {
  const out = await tempDir("modelaudit_out_");
  const result = await modelauditProcess([
    "scan",
    "--format",
    "json",
    "--output",
    `${out}/report.json`,
    evilDir,
  ]);
  assertExit(result, 1);
  assert.equal(result.stdout, "");
  assert.equal(result.stderr, `modelaudit: report written to ${out}/report.json\n`);
  const report: JsonReport = JSON.parse(await Deno.readTextFile(`${out}/report.json`));
  assert.equal(report.files_scanned, 2);
  assert.ok(report.issues.some((issue) => issue.rule === "MA100"));

  const text = await modelaudit(["scan", "-q", "-o", `${out}/report.txt`, benignDir]);
  assertExit(text, 0);
  assert.equal(text.stdout + text.stderr, "");
  assert.equal(await Deno.readTextFile(`${out}/report.txt`), "");

  const badDir = await modelaudit(["scan", "--output", `${out}/no/such/dir/report.json`, benignDir]);
  assertExit(badDir, 2);
  assert.match(badDir.stderr, /^modelaudit: cannot write the report to .*no\/such\/dir\/report\.json: /);
  assert.equal(badDir.stdout, "");
});

Deno.test("scan --quiet prints only the numbered findings, --verbose adds progress on stderr", async () => {
  const quiet = await modelaudit(["scan", "--quiet", evilDir]);
  assertExit(quiet, 1);
  assert.equal(quiet.stderr, "");
  const lines = quiet.stdout.trimEnd().split("\n");
  assert.ok(lines.length >= 2, quiet.stdout);
  lines.forEach((line, i) => assert.ok(line.startsWith(`${i + 1}. ${evilDir}/evil.pkl (pos `), line));
  const quietJson = await modelaudit(["scan", "--quiet", "--format", "json", evilDir]);
  assertExit(quietJson, 1);
  assert.equal(json(quietJson).files.length, 2, "--quiet leaves the JSON report whole");
  assert.equal(quietJson.stderr, "");
  assertExit(await modelaudit(["scan", "--quiet", benignDir]), 0);
  assert.equal((await modelaudit(["scan", "--quiet", benignDir])).stdout, "");

  const verbose = await modelaudit(["scan", "--verbose", evilDir]);
  assertExit(verbose, 1);
  // Files finish in any order; the counter counts up.
  const [first, ...progress] = verbose.stderr.trimEnd().split("\n");
  assert.equal(first, "Scanning 2 files…");
  assert.deepEqual(progress.map((line) => line.slice(0, 6)), ["[1/2] ", "[2/2] "]);
  assert.deepEqual(progress.map((line) => line.slice(6).replace(/\d+ findings?$/, "N")).sort(), [
    `${evilDir}/evil.pkl: pickle, N`,
    `${evilDir}/ok.pkl: pickle, N`,
  ]);
  assert.ok(
    progress.includes(`[2/2] ${evilDir}/ok.pkl: pickle, 0 findings`) ||
      progress.includes(`[1/2] ${evilDir}/ok.pkl: pickle, 0 findings`),
  );
  assert.ok(
    verbose.stdout.includes(`✓ ${evilDir}/ok.pkl (pickle, ${BENIGN_PICKLE.length} B, `),
    verbose.stdout,
  );
  assert.ok(verbose.stdout.includes("     Why: "), verbose.stdout);
});

Deno.test("scan --max-file-size skips larger files with an info finding", async () => {
  const result = await modelaudit(["scan", "--format", "json", "--max-file-size", "5", benignDir]);
  assertExit(result, 0);
  const report = json(result);
  assert.deepEqual(report.issues.map((issue) => [issue.rule, issue.severity]), [["MA003", "info"]]);
  assert.equal(report.files[0].status, "skipped");
  assertExit(await modelaudit(["scan", "--max-file-size", "5", "--fail-on", "info", benignDir]), 1);
  assertExit(await modelaudit(["scan", "--max-file-size", "0", benignDir]), 0);
});

Deno.test("scan --deny-callable and --allow-callable extend the policy of Python callables in the workers", async () => {
  const custom = `${unknownDir}/custom.pkl`;
  const unknown = await modelaudit(["scan", "--format", "json", unknownDir]);
  assertExit(unknown, 1);
  assert.deepEqual(json(unknown).issues.map((issue) => issue.rule), ["MA102", "MA103"]);
  const allowed = await modelaudit(["scan", "--allow-callable", "my_private_pkg.*", unknownDir]);
  assertExit(allowed, 0);
  const denied = await modelaudit([
    "scan",
    "--format",
    "json",
    "--deny-callable",
    "other_pkg",
    "--deny-callable",
    "my_private_pkg.make_model",
    unknownDir,
  ]);
  assertExit(denied, 1);
  assert.deepEqual(json(denied).issues.map((issue) => [issue.rule, issue.severity, issue.location]), [
    ["MA100", "critical", `${custom} (pos 0)`],
    ["MA101", "critical", `${custom} (pos ${UNKNOWN_PICKLE.length - 2})`],
  ]);
  // Options never lift a denied name.
  const evil = await modelaudit(["scan", "-q", "--allow-callable", "os.system", evilDir]);
  assertExit(evil, 1);
  for (const bad of ["my pkg", "os.", "mypkg.*"]) {
    const result = await modelaudit(["scan", "--deny-callable", bad, unknownDir]);
    assertExit(result, 2);
    assert.match(result.stderr, /expected a dotted Python name/);
  }
});

Deno.test("scan --blacklist flags matching file names, case-insensitively and repeatably", async () => {
  const result = await modelaudit([
    "scan",
    "--format",
    "json",
    "-b",
    "nothing",
    "--blacklist",
    "OK",
    benignDir,
  ]);
  assertExit(result, 1);
  assert.deepEqual(json(result).issues.map((issue) => [issue.rule, issue.location]), [
    ["MA004", `${benignDir}/ok.pkl`],
  ]);
});

Deno.test("scan: colors with FORCE_COLOR, never with NO_COLOR, never in --output files", async () => {
  const forced = await modelaudit(["scan", evilDir], { FORCE_COLOR: "1" });
  assertExit(forced, 1);
  assert.ok(forced.stdout.includes("\x1b[1m\x1b[31m[CRITICAL]\x1b[0m"), forced.stdout);
  const noColor = await modelaudit(["scan", evilDir], { FORCE_COLOR: "1", NO_COLOR: "1" });
  assert.ok(!noColor.stdout.includes("\x1b"), noColor.stdout);
  const out = await tempDir("modelaudit_out_");
  await modelaudit(["scan", "-o", `${out}/r.txt`, evilDir], { FORCE_COLOR: "1" });
  assert.ok(!(await Deno.readTextFile(`${out}/r.txt`)).includes("\x1b"));
});

Deno.test("wrong arguments exit 2 with a message on stderr and nothing on stdout", async () => {
  const cases: [string[], RegExp][] = [
    [["scan", "--no-such-option", benignDir], /unknown option '--no-such-option'/],
    [
      ["scan", "--format", "xml", benignDir],
      /argument 'xml' is invalid\. Allowed choices are text, json, sarif/,
    ],
    [["scan", "--fail-on", "high", benignDir], /argument 'high' is invalid/],
    [["scan", "--max-file-size", "10MB", benignDir], /expected a whole number of bytes/],
    [["scan", "--timeout", "0", benignDir], /expected a positive number of seconds/],
    [["scan", "--blacklist", "", benignDir], /the pattern must not be empty/],
    [
      ["scan", "--verbose", "--quiet", benignDir],
      /option '-q, --quiet' cannot be used with option '-v, --verbose'/,
    ],
    [["scan"], /missing required argument 'paths'/],
    [["frobnicate"], /unknown command 'frobnicate'/],
    [[], /Usage: modelaudit/],
    [["rules", "MA999"], /^modelaudit: unknown rule 'MA999'/],
    [["scan", "--fromat", "json", benignDir], /unknown option '--fromat'\n\(Did you mean --format\?\)\n/],
    [["rules", "MA100", "MA101"], /too many arguments for 'rules'\. Expected 1 argument but got 2\./],
    [["scan", "-o"], /option '-o, --output <file>' argument missing/],
    [
      ["scan", "--limit", "pickle.maxOpcode=3", benignDir],
      /argument 'pickle\.maxOpcode=3' is invalid\. There is no limit 'pickle\.maxOpcode' \(run 'modelaudit limits' for the list\)\.\n\(Did you mean pickle\.maxOpcodes\?\)\n/,
    ],
    [
      ["scan", "--limit", "pickle.maxOpcodes=1e6", benignDir],
      /The value of pickle\.maxOpcodes must be a whole number from 0 up, not "1e6"\./,
    ],
    [["scan", "--limit", "pickle.maxOpcodes", benignDir], /is invalid\. expected NAME=VALUE/],
    [
      ["scan", "--limit", "engine.maxCompressionRatio=0", benignDir],
      /maxCompressionRatio must be a number above 0/,
    ],
    [["limits", "pickles"], /^modelaudit: unknown limit or scanner 'pickles'/],
  ];
  for (const [args, message] of cases) {
    const result = await modelaudit(args);
    assertExit(result, 2);
    assert.match(result.stderr, message, `${args.join(" ")}: ${result.stderr}`);
    assert.equal(result.stdout, "", args.join(" "));
  }
});

Deno.test("a wrong argument exits 2 as a process too, with the message and the usage hint on stderr", async () => {
  const result = await modelauditProcess(["scan", "--format", "xml", benignDir]);
  assertExit(result, 2);
  assert.equal(
    result.stderr,
    "error: option '-f, --format <format>' argument 'xml' is invalid. Allowed choices are text, json, sarif.\n" +
      "(run 'modelaudit --help' for usage)\n",
  );
  assert.equal(result.stdout, "");
});

Deno.test("rules lists the catalog; rules ID explains one rule", async () => {
  const list = await modelaudit(["rules"]);
  assertExit(list, 0);
  const lines = list.stdout.trimEnd().split("\n");
  assert.equal(lines.length, Object.keys(RULES).length);
  assert.match(
    lines.find((line) => line.startsWith("MA100"))!,
    /^MA100 +critical +pickle-dangerous-import +/,
  );
  const one = await modelaudit(["rules", "ma100"]);
  assertExit(one, 0);
  assert.ok(one.stdout.startsWith("MA100 pickle-dangerous-import\nSeverity: critical\n"), one.stdout);
  assert.ok(one.stdout.includes(`Why it matters: ${getRule("MA100").why}\n`), one.stdout);
});

Deno.test("--help and --version exit 0 on stdout", async () => {
  const help = await modelaudit(["--help"]);
  assertExit(help, 0);
  assert.match(help.stdout, /^Usage: modelaudit \[options\] \[command\]/);
  assert.ok(help.stdout.includes("scan [options] <paths...>"), help.stdout);
  const scanHelp = await modelaudit(["scan", "--help"]);
  assertExit(scanHelp, 0);
  for (const option of ["--format", "--output", "--max-file-size", "--timeout", "--blacklist", "--fail-on"]) {
    assert.ok(scanHelp.stdout.includes(option), option);
  }
  const version = await modelaudit(["--version"]);
  assertExit(version, 0);
  assert.equal(version.stdout, `modelaudit ${TOOL_VERSION}\n`);
});

Deno.test("deno task scan runs the CLI's scan command", async () => {
  const result = await runCommand(Deno.execPath(), ["task", "scan", "--format", "json", evilDir], {
    cwd: ROOT,
  });
  assertExit(result, 1);
  assert.equal(json(result).files_scanned, 2);
});

Deno.test("scan: container limits are options; a limit hit is a finding, a bad value exits 2", async () => {
  const nest = fileURLToPath(new URL("../fixtures/zip/malicious/nest.zip", import.meta.url));
  const deep = await modelaudit(["scan", "--format", "json", "--max-depth", "1", nest]);
  assertExit(deep, 1);
  const issues = json(deep).issues.map((issue) => `${issue.rule} ${issue.severity} ${issue.location}`);
  assert.ok(issues.some((line) => line.startsWith("MA210 warning ")), issues.join("\n"));
  assert.ok(!issues.some((line) => line.startsWith("MA100")), "the payload three levels down is not reached");
  const full = await modelaudit(["scan", "--format", "json", nest]);
  assert.ok(json(full).issues.some((issue) => issue.rule === "MA100"));
  for (
    const [option, value] of [["--max-depth", "deep"], ["--max-members", "-1"], [
      "--max-compression-ratio",
      "0",
    ]]
  ) {
    const wrong = await modelaudit(["scan", option, value, nest]);
    assertExit(wrong, 2);
    assert.ok(wrong.stderr.includes(option), wrong.stderr);
  }
});

Deno.test("scan --limit: a scanner's or the engine's limit, lowered, changes the findings where it is reached", async () => {
  const issues = async (...limits: string[]) => {
    const result = await modelaudit([
      "scan",
      "--format",
      "json",
      ...limits.flatMap((l) => ["--limit", l]),
      evilDir,
    ]);
    assertExit(result, 1);
    return json(result).issues.map((issue) => `${issue.rule} ${issue.location.slice(evilDir.length + 1)}`);
  };
  // EVIL_PICKLE's six opcodes: GLOBAL at 0, MARK, STRING, TUPLE at 22, REDUCE at 23, STOP.
  assert.deepEqual(await issues("pickle.maxOpcodes=6"), [
    "MA100 evil.pkl (pos 0)",
    "MA101 evil.pkl (pos 23)",
  ]);
  // ... and ok.pkl's: MARK, LIST, PUT, INT at 5, APPEND, STOP.
  assert.deepEqual(await issues("pickle.maxOpcodes=3"), [
    "MA100 evil.pkl (pos 0)",
    "MA110 evil.pkl (pos 22)",
    "MA110 ok.pkl (pos 5)",
  ]);
  // The last setting wins; an engine limit by its engine. name.
  assert.deepEqual(await issues("pickle.maxOpcodes=3", "pickle.maxOpcodes=1_000"), [
    "MA100 evil.pkl (pos 0)",
    "MA101 evil.pkl (pos 23)",
  ]);
  assert.deepEqual(await issues("engine.maxFindingsPerFile=1"), [
    "MA100 evil.pkl (pos 0)",
    "MA008 evil.pkl (pos 23)",
  ]);
});

Deno.test("scan --max-depth and --limit engine.maxDepth set one limit: the last one given wins", async () => {
  const nest = fileURLToPath(new URL("../fixtures/zip/malicious/nest.zip", import.meta.url));
  const reached = async (...args: string[]) => {
    const result = await modelaudit(["scan", "--format", "json", ...args, nest]);
    return json(result).issues.some((issue) => issue.rule === "MA100");
  };
  // The payload lies three containers down.
  assert.equal(await reached("--max-depth", "1", "--limit", "engine.maxDepth=8"), true);
  assert.equal(await reached("--limit", "engine.maxDepth=8", "--max-depth", "1"), false);
  assert.equal(await reached("--max-depth", "8", "--limit", "engine.maxDepth=1"), false);
});

Deno.test("limits lists every limit with its default and meaning; limits NAME one scanner's or one limit", async () => {
  const all = await modelaudit(["limits"]);
  assertExit(all, 0);
  const lines = all.stdout.trimEnd().split("\n");
  assert.deepEqual(lines.map((line) => line.split(" ")[0]), LIMIT_INFO.map((limit) => limit.name));
  assert.match(
    lines.find((line) => line.startsWith("pickle.maxOpcodes "))!,
    /^pickle\.maxOpcodes +50,000,000 {2}Opcodes interpreted per source before MA110; /,
  );
  assert.match(
    lines.find((line) => line.startsWith("zip.maxDirectoryBytes "))!,
    / 268,435,456 \(256 MiB\) {2}/,
  );
  const tar = await modelaudit(["limits", "tar"]);
  assertExit(tar, 0);
  assert.deepEqual(tar.stdout.trimEnd().split("\n").map((line) => line.split(" ")[0]), [
    "tar.maxEntries",
    "tar.maxPaxHeaderBytes",
    "tar.maxNameBytes",
    "tar.maxExtensionHeaders",
  ]);
  const keras = await modelaudit(["limits", "keras"]);
  assertExit(keras, 0);
  assert.deepEqual(keras.stdout.trimEnd().split("\n").map((line) => line.split(" ")[0]), [
    "keras.maxConfigBytes",
    "keras.maxConfigDepth",
    "keras.maxConfigNodes",
    "keras.maxLambdaCodeChars",
    "keras.maxMarshalObjects",
    "keras.maxTorchModuleChars",
    "keras.maxMetadataBytes",
  ]);
  const one = await modelaudit(["limits", "engine.maxDepth"]);
  assertExit(one, 0);
  assert.match(one.stdout, /^engine\.maxDepth {2}8 {2}Containers and payloads nested deeper are not opened/);
  assert.ok((await modelaudit(["--help"])).stdout.includes("limits [name]"));
  assert.ok((await modelaudit(["scan", "--help"])).stdout.includes("--limit <name=value>"));
});

// Last: the tests above are done with their directories.
Deno.test("the temporary directories of these tests are removed", async () => {
  const removed = removeTempDirs();
  assert.ok(removed.includes(benignDir) && removed.includes(evilDir), removed.join(", "));
  for (const dir of removed) await assert.rejects(Deno.stat(dir), Deno.errors.NotFound);
});
