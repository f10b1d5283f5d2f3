/**
 * The safetensors scanner's limits: how many JSON values of a header it parses
 * and how many gaps between tensors it scans as payloads. Set them per scan with
 * `scannerOptions: { safetensors: { ... } }` or `--limit safetensors.NAME=VALUE`.
 *
 * @module
 */

/**
 * Limits of the safetensors scanner.
 *
 * @example
 * ```ts
 * import { DEFAULT_SAFETENSORS_OPTIONS, type SafetensorsOptions } from "./options.ts";
 * const strict: SafetensorsOptions = { ...DEFAULT_SAFETENSORS_OPTIONS, maxHeaderValues: 100_000 };
 * ```
 */
export interface SafetensorsOptions {
  /**
   * JSON values of a header parsed before MA330 (default 1,000,000): bounds memory and time on a
   * hostile header, which the reference loader's 100 MB cap alone leaves at gigabytes. Real headers
   * hold about eight values per tensor; a shard of 100,000 tensors needs 800,000.
   */
  maxHeaderValues: number;
  /**
   * Gaps between tensors whose bytes are scanned as payloads (default 16); further gaps are
   * reported (MA325) but not scanned. A real file has none.
   */
  maxScannedGaps: number;
}

/**
 * The safetensors scanner's limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_SAFETENSORS_OPTIONS } from "./options.ts";
 * assert.equal(DEFAULT_SAFETENSORS_OPTIONS.maxHeaderValues, 1_000_000);
 * ```
 */
export const DEFAULT_SAFETENSORS_OPTIONS: Readonly<SafetensorsOptions> = Object.freeze({
  maxHeaderValues: 1_000_000,
  maxScannedGaps: 16,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SAFETENSORS_OPTION_SUMMARIES } from "./options.ts";
 * assert.match(SAFETENSORS_OPTION_SUMMARIES.maxScannedGaps, /^Gaps between tensors/);
 * ```
 */
export const SAFETENSORS_OPTION_SUMMARIES: Readonly<Record<keyof SafetensorsOptions, string>> = {
  maxHeaderValues: "JSON values of a header parsed before MA330; past it the header is not inspected",
  maxScannedGaps: "Gaps between tensors scanned as payloads; further gaps are only reported (MA325)",
};
