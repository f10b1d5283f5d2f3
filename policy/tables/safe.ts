/**
 * The known-safe tier of the policy, grouped by library: names that real model
 * files make their loader import and that only rebuild data (tensors, arrays,
 * containers, config objects). Pure data; `../callables.ts` matches it. One
 * section per library, in one module: every scan that judges a name loads the
 * policy, and as nine modules the tables took a one-file scan about 0.5 ms longer.
 *
 * @module
 */

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

// ---- stdlib -----------------------------------------------------------------------------------------------
// Known-safe callables of the Python standard library: builtin constructors, containers,
// records, pickle's own reconstruction helpers, regex flags and inert path values.
/**
 * Standard library names that only rebuild data. Each group says why it is inert: calling it with
 * any arguments builds a value and runs no code beyond the constructors of classes the pickle must
 * import (and so name) separately.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SAFE_STDLIB } from "./safe.ts";
 * assert.equal(SAFE_STDLIB.library, "stdlib");
 * assert.ok(SAFE_STDLIB.exact?.includes("collections.OrderedDict"));
 * ```
 */
export const SAFE_STDLIB: SafeTable = {
  library: "stdlib",
  exact: [
    // Builtin constructors: values only. (Huge sizes such as bytes(10**12) are a memory risk, not code execution.)
    ...[
      "set",
      "frozenset",
      "complex",
      "slice",
      "range",
      "bytearray",
      "bytes",
      "object",
      "int",
      "float",
      "str",
      "list",
      "dict",
      "tuple",
      "bool",
      "Ellipsis",
      "NotImplemented",
    ].map((n) => `builtins.${n}`),
    // Containers and plain records.
    "collections.OrderedDict",
    "collections.defaultdict",
    "collections.deque",
    "collections.Counter",
    "collections.ChainMap",
    "argparse.Namespace",
    "types.SimpleNamespace",
    ...["datetime", "date", "time", "timedelta", "timezone"].map((n) => `datetime.${n}`),
    "decimal.Decimal",
    "fractions.Fraction",
    "uuid.UUID",
    // Typed arrays and compiled regexes, as Python's reducers for `array.array` and `re.Pattern` write them.
    "array.array",
    "array._array_reconstructor",
    "re._compile",
    // Pickle's own reconstruction helpers: they call `cls.__new__` of a class the pickle imports separately.
    "copyreg._reconstructor",
    "copyreg.__newobj__",
    "copyreg.__newobj_ex__",
    // Protocol 2 writes bytes as _codecs.encode(text, "latin1").
    "_codecs.encode",
    // partial only stores a callable and arguments; the callable is itself an import the pickle names (and that
    // gets its own verdict), and the machine flags a partial whose arguments hold a denied global.
    "functools.partial",
    // Enum members of the standard library's regex flags (`re.I | re.M` in a compiled pattern's options or a
    // config): Python 3.11 pickles a member as getattr(re.RegexFlag, "IGNORECASE") and a union with
    // _operator.or_ of members. A flag is an int.
    "re.RegexFlag",
    ...[
      "ASCII",
      "IGNORECASE",
      "LOCALE",
      "UNICODE",
      "MULTILINE",
      "DOTALL",
      "VERBOSE",
      "TEMPLATE",
      "DEBUG",
      "NOFLAG",
    ]
      .concat(["A", "I", "L", "U", "M", "S", "X", "T"])
      .map((member) => `re.RegexFlag.${member}`),
    // `a | b`: it calls the `__or__` of operands the pickle must build from imports it names (and that get their
    // own verdicts), like the flag unions above.
    "operator.or_",
  ],
  exceptions: [
    // Path objects are inert values (fastai learners, Lightning hyper-parameters); only their methods touch files.
    ...["", "._local"].flatMap((sub) =>
      ["Path", "PosixPath", "WindowsPath", "PurePath", "PurePosixPath", "PureWindowsPath"].map((cls) =>
        `pathlib${sub}.${cls}`
      )
    ),
  ],
};

// ---- torch ------------------------------------------------------------------------------------------------
// Known-safe callables of PyTorch: storages, tensor types, dtypes, layouts, the rebuild helpers
// `torch.save` emits, activation functions, layers, optimizers and schedulers.
/** The scalar types of torch's typed storages and legacy tensor classes (`torch.FloatStorage`). */
const TORCH_SCALARS = [
  "Double",
  "Float",
  "Half",
  "BFloat16",
  "Long",
  "Int",
  "Short",
  "Char",
  "Byte",
  "Bool",
  "ComplexFloat",
  "ComplexDouble",
];

/** torch's dtypes, by the attribute names torch exposes them under (`torch.float32`). */
const TORCH_DTYPES = [
  "float32",
  "float",
  "float64",
  "double",
  "float16",
  "half",
  "bfloat16",
  "complex32",
  "chalf",
  "complex64",
  "cfloat",
  "complex128",
  "cdouble",
  "uint8",
  "uint16",
  "uint32",
  "uint64",
  "int8",
  "int16",
  "short",
  "int32",
  "int",
  "int64",
  "long",
  "bool",
  "quint8",
  "qint8",
  "qint32",
  "quint4x2",
  "quint2x4",
  "float8_e4m3fn",
  "float8_e4m3fnuz",
  "float8_e5m2",
  "float8_e5m2fnuz",
  "float8_e8m0fnu",
  "float4_e2m1fn_x2",
  "bits1x8",
  "bits2x4",
  "bits4x2",
  "bits8",
  "bits16",
  ...[1, 2, 3, 4, 5, 6, 7].flatMap((n) => [`int${n}`, `uint${n}`]),
];

/**
 * PyTorch names that only rebuild data, the names inside denied torch modules that are safe all the
 * same, and the families of layer, optimizer and scheduler classes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SAFE_TORCH } from "./safe.ts";
 * assert.equal(SAFE_TORCH.library, "torch");
 * assert.ok(SAFE_TORCH.exact?.includes("torch.UntypedStorage"));
 * ```
 */
export const SAFE_TORCH: SafeTable = {
  library: "torch",
  exact: [
    // PyTorch: storages, tensor types, dtypes, layouts and the rebuild helpers torch.save emits.
    ...TORCH_SCALARS.flatMap((s) => [`torch.${s}Storage`, `torch.cuda.${s}Storage`, `torch.${s}Tensor`]),
    ...["QUInt8", "QInt8", "QInt32", "QUInt4x2", "QUInt2x4"].map((s) => `torch.${s}Storage`),
    ...TORCH_SCALARS.map((s) => `torch.cuda.${s}Tensor`),
    "torch.UntypedStorage",
    "torch.TypedStorage",
    "torch.storage.UntypedStorage",
    "torch.storage.TypedStorage",
    "torch.storage._UntypedStorage",
    "torch.storage._TypedStorage",
    "torch.storage._LegacyStorage",
    // Legacy tensors pickle their storage as torch.load(bytes); the machine scans that payload (isNestedLoader).
    "torch.storage._load_from_bytes",
    "torch.Tensor",
    "torch.Size",
    "torch.device",
    ...TORCH_DTYPES.map((d) => `torch.${d}`),
    ...["strided", "sparse_coo", "sparse_csr", "sparse_csc", "sparse_bsr", "sparse_bsc", "_mkldnn", "jagged"]
      .map((l) => `torch.${l}`),
    ...["contiguous_format", "channels_last", "channels_last_3d", "preserve_format"].map((m) => `torch.${m}`),
    ...[
      "per_tensor_affine",
      "per_channel_affine",
      "per_tensor_symmetric",
      "per_channel_symmetric",
      "per_channel_affine_float_qparams",
    ].map((q) => `torch.${q}`),
    ...[
      "_rebuild_tensor",
      "_rebuild_tensor_v2",
      "_rebuild_tensor_v3",
      "_rebuild_parameter",
      "_rebuild_parameter_with_state",
      "_rebuild_qtensor",
      "_rebuild_sparse_tensor",
      "_rebuild_sparse_csr_tensor",
      "_rebuild_nested_tensor",
      "_rebuild_meta_tensor_no_storage",
      "_rebuild_wrapper_subclass",
      "_rebuild_device_tensor_from_numpy",
      "_rebuild_device_tensor_from_cpu_tensor",
      "_rebuild_xla_tensor",
      "_rebuild_mlc_tensor",
    ].map((f) => `torch._utils.${f}`),
    // Activation and loss functions stored as attributes (`self.act = F.gelu`): tensor math only. F.gelu and its
    // kin are C builtins that pickle under torch._C._nn.
    ...[
      "relu",
      "relu6",
      "gelu",
      "silu",
      "elu",
      "selu",
      "celu",
      "leaky_relu",
      "prelu",
      "rrelu",
      "glu",
      "mish",
      "hardswish",
      "hardsigmoid",
      "hardtanh",
      "sigmoid",
      "tanh",
      "softmax",
      "softmin",
      "log_softmax",
      "softplus",
      "softsign",
      "tanhshrink",
      "logsigmoid",
      "threshold",
      "normalize",
      "dropout",
      "layer_norm",
      "group_norm",
      "batch_norm",
      "instance_norm",
      "linear",
      "pad",
      "interpolate",
      "mse_loss",
      "l1_loss",
      "smooth_l1_loss",
      "huber_loss",
      "cross_entropy",
      "nll_loss",
      "binary_cross_entropy",
      "binary_cross_entropy_with_logits",
      "kl_div",
      "cosine_similarity",
      "scaled_dot_product_attention",
    ].map((f) => `torch.nn.functional.${f}`),
    ...[
      "gelu",
      "silu",
      "elu",
      "leaky_relu",
      "hardtanh",
      "softplus",
      "hardswish",
      "hardsigmoid",
      "mish",
      "log_sigmoid",
    ]
      .map((f) => `torch._C._nn.${f}`),
    ...["relu", "sigmoid", "tanh", "softmax", "log_softmax"].map((f) => `torch.${f}`),
    "torch._tensor._rebuild_from_type",
    "torch._tensor._rebuild_from_type_v2",
    ...["Parameter", "UninitializedParameter", "Buffer", "UninitializedBuffer"].map((c) =>
      `torch.nn.parameter.${c}`
    ),
  ],
  exceptions: [
    // `copyreg.pickle(torch.layout, ...)` makes every pickled layout call this; it looks a name up in a table.
    "torch.serialization._get_layout",
    // TorchScript pickles (data.pkl, *.debug_pkl) type their lists with these: in Python each returns its argument.
    ...["build_intlist", "build_tensorlist", "build_doublelist", "build_boollist", "build_tensor_from_id"]
      .map((f) => `torch.jit._pickle.${f}`),
    "torch.jit._pickle.restore_type_tag",
    // TorchScript's typing helpers, which scripted source calls (a debug_pkl keeps that source): each returns its
    // argument, a bool or a marker, and runs nothing.
    ...[
      "annotate",
      "isinstance",
      "is_scripting",
      "is_tracing",
      "_unwrap_optional",
      "unused",
      "ignore",
      "export",
    ]
      .map((f) => `torch.jit.${f}`),
    "torch.jit.Final",
    "torch.jit.Attribute",
  ],
  families: [
    // Layers: classes that hold parameters and call tensor ops; methods and module-level helpers are not included.
    { root: "torch.nn.modules", entry: "torch.nn.modules.*", names: "classes" },
    // Optimizers and learning-rate schedulers (`torch.save(optimizer)`, a scheduler's state_dict()): classes that
    // hold hyper-parameters and tensors, as much data as the layers above. A scheduler's state keeps bound
    // methods (OneCycleLR's anneal_func), which pickle writes as getattr(scheduler, "_annealing_cos"): so the
    // methods of these classes are in the family too.
    { root: "torch.optim", entry: "torch.optim.*", names: "classes", members: true },
  ],
};

// ---- numpy ------------------------------------------------------------------------------------------------
// Known-safe callables of NumPy: arrays, dtypes, scalars, random generators, ufuncs and
// polynomials.
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
 * import { SAFE_NUMPY } from "./safe.ts";
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

// ---- scipy ------------------------------------------------------------------------------------------------
// Known-safe callables of SciPy: sparse matrices and arrays, and B-splines.
/** SciPy's sparse formats: each has a `<format>_matrix` and, since SciPy 1.8, a `<format>_array` class. */
const SCIPY_SPARSE_FORMATS = ["csr", "csc", "coo", "bsr", "dia", "dok", "lil"];

/**
 * SciPy names that only rebuild data.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SAFE_SCIPY } from "./safe.ts";
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

// ---- pandas -----------------------------------------------------------------------------------------------
// Known-safe callables of pandas and the time-zone libraries it pickles with (pytz, dateutil).
/** pandas' date offsets (`pandas.tseries.offsets`) by class name; `BDay` and the like are only aliases. */
const PANDAS_OFFSETS = [
  "DateOffset",
  "Tick",
  "Day",
  "Hour",
  "Minute",
  "Second",
  "Milli",
  "Micro",
  "Nano",
  "BusinessDay",
  "BusinessHour",
  "CustomBusinessDay",
  "CustomBusinessHour",
  "Week",
  "WeekOfMonth",
  "LastWeekOfMonth",
  "MonthBegin",
  "MonthEnd",
  "BusinessMonthBegin",
  "BusinessMonthEnd",
  "CustomBusinessMonthBegin",
  "CustomBusinessMonthEnd",
  "SemiMonthBegin",
  "SemiMonthEnd",
  "QuarterBegin",
  "QuarterEnd",
  "BQuarterBegin",
  "BQuarterEnd",
  "YearBegin",
  "YearEnd",
  "BYearBegin",
  "BYearEnd",
  "FY5253",
  "FY5253Quarter",
  "Easter",
];

/**
 * pandas names that only rebuild data, and the pytz and dateutil helpers its objects pickle with.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SAFE_PANDAS } from "./safe.ts";
 * assert.equal(SAFE_PANDAS.library, "pandas");
 * assert.ok(SAFE_PANDAS.exact?.includes("dateutil.relativedelta.relativedelta"));
 * ```
 */
export const SAFE_PANDAS: SafeTable = {
  library: "pandas",
  exact: [
    // pandas frames, series, indexes, extension arrays, dtypes and scalars, and the helpers pandas pickles
    // them with (`_new_Index(cls, d)` calls `cls.__new__` of a class the pickle imports separately). A
    // time-zone name given to them is looked up in pytz's own zone list, or (`dateutil/...`) opened as a
    // regular file only to fail its TZif magic check: nothing is written, imported or evaluated.
    ...[
      "core.frame.DataFrame",
      "core.series.Series",
      "core.internals.managers.BlockManager",
      "core.internals.managers.SingleBlockManager",
      "_libs.internals._unpickle_block",
      "_libs.arrays.__pyx_unpickle_NDArrayBacked",
      "core.indexes.base.Index",
      "core.indexes.base._new_Index",
      "core.indexes.range.RangeIndex",
      "core.indexes.multi.MultiIndex",
      "core.indexes.category.CategoricalIndex",
      "core.indexes.datetimes.DatetimeIndex",
      "core.indexes.datetimes._new_DatetimeIndex",
      "core.indexes.timedeltas.TimedeltaIndex",
      "core.indexes.period.PeriodIndex",
      "core.indexes.interval.IntervalIndex",
      "core.indexes.interval._new_IntervalIndex",
      ...["Int64Index", "UInt64Index", "Float64Index"].map((c) => `core.indexes.numeric.${c}`),
      "core.arrays.categorical.Categorical",
      "core.arrays.datetimes.DatetimeArray",
      "core.arrays.timedeltas.TimedeltaArray",
      "core.arrays.period.PeriodArray",
      "core.arrays.interval.IntervalArray",
      "core.arrays.numpy_.PandasArray",
      "core.arrays.numpy_.NumpyExtensionArray",
      "core.arrays.integer.IntegerArray",
      ...["", "U"].flatMap((u) => [8, 16, 32, 64].map((n) => `core.arrays.integer.${u}Int${n}Dtype`)),
      "core.arrays.floating.FloatingArray",
      "core.arrays.floating.Float32Dtype",
      "core.arrays.floating.Float64Dtype",
      "core.arrays.boolean.BooleanArray",
      "core.arrays.boolean.BooleanDtype",
      "core.arrays.string_.StringArray",
      "core.arrays.string_.StringDtype",
      "core.arrays.sparse.array.SparseArray",
      "core.arrays.sparse.dtype.SparseDtype",
      "core.dtypes.dtypes.CategoricalDtype",
      "core.dtypes.dtypes.DatetimeTZDtype",
      "core.dtypes.dtypes.PeriodDtype",
      "core.dtypes.dtypes.IntervalDtype",
      "core.dtypes.dtypes.PandasDtype",
      "core.dtypes.dtypes.NumpyEADtype",
      "core.dtypes.dtypes.SparseDtype",
      "_libs.missing.NA",
      "_libs.sparse.IntIndex",
      "_libs.sparse.BlockIndex",
      "_libs.interval.Interval",
      "_libs.interval.__pyx_unpickle_IntervalMixin",
      "_libs.tslibs.timestamps._unpickle_timestamp",
      "_libs.tslibs.timedeltas._timedelta_unpickle",
      "_libs.tslibs.nattype.__nat_unpickle",
      "_libs.tslibs.period.Period",
      ...PANDAS_OFFSETS.map((o) => `_libs.tslibs.offsets.${o}`),
    ].map((p) => `pandas.${p}`),
    // pytz's unpickling factories: `_p` takes a zone only from pytz's own list of names, never as a path.
    "pytz._p",
    "pytz._UTC",
    // dateutil's relativedelta (inside pandas' DateOffset): calendar arithmetic on numbers.
    "dateutil.relativedelta.relativedelta",
  ],
};

// ---- sklearn ----------------------------------------------------------------------------------------------
// Known-safe callables of scikit-learn and joblib: estimators and the wrapper `joblib.dump` writes
// per array.
/**
 * scikit-learn's estimators by family, and joblib's array wrapper (inside the denied `joblib`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SAFE_SKLEARN } from "./safe.ts";
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

// ---- transformers -----------------------------------------------------------------------------------------
// Known-safe callables of Hugging Face transformers: configuration classes.
/**
 * transformers' configuration classes, by family.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SAFE_TRANSFORMERS } from "./safe.ts";
 * assert.equal(SAFE_TRANSFORMERS.library, "transformers");
 * assert.ok((SAFE_TRANSFORMERS.families?.length ?? 0) > 0);
 * ```
 */
export const SAFE_TRANSFORMERS: SafeTable = {
  library: "transformers",
  families: [
    // Configuration classes (`transformers.models.bert.configuration_bert.BertConfig`, `GenerationConfig`).
    {
      root: "transformers",
      entry: "transformers.*.configuration_*",
      names: "classes",
      lastModule: /^configuration_|^quantization_config$/,
    },
  ],
};

// ---- training ---------------------------------------------------------------------------------------------
// Known-safe callables of the training stacks whose configurations name classes
// for Hydra's `instantiate` (`_target_`), jsonargparse (`class_path`) and NeMo
// (`target`) to build: NeMo's modules and models, Lightning, Hydra and OmegaConf's
// own classes, torchvision's models and transforms, transformers' classes, and
// the spellings configs use for PyTorch's layers, optimizers, schedulers and data
// loaders (`torch.nn.Linear`, `torch.optim.lr_scheduler.CosineAnnealingLR`), which
// pickles write under their defining modules instead.
// Classes only: a class builds an object from the config's keys, while functions
// of the same packages (`hydra.utils.call`, `from_pretrained`) may load or run more.
/** A family of the classes under `root`. */
const classes = (root: string): SafeFamily => ({ root, entry: `${root}.*`, names: "classes" });

/**
 * The classes a package re-exports at `root` itself, as configs spell them (`torch.nn.Linear`): the
 * defining modules under it (`torch.nn.modules.linear`, `transformers.models.*`) keep their own verdicts.
 */
const exported = (root: string): SafeFamily => ({
  root,
  entry: `${root}.*`,
  names: "classes",
  depth: root.split(".").length,
});

/**
 * Classes of NeMo, Lightning, Hydra, OmegaConf, torchvision, transformers and PyTorch that training
 * configurations name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallablePolicy } from "../callables.ts";
 * import { SAFE_TRAINING } from "./safe.ts";
 * assert.equal(SAFE_TRAINING.library, "training-configs");
 * const policy = CallablePolicy.standard();
 * assert.equal(policy.judge("nemo.collections.asr.modules", "ConvASREncoder").tier, "safe");
 * assert.equal(policy.judge("hydra.utils", "get_method").tier, "unknown"); // a function: it imports what it is given
 * ```
 */
export const SAFE_TRAINING: SafeTable = {
  library: "training-configs",
  families: [
    classes("nemo.collections"),
    classes("nemo.core"),
    classes("pytorch_lightning"),
    classes("lightning.pytorch"),
    classes("lightning.fabric"),
    classes("hydra"),
    classes("omegaconf"),
    classes("torchvision.models"),
    classes("torchvision.transforms"),
    classes("torchvision.ops"),
    exported("transformers"),
    exported("torch.nn"),
    exported("torch.utils.data"),
  ],
};

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
