/**
 * The Keras scanners' limits: how much of a `.keras` archive's records, a model
 * config and a Lambda's code is read. They apply to the configs of legacy HDF5
 * models too. Set them per scan with `scannerOptions: { keras: { ... } }` or
 * `--limit keras.NAME=VALUE`.
 *
 * @module
 */

/**
 * Limits of the Keras scanners.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_KERAS_OPTIONS, type KerasOptions } from "./options.ts";
 * const strict: KerasOptions = { ...DEFAULT_KERAS_OPTIONS, maxConfigNodes: 100_000 };
 * assert.equal(strict.maxConfigDepth, 512);
 * ```
 */
export interface KerasOptions {
  /**
   * Bytes of a `.keras` archive's `config.json` read (default 256 MiB); a larger one is MA413, not
   * inspected. The config of a model with 100,000 layers is tens of MiB.
   */
  maxConfigBytes: number;
  /** Nesting of a model config walked (default 512); deeper values are MA413. Real configs nest a few dozen. */
  maxConfigDepth: number;
  /**
   * Values of one model config visited (default 5,000,000); the rest is MA413. A model with tens of
   * thousands of layers stays well below.
   */
  maxConfigNodes: number;
  /**
   * Characters of a Lambda's code string decoded (default 4 Mi); a longer one is MA402, undecoded.
   * Real lambdas marshal to a few hundred bytes.
   */
  maxLambdaCodeChars: number;
  /**
   * Objects read from one Lambda's marshal stream (default 200,000); past it the code is MA402,
   * undecoded. Real lambdas hold a few dozen.
   */
  maxMarshalObjects: number;
  /**
   * Characters of a TorchModuleWrapper's base64 blob decoded and scanned as a pickle (default 256 Mi);
   * a longer one is reported (MA407) but not scanned.
   */
  maxTorchModuleChars: number;
  /**
   * Bytes of a `.keras` archive's `metadata.json` read (default 64 KiB); a larger one is MA409.
   * Keras writes a few dozen bytes.
   */
  maxMetadataBytes: number;
}

/**
 * The Keras scanners' limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_KERAS_OPTIONS } from "./options.ts";
 * assert.equal(DEFAULT_KERAS_OPTIONS.maxConfigBytes, 256 * 1024 * 1024);
 * ```
 */
export const DEFAULT_KERAS_OPTIONS: Readonly<KerasOptions> = Object.freeze({
  maxConfigBytes: 256 * 1024 * 1024,
  maxConfigDepth: 512,
  maxConfigNodes: 5_000_000,
  maxLambdaCodeChars: 4 * 1024 * 1024,
  maxMarshalObjects: 200_000,
  maxTorchModuleChars: 256 * 1024 * 1024,
  maxMetadataBytes: 64 * 1024,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KERAS_OPTION_SUMMARIES } from "./options.ts";
 * assert.match(KERAS_OPTION_SUMMARIES.maxConfigNodes, /^Values of one Keras model config/);
 * ```
 */
export const KERAS_OPTION_SUMMARIES: Readonly<Record<keyof KerasOptions, string>> = {
  maxConfigBytes: "Bytes of a .keras archive's config.json read; a larger one is MA413, not inspected",
  maxConfigDepth: "Nesting of a Keras model config walked (.keras, HDF5); deeper values: MA413",
  maxConfigNodes: "Values of one Keras model config visited (.keras, HDF5); the rest: MA413",
  maxLambdaCodeChars: "Characters of a Lambda layer's code string decoded; a longer one is MA402",
  maxMarshalObjects: "Objects read from a Lambda layer's marshalled code; past it the code is MA402",
  maxTorchModuleChars: "Characters of a TorchModuleWrapper's base64 blob scanned; a longer one: MA407 only",
  maxMetadataBytes: "Bytes of a .keras archive's metadata.json read; a larger one is MA409",
};
