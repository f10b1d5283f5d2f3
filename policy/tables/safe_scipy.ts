/**
 * Known-safe callables of SciPy: sparse matrices and arrays, and B-splines.
 *
 * @module
 */

import type { SafeTable } from "./safe.ts";

/** SciPy's sparse formats: each has a `<format>_matrix` and, since SciPy 1.8, a `<format>_array` class. */
const SCIPY_SPARSE_FORMATS = ["csr", "csc", "coo", "bsr", "dia", "dok", "lil"];

/**
 * SciPy names that only rebuild data.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SAFE_SCIPY } from "./safe_scipy.ts";
 * assert.equal(SAFE_SCIPY.library, "scipy");
 * assert.ok(SAFE_SCIPY.exact?.includes("scipy.interpolate._bsplines.BSpline"));
 * ```
 */
export const SAFE_SCIPY: SafeTable = {
  library: "scipy",
  exact: [
    // SciPy sparse matrices and arrays (TfidfVectorizer's idf, kNN graphs): index and value arrays restored
    // into `__dict__`, no `__setstate__`. Modules: `scipy.sparse.csr` before SciPy 1.8, `_csr` since; arrays
    // in `_arrays` until 1.11. scipy.stats distributions stay unknown: their `__setstate__` execs a pickled
    // string (`_parse_arg_template`).
    ...SCIPY_SPARSE_FORMATS.flatMap((f) => [
      `scipy.sparse.${f}.${f}_matrix`,
      `scipy.sparse._${f}.${f}_matrix`,
      `scipy.sparse._${f}.${f}_array`,
      `scipy.sparse._arrays.${f}_array`,
    ]),
    // SplineTransformer's splines: knots and coefficients.
    "scipy.interpolate._bsplines.BSpline",
  ],
};
