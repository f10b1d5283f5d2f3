/**
 * The .npy scanner's limits: how much of a header it reads and how deep the
 * header's Python literal may nest. Set them per scan with
 * `scannerOptions: { numpy: { ... } }` or `--limit numpy.NAME=VALUE`.
 *
 * @module
 */

/**
 * Limits of the .npy scanner.
 *
 * @example
 * ```ts
 * import { DEFAULT_NUMPY_OPTIONS, type NumpyOptions } from "./options.ts";
 * const strict: NumpyOptions = { ...DEFAULT_NUMPY_OPTIONS, maxHeaderBytes: 10_000 };
 * ```
 */
export interface NumpyOptions {
  /**
   * Header bytes parsed before MA310 (default 1 MiB): `np.save` writes well under 1 KiB even for
   * wide structured dtypes, and `np.load` itself refuses more than 10,000 characters unless
   * pickles are allowed.
   */
  maxHeaderBytes: number;
  /**
   * Containers nested in the header's Python literal before it is refused (default 100):
   * CPython's parser refuses a few hundred levels too, and no dtype nests that deep.
   */
  maxLiteralDepth: number;
}

/**
 * The .npy scanner's limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_NUMPY_OPTIONS } from "./options.ts";
 * assert.equal(DEFAULT_NUMPY_OPTIONS.maxHeaderBytes, 1_048_576);
 * ```
 */
export const DEFAULT_NUMPY_OPTIONS: Readonly<NumpyOptions> = Object.freeze({
  maxHeaderBytes: 1024 * 1024,
  maxLiteralDepth: 100,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NUMPY_OPTION_SUMMARIES } from "./options.ts";
 * assert.equal(NUMPY_OPTION_SUMMARIES.maxHeaderBytes, "Header bytes parsed before MA310");
 * ```
 */
export const NUMPY_OPTION_SUMMARIES: Readonly<Record<keyof NumpyOptions, string>> = {
  maxHeaderBytes: "Header bytes parsed before MA310",
  maxLiteralDepth: "Containers nested in the header's Python literal before it is refused (MA310)",
};
