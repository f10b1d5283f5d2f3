/**
 * The tar scanner's limits: how many entries one archive may list and how large
 * its extension headers may be. Set them per scan with
 * `scannerOptions: { tar: { ... } }` or `--limit tar.NAME=VALUE`.
 *
 * @module
 */

/**
 * Limits of the tar scanner.
 *
 * @example
 * ```ts
 * import { DEFAULT_TAR_OPTIONS, type TarOptions } from "./options.ts";
 * const small: TarOptions = { ...DEFAULT_TAR_OPTIONS, maxEntries: 10_000 };
 * ```
 */
export interface TarOptions {
  /**
   * Entries of one archive, members or not, before MA210 (default 1,000,000): ten times the
   * engine's default member limit; directories and links are not members, but each costs memory
   * for the name-collision check.
   */
  maxEntries: number;
  /**
   * Bytes a pax extended header may hold before MA210 (default 1 MiB): Go's `archive/tar` allows
   * 1 MiB too; real ones hold a few hundred.
   */
  maxPaxHeaderBytes: number;
  /**
   * Bytes a member name or link target may have before MA210 (default 32 KiB): far beyond any
   * file system's path limit (Windows: 32,767).
   */
  maxNameBytes: number;
  /**
   * Extension headers before one entry before MA210 (default 16): writers emit at most a pax
   * header, a long name and a long link.
   */
  maxExtensionHeaders: number;
}

/**
 * The tar scanner's limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_TAR_OPTIONS } from "./options.ts";
 * assert.equal(DEFAULT_TAR_OPTIONS.maxEntries, 1_000_000);
 * ```
 */
export const DEFAULT_TAR_OPTIONS: Readonly<TarOptions> = Object.freeze({
  maxEntries: 1_000_000,
  maxPaxHeaderBytes: 1024 * 1024,
  maxNameBytes: 32 * 1024,
  maxExtensionHeaders: 16,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TAR_OPTION_SUMMARIES } from "./options.ts";
 * assert.ok(TAR_OPTION_SUMMARIES.maxEntries?.startsWith("Entries of one archive"));
 * ```
 */
export const TAR_OPTION_SUMMARIES: Readonly<Record<keyof TarOptions, string>> = {
  maxEntries: "Entries of one archive, members or not, before MA210; the rest are not inspected",
  maxPaxHeaderBytes: "Bytes of one pax extended header before MA210",
  maxNameBytes: "Bytes of a member name or link target before MA210",
  maxExtensionHeaders: "Extension headers (pax, GNU long name or link) in front of one entry before MA210",
};
