/**
 * Builds standalone `modelaudit` binaries with `deno compile`.
 *
 * The permissions baked into the binary are those of deno.json's `modelaudit`
 * task, read from there, so running from source and running the binary can
 * never drift apart.
 *
 * ```sh
 * deno task compile       # host binary: dist/modelaudit
 * deno task compile:all   # every release target: dist/modelaudit-<target>[.exe]
 * ```
 *
 * `deno compile` downloads the runtime (denort) for each target; set
 * `DENORT_BIN` to a local denort binary to build the host target offline.
 *
 * @module
 */

/** The release targets: Linux x64/arm64, macOS x64/arm64, Windows x64. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

/** Workers are loaded by URL at run time, so the compiler cannot find them by itself. */
const EXTRA_MODULES = ["engine/worker.ts"];

/**
 * Flags of the `modelaudit` task that are not the binary's: lazy dynamic imports
 * spare `deno run` reading every scanner's modules at start-up, while a binary
 * must embed them all, and the compiler is not to be told it may skip some.
 */
const RUN_ONLY_FLAGS = new Set(["--unstable-lazy-dynamic-imports"]);

const ROOT = new URL("../", import.meta.url);

/**
 * The `deno run` flags of deno.json's `modelaudit` task: the permissions and
 * unstable features the CLI runs with.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runFlags } from "./compile_all.ts";
 * const flags = await runFlags();
 * assert.ok(flags.includes("--unstable-worker-options"));
 * assert.ok(flags.includes("--allow-read"));
 * assert.ok(!flags.includes("--allow-run")); // the CLI never starts a process
 * ```
 */
export async function runFlags(): Promise<string[]> {
  const denoJson = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const words = String(denoJson.tasks?.modelaudit ?? "").trim().split(/\s+/);
  const main = words.indexOf("main.ts");
  if (words[0] !== "deno" || words[1] !== "run" || main < 0) {
    throw new Error(`deno.json's modelaudit task is not "deno run <flags> main.ts": ${words.join(" ")}`);
  }
  return words.slice(2, main);
}

/**
 * The `deno compile` arguments that build main.ts for `target` (the host when
 * undefined) into `output`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileArgs } from "./compile_all.ts";
 * const args = await compileArgs("x86_64-apple-darwin", "dist/modelaudit-x86_64-apple-darwin");
 * assert.equal(args[0], "compile");
 * assert.ok(args.join(" ").includes("--include engine/worker.ts")); // the sandbox's worker module
 * assert.ok(!args.includes("--unstable-lazy-dynamic-imports")); // a binary embeds every scanner
 * assert.deepEqual(args.slice(-5), [
 *   "--target",
 *   "x86_64-apple-darwin",
 *   "--output",
 *   "dist/modelaudit-x86_64-apple-darwin",
 *   "main.ts",
 * ]);
 * assert.ok(!(await compileArgs(undefined, "dist/modelaudit")).includes("--target")); // the host
 * ```
 */
export async function compileArgs(target: string | undefined, output: string): Promise<string[]> {
  return [
    "compile",
    ...(await runFlags()).filter((flag) => !RUN_ONLY_FLAGS.has(flag)),
    ...EXTRA_MODULES.flatMap((module) => ["--include", module]),
    ...(target ? ["--target", target] : []),
    "--output",
    output,
    "main.ts",
  ];
}

/**
 * The output path of the binary for `target`, under dist/; the host binary
 * (target undefined) is plain `dist/modelaudit`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { outputFor } from "./compile_all.ts";
 * assert.equal(outputFor("x86_64-pc-windows-msvc"), "dist/modelaudit-x86_64-pc-windows-msvc.exe");
 * assert.equal(outputFor("aarch64-apple-darwin"), "dist/modelaudit-aarch64-apple-darwin");
 * assert.equal(outputFor(undefined), "dist/modelaudit");
 * ```
 */
export function outputFor(target: string | undefined): string {
  if (!target) return "dist/modelaudit";
  return `dist/modelaudit-${target}${target.includes("windows") ? ".exe" : ""}`;
}

async function compile(target: string | undefined): Promise<void> {
  const output = outputFor(target);
  console.error(`compiling ${output}`);
  const { success } = await new Deno.Command(Deno.execPath(), {
    args: await compileArgs(target, output),
    cwd: ROOT,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!success) throw new Error(`deno compile failed for ${target ?? "the host"}`);
}

if (import.meta.main) {
  const host = Deno.args.includes("--host");
  const unknown = Deno.args.filter((arg) => arg !== "--host");
  if (unknown.length) {
    console.error(`usage: compile_all.ts [--host]  (unknown: ${unknown.join(" ")})`);
    Deno.exit(2);
  }
  try {
    for (const target of host ? [undefined] : TARGETS) await compile(target);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    Deno.exit(1);
  }
}
