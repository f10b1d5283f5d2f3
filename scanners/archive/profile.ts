/**
 * Archive profiles: what a particular kind of archive (a PyTorch checkpoint, a
 * NumPy `.npz`, a legacy torch tar) looks like inside a generic container. The
 * zip and tar scanners list an archive's entries, ask each profile whether the
 * layout is its own, and let the one that matches check the layout and say how
 * its loader reads each member.
 *
 * @module
 */

import type { ByteSource } from "../../core/byte_source.ts";
import type { MemberPlan, ScanContext } from "../../core/scanner.ts";

/** How a profile says one member is read by its loader (shared with directory units). */
export type { MemberPlan };

/**
 * One entry of an archive, as a profile sees it before any member is scanned.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ArchiveEntry } from "./profile.ts";
 * const entry: ArchiveEntry = {
 *   name: "archive/version",
 *   size: 2,
 *   directory: false,
 *   read: () => Promise.resolve(new TextEncoder().encode("3\n")),
 * };
 * assert.equal(new TextDecoder().decode(await entry.read()), "3\n");
 * ```
 */
export interface ArchiveEntry {
  /** The name as stored in the archive. */
  readonly name: string;
  /** The name's bytes, where the container stores bytes that `name` decodes (zip): loaders compare these. */
  readonly rawName?: Uint8Array;
  /** Decoded size as the archive declares it. */
  readonly size: number;
  /** Whether the entry is a directory. */
  readonly directory: boolean;
  /**
   * Reads the whole decoded content. Only for small metadata records: a profile checks
   * `size` first and never reads tensor data.
   */
  read(): Promise<Uint8Array>;
  /**
   * The entry's bytes in place, when the archive stores them uncompressed: a view of the
   * archive, for reading a tensor's values by range (a checkpoint's `data/<key>`) without copying.
   */
  readonly stored?: ByteSource;
}

/**
 * A kind of archive with a fixed layout.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import type { ArchiveProfile } from "./profile.ts";
 * const onlyNpy: ArchiveProfile = {
 *   format: "numpy-npz",
 *   matches: (entries) => entries.length > 0 && entries.every((e) => e.name.endsWith(".npy")),
 *   plan: (entries) => Promise.resolve(new Map(entries.map((e) => [e.name, { action: "scan", loadAs: "numpy" }]))),
 * };
 * const entries = [{ name: "arr_0.npy", size: 0, directory: false, read: () => Promise.resolve(new Uint8Array()) }];
 * assert.equal(onlyNpy.matches(entries), true);
 * const plans = await onlyNpy.plan(entries, recordingContext("a.npz").ctx);
 * assert.deepEqual(plans.get("arr_0.npy"), { action: "scan", loadAs: "numpy" });
 * ```
 */
export interface ArchiveProfile {
  /** The format name the archive is reported as (given to `ScanContext.identify`), e.g. `pytorch`. */
  readonly format: string;
  /** Whether the entries are laid out as this kind of archive. */
  matches(entries: readonly ArchiveEntry[]): boolean;
  /**
   * Checks the layout and its metadata records, reporting to `ctx`, and plans the
   * members by name. Members left out of the map are scanned by their content.
   */
  plan(entries: readonly ArchiveEntry[], ctx: ScanContext): Promise<Map<string, MemberPlan>>;
}
