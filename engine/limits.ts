/**
 * Limits the engine enforces on every scan, whatever the format.
 *
 * @module
 */

/** Payloads nested in payloads deeper than this are an attack on the scanner, not a model. */
export const MAX_NESTING_DEPTH = 8;

/** More findings than this in one file add nothing a reviewer can act on. */
export const MAX_FINDINGS_PER_FILE = 1_000;

/** Default budget for a whole scan, in milliseconds (5 minutes). */
export const DEFAULT_TIMEOUT_MS = 300_000;
