/**
 * One real scan the report-schema tests share: every committed fixture (every
 * format area, findings at byte offsets and inside nested containers, skipped
 * files), a path that does not exist (a scan error) and a file larger than the
 * size limit (skipped with a finding).
 *
 * @module
 */

import { scan } from "../../engine/scan.ts";
import type { ScanResult } from "../../core/types.ts";

/** The repository root, which the scanned paths are relative to. */
export const REPO_ROOT: string = new URL("../../", import.meta.url).pathname;

/** The paths scanned, relative to {@linkcode REPO_ROOT}: all fixtures, and one that does not exist. */
export const SCANNED_PATHS: readonly string[] = ["fixtures", "fixtures/no_such_model.pkl"];

/** Above the size of every fixture but one PyTorch checkpoint (87 kB): some files are skipped for their size. */
export const MAX_FILE_SIZE = 80_000;

let cached: Promise<ScanResult> | undefined;

/** The scan, run once per test process, from {@linkcode REPO_ROOT}. */
export function realScan(): Promise<ScanResult> {
  cached ??= (async () => {
    const cwd = Deno.cwd();
    Deno.chdir(REPO_ROOT);
    try {
      return await scan(SCANNED_PATHS, { maxFileSize: MAX_FILE_SIZE });
    } finally {
      Deno.chdir(cwd);
    }
  })();
  return cached;
}
