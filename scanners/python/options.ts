/**
 * The Python source scanner's limits: how large a `.py` file is parsed, how many
 * syntax nodes its analysis visits, and how many dangerous calls one file reports.
 * Set them per scan with `scannerOptions: { python: { ... } }` or
 * `--limit python.NAME=VALUE`.
 *
 * @module
 */

/**
 * Limits of the Python source analysis.
 *
 * @example
 * ```ts
 * import { DEFAULT_PYTHON_OPTIONS, type PythonOptions } from "./options.ts";
 * const strict: PythonOptions = { ...DEFAULT_PYTHON_OPTIONS, maxSourceBytes: 1024 * 1024 };
 * ```
 */
export interface PythonOptions {
  /**
   * Bytes of a `.py` file parsed (default 16 MiB); a larger one is MA604, not analysed. The largest
   * `modeling_*.py` files transformers generates are a few hundred kilobytes.
   */
  maxSourceBytes: number;
  /**
   * Syntax nodes of one file visited (default 5,000,000); past it the rest of the file is not analysed
   * (MA604). A megabyte of real Python is about 300,000 nodes.
   */
  maxSyntaxNodes: number;
  /** Dangerous calls reported per file (default 1,000); the rest are counted in the last finding's details. */
  maxReportedCalls: number;
}

/**
 * The Python source scanner's limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_PYTHON_OPTIONS } from "./options.ts";
 * assert.equal(DEFAULT_PYTHON_OPTIONS.maxSourceBytes, 16 * 1024 * 1024);
 * ```
 */
export const DEFAULT_PYTHON_OPTIONS: Readonly<PythonOptions> = Object.freeze({
  maxSourceBytes: 16 * 1024 * 1024,
  maxSyntaxNodes: 5_000_000,
  maxReportedCalls: 1_000,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PYTHON_OPTION_SUMMARIES } from "./options.ts";
 * assert.match(PYTHON_OPTION_SUMMARIES.maxSourceBytes, /^Bytes of a \.py file/);
 * ```
 */
export const PYTHON_OPTION_SUMMARIES: Readonly<Record<keyof PythonOptions, string>> = {
  maxSourceBytes: "Bytes of a .py file parsed; larger: MA604, not analysed",
  maxSyntaxNodes: "Syntax nodes of one .py file analysed; past it: MA604, the rest not analysed",
  maxReportedCalls: "Dangerous calls reported per .py file; the rest are counted",
};
