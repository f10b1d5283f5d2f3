/**
 * Garbage collection on request, where the runtime allows it.
 *
 * @module
 */

/**
 * Collects garbage now, when the runtime lets code ask for it (`--v8-flags=--expose-gc`, as the
 * CLI's tasks and the binary run); returns whether it did. V8 otherwise collects its old
 * generation only once the heap has grown past a limit set by what survived the last collection.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { requestCollection } from "./gc.ts";
 * // Only with --v8-flags=--expose-gc, which defines globalThis.gc.
 * assert.equal(requestCollection("minor"), typeof (globalThis as { gc?: unknown }).gc === "function");
 * ```
 */
export function requestCollection(kind: "major" | "minor" = "major"): boolean {
  const gc = (globalThis as { gc?: (options: { type: "major" | "minor" }) => void }).gc;
  if (typeof gc !== "function") return false;
  gc({ type: kind });
  return true;
}
