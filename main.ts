/**
 * The `modelaudit` command line: parses arguments, runs the scan, prints
 * progress on stderr, writes the report to stdout or `--output`, and turns the
 * result into the exit code. It knows no model format; the engine and the
 * renderers do.
 *
 * Exit codes: 0 clean, 1 a finding at or above `--fail-on`, 2 a file could not
 * be scanned or the command line was wrong (findings win over errors).
 *
 * @module
 */

import { dirname } from "node:path";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { isRuleId, RULES } from "./core/rules.ts";
import type { Severity } from "./core/types.ts";
import { DEFAULT_SCAN_LIMITS, scan, type ScanProgress } from "./mod.ts";
import { renderJson } from "./report/json.ts";
import { renderRule, renderRuleList } from "./report/rules.ts";
import {
  EXIT_CLEAN,
  EXIT_ERROR,
  type ExitCode,
  exitCode,
  plural,
  TOOL_NAME,
  TOOL_VERSION,
} from "./report/summary.ts";
import { escapeTerminal, renderText } from "./report/text.ts";

/** Whole-scan budget when `--timeout` is not given, as in ModelAudit. */
const DEFAULT_TIMEOUT_SECONDS = 300;

const FORMATS = ["text", "json"] as const;
const FAIL_ON: readonly Severity[] = ["critical", "warning", "info"];

const HELP_EPILOG = `
Exit codes:
  0  nothing at or above --fail-on was found, and every file was scanned
  1  a finding at or above --fail-on (default: warning); wins over 2
  2  a file could not be scanned, or an argument is wrong

Examples:
  ${TOOL_NAME} scan ./models
  ${TOOL_NAME} scan --format json --output report.json model.pkl
  ${TOOL_NAME} rules          # the ${Object.keys(RULES).length} rules
  ${TOOL_NAME} rules MA100    # one rule explained`;

interface ScanFlags {
  format: (typeof FORMATS)[number];
  output?: string;
  maxFileSize: number;
  timeout: number;
  blacklist: string[];
  denyCallable: string[];
  allowCallable: string[];
  maxDepth: number;
  maxMembers: number;
  maxDecompressedBytes: number;
  maxCompressionRatio: number;
  verbose?: boolean;
  quiet?: boolean;
  failOn: Severity;
}

const encoder = new TextEncoder();

async function writeAll(stream: { write(p: Uint8Array): Promise<number> }, text: string): Promise<void> {
  let bytes = encoder.encode(text);
  while (bytes.length) bytes = bytes.subarray(await stream.write(bytes));
}

function writeAllSync(stream: { writeSync(p: Uint8Array): number }, text: string): void {
  let bytes = encoder.encode(text);
  while (bytes.length) bytes = bytes.subarray(stream.writeSync(bytes));
}

function complain(message: string): void {
  console.error(`${TOOL_NAME}: ${message}`);
}

function wholeNumberParser(unit: string): (value: string) => number {
  return (value) => {
    const count = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(count)) throw new InvalidArgumentError(`expected a whole number${unit}.`);
    return count;
  };
}

const parseByteCount = wholeNumberParser(" of bytes");
const parseCount = wholeNumberParser("");

function parsePositive(value: string): number {
  const count = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!(count > 0) || !Number.isFinite(count)) throw new InvalidArgumentError("expected a positive number.");
  return count;
}

function parseSeconds(value: string): number {
  const seconds = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!(seconds > 0) || !Number.isFinite(seconds)) {
    throw new InvalidArgumentError("expected a positive number of seconds.");
  }
  return seconds;
}

function collectPattern(value: string, previous: string[]): string[] {
  // An empty pattern is a substring of every name and string: every model would be flagged.
  if (value === "") throw new InvalidArgumentError("the pattern must not be empty.");
  return [...previous, value];
}

/** A dotted Python name (`mypkg.tools.run`), or with `namespace` a module ending in `.*` (`mypkg.models.*`). */
const CALLABLE_NAME = /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$/;

function collectCallable(namespace: boolean) {
  return (value: string, previous: string[]): string[] => {
    const name = namespace && value.endsWith(".*") ? value.slice(0, -2) : value;
    if (!CALLABLE_NAME.test(name)) {
      throw new InvalidArgumentError(
        `expected a dotted Python name${namespace ? " (or one ending in .*)" : ""}.`,
      );
    }
    return [...previous, value];
  };
}

/** An environment variable, or `undefined` when it is unset or we may not read it. */
function readEnv(name: string): string | undefined {
  return Deno.permissions.querySync({ name: "env", variable: name }).state === "granted"
    ? Deno.env.get(name)
    : undefined;
}

/**
 * Colors only for a terminal on stdout. A non-empty `NO_COLOR` always wins;
 * `FORCE_COLOR` (set, and not `0` or `false`, as Node reads it) colors a pipe.
 */
function stdoutWantsColor(): boolean {
  const noColor = readEnv("NO_COLOR");
  // Deno.noColor is Deno's own reading of NO_COLOR, for when we may not read it ourselves.
  if (noColor !== undefined ? noColor !== "" : Deno.noColor) return false;
  const force = readEnv("FORCE_COLOR");
  return (force !== undefined && force !== "0" && force !== "false") || Deno.stdout.isTerminal();
}

function progressLine(event: ScanProgress): string {
  if (event.type === "start") return `Scanning ${plural(event.total, "file")}…`;
  const { result } = event;
  const state = result.status === "error"
    ? `error: ${result.reason ?? "unknown"}`
    : result.status === "skipped"
    ? `skipped${result.reason ? `: ${result.reason}` : ""}`
    : `${result.format}, ${plural(result.findings.length, "finding")}`;
  return `[${event.done}/${event.total}] ${escapeTerminal(result.path)}: ${escapeTerminal(state)}`;
}

async function runScan(paths: string[], flags: ScanFlags): Promise<ExitCode> {
  if (flags.output !== undefined) {
    // Fail before a long scan rather than after it when the report cannot be written.
    const parent = dirname(flags.output);
    const info = await Deno.stat(parent).catch(() => undefined);
    if (!info?.isDirectory) {
      complain(`cannot write the report to ${flags.output}: ${parent} is not a directory`);
      return EXIT_ERROR;
    }
  }
  let result;
  try {
    result = await scan(paths, {
      maxFileSize: flags.maxFileSize,
      timeoutMs: flags.timeout * 1000,
      blacklist: flags.blacklist,
      extraDenied: flags.denyCallable,
      extraAllowed: flags.allowCallable,
      limits: {
        maxDepth: flags.maxDepth,
        maxMembers: flags.maxMembers,
        maxDecompressedBytes: flags.maxDecompressedBytes,
        maxCompressionRatio: flags.maxCompressionRatio,
      },
      onProgress: flags.verbose ? (event) => console.error(progressLine(event)) : undefined,
    });
  } catch (error) {
    complain(`the scan failed: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT_ERROR;
  }
  const toStdout = flags.output === undefined;
  const report = flags.format === "json" ? renderJson(result) : renderText(result, {
    color: toStdout && stdoutWantsColor(),
    verbose: flags.verbose,
    quiet: flags.quiet,
  });
  if (toStdout) {
    try {
      await writeAll(Deno.stdout, report);
    } catch (error) {
      // A reader that stops early (`| head`) is not an error of the scan.
      if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
    }
  } else {
    try {
      await Deno.writeTextFile(flags.output!, report);
    } catch (error) {
      complain(
        `cannot write the report to ${flags.output}: ${error instanceof Error ? error.message : error}`,
      );
      return EXIT_ERROR;
    }
    if (!flags.quiet) complain(`report written to ${flags.output}`);
  }
  return exitCode(result, flags.failOn);
}

async function runRules(id: string | undefined): Promise<ExitCode> {
  if (id === undefined) {
    await writeAll(Deno.stdout, renderRuleList(Object.values(RULES)));
    return EXIT_CLEAN;
  }
  const upper = id.toUpperCase();
  if (!isRuleId(upper)) {
    complain(`unknown rule '${id}' (run '${TOOL_NAME} rules' for the list)`);
    return EXIT_ERROR;
  }
  await writeAll(Deno.stdout, renderRule(RULES[upper]));
  return EXIT_CLEAN;
}

function buildProgram(setExit: (code: ExitCode) => void): Command {
  const program = new Command()
    .name(TOOL_NAME)
    .description(
      "Static security scanner for machine-learning model files: finds code-execution risks without loading them.",
    )
    .version(`${TOOL_NAME} ${TOOL_VERSION}`, "-V, --version", "print the version")
    .helpOption("-h, --help", "print help")
    .exitOverride()
    .showHelpAfterError(`(run '${TOOL_NAME} --help' for usage)`)
    .addHelpText("after", HELP_EPILOG)
    .configureOutput({
      writeOut: (text) => writeAllSync(Deno.stdout, text),
      writeErr: (text) => writeAllSync(Deno.stderr, text),
      // Commander would otherwise probe the terminal through environment variables we may not read.
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    });

  program.command("scan")
    .description("scan model files and directories (recursively)")
    .argument("<paths...>", "files or directories to scan")
    .addOption(new Option("-f, --format <format>", "report format").choices(FORMATS).default("text"))
    .option("-o, --output <file>", "write the report to FILE instead of stdout")
    .option("--max-file-size <bytes>", "skip files larger than BYTES (0: no limit)", parseByteCount, 0)
    .option(
      "--timeout <seconds>",
      "time budget for the whole scan; a file still running then is a scan error",
      parseSeconds,
      DEFAULT_TIMEOUT_SECONDS,
    )
    .addOption(
      new Option(
        "-b, --blacklist <pattern>",
        "flag file names and strings in models that contain PATTERN (case-insensitive; repeatable)",
      ).argParser(collectPattern).default([], "none"),
    )
    .addOption(
      new Option(
        "--deny-callable <name>",
        "deny this Python callable or module, and everything under it, wherever a model names one (repeatable)",
      ).argParser(collectCallable(false)).default([], "none"),
    )
    .addOption(
      new Option(
        "--allow-callable <name>",
        "trust this Python callable, or a namespace ending in .*, when it would be unknown; never lifts a " +
          "denied one (repeatable)",
      ).argParser(collectCallable(true)).default([], "none"),
    )
    .option(
      "--max-depth <n>",
      "do not open containers nested deeper than N",
      parseCount,
      DEFAULT_SCAN_LIMITS.maxDepth,
    )
    .option(
      "--max-members <n>",
      "inspect at most N archive members per file",
      parseCount,
      DEFAULT_SCAN_LIMITS.maxMembers,
    )
    .option(
      "--max-decompressed-bytes <bytes>",
      "decompress at most BYTES per file",
      parseByteCount,
      DEFAULT_SCAN_LIMITS.maxDecompressedBytes,
    )
    .option(
      "--max-compression-ratio <ratio>",
      "flag members over 64 MiB that decompress more than RATIO times",
      parsePositive,
      DEFAULT_SCAN_LIMITS.maxCompressionRatio,
    )
    .addOption(new Option("-v, --verbose", "list every file, explain each finding, show progress on stderr"))
    .addOption(
      new Option("-q, --quiet", "print only the numbered findings and unscannable files; nothing on stderr")
        .conflicts("verbose"),
    )
    .addOption(
      new Option("--fail-on <severity>", "exit 1 when a finding is at or above this severity")
        .choices(FAIL_ON).default("warning"),
    )
    .addHelpText("after", HELP_EPILOG)
    .action(async (paths: string[], flags: ScanFlags) => setExit(await runScan(paths, flags)));

  program.command("rules")
    .description("list the rules, or explain one")
    .argument("[id]", "a rule id, e.g. MA100")
    .action(async (id: string | undefined) => setExit(await runRules(id)));

  return program;
}

/**
 * Runs the command line with `args` (without the program name) and returns the exit code.
 *
 * @example
 * ```ts
 * import { main } from "./main.ts";
 * const code = await main(["rules"]); // prints the rule catalog, returns 0
 * ```
 */
export async function main(args: string[]): Promise<ExitCode> {
  let code: ExitCode = EXIT_CLEAN;
  const program = buildProgram((c) => code = c);
  try {
    await program.parseAsync(args, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_CLEAN : EXIT_ERROR;
    throw error;
  }
  return code;
}

function crash(error: unknown): never {
  complain(`internal error: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  // Exit 1 means "findings"; a crash must not look like a verdict on the models.
  Deno.exit(EXIT_ERROR);
}

if (import.meta.main) {
  globalThis.addEventListener("unhandledrejection", (event) => crash(event.reason));
  globalThis.addEventListener("error", (event) => crash(event.error));
  Deno.exit(await main(Deno.args).catch(crash));
}
