/**
 * The 7z scanner's limits: how many files one archive may list, how large its
 * header may be, and which stored members get their checksum verified. Set them
 * per scan with `scannerOptions: { sevenzip: { ... } }` or
 * `--limit sevenzip.NAME=VALUE`; LZMA dictionaries are bound by `lzma.maxDictionaryBytes`.
 *
 * @module
 */

import { DEFAULT_ZIP_OPTIONS } from "../zip/options.ts";

/**
 * Limits of the 7z scanner.
 *
 * @example
 * ```ts
 * import { DEFAULT_SEVENZIP_OPTIONS, type SevenZipOptions } from "./options.ts";
 * const small: SevenZipOptions = { ...DEFAULT_SEVENZIP_OPTIONS, maxFiles: 10_000 };
 * ```
 */
export interface SevenZipOptions {
  /**
   * Files, folders and packed streams one archive may list (default 1,000,000): ten times the
   * engine's default member limit; a header that lists more is not read (MA209).
   */
  maxFiles: number;
  /**
   * Bytes of header read, decoded headers included, before MA210 (default 64 MiB): a million
   * files take about 60 MB of names and sizes, and the header is decoded into memory whole, as
   * 7-Zip does.
   */
  maxHeaderBytes: number;
  /**
   * Members stored without compression up to this size have their CRC-32 verified (MA202) before
   * they are scanned (default 32 MiB, as for zip): one extra read, worth it for pickles and
   * metadata, not for gigabytes of weights.
   */
  maxStoredCrcBytes: number;
}

/**
 * The 7z scanner's limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_SEVENZIP_OPTIONS } from "./options.ts";
 * assert.equal(DEFAULT_SEVENZIP_OPTIONS.maxFiles, 1_000_000);
 * ```
 */
export const DEFAULT_SEVENZIP_OPTIONS: Readonly<SevenZipOptions> = Object.freeze({
  maxFiles: 1_000_000,
  maxHeaderBytes: 64 * 1024 * 1024,
  maxStoredCrcBytes: DEFAULT_ZIP_OPTIONS.maxStoredCrcBytes,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SEVENZIP_OPTION_SUMMARIES } from "./options.ts";
 * assert.ok(SEVENZIP_OPTION_SUMMARIES.maxFiles?.startsWith("Files, folders and packed streams"));
 * ```
 */
export const SEVENZIP_OPTION_SUMMARIES: Readonly<Record<keyof SevenZipOptions, string>> = {
  maxFiles:
    "Files, folders and packed streams one archive may list; a header listing more is not read (MA209)",
  maxHeaderBytes: "Bytes of header read, decoded headers included; a larger one is not read (MA210)",
  maxStoredCrcBytes: "Members stored uncompressed up to this size have their CRC-32 verified (MA202)",
};
