/**
 * The zip format as the registry knows it before loading the scanner: its
 * signature, its end record behind other content, and where its scanner lives.
 *
 * @module
 */

import { PRIORITY } from "../../core/detection.ts";
import type { ScannerDescriptor } from "../../core/scanner.ts";
import { findEndRecord } from "./end_record.ts";

/**
 * Whether `head` starts a zip: a local file header, or the end record of an empty archive.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { detectZip } from "./descriptor.ts";
 * assert.equal(detectZip(new Uint8Array([0x50, 0x4b, 3, 4])), true);
 * assert.equal(detectZip(new Uint8Array([0x80, 4])), false);
 * ```
 */
export function detectZip(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b &&
    ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6));
}

/**
 * The zip scanner's registry entry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { zipDescriptor } from "./descriptor.ts";
 * assert.equal(zipDescriptor.detect(new Uint8Array([0x50, 0x4b, 3, 4]), 4, "model.pt"), true);
 * ```
 */
export const zipDescriptor: ScannerDescriptor = {
  id: "zip",
  description: "Zip archive",
  extensions: [".zip", ".pt", ".pth", ".bin", ".ckpt", ".npz", ".keras", ".pte", ".mar"],
  // Above tar: a tar's first bytes are a member name anyone chooses, a zip's are its signature.
  priority: PRIORITY.archive + 2,
  detect: (head) => detectZip(head),
  detectTrailing: async (source) => {
    const record = await findEndRecord(source);
    // The archive's own offsets count from its start: what precedes it is the gap between them.
    return record && Math.max(0, record.directoryOffset - record.storedDirectoryOffset);
  },
  load: () => import("./scanner.ts").then((module) => module.zipScanner),
};
