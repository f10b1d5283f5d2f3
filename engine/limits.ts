/**
 * Limits the engine enforces on every scan, whatever the format: those a user
 * may need to raise or lower are {@linkcode ScanLimits}, with documented
 * defaults ({@linkcode DEFAULT_SCAN_LIMITS}); each format's own limits are the
 * scanner options of `scanners/options.ts`.
 *
 * @module
 */

import {
  parseOptionAssignment,
  resolveOptionGroup,
  SCANNER_OPTION_INFO,
  type ScannerOptionInfo,
  type ScannerOptionsInput,
  setScannerOption,
} from "../scanners/options.ts";

/** Default budget for a whole scan, in milliseconds (5 minutes). */
export const DEFAULT_TIMEOUT_MS = 300_000;

/** Why a file was not scanned when the whole scan's time ran out before it started. */
export const BUDGET_SPENT = "the scan's time budget ran out before this file";

/**
 * Limits the engine enforces on one file on disk, whatever its format: how deep its
 * containers nest, how many members and decoded bytes they hold, how much they may
 * compress, how much of it is decoded into memory, and how many findings it lists.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_SCAN_LIMITS, type ScanLimits } from "./limits.ts";
 * const limits: ScanLimits = { ...DEFAULT_SCAN_LIMITS, maxMembers: 500 };
 * assert.equal(limits.maxDepth, DEFAULT_SCAN_LIMITS.maxDepth); // the others keep their defaults
 * ```
 */
export interface ScanLimits {
  /**
   * Containers and payloads nested deeper than this are not opened (`--max-depth`; default 8):
   * payloads nested in payloads that deep are an attack on the scanner, not a model.
   */
  maxDepth: number;
  /** Members of all containers in one file, nested ones included (`--max-members`). */
  maxMembers: number;
  /** Bytes decompressed for one file, all members and re-reads included (`--max-decompressed-bytes`). */
  maxDecompressedBytes: number;
  /** Decoded size over compressed size beyond which a large member is a bomb (`--max-compression-ratio`). */
  maxCompressionRatio: number;
  /**
   * Decoded size from which a member's compression ratio is judged (default 64 MiB): small arrays
   * of zeros compress a thousandfold and are no threat to anyone.
   */
  minBombDecodedBytes: number;
  /**
   * Decoded members up to this size are decoded once into memory; larger ones are streamed and
   * decoded again on demand (default 32 MiB): memory per worker against decoding time.
   */
  maxInMemoryDecodeBytes: number;
  /**
   * Findings listed per file before MA008 (default 1,000): more add nothing a reviewer can act on,
   * and a hostile file could otherwise flood the report.
   */
  maxFindingsPerFile: number;
  /**
   * Bytes of one file a directory unit's plan may read whole (default 16 MiB): the files it reads
   * (a config, an index) are far smaller; a larger one fails the plan: the unit's files are then
   * scanned by their content, each with a scan error saying why.
   */
  maxPlanReadBytes: number;
  /**
   * Members and payloads recognised inside one file that its result lists (`contents`, the SBOM's
   * components; default 10,000): an inventory, not a walk of every archive entry. The rest are
   * scanned all the same, only not listed.
   */
  maxContentEntries: number;
  /**
   * Tensors, and facts, one file's result lists when a scan lists them (`inspect`; default
   * 200,000 of each): the largest mixture-of-experts checkpoints declare near 100,000 tensors.
   * The rest are checked all the same, only not listed.
   */
  maxListedTensors: number;
}

/**
 * The limits when the user sets none: far above any real model, far below what
 * would exhaust a 2-core, 24 GiB machine.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_SCAN_LIMITS } from "./limits.ts";
 * assert.equal(DEFAULT_SCAN_LIMITS.maxDepth, 8);
 * ```
 */
export const DEFAULT_SCAN_LIMITS: Readonly<ScanLimits> = {
  maxDepth: 8,
  // A checkpoint holds one member per tensor: tens of thousands for the largest models.
  maxMembers: 100_000,
  maxDecompressedBytes: 8 * 1024 * 1024 * 1024,
  // Deflate tops out near 1,032:1 on constant data; real weights compress less than 2:1.
  maxCompressionRatio: 200,
  minBombDecodedBytes: 64 * 1024 * 1024,
  maxInMemoryDecodeBytes: 32 * 1024 * 1024,
  maxFindingsPerFile: 1_000,
  maxPlanReadBytes: 16 * 1024 * 1024,
  maxContentEntries: 10_000,
  maxListedTensors: 200_000,
};

const SCAN_LIMIT_SUMMARIES: Readonly<Record<keyof ScanLimits, string>> = {
  maxDepth: "Containers and payloads nested deeper are not opened (MA210, MA006) (--max-depth)",
  maxMembers: "Archive members inspected per file, nested ones included; the rest: MA210 (--max-members)",
  maxDecompressedBytes:
    "Bytes decompressed per file, re-reads included; past it: MA210 (--max-decompressed-bytes)",
  maxCompressionRatio:
    "Decoded over stored size beyond which a large member is a bomb, MA206 (--max-compression-ratio)",
  minBombDecodedBytes: "Decoded size from which a member's compression ratio is judged",
  maxInMemoryDecodeBytes:
    "Decoded members up to this size are kept in memory; larger ones are decoded on demand",
  maxFindingsPerFile: "Findings listed per file; past it one MA008 says the rest are not listed",
  maxPlanReadBytes: "Bytes of one file a directory unit's plan may read whole (a config, an index)",
  maxContentEntries:
    "Recognised members and payloads listed per file (SBOM components); the rest: not listed",
  maxListedTensors: "Tensors, and facts, listed per file by inspect; the rest: checked, not listed",
};

/**
 * Every limit a scan can be given: the engine's ({@linkcode ScanLimits}, as `engine.NAME`)
 * and every scanner's (`pickle.maxOpcodes`, ...), with its default and what it bounds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LIMIT_INFO } from "./limits.ts";
 * assert.equal(LIMIT_INFO[0].name, "engine.maxDepth");
 * ```
 */
export const LIMIT_INFO: readonly ScannerOptionInfo[] = Object.freeze([
  ...Object.entries(SCAN_LIMIT_SUMMARIES).map(([name, summary]) => ({
    name: `engine.${name}`,
    default: DEFAULT_SCAN_LIMITS[name as keyof ScanLimits],
    summary,
  })),
  ...SCANNER_OPTION_INFO,
]);

/**
 * The engine's limits: `given`'s where set (not `undefined`), {@linkcode DEFAULT_SCAN_LIMITS} elsewhere;
 * frozen. The engine resolves them once per scan, as it does the scanners' options.
 *
 * @throws {RangeError} On an unknown limit, a value that is not a whole number from 0 up, or a
 * `maxCompressionRatio` that is not a number above 0 (it may have a fraction).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveScanLimits } from "./limits.ts";
 * const limits = resolveScanLimits({ maxDepth: 2, maxCompressionRatio: 2.5, maxMembers: undefined });
 * assert.deepEqual([limits.maxDepth, limits.maxCompressionRatio, limits.maxMembers], [2, 2.5, 100_000]);
 * assert.throws(() => resolveScanLimits({ maxDepth: -1 }), RangeError);
 * ```
 */
export function resolveScanLimits(given: Readonly<Partial<ScanLimits>> = {}): Readonly<ScanLimits> {
  const { maxCompressionRatio: ratio, ...whole } = given;
  if (ratio !== undefined && !(typeof ratio === "number" && Number.isFinite(ratio) && ratio > 0)) {
    throw new RangeError(
      `The value of engine.maxCompressionRatio must be a number above 0, not ${JSON.stringify(ratio)}`,
    );
  }
  const limits = resolveOptionGroup("engine", DEFAULT_SCAN_LIMITS, whole, LIMIT_INFO);
  return ratio === undefined ? limits : Object.freeze({ ...limits, maxCompressionRatio: ratio });
}

/**
 * The limits a user set: the engine's and the scanners', as {@linkcode ScanLimits} and
 * `ScannerOptionsInput` take them.
 *
 * @example
 * ```ts
 * import type { LimitSettings } from "./limits.ts";
 * const settings: LimitSettings = { limits: { maxFindingsPerFile: 100 }, scannerOptions: { tar: { maxEntries: 10 } } };
 * ```
 */
export interface LimitSettings {
  /** The engine's limits set. */
  limits: Partial<ScanLimits>;
  /** The scanners' options set. */
  scannerOptions: ScannerOptionsInput;
}

/**
 * Sets one limit written `engine.NAME=VALUE` or `SCANNER.NAME=VALUE` (`pickle.maxOpcodes=1000000`),
 * as `--limit` takes it; the last setting of a limit wins.
 *
 * @throws {RangeError} On text of another shape, an unknown limit (the message lists them all) or a value
 * that is not a whole number from 0 up.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { setLimit } from "./limits.ts";
 * let settings = setLimit({ limits: {}, scannerOptions: {} }, "engine.maxFindingsPerFile=100");
 * settings = setLimit(settings, "pickle.maxOpcodes=1_000_000");
 * assert.equal(settings.scannerOptions.pickle?.maxOpcodes, 1_000_000);
 * ```
 */
export function setLimit(settings: LimitSettings, assignment: string): LimitSettings {
  const { group, option, value } = parseOptionAssignment(assignment, LIMIT_INFO);
  if (group === "engine") {
    const limits = { ...settings.limits, [option]: value };
    resolveScanLimits(limits); // A ratio of 0 is a whole number, yet no ratio.
    return { ...settings, limits };
  }
  return { ...settings, scannerOptions: setScannerOption(settings.scannerOptions, assignment) };
}
