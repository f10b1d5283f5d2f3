/**
 * Known-safe callables of PyTorch: storages, tensor types, dtypes, layouts, the rebuild helpers
 * `torch.save` emits, activation functions, layers, optimizers and schedulers.
 *
 * @module
 */

import type { SafeTable } from "./safe.ts";

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
 * import { SAFE_TORCH } from "./safe_torch.ts";
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
