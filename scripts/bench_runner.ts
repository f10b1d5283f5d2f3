/**
 * Runs one benchmark case in a process of its own, so that the peak memory it
 * reports belongs to that case alone: scans the paths given as arguments with
 * `scan()` (sandboxed workers, as the CLI does), or `inspect()` after `--inspect`, with the weight analysis
 * off after `--no-weights`, and prints one line of JSON, a {@linkcode RunReport}. `scripts/bench.ts` starts it as
 * `deno run --unstable-worker-options --allow-read scripts/bench_runner.ts [--inspect] [--no-weights] PATH...`.
 *
 * @module
 */

import { basename } from "node:path";
import process from "node:process";
import type { ByteSource } from "../core/byte_source.ts";
import { scanSource } from "../engine/dispatch.ts";
import { openFileSource } from "../engine/file_source.ts";
import { inspect, scan } from "../engine/scan.ts";
import { renderLocation } from "../report/location.ts";

/** What one case's process measured and found. */
export interface RunReport {
  /** Wall time of `scan()` alone, without Deno's start-up. */
  elapsedMs: number;
  /** Peak resident memory of the process after the scan, workers included, in KiB. */
  peakRssKib: number;
  /** Peak resident memory just before the scan: the runtime and the loaded modules, in KiB. */
  baseRssKib: number;
  files: number;
  scanned: number;
  /** Files that could not be scanned, with the reason (at most {@linkcode MAX_LISTED} listed). */
  errors: { path: string; reason: string }[];
  errorCount: number;
  findings: number;
  findingsByRule: Record<string, number>;
  /** Rule ids found in each file that has findings, keyed by file name, sorted. */
  flagged: Record<string, string[]>;
  /** The first findings, for a look at what fired (at most {@linkcode MAX_LISTED}). */
  sample: string[];
  /** For a single file: the bytes its scanners read, counted in a second, in-process scan. */
  bytesRead?: number;
  /** Tensors listed, for `--inspect`. */
  tensors?: number;
}

/** Errors and findings listed in full; counts cover the rest. */
const MAX_LISTED = 5;

/** A slow scan must show up as a slow figure, not as a timeout. */
const RUN_TIMEOUT_MS = 3_600_000;

/**
 * The process's peak resident set size in KiB, all threads included: getrusage's
 * `ru_maxrss`, the same figure as VmHWM in /proc/self/status, which Deno 2.9
 * opens only under --allow-all.
 */
function peakRssKib(): number {
  return process.resourceUsage().maxRSS;
}

/**
 * Scans the file at `path` in this process through a source that counts the bytes read, the weight
 * analysis on only with `weights` (`inspect` never runs it).
 */
async function bytesReadScanning(path: string, inventory: boolean, weights: boolean): Promise<number> {
  using file = openFileSource(path);
  let bytesRead = 0;
  const counting: ByteSource = {
    size: file.size,
    async read(offset, length) {
      const bytes = await file.read(offset, length);
      bytesRead += bytes.length;
      return bytes;
    },
  };
  await scanSource(counting, path, {
    inventory,
    ...(weights ? {} : { scannerOptions: { weights: { enabled: 0 } } }),
  });
  return bytesRead;
}

if (import.meta.main) {
  const listing = Deno.args[0] === "--inspect";
  const rest = listing ? Deno.args.slice(1) : Deno.args;
  const weightsOff = rest[0] === "--no-weights";
  const paths = weightsOff ? rest.slice(1) : rest;
  const scannerOptions = weightsOff ? { weights: { enabled: 0 } } : undefined;
  const baseRssKib = peakRssKib();
  const started = performance.now();
  const result = await (listing ? inspect : scan)(paths, { timeoutMs: RUN_TIMEOUT_MS, scannerOptions });
  const elapsedMs = performance.now() - started;
  const peak = peakRssKib();
  const findings = [...result.findings, ...result.files.flatMap((file) => file.findings)];
  const findingsByRule: Record<string, number> = {};
  for (const finding of findings) findingsByRule[finding.rule] = (findingsByRule[finding.rule] ?? 0) + 1;
  const errors = result.files.filter((file) => file.status === "error");
  const report: RunReport = {
    elapsedMs,
    peakRssKib: peak,
    baseRssKib,
    files: result.files.length,
    scanned: result.files.filter((file) => file.status === "scanned").length,
    errors: errors.slice(0, MAX_LISTED).map((file) => ({ path: file.path, reason: file.reason ?? "" })),
    errorCount: errors.length,
    findings: findings.length,
    findingsByRule,
    flagged: Object.fromEntries(
      result.files
        .filter((file) => file.findings.length > 0)
        .map((file) => [basename(file.path), file.findings.map((finding) => finding.rule).sort()]),
    ),
    sample: findings.slice(0, MAX_LISTED).map((f) =>
      `${f.rule} ${f.severity} ${renderLocation(f.location)}: ${f.message}`
    ),
  };
  if (listing) report.tensors = result.files.reduce((sum, file) => sum + (file.tensors?.length ?? 0), 0);
  if (paths.length === 1 && (await Deno.stat(paths[0])).isFile) {
    report.bytesRead = await bytesReadScanning(paths[0], listing, !listing && !weightsOff);
  }
  console.log(JSON.stringify(report));
}
