/**
 * The TensorFlow scanner's limits: how large a text SavedModel it parses, how many
 * nodes and functions it reads, and how large a string it keeps as a possible
 * serialized graph. Set them per scan with `scannerOptions: { tensorflow: { ... } }`
 * or `--limit tensorflow.NAME=VALUE`.
 *
 * @module
 */

/**
 * Limits of the TensorFlow scanner.
 *
 * @example
 * ```ts
 * import { DEFAULT_TENSORFLOW_OPTIONS, type TensorflowOptions } from "./options.ts";
 * const strict: TensorflowOptions = { ...DEFAULT_TENSORFLOW_OPTIONS, maxNodes: 100_000 };
 * ```
 */
export interface TensorflowOptions {
  /**
   * Bytes of a `saved_model.pbtxt` parsed (default 256 MiB): its constants are text, so it is far
   * larger than its binary twin; a larger one is MA434, not inspected.
   */
  maxTextBytes: number;
  /** Nodes read per file, all graphs together (default 2,000,000); the rest: MA435. */
  maxNodes: number;
  /** Functions read per file (default 200,000); the rest: MA435. */
  maxFunctions: number;
  /**
   * Bytes of a string constant kept to be checked as a serialized graph (default 16 MiB); a longer
   * one is not looked into.
   */
  maxNestedGraphBytes: number;
}

/**
 * The TensorFlow scanner's limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_TENSORFLOW_OPTIONS } from "./options.ts";
 * assert.equal(DEFAULT_TENSORFLOW_OPTIONS.maxNodes, 2_000_000);
 * ```
 */
export const DEFAULT_TENSORFLOW_OPTIONS: Readonly<TensorflowOptions> = Object.freeze({
  maxTextBytes: 256 * 1024 * 1024,
  maxNodes: 2_000_000,
  maxFunctions: 200_000,
  maxNestedGraphBytes: 16 * 1024 * 1024,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TENSORFLOW_OPTION_SUMMARIES } from "./options.ts";
 * assert.match(TENSORFLOW_OPTION_SUMMARIES.maxNodes, /^Nodes read per file/);
 * ```
 */
export const TENSORFLOW_OPTION_SUMMARIES: Readonly<Record<keyof TensorflowOptions, string>> = {
  maxTextBytes: "Bytes of a saved_model.pbtxt parsed; a larger one is MA434, not inspected",
  maxNodes: "Nodes read per file, all graphs together; the rest: MA435",
  maxFunctions: "Functions read per file; the rest: MA435",
  maxNestedGraphBytes: "Bytes of a string constant kept to be checked as a serialized graph",
};
