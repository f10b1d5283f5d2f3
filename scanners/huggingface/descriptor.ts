/**
 * The Hugging Face model folder as the walk recognises it, by its file names alone: the
 * configs only transformers writes (`tokenizer_config.json`, `generation_config.json`,
 * processor configs), or a `config.json` beside weights or code named as transformers
 * names them. The folder's name does not matter: a clone, a snapshot in the Hub's cache
 * and a `save_pretrained` directory look alike.
 *
 * @module
 */

import { PRIORITY } from "../../core/detection.ts";
import type { DirectoryDescriptor } from "../../core/scanner.ts";

/** Files only transformers (or the Hub's tooling) writes: any of them makes a Hugging Face folder. */
const OWN_FILES: ReadonlySet<string> = new Set([
  "tokenizer_config.json",
  "generation_config.json",
  "special_tokens_map.json",
  "processor_config.json",
  "preprocessor_config.json",
  "video_preprocessor_config.json",
]);

/**
 * Files that make a `config.json` transformers': its weights (`model.safetensors`,
 * `pytorch_model-00001-of-00002.bin`, their index, `tf_model.h5`, `flax_model.msgpack`)
 * and its remote code (`modeling_x.py`, `configuration_x.py`, `tokenization_x.py`).
 */
const COMPANION =
  /^(?:(?:model|pytorch_model|tf_model|flax_model)(?:-\d{5}-of-\d{5})?\.(?:safetensors|bin|h5|msgpack)(?:\.index\.json)?|(?:modeling|configuration|tokenization)_\w+\.py)$/;

/**
 * Whether a folder listing (`names`, subfolders with a trailing `/`) is a Hugging Face model folder.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isHuggingFaceListing } from "./descriptor.ts";
 * assert.equal(isHuggingFaceListing(["config.json", "model.safetensors"]), true);
 * assert.equal(isHuggingFaceListing(["tokenizer_config.json"]), true);
 * assert.equal(isHuggingFaceListing(["config.json", "main.py"]), false); // any project has a config.json
 * ```
 */
export function isHuggingFaceListing(names: readonly string[]): boolean {
  return names.some((name) => OWN_FILES.has(name)) ||
    (names.includes("config.json") && names.some((name) => COMPANION.test(name)));
}

/**
 * The registry entry of Hugging Face model folders.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { huggingFaceFolderDescriptor } from "./descriptor.ts";
 * assert.equal(huggingFaceFolderDescriptor.matches(["config.json", "modeling_x.py", "pytorch_model.bin"]), true);
 * assert.equal(huggingFaceFolderDescriptor.matches(["weights.pkl"]), false);
 * ```
 */
export const huggingFaceFolderDescriptor: DirectoryDescriptor = {
  id: "huggingface-folder",
  description: "A Hugging Face model folder (config.json, tokenizer and processor configs, remote code)",
  priority: PRIORITY.model,
  matches: isHuggingFaceListing,
  load: () => import("./directory.ts").then((module) => module.huggingFaceFolder),
};
