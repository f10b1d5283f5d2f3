/**
 * GGUF and its legacy predecessors as the registry knows them before their scanner loads.
 *
 * @module
 */

import { PRIORITY } from "../../core/detection.ts";
import type { ScannerDescriptor } from "../../core/scanner.ts";
import { hasGgufMagic, legacyMagic } from "./magic.ts";

/**
 * The GGUF scanner's registry entry: the magic `GGUF` at offset 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ggufDescriptor } from "./descriptor.ts";
 * assert.equal(ggufDescriptor.detect(new TextEncoder().encode("GGUF\x03\0\0\0"), 8, "m.gguf"), true);
 * assert.equal(ggufDescriptor.detect(new TextEncoder().encode("FUGG\x03\0\0\0"), 8, "m.gguf"), false); // content, not name
 * ```
 */
export const ggufDescriptor: ScannerDescriptor = {
  id: "gguf",
  description: "GGUF model (llama.cpp, versions 1 to 3)",
  extensions: [".gguf"],
  priority: PRIORITY.model,
  detect: hasGgufMagic,
  load: () => import("./scanner.ts").then((module) => module.ggufScanner),
};

/**
 * The legacy GGML-family registry entry: the magics `ggml`, `ggmf`, `ggjt`, `ggla` as
 * little-endian u32s. Such files were usually shipped as `.bin`, which names no one format.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ggmlDescriptor } from "./descriptor.ts";
 * assert.equal(ggmlDescriptor.detect(new TextEncoder().encode("tjgg\x03\0\0\0"), 8, "m.bin"), true); // ggjt
 * assert.equal(ggmlDescriptor.detect(new TextEncoder().encode("GGUF\x03\0\0\0"), 8, "m.bin"), false);
 * ```
 */
export const ggmlDescriptor: ScannerDescriptor = {
  id: "ggml",
  description: "Legacy GGML, GGMF, GGJT or GGLA model (llama.cpp before GGUF)",
  extensions: [".ggml"],
  priority: PRIORITY.model,
  detect: (head) => legacyMagic(head) !== undefined,
  load: () => import("./scanner.ts").then((module) => module.ggmlScanner),
};
