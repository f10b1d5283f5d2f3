/**
 * Scans a directory unit: a folder a directory format recognised (a SavedModel,
 * a Hugging Face folder, an ONNX model with external data). Its scanner plans how
 * the loader reads each file, then every file is scanned as planned, each with
 * its own result; files the plan leaves out are scanned by their content. Runs
 * in one sandboxed worker, so that the plan and the files' siblings are read
 * under the same permissions as any file.
 *
 * @module
 */

import type { DirectoryFile, MemberPlan, PlanContext } from "../core/scanner.ts";
import type { Finding } from "../core/types.ts";
import { KNOWN_FORMATS } from "../scanners/known_formats.ts";
import { REGISTRY, type Registry } from "../scanners/registry.ts";
import { findingAt, type SourceScanOutcome } from "./dispatch.ts";
import { CallablePolicy, type PolicyExtras } from "../policy/callables.ts";
import { resolveScannerOptions, type ScannerOptionsInput } from "../scanners/options.ts";
import { resolveScanLimits, type ScanLimits } from "./limits.ts";
import { type FileTask, scanFile } from "./scan_file.ts";
import { openSiblingReported, Siblings } from "./siblings.ts";

/** One file of a {@linkcode DirectoryTask}. */
export interface DirectoryTaskFile {
  /** Absolute path to open. */
  realPath: string;
  /** Path shown in locations. */
  path: string;
  /** Path below the unit's folder, `/` between segments, as the plan names it. */
  relative: string;
  size: number;
  /** Whether to scan it (a file over `--max-file-size` is listed for the plan, but not scanned). */
  scan: boolean;
}

/** A directory unit for a scan worker. */
export interface DirectoryTask {
  /** Id of the directory format that recognised the folder. */
  format: string;
  /** The folder's absolute real path. */
  realPath: string;
  /** The folder's path as shown to the user. */
  path: string;
  /** Real path of the scanned root it was found under. */
  root: string;
  /** Every file below the folder, in walk order. */
  files: DirectoryTaskFile[];
  blacklist: readonly string[];
  /** The engine's limits the user set; the rest keep their defaults. */
  limits?: Partial<ScanLimits>;
  /** Names the user adds to the policy of Python callables. */
  policy?: PolicyExtras;
  /** Each scanner's limits the user set; the rest keep their defaults. */
  scannerOptions?: ScannerOptionsInput;
  /** Whether to list each file's tensors and facts (`inspect`). */
  inventory?: boolean;
}

/** What scanning one file of a unit produced; `skipped` when the plan says its loader never parses it. */
export interface MemberOutcome extends SourceScanOutcome {
  /** Why the plan left the file unread. */
  skipped?: string;
  /** Time spent on this file. */
  durationMs: number;
}

/** What scanning a directory unit produced. */
export interface DirectoryOutcome {
  /** The unit's format. */
  format: string;
  /** Findings about the folder as a whole (its plan's, without a file). */
  findings: Finding[];
  /** One outcome per task file, in the task's order; empty when the format is unknown. */
  members: MemberOutcome[];
  /** Set when the unit's format is not in the registry; its files are then not scanned. */
  error?: string;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A file's bytes for a plan, if they are at most `maxBytes` ({@linkcode ScanLimits.maxPlanReadBytes}). */
async function readForPlan(file: DirectoryTaskFile, maxBytes: number): Promise<Uint8Array> {
  if (file.size > maxBytes) {
    throw new Error(`${file.path} is too large (${file.size} bytes) to be read whole for a plan`);
  }
  return await Deno.readFile(file.realPath);
}

/**
 * Scans the unit `task`: its plan, then each file as planned.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { REGISTRY } from "../scanners/registry.ts";
 * import { scanDirectory } from "./scan_directory.ts";
 * const bundle = {
 *   id: "example-bundle",
 *   description: "A folder whose loader reads weights.bin as raw data",
 *   priority: 0,
 *   matches: (names: readonly string[]) => names.includes("weights.bin"),
 *   load: () => Promise.resolve({ plan: () => Promise.resolve(new Map([["weights.bin", { action: "skip" as const, reason: "raw data" }]])) }),
 * };
 * const weights = { realPath: "/m/bundle/weights.bin", path: "m/bundle/weights.bin", relative: "weights.bin", size: 4, scan: true };
 * const outcome = await scanDirectory(
 *   { format: "example-bundle", realPath: "/m/bundle", path: "m/bundle", root: "/m", files: [weights], blacklist: [] },
 *   { registry: { ...REGISTRY, directories: [bundle] } },
 * );
 * assert.deepEqual(outcome.members.map((m) => m.skipped), ["raw data"]); // planned away, never opened
 * ```
 */
export async function scanDirectory(
  task: DirectoryTask,
  options: { signal?: AbortSignal; registry?: Registry } = {},
): Promise<DirectoryOutcome> {
  const registry = options.registry ?? REGISTRY;
  const signal = options.signal ?? new AbortController().signal;
  const findings: Finding[] = [];
  const byFile = new Map<string, Finding[]>(task.files.map((file) => [file.relative, []]));
  const descriptor = registry.directories.find((candidate) => candidate.id === task.format);
  if (!descriptor) {
    return { format: task.format, findings, members: [], error: `no directory format ${task.format}` };
  }
  const patterns = task.blacklist.filter((pattern) => pattern.length > 0);
  const { maxPlanReadBytes } = resolveScanLimits(task.limits);
  let plans = new Map<string, MemberPlan>();
  let planError: string | undefined;
  {
    using siblings = new Siblings({ directory: task.realPath, displayDirectory: task.path, root: task.root });
    const ctx: PlanContext = {
      path: task.path,
      signal,
      options: resolveScannerOptions(task.scannerOptions),
      policy: CallablePolicy.from(task.policy),
      report(report) {
        const own = report.member === undefined ? undefined : byFile.get(report.member);
        // A plan's member is a file of the folder: the finding is about that file on disk.
        const file = report.member === undefined ? task.path : `${task.path}/${report.member}`;
        (own ?? findings).push(findingAt({ ...report, member: undefined }, { file, members: [] }));
      },
      matchBlacklist: (text) =>
        patterns.find((pattern) => text.toLowerCase().includes(pattern.toLowerCase())),
      openSibling: (reference, at) =>
        openSiblingReported(siblings, reference, (finding) => ctx.report({ ...finding, ...at })),
      recognises: (head, size, name) =>
        registry.scanners.some((scanner) => scanner.detect(head, size, name)) ||
        KNOWN_FORMATS.some((format) => format.matches?.(head)),
    };
    const files: DirectoryFile[] = task.files.map((file) => ({
      path: file.relative,
      size: file.size,
      read: () => readForPlan(file, maxPlanReadBytes),
    }));
    try {
      plans = await (await descriptor.load()).plan(files, ctx);
    } catch (error) {
      // A failed plan is a bug: every file is still scanned by its content, and each says why it is an error.
      planError = `the ${task.format} folder's plan failed: ${message(error)}`;
    }
  }
  const members: MemberOutcome[] = [];
  for (const file of task.files) {
    const started = performance.now();
    const planned = byFile.get(file.relative)!;
    const plan = plans.get(file.relative);
    if (!file.scan || plan?.action === "skip") {
      const skipped = plan?.action === "skip" ? plan.reason : undefined;
      members.push({
        format: null,
        findings: planned,
        skipped,
        error: planError,
        bytesScanned: 0,
        durationMs: 0,
      });
      continue;
    }
    const fileTask: FileTask = {
      realPath: file.realPath,
      path: file.path,
      blacklist: task.blacklist,
      limits: task.limits,
      scannerOptions: task.scannerOptions,
      root: task.root,
      policy: task.policy,
      inventory: task.inventory,
    };
    const outcome = await scanFile(fileTask, { signal, registry, loadAs: plan?.loadAs });
    members.push({
      ...outcome,
      findings: [...planned, ...outcome.findings],
      error: outcome.error ?? planError,
      durationMs: performance.now() - started,
    });
  }
  return { format: task.format, findings, members };
}
