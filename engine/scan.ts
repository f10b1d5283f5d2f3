/**
 * The scan: expands the named paths, scans every file in sandboxed workers,
 * and gathers one result that the renderers turn into reports.
 *
 * @module
 */

import { getRule, type RuleId } from "../core/rules.ts";
import type { FileResult, Finding, ScanResult } from "../core/types.ts";
import type { PolicyExtras } from "../policy/callables.ts";
import { DIRECTORIES } from "../scanners/directories.ts";
import { resolveScannerOptions, type ScannerOptionsInput } from "../scanners/options.ts";
import type { Registry } from "../scanners/registry.ts";
import { WEIGHTS_OFF } from "../scanners/option_catalog.ts";
import type { SourceScanOutcome } from "./dispatch.ts";
import { requestCollection } from "./gc.ts";
import { BUDGET_SPENT, DEFAULT_TIMEOUT_MS, resolveScanLimits, type ScanLimits } from "./limits.ts";
import { type NamedPaths, resolveNamedPaths } from "./named_paths.ts";
import { SEPARATOR } from "./paths.ts";
import { WorkerPool } from "./pool.ts";
import type { DirectoryTask, MemberOutcome } from "./scan_directory.ts";
import type { ScanTask, TaskOutcome } from "./serve.ts";
import { expandPaths, type WalkFile, type WalkResult } from "./walk.ts";

/** A step of a running scan, for progress displays. */
export type ScanProgress =
  | { type: "start"; total: number }
  | { type: "file"; result: FileResult; done: number; total: number };

/** Options of {@linkcode scan}. */
export interface ScanOptions {
  /** Files larger than this many bytes are skipped with an MA003 finding; 0 or unset means no limit. */
  maxFileSize?: number;
  /** Budget for the whole scan in milliseconds; files not finished by then are scan errors. */
  timeoutMs?: number;
  /** Budget for one file in milliseconds; defaults to the whole budget. */
  fileTimeoutMs?: number;
  /** Case-insensitive substrings flagged in file names (MA004) and in model content (MA005). */
  blacklist?: string[];
  /** Dotted names of Python callables to deny besides the standard policy's, with everything under them. */
  extraDenied?: string[];
  /**
   * Dotted names of Python callables to trust (`mypkg.Net`, or `mypkg.models.*`): they turn unknown names
   * safe, never denied ones.
   */
  extraAllowed?: string[];
  /**
   * The engine's limits on each file (container depth, members, decompressed bytes, compression
   * ratio, in-memory decoding, findings listed); unset ones keep their defaults.
   */
  limits?: Partial<ScanLimits>;
  /**
   * Each scanner's limits, e.g. `{ pickle: { maxOpcodes: 1_000_000 } }` (all of them:
   * `SCANNER_OPTION_INFO`); unset ones keep their defaults. An unknown option, or a value that
   * is not a whole number from 0 up, makes `scan` throw a `RangeError` before anything is scanned.
   */
  scannerOptions?: ScannerOptionsInput;
  /** Files scanned at once; defaults to the number of cores. */
  workers?: number;
  /**
   * Scan in workers that may only read the targets (default). Needs Deno's
   * `--unstable-worker-options`; `false` scans in this thread, with its permissions.
   */
  sandbox?: boolean;
  /** Called as the scan starts and as each file finishes. */
  onProgress?: (event: ScanProgress) => void;
  /**
   * List every file's tensors and facts in its result (`tensors`, `facts`), as `inspect` does; off
   * by default, so that a scan's results and its time pay nothing for them.
   */
  inventory?: boolean;
}

/** How a scan runs its tasks: which formats, and (sandboxed) which worker module. */
export interface ScanSetup {
  /**
   * The formats to detect and read. Unset, the built-in ones: their directory formats walk the
   * tree, and the file formats load only where files are read (the workers, or this thread when
   * not sandboxed), so that the CLI's start-up does not pay for them.
   */
  registry?: Registry;
  /** The worker module; it must serve the same registry (tests serve toy formats). */
  workerUrl?: URL;
}

/** Runs a task within `timeoutMs` of its start, and not past `deadline` (a `Date.now()` time). */
type Runner = (task: ScanTask, timeoutMs: number, deadline: number) => Promise<TaskOutcome>;

/** A finding about a file as a whole, at its default severity. */
function fileFinding(
  ruleId: RuleId,
  message: string,
  file: string,
  details: Record<string, unknown>,
): Finding {
  const rule = getRule(ruleId);
  return { rule: rule.id, severity: rule.severity, message, location: { file, members: [] }, details };
}

function nameFindings(file: WalkFile, blacklist: readonly string[]): Finding[] {
  const lower = file.path.toLowerCase();
  return blacklist
    .filter((pattern) => pattern.length > 0 && lower.includes(pattern.toLowerCase()))
    .map((pattern) =>
      fileFinding("MA004", `File name matches the blacklist pattern "${pattern}"`, file.path, { pattern })
    );
}

/**
 * Files between two collections in this thread. It keeps every file's result, and the replies they
 * came in leave garbage V8 moves to its old generation and collects late: a scan of 10,000 small
 * pickles peaked at 124 MiB median and 134 at most over 8 runs without these collections, 120 and
 * 126 with one every 2,000 files, 118 and 121 with one every 1,000, for about 3 % more time.
 */
const COLLECT_EVERY_FILES = 1000;

/**
 * The in-process mode's modules, by computed URL: unless it runs with
 * `--unstable-lazy-dynamic-imports` (as the CLI's tasks do), Deno prefetches
 * (reads and analyses) the whole graph of a literal dynamic import when the
 * program starts, here every scanner's, which only a worker or the in-process
 * mode loads; that cost the CLI's start-up some 4 ms of CPU before its first
 * worker could start. A compiled binary holds them all through its worker module
 * (`scripts/compile_all.ts` includes `engine/worker.ts`).
 */
const SERVE_URL = new URL("./serve.ts", import.meta.url).href;
const REGISTRY_URL = new URL("../scanners/registry.ts", import.meta.url).href;

async function inProcessRunner(given: Registry | undefined): Promise<Runner> {
  const { runTask }: typeof import("./serve.ts") = await import(SERVE_URL);
  const registry = given ?? (await import(REGISTRY_URL) as typeof import("../scanners/registry.ts")).REGISTRY;
  return async (task, timeoutMs) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const outcome = await runTask(task, registry, controller.signal);
      // Whatever an abort made the scan throw, the cause is the time limit.
      if (!controller.signal.aborted) return outcome;
      return { ...outcome, stack: undefined, error: `timed out after ${timeoutMs / 1000} s` };
    } finally {
      clearTimeout(timer);
    }
  };
}

/** A file's result before its scan: its name findings, or the whole result when it is not scanned. */
function prepare(file: WalkFile, options: ScanOptions): FileResult {
  const findings = nameFindings(file, options.blacklist ?? []);
  const base: FileResult = {
    path: file.path,
    size: file.size,
    format: null,
    status: "scanned",
    findings,
    bytesScanned: 0,
    durationMs: 0,
  };
  if (options.maxFileSize && file.size > options.maxFileSize) {
    findings.push(fileFinding(
      "MA003",
      `Skipped: ${file.size} bytes is more than --max-file-size ${options.maxFileSize}`,
      file.path,
      { size: file.size, maxFileSize: options.maxFileSize },
    ));
    return { ...base, status: "skipped", reason: "larger than --max-file-size" };
  }
  return base;
}

/** The result of a scanned file from its outcome (a unit's files bring their own duration). */
function finish(
  base: FileResult,
  outcome: SourceScanOutcome & { skipped?: string; durationMs?: number },
  started: number,
): FileResult {
  const findings = [...base.findings, ...outcome.findings];
  const durationMs = outcome.durationMs ?? performance.now() - started;
  if (outcome.error) {
    const stack = outcome.stack === undefined ? {} : { stack: outcome.stack };
    return {
      ...base,
      findings,
      format: outcome.format,
      status: "error",
      reason: outcome.error,
      ...stack,
      bytesScanned: outcome.bytesScanned,
      durationMs,
    };
  }
  if (outcome.skipped !== undefined) {
    return { ...base, findings, status: "skipped", reason: outcome.skipped, durationMs };
  }
  if (!outcome.format) {
    return { ...base, findings, status: "skipped", reason: "not a format modelaudit scans", durationMs };
  }
  return {
    ...base,
    findings,
    format: outcome.format,
    status: "scanned",
    bytesScanned: outcome.bytesScanned,
    durationMs,
    ...(outcome.contents?.length ? { contents: outcome.contents } : {}),
    ...(outcome.tensors ? { tensors: outcome.tensors } : {}),
    ...(outcome.facts ? { facts: outcome.facts } : {}),
  };
}

async function scanOne(
  file: WalkFile,
  options: ScanOptions,
  run: Runner,
  deadline: number,
): Promise<FileResult> {
  const started = performance.now();
  const base = prepare(file, options);
  if (base.status === "skipped") return base;
  const remaining = deadline - Date.now();
  if (remaining <= 0) return { ...base, status: "error", reason: BUDGET_SPENT };
  const timeout = Math.min(options.fileTimeoutMs ?? Infinity, remaining);
  const blacklist = options.blacklist ?? [];
  const outcome = await run(
    {
      realPath: file.realPath,
      path: file.path,
      blacklist,
      limits: options.limits,
      scannerOptions: options.scannerOptions,
      root: file.root,
      policy: policyExtras(options),
      size: file.size,
      ...(options.inventory ? { inventory: true } : {}),
    },
    timeout,
    deadline,
  );
  return finish(base, outcome as SourceScanOutcome, started);
}

/** The names the scan adds to the policy of Python callables, as data a worker task carries. */
function policyExtras(options: ScanOptions): PolicyExtras {
  return { denied: options.extraDenied, allowed: options.extraAllowed };
}

/** A unit of work: one loose file, or every file of a directory unit. */
type Job = { file: number } | { unit: number; files: number[] };

/** Loose files and directory units, in walk order (a unit where its first file is). */
function jobsOf(walk: WalkResult): Job[] {
  const jobs: Job[] = [];
  const units = new Map<number, { unit: number; files: number[] }>();
  walk.files.forEach((file, index) => {
    if (file.unit === undefined) return void jobs.push({ file: index });
    let job = units.get(file.unit);
    if (!job) {
      job = { unit: file.unit, files: [] };
      units.set(file.unit, job);
      jobs.push(job);
    }
    job.files.push(index);
  });
  return jobs;
}

/** Scans a directory unit's files in one task; the unit's own findings go to `scanFindings`. */
async function scanUnit(
  walk: WalkResult,
  job: { unit: number; files: number[] },
  options: ScanOptions,
  run: Runner,
  deadline: number,
  scanFindings: Finding[],
): Promise<FileResult[]> {
  const started = performance.now();
  const unit = walk.units[job.unit];
  const files = job.files.map((index) => walk.files[index]);
  const bases = files.map((file) => prepare(file, options));
  const remaining = deadline - Date.now();
  if (remaining <= 0) {
    return bases.map((base) =>
      base.status === "skipped" ? base : { ...base, status: "error", reason: BUDGET_SPENT }
    );
  }
  const scanned = bases.filter((base) => base.status !== "skipped").length;
  const task: DirectoryTask = {
    format: unit.format,
    realPath: unit.realPath,
    path: unit.path,
    root: unit.root,
    files: files.map((file, i) => ({
      realPath: file.realPath,
      path: file.path,
      relative: file.realPath.slice(unit.realPath.length + 1).split(SEPARATOR).join("/"),
      size: file.size,
      scan: bases[i].status !== "skipped",
    })),
    blacklist: options.blacklist ?? [],
    limits: options.limits,
    policy: policyExtras(options),
    scannerOptions: options.scannerOptions,
    ...(options.inventory ? { inventory: true } : {}),
  };
  // Each file keeps its own budget; the unit's files share one worker, one after another.
  const timeout = Math.min((options.fileTimeoutMs ?? Infinity) * Math.max(1, scanned), remaining);
  const outcome = await run(task, timeout, deadline);
  const members: MemberOutcome[] = "members" in outcome ? outcome.members : [];
  if ("members" in outcome) scanFindings.push(...outcome.findings);
  return bases.map((base, i) => {
    // Over --max-file-size: skipped whatever the plan says, with what the plan said about it.
    if (base.status === "skipped") {
      return { ...base, findings: [...base.findings, ...(members[i]?.findings ?? [])] };
    }
    const member = members[i] ??
      {
        format: null,
        findings: [],
        bytesScanned: 0,
        error: outcome.error ?? "the folder's scan did not reach this file",
      };
    return finish(base, member, started);
  });
}

/** Walks the named paths and scans what the walk found, with `pool` or in this thread. */
async function scanNamed(
  named: NamedPaths,
  options: ScanOptions,
  setup: ScanSetup,
  pool: WorkerPool | undefined,
  deadline: number,
): Promise<{ walk: WalkResult; files: FileResult[]; scanFindings: Finding[] }> {
  const walk = await expandPaths(named, setup.registry?.directories ?? DIRECTORIES);
  const total = walk.files.length + walk.problems.length;
  options.onProgress?.({ type: "start", total });

  const files: FileResult[] = walk.problems.map(({ path, reason }) => ({
    path,
    size: 0,
    format: null,
    status: "error",
    reason,
    findings: [],
    bytesScanned: 0,
    durationMs: 0,
  }));
  let done = 0;
  for (const result of files) options.onProgress?.({ type: "file", result, done: ++done, total });

  const concurrency = Math.max(
    1,
    Math.min(options.workers ?? navigator.hardwareConcurrency, walk.files.length),
  );
  const run: Runner = pool
    ? (task, timeout, deadline) => pool.run(task, timeout, deadline)
    : await inProcessRunner(setup.registry);
  const results = new Array<FileResult>(walk.files.length);
  const scanFindings = [...walk.findings];
  const jobs = jobsOf(walk);
  let next = 0;
  let finished = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      const indices = "file" in job ? [job.file] : job.files;
      const outcomes = "file" in job
        ? [await scanOne(walk.files[job.file], options, run, deadline)]
        : await scanUnit(walk, job, options, run, deadline, scanFindings);
      indices.forEach((index, i) => {
        results[index] = outcomes[i];
        options.onProgress?.({ type: "file", result: results[index], done: ++done, total });
        if (++finished % COLLECT_EVERY_FILES === 0) requestCollection();
      });
    }
  };
  // The pool batches what is queued: keep enough files in flight to fill its batches.
  await Promise.all(Array.from({ length: pool?.queueDepth ?? concurrency }, lane));
  return { walk, files: [...files, ...results], scanFindings };
}

/**
 * Scans files and directories for risky model content.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scan } from "./scan.ts";
 * // Needs --unstable-worker-options and read permission for the targets: here, one of this repository's fixtures.
 * const result = await scan(["fixtures/pickle/malicious/global_os_system_reduce_p0.pkl"], { blacklist: ["evil"] });
 * assert.deepEqual(result.files.map((file) => [file.format, file.findings.map((f) => f.rule)]), [
 *   ["pickle", ["MA100", "MA101"]],
 * ]);
 * ```
 */
export function scan(paths: readonly string[], options: ScanOptions = {}): Promise<ScanResult> {
  return scanWith(paths, options, {});
}

/**
 * Lists what model files hold, without executing anything: a {@linkcode scan} that also lists
 * every file's tensors (name, dtype, shape, bytes, through containers) and the facts its
 * formats state, in each result's `tensors` and `facts`. It reads headers and pickles only,
 * never tensor data: the weight analysis is off (`scannerOptions.weights.enabled` turns it on). Its
 * findings are otherwise a scan's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inspect } from "./scan.ts";
 * // Needs --unstable-worker-options and read permission for the targets: here, one of this repository's fixtures.
 * const result = await inspect(["fixtures/numpy/benign/arrays.npz"]);
 * assert.deepEqual(result.files[0].tensors?.map((t) => [t.members, t.name, t.dtype, t.shape]), [
 *   [["weights.npy"], "weights", "F32", [3, 4]],
 *   [["bias.npy"], "bias", "F32", [4]],
 * ]);
 * ```
 */
export function inspect(
  paths: readonly string[],
  options: Omit<ScanOptions, "inventory"> = {},
): Promise<ScanResult> {
  // A listing reads no tensor data: the weight analysis is off unless the caller sets it.
  const weights = { enabled: WEIGHTS_OFF, ...options.scannerOptions?.weights };
  return scanWith(paths, {
    ...options,
    scannerOptions: { ...options.scannerOptions, weights },
    inventory: true,
  }, {});
}

/**
 * {@linkcode scan} with other formats than the built-in ones: how tests scan toy
 * formats, sandboxed (with a worker module that serves the same registry) or not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { REGISTRY } from "../scanners/registry.ts";
 * import { scanWith } from "./scan.ts";
 * // Without the pickle scanner, a pickle is a file no scanner recognises.
 * const registry = { ...REGISTRY, scanners: REGISTRY.scanners.filter((s) => s.id !== "pickle") };
 * const path = "fixtures/pickle/malicious/global_os_system_reduce_p0.pkl";
 * const result = await scanWith([path], { sandbox: false }, { registry });
 * assert.deepEqual(result.files.map((file) => [file.status, file.format]), [["skipped", null]]);
 * ```
 */
export async function scanWith(
  paths: readonly string[],
  given: ScanOptions,
  setup: ScanSetup,
): Promise<ScanResult> {
  // Checked before any work, so that a mistyped option fails the scan at once. Files carry only what the
  // user set (usually nothing), and each worker resolves that against defaults it resolved once.
  resolveScannerOptions(given.scannerOptions);
  const options = { ...given, limits: resolveScanLimits(given.limits) };
  const startTime = new Date();
  const deadline = startTime.getTime() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const named = resolveNamedPaths(paths);
  // The first worker starts now and boots while the tree is walked; more start only as batches
  // of files wait for them, so a one-file scan starts one.
  const pool = options.sandbox === false || named.roots.length === 0 ? undefined : new WorkerPool({
    size: Math.max(1, options.workers ?? navigator.hardwareConcurrency),
    readRoots: named.roots,
    workerUrl: setup.workerUrl,
  });
  pool?.start();
  let scanned;
  try {
    scanned = await scanNamed(named, options, setup, pool, deadline);
  } finally {
    pool?.close();
  }
  const { walk, files, scanFindings } = scanned;
  const scannerNames = [
    ...new Set([
      ...files.flatMap((file) => (file.status === "scanned" && file.format ? [file.format] : [])),
      ...walk.units.map((unit) => unit.format),
    ]),
  ];
  return {
    startTime: startTime.toISOString(),
    durationMs: Date.now() - startTime.getTime(),
    files,
    findings: scanFindings,
    scannerNames,
  };
}
