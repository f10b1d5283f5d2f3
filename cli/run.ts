/**
 * The `modelaudit` command line: parses arguments, runs the scan, prints
 * progress on stderr, writes the report to stdout or `--output`, and turns the
 * result into the exit code. It knows no model format; the engine and the
 * renderers do.
 *
 * Exit codes: 0 clean, 1 a finding at or above `--fail-on`, 2 a file could not
 * be scanned or the command line was wrong (findings win over errors).
 *
 * Start-up is what a pre-commit hook or a CI gate feels on every run, so this
 * module loads only the argument parser and the engine's entry, while the first
 * scan worker (which `main.ts` started before loading it) boots; the renderers
 * load while the scan runs, and the scanners load in the sandboxed workers that
 * use them.
 *
 * @module
 */

import { DEFAULT_CONFIG_FILE, type InspectFlags, parseCommandLine, type ScanFlags } from "./args.ts";
import type { Config } from "./config.ts";
import type { ScanResult } from "../core/types.ts";
import { isRuleId, RULES } from "../core/rules.ts";
import { LIMIT_INFO } from "../engine/limits.ts";
import { dirnamePath } from "../engine/paths.ts";
import { inspect, scan, type ScanProgress } from "../engine/scan.ts";
import { EXIT_CLEAN, EXIT_ERROR, type ExitCode, exitCode, plural, TOOL_NAME } from "../report/summary.ts";
import type { TextOptions } from "../report/text.ts";

/** Where the CLI writes: `Deno.stdout` and `Deno.stderr`, or a test's capture. */
export interface CliOutput {
  write(bytes: Uint8Array): Promise<number>;
  /** Whether this is a terminal, which turns colors on; absent means no. */
  isTerminal?(): boolean;
}

/** The world {@linkcode runCli} talks to: its output streams and its environment. */
export interface CliContext {
  stdout: CliOutput;
  stderr: CliOutput;
  /** An environment variable, or `undefined` when it is unset (or may not be read). */
  env(name: string): string | undefined;
  /** Whether colors are off when `NO_COLOR` cannot be read (Deno's own reading of it). */
  noColor?: boolean;
}

const encoder = new TextEncoder();

async function writeAll(stream: CliOutput, text: string): Promise<void> {
  let bytes = encoder.encode(text);
  while (bytes.length) bytes = bytes.subarray(await stream.write(bytes));
}

/** An environment variable, or `undefined` when it is unset or we may not read it. */
function readEnv(name: string): string | undefined {
  return Deno.permissions.querySync({ name: "env", variable: name }).state === "granted"
    ? Deno.env.get(name)
    : undefined;
}

/** The process's own streams and environment. */
function processContext(): CliContext {
  return { stdout: Deno.stdout, stderr: Deno.stderr, env: readEnv, noColor: Deno.noColor };
}

/**
 * Colors only for a terminal on stdout. A non-empty `NO_COLOR` always wins;
 * `FORCE_COLOR` (set, and not `0` or `false`, as Node reads it) colors a pipe.
 */
function stdoutWantsColor(context: CliContext): boolean {
  const noColor = context.env("NO_COLOR");
  if (noColor !== undefined ? noColor !== "" : context.noColor) return false;
  const force = context.env("FORCE_COLOR");
  return (force !== undefined && force !== "0" && force !== "false") ||
    (context.stdout.isTerminal?.() ?? false);
}

/** A finished scan as the report the user asked for. */
type Renderer = (result: ScanResult, text: TextOptions) => string;

/**
 * The renderer of `format`; only its module loads (SARIF's needs Node's
 * modules, which cost a process some 6 ms to set up), while the scan runs.
 */
function loadRenderer(format: ScanFlags["format"]): Promise<Renderer> {
  switch (format) {
    case "json":
      return import("../report/json.ts").then(({ renderJson }) => (result) => renderJson(result));
    case "sarif":
      // SARIF paths are relative to where the scan was run from, as the paths the user gave are.
      return import("../report/sarif.ts").then(({ renderSarif }) => (result) =>
        renderSarif(result, { root: Deno.cwd() })
      );
    case "text":
      return import("../report/text.ts").then(({ renderText }) => renderText);
  }
}

function progressLine(escapeTerminal: (text: string) => string, event: ScanProgress): string {
  if (event.type === "start") return `Scanning ${plural(event.total, "file")}…`;
  const { result } = event;
  const state = result.status === "error"
    ? `error: ${result.reason ?? "unknown"}`
    : result.status === "skipped"
    ? `skipped${result.reason ? `: ${result.reason}` : ""}`
    : `${result.format}, ${plural(result.findings.length, "finding")}`;
  return `[${event.done}/${event.total}] ${escapeTerminal(result.path)}: ${escapeTerminal(state)}`;
}

/**
 * What `path` is, or undefined when it cannot be known. Synchronous, as every file system call
 * before the scan starts: the first scan worker is loading on the other core by then, and an
 * asynchronous call's reply waited some 3 ms for a thread to run on.
 */
function statOrUndefined(path: string): Deno.FileInfo | undefined {
  try {
    return Deno.statSync(path);
  } catch {
    return undefined;
  }
}

/** The terminal's width, or 80 when it cannot be known. */
function terminalColumns(): number {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 80;
  }
}

class Cli {
  readonly #context: CliContext;
  /** Lines for stderr, written in order while the scan goes on. */
  #stderrQueue: Promise<void> = Promise.resolve();

  constructor(context: CliContext) {
    this.#context = context;
  }

  complain(message: string): void {
    this.#stderrQueue = this.#stderrQueue.then(() =>
      writeAll(this.#context.stderr, `${TOOL_NAME}: ${message}\n`)
    );
  }

  async run(args: readonly string[]): Promise<ExitCode> {
    const invocation = parseCommandLine(args);
    try {
      switch (invocation.command) {
        case "print":
          await writeAll(this.#context[invocation.stream], invocation.text);
          return invocation.code;
        case "error":
          await writeAll(this.#context.stderr, invocation.message);
          return EXIT_ERROR;
        case "rules":
          return await this.#rules(invocation.id);
        case "limits":
          return await this.#limits(invocation.name);
        case "scan":
          return await this.#configuredScan(args, invocation.paths, invocation.flags);
        case "inspect":
          return await this.#inspect(invocation.paths, invocation.flags);
      }
    } finally {
      await this.#stderrQueue;
    }
  }

  /**
   * Reads the config file (`--config`, or ./modelaudit.toml when there is one) and scans with its
   * options placed before the command line's, so the command line wins and repeatable options add up.
   * The config modules load only when there is a file to read.
   */
  async #configuredScan(args: readonly string[], paths: string[], flags: ScanFlags): Promise<ExitCode> {
    const path = flags.config ??
      (statOrUndefined(DEFAULT_CONFIG_FILE)?.isFile ? DEFAULT_CONFIG_FILE : undefined);
    if (path === undefined) return await this.#scan(paths, flags);
    const [{ loadConfig }, { ConfigError }] = await Promise.all([
      import("./config.ts"),
      import("./config_error.ts"),
    ]);
    let config: Config | undefined;
    try {
      config = await loadConfig(path);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      this.complain(error.message);
      return EXIT_ERROR;
    }
    for (const { keyPath, args: keyArgs } of config!.scanArgs) {
      const checked = parseCommandLine(["scan", ...keyArgs, "."]);
      if (checked.command === "error") {
        this.complain(`${path}: ${keyPath}: ${checked.message.split("\n")[0].replace(/^error: /, "")}`);
        return EXIT_ERROR;
      }
    }
    const at = args.indexOf("scan") + 1;
    const merged = parseCommandLine([
      ...args.slice(0, at),
      ...config!.scanArgs.flatMap((group) => group.args),
      ...args.slice(at),
    ]);
    // Each key parsed alone, and the command line parsed without them: together they parse too.
    if (merged.command !== "scan") throw new Error(`the config file's options broke the command line`);
    return await this.#scan(merged.paths, merged.flags, config);
  }

  async #scan(paths: string[], flags: ScanFlags, config?: Config): Promise<ExitCode> {
    if (flags.output !== undefined) {
      // Fail before a long scan rather than after it when the report cannot be written.
      const parent = dirnamePath(flags.output);
      if (!statOrUndefined(parent)?.isDirectory) {
        this.complain(`cannot write the report to ${flags.output}: ${parent} is not a directory`);
        return EXIT_ERROR;
      }
    }
    let baseline: Set<string> | undefined;
    if (flags.baseline !== undefined) {
      // Read before the scan: a missing or broken baseline must not cost a whole scan first.
      const { loadBaseline } = await import("./baseline.ts");
      const { ConfigError } = await import("./config_error.ts");
      try {
        baseline = await loadBaseline(flags.baseline);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        this.complain(error.message);
        return EXIT_ERROR;
      }
    }
    const rendering = loadRenderer(flags.format);
    // Progress lines are written as the scan goes, so their escaping loads before it.
    const escapeTerminal = flags.verbose ? (await import("../report/text.ts")).escapeTerminal : undefined;
    // On a terminal, a long scan shows one line that is redrawn in place and erased at the end.
    // Its module loads only then: a pre-commit hook's piped run never pays for it.
    const progress = !flags.verbose && !flags.quiet && this.#context.stderr.isTerminal?.()
      ? new (await import("./progress.ts")).ProgressLine(
        (text) => {
          this.#stderrQueue = this.#stderrQueue.then(() => writeAll(this.#context.stderr, text));
        },
        () => performance.now(),
        terminalColumns(),
      )
      : undefined;
    let scanned;
    try {
      scanned = await scan(paths, {
        maxFileSize: flags.maxFileSize,
        timeoutMs: flags.timeout * 1000,
        blacklist: flags.blacklist,
        extraDenied: flags.denyCallable,
        extraAllowed: flags.allowCallable,
        limits: flags.limit.limits,
        scannerOptions: flags.limit.scannerOptions,
        onProgress: flags.verbose
          ? (event) => {
            const line = progressLine(escapeTerminal!, event);
            this.#stderrQueue = this.#stderrQueue.then(() => writeAll(this.#context.stderr, `${line}\n`));
          }
          : progress && ((event) => progress.update(event)),
      });
    } catch (error) {
      this.complain(`the scan failed: ${error instanceof Error ? error.message : String(error)}`);
      return EXIT_ERROR;
    } finally {
      progress?.finish();
    }
    const result = await this.#triage(scanned, flags, config, baseline);
    if (flags.writeBaseline !== undefined) {
      const { renderBaseline } = await import("./baseline.ts");
      try {
        await Deno.writeTextFile(flags.writeBaseline, renderBaseline(result, Deno.cwd()));
      } catch (error) {
        this.complain(
          `cannot write the baseline to ${flags.writeBaseline}: ${
            error instanceof Error ? error.message : error
          }`,
        );
        return EXIT_ERROR;
      }
      if (!flags.quiet) this.complain(`baseline written to ${flags.writeBaseline}`);
    }
    if (flags.sbom !== undefined && !await this.#writeSbom(result, flags.sbom, flags.quiet)) {
      return EXIT_ERROR;
    }
    const toStdout = flags.output === undefined;
    const report = (await rendering)(result, {
      color: toStdout && stdoutWantsColor(this.#context),
      verbose: flags.verbose,
      quiet: flags.quiet,
    });
    if (!await this.#emit(report, flags.output, flags.quiet)) return EXIT_ERROR;
    return exitCode(result, flags.failOn);
  }

  /**
   * Lists what the files hold (`inspect`): exit 0, or 2 when a file could not be read. Findings
   * do not change it: inspecting is no verdict, `scan` is.
   */
  async #inspect(paths: string[], flags: InspectFlags): Promise<ExitCode> {
    const rendering = flags.format === "json"
      ? import("../report/inspect_json.ts").then(({ renderInspectJson }) => renderInspectJson)
      : import("../report/inspect_text.ts").then(({ renderInspectText }) => renderInspectText);
    let result;
    try {
      result = await inspect(paths, {
        maxFileSize: flags.maxFileSize,
        timeoutMs: flags.timeout * 1000,
        limits: flags.limit.limits,
        scannerOptions: flags.limit.scannerOptions,
      });
    } catch (error) {
      this.complain(`the inspection failed: ${error instanceof Error ? error.message : String(error)}`);
      return EXIT_ERROR;
    }
    if (!await this.#emit((await rendering)(result), flags.output)) return EXIT_ERROR;
    return result.files.some((file) => file.status === "error") ? EXIT_ERROR : EXIT_CLEAN;
  }

  /** Writes `report` to stdout, or to `output`; false when it cannot be written. */
  async #emit(report: string, output: string | undefined, quiet?: boolean): Promise<boolean> {
    if (output === undefined) {
      try {
        await writeAll(this.#context.stdout, report);
      } catch (error) {
        // A reader that stops early (`| head`) is not an error of the scan.
        if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
      }
      return true;
    }
    try {
      await Deno.writeTextFile(output, report);
    } catch (error) {
      this.complain(
        `cannot write the report to ${output}: ${error instanceof Error ? error.message : error}`,
      );
      return false;
    }
    if (!quiet) this.complain(`report written to ${output}`);
    return true;
  }

  /** Writes the ML-BOM of `result` to `path`, with the SHA-256 of every scanned file; false when it cannot. */
  async #writeSbom(result: ScanResult, path: string, quiet?: boolean): Promise<boolean> {
    const [{ renderCycloneDx }, { sha256Files }] = await Promise.all([
      import("../report/cyclonedx.ts"),
      import("./file_hashes.ts"),
    ]);
    const hashes = await sha256Files(
      result.files.filter((file) => file.status !== "error").map((file) => file.path),
    );
    try {
      await Deno.writeTextFile(path, renderCycloneDx(result, { hashes }));
    } catch (error) {
      this.complain(`cannot write the ML-BOM to ${path}: ${error instanceof Error ? error.message : error}`);
      return false;
    }
    if (!quiet) this.complain(`ML-BOM written to ${path}`);
    return true;
  }

  /** The scan as the user's selections, severities, ignores and baseline make it; untouched without them. */
  async #triage(
    result: ScanResult,
    flags: ScanFlags,
    config: Config | undefined,
    baseline: Set<string> | undefined,
  ): Promise<ScanResult> {
    const severity = config?.severity ?? {};
    const wanted = flags.select.length || flags.ignore.length || Object.keys(severity).length ||
      config?.ignores.length || baseline;
    if (!wanted) return result;
    const { triage } = await import("./triage.ts");
    return triage(result, {
      select: flags.select,
      ignore: flags.ignore,
      severity,
      ...(config ? { ignores: { file: config.path, entries: config.ignores } } : {}),
      ...(baseline ? { baseline: { file: flags.baseline!, fingerprints: baseline } } : {}),
      root: Deno.cwd(),
      today: new Date().toISOString().slice(0, 10),
    });
  }

  /** Every limit, or those of one scanner (`pickle`), or one (`pickle.maxOpcodes`). */
  async #limits(name: string | undefined): Promise<ExitCode> {
    const listed = name === undefined
      ? LIMIT_INFO
      : LIMIT_INFO.filter((limit) => limit.name === name || limit.name.startsWith(`${name}.`));
    if (listed.length === 0) {
      this.complain(`unknown limit or scanner '${name}' (run '${TOOL_NAME} limits' for the list)`);
      return EXIT_ERROR;
    }
    const { renderLimitList } = await import("../report/limits.ts");
    await writeAll(this.#context.stdout, renderLimitList(listed));
    return EXIT_CLEAN;
  }

  async #rules(id: string | undefined): Promise<ExitCode> {
    const { renderRule, renderRuleList } = await import("../report/rules.ts");
    if (id === undefined) {
      await writeAll(this.#context.stdout, renderRuleList(Object.values(RULES)));
      return EXIT_CLEAN;
    }
    const upper = id.toUpperCase();
    if (!isRuleId(upper)) {
      this.complain(`unknown rule '${id}' (run '${TOOL_NAME} rules' for the list)`);
      return EXIT_ERROR;
    }
    await writeAll(this.#context.stdout, renderRule(RULES[upper]));
    return EXIT_CLEAN;
  }
}

/**
 * Runs the command line with `args` (without the program name) and returns the
 * exit code. Output goes to `context`'s streams; by default the process's own.
 * The compiled binary and `deno task modelaudit` enter here.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runCli } from "./run.ts";
 * // Capture what the CLI writes instead of writing to the process's streams.
 * const written = { stdout: "", stderr: "" };
 * const capture = (stream: "stdout" | "stderr") => ({
 *   write(bytes: Uint8Array): Promise<number> {
 *     written[stream] += new TextDecoder().decode(bytes);
 *     return Promise.resolve(bytes.length);
 *   },
 * });
 * const context = { stdout: capture("stdout"), stderr: capture("stderr"), env: () => undefined };
 * assert.equal(await runCli(["rules", "MA101"], context), 0);
 * assert.match(written.stdout, /^MA101 pickle-/);
 * assert.equal(await runCli(["rules", "MA999"], context), 2);
 * assert.match(written.stderr, /unknown rule 'MA999'/);
 * ```
 */
export function runCli(args: readonly string[], context: CliContext = processContext()): Promise<ExitCode> {
  return new Cli(context).run(args);
}

function crash(error: unknown): never {
  const message = `${TOOL_NAME}: internal error: ${
    error instanceof Error ? error.stack ?? error.message : String(error)
  }\n`;
  Deno.stderr.writeSync(encoder.encode(message));
  // Exit 1 means "findings"; a crash must not look like a verdict on the models.
  Deno.exit(EXIT_ERROR);
}

/**
 * Runs this process's command line and exits with its code; an internal error
 * exits 2 with its stack on stderr. `main.ts` enters here.
 *
 * @example
 * ```ts ignore
 * import { runProcess } from "./run.ts";
 * await runProcess(); // never returns: the process exits
 * ```
 */
export async function runProcess(): Promise<never> {
  globalThis.addEventListener("unhandledrejection", (event) => crash(event.reason));
  globalThis.addEventListener("error", (event) => crash(event.error));
  Deno.exit(await runCli(Deno.args).catch(crash));
}
