/**
 * Renders a finding's structured {@linkcode Location} as the one-line string the
 * text and JSON reports show: the file and each member through containers joined
 * by `:`, then what is known of the place inside: `(pos 52)`, `(line 3, col 9)`,
 * `(key $.aws.secret)`.
 *
 * @module
 */

import type { Location } from "../core/types.ts";

/**
 * The location as reports show it, e.g. `outer.zip:inner/data.pkl (pos 52)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderLocation } from "./location.ts";
 * assert.equal(
 *   renderLocation({ file: "outer.zip", members: ["inner/data.pkl"], position: 52 }),
 *   "outer.zip:inner/data.pkl (pos 52)",
 * );
 * assert.equal(
 *   renderLocation({ file: "config.yaml", members: [], line: 3, column: 9, keyPath: "$.aws.secret" }),
 *   "config.yaml (line 3, col 9, key $.aws.secret)",
 * );
 * ```
 */
export function renderLocation(location: Location): string {
  const path = [location.file, ...location.members].join(":");
  const place: string[] = [];
  if (location.position !== undefined) place.push(`pos ${location.position}`);
  if (location.line !== undefined) place.push(`line ${location.line}`);
  if (location.column !== undefined) place.push(`col ${location.column}`);
  if (location.keyPath !== undefined) place.push(`key ${location.keyPath}`);
  return place.length === 0 ? path : `${path} (${place.join(", ")})`;
}
