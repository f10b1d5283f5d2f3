/**
 * The command line grammar of `modelaudit`: its commands, options, help texts
 * and error messages, tokenized as Node's `util.parseArgs` does (see
 * `arg_tokens.ts`). Parsing costs next to nothing at start-up, which a
 * pre-commit hook pays on every commit. The messages and help layout are those the CLI has always printed
 * (they were commander's), so scripts that read them keep working.
 *
 * Parsing never prints and never exits: it returns what to do.
 *
 * @module
 */

import { tokenizeArgs } from "./arg_tokens.ts";
import { longFlag, SCAN_FLAGS, tokenOptions } from "./scan_flags.ts";
import { isRuleSelector, RULES } from "../core/rules.ts";
import type { Severity } from "../core/types.ts";
import { DEFAULT_SCAN_LIMITS, LIMIT_INFO, type LimitSettings, setLimit } from "../engine/limits.ts";
import { TOOL_NAME, TOOL_VERSION } from "../report/summary.ts";
import { WEIGHTS_OFF, WEIGHTS_ON } from "../scanners/option_catalog.ts";

/** The config file looked for in the current directory when `--config` is not given. */
export const DEFAULT_CONFIG_FILE = "modelaudit.toml";
/** Whole-scan budget when `--timeout` is not given, as in ModelAudit. */
const DEFAULT_TIMEOUT_SECONDS = 300;
/** Help is laid out for this many columns, as commander does when stdout is no terminal. */
const HELP_WIDTH = 80;
/** Suggestions ("Did you mean ...?") are at most this many edits away, as in commander. */
const MAX_SUGGESTION_DISTANCE = 3;

const FORMATS = ["text", "json", "sarif"] as const;
const INSPECT_FORMATS = ["text", "json"] as const;
const FAIL_ON: readonly Severity[] = ["critical", "warning", "info"];
const USAGE_HINT = `(run '${TOOL_NAME} --help' for usage)`;

/** The options of `modelaudit scan`, after parsing and defaults. */
export interface ScanFlags {
  format: (typeof FORMATS)[number];
  output?: string;
  maxFileSize: number;
  timeout: number;
  blacklist: string[];
  denyCallable: string[];
  allowCallable: string[];
  /**
   * Every limit set, by `--limit NAME=VALUE` or by the engine's own options (`--max-depth`, ...), in
   * order: the last setting of a limit wins, so a command line overrides its config file.
   */
  limit: LimitSettings;
  verbose?: boolean;
  quiet?: boolean;
  failOn: Severity;
  config?: string;
  select: string[];
  ignore: string[];
  baseline?: string;
  writeBaseline?: string;
  sbom?: string;
}

/** The options of `modelaudit inspect`: a scan's that bound its work, and where the listing goes. */
export interface InspectFlags extends Pick<ScanFlags, "output" | "maxFileSize" | "timeout" | "limit"> {
  format: (typeof INSPECT_FORMATS)[number];
}

/**
 * What a command line asks for. `print` carries text to write as it is (help,
 * version); `error` a message for stderr, exit code 2.
 */
export type Invocation =
  | { command: "print"; text: string; stream: "stdout" | "stderr"; code: 0 | 2 }
  | { command: "error"; message: string }
  | { command: "scan"; paths: string[]; flags: ScanFlags }
  | { command: "inspect"; paths: string[]; flags: InspectFlags }
  | { command: "rules"; id?: string }
  | { command: "limits"; name?: string };

/** A value an option does not accept; the message completes "argument 'X' is invalid." */
class InvalidArgument extends Error {}

interface OptionSpec {
  /** The flags as help shows them, e.g. `-f, --format <format>`. */
  flags: string;
  key: keyof ScanFlags;
  description: string;
  /** Turns the text into the value; absent for a boolean flag. */
  parse?: (value: string, previous: unknown) => unknown;
  /** For a boolean flag: the value it gives its key, from the key's value so far (`true` without it). */
  apply?: (previous: unknown) => unknown;
  choices?: readonly string[];
  default?: unknown;
  /** How help shows the default, when not as JSON. */
  defaultText?: string;
  /** The key of an option this one cannot be combined with. */
  conflicts?: keyof ScanFlags;
}

function wholeNumber(unit: string): (value: string) => number {
  return (value) => {
    const count = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(count)) throw new InvalidArgument(`expected a whole number${unit}.`);
    return count;
  };
}

function positive(what: string): (value: string) => number {
  return (value) => {
    const number = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
    if (!(number > 0) || !Number.isFinite(number)) throw new InvalidArgument(`expected a positive ${what}.`);
    return number;
  };
}

function oneOf(choices: readonly string[]): (value: string) => string {
  return (value) => {
    if (!choices.includes(value)) throw new InvalidArgument(`Allowed choices are ${choices.join(", ")}.`);
    return value;
  };
}

function collectPattern(value: string, previous: unknown): string[] {
  // An empty pattern is a substring of every name and string: every model would be flagged.
  if (value === "") throw new InvalidArgument("the pattern must not be empty.");
  return [...previous as string[], value];
}

const LIMIT_NAMES = LIMIT_INFO.map((limit) => limit.name);
/** No limit set: the start of `--limit` and of the engine's own limit options. */
const NO_LIMITS: LimitSettings = { limits: {}, scannerOptions: {} };

/** Sets the engine limit `name` from an option of its own (`--max-depth 4` is `engine.maxDepth`). */
function engineLimit(
  name: keyof LimitSettings["limits"],
  read: (value: string) => number,
): (value: string, previous: unknown) => LimitSettings {
  return (value, previous) => {
    const settings = previous as LimitSettings;
    return { ...settings, limits: { ...settings.limits, [name]: read(value) } };
  };
}

function collectLimit(value: string, previous: unknown): LimitSettings {
  const equals = value.indexOf("=");
  if (equals < 0) throw new InvalidArgument("expected NAME=VALUE, e.g. pickle.maxOpcodes=1000000.");
  const name = value.slice(0, equals);
  if (!LIMIT_NAMES.includes(name)) {
    throw new InvalidArgument(
      `There is no limit '${name}' (run '${TOOL_NAME} limits' for the list).${suggestion(name, LIMIT_NAMES)}`,
    );
  }
  try {
    return setLimit(previous as LimitSettings, value);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new InvalidArgument(`${error.message}.`);
  }
}

/** A dotted Python name (`mypkg.tools.run`), or with `namespace` a module ending in `.*` (`mypkg.models.*`). */
const CALLABLE_NAME = /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$/;

function collectCallable(namespace: boolean): (value: string, previous: unknown) => string[] {
  return (value, previous) => {
    const name = namespace && value.endsWith(".*") ? value.slice(0, -2) : value;
    if (!CALLABLE_NAME.test(name)) {
      throw new InvalidArgument(`expected a dotted Python name${namespace ? " (or one ending in .*)" : ""}.`);
    }
    return [...previous as string[], value];
  };
}

/** Rule ids or id prefixes, comma-separated (`MA1,MA203`), added to those given before. */
function collectRules(value: string, previous: unknown): string[] {
  const selectors = value.split(",").map((part) => part.trim().toUpperCase());
  const unknown = selectors.find((selector) => !isRuleSelector(selector));
  if (unknown !== undefined) {
    throw new InvalidArgument(
      `"${unknown}" is no rule id or id prefix (run '${TOOL_NAME} rules' for the list).`,
    );
  }
  return [...previous as string[], ...selectors];
}

const HELP_OPTION: OptionSpec = { flags: "-h, --help", key: "verbose", description: "print help" };
const VERSION_OPTION: OptionSpec = {
  flags: "-V, --version",
  key: "verbose",
  description: "print the version",
};

const SCAN_OPTIONS: readonly OptionSpec[] = [
  {
    flags: SCAN_FLAGS.format,
    key: "format",
    description: "report format",
    parse: oneOf(FORMATS),
    choices: FORMATS,
    default: "text",
  },
  {
    flags: SCAN_FLAGS.output,
    key: "output",
    description: "write the report to FILE instead of stdout",
    parse: (value) => value,
  },
  {
    flags: SCAN_FLAGS.maxFileSize,
    key: "maxFileSize",
    description: "skip files larger than BYTES (0: no limit)",
    parse: wholeNumber(" of bytes"),
    default: 0,
  },
  {
    flags: SCAN_FLAGS.timeout,
    key: "timeout",
    description: "time budget for the whole scan; a file still running then is a scan error",
    parse: positive("number of seconds"),
    default: DEFAULT_TIMEOUT_SECONDS,
  },
  {
    flags: SCAN_FLAGS.blacklist,
    key: "blacklist",
    description: "flag file names and strings in models that contain PATTERN (case-insensitive; repeatable)",
    parse: collectPattern,
    default: [],
    defaultText: "none",
  },
  {
    flags: SCAN_FLAGS.denyCallable,
    key: "denyCallable",
    description:
      "deny this Python callable or module, and everything under it, wherever a model names one (repeatable)",
    parse: collectCallable(false),
    default: [],
    defaultText: "none",
  },
  {
    flags: SCAN_FLAGS.allowCallable,
    key: "allowCallable",
    description:
      "trust this Python callable, or a namespace ending in .*, when it would be unknown; never lifts a " +
      "denied one (repeatable)",
    parse: collectCallable(true),
    default: [],
    defaultText: "none",
  },
  {
    flags: SCAN_FLAGS.maxDepth,
    key: "limit",
    description: "do not open containers nested deeper than N",
    parse: engineLimit("maxDepth", wholeNumber("")),
    default: NO_LIMITS,
    defaultText: String(DEFAULT_SCAN_LIMITS.maxDepth),
  },
  {
    flags: SCAN_FLAGS.maxMembers,
    key: "limit",
    description: "inspect at most N archive members per file",
    parse: engineLimit("maxMembers", wholeNumber("")),
    default: NO_LIMITS,
    defaultText: String(DEFAULT_SCAN_LIMITS.maxMembers),
  },
  {
    flags: SCAN_FLAGS.maxDecompressedBytes,
    key: "limit",
    description: "decompress at most BYTES per file",
    parse: engineLimit("maxDecompressedBytes", wholeNumber(" of bytes")),
    default: NO_LIMITS,
    defaultText: String(DEFAULT_SCAN_LIMITS.maxDecompressedBytes),
  },
  {
    flags: SCAN_FLAGS.maxCompressionRatio,
    key: "limit",
    description: "flag members over 64 MiB that decompress more than RATIO times",
    parse: engineLimit("maxCompressionRatio", positive("number")),
    default: NO_LIMITS,
    defaultText: String(DEFAULT_SCAN_LIMITS.maxCompressionRatio),
  },
  {
    flags: SCAN_FLAGS.weights,
    key: "limit",
    description: "analyse every model's weights, large language models included (weights.enabled=2)",
    apply: (previous) => setLimit(previous as LimitSettings, `weights.enabled=${WEIGHTS_ON}`),
    default: NO_LIMITS,
    defaultText: "auto, which reads no value of a large language model",
  },
  {
    flags: SCAN_FLAGS.noWeights,
    key: "limit",
    description: "do not analyse weights: read no tensor's values (weights.enabled=0)",
    apply: (previous) => setLimit(previous as LimitSettings, `weights.enabled=${WEIGHTS_OFF}`),
  },
  {
    flags: SCAN_FLAGS.limit,
    key: "limit",
    description: `set any limit by name, e.g. pickle.maxOpcodes=1000000 ('${TOOL_NAME} limits' lists them; ` +
      "repeatable)",
    parse: collectLimit,
    default: NO_LIMITS,
    defaultText: "none",
  },
  {
    flags: SCAN_FLAGS.verbose,
    key: "verbose",
    description: "list every file, explain each finding, show progress on stderr",
  },
  {
    flags: SCAN_FLAGS.quiet,
    key: "quiet",
    description: "print only the numbered findings and unscannable files; nothing on stderr",
    conflicts: "verbose",
  },
  {
    flags: SCAN_FLAGS.failOn,
    key: "failOn",
    description: "exit 1 when a finding is at or above this severity",
    parse: oneOf(FAIL_ON),
    choices: FAIL_ON,
    default: "warning",
  },
  {
    flags: SCAN_FLAGS.sbom,
    key: "sbom",
    description: "also write a CycloneDX 1.6 ML-BOM of the scanned models and their findings to FILE",
    parse: (value) => value,
  },
  {
    flags: SCAN_FLAGS.select,
    key: "select",
    description: "report only these rules: ids or id prefixes, comma-separated (MA1,MA203; repeatable)",
    parse: collectRules,
    default: [],
    defaultText: "all",
  },
  {
    flags: SCAN_FLAGS.ignore,
    key: "ignore",
    description:
      "do not report these rules: ids or id prefixes, comma-separated (repeatable; wins over --select)",
    parse: collectRules,
    default: [],
    defaultText: "none",
  },
  {
    flags: SCAN_FLAGS.config,
    key: "config",
    description:
      `read options, severities and ignores from FILE (default: ./${DEFAULT_CONFIG_FILE} if it exists)`,
    parse: (value) => value,
  },
  {
    flags: SCAN_FLAGS.baseline,
    key: "baseline",
    description: "suppress the findings recorded in FILE (by --write-baseline): only new ones count",
    parse: (value) => value,
  },
  {
    flags: SCAN_FLAGS.writeBaseline,
    key: "writeBaseline",
    description: "record this scan's findings in FILE, for --baseline",
    parse: (value) => value,
  },
];

/** `inspect` takes the scan options that bound its work, and lists as text or JSON. */
const INSPECT_OPTIONS: readonly OptionSpec[] = [
  {
    flags: SCAN_FLAGS.format,
    key: "format",
    description: "listing format",
    parse: oneOf(INSPECT_FORMATS),
    choices: INSPECT_FORMATS,
    default: "text",
  },
  ...SCAN_OPTIONS.filter((option) =>
    ["--output", "--max-file-size", "--timeout", "--max-depth", "--max-members", "--limit"].includes(
      longFlag(option.flags),
    )
  ),
];

interface CommandSpec {
  name: "scan" | "inspect" | "rules" | "limits";
  /** Arguments as the usage line shows them. */
  usage: string;
  description: string;
  argument: { name: string; description: string; required: boolean; variadic: boolean };
  options: readonly OptionSpec[];
  epilog: boolean;
}

const COMMANDS: readonly CommandSpec[] = [
  {
    name: "scan",
    usage: "<paths...>",
    description: "scan model files and directories (recursively)",
    argument: { name: "paths", description: "files or directories to scan", required: true, variadic: true },
    options: SCAN_OPTIONS,
    epilog: true,
  },
  {
    name: "inspect",
    usage: "<paths...>",
    description:
      "list what model files hold: format, metadata and tensors (name, dtype, shape, size), through containers",
    argument: {
      name: "paths",
      description: "files or directories to inspect",
      required: true,
      variadic: true,
    },
    options: INSPECT_OPTIONS,
    epilog: false,
  },
  {
    name: "rules",
    usage: "[id]",
    description: "list the rules, or explain one",
    argument: { name: "id", description: "a rule id, e.g. MA100", required: false, variadic: false },
    options: [],
    epilog: false,
  },
  {
    name: "limits",
    usage: "[name]",
    description: "list the limits --limit sets, with their defaults and meaning",
    argument: {
      name: "name",
      description: "a scanner (e.g. pickle) or one limit (e.g. pickle.maxOpcodes)",
      required: false,
      variadic: false,
    },
    options: [],
    epilog: false,
  },
];

const PROGRAM_DESCRIPTION =
  "Static security scanner for machine-learning model files: finds code-execution risks without loading them.";

const HELP_EPILOG = `Exit codes:
  0  nothing at or above --fail-on was found, and every file was scanned
  1  a finding at or above --fail-on (default: warning); wins over 2
  2  a file could not be scanned, or an argument is wrong

Examples:
  ${TOOL_NAME} scan ./models
  ${TOOL_NAME} scan --format json --output report.json model.pkl
  ${TOOL_NAME} scan --limit pickle.maxOpcodes=1000000 ./untrusted
  ${TOOL_NAME} inspect model.safetensors   # its metadata and tensors
  ${TOOL_NAME} rules          # the ${Object.keys(RULES).length} rules
  ${TOOL_NAME} rules MA100    # one rule explained
  ${TOOL_NAME} limits         # the ${LIMIT_INFO.length} limits and their defaults
`;

/** Greedy word wrap of `text` to `width` columns, continuation lines indented by `indent`. */
function wrap(text: string, width: number, indent: number): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  lines.push(line);
  return lines.join(`\n${" ".repeat(indent)}`);
}

function optionDescription(option: OptionSpec): string {
  const extras: string[] = [];
  if (option.choices) extras.push(`choices: ${option.choices.map((c) => JSON.stringify(c)).join(", ")}`);
  if (option.default !== undefined || option.defaultText !== undefined) {
    extras.push(`default: ${option.defaultText ?? JSON.stringify(option.default)}`);
  }
  return extras.length ? `${option.description} (${extras.join(", ")})` : option.description;
}

function renderHelp(
  usage: string,
  description: string,
  sections: [string, [string, string][]][],
  epilog: boolean,
): string {
  const termWidth = Math.max(...sections.flatMap(([, items]) => items.map(([term]) => term.length)));
  const descriptionWidth = HELP_WIDTH - termWidth - 4;
  const parts = [`Usage: ${usage}\n`, `${wrap(description, HELP_WIDTH, 0)}\n`];
  for (const [title, items] of sections) {
    const rows = items.map(([term, text]) =>
      `  ${term.padEnd(termWidth)}  ${wrap(text, descriptionWidth, termWidth + 4)}`
    );
    parts.push(`${title}:\n${rows.join("\n")}\n`);
  }
  if (epilog) parts.push(HELP_EPILOG);
  return parts.join("\n");
}

function programHelp(): string {
  return renderHelp(`${TOOL_NAME} [options] [command]`, PROGRAM_DESCRIPTION, [
    ["Options", [VERSION_OPTION, HELP_OPTION].map((option) => [option.flags, option.description])],
    ["Commands", [
      ...COMMANDS.map((c): [string, string] => [
        `${c.name}${c.options.length ? " [options]" : ""} ${c.usage}`,
        c.description,
      ]),
      ["help [command]", "display help for command"],
    ]],
  ], true);
}

function commandHelp(command: CommandSpec): string {
  return renderHelp(`${TOOL_NAME} ${command.name} [options] ${command.usage}`, command.description, [
    ["Arguments", [[command.argument.name, command.argument.description]]],
    ["Options", [...command.options, HELP_OPTION].map((o) => [o.flags, optionDescription(o)])],
  ], command.epilog);
}

/** Optimal string alignment distance, with an early exit past {@linkcode MAX_SUGGESTION_DISTANCE}. */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > MAX_SUGGESTION_DISTANCE) return Math.max(a.length, b.length);
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let j = 1; j <= b.length; j++) {
    for (let i = 1; i <= a.length; i++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/** "\n(Did you mean X?)" for the closest candidates, or "" when none is close enough. */
function suggestion(word: string, candidates: readonly string[]): string {
  const dashes = word.startsWith("--") ? 2 : 0;
  const bare = word.slice(dashes);
  let best: string[] = [];
  let bestDistance = MAX_SUGGESTION_DISTANCE;
  for (const candidate of new Set(candidates.map((c) => c.slice(dashes)))) {
    if (candidate.length <= 1) continue;
    const distance = editDistance(bare, candidate);
    const length = Math.max(bare.length, candidate.length);
    if ((length - distance) / length <= 0.4) continue;
    if (distance < bestDistance) {
      bestDistance = distance;
      best = [candidate];
    } else if (distance === bestDistance) {
      best.push(candidate);
    }
  }
  const similar = best.sort((a, b) => a.localeCompare(b)).map((c) => `${"-".repeat(dashes)}${c}`);
  if (similar.length > 1) return `\n(Did you mean one of ${similar.join(", ")}?)`;
  return similar.length ? `\n(Did you mean ${similar[0]}?)` : "";
}

function usageError(message: string): Invocation {
  return { command: "error", message: `error: ${message}\n${USAGE_HINT}\n` };
}

function unknownOption(flag: string, options: readonly OptionSpec[]): Invocation {
  const candidates = [...options, HELP_OPTION, VERSION_OPTION].map((option) => longFlag(option.flags));
  return usageError(`unknown option '${flag}'${flag.startsWith("--") ? suggestion(flag, candidates) : ""}`);
}

const isHelp = (arg: string) => arg === "-h" || arg === "--help";

/** Parses a command's arguments in commander's order: values, then help, conflicts, unknown options, operands. */
function parseCommand(command: CommandSpec, args: string[]): Invocation {
  const bySpec = new Map(command.options.map((option) => [longFlag(option.flags).slice(2), option]));
  const tokens = tokenizeArgs(args, tokenOptions(command.options.map((option) => option.flags)));

  const values: Record<string, unknown> = {};
  // Options sharing a key (`--limit`, `--max-depth`, `--weights`, ...) share its default.
  for (const option of command.options) if (option.default !== undefined) values[option.key] = option.default;
  const operands: string[] = [];
  let help = false;
  let unknown: string | undefined;
  let groupIndex = -1;
  let groupPosition = 0;
  for (const token of tokens) {
    if (token.kind === "option-terminator") continue;
    if (token.kind === "positional") {
      if (unknown === undefined) operands.push(token.value);
      continue;
    }
    // The place of a short flag in a group like `-vq`, to name an unknown one as commander did.
    groupPosition = token.index === groupIndex ? groupPosition + 1 : 0;
    groupIndex = token.index;
    if (unknown !== undefined) {
      help ||= isHelp(token.rawName) && token.inlineValue === undefined;
      continue;
    }
    if (token.name === "help" && token.inlineValue === undefined) {
      help = true;
      continue;
    }
    const option = bySpec.get(token.name);
    const raw = args[token.index];
    if (!option || (!option.parse && token.inlineValue !== undefined)) {
      unknown = raw.startsWith("--") || groupPosition === 0 ? raw : `-${raw.slice(groupPosition + 1)}`;
      continue;
    }
    if (!option.parse) {
      values[option.key] = option.apply ? option.apply(values[option.key]) : true;
      continue;
    }
    if (token.value === undefined) return usageError(`option '${option.flags}' argument missing`);
    try {
      values[option.key] = option.parse(token.value, values[option.key]);
    } catch (error) {
      if (!(error instanceof InvalidArgument)) throw error;
      return usageError(`option '${option.flags}' argument '${token.value}' is invalid. ${error.message}`);
    }
  }
  if (help) return { command: "print", text: commandHelp(command), stream: "stdout", code: 0 };
  for (const option of command.options) {
    if (option.conflicts && values[option.key] && values[option.conflicts]) {
      const other = command.options.find((o) => o.key === option.conflicts)!;
      return usageError(`option '${option.flags}' cannot be used with option '${other.flags}'`);
    }
  }
  if (unknown !== undefined) return unknownOption(unknown, command.options);
  const { argument } = command;
  if (argument.required && operands.length === 0) {
    return usageError(`missing required argument '${argument.name}'`);
  }
  if (!argument.variadic && operands.length > 1) {
    return usageError(
      `too many arguments for '${command.name}'. Expected 1 argument but got ${operands.length}.`,
    );
  }
  switch (command.name) {
    case "scan":
      return { command: "scan", paths: operands, flags: values as unknown as ScanFlags };
    case "inspect":
      return { command: "inspect", paths: operands, flags: values as unknown as InspectFlags };
    case "rules":
      return { command: "rules", id: operands[0] };
    case "limits":
      return { command: "limits", name: operands[0] };
  }
}

/**
 * Parses a `modelaudit` command line (without the program name).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TOOL_VERSION } from "../report/summary.ts";
 * import { parseCommandLine } from "./args.ts";
 * const parsed = parseCommandLine(["scan", "--format", "json", "models"]);
 * assert.equal(parsed.command, "scan");
 * if (parsed.command === "scan") {
 *   assert.deepEqual(parsed.paths, ["models"]);
 *   assert.equal(parsed.flags.format, "json");
 * }
 * assert.deepEqual(parseCommandLine(["--version"]), {
 *   command: "print",
 *   text: `modelaudit ${TOOL_VERSION}\n`,
 *   stream: "stdout",
 *   code: 0,
 * });
 * assert.deepEqual(parseCommandLine(["rules", "MA101"]), { command: "rules", id: "MA101" });
 * ```
 */
export function parseCommandLine(args: readonly string[]): Invocation {
  const end = args.indexOf("--");
  const options = end < 0 ? args : args.slice(0, end);
  // The program's own options count wherever they stand, as they did with commander.
  if (options.some((arg) => arg === "-V" || arg === "--version")) {
    return { command: "print", text: `${TOOL_NAME} ${TOOL_VERSION}\n`, stream: "stdout", code: 0 };
  }
  const [name, ...rest] = args;
  if (name === undefined) return { command: "print", text: programHelp(), stream: "stderr", code: 2 };
  if (name.startsWith("-") && name !== "-") {
    if (options.some(isHelp)) return { command: "print", text: programHelp(), stream: "stdout", code: 0 };
    return unknownOption(name, []);
  }
  if (name === "help") {
    const topic = rest.find((arg) => !arg.startsWith("-"));
    const command = COMMANDS.find((c) => c.name === topic);
    if (command) return { command: "print", text: commandHelp(command), stream: "stdout", code: 0 };
    return topic === undefined
      ? { command: "print", text: programHelp(), stream: "stdout", code: 0 }
      : { command: "print", text: programHelp(), stream: "stderr", code: 2 };
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    return usageError(
      `unknown command '${name}'${suggestion(name, [...COMMANDS.map((c) => c.name), "help"])}`,
    );
  }
  return parseCommand(command, rest);
}
