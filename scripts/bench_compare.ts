/**
 * The whole-process comparisons of `deno task bench` against picklescan, the
 * scanner a pre-commit hook or a CI gate would otherwise start:
 *
 * - `startup`: one small pickle, one process per scan: start-up is the speed a
 *   hook that runs on every commit feels;
 * - `files`: a directory of 10,000 small pickles in one process: time, files
 *   per second and peak memory.
 *
 * Each round runs modelaudit (`deno run` with the `modelaudit` task's flags on
 * `main.ts`, the entry `deno task modelaudit` and the compiled binary run) and
 * picklescan one after the other, alternating which goes first, so both see
 * the same machine; the medians are compared. picklescan is a small pure-Python
 * package no registry here serves: it runs from the checkout that
 * `PICKLESCAN_DIR` names (its `src/` is put on `PYTHONPATH`), with
 * `PICKLESCAN_PYTHON` (default `python3`). Without `PICKLESCAN_DIR` the
 * comparison is skipped and modelaudit's own figures are still printed.
 *
 * Each process is started by a small Python driver that reports its wall time
 * and its peak resident memory (`getrusage` of the child), the same way for
 * both tools.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runFlags } from "./compile_all.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const MAIN = join(ROOT, "main.ts");

/**
 * Runs argv[1:] with no output kept and prints `{"seconds": wall, "code": exit, "maxrss_kib": peak}`.
 * ru_maxrss of RUSAGE_CHILDREN is the largest child's peak: the driver starts only this one.
 */
const DRIVER = `
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": seconds, "code": done.returncode, "maxrss_kib": peak, "stderr": done.stderr.decode(errors="replace")[-2000:]}))
`;

/** One timed process. */
export interface Sample {
  seconds: number;
  code: number;
  maxrssKib: number;
  stderr: string;
}

/** A command to time: its argv and the environment it needs. */
export interface Tool {
  name: string;
  argv: (path: string) => string[];
  env?: Record<string, string>;
}

/** What one comparison measured: each tool's samples, in rounds. */
export interface Comparison {
  name: string;
  modelaudit: Sample[];
  picklescan?: Sample[];
  /** modelaudit's exit code (findings: 1, clean: 0); picklescan's says little (0 with findings), only 2 is wrong. */
  expectedCode: number;
}

/** The Python that starts each process: the one that runs picklescan. */
function python(): string {
  return Deno.env.get("PICKLESCAN_PYTHON") ?? "python3";
}

/**
 * Runs `tool` on `path` once through the timing driver: wall time, exit code and peak RSS.
 *
 * @example
 * ```ts ignore
 * import { modelauditTool, timeProcess } from "./bench_compare.ts";
 * const sample = await timeProcess(await modelauditTool(), ".bench/startup.pkl");
 * ```
 */
export async function timeProcess(tool: Tool, path: string): Promise<Sample> {
  const output = await new Deno.Command(python(), {
    args: ["-c", DRIVER, ...tool.argv(path)],
    env: { NO_COLOR: "1", ...tool.env },
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const text = new TextDecoder().decode(output.stdout).trim();
  if (output.code !== 0 || !text) {
    throw new Error(`the timing driver failed for ${tool.name} (${output.code})`);
  }
  const report = JSON.parse(text);
  return { seconds: report.seconds, code: report.code, maxrssKib: report.maxrss_kib, stderr: report.stderr };
}

/**
 * modelaudit as `deno task modelaudit` runs it: `scan -q`, then `options`, then the path.
 *
 * @example
 * ```ts ignore
 * import { modelauditTool } from "./bench_compare.ts";
 * const tool = await modelauditTool(["--format", "json", "--output", "/tmp/report.json"]);
 * ```
 */
export async function modelauditTool(options: readonly string[] = []): Promise<Tool> {
  const flags = await runFlags();
  return {
    name: "modelaudit",
    argv: (path) => [Deno.execPath(), "run", ...flags, MAIN, "scan", "-q", ...options, path],
  };
}

/** Where picklescan's bytecode is cached (git-ignored): the checkout itself is never written. */
const PICKLESCAN_PYCACHE = join(ROOT, ".bench", "pycache");

/**
 * picklescan from the checkout `PICKLESCAN_DIR` names, or undefined when it names none. It runs as
 * an installed copy does, from compiled bytecode: the uncounted warm-up run writes it under
 * {@linkcode PICKLESCAN_PYCACHE}, so no run compiles the sources again.
 */
function picklescanTool(): Tool | undefined {
  const dir = Deno.env.get("PICKLESCAN_DIR");
  if (!dir) return undefined;
  const source = join(dir, "src");
  return {
    name: "picklescan",
    argv: (path) => [python(), "-m", "picklescan", "-p", path],
    // An empty PYTHONDONTWRITEBYTECODE is unset for Python, whatever the calling shell exports.
    env: { PYTHONPATH: source, PYTHONPYCACHEPREFIX: PICKLESCAN_PYCACHE, PYTHONDONTWRITEBYTECODE: "" },
  };
}

/**
 * Times modelaudit and (when `PICKLESCAN_DIR` is set) picklescan on `path`,
 * `rounds` times each, alternating which runs first; one warm-up run each is
 * not counted (it fills the caches a second run of a hook would find warm).
 *
 * @example
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { compare } from "./bench_compare.ts";
 * // Starts processes: python3 (the timing driver) and `deno run main.ts scan` (picklescan too with PICKLESCAN_DIR).
 * const malicious = "fixtures/pickle/malicious/global_os_system_reduce_p0.pkl";
 * const result = await compare("startup", malicious, 1, 1);
 * assert.equal(result.modelaudit.length, 1); // the warm-up run is not counted
 * assert.equal(result.modelaudit[0].code, 1); // findings
 * assert.ok(result.modelaudit[0].seconds > 0 && result.modelaudit[0].maxrssKib > 0);
 * ```
 */
export async function compare(
  name: string,
  path: string,
  rounds: number,
  expectedCode: number,
): Promise<Comparison> {
  const tools = [await modelauditTool(), picklescanTool()].filter((tool) => tool !== undefined);
  const samples = new Map<string, Sample[]>(tools.map((tool) => [tool.name, []]));
  for (const tool of tools) await timeProcess(tool, path);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? tools : [...tools].reverse();
    for (const tool of order) samples.get(tool.name)!.push(await timeProcess(tool, path));
  }
  return {
    name,
    modelaudit: samples.get("modelaudit")!,
    picklescan: samples.get("picklescan"),
    expectedCode,
  };
}

/**
 * The median of `values`.
 *
 * @example
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { median } from "./bench_compare.ts";
 * assert.equal(median([3, 1, 2]), 2);
 * ```
 */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * A line per tool (median time, rate, peak memory), the ratio, and the problems:
 * wrong exit codes and missed targets.
 *
 * @example
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { type Comparison, describe } from "./bench_compare.ts";
 * const run = (seconds: number, code: number) => ({ seconds, code, maxrssKib: 100 * 1024, stderr: "" });
 * const comparison: Comparison = {
 *   name: "files",
 *   modelaudit: [run(2, 1), run(1, 1), run(3, 1)],
 *   picklescan: [run(4, 1), run(4, 1), run(4, 1)],
 *   expectedCode: 1,
 * };
 * const { lines, problems } = describe(comparison, 10_000, { maxRatio: 0.8, maxPeakMib: 128 });
 * assert.match(lines[0], /modelaudit +median 2000 ms over 3 runs, 5000 files\/s, peak RSS 100 MiB/);
 * assert.match(lines[2], /wall time 0\.50 \(target <= 0\.80; 2\.00x as fast\)/);
 * assert.deepEqual(problems, []);
 * // A slower modelaudit, or a wrong exit code, is a problem.
 * const slow = describe({ ...comparison, modelaudit: [run(4, 0)] }, 10_000, { maxRatio: 0.8 });
 * assert.deepEqual(slow.problems, ["modelaudit exited 0: ", "the ratio 1.00 is over 0.80"]);
 * ```
 */
export function describe(
  comparison: Comparison,
  items: number,
  target: { maxRatio: number; maxPeakMib?: number },
): { lines: string[]; problems: string[] } {
  const lines: string[] = [];
  const problems: string[] = [];
  const summarize = (tool: string, samples: Sample[]) => {
    const seconds = median(samples.map((sample) => sample.seconds));
    const peak = Math.max(...samples.map((sample) => sample.maxrssKib)) / 1024;
    const rate = items > 1 ? `, ${(items / seconds).toFixed(0)} files/s` : "";
    lines.push(
      `  ${tool.padEnd(10)} median ${(seconds * 1000).toFixed(0)} ms over ${samples.length} runs${rate}, ` +
        `peak RSS ${peak.toFixed(0)} MiB`,
    );
    const wrong = samples.find((sample) =>
      tool === "modelaudit" ? sample.code !== comparison.expectedCode : sample.code > 1
    );
    if (wrong) problems.push(`${tool} exited ${wrong.code}: ${wrong.stderr.trim()}`);
    return { seconds, peak };
  };
  const ours = summarize("modelaudit", comparison.modelaudit);
  if (target.maxPeakMib !== undefined && ours.peak > target.maxPeakMib) {
    problems.push(`modelaudit's peak RSS ${ours.peak.toFixed(0)} MiB is over ${target.maxPeakMib} MiB`);
  }
  if (!comparison.picklescan) {
    lines.push("  picklescan skipped: set PICKLESCAN_DIR to a picklescan checkout to compare");
    return { lines, problems };
  }
  const theirs = summarize("picklescan", comparison.picklescan);
  const ratio = ours.seconds / theirs.seconds;
  lines.push(
    `  ratio      modelaudit/picklescan wall time ${ratio.toFixed(2)} (target <= ${
      target.maxRatio.toFixed(2)
    }; ` +
      `${(1 / ratio).toFixed(2)}x as fast)`,
  );
  if (ratio > target.maxRatio) {
    problems.push(`the ratio ${ratio.toFixed(2)} is over ${target.maxRatio.toFixed(2)}`);
  }
  return { lines, problems };
}

/**
 * Prints `rows` as columns, the first left-aligned and the others right-aligned.
 *
 * @example
 * ```ts ignore
 * import { printTable } from "./bench_compare.ts";
 * printTable([["case", "time"], ["small", "1.00 s"]]);
 * ```
 */
export function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  for (const row of rows) {
    console.log(
      row.map((cell, column) => column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))
        .join("  "),
    );
  }
}
