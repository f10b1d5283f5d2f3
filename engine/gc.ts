/**
 * Garbage collection on request, where the runtime allows it, and the thread's
 * count of bytes read or decoded into memory that soon become garbage.
 *
 * V8 frees a buffer only after a collection, and collects its young generation
 * when that fills with objects, which a few large buffers hardly do: a decode
 * streamed past its window left all it had read behind it. So a thread asks
 * for a young-generation collection every 32 MiB it reads or decodes, where
 * it may (`--expose-gc`, as the CLI's tasks and the binary run).
 *
 * @module
 */

/** Bytes brought into memory between two collections of the young generation. */
const COLLECT_EVERY_BYTES = 32 * 1024 * 1024;

/** Bytes charged in this thread since the last collection. */
let chargedSinceCollection = 0;

/**
 * Collects garbage now, when the runtime lets code ask for it (`--v8-flags=--expose-gc`, as the
 * CLI's tasks and the binary run), and starts counting charged bytes anew; returns whether it
 * did. V8 otherwise collects its old generation only once the heap has grown past a limit set by
 * what survived the last collection.
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
  chargedSinceCollection = 0;
  const gc = (globalThis as { gc?: (options: { type: "major" | "minor" }) => void }).gc;
  if (typeof gc !== "function") return false;
  gc({ type: kind });
  return true;
}

/**
 * Counts `bytes` just read or decoded into memory, soon garbage; collects the young generation
 * each time 32 MiB have been charged in this thread (where code may ask for collections).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chargeTransientBytes } from "./gc.ts";
 * const scope = globalThis as { gc?: (options: { type: string }) => void };
 * const saved = scope.gc;
 * const collections: string[] = [];
 * scope.gc = (options) => void collections.push(options.type);
 * try {
 *   for (let i = 0; i < 64; i++) chargeTransientBytes(1024 * 1024);
 *   assert.deepEqual(collections.slice(-2), ["minor", "minor"]);
 * } finally {
 *   scope.gc = saved;
 * }
 * ```
 */
export function chargeTransientBytes(bytes: number): void {
  chargedSinceCollection += bytes;
  if (chargedSinceCollection >= COLLECT_EVERY_BYTES) requestCollection("minor");
}
