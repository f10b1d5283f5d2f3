/**
 * The pickle scanner's limits: how much work and memory one pickle may cost
 * before the scanner stops tracking something and says so (MA109, MA110). Set
 * them per scan with `scannerOptions: { pickle: { ... } }` or
 * `--limit pickle.NAME=VALUE`; the scanner reads them from its context.
 *
 * @module
 */

/**
 * Limits of the pickle scanner. Every field is a count or a size in bytes; the
 * defaults ({@linkcode DEFAULT_PICKLE_OPTIONS}) sit far above any real model.
 *
 * @example
 * ```ts
 * import { DEFAULT_PICKLE_OPTIONS, type PickleOptions } from "./options.ts";
 * const quick: PickleOptions = { ...DEFAULT_PICKLE_OPTIONS, maxOpcodes: 1_000_000 };
 * ```
 */
export interface PickleOptions {
  /**
   * Opcodes interpreted per source before MA110 (default 50,000,000): real models stay far
   * below (the largest checkpoints need a few million); past it only imports are checked.
   */
  maxOpcodes: number;
  /**
   * Memo entries per pickle before MA110 (default 1,000,000): a model memoizes a few per tensor;
   * later entries are not stored, so what reads them is reported as unresolved, never as safe.
   */
  maxMemoEntries: number;
  /**
   * Values on the stack before MA110 (default 500,000): only a tuple or frozenset of that many
   * items, pushed all at once, gets near it; past it only imports are checked.
   */
  maxStackDepth: number;
  /**
   * Open MARKs before MA110 (default 10,000): the pickler nests data only as deep as Python's
   * recursion limit (1,000) lets it; past it only imports are checked.
   */
  maxMarkDepth: number;
  /**
   * Objects in a fully expanded value before MA109, an expansion bomb (default 2^30): shared
   * references in real models stay far below a billion.
   */
  maxExpandedSize: number;
  /**
   * Content of long strings kept per pickle, in bytes (default 64 MiB): past it a string keeps
   * only its range in the source (enough to scan it as a payload), so memoized strings cannot
   * hoard memory.
   */
  maxKeptTextBytes: number;
  /**
   * References kept across values (container items, parent links) per pickle (default
   * 1,000,000): bounds the memory hostile input can make the machine hold.
   */
  maxRetainedRefs: number;
  /**
   * Bytes of a numeric or name line (INT, GET, GLOBAL, PERSID, ...) decoded (default 64 KiB):
   * longer lines are skipped, not decoded; a module name is never that long.
   */
  maxTextLineBytes: number;
  /**
   * String constants that look like pickles held until their pickle ends (default 64): the
   * oldest is then scanned at once, so a pickle full of them cannot hoard memory.
   */
  maxDeferredPayloads: number;
  /**
   * Characters of a string constant inspected for encoded pickles and Python source (default
   * 32 MiB): a longer one is data, not inspected, which bounds memory and time per constant.
   */
  maxEmbeddedChars: number;
  /**
   * Characters of source text scanned for dangerous calls (default 4 MiB), the literals handed to
   * exec/eval inside it included: the import that would exec a longer string is flagged anyway.
   */
  maxCodeScanChars: number;
  /**
   * Encoding layers peeled off a string constant (base64 of hex of base64 ...) before giving up
   * (default 3): real data is encoded once.
   */
  maxDecodeDepth: number;
}

/**
 * The pickle scanner's limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_PICKLE_OPTIONS } from "./options.ts";
 * assert.equal(DEFAULT_PICKLE_OPTIONS.maxOpcodes, 50_000_000);
 * ```
 */
export const DEFAULT_PICKLE_OPTIONS: Readonly<PickleOptions> = Object.freeze({
  maxOpcodes: 50_000_000,
  maxMemoEntries: 1_000_000,
  maxStackDepth: 500_000,
  maxMarkDepth: 10_000,
  maxExpandedSize: 2 ** 30,
  maxKeptTextBytes: 64 * 1024 * 1024,
  maxRetainedRefs: 1_000_000,
  maxTextLineBytes: 64 * 1024,
  maxDeferredPayloads: 64,
  maxEmbeddedChars: 32 * 1024 * 1024,
  maxCodeScanChars: 4 * 1024 * 1024,
  maxDecodeDepth: 3,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PICKLE_OPTION_SUMMARIES } from "./options.ts";
 * assert.ok(PICKLE_OPTION_SUMMARIES.maxOpcodes?.startsWith("Opcodes interpreted per source before MA110;"));
 * ```
 */
export const PICKLE_OPTION_SUMMARIES: Readonly<Record<keyof PickleOptions, string>> = {
  maxOpcodes: "Opcodes interpreted per source before MA110; past it only imports are checked",
  maxMemoEntries: "Memo entries per pickle before MA110; later ones are not stored",
  maxStackDepth: "Values on the stack before MA110; past it only imports are checked",
  maxMarkDepth: "Open MARKs before MA110; past it only imports are checked",
  maxExpandedSize: "Objects in a fully expanded value before MA109 (expansion bomb)",
  maxKeptTextBytes: "Bytes of long strings kept per pickle; past it a string keeps only its range",
  maxRetainedRefs: "References kept across values per pickle (container items, parent links)",
  maxTextLineBytes: "Bytes of a numeric or name line decoded; longer lines are skipped",
  maxDeferredPayloads: "Pickle-like strings held until their pickle ends; the oldest is then scanned",
  maxEmbeddedChars:
    "Characters of a string constant inspected for encoded pickles and source; longer is data",
  maxCodeScanChars: "Characters of source text (in a string constant) scanned for dangerous calls",
  maxDecodeDepth: "Encoding layers (base64, hex) peeled off a string constant before giving up",
};
