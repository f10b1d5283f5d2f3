/**
 * The denylist of Python callables: what a model must never make its loader
 * import or call, by category and reason. Pure data; the matching of dotted
 * names and prefixes lives in `../callables.ts`.
 *
 * @module
 */

/** What a denied callable does that makes it dangerous. */
export type CallableCategory =
  /** Runs shell commands, spawns processes or threads, sends signals. */
  | "process"
  /** Evaluates, compiles or runs code, or builds code objects and functions. */
  | "code"
  /** Imports a module named by a string, running its code. */
  | "import"
  /** Reaches any attribute, namespace or live object by name. */
  | "reflection"
  /** Loads a nested payload (a pickle, a model archive, objects from text) outside any check. */
  | "deserialization"
  /** Reads, writes or deletes files. */
  | "file"
  /** Opens network connections or downloads. */
  | "network"
  /** Loads native code or reads and writes raw memory. */
  | "native"
  /** Starts a debugger or a prompt, or exits the interpreter. */
  | "interactive"
  /** Reaches into a security scanner. */
  | "scanner"
  /** Reaches interpreter internals (dunders, frames, code objects). */
  | "internals";

/**
 * One group of the denylist: its category, why its entries are dangerous, and its paths.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DENIED, type DeniedGroup } from "./denied.ts";
 * const group: DeniedGroup = ["process", "it spawns processes", ["mylauncher"]];
 * const [category, , paths] = group;
 * assert.ok(DENIED.some(([c, , p]) => c === category && !p.includes(paths[0]))); // a real group of that category
 * ```
 */
export type DeniedGroup = readonly [category: CallableCategory, reason: string, paths: readonly string[]];

/**
 * Denied entries, grouped by reason: each group's category, why its entries are
 * dangerous, and the dotted paths it denies. A path denies itself and everything
 * under it (submodules, attributes); a path ending in `.*` denies only what lies
 * under it (the methods of an otherwise harmless class).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DENIED } from "./denied.ts";
 * assert.equal(DENIED.find(([, , paths]) => paths.includes("pexpect"))?.[0], "process");
 * ```
 */
export const DENIED: readonly DeniedGroup[] = [
  // Processes and shells.
  [
    "process",
    "os runs shell commands (system, popen), replaces or spawns processes (exec*, spawn*) and deletes files",
    [
      "os",
    ],
  ],
  ["process", "it spawns processes and runs shell commands", [
    "subprocess",
    "_posixsubprocess",
    "_bootsubprocess",
    "_winapi",
    "popen2",
    "pipes",
    "pexpect",
    "sh",
    "plumbum",
  ]],
  ["process", "pty.spawn runs a program, typically a shell, on a pseudo-terminal", ["pty"]],
  [
    "process",
    "fcntl.ioctl pushes keystrokes into the controlling terminal (TIOCSTI), which its shell then runs",
    [
      "fcntl",
    ],
  ],
  ["process", "platform.popen and the platform probes run shell commands", ["platform"]],
  ["process", "uuid's MAC-address helpers run external commands (ifconfig, ip, arp, netstat)", [
    "uuid._get_command_stdout",
    "uuid._popen",
    "uuid._find_mac",
    "uuid._find_mac_near_keyword",
    "uuid._find_mac_under_heading",
    "uuid._ifconfig_getnode",
    "uuid._ip_getnode",
    "uuid._arp_getnode",
    "uuid._lanscan_getnode",
    "uuid._netstat_getnode",
    "uuid._ipconfig_getnode",
    "uuid._netbios_getnode",
    "uuid._unix_getnode",
    "uuid._windll_getnode",
    "uuid.getnode",
    "uuid.uuid1",
  ]],
  ["process", "its build helpers run compilers and shell commands", ["_osx_support", "_aix_support"]],
  ["process", "it starts processes or pools that run arbitrary callables", [
    "multiprocessing",
    "concurrent",
    "billiard",
    "torch.multiprocessing",
  ]],
  ["process", "it starts threads that run arbitrary callables", ["threading", "_thread", "dummy_threading"]],
  ["process", "signal installs handlers that run callables and sends signals to processes", ["signal"]],
  [
    "reflection",
    "sys exposes sys.modules, sys.path and sys.settrace, which redirect imports and hook every executed line",
    [
      "sys",
    ],
  ],
  ["process", "atexit registers callables that run when the interpreter exits", ["atexit"]],
  ["code", "sub-interpreters run arbitrary source code", [
    "_interpreters",
    "_xxsubinterpreters",
    "_interpqueues",
    "_interpchannels",
    "_xxinterpchannels",
    "interpreters",
  ]],
  ["process", "its event loops spawn subprocesses (create_subprocess_shell) and open network connections", [
    "asyncio",
    "asyncore",
    "asynchat",
  ]],

  // Code execution and dynamic imports.
  ["code", "it evaluates or compiles Python source text", [
    "builtins.eval",
    "builtins.exec",
    "builtins.compile",
    "builtins.execfile",
  ]],
  ["import", "it imports any module named by a string, running the module's code", [
    "builtins.__import__",
    "builtins.reload",
    "importlib",
    "importlib_metadata",
    "importlib_resources",
    "imp",
    "_imp",
    "zipimport",
    "_frozen_importlib",
    "_frozen_importlib_external",
    "pkg_resources",
    "torch._utils._import_dotted_name",
    "torch._utils.try_import",
  ]],
  [
    "reflection",
    "getattr/setattr/delattr read or replace any attribute by name, reaching os.system or __globals__ from any object",
    [
      "builtins.getattr",
      "builtins.setattr",
      "builtins.delattr",
    ],
  ],
  ["reflection", "it exposes a namespace dict whose entries can be read, replaced and called", [
    "builtins.globals",
    "builtins.locals",
    "builtins.vars",
  ]],
  ["file", "it opens, creates or truncates files", [
    "builtins.open",
    "builtins.file",
    "io.open",
    "io.open_code",
    "io.FileIO",
    "codecs.open",
    "tokenize.open",
    "gzip.open",
    "gzip.GzipFile",
    "bz2.open",
    "bz2.BZ2File",
    "lzma.open",
    "lzma.LZMAFile",
  ]],
  [
    "interactive",
    "it starts the debugger, an interactive prompt or a pager command, or exits the interpreter",
    [
      "builtins.breakpoint",
      "builtins.input",
      "builtins.help",
      "builtins.exit",
      "builtins.quit",
      "_sitebuiltins",
      "getpass",
    ],
  ],
  ["code", "apply calls any callable with any arguments (Python 2)", ["builtins.apply"]],
  ["code", "runpy runs a module or a file as __main__", ["runpy"]],
  ["code", "code and codeop compile and run Python source (InteractiveInterpreter.runsource, runcode)", [
    "code",
    "codeop",
  ]],
  ["code", "it compiles source files and writes bytecode files", ["py_compile", "compileall"]],
  ["import", "site executes .pth files (addsitedir) and rewrites sys.path", ["site"]],
  ["import", "pkgutil imports modules named by strings (resolve_name, get_importer, walk_packages)", [
    "pkgutil",
  ]],
  ["process", "mailcap.findmatch runs each matching entry's test command with os.system", ["mailcap"]],
  ["code", "the 3.13 REPL's internals run pager commands (pipe_pager) and execute source (runsource)", [
    "_pyrepl",
  ]],
  ["code", "optparse.Values.read_file execs a Python file and read_module imports any module", [
    "optparse.Values.read_file",
    "optparse.Values.read_module",
  ]],
  [
    "import",
    "pandas imports the module named as its plotting backend (set_option('plotting.backend', ...), backend=)",
    [
      "pandas.set_option",
      "pandas.option_context",
      "pandas._config.config.set_option",
      "pandas._config.config.option_context",
      "pandas._config.config._set_option",
      "pandas.plotting",
    ],
  ],
  ["import", "warnings' option parser imports the module named in a category string", [
    ...["warnings", "_py_warnings"].flatMap((m) =>
      ["_getcategory", "_setoption", "_processoptions"].map((f) => `${m}.${f}`)
    ),
  ]],
  [
    "network",
    "xml.sax fetches any URL it is given (parse, prepare_input_source) and make_parser imports modules named by strings",
    [
      "xml.sax",
    ],
  ],
  ["network", "xml.dom.xmlbuilder's entity resolver and parseURI open any URL", ["xml.dom.xmlbuilder"]],
  ["import", "numpy.info and numpy.lookfor import the module named by their toplevel or module argument", [
    "numpy.info",
    "numpy.lookfor",
    ...["lib.utils", "lib._utils_impl"].flatMap((m) =>
      ["info", "lookfor", "_makenamedict", "_lookfor_generate_cache"].map((f) => `numpy.${m}.${f}`)
    ),
  ]],
  [
    "import",
    "its test runner runs pytest, which runs the test files and imports the plugins named in its arguments",
    [
      "numpy._pytesttester",
      "scipy._lib._testutils",
      "pandas.test",
      "pandas.util._tester",
      ...["", "core", "fft", "lib", "linalg", "ma", "matrixlib", "polynomial", "random", "typing"].map((m) =>
        m === "" ? "numpy.test" : `numpy.${m}.test`
      ),
      ...[
        "",
        "_lib",
        "cluster",
        "constants",
        "fft",
        "fft._pocketfft",
        "fftpack",
        "integrate",
        "interpolate",
        "linalg",
        "misc",
        "ndimage",
        "odr",
        "optimize",
        "signal",
        "sparse",
        "sparse.csgraph",
        "sparse.linalg",
        "sparse.linalg._dsolve",
        "sparse.linalg._eigen",
        "sparse.linalg._eigen.lobpcg",
        "sparse.linalg._isolve",
        "spatial",
        "spatial.transform",
        "special",
        "stats",
      ].map((m) => m === "" ? "scipy.test" : `scipy.${m}.test`),
    ],
  ],
  ["code", "FunctionMaker compiles and execs source text built from its arguments", [
    "decorator.FunctionMaker",
    "scipy._lib.decorator",
  ]],
  [
    "code",
    "template engines compile templates into Python code (mako runs its <%! %> blocks) and import extensions named by strings",
    [
      "jinja2",
      "mako",
    ],
  ],
  ["import", "pydoc.locate imports any dotted name and pydoc's pagers run shell commands", ["pydoc"]],
  ["code", "marshal loads raw code objects", ["marshal"]],
  ["code", "it builds code objects, functions or classes from raw parts", [
    "types.CodeType",
    "types.FunctionType",
    "types.LambdaType",
    "types.ModuleType",
    "types.new_class",
    "types.prepare_class",
  ]],
  ["code", "dataclasses compiles generated source with exec", [
    "dataclasses._create_fn",
    "dataclasses._FuncBuilder",
  ]],
  ["code", "it evaluates annotation strings with eval", [
    "typing.get_type_hints",
    "typing._eval_type",
    "typing.evaluate_forward_ref",
    "typing.ForwardRef.*",
    "annotationlib",
  ]],
  ["reflection", "inspect reads any attribute statically and reaches live frames and their globals", [
    "inspect",
  ]],
  [
    "reflection",
    "gc.get_objects and gc.get_referrers reach every live object, including frames and modules",
    ["gc"],
  ],
  ["native", "it loads native libraries and reads or writes raw memory", [
    "ctypes",
    "cffi",
    "numpy.ctypeslib",
  ]],
  ["native", "CPython's test hooks corrupt memory and crash the interpreter", [
    "_testcapi",
    "_testinternalcapi",
    "_testlimitedcapi",
  ]],
  ["native", "faulthandler writes to file descriptors and crashes the interpreter on request", [
    "faulthandler",
  ]],
  ["native", "resource changes the process's resource limits", ["resource"]],
  ["file", "mmap maps files and shared memory into the process", ["mmap", "_posixshmem"]],
  [
    "reflection",
    "attrgetter/methodcaller resolve attributes or call methods named by strings, reaching os.system from any object",
    [
      "operator.attrgetter",
      "operator.methodcaller",
    ],
  ],
  ["code", "operator.call calls any callable with any arguments; no model needs it", ["operator.call"]],
  [
    "code",
    "functools.reduce chains calls, feeding each result to the next: a call-composition gadget no model needs",
    [
      "functools.reduce",
    ],
  ],
  [
    "import",
    "it rewires how pickle resolves extension codes and reducers, so later opcodes import what the payload registered",
    [
      "copyreg.add_extension",
      "copyreg.remove_extension",
      "copyreg.clear_extension_cache",
      "copyreg.pickle",
      "copyreg.constructor",
      "copyreg.dispatch_table",
      "copyreg._extension_registry",
      "copyreg._inverted_registry",
      "copyreg._extension_cache",
    ],
  ],
  [
    "import",
    "_compat_pickle's tables decide what legacy names import; changing them redirects later imports",
    [
      "_compat_pickle",
    ],
  ],
  [
    "code",
    "sympy's functions and constructors (Lambda, Derivative, Rational, S, lambdify) sympify their arguments, and sympify evaluates strings with eval",
    ["sympy"],
  ],
  ["code", "it evaluates expression strings with eval", [
    "numexpr.evaluate",
    "numexpr.re_evaluate",
    "numexpr.necompiler",
    "pandas.eval",
    "pandas.core.computation",
  ]],
  ["native", "it compiles and imports native extensions from source (cython_inline runs code)", [
    "Cython",
    "pyximport",
  ]],
  ["code", "IPython runs cells and shell commands (run_cell, system, getoutput)", ["IPython"]],
  ["deserialization", "it rebuilds arbitrary objects, callables included, from text", [
    "jsonpickle",
    "yaml.load",
    "yaml.load_all",
    "yaml.unsafe_load",
    "yaml.unsafe_load_all",
    "yaml.full_load",
    "yaml.full_load_all",
    "yaml.Loader",
    "yaml.UnsafeLoader",
    "yaml.FullLoader",
    "yaml.CLoader",
    "yaml.CUnsafeLoader",
    "yaml.CFullLoader",
    "yaml.loader",
    "yaml.constructor",
    "yaml.cyaml",
  ]],
  ["process", "tkinter embeds a Tcl interpreter whose exec runs shell commands", ["tkinter"]],
  ["process", "turtle and turtledemo drive tkinter, whose Tcl interpreter runs shell commands", [
    "turtle",
    "turtledemo",
  ]],
  ["network", "importing antigravity opens a web browser", ["antigravity"]],
  ["import", "it re-exports every standard module (builtins, subprocess, ...) under another name", [
    "six.moves",
    "future",
    "past",
  ]],

  // Nested pickles and function builders.
  ["deserialization", "pickle's loaders unpickle a nested payload outside any check", ["pickle"]],
  [
    "deserialization",
    "dill's loaders and builders (_create_function, _create_code, _load_type) rebuild functions and code objects",
    [
      "dill",
    ],
  ],
  [
    "deserialization",
    "cloudpickle's builders (_make_function, _builtin_type, subimport) rebuild functions, code objects and imports",
    [
      "cloudpickle",
      "srsly.cloudpickle",
      "srsly.pickle_loads",
      "ray.cloudpickle",
      "pyspark.cloudpickle",
    ],
  ],
  [
    "deserialization",
    "joblib.load unpickles files, Parallel runs callables in worker processes and Memory writes cache files",
    [
      "joblib",
      "sklearn.externals.joblib",
    ],
  ],
  ["deserialization", "shelve opens a database file and unpickles its values", ["shelve"]],
  ["deserialization", "torch.load unpickles a file or buffer outside any check and torch.save writes files", [
    "torch.load",
    "torch.save",
  ]],
  ["deserialization", "torch.serialization loads and saves pickled files", ["torch.serialization"]],
  ["deserialization", "it reads arrays from files or buffers with pickles allowed", [
    "numpy.load",
    "numpy.loads",
    "numpy.lib.npyio",
    "numpy.lib._npyio_impl",
    "numpy.lib.format",
    "numpy.core.numeric.loads",
    "numpy._core.numeric.loads",
    "numpy.ma.load",
    "numpy.ma.loads",
    "numpy.ma.core.load",
    "numpy.ma.core.loads",
  ]],
  ["file", "it reads, writes or downloads files", [
    "numpy.save",
    "numpy.savez",
    "numpy.savez_compressed",
    "numpy.savetxt",
    "numpy.loadtxt",
    "numpy.genfromtxt",
    "numpy.fromfile",
    "numpy.memmap",
    "numpy.core.memmap",
    "numpy._core.memmap",
    "numpy.ndarray.tofile",
    "numpy.ndarray.dump",
    "numpy.DataSource",
    "numpy.lib.datasource",
    "numpy.lib._datasource",
    "numpy.rec.fromfile",
    "numpy.core.records.fromfile",
    "numpy._core.records.fromfile",
    "numpy.fromregex",
    "numpy.ma.dump",
    "numpy.ma.core.dump",
    "scipy.sparse.save_npz",
    "scipy.sparse._matrix_io",
  ]],
  ["file", "it maps any file into memory, creating or growing it when shared", ["torch.from_file"]],
  ["import", "numpy's _ufunc_reconstruct imports any module and attribute named by its string arguments", [
    "numpy.core._ufunc_reconstruct",
    "numpy._core._ufunc_reconstruct",
  ]],
  [
    "import",
    "uarray's unpickle_function imports any module and returns any attribute named by its string arguments",
    [
      "scipy._lib._uarray._backend.unpickle_function",
      "uarray._backend.unpickle_function",
    ],
  ],
  ["native", "it compiles and imports native code and evaluates expressions with eval", [
    "numpy.f2py",
    "numpy.distutils",
  ]],
  ["code", "numpy's test helpers exec source strings (runstring) and compile C extensions", [
    "numpy.testing",
  ]],
  ["code", "scipy.weave compiles and runs C++ source", ["scipy.weave"]],
  ["native", "LowLevelCallable wraps raw native function pointers that scipy then calls", [
    "scipy.LowLevelCallable",
    "scipy._lib._ccallback",
  ]],
  ["code", "mpmath.identify evaluates the constant expressions it is given with eval", [
    "mpmath.identify",
    "mpmath.identification",
    "mpmath.mp.identify",
    "mpmath.fp.identify",
    "mpmath.iv.identify",
  ]],
  [
    "import",
    "matplotlib imports the backend module a string names (use, rc_file, register_backend) and pyplot writes image files (savefig, imsave)",
    [
      "matplotlib.use",
      "matplotlib.rc_file",
      "matplotlib.rc_context",
      "matplotlib.pyplot",
      "matplotlib.backend_bases.register_backend",
      "matplotlib.backend_bases.get_registered_canvas_class",
      "matplotlib.image.imsave",
    ],
  ],
  [
    "process",
    "they run external programs (ffmpeg, LaTeX, Ghostscript, Inkscape, image viewers, screenshot tools)",
    [
      "matplotlib.animation",
      "matplotlib.texmanager",
      "matplotlib.testing",
      "matplotlib.backends",
      "matplotlib._get_executable_info",
      "PIL.EpsImagePlugin",
      "PIL.ImageShow",
      "PIL.ImageGrab",
    ],
  ],
  ["deserialization", "it reads (and unpickles) files and URLs", [
    "pandas.read_pickle",
    "pandas.to_pickle",
    "pandas.read_csv",
    "pandas.read_table",
    "pandas.read_fwf",
    "pandas.read_excel",
    "pandas.read_json",
    "pandas.read_html",
    "pandas.read_xml",
    "pandas.read_parquet",
    "pandas.read_feather",
    "pandas.read_orc",
    "pandas.read_sas",
    "pandas.read_spss",
    "pandas.read_stata",
    "pandas.read_sql",
    "pandas.read_sql_query",
    "pandas.read_sql_table",
    "pandas.read_hdf",
    "pandas.read_clipboard",
    "pandas.io",
    "pandas.compat.pickle_compat",
  ]],
  ["deserialization", "it loads a model archive whose Lambda layers carry code", [
    "keras.saving.pickle_utils",
    "keras.src.saving.pickle_utils",
    "keras.models.load_model",
    "keras.saving.load_model",
    "tensorflow.keras.models.load_model",
    "tf_keras.models.load_model",
    "keras.saving.saving_lib",
    "keras.src.saving.saving_lib",
    "keras.src.saving.keras_saveable",
  ]],
  [
    "deserialization",
    "it rebuilds objects from a config, importing the modules and classes it names and unmarshalling Lambda layers' bytecode",
    [
      "keras.saving.deserialize_keras_object",
      "keras.saving.serialization_lib",
      "keras.src.saving.serialization_lib",
      "keras.src.legacy.saving",
      "keras.utils.deserialize_keras_object",
      "keras.utils.generic_utils",
      "keras.src.utils.python_utils",
      "keras.models.model_from_json",
      "keras.models.model_from_config",
      "keras.models.model_from_yaml",
      "keras.layers.deserialize",
      "keras.src.layers.deserialize",
      "keras.layers.Lambda",
      "keras.layers.core.lambda_layer",
      "keras.src.layers.core.lambda_layer",
      "tensorflow.keras.models.model_from_json",
      "tensorflow.keras.models.model_from_config",
      "tensorflow.keras.utils.deserialize_keras_object",
      "tensorflow.keras.layers.Lambda",
      "tf_keras.models.model_from_json",
      "tf_keras.layers.Lambda",
    ],
  ],
  ["file", "it reads and writes files (gfile, write_file) or loads saved graphs and native op libraries", [
    "tensorflow.io",
    "tensorflow.saved_model",
    "tensorflow.raw_ops",
    "tensorflow.load_op_library",
    "tensorflow.load_library",
    "tensorflow.compat.v1.gfile",
  ]],

  // PyTorch internals that run code, load files or talk to the network.
  ["network", "torch.hub downloads and runs code from remote repositories (hubconf.py)", [
    "torch.hub",
    "torch.utils.model_zoo",
  ]],
  ["code", "TorchScript compiles and loads programs", [
    "torch.jit",
    "torch._C.CompilationUnit",
    "torch._C.import_ir_module",
    "torch._C.import_ir_module_from_buffer",
    "torch._C._load_for_lite_interpreter",
    "torch._C._load_for_lite_interpreter_from_buffer",
    "torch._C._jit_script_compile",
    "torch._C._jit_script_class_compile",
  ]],
  ["code", "torch._inductor compiles and runs generated code (codecache.compile_file runs the compiler)", [
    "torch._inductor",
  ]],
  ["code", "torch._dynamo evaluates guard strings with eval (GuardBuilder.get)", [
    "torch._dynamo",
    "torch._C._dynamo",
  ]],
  ["code", "it compiles, exports or loads whole programs", [
    "torch.compiler",
    "torch.export",
    "torch._export",
  ]],
  ["process", "torch.utils.collect_env runs shell commands", ["torch.utils.collect_env"]],
  ["code", "torch.utils.bottleneck runs code under the profilers (run_cprofile)", ["torch.utils.bottleneck"]],
  ["deserialization", "ConfigModule.load_config unpickles bytes", ["torch.utils._config_module"]],
  ["deserialization", "datapipes open files and URLs and their decoders unpickle payloads", [
    "torch.utils.data.datapipes",
  ]],
  ["native", "torch.utils.cpp_extension compiles and loads native extensions", ["torch.utils.cpp_extension"]],
  ["code", "torch.utils.benchmark's Timer execs statement strings", ["torch.utils.benchmark"]],
  ["file", "it writes or rewrites files", ["torch.utils.tensorboard", "torch.utils.hipify"]],
  ["deserialization", "torch.utils.show_pickle unpickles files", ["torch.utils.show_pickle"]],
  ["process", "torch.testing's helpers run subprocesses and exec code", ["torch.testing"]],
  [
    "code",
    "torch.fx execs Python source: GraphModules generate and exec code from their graph (and reduce_graph_module from the pickle), ShapeEnv evaluates guards with eval",
    ["torch.fx"],
  ],
  ["code", "torch.package imports and runs code shipped in the archive", ["torch.package"]],
  ["native", "load_library loads a native shared library", [
    "torch.ops.load_library",
    "torch._ops.ops.load_library",
    "torch._ops._Ops.load_library",
    "torch.classes.load_library",
    "torch._classes.classes.load_library",
  ]],
  ["network", "it opens network connections, launches processes or runs remote calls", [
    "torch.distributed.rpc",
    "torch.distributed.run",
    "torch.distributed.launch",
    "torch.distributed.launcher",
    "torch.distributed.elastic",
    "torch.distributed.rendezvous",
    "torch.distributed.distributed_c10d",
    "torch.distributed.init_process_group",
    "torch.distributed.TCPStore",
    "torch.distributed.FileStore",
  ]],

  // Hubs: downloads and remote code.
  ["network", "it downloads and imports remote model code (trust_remote_code)", [
    "transformers.dynamic_module_utils",
  ]],
  ["network", "it downloads files from the network", [
    "transformers.utils.hub",
    "huggingface_hub",
    "scipy.datasets",
    "keras.utils.get_file",
    "keras.utils.data_utils",
    "keras.src.utils.file_utils",
    "tensorflow.keras.utils.get_file",
    "tf_keras.utils.get_file",
  ]],
  ["network", "it downloads datasets and runs their loading scripts", [
    "datasets.load_dataset",
    "datasets.load",
  ]],
  ["network", "sklearn.datasets downloads (fetch_*), reads (load_*) and writes (dump_*) files", [
    "sklearn.datasets",
  ]],
  ["process", "scikit-learn's test helpers run Python subprocesses and unpickle", [
    "sklearn.utils._testing",
    "sklearn.utils.estimator_checks",
  ]],
  ["deserialization", "it re-exports joblib's loaders and process pools", [
    "sklearn.utils._joblib",
    "sklearn.utils.parallel",
  ]],
  ["import", "it imports every scikit-learn module through pkgutil.walk_packages", [
    "sklearn.utils.discovery",
    "sklearn.utils.all_estimators",
  ]],
  [
    "reflection",
    "it reads any attribute named by a string argument and returns or calls it: getattr reaching os.system",
    [
      "sklearn.metrics._scorer._cached_call",
      "sklearn.metrics._plot.base._check_classifier_response_method",
      "sklearn.inspection._plot.decision_boundary._check_boundary_response_method",
      "sklearn.model_selection._validation._fit_and_predict",
      "sklearn.model_selection._validation.cross_val_predict",
      "sklearn.model_selection.cross_val_predict",
      "sklearn.utils._response",
      "sklearn.utils.validation._check_response_method",
    ],
  ],
  ["import", "it imports the package named by its first argument to read a resource file from it", [
    "sklearn.utils.fixes._open_text",
    "sklearn.utils.fixes._open_binary",
    "sklearn.utils.fixes._read_text",
    "sklearn.utils.fixes._path",
  ]],
  ["file", "export_graphviz writes the tree to any path given as out_file, feature names included verbatim", [
    "sklearn.tree.export_graphviz",
    "sklearn.tree._export.export_graphviz",
  ]],
  ["file", "check_memory creates a joblib cache directory at any path", [
    "sklearn.utils.check_memory",
    "sklearn.utils.validation.check_memory",
  ]],
  ["process", "scikit-learn's build helpers compile and run test programs", ["sklearn._build_utils"]],

  // Network.
  ["network", "it opens network connections or servers (data exfiltration, payload download)", [
    "socket",
    "ssl",
    "select",
    "selectors",
    "socketserver",
    "http",
    "urllib",
    "urllib3",
    "requests",
    "aiohttp",
    "httpx",
    "httplib2",
    "pycurl",
    "websocket",
    "websockets",
    "paramiko",
    "ftplib",
    "smtplib",
    "smtpd",
    "imaplib",
    "poplib",
    "telnetlib",
    "nntplib",
    "xmlrpc",
    "wsgiref",
  ]],
  ["network", "webbrowser opens URLs by running a browser command", ["webbrowser"]],
  ["network", "it downloads files from URLs, Google Drive or cloud storage (a second-stage payload)", [
    "wget",
    "gdown",
    "boto3",
    "botocore",
    "s3fs",
    "gcsfs",
  ]],
  ["process", "GitPython runs git commands (clone_from fetches and checks out a repository)", ["git"]],

  // File system.
  ["file", "shutil copies, moves and deletes files and trees (rmtree) and unpacks archives", ["shutil"]],
  ["file", "tempfile creates files and directories", ["tempfile"]],
  ["file", "it reads or probes arbitrary files", [
    "glob",
    "fileinput",
    "filecmp",
    "linecache",
    "netrc",
    "posixpath",
    "ntpath",
    "genericpath",
  ]],
  ["file", "Path methods read, write, rename and delete files", ["pathlib"]],
  ["file", "it opens, extracts or writes archives and databases on disk", [
    "tarfile",
    "zipfile",
    "dbm",
    "sqlite3",
  ]],
  ["file", "winreg reads and writes the Windows registry", ["winreg"]],
  ["file", "its writers open any path for writing, creating or truncating the file", [
    "wave",
    "aifc",
    "sunau",
    "uu",
    "binhex",
    "zipapp",
    "scipy.io",
  ]],
  ["file", "mailbox creates mailbox files and directories (Maildir, mbox with create=True)", ["mailbox"]],
  ["file", "cgitb.enable(logdir=...) writes a report file into any directory on every uncaught exception", [
    "cgitb",
  ]],
  ["file", "pstats.Stats reads profile files with marshal and dump_stats writes them", ["pstats"]],
  ["file", "h5py.File creates and truncates files; h5py re-exports sys.modules and importlib.import_module", [
    "h5py",
  ]],
  ["file", "show_versions(as_json=path) writes a file", [
    "pandas.show_versions",
    "pandas.util._print_versions",
  ]],
  ["file", "these memory-profiling helpers write pickled snapshots to any path", [
    "torch.cuda.memory._dump_snapshot",
    "torch.cuda.memory._save_segment_usage",
    "torch.cuda.memory._save_memory_usage",
  ]],
  ["process", "it installs packages or creates environments, running setup code", [
    "pip",
    "ensurepip",
    "venv",
    "virtualenv",
    "setuptools",
    "distutils",
  ]],

  // Logging that writes or sends.
  [
    "import",
    "logging.config instantiates classes named by strings and listen() takes configs from a socket",
    [
      "logging.config",
    ],
  ],
  ["network", "logging handlers write files and send records to sockets, SMTP, HTTP and syslog", [
    "logging.handlers",
  ]],
  ["file", "it opens and writes log files", ["logging.FileHandler", "logging.basicConfig"]],
  ["file", "syslog writes to the system log", ["syslog"]],

  // Debuggers, profilers and test runners: they run code given as strings.
  ["code", "the debugger runs statements (run, runeval, runcall) and reads commands from stdin", [
    "pdb",
    "bdb",
  ]],
  ["code", "it runs code given as a string or callable (run, runctx, runcall, Timer(stmt))", [
    "trace",
    "timeit",
    "cProfile",
    "profile",
  ]],
  ["code", "doctest runs the examples in docstrings and scripts (debug_script)", ["doctest"]],
  ["code", "unittest discovers, imports and runs test modules", ["unittest"]],
  ["process", "CPython's test helpers run scripts and subprocesses", [
    "test.support",
    "test.libregrtest",
    "test.test_support",
  ]],
  ["code", "IDLE's runcode and runcommand execute source", ["idlelib"]],
  ["deserialization", "lib2to3's grammar loaders unpickle files and its fixers rewrite source", ["lib2to3"]],

  // Scanners.
  ["scanner", "reaching into a security scanner can disable or poison its checks; no model needs it", [
    "picklescan",
    "modelscan",
    "fickling",
    "modelaudit",
  ]],
];
