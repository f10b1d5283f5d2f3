/**
 * safetensors as the registry knows it before the scanner loads.
 *
 * @module
 */

import { PRIORITY } from "../../core/detection.ts";
import type { ScannerDescriptor } from "../../core/scanner.ts";
import { looksLikeSafetensors } from "./format.ts";

/**
 * The safetensors scanner's registry entry: recognised by content (a plausible header length, then `{`),
 * so a safetensors file named `.bin` is found too.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { safetensorsDescriptor } from "./descriptor.ts";
 * const file = Uint8Array.of(2, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d);
 * assert.equal(safetensorsDescriptor.detect(file, file.length, "pytorch_model.bin"), true);
 * ```
 */
export const safetensorsDescriptor: ScannerDescriptor = {
  id: "safetensors",
  description: "safetensors (Hugging Face), as the safetensors library writes it",
  extensions: [".safetensors"],
  // Tensors and string metadata: the format runs nothing (what its metadata hides, the scanner reports).
  passive: true,
  priority: PRIORITY.model,
  detect: looksLikeSafetensors,
  load: () => import("./scanner.ts").then((module) => module.safetensorsScanner),
};
