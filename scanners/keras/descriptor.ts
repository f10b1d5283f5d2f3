/**
 * The Keras config as the registry knows it: a reader that the `.keras` archive profile names
 * for its `config.json`, never chosen by content.
 *
 * @module
 */

import type { ReaderDescriptor } from "../../core/scanner.ts";

/**
 * The reader of a `.keras` archive's `config.json`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kerasConfigReader } from "./descriptor.ts";
 * assert.equal(kerasConfigReader.id, "keras-config");
 * ```
 */
export const kerasConfigReader: ReaderDescriptor = {
  id: "keras-config",
  description: "Keras model config (config.json of a .keras archive)",
  extensions: [".json"],
  load: () => import("./config_reader.ts").then((module) => module.kerasConfigScanner),
};
