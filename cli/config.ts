/**
 * The config file, `modelaudit.toml`: defaults for `modelaudit scan`'s options, callables to deny or
 * trust, rule selection, per-rule severities, and ignores with a reason and an optional expiry date.
 *
 * ```toml
 * [scan]                      # any `modelaudit scan` option, by its long name
 * fail-on = "critical"
 * blacklist = ["exfil"]
 * weights = "on"              # "on" (--weights), "off" (--no-weights) or "auto", the default
 *
 * [limits]                    # any limit `modelaudit limits` lists, by its name
 * pickle.maxOpcodes = 5_000_000
 *
 * [callables]                 # merged into the shared policy of Python callables
 * deny = ["mypkg.tools.run"]
 * allow = ["mypkg.models.*"]
 *
 * [rules]
 * select = ["MA1", "MA2"]     # rule ids or prefixes, as ruff takes them
 * ignore = ["MA003"]
 * severity = { MA102 = "info" }
 *
 * [[ignore]]
 * rule = "MA102"
 * path = "models/legacy/**"   # a glob over the scanned file's path
 * reason = "vendor checkpoints, reviewed 2026-11"
 * expires = 2027-03-01
 * ```
 *
 * Options from the file become command-line arguments placed before the user's own, so a flag given on
 * the command line wins and repeatable ones (`blacklist`, callables, rule selections) add up. Unknown keys
 * and bad values are errors naming their key path; the CLI exits 2 on them.
 *
 * @module
 */

import { parse as parseToml, TomlDate, TomlError } from "smol-toml";
import { isRuleId, isRuleSelector } from "../core/rules.ts";
import { DEFAULT_CONFIG_FILE } from "./args.ts";
import { ConfigError } from "./config_error.ts";
import type { Severity } from "../core/types.ts";

/** One `[[ignore]]` entry: findings of `rule` in files matching `path` are suppressed until `expires`. */
export interface IgnoreEntry {
  /** A rule id (`MA102`) or an id prefix (`MA1`). */
  rule: string;
  /** A glob over the scanned file's path as the report names it; absent: every file. */
  path?: string;
  /** Why the findings are accepted; shown with every finding it suppresses. */
  reason: string;
  /** The last day (UTC, `YYYY-MM-DD`) the entry suppresses anything; absent: no expiry. */
  expires?: string;
  /** Its key path in the file, e.g. `$.ignore[2]`. */
  keyPath: string;
}

/** A config file, read and checked. */
export interface Config {
  /** The file's path as found or given. */
  path: string;
  /**
   * `modelaudit scan` arguments the file stands for, to be placed before the command line's own, with
   * the key path each comes from (the command line's parser checks their values).
   */
  scanArgs: ConfigArgs[];
  /** Severity given to each rule's findings instead of the one they were reported with. */
  severity: Partial<Record<string, Severity>>;
  /** The `[[ignore]]` entries, in file order. */
  ignores: IgnoreEntry[];
}

/** The command-line arguments one key of the config file stands for. */
export interface ConfigArgs {
  /** The key, e.g. `$.scan.fail-on`. */
  keyPath: string;
  /** The arguments, e.g. `["--fail-on", "critical"]`. */
  args: string[];
}

/**
 * `weights = "on" | "off" | "auto"` in `[scan]`: the flags each stands for (`auto`, the default, restores
 * it over a `[limits]` setting of `weights.enabled`).
 */
const WEIGHTS_ARGS: Readonly<Record<string, readonly string[]>> = {
  on: ["--weights"],
  off: ["--no-weights"],
  auto: ["--limit", "weights.enabled=1"],
};

/** `[scan]` keys: long option names of `modelaudit scan`, with the type of value each takes. */
const SCAN_KEYS: Record<string, "string" | "number" | "strings" | "weights"> = {
  "format": "string",
  "fail-on": "string",
  "max-file-size": "number",
  "timeout": "number",
  "blacklist": "strings",
  "max-depth": "number",
  "max-members": "number",
  "max-decompressed-bytes": "number",
  "max-compression-ratio": "number",
  "weights": "weights",
};
const SEVERITIES: readonly Severity[] = ["critical", "warning", "info"];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

type Table = Record<string, unknown>;

function isTable(value: unknown): value is Table {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof TomlDate);
}

/** Reads values of one file, failing with the key path of what is wrong. */
class Reader {
  constructor(readonly path: string) {}

  fail(keyPath: string, message: string): never {
    throw new ConfigError(`${this.path}: ${keyPath}: ${message}`);
  }

  table(value: unknown, keyPath: string, keys: readonly string[]): Table {
    if (!isTable(value)) this.fail(keyPath, "expected a table");
    for (const key of Object.keys(value)) {
      if (!keys.includes(key)) {
        this.fail(`${keyPath}.${key}`, `unknown key (expected one of: ${keys.join(", ")})`);
      }
    }
    return value;
  }

  string(value: unknown, keyPath: string): string {
    if (typeof value !== "string" || value === "") this.fail(keyPath, "expected a non-empty string");
    return value;
  }

  strings(value: unknown, keyPath: string): string[] {
    if (!Array.isArray(value)) this.fail(keyPath, "expected an array of strings");
    return value.map((item, index) => this.string(item, `${keyPath}[${index}]`));
  }

  rule(value: unknown, keyPath: string): string {
    const rule = this.string(value, keyPath);
    if (!isRuleSelector(rule)) this.fail(keyPath, `"${rule}" is no rule id or id prefix of the catalog`);
    return rule;
  }
}

/** The `[scan]`, `[callables]` and `[rules]` selections as command-line arguments. */
function scanArgs(file: Table, reader: Reader): ConfigArgs[] {
  const groups: ConfigArgs[] = [];
  if (file.scan !== undefined) {
    const scan = reader.table(file.scan, "$.scan", Object.keys(SCAN_KEYS));
    for (const [key, value] of Object.entries(scan)) {
      const keyPath = `$.scan.${key}`;
      const kind = SCAN_KEYS[key];
      const args: string[] = [];
      groups.push({ keyPath, args });
      if (kind === "strings") {
        for (const item of reader.strings(value, keyPath)) args.push(`--${key}`, item);
      } else if (kind === "weights") {
        const choice = reader.string(value, keyPath);
        if (!Object.hasOwn(WEIGHTS_ARGS, choice)) reader.fail(keyPath, 'expected "on", "off" or "auto"');
        args.push(...WEIGHTS_ARGS[choice]);
      } else if (kind === "number") {
        if (typeof value !== "number" || !Number.isFinite(value)) reader.fail(keyPath, "expected a number");
        args.push(`--${key}`, String(value));
      } else {
        args.push(`--${key}`, reader.string(value, keyPath));
      }
    }
  }
  if (file.limits !== undefined) groups.push(...limitArgs(file.limits, reader));
  if (file.callables !== undefined) {
    const callables = reader.table(file.callables, "$.callables", ["deny", "allow"]);
    for (const kind of ["deny", "allow"] as const) {
      if (callables[kind] === undefined) continue;
      const keyPath = `$.callables.${kind}`;
      const names = reader.strings(callables[kind], keyPath);
      groups.push({ keyPath, args: names.flatMap((name) => [`--${kind}-callable`, name]) });
    }
  }
  if (file.rules !== undefined) {
    const rules = reader.table(file.rules, "$.rules", ["select", "ignore", "severity"]);
    for (const kind of ["select", "ignore"] as const) {
      if (rules[kind] === undefined) continue;
      if (!Array.isArray(rules[kind])) reader.fail(`$.rules.${kind}`, "expected an array of rule ids");
      const selectors = rules[kind].map((rule, index) => reader.rule(rule, `$.rules.${kind}[${index}]`));
      if (selectors.length) {
        groups.push({ keyPath: `$.rules.${kind}`, args: [`--${kind}`, selectors.join(",")] });
      }
    }
  }
  return groups;
}

/**
 * `[limits]`: tables of limits by group (`pickle.maxOpcodes = 5_000_000` is TOML for the table `pickle`
 * with the key `maxOpcodes`), each the `--limit` it stands for; the command line checks names and values.
 */
function limitArgs(value: unknown, reader: Reader): ConfigArgs[] {
  if (!isTable(value)) {
    reader.fail("$.limits", "expected a table of limits, e.g. pickle.maxOpcodes = 5_000_000");
  }
  return Object.entries(value).flatMap(([group, limits]) => {
    if (!isTable(limits)) reader.fail(`$.limits.${group}`, `expected a table of ${group}'s limits`);
    return Object.entries(limits).map(([name, limit]) => {
      const keyPath = `$.limits.${group}.${name}`;
      if (typeof limit !== "number" && typeof limit !== "bigint") reader.fail(keyPath, "expected a number");
      return { keyPath, args: ["--limit", `${group}.${name}=${limit}`] };
    });
  });
}

function severityOverrides(file: Table, reader: Reader): Partial<Record<string, Severity>> {
  const table = isTable(file.rules) ? file.rules.severity : undefined;
  if (table === undefined) return {};
  if (!isTable(table)) reader.fail("$.rules.severity", "expected a table of rule ids to severities");
  const overrides: Partial<Record<string, Severity>> = {};
  for (const [rule, severity] of Object.entries(table)) {
    const keyPath = `$.rules.severity.${rule}`;
    if (!isRuleId(rule)) reader.fail(keyPath, `"${rule}" is no rule id of the catalog`);
    if (!SEVERITIES.includes(severity as Severity)) {
      reader.fail(keyPath, `expected one of ${SEVERITIES.join(", ")}`);
    }
    overrides[rule] = severity as Severity;
  }
  return overrides;
}

function expiry(value: unknown, keyPath: string, reader: Reader): string | undefined {
  if (value === undefined) return undefined;
  const text = value instanceof TomlDate && value.isDate() ? value.toISOString().slice(0, 10) : value;
  if (typeof text !== "string" || !DATE.test(text) || Number.isNaN(Date.parse(text))) {
    reader.fail(keyPath, "expected a date, YYYY-MM-DD");
  }
  return text;
}

function ignores(file: Table, reader: Reader): IgnoreEntry[] {
  if (file.ignore === undefined) return [];
  if (!Array.isArray(file.ignore)) reader.fail("$.ignore", "expected an array of tables ([[ignore]])");
  return file.ignore.map((value, index): IgnoreEntry => {
    const keyPath = `$.ignore[${index}]`;
    const entry = reader.table(value, keyPath, ["rule", "path", "reason", "expires"]);
    if (entry.rule === undefined) reader.fail(`${keyPath}.rule`, "missing: the rule id or prefix it ignores");
    if (entry.reason === undefined) {
      reader.fail(`${keyPath}.reason`, "missing: say why the findings are accepted");
    }
    return {
      rule: reader.rule(entry.rule, `${keyPath}.rule`),
      ...(entry.path === undefined ? {} : { path: reader.string(entry.path, `${keyPath}.path`) }),
      reason: reader.string(entry.reason, `${keyPath}.reason`),
      ...(entry.expires === undefined
        ? {}
        : { expires: expiry(entry.expires, `${keyPath}.expires`, reader) }),
      keyPath,
    };
  });
}

/**
 * Reads the config file text `text` found at `path`. Throws a {@linkcode ConfigError} naming the key path
 * for TOML that does not parse, an unknown key or a bad value. Values the command line would check
 * (a format, a number) are checked by it, from {@linkcode Config.scanArgs}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConfig } from "./config.ts";
 * const config = parseConfig(
 *   'rules.severity = { MA102 = "info" }\n[scan]\nfail-on = "critical"\n' +
 *     '[[ignore]]\nrule = "MA1"\npath = "vendor/**"\nreason = "reviewed"\nexpires = 2027-01-31\n',
 *   "modelaudit.toml",
 * );
 * assert.deepEqual(config.scanArgs, [{ keyPath: "$.scan.fail-on", args: ["--fail-on", "critical"] }]);
 * assert.deepEqual(config.severity, { MA102: "info" });
 * assert.deepEqual(config.ignores, [
 *   { rule: "MA1", path: "vendor/**", reason: "reviewed", expires: "2027-01-31", keyPath: "$.ignore[0]" },
 * ]);
 * assert.throws(() => parseConfig("[scan]\nfail_on = 1\n", "m.toml"), /m\.toml: \$\.scan\.fail_on: unknown key/);
 * ```
 */
export function parseConfig(text: string, path: string): Config {
  let file: Table;
  try {
    file = parseToml(text);
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    throw new ConfigError(`${path}: not valid TOML: ${error.message.split("\n")[0]}`);
  }
  const reader = new Reader(path);
  reader.table(file, "$", ["scan", "limits", "callables", "rules", "ignore"]);
  return {
    path,
    scanArgs: scanArgs(file, reader),
    severity: severityOverrides(file, reader),
    ignores: ignores(file, reader),
  };
}

/**
 * Reads the config file: `path` when given (it must exist), else {@linkcode DEFAULT_CONFIG_FILE} in the
 * current directory when there is one. Returns `undefined` when there is none to read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigError } from "./config_error.ts";
 * import { loadConfig } from "./config.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/modelaudit.toml`, 'rules.severity = { MA102 = "info" }\n');
 * const config = await loadConfig(`${dir}/modelaudit.toml`);
 * assert.deepEqual(config?.severity, { MA102: "info" });
 * await Deno.remove(dir, { recursive: true });
 * await assert.rejects(loadConfig(`${dir}/modelaudit.toml`), ConfigError); // a path given must exist
 * ```
 */
export async function loadConfig(path: string | undefined): Promise<Config | undefined> {
  const file = path ?? DEFAULT_CONFIG_FILE;
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    if (path === undefined && error instanceof Deno.errors.NotFound) return undefined;
    throw new ConfigError(
      `cannot read the config file ${file}: ${error instanceof Error ? error.message : error}`,
    );
  }
  return parseConfig(text, file);
}
