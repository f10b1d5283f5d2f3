/**
 * Helpers the end-to-end CLI tests share: tiny pickles written as bytes, a
 * temporary models directory, and a runner that captures a command's output.
 *
 * @module
 */

const encoder = new TextEncoder();

/** Protocol-0 pickle that calls `os.system("echo x")` when loaded: 25 bytes, GLOBAL at 0, REDUCE at 23. */
export const EVIL_PICKLE: Uint8Array = encoder.encode("cos\nsystem\n(S'echo x'\ntR.");

/** Protocol-0 pickle of the list `[1]`: nothing imported, nothing called. */
export const BENIGN_PICKLE: Uint8Array = encoder.encode("(lp0\nI1\na.");

/** Protocol-0 pickle that calls a callable no list knows: an unknown import (warning), not a dangerous one. */
export const UNKNOWN_PICKLE: Uint8Array = encoder.encode("cmy_private_pkg\nmake_model\n(tR.");

/** Writes `files` (name to bytes) into a new temporary directory and returns its path. */
export async function modelsDir(files: Record<string, Uint8Array>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "modelaudit_cli_" });
  for (const [name, bytes] of Object.entries(files)) await Deno.writeFile(`${dir}/${name}`, bytes);
  return dir;
}

/** What a finished command printed and returned. */
export interface RunOutput {
  code: number;
  stdout: string;
  stderr: string;
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
