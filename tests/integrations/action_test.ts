/**
 * The GitHub Action: its install script against a release directory served as `file://` (the binary, a
 * wrapper of the Deno CLI, and its SHA256SUMS), and its composite steps run in order as the runner runs
 * them, with inputs, step outputs, GITHUB_PATH, GITHUB_OUTPUT and the job summary.
 */

import assert from "node:assert/strict";
import { parse } from "yaml";
import {
  BENIGN_PICKLE,
  EVIL_PICKLE,
  modelsDir,
  removeTempDirs,
  runCommand,
  tempDir,
  UNKNOWN_PICKLE,
} from "../_cli_helpers.ts";
import { sarifValidator } from "../report/_schemas.ts";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const LINUX_ASSET = "modelaudit-x86_64-unknown-linux-gnu";

interface Step {
  name: string;
  id?: string;
  if?: string;
  shell?: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}

interface Action {
  inputs: Record<string, { default: string; required: boolean }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const action: Action = parse(await Deno.readTextFile(`${ROOT}/action.yml`));

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** A release directory: the "binary" (a script running this checkout's CLI) and its SHA256SUMS. */
async function release(sums?: (line: string) => string): Promise<string> {
  const dir = await tempDir("modelaudit_release_");
  const binary = new TextEncoder().encode(
    `#!/usr/bin/env bash\nexec "${ROOT}/integrations/modelaudit.sh" "$@"\n`,
  );
  await Deno.writeFile(`${dir}/${LINUX_ASSET}`, binary);
  const line = `${await sha256(binary)}  ${LINUX_ASSET}`;
  await Deno.writeTextFile(`${dir}/SHA256SUMS`, `${(sums ?? ((l) => l))(line)}\n`);
  return dir;
}

/** The runner's files and variables for one job. */
async function runnerEnv(releaseDir: string, os = "Linux", arch = "X64"): Promise<Record<string, string>> {
  const temp = await tempDir("modelaudit_runner_");
  for (const name of ["path", "output", "summary"]) await Deno.writeTextFile(`${temp}/${name}`, "");
  return {
    RUNNER_OS: os,
    RUNNER_ARCH: arch,
    RUNNER_TEMP: temp,
    GITHUB_PATH: `${temp}/path`,
    GITHUB_OUTPUT: `${temp}/output`,
    GITHUB_STEP_SUMMARY: `${temp}/summary`,
    GITHUB_ACTION_PATH: ROOT,
    MODELAUDIT_RELEASE_URL: `file://${releaseDir}`,
    PATH: Deno.env.get("PATH") ?? "",
    HOME: Deno.env.get("HOME") ?? "",
  };
}

const installStep = action.runs.steps.find((step) => step.name === "Install modelaudit")!;

Deno.test("install: the asset for the runner is downloaded, checked against SHA256SUMS and put on GITHUB_PATH", async () => {
  const env = await runnerEnv(await release());
  const result = await runCommand("bash", ["-c", installStep.run!], { env });
  assert.equal(result.code, 0, result.stderr);
  const bin = `${env.RUNNER_TEMP}/modelaudit/bin`;
  assert.equal(await Deno.readTextFile(env.GITHUB_PATH), `${bin}\n`);
  assert.ok((await Deno.stat(`${bin}/modelaudit`)).mode! & 0o100);
  const version = await runCommand(`${bin}/modelaudit`, ["--version"]);
  assert.match(version.stdout, /^modelaudit \d+\.\d+\.\d+$/m);
});

Deno.test("install: a checksum that does not match, or no entry for the asset, installs nothing", async () => {
  for (
    const [sums, message] of [
      [
        (line: string) => line.replace(/^./, (c) => c === "0" ? "1" : "0"),
        /has SHA-256 [0-9a-f]{64}, but SHA256SUMS says/,
      ],
      [
        (line: string) => line.replace(LINUX_ASSET, "modelaudit-other"),
        /SHA256SUMS lists no modelaudit-x86_64/,
      ],
    ] as const
  ) {
    const env = await runnerEnv(await release(sums));
    const result = await runCommand("bash", ["-c", installStep.run!], { env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^::error title=modelaudit install::/m);
    assert.match(result.stderr, message);
    assert.equal(await Deno.readTextFile(env.GITHUB_PATH), "");
  }
});

Deno.test("install: each runner asks for its own asset; an unknown platform is refused", async () => {
  const dir = await release();
  for (
    const [os, arch, asset] of [
      ["macOS", "ARM64", "modelaudit-aarch64-apple-darwin"],
      ["Windows", "X64", "modelaudit-x86_64-pc-windows-msvc.exe"],
      ["Linux", "ARM64", "modelaudit-aarch64-unknown-linux-gnu"],
    ]
  ) {
    const result = await runCommand("bash", ["-c", installStep.run!], {
      env: await runnerEnv(dir, os, arch),
    });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      new RegExp(`cannot download file://${dir}/${asset.replace(".", "\\.")}$`, "m"),
    );
  }
  const other = await runCommand("bash", ["-c", installStep.run!], {
    env: await runnerEnv(dir, "Linux", "ARM"),
  });
  assert.match(other.stderr, /no modelaudit release for Linux on ARM/);
});

/** `${{ ... }}` in a step's env and with: inputs, the action's github context and earlier step outputs. */
function evaluate(
  text: string,
  inputs: Record<string, string>,
  outputs: Record<string, Record<string, string>>,
) {
  return text.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, expression: string) => {
    const [scope, name, ...rest] = expression.split(".");
    if (scope === "inputs") {
      assert.ok(name in action.inputs, `input ${name} is declared`);
      return inputs[name] ?? action.inputs[name].default;
    }
    if (scope === "github" && name === "action_repository") return "modelaudit/modelaudit";
    if (scope === "github" && name === "action_ref") return "main";
    if (scope === "steps" && rest[0] === "outputs") return outputs[name]?.[rest[1]] ?? "";
    throw new Error(`expression not handled by this runner: ${expression}`);
  });
}

function readOutputs(text: string): Record<string, string> {
  return Object.fromEntries(text.split("\n").filter(Boolean).map((line) => line.split(/=(.*)/s).slice(0, 2)));
}

/** Runs the composite action's steps in order, as the runner does (bash -e, PATH extended by GITHUB_PATH). */
async function runAction(inputs: Record<string, string>, cwd: string) {
  const env = await runnerEnv(await release());
  const outputs: Record<string, Record<string, string>> = {};
  const uploads: Record<string, string>[] = [];
  const codes: number[] = [];
  for (const step of action.runs.steps) {
    if (step.uses) {
      assert.equal(step.uses, "github/codeql-action/upload-sarif@v3");
      assert.match(step.if ?? "", /always\(\)/, "the upload runs even when the scan found something");
      uploads.push(
        Object.fromEntries(
          Object.entries(step.with ?? {}).map(([k, v]) => [k, evaluate(v, inputs, outputs)]),
        ),
      );
      continue;
    }
    assert.equal(step.shell, "bash");
    const stepEnv = Object.fromEntries(
      Object.entries(step.env ?? {}).map(([k, v]) => [k, evaluate(v, inputs, outputs)]),
    );
    const path = (await Deno.readTextFile(env.GITHUB_PATH)).split("\n").filter(Boolean).reverse();
    await Deno.writeTextFile(env.GITHUB_OUTPUT, "");
    const result = await runCommand("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run!], {
      cwd,
      env: { ...env, ...stepEnv, PATH: [...path, env.PATH].join(":") },
    });
    codes.push(result.code);
    if (step.id) outputs[step.id] = readOutputs(await Deno.readTextFile(env.GITHUB_OUTPUT));
    if (result.code !== 0) break;
  }
  return { outputs, uploads, codes, summary: await Deno.readTextFile(env.GITHUB_STEP_SUMMARY) };
}

Deno.test("action: a finding fails the job after the SARIF report is written, checked and uploaded", async () => {
  const repo = await modelsDir({ "model.pkl": EVIL_PICKLE, "ok.pkl": BENIGN_PICKLE });
  const run = await runAction({ paths: "model.pkl\nok.pkl" }, repo);
  assert.deepEqual(run.codes, [0, 0, 1], "install and scan pass; the last step fails the job");
  assert.deepEqual(run.outputs.scan, { "exit-code": "1", report: "modelaudit.sarif" });
  assert.deepEqual(run.uploads, [{ sarif_file: "modelaudit.sarif", category: "modelaudit" }]);
  const sarif = JSON.parse(await Deno.readTextFile(`${repo}/modelaudit.sarif`));
  assert.equal((await sarifValidator())(sarif), undefined);
  assert.deepEqual(
    sarif.runs[0].results.map((r: { ruleId: string; level: string }) => `${r.ruleId} ${r.level}`),
    ["MA100 error", "MA101 error"],
  );
  assert.match(run.summary, /^### modelaudit: exit code 1/m);
  assert.match(run.summary, /^\| error \| MA101 \| model\.pkl \| Pickle calls os\.system/m);
});

Deno.test("action: a clean scan passes; fail-on, format, output and config are the inputs'", async () => {
  const repo = await modelsDir({
    "ok.pkl": BENIGN_PICKLE,
    "unknown.pkl": UNKNOWN_PICKLE,
    "ci.toml": new TextEncoder().encode('[rules]\nseverity = { MA102 = "info" }\n'),
  });
  const run = await runAction(
    { paths: ".", "fail-on": "critical", format: "json", output: "report.json", config: "ci.toml" },
    repo,
  );
  assert.deepEqual(run.codes, [0, 0, 0]);
  assert.deepEqual(run.outputs.scan, { "exit-code": "0", report: "report.json" });
  const report = JSON.parse(await Deno.readTextFile(`${repo}/report.json`));
  assert.deepEqual(report.issues.map((f: { rule: string; severity: string }) => `${f.rule} ${f.severity}`), [
    "MA102 info",
    "MA103 warning",
  ]);
});

Deno.test("action: every input the steps use is declared, and the outputs are the scan step's", () => {
  assert.equal(action.runs.using, "composite");
  const used = new Set(JSON.stringify(action.runs).match(/inputs\.[a-z-]+/g)!.map((m) => m.slice(7)));
  assert.deepEqual([...used].sort(), Object.keys(action.inputs).sort());
  assert.deepEqual(action.outputs, {
    "exit-code": { ...action.outputs["exit-code"], value: "${{ steps.scan.outputs.exit-code }}" },
    report: { ...action.outputs.report, value: "${{ steps.scan.outputs.report }}" },
  });
});

Deno.test("action tests remove their directories", () => {
  for (const dir of removeTempDirs()) assert.throws(() => Deno.statSync(dir), Deno.errors.NotFound);
});
