/**
 * Every archive profile, most specific first; the zip and tar scanners use the
 * first whose layout matches.
 *
 * @module
 */

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
export const ARCHIVE_PROFILES: readonly ArchiveProfile[] = [];
