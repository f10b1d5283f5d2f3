/**
 * The directory formats (a Hugging Face folder, an ONNX model with external data, a
 * TensorFlow SavedModel), kept apart from the file formats: the
 * CLI's thread walks the tree with these alone and never loads a file format's
 * descriptor, whose detection and lazy scanner imports only the scan workers
 * need.
 *
 * @module
 */

import type { DirectoryDescriptor } from "../core/scanner.ts";
import { huggingFaceFolderDescriptor } from "./huggingface/descriptor.ts";
import { onnxFolderDescriptor } from "./onnx/descriptor.ts";
import { byPriority } from "./priority.ts";
import { savedModelDirectory } from "./tensorflow/descriptor.ts";

/**
 * The directory formats, highest priority first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DIRECTORIES } from "./directories.ts";
 * assert.deepEqual(DIRECTORIES.map((d) => d.id), ["huggingface-folder", "onnx-folder", "tensorflow-saved-model-folder"]);
 * ```
 */
export const DIRECTORIES: readonly DirectoryDescriptor[] = byPriority([
  huggingFaceFolderDescriptor,
  onnxFolderDescriptor,
  savedModelDirectory,
]);
