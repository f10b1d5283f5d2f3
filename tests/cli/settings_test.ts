/**
 * The config file, the baseline and the rule selectors through the command line: what each changes in
 * the report and the exit code, and the exit code 2 of every mistake.
 */

import assert from "node:assert/strict";
import {
  BENIGN_PICKLE,
  EVIL_PICKLE,
  modelsDir,
  removeTempDirs,
  runCommand,
  runInProcess,
  UNKNOWN_PICKLE,
} from "../_cli_helpers.ts";

const SOURCE_CLI = new URL("../../integrations/modelaudit.sh", import.meta.url).pathname;

/** A project: an os.system pickle, a vendored pickle that calls an unknown callable, a clean one. */
function project(config?: string) {
  const encoder = new TextEncoder();
  return modelsDir({
    "evil.pkl": EVIL_PICKLE,
    "vendor_model.pkl": UNKNOWN_PICKLE,
    "ok.pkl": BENIGN_PICKLE,
    ...(config === undefined ? {} : { "modelaudit.toml": encoder.encode(config) }),
  });
}

const rules = (stdout: string) => [...stdout.matchAll(/\[(MA\d{3})\]$/gm)].map((match) => match[1]);

Deno.test("--config: [scan] options apply, a command-line flag wins, ignores and severities change the report", async () => {
  const dir = await project(`
[scan]
fail-on = "info"
[rules]
severity = { MA103 = "info" }
[[ignore]]
rule = "MA102"
path = "**/vendor_*.pkl"
reason = "vendored, reviewed 2026-11"
`);
  const paths = [`${dir}/evil.pkl`, `${dir}/vendor_model.pkl`, `${dir}/ok.pkl`];
  const config = ["--config", `${dir}/modelaudit.toml`];
  const configured = await runInProcess(["scan", "-q", ...config, ...paths]);
  assert.equal(configured.code, 1);
  assert.deepEqual(rules(configured.stdout), ["MA100", "MA101", "MA103"]);
  assert.match(configured.stdout, /vendor_model\.pkl \(pos \d+\): \[INFO\] Pickle calls unknown callable/);

  // fail-on = "info" from the file makes the info finding fail ... unless the command line says otherwise.
  const benign = await runInProcess(["scan", "-q", ...config, `${dir}/vendor_model.pkl`]);
  assert.equal(benign.code, 1);
  const overridden = await runInProcess([
    "scan",
    "-q",
    ...config,
    "--fail-on",
    "warning",
    `${dir}/vendor_model.pkl`,
  ]);
  assert.equal(overridden.code, 0);

  const json = JSON.parse((await runInProcess(["scan", "-f", "json", ...config, ...paths])).stdout);
  assert.deepEqual(
    json.issues.filter((issue: { suppressed?: unknown }) => issue.suppressed).map((i: { rule: string }) =>
      i.rule
    ),
    ["MA102"],
  );
});

Deno.test("an expired ignore is reported at its key path and its findings come back", async () => {
  const dir = await project(`
[[ignore]]
rule = "MA10"
reason = "temporary"
expires = 2020-01-31
`);
  const run = await runInProcess(["scan", "-q", "-c", `${dir}/modelaudit.toml`, `${dir}/evil.pkl`]);
  assert.equal(run.code, 1);
  assert.match(
    run.stdout,
    /modelaudit\.toml \(key \$\.ignore\[0\]\): \[WARNING\] The ignore of MA10 expired on 2020-01-31/,
  );
  assert.deepEqual(rules(run.stdout), ["MA090", "MA100", "MA101"]);
});

Deno.test("--select and --ignore on the command line add to the config file's", async () => {
  const dir = await project(`[rules]\nselect = ["MA1"]\n`);
  const run = await runInProcess([
    "scan",
    "-q",
    "-c",
    `${dir}/modelaudit.toml`,
    "--ignore",
    "ma101,MA103",
    dir,
  ]);
  assert.deepEqual(rules(run.stdout), ["MA100", "MA102"]);
});

Deno.test("bad config files and selectors are errors with exit code 2, before any scan", async () => {
  const cases: [string | undefined, string[], RegExp][] = [
    [
      "[scan]\nmax-depth = -1\n",
      [],
      /modelaudit\.toml: \$\.scan\.max-depth: option '--max-depth <n>' argument '-1' is invalid/,
    ],
    [
      '[scan]\nformat = "xml"\n',
      [],
      /modelaudit\.toml: \$\.scan\.format: .*Allowed choices are text, json, sarif/,
    ],
    ['[callables]\ndeny = ["not a name"]\n', [], /\$\.callables\.deny: .*expected a dotted Python name/],
    ["[scan]\nverbose = true\n", [], /modelaudit\.toml: \$\.scan\.verbose: unknown key/],
    ['[[ignore]]\nrule = "MA1"\n', [], /\$\.ignore\[0\]\.reason: missing/],
    [undefined, ["--select", "MA7"], /argument 'MA7' is invalid\. "MA7" is no rule id or id prefix/],
    [
      "[limits]\npickle.maxOpcode = 3\n",
      [],
      /\$\.limits\.pickle\.maxOpcode: .*There is no limit 'pickle\.maxOpcode'/,
    ],
    ['[limits]\npickle.maxOpcodes = "3"\n', [], /\$\.limits\.pickle\.maxOpcodes: expected a number/],
    ["[limits]\npickle = 3\n", [], /\$\.limits\.pickle: expected a table of pickle's limits/],
    ["[limits]\ntar.maxEntries = 1.5\n", [], /\$\.limits\.tar\.maxEntries: .*must be a whole number/],
  ];
  for (const [config, extra, message] of cases) {
    const dir = await project(config);
    const args = config === undefined ? [] : ["-c", `${dir}/modelaudit.toml`];
    const run = await runInProcess(["scan", ...args, ...extra, `${dir}/evil.pkl`]);
    assert.equal(run.code, 2, config);
    assert.equal(run.stdout, "");
    assert.match(run.stderr, message);
  }
  const missing = await runInProcess(["scan", "-c", "/no/such/modelaudit.toml", "."]);
  assert.deepEqual([missing.code, missing.stdout], [2, ""]);
  assert.match(missing.stderr, /cannot read the config file \/no\/such\/modelaudit\.toml/);
});

Deno.test("--config: [limits] sets any limit, and the command line's --limit wins", async () => {
  const dir = await project("[limits]\npickle.maxOpcodes = 3\n");
  const config = ["--config", `${dir}/modelaudit.toml`];
  // EVIL_PICKLE's fourth opcode is at 22: past pickle.maxOpcodes = 3, its REDUCE is not followed.
  const limited = await runInProcess(["scan", "-q", ...config, `${dir}/evil.pkl`]);
  assert.equal(limited.code, 1);
  assert.deepEqual(rules(limited.stdout), ["MA100", "MA110"]);
  assert.match(limited.stdout, /evil\.pkl \(pos 22\): \[WARNING\] Pickle has more than 3 opcodes/);
  const raised = await runInProcess([
    "scan",
    "-q",
    ...config,
    "--limit",
    "pickle.maxOpcodes=100",
    `${dir}/evil.pkl`,
  ]);
  assert.deepEqual(rules(raised.stdout), ["MA100", "MA101"]);
});

Deno.test("--write-baseline then --baseline: only new findings count, the rest are suppressed and said", async () => {
  const dir = await project();
  const baseline = `${dir}/baseline.json`;
  const first = await runInProcess([
    "scan",
    "-q",
    "--write-baseline",
    baseline,
    `${dir}/evil.pkl`,
    `${dir}/vendor_model.pkl`,
  ]);
  assert.equal(first.code, 1);
  const written = JSON.parse(await Deno.readTextFile(baseline));
  assert.deepEqual(written.findings.map((entry: { rule: string }) => entry.rule), [
    "MA100",
    "MA101",
    "MA102",
    "MA103",
  ]);

  const again = await runInProcess([
    "scan",
    "--baseline",
    baseline,
    `${dir}/evil.pkl`,
    `${dir}/vendor_model.pkl`,
  ]);
  assert.equal(again.code, 0, again.stdout);
  assert.match(again.stdout, /^ {2}Suppressed: 4 \(0 by ignores in the config file, 4 by the baseline\)$/m);

  // The pickle is rewritten with a new payload: that one is new.
  await Deno.writeFile(`${dir}/evil.pkl`, new TextEncoder().encode("cos\npopen\n(S'id'\ntR."));
  const changed = await runInProcess([
    "scan",
    "-q",
    "--baseline",
    baseline,
    `${dir}/evil.pkl`,
    `${dir}/vendor_model.pkl`,
  ]);
  assert.equal(changed.code, 1);
  assert.deepEqual(rules(changed.stdout), ["MA100", "MA101"]);
  assert.match(changed.stdout, /os\.popen/);

  const broken = await runInProcess(["scan", "--baseline", `${dir}/evil.pkl`, dir]);
  assert.equal(broken.code, 2);
  assert.match(broken.stderr, /evil\.pkl: not a modelaudit baseline: not JSON/);
});

Deno.test("./modelaudit.toml in the working directory is read without --config (a process of its own)", async () => {
  const dir = await project(`[rules]\nignore = ["MA1"]\n`);
  const run = await runCommand(SOURCE_CLI, ["scan", "-q", "evil.pkl"], { cwd: dir });
  assert.deepEqual([run.code, run.stdout], [0, ""], run.stderr);
});

Deno.test("settings tests remove their directories", () => {
  for (const dir of removeTempDirs()) assert.throws(() => Deno.statSync(dir), Deno.errors.NotFound);
});
