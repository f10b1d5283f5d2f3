/**
 * Limits of the compressed-file scanners that need one beyond the engine's
 * (decompressed bytes, compression ratio): the LZMA decoder, which holds what it
 * decodes in memory. Set them per scan with `scannerOptions: { lzma: { ... } }`
 * or `--limit lzma.NAME=VALUE`.
 *
 * @module
 */

/**
 * Limits of the LZMA-alone scanner.
 *
 * @example
 * ```ts
 * import { DEFAULT_LZMA_OPTIONS, type LzmaOptions } from "./options.ts";
 * const small: LzmaOptions = { ...DEFAULT_LZMA_OPTIONS, maxDecodedBytes: 16 * 1024 * 1024 };
 * ```
 */
export interface LzmaOptions {
  /**
   * Decoded bytes kept for one member before MA212 (default 256 MiB): the decoder runs
   * synchronously and all its output stays in memory while the member is scanned, so this
   * bounds the memory and the time one file costs.
   */
  maxDecodedBytes: number;
  /**
   * Largest dictionary decoded, in `.lzma` files and in 7z folders (default 256 MiB; `xz -9` uses
   * 64 MiB): the decoder allocates it, so a larger one is reported as undecodable (MA212) instead.
   */
  maxDictionaryBytes: number;
}

/**
 * The LZMA scanner's limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_LZMA_OPTIONS } from "./options.ts";
 * assert.equal(DEFAULT_LZMA_OPTIONS.maxDecodedBytes, 268_435_456);
 * ```
 */
export const DEFAULT_LZMA_OPTIONS: Readonly<LzmaOptions> = Object.freeze({
  maxDecodedBytes: 256 * 1024 * 1024,
  maxDictionaryBytes: 256 * 1024 * 1024,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LZMA_OPTION_SUMMARIES } from "./options.ts";
 * assert.ok(LZMA_OPTION_SUMMARIES.maxDecodedBytes?.startsWith("Decoded bytes kept in memory"));
 * ```
 */
export const LZMA_OPTION_SUMMARIES: Readonly<Record<keyof LzmaOptions, string>> = {
  maxDecodedBytes:
    "Decoded bytes kept in memory per LZMA stream (.lzma file or zip member); the rest is not decoded",
  maxDictionaryBytes: "Largest LZMA dictionary allocated (.lzma files, 7z folders); a larger one is MA212",
};
