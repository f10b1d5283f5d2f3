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
    ["sympy", "sympify", "sympy.sympify"],
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
    ["torch.fx.experimental.symbolic_shapes", "ShapeEnv.evaluate_guards_expression", "torch.fx.experimental"],
    ["torch.fx.graph_module", "reduce_graph_module", "torch.fx.graph_module"],
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
    ["sklearn.utils.validation", "attrgetter"],
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
    ["ｏｓ", "system"],
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
