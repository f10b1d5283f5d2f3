/**
 * The pre-commit hook, run as the framework runs it (its entry with the files as arguments) and as a plain
 * git hook (`--staged`) in a temporary repository, where it gates a real `git commit`.
 */

import assert from "node:assert/strict";
import { parse } from "yaml";
import { BENIGN_PICKLE, EVIL_PICKLE, removeTempDirs, runCommand, tempDir } from "../_cli_helpers.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const HOOK = `${ROOT}integrations/pre-commit.sh`;

/** A new git repository with a user, so that commits work on a bare CI machine. */
async function gitRepo(): Promise<string> {
  const dir = await tempDir("modelaudit_hook_");
  for (
    const args of [
      ["init", "-q"],
      ["config", "user.email", "test@example.com"],
      ["config", "user.name", "test"],
      ["config", "commit.gpgsign", "false"],
    ]
  ) await git(dir, args);
  return dir;
}

async function git(cwd: string, args: string[]) {
  const result = await runCommand("git", args, { cwd });
  assert.equal(result.code, 0, `git ${args.join(" ")}: ${result.stderr}`);
  return result;
}

Deno.test(".pre-commit-hooks.yaml: the source hook's entry is this script, every file passed, one process", async () => {
  const hooks = parse(await Deno.readTextFile(`${ROOT}.pre-commit-hooks.yaml`));
  assert.deepEqual(hooks.map((hook: { id: string }) => hook.id), ["modelaudit", "modelaudit-binary"]);
  const [source, binary] = hooks;
  assert.equal(source.entry, "integrations/pre-commit.sh");
  assert.equal(source.language, "script");
  assert.deepEqual(source.types, ["file"]);
  assert.equal(source.files, undefined, "formats are decided by content: no file name filter");
  assert.equal(source.require_serial, true);
  assert.ok((await Deno.stat(`${ROOT}${source.entry}`)).mode! & 0o100, "the entry is executable");
  assert.equal(binary.entry, "modelaudit scan");
  assert.equal(binary.language, "system");
});

Deno.test("pre-commit framework: the staged files are the arguments, options first; exit codes are the scan's", async () => {
  const repo = await gitRepo();
  await Deno.writeFile(`${repo}/notes.txt`, EVIL_PICKLE);
  await Deno.writeFile(`${repo}/model.pkl`, BENIGN_PICKLE);
  await Deno.writeTextFile(`${repo}/train.py`, "print('hello')\n");

  const dirty = await runCommand(HOOK, ["--fail-on", "critical", "notes.txt", "model.pkl", "train.py"], {
    cwd: repo,
  });
  assert.equal(dirty.code, 1, dirty.stderr);
  assert.match(dirty.stdout, /notes\.txt \(pos 0\): \[CRITICAL\] Pickle imports os\.system.*\[MA100\]/);
  assert.match(dirty.stdout, /notes\.txt \(pos 23\): \[CRITICAL\] Pickle calls os\.system.*\[MA101\]/);

  const clean = await runCommand(HOOK, ["model.pkl", "train.py"], { cwd: repo });
  assert.equal(clean.code, 0, clean.stdout + clean.stderr);
  assert.match(clean.stdout, /No security issues found/);
});

Deno.test("git hook (--staged): the index is scanned, not the working tree, and a real commit is refused", async () => {
  const repo = await gitRepo();
  await Deno.writeFile(`${repo}/weights.bin`, EVIL_PICKLE);
  await git(repo, ["add", "weights.bin"]);
  // The working tree now holds a harmless file; the commit would still hold the pickle.
  await Deno.writeFile(`${repo}/weights.bin`, BENIGN_PICKLE);
  await Deno.writeTextFile(`${repo}/.git/hooks/pre-commit`, `#!/usr/bin/env bash\nexec "${HOOK}" --staged\n`);
  await Deno.chmod(`${repo}/.git/hooks/pre-commit`, 0o755);

  const refused = await runCommand("git", ["commit", "-q", "-m", "add weights"], { cwd: repo });
  assert.equal(refused.code, 1, refused.stdout + refused.stderr);
  // git hands a hook's standard output to its own standard error.
  assert.match(refused.stderr, /weights\.bin \(pos 23\): \[CRITICAL\] Pickle calls os\.system/);
  const log = await runCommand("git", ["log", "--oneline"], { cwd: repo });
  assert.notEqual(log.code, 0, "no commit was made");

  await git(repo, ["add", "weights.bin"]);
  const accepted = await runCommand("git", ["commit", "-q", "-m", "add weights"], { cwd: repo });
  assert.equal(accepted.code, 0, accepted.stdout + accepted.stderr);
  assert.equal((await git(repo, ["log", "--oneline"])).stdout.trim().split("\n").length, 1);

  // Nothing staged: nothing to scan, and the hook passes without starting a scan.
  const empty = await runCommand(HOOK, ["--staged"], { cwd: repo });
  assert.deepEqual([empty.code, empty.stdout], [0, ""]);
});

Deno.test("pre-commit tests remove their repositories", () => {
  for (const dir of removeTempDirs()) assert.throws(() => Deno.statSync(dir), Deno.errors.NotFound);
});
