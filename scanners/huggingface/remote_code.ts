/**
 * The remote code a Hugging Face config names, read as transformers reads it: `auto_map`
 * maps an auto class (`AutoModelForCausalLM`) to `module.Class`, the module being a `.py`
 * file of the repository (`get_class_from_dynamic_module` in transformers'
 * `dynamic_module_utils.py`), or of another repository when written `org/repo--module.Class`.
 * Tokenizers map to a pair `[slow, fast]` whose entries may be null, and old tokenizer configs
 * hold that pair as the whole `auto_map`. `custom_pipelines` (config.json) maps a task to an
 * `impl` of the same form. Pure: the folder's plan decides what to report.
 *
 * @module
 */

import { keyPathOf } from "../safetensors/strict_json.ts";

/** The config files transformers reads an `auto_map` from, by lower-case name. */
export const REMOTE_CODE_CONFIGS: ReadonlySet<string> = new Set([
  "config.json",
  "tokenizer_config.json",
  "processor_config.json",
  "preprocessor_config.json",
  "video_preprocessor_config.json",
]);

/** One class a config makes transformers import from a module. */
export interface RemoteCodeEntry {
  /** Key path of the entry in the config, e.g. `$.auto_map.AutoModel` or `$.auto_map.AutoTokenizer[1]`. */
  keyPath: string;
  /** What loads it: the auto class (`AutoModel`) or `pipeline "task"`. */
  role: string;
  /** The entry as written. */
  reference: string;
  /** The repository it is fetched from when it names another one (`org/repo`). */
  repository?: string;
  /** The module, a `.py` file's name without the extension. */
  module: string;
  /** The class taken from it. */
  className: string;
}

/** An entry of a shape transformers cannot load. */
export interface RemoteCodeProblem {
  keyPath: string;
  /** What is wrong, for a message. */
  problem: string;
}

/** What a config names: its remote code entries, and the entries that are malformed. */
export interface RemoteCode {
  entries: RemoteCodeEntry[];
  problems: RemoteCodeProblem[];
}

/** `module.Class`, optionally after `repository--`, as transformers splits it; a problem otherwise. */
function _parseReference(reference: string): Omit<RemoteCodeEntry, "keyPath" | "role"> | string {
  const split = reference.split("--");
  if (split.length > 2) return "it has more than one `--`";
  const [repository, classReference] = split.length === 2 ? split : [undefined, split[0]];
  const parts = classReference.split(".");
  // transformers unpacks `module_file, class_name = class_reference.split(".")`: exactly one dot.
  if (parts.length !== 2 || parts[0] === "" || parts[1] === "") return "it is not of the form module.Class";
  if (repository !== undefined && repository.trim() === "") return "its repository before `--` is empty";
  return { reference, repository, module: parts[0], className: parts[1] };
}

/**
 * The remote code entries of a parsed config: its `auto_map` (any config) and its
 * `custom_pipelines` (what transformers reads from config.json only, passed `pipelines`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { remoteCodeOf } from "./remote_code.ts";
 * const { entries, problems } = remoteCodeOf({
 *   auto_map: { AutoConfig: "configuration_x.XConfig", AutoModel: "org/repo--modeling_x.XModel" },
 * }, true);
 * assert.deepEqual(entries.map((e) => [e.keyPath, e.repository, e.module, e.className]), [
 *   ["$.auto_map.AutoConfig", undefined, "configuration_x", "XConfig"],
 *   ["$.auto_map.AutoModel", "org/repo", "modeling_x", "XModel"],
 * ]);
 * assert.deepEqual(problems, []);
 * ```
 */
export function remoteCodeOf(config: Readonly<Record<string, unknown>>, pipelines: boolean): RemoteCode {
  const found: RemoteCode = { entries: [], problems: [] };
  const add = (keyPath: string, role: string, value: unknown, nullable: boolean) => {
    if (value === null && nullable) return;
    if (typeof value !== "string") {
      found.problems.push({ keyPath, problem: `it is ${_describe(value)}, not a "module.Class" string` });
      return;
    }
    const parsed = _parseReference(value);
    if (typeof parsed === "string") found.problems.push({ keyPath, problem: parsed });
    else found.entries.push({ keyPath, role, ...parsed });
  };
  const autoMap = config.auto_map;
  if (Array.isArray(autoMap)) {
    // The legacy tokenizer form: the whole auto_map is the [slow, fast] pair.
    autoMap.forEach((value, i) => add(keyPathOf("$.auto_map", i), "AutoTokenizer", value, true));
  } else if (_isObject(autoMap)) {
    for (const [autoClass, value] of Object.entries(autoMap)) {
      const keyPath = keyPathOf("$.auto_map", autoClass);
      if (Array.isArray(value)) value.forEach((item, i) => add(keyPathOf(keyPath, i), autoClass, item, true));
      else add(keyPath, autoClass, value, false);
    }
  } else if (autoMap !== undefined && autoMap !== null) {
    found.problems.push({ keyPath: "$.auto_map", problem: `it is ${_describe(autoMap)}, not an object` });
  }
  const custom = pipelines ? config.custom_pipelines : undefined;
  if (_isObject(custom)) {
    for (const [task, pipeline] of Object.entries(custom)) {
      const keyPath = keyPathOf("$.custom_pipelines", task);
      if (_isObject(pipeline) && "impl" in pipeline) {
        add(keyPathOf(keyPath, "impl"), `pipeline ${JSON.stringify(task)}`, pipeline.impl, false);
      } else {
        found.problems.push({ keyPath, problem: "it is not an object with an impl" });
      }
    }
  } else if (custom !== undefined && custom !== null) {
    found.problems.push({
      keyPath: "$.custom_pipelines",
      problem: `it is ${_describe(custom)}, not an object`,
    });
  }
  return found;
}

function _isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function _describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
