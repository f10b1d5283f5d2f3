/**
 * The contract between the engine and the format scanners. A scanner declares
 * how to recognise its format and how to scan it; the engine knows no format.
 *
 * @module
 */

import type { ByteSource } from "./byte_source.ts";
import type { FindingDetails, Severity } from "./types.ts";

/** Bytes of a file's head handed to `Scanner.detect`. */
export const HEAD_BYTES = 64 * 1024;

/** What a scanner reports; the context adds the location and the catalog's default severity. */
export interface FindingReport {
  /** Rule id from the catalog. */
  rule: string;
  /** One sentence a user understands. */
  message: string;
  /** Byte offset inside the scanned source, shown as `(pos N)`. */
  position?: number;
  /** Overrides the rule's default severity. */
  severity?: Severity;
  /** Machine-readable facts behind the message. */
  details?: FindingDetails;
}

/** Options for {@linkcode ScanContext.scanNested}. */
export interface NestedScanOptions {
  /**
   * Only report findings of security rules: a payload scanned on a guess (bytes
   * that merely start like a pickle) must not produce malformed-stream noise.
   */
  opportunistic?: boolean;
}

/** What a scanner may do while scanning. */
export interface ScanContext {
  /** Display path of what is being scanned, through containers, e.g. `outer.zip:inner/data.pkl`. */
  readonly path: string;
  /** How many containers or payloads deep this source is (0 for a file on disk). */
  readonly depth: number;
  /** Aborted when the file's time is up; long loops check it. */
  readonly signal: AbortSignal;
  /** Records a finding. */
  report(finding: FindingReport): void;
  /** Returns the first user `--blacklist` pattern that `text` contains, if any (case-insensitive). */
  matchBlacklist(text: string): string | undefined;
  /**
   * Scans bytes nested in this source (a payload, an archive member) with
   * whatever scanner their content calls for. `label` names it in locations:
   * `file.pkl:<label> (pos N)`.
   */
  scanNested(source: ByteSource, label: string, options?: NestedScanOptions): Promise<void>;
}

/**
 * A format scanner, registered in `scanners/registry.ts`.
 *
 * @example
 * ```ts
 * import type { Scanner } from "./scanner.ts";
 * const textScanner: Scanner = {
 *   id: "example",
 *   description: "Example format",
 *   extensions: [".example"],
 *   detect: (head) => head[0] === 0x45,
 *   scan: (_source, ctx) => Promise.resolve(ctx.report({ rule: "MA007", message: "example" })),
 * };
 * ```
 */
export interface Scanner {
  /** Stable id, also the format name in results, e.g. `pickle`. */
  readonly id: string;
  /** Human name of the format. */
  readonly description: string;
  /** Lower-case file extensions (with the dot) that legitimately hold this format. */
  readonly extensions: readonly string[];
  /** Whether the file's first bytes (up to {@linkcode HEAD_BYTES}) are this format. `size` is the whole size. */
  detect(head: Uint8Array, size: number): boolean;
  /** Scans the whole source, reporting to `ctx`. Throws only on bugs and I/O failures. */
  scan(source: ByteSource, ctx: ScanContext): Promise<void>;
}
