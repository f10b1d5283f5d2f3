/**
 * Limits the engine enforces on every scan, whatever the format: those a user
 * may need to raise or lower are {@linkcode ScanLimits}, with documented
 * defaults ({@linkcode DEFAULT_SCAN_LIMITS}); each format's own limits are the
 * scanner options of `scanners/options.ts`.
 *
 * @module
 */

/** Payloads nested in payloads deeper than this are an attack on the scanner, not a model. */
export const MAX_NESTING_DEPTH = 8;

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
 * import { DEFAULT_SCAN_LIMITS, type ScanLimits } from "./limits.ts";
 * const limits: ScanLimits = { ...DEFAULT_SCAN_LIMITS, maxMembers: 500 };
 * ```
 */
export interface ScanLimits {
  /** Containers and payloads nested deeper than this are not opened (`--max-depth`). */
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
}

/**
 * The limits when the user sets none: far above any real model, far below what
 * would exhaust a 2-core, 24 GiB machine.
 *
 * @example
 * ```ts
 * import { DEFAULT_SCAN_LIMITS } from "./limits.ts";
 * DEFAULT_SCAN_LIMITS.maxDepth; // 8
 * ```
 */
export const DEFAULT_SCAN_LIMITS: Readonly<ScanLimits> = {
  maxDepth: MAX_NESTING_DEPTH,
  // A checkpoint holds one member per tensor: tens of thousands for the largest models.
  maxMembers: 100_000,
  maxDecompressedBytes: 8 * 1024 * 1024 * 1024,
  // Deflate tops out near 1,032:1 on constant data; real weights compress less than 2:1.
  maxCompressionRatio: 200,
  minBombDecodedBytes: 64 * 1024 * 1024,
  maxInMemoryDecodeBytes: 32 * 1024 * 1024,
  maxFindingsPerFile: 1_000,
};
