import assert from "node:assert/strict";
import {
  _denylistPaths,
  _safeExactNames,
  classifyImport,
  type ImportVerdict,
  isNestedLoader,
} from "../../../scanners/pickle/policy.ts";

/** [module, name, expected entry] */
type Row = readonly [string, string, string];

function expectDenied(rows: readonly Row[]): void {
  for (const [module, name, entry] of rows) {
    const verdict = classifyImport(module, name);
    assert.equal(verdict.tier, "denied", `${module} + ${name}: ${JSON.stringify(verdict)}`);
    assert.equal(verdict.entry, entry, `${module} + ${name}`);
    assert.ok(verdict.reason && verdict.reason.length > 10, `${module} + ${name} has a reason`);
  }
}

function expectSafe(rows: readonly Row[]): void {
  for (const [module, name, entry] of rows) {
    assert.deepEqual(classifyImport(module, name), { tier: "safe", entry }, `${module} + ${name}`);
  }
}

function expectUnknown(rows: readonly (readonly [string, string])[]): ImportVerdict[] {
  return rows.map(([module, name]) => {
    const verdict = classifyImport(module, name);
    assert.equal(verdict.tier, "unknown", `${module} + ${name}: ${JSON.stringify(verdict)}`);
    return verdict;
  });
}

Deno.test("processes and shells are denied, under every alias", () => {
  expectDenied([
    ["os", "system", "os"],
    ["os", "popen", "os"],
    ["os", "execv", "os"],
    ["os.path", "join", "os"],
    ["posix", "system", "os"],
    ["nt", "system", "os"],
    ["subprocess", "Popen", "subprocess"],
    ["subprocess", "check_output", "subprocess"],
    ["commands", "getoutput", "subprocess"],
    ["_posixsubprocess", "fork_exec", "_posixsubprocess"],
    ["pty", "spawn", "pty"],
    ["platform", "popen", "platform"],
    ["uuid", "_get_command_stdout", "uuid._get_command_stdout"],
    ["uuid", "_popen", "uuid._popen"],
    ["uuid", "_ifconfig_getnode", "uuid._ifconfig_getnode"],
    ["multiprocessing", "Process", "multiprocessing"],
    ["multiprocessing.pool", "Pool", "multiprocessing"],
    ["concurrent.futures", "ProcessPoolExecutor", "concurrent"],
    ["threading", "Thread", "threading"],
    ["_thread", "start_new_thread", "_thread"],
    ["thread", "start_new_thread", "_thread"],
    ["signal", "signal", "signal"],
    ["_signal", "pthread_kill", "signal"],
    ["sys", "modules", "sys"],
    ["sys", "settrace", "sys"],
    ["atexit", "register", "atexit"],
    ["_interpreters", "run_string", "_interpreters"],
    ["asyncio.subprocess", "create_subprocess_shell", "asyncio"],
    ["asyncio.unix_events", "_UnixSelectorEventLoop", "asyncio"],
    ["_osx_support", "_find_build_tool", "_osx_support"],
  ]);
});

Deno.test("builtins that run code, reach attributes or prompt are denied under builtins, __builtin__ and __builtins__", () => {
  const names = [
    "eval",
    "exec",
    "compile",
    "open",
    "getattr",
    "setattr",
    "delattr",
    "__import__",
    "breakpoint",
    "globals",
    "locals",
    "vars",
    "input",
    "help",
    "exit",
    "apply",
    "execfile",
    "file",
    "reload",
  ];
  for (const module of ["builtins", "__builtin__", "__builtins__"]) {
    expectDenied(names.map((n) => [module, n, `builtins.${n}`] as const));
  }
  expectDenied([
    ["__builtin__", "raw_input", "builtins.input"],
    ["__builtin__", "reduce", "functools.reduce"],
    ["__builtin__", "intern", "sys"],
  ]);
});

Deno.test("code execution and dynamic import families are denied", () => {
  expectDenied([
    ["runpy", "_run_code", "runpy"],
    ["code", "InteractiveInterpreter.runcode", "code"],
    ["codeop", "compile_command", "codeop"],
    ["importlib", "import_module", "importlib"],
    ["importlib.util", "spec_from_file_location", "importlib"],
    ["importlib.machinery", "SourceFileLoader", "importlib"],
    ["imp", "load_source", "imp"],
    ["zipimport", "zipimporter", "zipimport"],
    ["pkgutil", "resolve_name", "pkgutil"],
    ["pydoc", "locate", "pydoc"],
    ["pydoc", "pipepager", "pydoc"],
    ["marshal", "loads", "marshal"],
    ["types", "CodeType", "types.CodeType"],
    ["types", "FunctionType", "types.FunctionType"],
    ["types", "new_class", "types.new_class"],
    ["ctypes", "CDLL", "ctypes"],
    ["ctypes", "cdll.LoadLibrary", "ctypes"],
    ["_ctypes", "dlopen", "ctypes"],
    ["numpy.ctypeslib", "load_library", "numpy.ctypeslib"],
    ["site", "addsitedir", "site"],
    ["py_compile", "compile", "py_compile"],
    ["inspect", "getattr_static", "inspect"],
    ["gc", "get_objects", "gc"],
    ["gc", "get_referrers", "gc"],
    ["dataclasses", "_create_fn", "dataclasses._create_fn"],
    ["typing", "get_type_hints", "typing.get_type_hints"],
    ["typing", "ForwardRef._evaluate", "typing.ForwardRef"],
    ["sympy", "sympify", "sympy"],
    ["sympy.core.function", "Lambda", "sympy"],
    ["sympy.utilities.lambdify", "lambdify", "sympy"],
    ["numexpr", "evaluate", "numexpr.evaluate"],
    ["pandas", "eval", "pandas.eval"],
    ["Cython.Build.Inline", "cython_inline", "Cython"],
    ["IPython.utils.process", "system", "IPython"],
    ["yaml", "unsafe_load", "yaml.unsafe_load"],
    ["jsonpickle", "decode", "jsonpickle"],
    ["tkinter", "Tcl", "tkinter"],
    ["antigravity", "geohash", "antigravity"],
    ["faulthandler", "_sigsegv", "faulthandler"],
    ["_testcapi", "set_nomemory", "_testcapi"],
    ["mmap", "mmap", "mmap"],
    ["resource", "setrlimit", "resource"],
    ["copyreg", "add_extension", "copyreg.add_extension"],
    ["copy_reg", "add_extension", "copyreg.add_extension"],
    ["copyreg", "dispatch_table", "copyreg.dispatch_table"],
    ["_compat_pickle", "IMPORT_MAPPING", "_compat_pickle"],
    ["six.moves", "builtins", "six.moves"],
    ["future.moves.subprocess", "Popen", "future"],
  ]);
});

Deno.test("operator and functools: attrgetter/methodcaller/call/reduce denied; itemgetter, getitem, partialmethod unknown; partial safe", () => {
  expectDenied([
    ["operator", "attrgetter", "operator.attrgetter"],
    ["operator", "methodcaller", "operator.methodcaller"],
    ["_operator", "attrgetter", "operator.attrgetter"],
    ["operator", "call", "operator.call"],
    ["functools", "reduce", "functools.reduce"],
    ["_functools", "reduce", "functools.reduce"],
  ]);
  expectUnknown([
    ["operator", "itemgetter"],
    ["operator", "getitem"],
    ["functools", "partialmethod"],
  ]);
  expectSafe([
    ["functools", "partial", "functools.partial"],
    ["_functools", "partial", "functools.partial"],
  ]);
});

Deno.test("pickle loaders and function builders are denied", () => {
  expectDenied([
    ["pickle", "loads", "pickle"],
    ["pickle", "Unpickler", "pickle"],
    ["_pickle", "loads", "pickle"],
    ["cPickle", "loads", "pickle"],
    ["dill", "loads", "dill"],
    ["dill._dill", "_create_function", "dill"],
    ["dill._dill", "_create_code", "dill"],
    ["dill._dill", "_load_type", "dill"],
    ["cloudpickle.cloudpickle", "_make_function", "cloudpickle"],
    ["cloudpickle.cloudpickle", "_builtin_type", "cloudpickle"],
    ["cloudpickle.cloudpickle", "subimport", "cloudpickle"],
    ["srsly.cloudpickle.cloudpickle", "_make_function", "srsly.cloudpickle"],
    ["vendored.cloudpickle.cloudpickle", "_make_function", "cloudpickle"],
    ["joblib", "load", "joblib"],
    ["joblib.numpy_pickle", "load", "joblib"],
    ["joblib.numpy_pickle_compat", "NDArrayWrapper", "joblib"],
    ["joblib.externals.cloudpickle.cloudpickle", "_make_function", "joblib"],
    ["sklearn.externals.joblib", "load", "sklearn.externals.joblib"],
    ["shelve", "open", "shelve"],
    ["numpy", "load", "numpy.load"],
    ["numpy", "loads", "numpy.loads"],
    ["numpy.lib.format", "read_array", "numpy.lib.format"],
    ["numpy.core._ufunc_reconstruct", "x", "numpy.core._ufunc_reconstruct"],
    ["numpy.core", "_ufunc_reconstruct", "numpy.core._ufunc_reconstruct"],
    ["pandas", "read_pickle", "pandas.read_pickle"],
    ["pandas.io.pickle", "read_pickle", "pandas.io"],
    ["pandas.compat.pickle_compat", "loads", "pandas.compat.pickle_compat"],
    ["keras.src.saving.pickle_utils", "deserialize_model_from_bytecode", "keras.src.saving.pickle_utils"],
  ]);
});

Deno.test("dangerous PyTorch and NumPy internals are denied", () => {
  expectDenied([
    ["torch", "load", "torch.load"],
    ["torch", "save", "torch.save"],
    ["torch.serialization", "load", "torch.serialization"],
    ["torch.serialization", "_load", "torch.serialization"],
    ["torch", "serialization.load", "torch.serialization"],
    ["torch.hub", "load", "torch.hub"],
    ["torch.utils.model_zoo", "load_url", "torch.utils.model_zoo"],
    ["torch.jit", "load", "torch.jit"],
    ["torch.jit.unsupported_tensor_ops", "execWrapper", "torch.jit"],
    ["torch._inductor.codecache", "compile_file", "torch._inductor"],
    ["torch._dynamo.guards", "GuardBuilder.get", "torch._dynamo"],
    ["torch.utils.collect_env", "run", "torch.utils.collect_env"],
    ["torch.utils.bottleneck.__main__", "run_cprofile", "torch.utils.bottleneck"],
    ["torch.utils._config_module", "ConfigModule.load_config", "torch.utils._config_module"],
    ["torch.utils.data.datapipes.utils.decoder", "basichandlers", "torch.utils.data.datapipes"],
    ["torch.fx.experimental.symbolic_shapes", "ShapeEnv.evaluate_guards_expression", "torch.fx"],
    ["torch.fx.graph_module", "reduce_graph_module", "torch.fx"],
    ["torch.fx", "GraphModule", "torch.fx"],
    ["torch.package.package_importer", "PackageImporter", "torch.package"],
    ["torch.multiprocessing.reductions", "rebuild_storage_fd", "torch.multiprocessing"],
    ["torch.utils.cpp_extension", "load_inline", "torch.utils.cpp_extension"],
    ["torch", "ops.load_library", "torch.ops.load_library"],
    ["torch._utils", "_import_dotted_name", "torch._utils._import_dotted_name"],
    ["torch.distributed.rpc", "rpc_sync", "torch.distributed.rpc"],
    ["numpy.f2py.crackfortran", "getlincoef", "numpy.f2py"],
    ["numpy.testing._private.utils", "runstring", "numpy.testing"],
    ["numpy", "memmap", "numpy.memmap"],
    ["numpy", "ndarray.tofile", "numpy.ndarray.tofile"],
    ["numpy.distutils.exec_command", "exec_command", "numpy.distutils"],
  ]);
});

Deno.test("network, file system, logging, debugging, packaging and scanner imports are denied", () => {
  expectDenied([
    ["socket", "socket", "socket"],
    ["socket", "create_connection", "socket"],
    ["_socket", "socket", "socket"],
    ["ssl", "get_server_certificate", "ssl"],
    ["http.client", "HTTPSConnection", "http"],
    ["httplib", "HTTPSConnection", "http"],
    ["urllib.request", "urlopen", "urllib"],
    ["urllib2", "urlopen", "urllib"],
    ["requests.api", "get", "requests"],
    ["requests", "get", "requests"],
    ["aiohttp.client", "ClientSession", "aiohttp"],
    ["webbrowser", "open", "webbrowser"],
    ["smtplib", "SMTP", "smtplib"],
    ["ftplib", "FTP", "ftplib"],
    ["imaplib", "IMAP4", "imaplib"],
    ["poplib", "POP3", "poplib"],
    ["telnetlib", "Telnet", "telnetlib"],
    ["xmlrpclib", "ServerProxy", "xmlrpc"],
    ["SocketServer", "TCPServer", "socketserver"],
    ["shutil", "rmtree", "shutil"],
    ["tempfile", "mkstemp", "tempfile"],
    ["glob", "glob", "glob"],
    ["linecache", "getline", "linecache"],
    ["tarfile", "open", "tarfile"],
    ["zipfile", "ZipFile", "zipfile"],
    ["sqlite3", "connect", "sqlite3"],
    ["pathlib", "Path.write_text", "pathlib"],
    ["pathlib", "PosixPath.unlink", "pathlib"],
    ["io", "open", "io.open"],
    ["io", "FileIO", "io.FileIO"],
    ["_io", "FileIO", "io.FileIO"],
    ["_io", "open", "io.open"],
    ["_pyio", "FileIO", "io.FileIO"],
    ["codecs", "open", "codecs.open"],
    ["gzip", "GzipFile", "gzip.GzipFile"],
    ["logging", "FileHandler", "logging.FileHandler"],
    ["logging.handlers", "RotatingFileHandler", "logging.handlers"],
    ["logging.handlers", "SocketHandler", "logging.handlers"],
    ["logging", "handlers.HTTPHandler", "logging.handlers"],
    ["logging.config", "listen", "logging.config"],
    ["pdb", "Pdb", "pdb"],
    ["bdb", "Bdb.run", "bdb"],
    ["trace", "Trace.runctx", "trace"],
    ["timeit", "timeit", "timeit"],
    ["cProfile", "runctx", "cProfile"],
    ["profile", "Profile.run", "profile"],
    ["doctest", "debug_script", "doctest"],
    ["unittest", "main", "unittest"],
    ["test.support.script_helper", "assert_python_ok", "test.support"],
    ["pip", "main", "pip"],
    ["pip._internal.cli.main", "main", "pip"],
    ["ensurepip", "_run_pip", "ensurepip"],
    ["venv", "create", "venv"],
    ["distutils.file_util", "write_file", "distutils"],
    ["idlelib.pyshell", "ModifiedInterpreter.runcode", "idlelib"],
    ["lib2to3.pgen2.grammar", "Grammar.loads", "lib2to3"],
    ["picklescan.scanner", "_unsafe_globals", "picklescan"],
    ["modelscan.modelscan", "ModelScan", "modelscan"],
    ["fickling.analysis", "check_safety", "fickling"],
    ["modelaudit.scanners", "SCANNER_REGISTRY", "modelaudit"],
    [
      "transformers.dynamic_module_utils",
      "get_class_from_dynamic_module",
      "transformers.dynamic_module_utils",
    ],
    ["huggingface_hub", "hf_hub_download", "huggingface_hub"],
    ["sklearn.datasets", "fetch_openml", "sklearn.datasets"],
    ["sklearn.utils._testing", "assert_run_python_script_without_output", "sklearn.utils._testing"],
    ["sklearn.utils.discovery", "import_module", "sklearn.utils.discovery"],
    ["winreg", "SetValue", "winreg"],
  ]);
});

Deno.test("every prefix of the module and of the dotted name is checked", () => {
  expectDenied([
    // Attribute traversal through a module that imported a denied one.
    ["pathlib", "os.system", "os"],
    ["posixpath", "os.system", "os"],
    ["__main__", "os.system", "os"],
    ["collections", "abc.sys.modules", "sys"],
    ["numpy", "nt.system", "os"],
    ["torch.nn.modules.module", "torch.load", "torch.load"],
    ["sklearn.base", "pickle.loads", "pickle"],
    ["mypkg", "builtins.eval", "builtins.eval"],
    // Dotted names below a denied callable.
    ["builtins", "eval.__call__", "builtins.eval"],
    ["__builtin__", "exec.__call__", "builtins.exec"],
    ["os", "system.__call__", "os"],
    // Submodules of denied modules.
    ["asyncio.unix_events", "_UnixSelectorEventLoop", "asyncio"],
    ["os.path", "expanduser", "os"],
    ["importlib._bootstrap", "_call_with_frames_removed", "importlib"],
    // A module split differently from its attributes reaches the same object.
    ["torch", "hub.load", "torch.hub"],
    ["numpy", "core._ufunc_reconstruct", "numpy.core._ufunc_reconstruct"],
    // Vendored re-exports anywhere in a module path.
    ["sklearn.externals.six.moves.builtins", "eval", "six.moves"],
    ["mypkg.vendor.six.moves", "builtins.eval", "builtins.eval"],
  ]);
});

Deno.test("attribute chains into interpreter internals are denied", () => {
  expectDenied([
    ["collections", "OrderedDict.__init__.__globals__", "__init__"],
    ["builtins", "object.__subclasses__", "__subclasses__"],
    ["numpy", "ndarray.__class__", "__class__"],
    ["mypkg", "f.__globals__", "__globals__"],
    ["mypkg", "f.__code__", "__code__"],
    ["mypkg", "__builtins__", "__builtins__"],
    ["numpy", "__builtins__.eval", "builtins.eval"],
    ["mypkg", "__dict__", "__dict__"],
    ["mypkg", "Model.__getattribute__", "__getattribute__"],
    ["mypkg", "Model.__reduce__", "__reduce__"],
    ["mypkg", "Model.__reduce_ex__", "__reduce_ex__"],
    ["mypkg", "__loader__", "__loader__"],
    ["mypkg", "Model.__setstate__", "__setstate__"],
    ["mypkg.__main__", "main", "__main__"],
    ["sklearn.base", "BaseEstimator.__class__.__subclasses__", "__class__"],
    ["mypkg", "gen.gi_frame.f_globals", "gi_frame"],
    ["mypkg", "tb.tb_frame", "tb_frame"],
    ["mypkg", "f.func_globals", "func_globals"],
    ["transformers", "AutoModel.from_pretrained", "from_pretrained"],
    ["transformers.models.bert.configuration_bert", "BertConfig.from_pretrained", "from_pretrained"],
    ["lightning", "LightningModule.load_from_checkpoint", "load_from_checkpoint"],
  ]);
  for (const [module, name] of [["mypkg", "f.__globals__"], ["builtins", "object.__subclasses__"]]) {
    assert.match(classifyImport(module, name).reason ?? "", /globals|every loaded class/);
  }
});

Deno.test("every denylist entry is denied with itself as the entry (no entry shadows another)", () => {
  const paths = _denylistPaths();
  assert.ok(paths.length > 250, `${paths.length} entries`);
  for (const written of paths) {
    const membersOnly = written.endsWith(".*");
    const path = membersOnly ? written.slice(0, -2) : written;
    const segs = path.split(".");
    const [module, name] = segs.length === 1 || membersOnly
      ? [path, "attribute"]
      : [segs.slice(0, -1).join("."), segs[segs.length - 1]];
    const verdict = classifyImport(module, name);
    assert.equal(verdict.tier, "denied", `${module} + ${name}`);
    assert.equal(verdict.entry, path, `${module} + ${name}`);
  }
});

Deno.test("members-only entries leave the class itself alone", () => {
  assert.equal(classifyImport("typing", "ForwardRef").tier, "unknown");
  assert.equal(classifyImport("typing", "ForwardRef._evaluate").tier, "denied");
});

Deno.test("the known-safe ML globals are safe", () => {
  expectSafe([
    ["builtins", "set", "builtins.set"],
    ["builtins", "frozenset", "builtins.frozenset"],
    ["builtins", "complex", "builtins.complex"],
    ["builtins", "slice", "builtins.slice"],
    ["builtins", "range", "builtins.range"],
    ["builtins", "bytearray", "builtins.bytearray"],
    ["builtins", "bytes", "builtins.bytes"],
    ["builtins", "object", "builtins.object"],
    ["builtins", "int", "builtins.int"],
    ["builtins", "float", "builtins.float"],
    ["builtins", "str", "builtins.str"],
    ["builtins", "list", "builtins.list"],
    ["builtins", "dict", "builtins.dict"],
    ["builtins", "tuple", "builtins.tuple"],
    ["builtins", "bool", "builtins.bool"],
    ["builtins", "Ellipsis", "builtins.Ellipsis"],
    // Protocol 0-2 pickles written by Python 3 use the Python 2 names.
    ["__builtin__", "set", "builtins.set"],
    ["__builtin__", "object", "builtins.object"],
    ["__builtin__", "xrange", "builtins.range"],
    ["__builtin__", "unicode", "builtins.str"],
    ["__builtin__", "long", "builtins.int"],
    ["copy_reg", "_reconstructor", "copyreg._reconstructor"],
    ["copyreg", "_reconstructor", "copyreg._reconstructor"],
    ["copyreg", "__newobj__", "copyreg.__newobj__"],
    ["copyreg", "__newobj_ex__", "copyreg.__newobj_ex__"],
    ["_codecs", "encode", "_codecs.encode"],
    ["collections", "OrderedDict", "collections.OrderedDict"],
    ["_collections", "OrderedDict", "collections.OrderedDict"],
    ["collections", "defaultdict", "collections.defaultdict"],
    ["collections", "deque", "collections.deque"],
    ["collections", "Counter", "collections.Counter"],
    ["argparse", "Namespace", "argparse.Namespace"],
    ["types", "SimpleNamespace", "types.SimpleNamespace"],
    ["datetime", "datetime", "datetime.datetime"],
    ["datetime", "date", "datetime.date"],
    ["datetime", "timedelta", "datetime.timedelta"],
    ["datetime", "timezone", "datetime.timezone"],
    ["decimal", "Decimal", "decimal.Decimal"],
    ["uuid", "UUID", "uuid.UUID"],
    ["pathlib", "PosixPath", "pathlib.PosixPath"],
    ["pathlib", "WindowsPath", "pathlib.WindowsPath"],
  ]);
});

Deno.test("PyTorch storages, tensors, dtypes, rebuild helpers and layers are safe", () => {
  expectSafe([
    ["torch", "FloatStorage", "torch.FloatStorage"],
    ["torch", "BFloat16Storage", "torch.BFloat16Storage"],
    ["torch", "QInt8Storage", "torch.QInt8Storage"],
    ["torch", "UntypedStorage", "torch.UntypedStorage"],
    ["torch.cuda", "HalfStorage", "torch.cuda.HalfStorage"],
    ["torch.storage", "_TypedStorage", "torch.storage._TypedStorage"],
    ["torch.storage", "UntypedStorage", "torch.storage.UntypedStorage"],
    ["torch.storage", "_load_from_bytes", "torch.storage._load_from_bytes"],
    ["torch._utils", "_rebuild_tensor", "torch._utils._rebuild_tensor"],
    ["torch._utils", "_rebuild_tensor_v2", "torch._utils._rebuild_tensor_v2"],
    ["torch._utils", "_rebuild_tensor_v3", "torch._utils._rebuild_tensor_v3"],
    ["torch._utils", "_rebuild_parameter", "torch._utils._rebuild_parameter"],
    ["torch._utils", "_rebuild_parameter_with_state", "torch._utils._rebuild_parameter_with_state"],
    ["torch._utils", "_rebuild_qtensor", "torch._utils._rebuild_qtensor"],
    ["torch._utils", "_rebuild_sparse_tensor", "torch._utils._rebuild_sparse_tensor"],
    ["torch._utils", "_rebuild_device_tensor_from_numpy", "torch._utils._rebuild_device_tensor_from_numpy"],
    ["torch._tensor", "_rebuild_from_type_v2", "torch._tensor._rebuild_from_type_v2"],
    ["torch.serialization", "_get_layout", "torch.serialization._get_layout"],
    ["torch", "Size", "torch.Size"],
    ["torch", "device", "torch.device"],
    ["torch", "Tensor", "torch.Tensor"],
    ["torch", "FloatTensor", "torch.FloatTensor"],
    ["torch", "float32", "torch.float32"],
    ["torch", "bfloat16", "torch.bfloat16"],
    ["torch", "float8_e4m3fn", "torch.float8_e4m3fn"],
    ["torch", "uint4", "torch.uint4"],
    ["torch", "sparse_coo", "torch.sparse_coo"],
    ["torch", "channels_last", "torch.channels_last"],
    ["torch", "per_channel_affine", "torch.per_channel_affine"],
    ["torch.nn.parameter", "Parameter", "torch.nn.parameter.Parameter"],
    ["torch.nn.modules.linear", "Linear", "torch.nn.modules.*"],
    ["torch.nn.modules.container", "Sequential", "torch.nn.modules.*"],
    ["torch.nn.modules.activation", "ReLU", "torch.nn.modules.*"],
    ["torch.nn.modules.module", "Module", "torch.nn.modules.*"],
    ["torch.nn.functional", "gelu", "torch.nn.functional.gelu"],
    ["torch._C._nn", "gelu", "torch._C._nn.gelu"],
    ["torch", "relu", "torch.relu"],
  ]);
});

Deno.test("NumPy, scikit-learn, joblib and transformers config globals are safe", () => {
  expectSafe([
    ["numpy.core.multiarray", "_reconstruct", "numpy.core.multiarray._reconstruct"],
    ["numpy._core.multiarray", "_reconstruct", "numpy._core.multiarray._reconstruct"],
    ["numpy.core.multiarray", "scalar", "numpy.core.multiarray.scalar"],
    ["numpy._core.multiarray", "scalar", "numpy._core.multiarray.scalar"],
    ["numpy._core.numeric", "_frombuffer", "numpy._core.numeric._frombuffer"],
    ["numpy", "ndarray", "numpy.ndarray"],
    ["numpy", "dtype", "numpy.dtype"],
    ["numpy", "float64", "numpy.float64"],
    ["numpy", "int64", "numpy.int64"],
    ["numpy", "bool_", "numpy.bool_"],
    ["numpy.dtypes", "Float64DType", "numpy.dtypes.*DType"],
    ["numpy.random._pickle", "__randomstate_ctor", "numpy.random._pickle.__randomstate_ctor"],
    ["numpy.random._pickle", "__bit_generator_ctor", "numpy.random._pickle.__bit_generator_ctor"],
    ["numpy.random._mt19937", "MT19937", "numpy.random._mt19937.MT19937"],
    ["numpy.ma.core", "_mareconstruct", "numpy.ma.core._mareconstruct"],
    ["sklearn.linear_model._logistic", "LogisticRegression", "sklearn.*"],
    ["sklearn.ensemble._forest", "RandomForestClassifier", "sklearn.*"],
    ["sklearn.tree._tree", "Tree", "sklearn.*"],
    ["sklearn.pipeline", "Pipeline", "sklearn.*"],
    ["sklearn.preprocessing._data", "StandardScaler", "sklearn.*"],
    ["sklearn.metrics._scorer", "_passthrough_scorer", "sklearn.*"],
    ["sklearn._loss._loss", "__pyx_unpickle_CyHalfSquaredError", "sklearn.*"],
    ["sklearn.neighbors._kd_tree", "newObj", "sklearn.*"],
    ["joblib.numpy_pickle", "NumpyArrayWrapper", "joblib.numpy_pickle.NumpyArrayWrapper"],
    [
      "sklearn.externals.joblib.numpy_pickle",
      "NumpyArrayWrapper",
      "sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper",
    ],
    ["transformers.models.bert.configuration_bert", "BertConfig", "transformers.*.configuration_*"],
    ["transformers.configuration_utils", "PretrainedConfig", "transformers.*.configuration_*"],
    ["transformers.generation.configuration_utils", "GenerationConfig", "transformers.*.configuration_*"],
    ["transformers.utils.quantization_config", "BitsAndBytesConfig", "transformers.*.configuration_*"],
  ]);
});

Deno.test("NumPy ufuncs and polynomials, SciPy sparse matrices and splines, and stdlib arrays and regexes are safe", () => {
  expectSafe([
    [
      "numpy.random.bit_generator",
      "__pyx_unpickle_SeedSequence",
      "numpy.random.bit_generator.__pyx_unpickle_SeedSequence",
    ],
    ["numpy.core._multiarray_umath", "log1p", "numpy.core._multiarray_umath.log1p"],
    ["numpy.core._multiarray_umath", "expm1", "numpy.core._multiarray_umath.expm1"],
    ["numpy.core._multiarray_umath", "absolute", "numpy.core._multiarray_umath.absolute"],
    ["numpy._core._multiarray_umath", "sqrt", "numpy._core._multiarray_umath.sqrt"],
    ["numpy.core.umath", "divide", "numpy.core.umath.divide"],
    ["numpy._core.umath", "arctanh", "numpy._core.umath.arctanh"],
    ["numpy", "log", "numpy.log"],
    ["numpy", "isfinite", "numpy.isfinite"],
    ["numpy", "poly1d", "numpy.poly1d"],
    ["numpy.polynomial.polynomial", "Polynomial", "numpy.polynomial.polynomial.Polynomial"],
    ["numpy.polynomial.chebyshev", "Chebyshev", "numpy.polynomial.chebyshev.Chebyshev"],
    ["numpy.polynomial.legendre", "Legendre", "numpy.polynomial.legendre.Legendre"],
    ["numpy.polynomial.hermite", "Hermite", "numpy.polynomial.hermite.Hermite"],
    ["numpy.polynomial.hermite_e", "HermiteE", "numpy.polynomial.hermite_e.HermiteE"],
    ["numpy.polynomial.laguerre", "Laguerre", "numpy.polynomial.laguerre.Laguerre"],
    ["scipy.sparse._csr", "csr_matrix", "scipy.sparse._csr.csr_matrix"],
    ["scipy.sparse._csc", "csc_array", "scipy.sparse._csc.csc_array"],
    ["scipy.sparse.coo", "coo_matrix", "scipy.sparse.coo.coo_matrix"],
    ["scipy.sparse._bsr", "bsr_matrix", "scipy.sparse._bsr.bsr_matrix"],
    ["scipy.sparse._dia", "dia_matrix", "scipy.sparse._dia.dia_matrix"],
    ["scipy.sparse._dok", "dok_matrix", "scipy.sparse._dok.dok_matrix"],
    ["scipy.sparse._lil", "lil_matrix", "scipy.sparse._lil.lil_matrix"],
    ["scipy.sparse._arrays", "csr_array", "scipy.sparse._arrays.csr_array"],
    ["scipy.interpolate._bsplines", "BSpline", "scipy.interpolate._bsplines.BSpline"],
    ["array", "array", "array.array"],
    ["array", "_array_reconstructor", "array._array_reconstructor"],
    ["re", "_compile", "re._compile"],
  ]);
});

Deno.test("pandas containers, their reconstructors, pytz zones and relativedelta are safe", () => {
  expectSafe([
    ["pandas.core.frame", "DataFrame", "pandas.core.frame.DataFrame"],
    ["pandas.core.series", "Series", "pandas.core.series.Series"],
    ["pandas.core.internals.managers", "BlockManager", "pandas.core.internals.managers.BlockManager"],
    [
      "pandas.core.internals.managers",
      "SingleBlockManager",
      "pandas.core.internals.managers.SingleBlockManager",
    ],
    ["pandas._libs.internals", "_unpickle_block", "pandas._libs.internals._unpickle_block"],
    [
      "pandas._libs.arrays",
      "__pyx_unpickle_NDArrayBacked",
      "pandas._libs.arrays.__pyx_unpickle_NDArrayBacked",
    ],
    ["pandas.core.indexes.base", "Index", "pandas.core.indexes.base.Index"],
    ["pandas.core.indexes.base", "_new_Index", "pandas.core.indexes.base._new_Index"],
    ["pandas.core.indexes.range", "RangeIndex", "pandas.core.indexes.range.RangeIndex"],
    ["pandas.core.indexes.multi", "MultiIndex", "pandas.core.indexes.multi.MultiIndex"],
    ["pandas.core.indexes.category", "CategoricalIndex", "pandas.core.indexes.category.CategoricalIndex"],
    ["pandas.core.indexes.datetimes", "DatetimeIndex", "pandas.core.indexes.datetimes.DatetimeIndex"],
    [
      "pandas.core.indexes.datetimes",
      "_new_DatetimeIndex",
      "pandas.core.indexes.datetimes._new_DatetimeIndex",
    ],
    ["pandas.core.indexes.timedeltas", "TimedeltaIndex", "pandas.core.indexes.timedeltas.TimedeltaIndex"],
    ["pandas.core.indexes.period", "PeriodIndex", "pandas.core.indexes.period.PeriodIndex"],
    ["pandas.core.indexes.interval", "IntervalIndex", "pandas.core.indexes.interval.IntervalIndex"],
    ["pandas.core.indexes.interval", "_new_IntervalIndex", "pandas.core.indexes.interval._new_IntervalIndex"],
    ["pandas.core.indexes.numeric", "Int64Index", "pandas.core.indexes.numeric.Int64Index"],
    ["pandas.core.indexes.numeric", "UInt64Index", "pandas.core.indexes.numeric.UInt64Index"],
    ["pandas.core.indexes.numeric", "Float64Index", "pandas.core.indexes.numeric.Float64Index"],
    ["pandas.core.arrays.categorical", "Categorical", "pandas.core.arrays.categorical.Categorical"],
    ["pandas.core.arrays.datetimes", "DatetimeArray", "pandas.core.arrays.datetimes.DatetimeArray"],
    ["pandas.core.arrays.timedeltas", "TimedeltaArray", "pandas.core.arrays.timedeltas.TimedeltaArray"],
    ["pandas.core.arrays.period", "PeriodArray", "pandas.core.arrays.period.PeriodArray"],
    ["pandas.core.arrays.interval", "IntervalArray", "pandas.core.arrays.interval.IntervalArray"],
    ["pandas.core.arrays.numpy_", "PandasArray", "pandas.core.arrays.numpy_.PandasArray"],
    ["pandas.core.arrays.numpy_", "NumpyExtensionArray", "pandas.core.arrays.numpy_.NumpyExtensionArray"],
    ["pandas.core.arrays.integer", "IntegerArray", "pandas.core.arrays.integer.IntegerArray"],
    ["pandas.core.arrays.integer", "Int8Dtype", "pandas.core.arrays.integer.Int8Dtype"],
    ["pandas.core.arrays.integer", "UInt64Dtype", "pandas.core.arrays.integer.UInt64Dtype"],
    ["pandas.core.arrays.floating", "FloatingArray", "pandas.core.arrays.floating.FloatingArray"],
    ["pandas.core.arrays.floating", "Float32Dtype", "pandas.core.arrays.floating.Float32Dtype"],
    ["pandas.core.arrays.floating", "Float64Dtype", "pandas.core.arrays.floating.Float64Dtype"],
    ["pandas.core.arrays.boolean", "BooleanArray", "pandas.core.arrays.boolean.BooleanArray"],
    ["pandas.core.arrays.boolean", "BooleanDtype", "pandas.core.arrays.boolean.BooleanDtype"],
    ["pandas.core.arrays.string_", "StringArray", "pandas.core.arrays.string_.StringArray"],
    ["pandas.core.arrays.string_", "StringDtype", "pandas.core.arrays.string_.StringDtype"],
    ["pandas.core.arrays.sparse.array", "SparseArray", "pandas.core.arrays.sparse.array.SparseArray"],
    ["pandas.core.arrays.sparse.dtype", "SparseDtype", "pandas.core.arrays.sparse.dtype.SparseDtype"],
    ["pandas.core.dtypes.dtypes", "CategoricalDtype", "pandas.core.dtypes.dtypes.CategoricalDtype"],
    ["pandas.core.dtypes.dtypes", "DatetimeTZDtype", "pandas.core.dtypes.dtypes.DatetimeTZDtype"],
    ["pandas.core.dtypes.dtypes", "PeriodDtype", "pandas.core.dtypes.dtypes.PeriodDtype"],
    ["pandas.core.dtypes.dtypes", "IntervalDtype", "pandas.core.dtypes.dtypes.IntervalDtype"],
    ["pandas.core.dtypes.dtypes", "PandasDtype", "pandas.core.dtypes.dtypes.PandasDtype"],
    ["pandas.core.dtypes.dtypes", "NumpyEADtype", "pandas.core.dtypes.dtypes.NumpyEADtype"],
    ["pandas.core.dtypes.dtypes", "SparseDtype", "pandas.core.dtypes.dtypes.SparseDtype"],
    ["pandas._libs.missing", "NA", "pandas._libs.missing.NA"],
    ["pandas._libs.sparse", "IntIndex", "pandas._libs.sparse.IntIndex"],
    ["pandas._libs.sparse", "BlockIndex", "pandas._libs.sparse.BlockIndex"],
    ["pandas._libs.interval", "Interval", "pandas._libs.interval.Interval"],
    [
      "pandas._libs.interval",
      "__pyx_unpickle_IntervalMixin",
      "pandas._libs.interval.__pyx_unpickle_IntervalMixin",
    ],
    [
      "pandas._libs.tslibs.timestamps",
      "_unpickle_timestamp",
      "pandas._libs.tslibs.timestamps._unpickle_timestamp",
    ],
    [
      "pandas._libs.tslibs.timedeltas",
      "_timedelta_unpickle",
      "pandas._libs.tslibs.timedeltas._timedelta_unpickle",
    ],
    ["pandas._libs.tslibs.nattype", "__nat_unpickle", "pandas._libs.tslibs.nattype.__nat_unpickle"],
    ["pandas._libs.tslibs.period", "Period", "pandas._libs.tslibs.period.Period"],
    ["pandas._libs.tslibs.offsets", "Day", "pandas._libs.tslibs.offsets.Day"],
    ["pandas._libs.tslibs.offsets", "DateOffset", "pandas._libs.tslibs.offsets.DateOffset"],
    ["pandas._libs.tslibs.offsets", "CustomBusinessDay", "pandas._libs.tslibs.offsets.CustomBusinessDay"],
    ["pandas._libs.tslibs.offsets", "FY5253Quarter", "pandas._libs.tslibs.offsets.FY5253Quarter"],
    ["pytz", "_p", "pytz._p"],
    ["pytz", "_UTC", "pytz._UTC"],
    ["dateutil.relativedelta", "relativedelta", "dateutil.relativedelta.relativedelta"],
  ]);
});

Deno.test("the denylist still wins under and through the pandas, SciPy, NumPy and stdlib safe names", () => {
  expectDenied([
    // Denied subtrees beside the safe pandas modules.
    ["pandas.io.pickle", "read_pickle", "pandas.io"],
    ["pandas.core.computation.eval", "eval", "pandas.core.computation"],
    ["pandas.compat.pickle_compat", "load", "pandas.compat.pickle_compat"],
    // Attribute chains from a safe module or class into a denied module or into internals.
    ["pandas.core.series", "pandas.read_pickle", "pandas.read_pickle"],
    ["pytz", "os.path.join", "os"],
    ["numpy.core._multiarray_umath", "sys.modules", "sys"],
    ["pandas.core.indexes.base", "_new_Index.__globals__", "__globals__"],
    ["pandas.core.frame", "DataFrame.__reduce__", "__reduce__"],
    ["scipy.sparse._csr", "csr_matrix.__init__.__globals__", "__init__"],
    ["numpy", "log.__class__", "__class__"],
    ["re", "_compile.__globals__", "__globals__"],
    ["array", "array.__reduce_ex__", "__reduce_ex__"],
    ["dateutil.relativedelta", "relativedelta.__init__", "__init__"],
  ]);
  // Methods of safe classes and the unsafe neighbours of safe names stay unknown.
  expectUnknown([
    ["pandas.core.frame", "DataFrame.query"],
    ["pandas.core.frame", "DataFrame.to_pickle"],
    ["pandas.core.generic", "NDFrame"],
    ["scipy.sparse._csr", "csr_matrix.tofile"],
    // rv_generic.__setstate__ execs the pickled `_parse_arg_template` string.
    ["scipy.stats._continuous_distns", "norm_gen"],
    ["scipy.stats._distn_infrastructure", "rv_continuous_frozen"],
    // tzfile opens any path it is given.
    ["dateutil.tz.tz", "tzfile"],
    ["zoneinfo", "ZoneInfo"],
    ["numpy", "clip"],
    ["numpy", "vectorize"],
    ["numpy", "finfo"],
    ["operator", "or_"],
    ["torch._utils", "torch.contiguous_format"],
  ]);
});

Deno.test("every exact safe name classifies as safe (denied never shadows a safe entry by accident)", () => {
  const names = _safeExactNames();
  assert.ok(names.length > 250, `${names.length} names`);
  for (const path of names) {
    const dot = path.lastIndexOf(".");
    const verdict = classifyImport(path.slice(0, dot), path.slice(dot + 1));
    assert.deepEqual(verdict, { tier: "safe", entry: path }, path);
  }
});

Deno.test("benign look-alikes are not denied and not safe", () => {
  const verdicts = expectUnknown([
    // A function named like a denied module, reached directly.
    ["numpy", "trace"],
    ["torch", "trace"],
    ["numpy", "select"],
    ["torch.autograd.profiler", "profile"],
    ["torch.profiler", "profile"],
    // Module segments named like denied modules deep inside other packages.
    ["mycorp.code.models", "Net"],
    ["mycorp.profile.layers", "Block"],
    ["mycorp.trace.utils", "Tracer"],
    ["transformers.models.code_llama.tokenization_code_llama", "CodeLlamaTokenizer"],
    ["torch.utils.data.dataloader", "DataLoader"],
    // Safe modules, but not a safe shape.
    ["torch.nn.modules.module", "Module.load_state_dict"],
    ["torch.nn.modules.module", "_global_forward_hooks"],
    ["torch.nn.modules.module", "torch"],
    ["torch", "nn.modules.linear.Linear"],
    ["collections", "OrderedDict.fromkeys"],
    ["builtins", "str.format"],
    ["builtins", "type"],
    ["transformers.models.bert.modeling_bert", "BertModel"],
    ["transformers.configuration_utils", "cached_file"],
    ["sklearn.utils.fixes", "load"],
    ["sklearn.utils", "platform"],
    // A denied callable re-exported under its own name by a family module.
    ["sklearn.utils.extmath", "reduce"],
    ["transformers.configuration_utils", "FileHandler"],
    ["torch.nn.modules.module", "FunctionType"],
    ["torch.nn.functional", "torch"],
    ["torch.nn.functional", "handle_torch_function"],
    ["sklearn.utils.tests.test_validation", "Dummy"],
    ["codecs", "encode"],
    ["typing", "ForwardRef"],
    ["__main__", "MyModel"],
    ["__mp_main__", "MyModel"],
    ["mypkg.models", "Net"],
  ]);
  assert.match(verdicts[0].reason ?? "", /"trace"/);
  assert.equal(verdicts[5].reason, undefined);
});

Deno.test("strings that cannot be a Python import path are never safe", () => {
  const verdicts = expectUnknown([
    ["collections", "OrderedDict\n"],
    ["collections", "Ordered Dict"],
    ["collections ", "OrderedDict"],
    ["collections", ""],
    ["", "OrderedDict"],
    ["collections.", "OrderedDict"],
    ["collections", "OrderedDict..x"],
    ["torch._utils", "_rebuild_tensor_v2\r"],
    ["numpy", "dtype\u0000"],
    ["numpy", "1dtype"],
    ["ｏｓ", "getcwd"],
  ]);
  for (const verdict of verdicts.slice(0, -1)) {
    assert.match(verdict.reason ?? "", /not a dotted Python identifier/);
  }
  // Non-ASCII identifiers are valid Python, just not known.
  assert.deepEqual(classifyImport("__main__", "Modèle"), { tier: "unknown" });
  // A denied module still wins over a malformed name, and exceptions to it need the exact name.
  expectDenied([["os", "system\n", "os"], ["subprocess", "Popen extra", "subprocess"], [
    "pathlib",
    "PosixPath ",
    "pathlib",
  ]]);
});

Deno.test("isNestedLoader recognises loaders under aliases and through attributes", () => {
  const loaders: [string, string][] = [
    ["pickle", "loads"],
    ["_pickle", "loads"],
    ["cPickle", "loads"],
    ["pickle", "_loads"],
    ["dill", "loads"],
    ["dill._dill", "loads"],
    ["cloudpickle", "loads"],
    ["joblib", "load"],
    ["torch", "load"],
    ["torch.serialization", "load"],
    ["torch.storage", "_load_from_bytes"],
    ["numpy", "loads"],
    ["numpy.core.numeric", "loads"],
    ["pandas.compat.pickle_compat", "loads"],
    ["pathlib", "pickle.loads"],
    ["torch.nn.modules.module", "torch.load"],
    ["torch", "storage._load_from_bytes"],
  ];
  for (const [module, name] of loaders) assert.equal(isNestedLoader(module, name), true, `${module}.${name}`);
  const others: [string, string][] = [
    ["pickle", "dumps"],
    ["pickle", "load"],
    ["collections", "OrderedDict"],
    ["torch._utils", "_rebuild_tensor_v2"],
    ["mypkg", "loads"],
    ["mypkg.pickle", "loads"],
    ["os", "system"],
  ];
  for (const [module, name] of others) assert.equal(isNestedLoader(module, name), false, `${module}.${name}`);
});

Deno.test("classification stays linear on hostile names", () => {
  const long = Array.from({ length: 100_000 }, (_, i) => `a${i % 7}`).join(".");
  let started = performance.now();
  assert.equal(classifyImport("mypkg", long).tier, "unknown");
  assert.equal(classifyImport("mypkg", `${long}.os.system`).tier, "denied");
  assert.equal(classifyImport(long, "x").tier, "unknown");
  assert.ok(performance.now() - started < 2000, "100k-segment names classify quickly");

  started = performance.now();
  for (let i = 0; i < 100_000; i++) classifyImport("torch._utils", "_rebuild_tensor_v2");
  assert.ok(performance.now() - started < 2000, "100k typical imports classify in well under a second each");
});

Deno.test("Python 2 Tk module names and test.test_support reach what _compat_pickle maps them to", () => {
  expectDenied([
    ["tkFileDialog", "Tk", "tkinter"],
    ["FileDialog", "Tk", "tkinter"],
    ["tkSimpleDialog", "Tk", "tkinter"],
    ["SimpleDialog", "Tk", "tkinter"],
    ["tkColorChooser", "Chooser", "tkinter"],
    ["tkCommonDialog", "Dialog", "tkinter"],
    ["Dialog", "Tk", "tkinter"],
    ["Tkdnd", "Tk", "tkinter"],
    ["tkFont", "Tk", "tkinter"],
    ["tkMessageBox", "Tk", "tkinter"],
    ["ScrolledText", "Tk", "tkinter"],
    ["Tkconstants", "Tk", "tkinter"],
    ["Tix", "Tk", "tkinter"],
    ["ttk", "Tk", "tkinter"],
    ["test.test_support", "run_in_subinterp", "test.test_support"],
  ]);
});

Deno.test("dangerous modules and callables kept under another attribute name are denied through it", () => {
  expectDenied([
    // `import os as _os` and friends, reached by a dotted name (protocol 4).
    ["random", "_os.system", "os"],
    ["argparse", "_sys.modules", "sys"],
    ["collections", "_sys.modules", "sys"],
    ["enum", "bltns.eval", "builtins.eval"],
    ["mymod", "_builtins.exec", "builtins.exec"],
    ["tempfile", "_shutil.rmtree", "tempfile"],
    ["mymod", "_shutil.rmtree", "shutil"],
    ["mymod", "_subprocess.Popen", "subprocess"],
    ["mymod", "_threading.Thread", "threading"],
    ["mymod", "_pyprofile.run", "profile"],
    ["mymod", "_bootstrap._load", "importlib"],
    ["mymod", "_bootstrap_external.SourceFileLoader", "importlib"],
    ["mymod", "osp.expanduser", "os"],
    ["mymod", "pp.expanduser", "posixpath"],
    ["mymod", "sp.run", "subprocess"],
    ["mymod", "mp.Process", "multiprocessing"],
    ["mymod", "pkl.loads", "pickle"],
    ["mymod", "tk.Tcl", "tkinter"],
    ["mymod", "TK.Tcl", "tkinter"],
    ["mymod", "np.load", "numpy.load"],
    ["mymod", "pd.read_pickle", "pandas.read_pickle"],
    // The same, directly by a plain name (any protocol).
    ["tokenize", "_builtin_open", "builtins.open"],
    ["tarfile", "bltn_open", "tarfile"],
    ["mymod", "bltn_open", "builtins.open"],
    ["mymod", "open_py_source", "tokenize.open"],
    ["mymod", "_rmtree", "shutil"],
    ["mymod", "_fork_exec", "_posixsubprocess"],
    ["h5py", "sys_modules", "h5py"],
    ["mymod", "sys_modules", "sys"],
    // Re-exports of the best-known dangerous callables under their own name, anywhere.
    ["collections", "system", "os"],
    ["mymod", "popen", "os"],
    ["mymod", "Popen", "subprocess"],
    ["mymod", "check_output", "subprocess"],
    ["mymod", "check_call", "subprocess"],
    ["mymod", "getoutput", "subprocess"],
    ["mymod", "getstatusoutput", "subprocess"],
    ["mymod", "fork_exec", "_posixsubprocess"],
    ["mymod", "posix_spawn", "os"],
    ["mymod", "posix_spawnp", "os"],
    ["mymod", "execvpe", "os"],
    ["mymod", "spawnl", "os"],
    ["mymod", "eval", "builtins.eval"],
    ["mymod", "exec", "builtins.exec"],
    ["mymod", "execfile", "builtins.execfile"],
    ["PIL.Image", "open", "builtins.open"],
    ["jinja2.loaders", "import_module", "jinja2"],
    ["mymod", "import_module", "importlib"],
    ["matplotlib.axes._base", "attrgetter", "operator.attrgetter"],
    ["sklearn.utils.validation", "attrgetter", "operator.attrgetter"],
    ["mymod", "methodcaller", "operator.methodcaller"],
    ["mymod", "rmtree", "shutil"],
    ["torch.nn.modules.module", "Module.eval", "builtins.eval"],
    ["scipy.stats", "PytestTester", "numpy._pytesttester"],
    ["sklearn.ensemble._forest", "Parallel", "joblib"],
    ["torch.ao.quantization.fx.convert", "GraphModule", "torch.fx"],
    ["torch", "UntypedStorage.from_file", "torch.from_file"],
    ["torch.ops", "aten.from_file", "torch.from_file"],
  ]);
  // An alias alone is the module as a value: worth a look, not yet a call.
  const [alone] = expectUnknown([["random", "_os"]]);
  assert.match(alone.reason ?? "", /"os"/);
  // Where a module has its own entry, that entry still decides.
  expectDenied([
    ["io", "open", "io.open"],
    ["platform", "popen", "platform"],
    ["codecs", "open", "codecs.open"],
  ]);
});

Deno.test("gadgets found in review: terminals, importers, URL fetchers, code compilers, file writers", () => {
  expectDenied([
    ["fcntl", "ioctl", "fcntl"],
    ["warnings", "_getcategory", "warnings._getcategory"],
    ["warnings", "_setoption", "warnings._setoption"],
    ["warnings", "_processoptions", "warnings._processoptions"],
    ["_py_warnings", "_getcategory", "_py_warnings._getcategory"],
    ["xml.sax", "make_parser", "xml.sax"],
    ["xml.sax.saxutils", "prepare_input_source", "xml.sax"],
    ["xml.dom.xmlbuilder", "DOMEntityResolver", "xml.dom.xmlbuilder"],
    ["numpy", "info", "numpy.info"],
    ["numpy", "lookfor", "numpy.lookfor"],
    ["numpy.lib.utils", "_makenamedict", "numpy.lib.utils._makenamedict"],
    ["numpy.lib._utils_impl", "info", "numpy.lib._utils_impl.info"],
    ["numpy", "test", "numpy.test"],
    ["numpy.linalg", "test", "numpy.linalg.test"],
    ["numpy._pytesttester", "PytestTester", "numpy._pytesttester"],
    ["scipy", "test", "scipy.test"],
    ["scipy.sparse.linalg._eigen.lobpcg", "test", "scipy.sparse.linalg._eigen.lobpcg.test"],
    ["scipy._lib._testutils", "_test_cython_extension", "scipy._lib._testutils"],
    ["pandas", "test", "pandas.test"],
    ["pandas.util._tester", "test", "pandas.util._tester"],
    ["decorator", "FunctionMaker", "decorator.FunctionMaker"],
    ["scipy._lib.decorator", "FunctionMaker", "scipy._lib.decorator"],
    ["jinja2", "Template", "jinja2"],
    ["jinja2.utils", "import_string", "jinja2"],
    ["mako.template", "Template", "mako"],
    ["getpass", "getpass", "getpass"],
    ["turtle", "Turtle", "turtle"],
    ["turtledemo.clock", "main", "turtledemo"],
    ["keras.src.saving.saving_lib", "load_model", "keras.src.saving.saving_lib"],
    ["keras.saving.saving_lib", "load_model", "keras.saving.saving_lib"],
    ["keras.src.saving.keras_saveable", "KerasSaveable._unpickle_model", "keras.src.saving.keras_saveable"],
    ["keras.saving", "deserialize_keras_object", "keras.saving.deserialize_keras_object"],
    ["keras.saving.serialization_lib", "deserialize_keras_object", "keras.saving.serialization_lib"],
    ["keras.src.saving.serialization_lib", "deserialize_keras_object", "keras.src.saving.serialization_lib"],
    ["keras.src.legacy.saving.legacy_h5_format", "load_model_from_hdf5", "keras.src.legacy.saving"],
    ["keras.utils", "deserialize_keras_object", "keras.utils.deserialize_keras_object"],
    ["keras.utils.generic_utils", "func_load", "keras.utils.generic_utils"],
    ["keras.src.utils.python_utils", "func_load", "keras.src.utils.python_utils"],
    ["keras.models", "model_from_json", "keras.models.model_from_json"],
    ["keras.models", "model_from_config", "keras.models.model_from_config"],
    ["keras.models", "model_from_yaml", "keras.models.model_from_yaml"],
    ["keras.layers", "deserialize", "keras.layers.deserialize"],
    ["keras.src.layers", "deserialize", "keras.src.layers.deserialize"],
    ["keras.layers", "Lambda", "keras.layers.Lambda"],
    ["keras.layers.core.lambda_layer", "Lambda", "keras.layers.core.lambda_layer"],
    ["keras.src.layers.core.lambda_layer", "Lambda", "keras.src.layers.core.lambda_layer"],
    ["tensorflow.keras.models", "model_from_json", "tensorflow.keras.models.model_from_json"],
    ["tensorflow.keras.models", "model_from_config", "tensorflow.keras.models.model_from_config"],
    [
      "tensorflow.keras.utils",
      "deserialize_keras_object",
      "tensorflow.keras.utils.deserialize_keras_object",
    ],
    ["tensorflow.keras.layers", "Lambda", "tensorflow.keras.layers.Lambda"],
    ["tf_keras.models", "model_from_json", "tf_keras.models.model_from_json"],
    ["tf_keras.layers", "Lambda", "tf_keras.layers.Lambda"],
    ["tensorflow.io", "write_file", "tensorflow.io"],
    ["tensorflow.saved_model", "load", "tensorflow.saved_model"],
    ["tensorflow.raw_ops", "WriteFile", "tensorflow.raw_ops"],
    ["tensorflow", "load_op_library", "tensorflow.load_op_library"],
    ["tensorflow", "load_library", "tensorflow.load_library"],
    ["tensorflow.compat.v1.gfile", "GFile", "tensorflow.compat.v1.gfile"],
    ["scipy.datasets", "face", "scipy.datasets"],
    ["keras.utils", "get_file", "keras.utils.get_file"],
    ["keras.utils.data_utils", "get_file", "keras.utils.data_utils"],
    ["keras.src.utils.file_utils", "get_file", "keras.src.utils.file_utils"],
    ["tensorflow.keras.utils", "get_file", "tensorflow.keras.utils.get_file"],
    ["tf_keras.utils", "get_file", "tf_keras.utils.get_file"],
    ["yaml", "Loader", "yaml.Loader"],
    ["yaml", "UnsafeLoader", "yaml.UnsafeLoader"],
    ["yaml", "FullLoader", "yaml.FullLoader"],
    ["yaml", "CLoader", "yaml.CLoader"],
    ["yaml", "CUnsafeLoader", "yaml.CUnsafeLoader"],
    ["yaml", "CFullLoader", "yaml.CFullLoader"],
    ["yaml.loader", "Loader.get_single_data", "yaml.loader"],
    ["yaml.constructor", "UnsafeConstructor", "yaml.constructor"],
    ["yaml.cyaml", "CLoader", "yaml.cyaml"],
    ["scipy.weave", "inline", "scipy.weave"],
    ["scipy", "LowLevelCallable.from_cython", "scipy.LowLevelCallable"],
    ["scipy._lib._ccallback", "LowLevelCallable", "scipy._lib._ccallback"],
    ["mpmath", "identify", "mpmath.identify"],
    ["mpmath.identification", "identify", "mpmath.identification"],
    ["mpmath", "mp.identify", "mpmath.mp.identify"],
    ["mpmath", "fp.identify", "mpmath.fp.identify"],
    ["mpmath", "iv.identify", "mpmath.iv.identify"],
    ["matplotlib", "use", "matplotlib.use"],
    ["matplotlib", "rc_file", "matplotlib.rc_file"],
    ["matplotlib", "rc_context", "matplotlib.rc_context"],
    ["matplotlib.pyplot", "savefig", "matplotlib.pyplot"],
    ["matplotlib.backend_bases", "register_backend", "matplotlib.backend_bases.register_backend"],
    [
      "matplotlib.backend_bases",
      "get_registered_canvas_class",
      "matplotlib.backend_bases.get_registered_canvas_class",
    ],
    ["matplotlib.image", "imsave", "matplotlib.image.imsave"],
    ["matplotlib.animation", "FFMpegWriter", "matplotlib.animation"],
    ["matplotlib.texmanager", "TexManager.make_dvi", "matplotlib.texmanager"],
    ["matplotlib.testing.compare", "convert", "matplotlib.testing"],
    ["matplotlib.backends.backend_pgf", "FigureCanvasPgf", "matplotlib.backends"],
    ["matplotlib", "_get_executable_info", "matplotlib._get_executable_info"],
    ["PIL.EpsImagePlugin", "Ghostscript", "PIL.EpsImagePlugin"],
    ["PIL.ImageShow", "show", "PIL.ImageShow"],
    ["PIL.ImageGrab", "grab", "PIL.ImageGrab"],
    ["sympy", "lambdify", "sympy"],
    ["sympy", "S", "sympy"],
    ["torch.fx.graph", "Graph", "torch.fx"],
  ]);
});

Deno.test("scikit-learn's getattr, import and file-writing helpers are denied; its private helpers are not safe", () => {
  expectDenied([
    ["sklearn.metrics._scorer", "_cached_call", "sklearn.metrics._scorer._cached_call"],
    [
      "sklearn.metrics._plot.base",
      "_check_classifier_response_method",
      "sklearn.metrics._plot.base._check_classifier_response_method",
    ],
    [
      "sklearn.inspection._plot.decision_boundary",
      "_check_boundary_response_method",
      "sklearn.inspection._plot.decision_boundary._check_boundary_response_method",
    ],
    [
      "sklearn.model_selection._validation",
      "_fit_and_predict",
      "sklearn.model_selection._validation._fit_and_predict",
    ],
    [
      "sklearn.model_selection._validation",
      "cross_val_predict",
      "sklearn.model_selection._validation.cross_val_predict",
    ],
    ["sklearn.model_selection", "cross_val_predict", "sklearn.model_selection.cross_val_predict"],
    ["sklearn.utils._response", "_get_response_values", "sklearn.utils._response"],
    ["sklearn.utils.validation", "_check_response_method", "sklearn.utils.validation._check_response_method"],
    ["sklearn.utils.fixes", "_open_text", "sklearn.utils.fixes._open_text"],
    ["sklearn.utils.fixes", "_open_binary", "sklearn.utils.fixes._open_binary"],
    ["sklearn.utils.fixes", "_read_text", "sklearn.utils.fixes._read_text"],
    ["sklearn.utils.fixes", "_path", "sklearn.utils.fixes._path"],
    ["sklearn.utils", "all_estimators", "sklearn.utils.all_estimators"],
    ["sklearn.tree", "export_graphviz", "sklearn.tree.export_graphviz"],
    ["sklearn.tree._export", "export_graphviz", "sklearn.tree._export.export_graphviz"],
    ["sklearn.utils", "check_memory", "sklearn.utils.check_memory"],
    ["sklearn.utils.validation", "check_memory", "sklearn.utils.validation.check_memory"],
  ]);
  // Private helper functions of scikit-learn are no longer safe by family; its private classes still are.
  expectUnknown([["sklearn.utils._mask", "_get_mask"], ["sklearn.feature_extraction.text", "_analyze"]]);
  expectSafe([
    ["sklearn.metrics._scorer", "_PredictScorer", "sklearn.*"],
    ["sklearn.calibration", "_CalibratedClassifier", "sklearn.*"],
    ["sklearn.metrics._scorer", "_passthrough_scorer", "sklearn.*"],
  ]);
});

Deno.test("file writers, command runners and importers found in review are denied", () => {
  expectDenied([
    ["wave", "open", "wave"],
    ["aifc", "open", "aifc"],
    ["sunau", "Au_write", "sunau"],
    ["uu", "encode", "uu"],
    ["binhex", "hexbin", "binhex"],
    ["zipapp", "create_archive", "zipapp"],
    ["scipy.io", "savemat", "scipy.io"],
    ["scipy.io.wavfile", "write", "scipy.io"],
    ["mailbox", "Maildir", "mailbox"],
    ["cgitb", "enable", "cgitb"],
    ["pstats", "Stats", "pstats"],
    ["mailcap", "findmatch", "mailcap"],
    ["torch", "from_file", "torch.from_file"],
    ["numpy", "fromregex", "numpy.fromregex"],
    ["numpy.ma", "dump", "numpy.ma.dump"],
    ["numpy.ma.core", "dump", "numpy.ma.core.dump"],
    ["scipy.sparse", "save_npz", "scipy.sparse.save_npz"],
    ["scipy.sparse._matrix_io", "save_npz", "scipy.sparse._matrix_io"],
    ["scipy._lib._uarray._backend", "unpickle_function", "scipy._lib._uarray._backend.unpickle_function"],
    ["uarray._backend", "unpickle_function", "uarray._backend.unpickle_function"],
    ["_bootsubprocess", "check_output", "_bootsubprocess"],
    ["_pyrepl.pager", "pipe_pager", "_pyrepl"],
    ["optparse", "Values.read_file", "optparse.Values.read_file"],
    ["optparse", "Values.read_module", "optparse.Values.read_module"],
    ["pandas", "set_option", "pandas.set_option"],
    ["pandas", "option_context", "pandas.option_context"],
    ["pandas._config.config", "set_option", "pandas._config.config.set_option"],
    ["pandas._config.config", "option_context", "pandas._config.config.option_context"],
    ["pandas._config.config", "_set_option", "pandas._config.config._set_option"],
    ["pandas.plotting._core", "_get_plot_backend", "pandas.plotting"],
    ["h5py", "File", "h5py"],
    ["pandas", "show_versions", "pandas.show_versions"],
    ["pandas.util._print_versions", "show_versions", "pandas.util._print_versions"],
    ["torch.cuda.memory", "_dump_snapshot", "torch.cuda.memory._dump_snapshot"],
    ["torch.cuda.memory", "_save_segment_usage", "torch.cuda.memory._save_segment_usage"],
    ["torch.cuda.memory", "_save_memory_usage", "torch.cuda.memory._save_memory_usage"],
  ]);
});
