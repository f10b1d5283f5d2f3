/**
 * The configuration formats as the registry knows them before their scanner
 * loads: YAML, JSON, TOML, INI/CFG and XML (PMML models included). Text has no
 * magic bytes: each is claimed by its file name, after every binary format and
 * after the text formats that take some of the same names (a `tokenizer_config.json`
 * holding a chat template is the chat-template scanner's), and confirmed when its
 * head is UTF-8 text. A `.nemo` archive's `model_config.yaml` is reached the same
 * way, by its member name.
 *
 * @module
 */

import { PRIORITY } from "../../core/detection.ts";
import type { ScannerDescriptor } from "../../core/scanner.ts";
import type { ConfigFormat } from "./scanner.ts";

/** The registry entry of one configuration format, claimed by the extensions of its name. */
function _descriptor(
  id: ConfigFormat,
  description: string,
  extensions: readonly string[],
): ScannerDescriptor {
  return {
    id,
    description,
    extensions,
    priority: PRIORITY.config,
    // A configuration ships with a model and is no model: a file so named that is not text is no MA007.
    partial: true,
    detect: (_head, _size, name) => {
      const lower = name.toLowerCase();
      return extensions.some((extension) => lower.endsWith(extension));
    },
    load: () => import("./scanner.ts").then((module) => module.configScanner(id)),
  };
}

/**
 * YAML files (`config.yaml`, Hydra and NeMo configs, Lightning's `hparams.yaml`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { yamlDescriptor } from "./descriptor.ts";
 * const text = new TextEncoder().encode("a: 1\n");
 * assert.equal(yamlDescriptor.detect(text, text.length, "model_config.yaml"), true);
 * assert.equal(yamlDescriptor.detect(text, text.length, "notes.txt"), false);
 * ```
 */
export const yamlDescriptor: ScannerDescriptor = _descriptor("yaml", "YAML configuration", [".yaml", ".yml"]);

/**
 * JSON files (`config.json`, `generation_config.json`, a tokenizer config without a chat template).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonDescriptor } from "./descriptor.ts";
 * const text = new TextEncoder().encode("{}");
 * assert.equal(jsonDescriptor.detect(text, text.length, "config.json"), true);
 * ```
 */
export const jsonDescriptor: ScannerDescriptor = _descriptor("json", "JSON configuration", [".json"]);

/**
 * TOML files (`pyproject.toml`-like training configs).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tomlDescriptor } from "./descriptor.ts";
 * assert.equal(tomlDescriptor.detect(new Uint8Array(), 0, "train.toml"), true);
 * ```
 */
export const tomlDescriptor: ScannerDescriptor = _descriptor("toml", "TOML configuration", [".toml"]);

/**
 * INI and CFG files (`setup.cfg`, `.ini` configs, Darknet `.cfg` networks).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { iniDescriptor } from "./descriptor.ts";
 * assert.equal(iniDescriptor.detect(new Uint8Array(), 0, "setup.cfg"), true);
 * ```
 */
export const iniDescriptor: ScannerDescriptor = _descriptor("ini", "INI configuration", [".ini", ".cfg"]);

/**
 * XML files and PMML models (`.pmml`), and `.config` files (XML application configs).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { xmlDescriptor } from "./descriptor.ts";
 * assert.equal(xmlDescriptor.detect(new Uint8Array(), 0, "model.pmml"), true);
 * ```
 */
export const xmlDescriptor: ScannerDescriptor = _descriptor("xml", "XML configuration and PMML models", [
  ".xml",
  ".pmml",
  ".config",
]);
