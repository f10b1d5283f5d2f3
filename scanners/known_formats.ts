/**
 * Formats modelaudit recognises by name or magic bytes but does not scan yet.
 * The engine uses them to tell when a file name claims another format than its
 * content holds, and to say what a nested payload is when no scanner reads it.
 *
 * @module
 */

/** A format known by its extensions and, where it has one, its magic bytes. */
export interface KnownFormat {
  id: string;
  /** Lower-case extensions with the dot. */
  extensions: readonly string[];
  /** Whether `head` starts like this format. */
  matches?: (head: Uint8Array) => boolean;
  /** Whether loading it can run code or unpack files that can (archives, Keras, NumPy object arrays, chat templates). */
  mayHoldCode?: boolean;
}

function startsWith(head: Uint8Array, ...bytes: number[]): boolean {
  return bytes.every((b, i) => head[i] === b);
}

/**
 * Formats without a scanner yet, in the order their magic is tried.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KNOWN_FORMATS } from "./known_formats.ts";
 * assert.deepEqual(KNOWN_FORMATS.find((f) => f.id === "png")?.extensions, [".png"]);
 * ```
 */
export const KNOWN_FORMATS: readonly KnownFormat[] = [
  { id: "png", extensions: [".png"], matches: (h) => startsWith(h, 0x89, 0x50, 0x4e, 0x47) },
  { id: "tflite", extensions: [".tflite"] },
  {
    id: "text",
    extensions: [".txt", ".md", ".csv", ".py", ".jinja"],
  },
];

/**
 * The known format whose magic bytes `head` starts with, if any.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { identifyKnownFormat } from "./known_formats.ts";
 * assert.equal(identifyKnownFormat(new Uint8Array([0x89, 0x50, 0x4e, 0x47]))?.id, "png");
 * ```
 */
export function identifyKnownFormat(head: Uint8Array): KnownFormat | undefined {
  return KNOWN_FORMATS.find((format) => format.matches?.(head));
}
