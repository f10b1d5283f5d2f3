/**
 * What Python source may call inside modules the policy of Python callables
 * denies as a whole. A pickle has no business importing `os` or `importlib`;
 * model code uses them for harmless reasons all the time (`os.path.join`,
 * transformers' `importlib.util.find_spec` availability checks, `torch.jit.script`
 * on its own functions). Each name is exact: a namespace such as `os.path.*`
 * would also accept `os.path.os.system`, the `os` that `posixpath` imported.
 *
 * @module
 */

import type { CallablePolicy, SafeTable } from "../../policy/callables.ts";

/** Pure path-string and file-status helpers of `os.path`: none runs, writes or deletes anything. */
const OS_PATH_FUNCTIONS = [
  "abspath",
  "basename",
  "commonpath",
  "commonprefix",
  "dirname",
  "exists",
  "expanduser",
  "expandvars",
  "getatime",
  "getctime",
  "getmtime",
  "getsize",
  "isabs",
  "isdir",
  "isfile",
  "islink",
  "ismount",
  "join",
  "lexists",
  "normcase",
  "normpath",
  "realpath",
  "relpath",
  "samefile",
  "split",
  "splitdrive",
  "splitext",
];

/** ctypes' C value types and `sizeof`: values, not code. */
const CTYPES_VALUE_TYPES = [
  "sizeof",
  "c_bool",
  "c_char",
  "c_wchar",
  "c_char_p",
  "c_wchar_p",
  "c_void_p",
  ...["byte", "short", "int", "long", "longlong", "int8", "int16", "int32", "int64"]
    .flatMap((name) => [`c_${name}`, `c_u${name}`]),
  "c_size_t",
  "c_ssize_t",
  "c_float",
  "c_double",
  "c_longdouble",
];

/**
 * The Python source scanner's own safe names, exceptions to the denied modules they live in.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallablePolicy } from "../../policy/callables.ts";
 * import { PYTHON_SOURCE_SAFE } from "./safe_source.ts";
 * const policy = CallablePolicy.standard().extend({}, [PYTHON_SOURCE_SAFE]);
 * assert.equal(policy.judge("os.path.join").tier, "safe");
 * assert.equal(policy.judge("os.path.os.system").tier, "denied");
 * assert.equal(policy.judge("importlib.util.find_spec").tier, "safe");
 * assert.equal(policy.judge("importlib.import_module").tier, "denied");
 * assert.equal(policy.judge("ctypes.c_int32").tier, "safe");
 * assert.equal(policy.judge("ctypes.cdll.LoadLibrary").tier, "denied");
 * ```
 */
export const PYTHON_SOURCE_SAFE: SafeTable = {
  library: "python-source",
  exceptions: [
    ...OS_PATH_FUNCTIONS.map((name) => `os.path.${name}`),
    // Reading the environment and the process's own facts.
    "os.getenv",
    "os.environ.get",
    // Values, not functions: what `dict(os.environ)` or `f(os.sep)` hands over runs nothing.
    ...["environ", "sep", "altsep", "extsep", "linesep", "pathsep", "curdir", "pardir", "devnull", "name"]
      .map((name) => `os.${name}`),
    "os.getcwd",
    "os.getpid",
    "os.cpu_count",
    "os.fspath",
    "os.PathLike",
    // Availability checks: they look a package up without running it (transformers' is_*_available).
    "importlib.util.find_spec",
    "importlib.metadata.version",
    "importlib.metadata.metadata",
    "importlib.metadata.distribution",
    "importlib.metadata.packages_distributions",
    "importlib.metadata.PackageNotFoundError",
    // TorchScript and FX decorators compile the module's own functions, not text.
    ...["script", "trace", "is_scripting", "is_tracing", "unused", "ignore", "export", "annotate"]
      .map((name) => `torch.jit.${name}`),
    "torch.jit.script_if_tracing",
    "torch.jit.interface",
    "torch.jit.Final",
    "torch.fx.wrap",
    "torch.fx.is_fx_tracing",
    // Compiler switches and queries that model code decorates its functions with or branches on.
    ...["disable", "is_compiling", "is_dynamo_compiling", "allow_in_graph"].map((name) =>
      `torch.compiler.${name}`
    ),
    ...["is_compiling", "disable", "allow_in_graph", "mark_static_address"].map((name) =>
      `torch._dynamo.${name}`
    ),
    "torch.export.Dim",
    // Directory listings and creation, file status: they run nothing.
    ...["listdir", "scandir", "walk", "stat", "makedirs", "mkdir"].map((name) => `os.${name}`),
    "pathlib.Path.cwd",
    "pathlib.Path.home",
    // C value types of ctypes, built to pass arguments; loading a library (CDLL, LoadLibrary) stays denied.
    ...CTYPES_VALUE_TYPES.map((name) => `ctypes.${name}`),
    // Folding a sequence with a function the code names (`functools.reduce(operator.mul, shape)`).
    "functools.reduce",
    // Locks and thread-local storage start no thread.
    ...[
      "Lock",
      "RLock",
      "Event",
      "Condition",
      "Semaphore",
      "BoundedSemaphore",
      "local",
      "current_thread",
      "get_ident",
    ]
      .map((name) => `threading.${name}`),
    // Platform facts read from the interpreter.
    ...["system", "machine", "python_version", "platform", "release"].map((name) => `platform.${name}`),
  ],
};

/** Each policy with {@linkcode PYTHON_SOURCE_SAFE}, built once per policy: a scan shares one policy. */
const SOURCE_POLICIES = new WeakMap<CallablePolicy, CallablePolicy>();

/**
 * `policy` with the source scanner's own safe names, built once per policy.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallablePolicy } from "../../policy/callables.ts";
 * import { sourcePolicy } from "./safe_source.ts";
 * assert.equal(sourcePolicy(CallablePolicy.standard()).judge("os.path.join").tier, "safe");
 * assert.equal(sourcePolicy(CallablePolicy.standard()), sourcePolicy(CallablePolicy.standard()));
 * ```
 */
export function sourcePolicy(policy: CallablePolicy): CallablePolicy {
  let composed = SOURCE_POLICIES.get(policy);
  if (!composed) SOURCE_POLICIES.set(policy, composed = policy.extend({}, [PYTHON_SOURCE_SAFE]));
  return composed;
}
