/**
 * The 7z format as the registry knows it before loading the scanner.
 *
 * @module
 */

import { PRIORITY } from "../../core/detection.ts";
import type { ScannerDescriptor } from "../../core/scanner.ts";

/** The 7z signature: `7z` and the bytes BC AF 27 1C. */
export const SIGNATURE: readonly number[] = [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c];

/**
 * Whether `head` starts with the 7z signature.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { detectSevenZip } from "./descriptor.ts";
 * assert.equal(detectSevenZip(new Uint8Array([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4])), true);
 * ```
 */
export function detectSevenZip(head: Uint8Array): boolean {
  return SIGNATURE.every((b, i) => head[i] === b);
}

/**
 * The 7z scanner's registry entry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sevenZipDescriptor } from "./descriptor.ts";
 * assert.equal(sevenZipDescriptor.detect(new Uint8Array([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4]), 8, "model.7z"), true);
 * assert.equal(sevenZipDescriptor.id, "7z");
 * ```
 */
export const sevenZipDescriptor: ScannerDescriptor = {
  id: "7z",
  description: "7z archive",
  extensions: [".7z"],
  priority: PRIORITY.archive,
  detect: detectSevenZip,
  load: () => import("./scanner.ts").then((module) => module.sevenZipScanner),
};
