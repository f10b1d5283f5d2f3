/**
 * Format detection by content, with the file name as a hint only: the name
 * decides nothing, but a name that claims another format than the content has
 * is reported.
 *
 * @module
 */

import type { Scanner } from "../core/scanner.ts";
import { KNOWN_FORMATS } from "../scanners/known_formats.ts";
import { SCANNERS } from "../scanners/registry.ts";

/**
 * The lower-case extension of the last path segment, with the dot, or `""`.
 *
 * @example
 * ```ts
 * import { extensionOf } from "./detect.ts";
 * extensionOf("models/Model.PT"); // ".pt"
 * extensionOf(".bashrc"); // ""
 * ```
 */
export function extensionOf(path: string): string {
  const base = path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(dot).toLowerCase() : "";
}

/**
 * Format ids that may legitimately carry the extension of `path`: those of the
 * scanners and of the known-but-unscanned formats. Empty when the name claims nothing.
 *
 * @example
 * ```ts
 * import { formatsClaimedBy } from "./detect.ts";
 * formatsClaimedBy("model.safetensors"); // ["safetensors"]
 * ```
 */
export function formatsClaimedBy(path: string): string[] {
  const extension = extensionOf(path);
  if (!extension) return [];
  return [...SCANNERS, ...KNOWN_FORMATS]
    .filter((format) => format.extensions.includes(extension))
    .map((format) => format.id);
}

/**
 * Whether a scanner claims the extension of `path`, i.e. the name says "model file".
 *
 * @example
 * ```ts
 * import { nameClaimsScannedFormat } from "./detect.ts";
 * nameClaimsScannedFormat("model.pkl"); // true
 * nameClaimsScannedFormat("README.md"); // false
 * ```
 */
export function nameClaimsScannedFormat(path: string): boolean {
  const extension = extensionOf(path);
  return SCANNERS.some((scanner: Scanner) => !scanner.loadOnly && scanner.extensions.includes(extension));
}
