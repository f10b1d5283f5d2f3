/**
 * msgpack files (Flax's `flax_model.msgpack`, `flax.serialization.to_bytes`) as the registry
 * knows them before their scanner loads. msgpack has no magic bytes: a file is claimed by its
 * `.msgpack` name when its first byte opens a map or an array, as every checkpoint's does;
 * the scanner then decodes it whole.
 *
 * @module
 */

import { PRIORITY } from "../../core/detection.ts";
import type { ScannerDescriptor } from "../../core/scanner.ts";

/** Whether `byte` starts a msgpack map or array (fixmap, fixarray, map 16/32, array 16/32). */
function _opensContainer(byte: number | undefined): boolean {
  return byte !== undefined && ((byte >= 0x80 && byte <= 0x9f) || (byte >= 0xdc && byte <= 0xdf));
}

/**
 * The registry entry of msgpack files.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { msgpackDescriptor } from "./descriptor.ts";
 * const emptyMap = new Uint8Array([0x80]);
 * assert.equal(msgpackDescriptor.detect(emptyMap, 1, "flax_model.msgpack"), true);
 * assert.equal(msgpackDescriptor.detect(emptyMap, 1, "model.bin"), false);
 * ```
 */
export const msgpackDescriptor: ScannerDescriptor = {
  id: "msgpack",
  description: "msgpack data (Flax checkpoints: flax_model.msgpack)",
  extensions: [".msgpack"],
  priority: PRIORITY.text,
  passive: true,
  detect: (head, _size, name) => name.toLowerCase().endsWith(".msgpack") && _opensContainer(head[0]),
  load: () => import("./scanner.ts").then((module) => module.msgpackScanner),
};
