/**
 * The msgpack scanner's limits: how large, how deep and how many entries a msgpack file may
 * have to be decoded. Set them per scan with `scannerOptions: { msgpack: { ... } }` or
 * `--limit msgpack.NAME=VALUE`.
 *
 * @module
 */

/**
 * Limits of the msgpack scanner.
 *
 * @example
 * ```ts
 * import { DEFAULT_MSGPACK_OPTIONS, type MsgpackOptions } from "./options.ts";
 * const strict: MsgpackOptions = { ...DEFAULT_MSGPACK_OPTIONS, maxBytes: 64 * 1024 * 1024 };
 * ```
 */
export interface MsgpackOptions {
  /**
   * Bytes of a msgpack file decoded (default 1 GiB): the decoder holds the whole file in memory.
   * A larger one is MA151, not decoded. Flax checkpoints of base-size models are a few hundred MiB.
   */
  maxBytes: number;
  /** Maps and arrays nested in one another (default 512); deeper is MA151. Flax nests a dozen. */
  maxDepth: number;
  /** Map entries and array items in all (default 10,000,000); more is MA151. */
  maxEntries: number;
}

/**
 * The msgpack scanner's limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_MSGPACK_OPTIONS } from "./options.ts";
 * assert.equal(DEFAULT_MSGPACK_OPTIONS.maxDepth, 512);
 * ```
 */
export const DEFAULT_MSGPACK_OPTIONS: Readonly<MsgpackOptions> = Object.freeze({
  maxBytes: 1024 * 1024 * 1024,
  maxDepth: 512,
  maxEntries: 10_000_000,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MSGPACK_OPTION_SUMMARIES } from "./options.ts";
 * assert.match(MSGPACK_OPTION_SUMMARIES.maxBytes, /^Bytes of a msgpack file/);
 * ```
 */
export const MSGPACK_OPTION_SUMMARIES: Readonly<Record<keyof MsgpackOptions, string>> = {
  maxBytes: "Bytes of a msgpack file decoded (held in memory); a larger one is MA151, not decoded",
  maxDepth: "Maps and arrays nested in one another in a msgpack file; deeper: MA151",
  maxEntries: "Map entries and array items decoded per msgpack file; more: MA151",
};
