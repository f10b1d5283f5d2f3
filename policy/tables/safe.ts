/**
 * The known-safe tier of the policy, grouped by library: names that real model
 * files make their loader import and that only rebuild data (tensors, arrays,
 * containers, config objects). Pure data; `../callables.ts` matches it.
 *
 * @module
 */

import { SAFE_NUMPY } from "./safe_numpy.ts";
import { SAFE_PANDAS } from "./safe_pandas.ts";
import { SAFE_SCIPY } from "./safe_scipy.ts";
import { SAFE_SKLEARN } from "./safe_sklearn.ts";
import { SAFE_STDLIB } from "./safe_stdlib.ts";
import { SAFE_TORCH } from "./safe_torch.ts";
import { SAFE_TRAINING } from "./safe_training.ts";
import { SAFE_TRANSFORMERS } from "./safe_transformers.ts";

/**
 * A family of safe names: every name under a module root that has the required
 * shape (a class, a public name), rather than a list of exact names. A name
 * that a family module may re-export from a dangerous place (`load`, `system`,
 * the last segment of every denied entry) never joins a family.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallablePolicy } from "../callables.ts";
 * import type { SafeFamily } from "./safe.ts";
 * const layers: SafeFamily = { root: "mylib.layers", entry: "mylib.layers.*", names: "classes" };
 * const policy = CallablePolicy.standard().extend({}, [{ library: "mylib", families: [layers] }]);
 * assert.equal(policy.judge("mylib.layers.dense", "Dense").tier, "safe");
 * assert.equal(policy.judge("mylib.layers", "load_weights").tier, "unknown"); // not a class name
 * ```
 */
export interface SafeFamily {
  /** The module path the family lives under (the module itself or any submodule). */
  readonly root: string;
  /** Shown as the verdict's entry, e.g. `torch.nn.modules.*`. */
  readonly entry: string;
  /**
   * The shape of the imported name: `classes` (CamelCase), `not-private` (anything but a private helper
   * `_lower...`), or a suffix it must end with.
   */
  readonly names: "classes" | "not-private" | { readonly suffix: string };
  /** Also a member of such a name (`Class.method`), how pickle writes a bound method of an instance. */
  readonly members?: boolean;
  /** Module segments that take a module out of the family (`tests`). */
  readonly excludedSegments?: readonly string[];
  /** What the module's last segment must look like (`configuration_bert`). */
  readonly lastModule?: RegExp;
  /** How many segments the module must have, when the family is one module deep. */
  readonly depth?: number;
  /** Names in the family whatever their shape (`_passthrough_scorer`). */
  readonly alsoNames?: readonly string[];
}

/**
 * The safe names of one library.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallablePolicy } from "../callables.ts";
 * import type { SafeTable } from "./safe.ts";
 * const mine: SafeTable = { library: "mylib", exact: ["mylib.Tensor"] };
 * assert.equal(CallablePolicy.standard().extend({}, [mine]).judge("mylib", "Tensor").tier, "safe");
 * ```
 */
export interface SafeTable {
  /** The library, for reading and for tests. */
  readonly library: string;
  /** Exact dotted names; the denylist still wins over them. */
  readonly exact?: readonly string[];
  /**
   * Names inside denied modules that are safe all the same: the only exceptions to "denied wins". Exact, or a
   * namespace ending in `.*` (a format's own view, such as source calling `os.path.*`).
   */
  readonly exceptions?: readonly string[];
  /** Families of names, matched by shape under a module root. */
  readonly families?: readonly SafeFamily[];
}

/**
 * Every library's safe table, as the standard policy reads them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SAFE_TABLES } from "./safe.ts";
 * assert.ok(SAFE_TABLES.map((table) => table.library).includes("torch"));
 * ```
 */
export const SAFE_TABLES: readonly SafeTable[] = [
  SAFE_STDLIB,
  SAFE_TORCH,
  SAFE_NUMPY,
  SAFE_SCIPY,
  SAFE_PANDAS,
  SAFE_SKLEARN,
  SAFE_TRANSFORMERS,
  SAFE_TRAINING,
];
