/**
 * The order in which formats are tried: shared by the file formats'
 * registry and the directory formats, which the CLI's thread loads alone.
 *
 * @module
 */

/**
 * `descriptors` in detection order: highest priority first, then by id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { byPriority } from "./priority.ts";
 * assert.equal(byPriority([{ id: "pickle", priority: 0 }, { id: "zip", priority: 100 }])[0].id, "zip");
 * ```
 */
export function byPriority<T extends { readonly id: string; readonly priority: number }>(
  descriptors: readonly T[],
): T[] {
  return [...descriptors].sort((a, b) => b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
