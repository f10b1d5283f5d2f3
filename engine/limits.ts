/**
 * Limits the engine enforces on every scan, whatever the format. Those a user
 * may need to raise for a legitimate model are {@linkcode ScanLimits}, with
 * named defaults and a command-line option each.
 *
 * @module
 */

/** Payloads nested in payloads deeper than this are an attack on the scanner, not a model. */
export const MAX_NESTING_DEPTH = 8;

/** More findings than this in one file add nothing a reviewer can act on. */
export const MAX_FINDINGS_PER_FILE = 1_000;

/** Default budget for a whole scan, in milliseconds (5 minutes). */
export const DEFAULT_TIMEOUT_MS = 300_000;

/** Why a file was not scanned when the whole scan's time ran out before it started. */
export const BUDGET_SPENT = "the scan's time budget ran out before this file";

/** Decoded members up to this size are decoded once into memory; larger ones are streamed on demand. */
export const IN_MEMORY_DECODE_BYTES = 32 * 1024 * 1024;

/**
 * A compression ratio is judged only for members that decode to more than this: small
 * arrays of zeros compress a thousandfold and are no threat to anyone.
 */
export const BOMB_MIN_DECODED_BYTES = 64 * 1024 * 1024;

/**
 * Limits on containers: how deep, how many members, how many decoded bytes and how
 * much compression one file on disk may have before the rest is not inspected.
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
};
