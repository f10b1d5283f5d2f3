/**
 * The pickle format as the registry knows it before the pickle machine loads.
 *
 * @module
 */

import { PRIORITY } from "../../core/detection.ts";
import type { ScannerDescriptor } from "../../core/scanner.ts";
import { FIRST_OPCODES, HIGHEST_PROTOCOL, OP } from "./opcodes.ts";

/**
 * The pickle scanner's registry entry. Its cheap test is the first opcode (one a
 * loader accepts first); the scanner runs the opcodes to confirm.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pickleDescriptor } from "./descriptor.ts";
 * assert.equal(pickleDescriptor.detect(new Uint8Array([0x80, 0x04, 0x4e, 0x2e]), 4, "model.pkl"), true);
 * assert.equal(pickleDescriptor.detect(new TextEncoder().encode("# README"), 8, "README.md"), false);
 * ```
 */
export const pickleDescriptor: ScannerDescriptor = {
  id: "pickle",
  description: "Python pickle (protocols 0 to 5)",
  extensions: [".pkl", ".pickle", ".pt", ".pth", ".bin", ".ckpt", ".joblib", ".dill", ".p", ".data"],
  priority: PRIORITY.generic,
  detect: (head) => head.length > 0 && FIRST_OPCODES.has(head[0]),
  load: () => import("./scanner.ts").then((module) => module.pickleScanner),
};

/**
 * Whether `head` starts with PROTO 2 to 5, which no other format a model comes in does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startsWithProto } from "./descriptor.ts";
 * assert.equal(startsWithProto(new Uint8Array([0x80, 0x02])), true);
 * assert.equal(startsWithProto(new Uint8Array([0x80, 0x09])), false); // no such protocol
 * ```
 */
export function startsWithProto(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === OP.PROTO && head[1] >= 2 && head[1] <= HIGHEST_PROTOCOL;
}
