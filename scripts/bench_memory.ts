/**
 * The `memory` cases of `deno task bench`: the peak resident memory of the
 * whole CLI process (`modelaudit scan`, run as `deno task modelaudit` runs it)
 * on the inputs that cost the most memory, against the goal of issue 7: no
 * single input and no directory scan above {@linkcode MEMORY_GOAL_BYTES}.
 *
 * - `zlib-bomb`: a `joblib.dump(..., compress=("zlib", 9))` of 1 GiB of zeros
 *   (about 1 MiB on disk, a zlib stream of undeclared size);
 * - `zip-bomb`: a zip whose one deflated member is a 1 GiB pickle of zeros;
 * - `gzip-dir`: four gzip pickles of 30 MiB each, just under the size decoded
 *   whole into memory, two at a time (one per worker);
 * - `fixtures`: the repository's `fixtures/` tree, hundreds of small files of
 *   every format, malicious ones included, in one process;
 * - `checkpoint`: the 2 GiB `torch.save` checkpoint of the `checkpoint` case.
 *
 * Each case runs `--rounds` times (peak: the highest; time: the median), with a
 * JSON report whose findings are counted by rule, so that a change that saves
 * memory by reading less shows up as findings gone.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { median, modelauditTool, printTable, timeProcess } from "./bench_compare.ts";

/** The goal: peak resident memory of a whole scan process, in bytes (decimal megabytes, as the issue counts). */
export const MEMORY_GOAL_BYTES = 200_000_000;

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const MIB = 2 ** 20;

/** One input of the memory table and what scanning it must do. */
export interface MemoryInput {
  name: string;
  path: string;
  /** The input, as the table shows it. */
  description: string;
  /** The CLI's exit code for it. */
  expectedCode: number;
  /** Rules that must be among its findings. */
  expectedRules: readonly string[];
}

/**
 * Runs `/usr/bin/python3 -c program args...` (Debian's Python with numpy and joblib); throws with its
 * error output when it fails.
 */
async function python(program: string, args: string[]): Promise<void> {
  const { code, stderr } = await new Deno.Command("/usr/bin/python3", {
    args: ["-c", program, ...args],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(`python3 failed: ${new TextDecoder().decode(stderr).trim()}`);
}

/**
 * Writes `joblib.dump(np.zeros(sizeMb MiB, uint8), path, compress=("zlib", 9))`: a zlib stream
 * that decodes to `sizeMb` MiB and more, about 1,000 times its size. Returns the file's size.
 *
 * @example
 * ```ts ignore
 * import { writeZlibBombJoblib } from "./bench_memory.ts";
 * await writeZlibBombJoblib("/tmp/bomb.joblib", 64);
 * ```
 */
export async function writeZlibBombJoblib(path: string, sizeMb: number): Promise<number> {
  await python(
    [
      "import sys, numpy, joblib",
      "joblib.dump(numpy.zeros(int(sys.argv[2]) << 20, numpy.uint8), sys.argv[1], compress=('zlib', 9))",
    ].join("\n"),
    [path, String(sizeMb)],
  );
  return (await Deno.stat(path)).size;
}

/**
 * Writes a zip (Python's `zipfile`, zip64, deflate level 9) whose one member `model.pkl` is a
 * protocol-4 pickle of one `sizeMb` MiB `BINBYTES8` of zeros, streamed so that Python never holds
 * it. Returns the file's size.
 *
 * @example
 * ```ts ignore
 * import { writeZipBomb } from "./bench_memory.ts";
 * await writeZipBomb("/tmp/bomb.zip", 64);
 * ```
 */
export async function writeZipBomb(path: string, sizeMb: number): Promise<number> {
  await python(
    [
      "import struct, sys, zipfile",
      "n = int(sys.argv[2]) << 20",
      "with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as archive:",
      "    with archive.open('model.pkl', 'w', force_zip64=True) as member:",
      "        member.write(b'\\x80\\x04\\x8e' + struct.pack('<Q', n))",
      "        block = bytes(1 << 20)",
      "        for _ in range(n >> 20):",
      "            member.write(block)",
      "        member.write(b'.')",
    ].join("\n"),
    [path, String(sizeMb)],
  );
  return (await Deno.stat(path)).size;
}

/**
 * Writes `count` files `model_N.pkl.gz` into the directory `dir` (created): each `gzip.compress` of a
 * `pickle.dumps` of a dict holding `sizeMb` MiB of zeros, decoded whole into memory when `sizeMb` is
 * under the engine's 32 MiB limit. Returns their total size.
 *
 * @example
 * ```ts ignore
 * import { writeGzipPickles } from "./bench_memory.ts";
 * await writeGzipPickles("/tmp/gz", 4, 30);
 * ```
 */
export async function writeGzipPickles(dir: string, count: number, sizeMb: number): Promise<number> {
  await Deno.mkdir(dir, { recursive: true });
  await python(
    [
      "import gzip, os, pickle, sys",
      "for i in range(int(sys.argv[2])):",
      "    data = pickle.dumps({'weights': bytes(int(sys.argv[3]) << 20), 'index': i}, protocol=4)",
      "    with open(os.path.join(sys.argv[1], f'model_{i}.pkl.gz'), 'wb') as out:",
      "        out.write(gzip.compress(data, 6, mtime=0))",
    ].join("\n"),
    [dir, String(count), String(sizeMb)],
  );
  let bytes = 0;
  for await (const entry of Deno.readDir(dir)) bytes += (await Deno.stat(join(dir, entry.name))).size;
  return bytes;
}

/**
 * The repository's fixtures, scanned as one directory.
 *
 * @example
 * ```ts ignore
 * import { fixturesInput } from "./bench_memory.ts";
 * (await fixturesInput()).description; // "fixtures/: 449 files, 0.80 MiB"
 * ```
 */
export async function fixturesInput(): Promise<MemoryInput> {
  const path = join(ROOT, "fixtures");
  let files = 0;
  let bytes = 0;
  const visit = async (dir: string): Promise<void> => {
    for await (const entry of Deno.readDir(dir)) {
      const child = join(dir, entry.name);
      if (entry.isDirectory) await visit(child);
      else if (entry.isFile) {
        files++;
        bytes += (await Deno.stat(child)).size;
      }
    }
  };
  await visit(path);
  return {
    name: "fixtures",
    path,
    description: `fixtures/: ${files} files, ${(bytes / MIB).toFixed(2)} MiB`,
    expectedCode: 1,
    expectedRules: ["MA100", "MA101", "MA206"],
  };
}

interface CaseFigures {
  seconds: number;
  peakBytes: number;
  codes: number[];
  findings: number;
  byRule: Record<string, number>;
}

async function measureInput(input: MemoryInput, rounds: number, report: string): Promise<CaseFigures> {
  const tool = await modelauditTool(["--format", "json", "--output", report]);
  const samples = [];
  for (let round = 0; round < rounds; round++) samples.push(await timeProcess(tool, input.path));
  const issues: { rule: string }[] = JSON.parse(await Deno.readTextFile(report)).issues;
  const byRule: Record<string, number> = {};
  for (const issue of issues) byRule[issue.rule] = (byRule[issue.rule] ?? 0) + 1;
  return {
    seconds: median(samples.map((sample) => sample.seconds)),
    peakBytes: Math.max(...samples.map((sample) => sample.maxrssKib)) * 1024,
    codes: samples.map((sample) => sample.code),
    findings: issues.length,
    byRule,
  };
}

/**
 * Scans each input with the CLI, `rounds` times, prints a table of peak RSS and time against
 * {@linkcode MEMORY_GOAL_BYTES}, and returns the problems: a peak over the goal, a wrong exit
 * code, an expected rule missing.
 *
 * @example
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { fixturesInput, runMemoryCases } from "./bench_memory.ts";
 * // Starts processes: python3 (the timing driver) and `deno run main.ts scan`.
 * const problems = await runMemoryCases([await fixturesInput()], 1, await Deno.makeTempDir());
 * assert.deepEqual(problems, []); // under the goal, with the exit code and rules expected
 * ```
 */
export async function runMemoryCases(
  inputs: readonly MemoryInput[],
  rounds: number,
  reportDir: string,
): Promise<string[]> {
  const goal = `${MEMORY_GOAL_BYTES / 1e6} MB`;
  console.log(
    `\nmemory: whole CLI processes (modelaudit scan), highest peak RSS of ${rounds} runs, goal under ${goal}`,
  );
  const rows = [["case", "input", "median time", "peak RSS", "of goal", "exit", "findings"]];
  const problems: string[] = [];
  const notes: string[] = [];
  for (const input of inputs) {
    const figures = await measureInput(input, rounds, join(reportDir, `memory-${input.name}.json`));
    const byRule = Object.entries(figures.byRule).sort().map(([rule, n]) => `${rule}x${n}`).join(" ");
    rows.push([
      input.name,
      input.description,
      `${figures.seconds.toFixed(2)} s`,
      `${(figures.peakBytes / 1e6).toFixed(0)} MB (${(figures.peakBytes / MIB).toFixed(0)} MiB)`,
      `${(100 * figures.peakBytes / MEMORY_GOAL_BYTES).toFixed(0)}%`,
      [...new Set(figures.codes)].join(","),
      String(figures.findings),
    ]);
    if (byRule) notes.push(`  ${input.name} findings: ${byRule}`);
    if (figures.peakBytes > MEMORY_GOAL_BYTES) {
      problems.push(`${input.name}: peak RSS ${(figures.peakBytes / 1e6).toFixed(0)} MB is over ${goal}`);
    }
    const wrong = figures.codes.find((code) => code !== input.expectedCode);
    if (wrong !== undefined) problems.push(`${input.name}: exit code ${wrong}, not ${input.expectedCode}`);
    const missing = input.expectedRules.filter((rule) => !figures.byRule[rule]);
    if (missing.length > 0) problems.push(`${input.name}: no ${missing.join(", ")} finding`);
  }
  printTable(rows);
  console.log(notes.join("\n"));
  console.log(problems.length ? problems.map((p) => `  MISSED: ${p}`).join("\n") : "  ok");
  return problems;
}
