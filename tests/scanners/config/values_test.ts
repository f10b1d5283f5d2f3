// The per-string hook: every check of the list runs on each value, placed at the value unless the
// check places its finding itself; adding a check is adding it to the list.
import assert from "node:assert/strict";
import { recordingContext } from "../../../core/recording_context.ts";
import {
  checkConfigValue,
  CONFIG_VALUE_CHECKS,
  type ConfigValueCheck,
} from "../../../scanners/config/values.ts";

const value = { value: "AKIA0000EXAMPLE", keyPath: "$.aws.key", key: "key", line: 4, column: 8 };

Deno.test("config values: one more check is one more entry, run after the shared string checks", async () => {
  const seen: string[] = [];
  const credentials: ConfigValueCheck = (ctx, { value, key }) => {
    seen.push(`${key}=${value}`);
    if (value.startsWith("AKIA")) ctx.report({ rule: "MA005", message: "an AWS access key id" });
  };
  const { ctx, findings } = recordingContext("config.yaml");
  await checkConfigValue(ctx, value, [...CONFIG_VALUE_CHECKS, credentials]);
  assert.deepEqual(seen, ["key=AKIA0000EXAMPLE"]);
  assert.deepEqual(findings.map((f) => [f.rule, f.keyPath, f.line, f.column]), [[
    "MA005",
    "$.aws.key",
    4,
    8,
  ]]);
});

Deno.test("config values: a check that places its finding keeps its own place", async () => {
  const placed: ConfigValueCheck = (ctx) =>
    ctx.report({ rule: "MA005", message: "elsewhere", line: 9, keyPath: "$.x" });
  const { ctx, findings } = recordingContext("config.yaml");
  await checkConfigValue(ctx, value, [placed]);
  assert.deepEqual(findings.map((f) => [f.keyPath, f.line, f.column]), [["$.x", 9, 8]]);
});

Deno.test("config values: training words (token, key, secret, password) are no finding of the shared checks", async () => {
  const { ctx, findings } = recordingContext("config.yaml", ["webhook.site"]);
  for (const text of ["${oc.env:HF_TOKEN}", "WANDB_API_KEY", "password_file: ~/.netrc", "<|endoftext|>"]) {
    await checkConfigValue(ctx, { value: text, keyPath: "$.a" });
  }
  assert.deepEqual(findings, []);
});

Deno.test("config values: Python source in a value is MA012 info, since no loader evaluates a config value", async () => {
  const { ctx, findings } = recordingContext("config.yaml");
  await checkConfigValue(ctx, { value: "import os\nos.system('echo pwned')", keyPath: "$.setup", line: 2 });
  assert.deepEqual(findings.map((f) => [f.rule, f.severity, f.details?.calls]), [["MA012", "info", [
    "os.system",
  ]]]);
});
