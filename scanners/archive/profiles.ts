/**
 * Every archive profile, most specific first; the zip and tar scanners use the
 * first whose layout matches.
 *
 * @module
 */

import { npzProfile } from "../numpy/npz.ts";
import { legacyTorchTarProfile } from "../pytorch/legacy_tar.ts";
import { torchScriptZipProfile, torchZipProfile } from "../pytorch/zip_checkpoint.ts";
import type { ArchiveProfile } from "./profile.ts";

/**
 * The registered profiles.
 *
 * @example
 * ```ts
 * import { ARCHIVE_PROFILES } from "./profiles.ts";
 * const profile = ARCHIVE_PROFILES.find((p) => p.matches([]));
 * ```
 */
export const ARCHIVE_PROFILES: readonly ArchiveProfile[] = [
  torchScriptZipProfile,
  torchZipProfile,
  legacyTorchTarProfile,
  npzProfile,
];

/**
 * The profiles of layouts a loader reads from a tar: only the legacy torch tar
 * (torch.load reads a zip checkpoint's layout from a zip alone, so a tar holding
 * one is no checkpoint and its data members must not be skipped).
 *
 * @example
 * ```ts
 * import { TAR_PROFILES } from "./profiles.ts";
 * TAR_PROFILES.map((p) => p.format); // ["pytorch-legacy-tar"]
 * ```
 */
export const TAR_PROFILES: readonly ArchiveProfile[] = [legacyTorchTarProfile];
