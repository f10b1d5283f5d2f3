// A folder for sandbox tests: a target to scan, and a secret beside it that a scan worker must not read.
import { join } from "node:path";

/** The folder's paths: `dir` holds `targets/model.pkl` (the target) and `secret.txt` (outside). */
export interface SandboxLayout {
  dir: string;
  targets: string;
  target: string;
  outside: string;
}

/** Makes the folder in a new temporary directory (its real path); the caller removes `dir`. */
export async function targetBesideSecret(): Promise<SandboxLayout> {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  const targets = join(dir, "targets");
  await Deno.mkdir(targets);
  const target = join(targets, "model.pkl");
  await Deno.writeTextFile(target, "N.");
  const outside = join(dir, "secret.txt");
  await Deno.writeTextFile(outside, "secret");
  return { dir, targets, target, outside };
}
