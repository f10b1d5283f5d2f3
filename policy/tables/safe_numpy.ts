/**
 * Known-safe callables of NumPy: arrays, dtypes, scalars, random generators, ufuncs and
 * polynomials.
 *
 * @module
 */

import type { SafeTable } from "./safe.ts";

/** NumPy's scalar types, by the names `numpy` exports them under. */
const NUMPY_SCALARS = [
  "bool",
  "bool_",
  "int8",
  "int16",
  "int32",
  "int64",
  "uint8",
  "uint16",
  "uint32",
  "uint64",
  "intp",
  "uintp",
  "intc",
  "uintc",
  "int_",
  "uint",
  "longlong",
  "ulonglong",
  "byte",
  "ubyte",
  "short",
  "ushort",
  "long",
  "ulong",
  "float16",
  "float32",
  "float64",
  "float128",
  "half",
  "single",
  "double",
  "longdouble",
  "float_",
  "complex64",
  "complex128",
  "complex256",
  "csingle",
  "cdouble",
  "clongdouble",
  "complex_",
  "object_",
  "str_",
  "bytes_",
  "unicode_",
  "string_",
  "void",
  "datetime64",
  "timedelta64",
  "generic",
  "number",
  "integer",
  "signedinteger",
  "unsignedinteger",
  "inexact",
  "floating",
  "complexfloating",
  "flexible",
  "character",
];

/** Elementwise math ufuncs by their `__name__`, which pickle writes (`np.abs` is `absolute`). */
const NUMPY_UFUNCS = [
  "add",
  "subtract",
  "multiply",
  "divide",
  "floor_divide",
  "remainder",
  "fmod",
  "power",
  "float_power",
  "negative",
  "positive",
  "absolute",
  "fabs",
  "sign",
  "reciprocal",
  "rint",
  "floor",
  "ceil",
  "trunc",
  "sqrt",
  "cbrt",
  "square",
  "exp",
  "exp2",
  "expm1",
  "log",
  "log2",
  "log10",
  "log1p",
  "logaddexp",
  "logaddexp2",
  "sin",
  "cos",
  "tan",
  "arcsin",
  "arccos",
  "arctan",
  "arctan2",
  "hypot",
  "sinh",
  "cosh",
  "tanh",
  "arcsinh",
  "arccosh",
  "arctanh",
  "deg2rad",
  "rad2deg",
  "maximum",
  "minimum",
  "fmax",
  "fmin",
  "isnan",
  "isinf",
  "isfinite",
];

/**
 * NumPy names that only rebuild data: arrays and their subclasses, dtypes, scalars (numpy 1
 * `numpy.core`, numpy 2 `numpy._core`), random generators, elementwise ufuncs and polynomials.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SAFE_NUMPY } from "./safe_numpy.ts";
 * assert.equal(SAFE_NUMPY.library, "numpy");
 * assert.ok(SAFE_NUMPY.exact?.includes("numpy.core.multiarray._reconstruct"));
 * ```
 */
export const SAFE_NUMPY: SafeTable = {
  library: "numpy",
  exact: [
    // NumPy: arrays, dtypes, scalars (numpy 1 `numpy.core`, numpy 2 `numpy._core`) and random generators.
    ...["core", "_core"].flatMap((core) => [
      `numpy.${core}.multiarray._reconstruct`,
      `numpy.${core}.multiarray.scalar`,
      `numpy.${core}.numeric._frombuffer`,
      `numpy.${core}._DType_reconstruct`,
    ]),
    "numpy.ndarray",
    "numpy.dtype",
    // ndarray subclasses pickled by their class: they rebuild from data like ndarray does.
    "numpy.matrix",
    "numpy.matrixlib.defmatrix.matrix",
    "numpy.recarray",
    "numpy.record",
    ...["core", "_core"].flatMap((
      core,
    ) => [`numpy.${core}.records.recarray`, `numpy.${core}.records.record`]),
    "numpy.ma.core._mareconstruct",
    "numpy.ma.core.MaskedArray",
    ...NUMPY_SCALARS.map((s) => `numpy.${s}`),
    "numpy.random._pickle.__randomstate_ctor",
    "numpy.random._pickle.__bit_generator_ctor",
    "numpy.random._pickle.__generator_ctor",
    "numpy.random.__RandomState_ctor",
    "numpy.random.mtrand.RandomState",
    "numpy.random._generator.Generator",
    "numpy.random._mt19937.MT19937",
    "numpy.random._pcg64.PCG64",
    "numpy.random._pcg64.PCG64DXSM",
    "numpy.random._philox.Philox",
    "numpy.random._sfc64.SFC64",
    "numpy.random.bit_generator.SeedSequence",
    // Cython's unpickle helper: `cls.__new__` of a class the pickle imports separately, then its fields.
    "numpy.random.bit_generator.__pyx_unpickle_SeedSequence",
    // Ufuncs kept as estimator attributes (`FunctionTransformer(np.log1p)`): elementwise math. Pickle names
    // the first module it finds exporting one, so every module that exports them is listed.
    ...[
      "numpy",
      ...["core", "_core"].flatMap((core) => [`numpy.${core}._multiarray_umath`, `numpy.${core}.umath`]),
    ]
      .flatMap((m) => NUMPY_UFUNCS.map((f) => `${m}.${f}`)),
    // Polynomials: coefficient arrays, a domain, a window and a variable name that is only ever printed.
    "numpy.poly1d",
    ...[
      "polynomial.Polynomial",
      "chebyshev.Chebyshev",
      "legendre.Legendre",
      "hermite.Hermite",
      "hermite_e.HermiteE",
      "laguerre.Laguerre",
    ].map((c) => `numpy.polynomial.${c}`),
  ],
  families: [
    // numpy 2 DType classes (`numpy.dtypes.Float64DType`).
    { root: "numpy.dtypes", entry: "numpy.dtypes.*DType", names: { suffix: "DType" }, depth: 2 },
  ],
};
