/**
 * Where a dotted name reaches interpreter internals, nested loaders or
 * re-exported dangerous modules whatever package it starts in. Pure data; the
 * policy (`../callables.ts`) applies it.
 *
 * @module
 */

/**
 * Module segments that are dangerous wherever they appear in a module path,
 * because the package that holds them is a vendored copy or a re-export of a
 * denied module (`joblib.externals.cloudpickle`, `sklearn.externals.six.moves`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DANGEROUS_ANYWHERE } from "./internals.ts";
 * assert.notEqual(DANGEROUS_ANYWHERE.cloudpickle, undefined);
 * ```
 */
export const DANGEROUS_ANYWHERE: Readonly<Record<string, string>> = {
  "cloudpickle": "a vendored cloudpickle rebuilds functions, code objects and imports",
};

/**
 * Two-segment module paths that are dangerous wherever they appear (vendored six).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DANGEROUS_PAIRS_ANYWHERE } from "./internals.ts";
 * assert.deepEqual(Object.keys(DANGEROUS_PAIRS_ANYWHERE), ["six.moves"]);
 * ```
 */
export const DANGEROUS_PAIRS_ANYWHERE: Readonly<Record<string, string>> = {
  "six.moves": "six.moves re-exports every standard module (builtins, subprocess, ...) under another name",
};

/**
 * Why the best-known interpreter internals are dangerous; other dunders get a generic reason.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DUNDER_REASONS } from "./internals.ts";
 * assert.ok(DUNDER_REASONS.__globals__.startsWith("__globals__"));
 * ```
 */
export const DUNDER_REASONS: Readonly<Record<string, string>> = {
  "__globals__": "__globals__ is a function's module namespace, __builtins__ and all",
  "__builtins__": "__builtins__ holds eval, exec and __import__",
  "__subclasses__": "__subclasses__ lists every loaded class: the classic sandbox escape",
  "__code__": "__code__ reads or replaces a function's bytecode",
  "__class__": "__class__ climbs from any object to its type and on to object.__subclasses__",
  "__dict__": "__dict__ exposes and replaces an object's or module's namespace",
  "__getattribute__": "__getattribute__ reads any attribute by name",
  "__reduce__": "__reduce__ and __reduce_ex__ return a callable and its arguments",
  "__reduce_ex__": "__reduce__ and __reduce_ex__ return a callable and its arguments",
  "__init__": "__init__ leads to __init__.__globals__",
  "__loader__": "__loader__ loads and runs module source",
  "__main__": "importing a __main__ submodule runs a program's entry point",
};

/**
 * Attribute names (not dunders) that lead into frames, code and closures:
 * `gen.gi_frame.f_globals` is as good as `__globals__`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { INTERNAL_ATTRIBUTES } from "./internals.ts";
 * assert.ok(INTERNAL_ATTRIBUTES.includes("f_globals"));
 * ```
 */
export const INTERNAL_ATTRIBUTES: readonly string[] = [
  "f_globals",
  "f_locals",
  "f_builtins",
  "f_back",
  "f_code",
  "gi_frame",
  "gi_code",
  "cr_frame",
  "cr_code",
  "ag_frame",
  "ag_code",
  "tb_frame",
  "tb_next",
  "func_globals",
  "func_code",
  "func_closure",
  "im_func",
  "im_self",
  "cell_contents",
];

/**
 * Method names that load remote or on-disk models (and may run their code) on whatever class carries them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LOADER_ATTRIBUTES } from "./internals.ts";
 * assert.ok(LOADER_ATTRIBUTES.includes("from_pretrained"));
 * ```
 */
export const LOADER_ATTRIBUTES: readonly string[] = [
  "from_pretrained",
  "from_single_file",
  "load_from_checkpoint",
  "load_state_dict_from_url",
];

/**
 * Dunder module roots that name ordinary places classes live (`__main__.MyModel`), not internals.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ALLOWED_DUNDER_ROOTS } from "./internals.ts";
 * assert.ok(ALLOWED_DUNDER_ROOTS.includes("__main__"));
 * ```
 */
export const ALLOWED_DUNDER_ROOTS: readonly string[] = ["__main__", "__mp_main__", "__future__"];

/**
 * Dunder names that pickle's own protocol emits (protocol 2 objects whose class defines `__reduce_ex__`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ALLOWED_DUNDER_PATHS } from "./internals.ts";
 * assert.ok(ALLOWED_DUNDER_PATHS.includes("copyreg.__newobj__"));
 * ```
 */
export const ALLOWED_DUNDER_PATHS: readonly string[] = ["copyreg.__newobj__", "copyreg.__newobj_ex__"];

/**
 * Callables whose first argument is a serialized payload the machine should scan.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NESTED_LOADERS } from "./internals.ts";
 * assert.ok(NESTED_LOADERS.includes("pickle.loads"));
 * ```
 */
export const NESTED_LOADERS: readonly string[] = [
  "pickle.loads",
  "pickle._loads",
  "dill.loads",
  "dill._dill.loads",
  "cloudpickle.loads",
  "cloudpickle.cloudpickle.loads",
  "cloudpickle.cloudpickle_fast.loads",
  "srsly.pickle_loads",
  "joblib.load",
  "joblib.numpy_pickle.load",
  "sklearn.externals.joblib.load",
  "torch.load",
  "torch.serialization.load",
  "torch.storage._load_from_bytes",
  "numpy.loads",
  "numpy.core.numeric.loads",
  "numpy._core.numeric.loads",
  "numpy.ma.loads",
  "numpy.ma.core.loads",
  "pandas.compat.pickle_compat.loads",
  "keras.saving.pickle_utils.deserialize_model_from_bytecode",
  "keras.src.saving.pickle_utils.deserialize_model_from_bytecode",
];

/**
 * Names that a family module may re-export from elsewhere and that load,
 * open, import or run things: such a name is never safe by family membership
 * (`from importlib import import_module` in a scikit-learn module). The last
 * segment of every denylist entry joins them in the policy (`reduce`, `attrgetter`, `os`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FAMILY_EXCLUDED_NAMES } from "./internals.ts";
 * assert.ok(FAMILY_EXCLUDED_NAMES.includes("load"));
 * ```
 */
export const FAMILY_EXCLUDED_NAMES: readonly string[] = [
  "load",
  "loads",
  "dump",
  "dumps",
  "save",
  "open",
  "system",
  "popen",
  "exec",
  "eval",
  "compile",
  "getattr",
  "setattr",
  "delattr",
  "import_module",
  "walk_packages",
  "iter_modules",
  "run",
  "call",
  "Popen",
  "check_output",
  "check_call",
  "getoutput",
  "urlopen",
  "urlretrieve",
  "rmtree",
  "remove",
  "unlink",
  "rename",
  "makedirs",
  "mkdir",
  "chmod",
  "kill",
  "fork",
  "dlopen",
  "cached_file",
  "hf_hub_download",
  "snapshot_download",
  "download_url",
  "get_file",
];

/**
 * Modules whose object itself is dangerous to hold, though most of their
 * members are harmless: source that refers to the module (`b = builtins`)
 * reaches every member by attribute. Only a module-alone name is judged by
 * this (a pickle global always names a member).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DANGEROUS_MODULE_OBJECTS } from "./internals.ts";
 * assert.notEqual(DANGEROUS_MODULE_OBJECTS.builtins, undefined);
 * ```
 */
export const DANGEROUS_MODULE_OBJECTS: Readonly<Record<string, string>> = {
  builtins: "builtins holds eval, exec, open and __import__",
};
