/**
 * The GGUF and legacy GGML scanners' limits: how long a metadata string or a
 * vocabulary token may be to be read. Set them per scan with
 * `scannerOptions: { gguf: { ... } }` or `--limit gguf.NAME=VALUE`.
 *
 * @module
 */

/**
 * Limits of the GGUF and legacy GGML scanners.
 *
 * @example
 * ```ts
 * import { DEFAULT_GGUF_OPTIONS, type GgufOptions } from "./options.ts";
 * const strict: GgufOptions = { ...DEFAULT_GGUF_OPTIONS, maxStringBytes: 1024 * 1024 };
 * ```
 */
export interface GgufOptions {
  /**
   * Bytes of one GGUF metadata string read (default 64 MiB); a longer one is stepped over unread
   * (MA348). Real metadata strings are at most a few hundred kilobytes (the longest chat templates).
   */
  maxStringBytes: number;
  /**
   * Bytes of one legacy GGML vocabulary token read (default 1 MiB); a longer one is MA347 and
   * stepped over unread. Real vocabularies' longest tokens are a few hundred bytes.
   */
  maxLegacyTokenBytes: number;
}

/**
 * The GGUF scanners' limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_GGUF_OPTIONS } from "./options.ts";
 * assert.equal(DEFAULT_GGUF_OPTIONS.maxStringBytes, 64 * 1024 * 1024);
 * ```
 */
export const DEFAULT_GGUF_OPTIONS: Readonly<GgufOptions> = Object.freeze({
  maxStringBytes: 64 * 1024 * 1024,
  maxLegacyTokenBytes: 1024 * 1024,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GGUF_OPTION_SUMMARIES } from "./options.ts";
 * assert.match(GGUF_OPTION_SUMMARIES.maxStringBytes, /^Bytes of one GGUF metadata string/);
 * ```
 */
export const GGUF_OPTION_SUMMARIES: Readonly<Record<keyof GgufOptions, string>> = {
  maxStringBytes: "Bytes of one GGUF metadata string read; a longer one is stepped over unread (MA348)",
  maxLegacyTokenBytes: "Bytes of one legacy GGML vocabulary token read; a longer one is MA347, unread",
};
