/**
 * Python source files as the registry knows them before their scanner loads:
 * `.py` files (`modeling_*.py` that `trust_remote_code=True` imports, TorchServe
 * handlers). Text has no magic bytes: a `.py` file is claimed by its name, and
 * the scanner confirms that its content is text; whether it parses is the
 * scan's first finding (MA603) when it does not.
 *
 * @module
 */

import { PRIORITY } from "../../core/detection.ts";
import type { ScannerDescriptor } from "../../core/scanner.ts";

/**
 * The registry entry of Python source files.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pythonDescriptor } from "./descriptor.ts";
 * const text = new TextEncoder().encode("import torch");
 * assert.equal(pythonDescriptor.detect(text, text.length, "modeling_tiny.py"), true);
 * assert.equal(pythonDescriptor.detect(text, text.length, "notes.txt"), false);
 * ```
 */
export const pythonDescriptor: ScannerDescriptor = {
  id: "python",
  description: "Python source (modeling_*.py loaded with trust_remote_code, TorchServe handlers)",
  extensions: [".py"],
  priority: PRIORITY.text,
  detect: (_head, _size, name) => name.toLowerCase().endsWith(".py"),
  load: () => import("./scanner.ts").then((module) => module.pythonScanner),
};
