import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { TOOL_VERSION } from "../report/summary.ts";
import { compileArgs } from "../scripts/compile_all.ts";
import { BENIGN_PICKLE, EVIL_PICKLE, modelsDir, runCommand } from "./_cli_helpers.ts";

/**
 * `deno compile` downloads its runtime (denort), which is unreachable offline;
 * with DENORT_BIN pointing at a local denort it builds without the network.
 */
const denort = Deno.env.get("DENORT_BIN");
if (!denort) {
  console.log("compile_test: skipped: DENORT_BIN not set (deno compile needs a local denort offline)");
}

Deno.test({
  name: "deno task compile's binary scans with the permissions baked in",
  ignore: !denort,
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "modelaudit_bin_" });
    const binary = `${out}/modelaudit${Deno.build.os === "windows" ? ".exe" : ""}`;
    const build = await runCommand(Deno.execPath(), await compileArgs(undefined, binary), {
      cwd: fileURLToPath(new URL("../", import.meta.url)),
    });
    assert.equal(build.code, 0, build.stderr);

    const version = await runCommand(binary, ["--version"]);
    assert.equal(version.stdout, `modelaudit ${TOOL_VERSION}\n`);

    const clean = await runCommand(binary, ["scan", await modelsDir({ "ok.pkl": BENIGN_PICKLE })]);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);

    const evilDir = await modelsDir({ "evil.pkl": EVIL_PICKLE });
    const evil = await runCommand(binary, ["scan", "--format", "json", evilDir]);
    assert.equal(evil.code, 1, evil.stdout + evil.stderr);
    const report = JSON.parse(evil.stdout);
    assert.equal(report.files_scanned, 1);
    assert.ok(report.issues.some((issue: { rule: string }) => issue.rule === "MA100"), evil.stdout);
  },
});
