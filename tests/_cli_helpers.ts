/**
 * Helpers the CLI tests share: tiny pickles written as bytes, temporary
 * directories removed when the test module ends, the CLI run in-process through
 * its entry function, and a runner that captures a whole process's output.
 *
 * @module
 */

import { type CliOutput, runCli } from "../cli/run.ts";

const encoder = new TextEncoder();

/** Protocol-0 pickle that calls `os.system("echo x")` when loaded: 25 bytes, GLOBAL at 0, REDUCE at 23. */
export const EVIL_PICKLE: Uint8Array = encoder.encode("cos\nsystem\n(S'echo x'\ntR.");

/** Protocol-0 pickle of the list `[1]`: nothing imported, nothing called. */
export const BENIGN_PICKLE: Uint8Array = encoder.encode("(lp0\nI1\na.");

/** Protocol-0 pickle that calls a callable no list knows: an unknown import (warning), not a dangerous one. */
export const UNKNOWN_PICKLE: Uint8Array = encoder.encode("cmy_private_pkg\nmake_model\n(tR.");

const temporary: string[] = [];

/**
 * Removes every directory {@linkcode tempDir} made so far and returns their
 * paths. A test file calls it in its last test; the module's unload catches
 * what a filtered run leaves.
 */
export function removeTempDirs(): string[] {
  const removed = temporary.splice(0);
  for (const dir of removed) Deno.removeSync(dir, { recursive: true });
  return removed;
}
globalThis.addEventListener("unload", removeTempDirs);

/** A new temporary directory, removed with everything in it by {@linkcode removeTempDirs}. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix });
  temporary.push(dir);
  return dir;
}

/** Writes `files` (name to bytes) into a new temporary directory and returns its path. */
export async function modelsDir(files: Record<string, Uint8Array>): Promise<string> {
  const dir = await tempDir("modelaudit_cli_");
  for (const [name, bytes] of Object.entries(files)) await Deno.writeFile(`${dir}/${name}`, bytes);
  return dir;
}

/** What a finished command printed and returned. */
export interface RunOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/** A stream that keeps what is written to it. */
class Capture implements CliOutput {
  readonly #chunks: Uint8Array[] = [];

  write(bytes: Uint8Array): Promise<number> {
    this.#chunks.push(bytes.slice());
    return Promise.resolve(bytes.length);
  }

  get text(): string {
    const decoder = new TextDecoder();
    return this.#chunks.map((chunk) => decoder.decode(chunk, { stream: true })).join("") + decoder.decode();
  }
}

/**
 * Runs the CLI in this process through its entry function, with `env` as its
 * whole environment (colors off unless `env` turns them on), and captures what
 * it writes. Scans still run in sandboxed workers.
 */
export async function runInProcess(args: string[], env: Record<string, string> = {}): Promise<RunOutput> {
  const stdout = new Capture();
  const stderr = new Capture();
  const variables: Record<string, string> = { FORCE_COLOR: "0", ...env };
  const code = await runCli(args, { stdout, stderr, env: (name) => variables[name] });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/**
 * Runs `command` with `args`, no stdin, and colors off unless `env` turns them
 * on; a CI's FORCE_COLOR must not leak into exact-output assertions.
 */
export async function runCommand(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<RunOutput> {
  const output = await new Deno.Command(command, {
    args,
    cwd: options.cwd,
    env: { FORCE_COLOR: "0", ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}
