/**
 * Known-safe callables of scikit-learn and joblib: estimators and the wrapper `joblib.dump` writes
 * per array.
 *
 * @module
 */

import type { SafeTable } from "./safe.ts";

/**
 * scikit-learn's estimators by family, and joblib's array wrapper (inside the denied `joblib`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SAFE_SKLEARN } from "./safe_sklearn.ts";
 * assert.equal(SAFE_SKLEARN.library, "sklearn");
 * assert.ok(SAFE_SKLEARN.exceptions?.includes("joblib.numpy_pickle.NumpyArrayWrapper")); // safe inside denied joblib
 * ```
 */
export const SAFE_SKLEARN: SafeTable = {
  library: "sklearn",
  exceptions: [
    // joblib.dump writes one of these per array, the raw array bytes right after it in the stream.
    "joblib.numpy_pickle.NumpyArrayWrapper",
    "sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper",
  ],
  families: [
    // Estimators, their Cython helpers (`__pyx_unpickle_*`, `newObj`) and scorer functions: fitted-state
    // rebuilders. The denylist removes the subpackages that load, download or run things; test modules are
    // excluded here, and so are private helper functions (`_cached_call` calls any method named by a string),
    // which no model names.
    {
      root: "sklearn",
      entry: "sklearn.*",
      names: "not-private",
      alsoNames: ["_passthrough_scorer"],
      excludedSegments: ["tests", "test", "conftest", "_testing", "testing"],
    },
  ],
};
