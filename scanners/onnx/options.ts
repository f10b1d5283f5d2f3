/**
 * The ONNX scanner's limits: how much of a model's protobuf it walks. Set them
 * per scan with `scannerOptions: { onnx: { ... } }` or `--limit onnx.NAME=VALUE`.
 *
 * @module
 */

/**
 * Limits of the ONNX scanner.
 *
 * @example
 * ```ts
 * import { DEFAULT_ONNX_OPTIONS, type OnnxOptions } from "./options.ts";
 * const strict: OnnxOptions = { ...DEFAULT_ONNX_OPTIONS, maxNodes: 100_000 };
 * ```
 */
export interface OnnxOptions {
  /**
   * Subgraphs nested in attributes walked (default 32); deeper ones are MA466, not inspected. Real
   * models nest a few (a Loop in an If).
   */
  maxGraphDepth: number;
  /** Nodes walked per model, subgraphs and functions included (default 2,000,000); the rest: MA466. */
  maxNodes: number;
  /**
   * Protobuf fields read per model (default 50,000,000): a model of a million nodes has about ten
   * million, and 50 million take seconds; the rest: MA466.
   */
  maxFields: number;
  /** Strings of a model inspected by the string checks (default 2,000,000); the rest: MA466. */
  maxStrings: number;
  /** Bytes of one string inspected by the string checks (default 1 MiB); the rest is not searched. */
  maxStringBytes: number;
}

/**
 * The ONNX scanner's limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_ONNX_OPTIONS } from "./options.ts";
 * assert.equal(DEFAULT_ONNX_OPTIONS.maxGraphDepth, 32);
 * ```
 */
export const DEFAULT_ONNX_OPTIONS: Readonly<OnnxOptions> = Object.freeze({
  maxGraphDepth: 32,
  maxNodes: 2_000_000,
  maxFields: 50_000_000,
  maxStrings: 2_000_000,
  maxStringBytes: 1024 * 1024,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ONNX_OPTION_SUMMARIES } from "./options.ts";
 * assert.match(ONNX_OPTION_SUMMARIES.maxNodes, /^Nodes walked per model/);
 * ```
 */
export const ONNX_OPTION_SUMMARIES: Readonly<Record<keyof OnnxOptions, string>> = {
  maxGraphDepth: "Subgraphs nested in attributes walked; deeper ones are MA466, not inspected",
  maxNodes: "Nodes walked per model, subgraphs and functions included; the rest: MA466",
  maxFields: "Protobuf fields read per model; the rest of the model: MA466",
  maxStrings: "Strings of a model inspected by the string checks; the rest: MA466",
  maxStringBytes: "Bytes of one ONNX string inspected by the string checks; the rest is not searched",
};
