/**
 * The zip scanner's limits: how many entries and how large a central directory
 * one archive may have, and which stored members get their checksum verified.
 * Set them per scan with `scannerOptions: { zip: { ... } }` or
 * `--limit zip.NAME=VALUE`.
 *
 * @module
 */

/**
 * Limits of the zip scanner (PyTorch checkpoints, `.npz` and `.keras` archives are zips too).
 *
 * @example
 * ```ts
 * import { DEFAULT_ZIP_OPTIONS, type ZipOptions } from "./options.ts";
 * const small: ZipOptions = { ...DEFAULT_ZIP_OPTIONS, maxEntries: 10_000 };
 * ```
 */
export interface ZipOptions {
  /**
   * Entries listed per archive before MA210 (default 500,000): five times the engine's default
   * member limit (a checkpoint holds one member per tensor); each costs a few hundred bytes, so
   * the cap bounds memory to a few hundred MB.
   */
  maxEntries: number;
  /**
   * Bytes of central directory read (default 256 MiB): far above the directory of `maxEntries`
   * entries; a larger declared size is refused (MA210) before any entry is read.
   */
  maxDirectoryBytes: number;
  /**
   * Stored members up to this size have their CRC-32 verified before they are scanned (default
   * 32 MiB): one extra read, worth it for the pickles and metadata that matter, not for
   * gigabytes of weights.
   */
  maxStoredCrcBytes: number;
  /**
   * Bytes of one entry an archive profile may read whole to plan the members (default 16 MiB):
   * the metadata records it reads (a checkpoint's `version`, `byteorder`) are far smaller.
   */
  maxProfileReadBytes: number;
}

/**
 * The zip scanner's limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_ZIP_OPTIONS } from "./options.ts";
 * assert.equal(DEFAULT_ZIP_OPTIONS.maxEntries, 500_000);
 * ```
 */
export const DEFAULT_ZIP_OPTIONS: Readonly<ZipOptions> = Object.freeze({
  maxEntries: 500_000,
  maxDirectoryBytes: 256 * 1024 * 1024,
  maxStoredCrcBytes: 32 * 1024 * 1024,
  maxProfileReadBytes: 16 * 1024 * 1024,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ZIP_OPTION_SUMMARIES } from "./options.ts";
 * assert.ok(ZIP_OPTION_SUMMARIES.maxEntries?.startsWith("Entries listed per archive before MA210"));
 * ```
 */
export const ZIP_OPTION_SUMMARIES: Readonly<Record<keyof ZipOptions, string>> = {
  maxEntries: "Entries listed per archive before MA210; the rest are not listed",
  maxDirectoryBytes: "Bytes of central directory read; a larger one is not read (MA210)",
  maxStoredCrcBytes:
    "Stored members up to this size have their CRC-32 verified (MA202) before they are scanned",
  maxProfileReadBytes: "Bytes of one entry an archive profile (a PyTorch checkpoint's) may read whole",
};
