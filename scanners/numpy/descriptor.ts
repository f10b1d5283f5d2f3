/**
 * The `.npy` format as the registry knows it before the NumPy scanner loads.
 *
 * @module
 */

import { PRIORITY } from "../../core/detection.ts";
import type { ScannerDescriptor } from "../../core/scanner.ts";
import { hasNpyMagic } from "./magic.ts";

/**
 * The NumPy scanner's registry entry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { numpyDescriptor } from "./descriptor.ts";
 * assert.equal(numpyDescriptor.detect(Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0), 8, "a.npy"), true);
 * ```
 */
export const numpyDescriptor: ScannerDescriptor = {
  id: "numpy",
  description: "NumPy array (.npy), as np.save writes it",
  extensions: [".npy"],
  // An object array's pickle is reported by the scanner; the array format itself runs nothing.
  passive: true,
  priority: PRIORITY.model,
  detect: hasNpyMagic,
  load: () => import("./scanner.ts").then((module) => module.numpyScanner),
};
