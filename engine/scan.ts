/**
 * The scan: expands the named paths, scans every file in sandboxed workers,
 * and gathers one result that the renderers turn into reports.
 *
 * @module
 */

import { getRule, type RuleId } from "../core/rules.ts";
import type { FileResult, Finding, ScanResult } from "../core/types.ts";
import type { SourceScanOutcome } from "./dispatch.ts";
import { DEFAULT_TIMEOUT_MS, type ScanLimits } from "./limits.ts";
import { WorkerPool } from "./pool.ts";
import { type FileTask, scanFile } from "./scan_file.ts";
import { expandPaths, type WalkFile } from "./walk.ts";

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
  /** Limits on containers (depth, members, decompressed bytes, compression ratio); unset ones keep their defaults. */
  limits?: Partial<ScanLimits>;
  /** Files scanned at once; defaults to the number of cores. */
  workers?: number;
  /**
   * Scan in workers that may only read the targets (default). Needs Deno's
   * `--unstable-worker-options`; `false` scans in this thread, with its permissions.
   */
  sandbox?: boolean;
  /** Called as the scan starts and as each file finishes. */
  onProgress?: (event: ScanProgress) => void;
}

type Runner = (task: FileTask, timeoutMs: number) => Promise<SourceScanOutcome>;

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

function inProcessRunner(): Runner {
  return async (task, timeoutMs) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const outcome = await scanFile(task, { signal: controller.signal });
      // Whatever an abort made the scan throw, the cause is the time limit.
      if (!controller.signal.aborted) return outcome;
      const { format, findings, bytesScanned } = outcome;
      return { format, findings, bytesScanned, error: `timed out after ${timeoutMs / 1000} s` };
    } finally {
      clearTimeout(timer);
    }
  };
}

async function scanOne(
  file: WalkFile,
  options: ScanOptions,
  run: Runner,
  deadline: number,
): Promise<FileResult> {
  const started = performance.now();
  const blacklist = options.blacklist ?? [];
  const findings = nameFindings(file, blacklist);
  const base = { path: file.path, size: file.size, format: null, findings, bytesScanned: 0 };
  if (options.maxFileSize && file.size > options.maxFileSize) {
    findings.push(fileFinding(
      "MA003",
      `Skipped: ${file.size} bytes is more than --max-file-size ${options.maxFileSize}`,
      file.path,
      { size: file.size, maxFileSize: options.maxFileSize },
    ));
    return { ...base, status: "skipped", reason: "larger than --max-file-size", durationMs: 0 };
  }
  const remaining = deadline - Date.now();
  if (remaining <= 0) {
    return {
      ...base,
      status: "error",
      reason: "the scan's time budget ran out before this file",
      durationMs: 0,
    };
  }
  const timeout = Math.min(options.fileTimeoutMs ?? Infinity, remaining);
  const outcome = await run(
    { realPath: file.realPath, path: file.path, blacklist, limits: options.limits },
    timeout,
  );
  findings.push(...outcome.findings);
  const durationMs = performance.now() - started;
  if (outcome.error) {
    const stack = outcome.stack === undefined ? {} : { stack: outcome.stack };
    return {
      ...base,
      format: outcome.format,
      status: "error",
      reason: outcome.error,
      ...stack,
      bytesScanned: outcome.bytesScanned,
      durationMs,
    };
  }
  if (!outcome.format) {
    return { ...base, status: "skipped", reason: "not a format modelaudit scans", durationMs };
  }
  return {
    ...base,
    format: outcome.format,
    status: "scanned",
    bytesScanned: outcome.bytesScanned,
    durationMs,
  };
}

/**
 * Scans files and directories for risky model content.
 *
 * @example
 * ```ts
 * import { scan } from "./scan.ts";
 * const result = await scan(["./models"], { blacklist: ["evil"] });
 * for (const file of result.files) console.log(file.path, file.findings.length);
 * ```
 */
export async function scan(paths: readonly string[], options: ScanOptions = {}): Promise<ScanResult> {
  const startTime = new Date();
  const deadline = startTime.getTime() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const walk = await expandPaths(paths);
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
  const pool = options.sandbox === false
    ? undefined
    : new WorkerPool({ size: concurrency, readRoots: walk.roots });
  const run: Runner = pool ? (task, timeout) => pool.run(task, timeout) : inProcessRunner();
  const results = new Array<FileResult>(walk.files.length);
  let next = 0;
  const lane = async () => {
    while (next < walk.files.length) {
      const index = next++;
      results[index] = await scanOne(walk.files[index], options, run, deadline);
      options.onProgress?.({ type: "file", result: results[index], done: ++done, total });
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, lane));
  } finally {
    pool?.close();
  }
  files.push(...results);
  const scannerNames = [
    ...new Set(files.flatMap((file) => (file.status === "scanned" && file.format ? [file.format] : []))),
  ];
  return {
    startTime: startTime.toISOString(),
    durationMs: Date.now() - startTime.getTime(),
    files,
    findings: walk.findings,
    scannerNames,
  };
}
