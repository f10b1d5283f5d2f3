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

/** The repository root: the SARIF report makes the scanned paths relative to it. */
export const REPO_ROOT: string = new URL("../../", import.meta.url).pathname;

/**
 * The paths scanned: all fixtures, and one that does not exist. Absolute, because test files run in
 * parallel in one process and none may change its working directory.
 */
export const SCANNED_PATHS: readonly string[] = [
  `${REPO_ROOT}fixtures`,
  `${REPO_ROOT}fixtures/no_such_model.pkl`,
];

/** Above the size of every fixture but one PyTorch checkpoint (87 kB): it is skipped, with a finding. */
export const MAX_FILE_SIZE = 80_000;

let cached: Promise<ScanResult> | undefined;

/** The scan, run once per test module (`real_scan_test.ts` holds every test that uses it). */
export function realScan(): Promise<ScanResult> {
  cached ??= scan(SCANNED_PATHS, { maxFileSize: MAX_FILE_SIZE });
  return cached;
}
