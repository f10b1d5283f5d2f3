/**
 * The import policy of the pickle scanner: what a pickle import (GLOBAL, INST,
 * STACK_GLOBAL) resolves to, in three tiers.
 *
 * - **denied**: the callable (or anything reached through it) can run code,
 *   spawn processes, touch files or the network, load another pickle, or
 *   reach interpreter internals. Each entry carries its reason.
 * - **safe**: globals that real model files reference and that only rebuild
 *   data (tensors, arrays, containers, config objects).
 * - **unknown**: everything else; the scanner warns and names it.
 *
 * Matching works on dotted segments, never on raw substrings. The module path
 * and every prefix of `module + name` are checked, and so is every suffix of the
 * name, because unpickling resolves a dotted name by attribute access: `pathlib`
 * + `os.system` reaches `os.system` through the `os` that `pathlib` imported.
 * Segments deep inside a module path are not matched (a package may well have a
 * submodule called `code` or `profile`); the few re-export trampolines that
 * are dangerous anywhere in a module path (`six.moves`, vendored `cloudpickle`)
 * are matched wherever they appear.
 *
 * Lookups walk a trie of Maps, one step per segment, so a verdict costs a few
 * Map lookups per segment however long the lists grow.
 *
 * @module
 */

/** The three policy tiers. */
export type ImportTier = "denied" | "safe" | "unknown";

/** The policy's answer for one import. */
export interface ImportVerdict {
  /** denied (critical), safe (silent) or unknown (warning). */
  tier: ImportTier;
  /** For denied: why the entry is dangerous. For unknown: why it could not be judged further, when there is a reason. */
  reason?: string;
  /** The list entry that decided the verdict, e.g. `os` for `posix.system` or `torch.nn.modules.*`. */
  entry?: string;
}

// ---------------------------------------------------------------------------
// Aliases: names under which the unpickler imports the same module.
// ---------------------------------------------------------------------------

/**
 * Module aliases. Python 3's unpickler maps Python 2 module names through
 * `_compat_pickle` for protocols 0-2 (`__builtin__` -> `builtins`,
 * `copy_reg` -> `copyreg`, `commands` -> `subprocess`, ...), and `posix`/`nt`
 * are the modules `os` re-exports. C accelerator modules (`_pickle`, `_io`,
 * `_socket`, ...) expose the same callables as their public twins.
 */
const MODULE_ALIASES: ReadonlyMap<string, readonly string[]> = new Map(
  Object.entries({
    __builtin__: "builtins",
    __builtins__: "builtins",
    exceptions: "builtins",
    posix: "os",
    nt: "os",
    copy_reg: "copyreg",
    cPickle: "pickle",
    _pickle: "pickle",
    commands: "subprocess",
    _operator: "operator",
    _functools: "functools",
    _collections: "collections",
    UserDict: "collections",
    UserList: "collections",
    UserString: "collections",
    _abcoll: "collections.abc",
    _io: "io",
    _pyio: "io",
    StringIO: "io",
    cStringIO: "io",
    _datetime: "datetime",
    _pydatetime: "datetime",
    _decimal: "decimal",
    _pydecimal: "decimal",
    thread: "_thread",
    dummy_thread: "_thread",
    _dummy_thread: "_thread",
    _signal: "signal",
    _socket: "socket",
    _ssl: "ssl",
    _ctypes: "ctypes",
    _sqlite3: "sqlite3",
    _asyncio: "asyncio",
    _multiprocessing: "multiprocessing",
    _winreg: "winreg",
    Queue: "queue",
    httplib: "http.client",
    urllib2: "urllib.request",
    urlparse: "urllib.parse",
    robotparser: "urllib.robotparser",
    Cookie: "http.cookies",
    cookielib: "http.cookiejar",
    BaseHTTPServer: "http.server",
    SimpleHTTPServer: "http.server",
    CGIHTTPServer: "http.server",
    SocketServer: "socketserver",
    xmlrpclib: "xmlrpc.client",
    SimpleXMLRPCServer: "xmlrpc.server",
    DocXMLRPCServer: "xmlrpc.server",
    anydbm: "dbm",
    whichdb: "dbm",
    dbhash: "dbm.bsd",
    dumbdbm: "dbm.dumb",
    gdbm: "dbm.gnu",
    Tkinter: "tkinter",
    _tkinter: "tkinter",
    tkFileDialog: "tkinter.filedialog",
    FileDialog: "tkinter.filedialog",
    tkSimpleDialog: "tkinter.simpledialog",
    SimpleDialog: "tkinter.simpledialog",
    tkColorChooser: "tkinter.colorchooser",
    tkCommonDialog: "tkinter.commondialog",
    Dialog: "tkinter.dialog",
    Tkdnd: "tkinter.dnd",
    tkFont: "tkinter.font",
    tkMessageBox: "tkinter.messagebox",
    ScrolledText: "tkinter.scrolledtext",
    Tkconstants: "tkinter.constants",
    Tix: "tkinter.tix",
    ttk: "tkinter.ttk",
  }).map(([from, to]) => [from, to.split(".")]),
);

/**
 * Name aliases applied after the module alias: Python 2 builtins that
 * `_compat_pickle.NAME_MAPPING` sends elsewhere (`__builtin__.reduce` is
 * `functools.reduce`, `__builtin__.raw_input` is `builtins.input`).
 */
const NAME_ALIASES: ReadonlyMap<string, readonly string[]> = new Map(
  Object.entries({
    "builtins.xrange": "builtins.range",
    "builtins.unicode": "builtins.str",
    "builtins.basestring": "builtins.str",
    "builtins.long": "builtins.int",
    "builtins.unichr": "builtins.chr",
    "builtins.reduce": "functools.reduce",
    "builtins.intern": "sys.intern",
    "builtins.raw_input": "builtins.input",
    "builtins.StandardError": "builtins.Exception",
    "itertools.izip": "builtins.zip",
    "itertools.imap": "builtins.map",
    "itertools.ifilter": "builtins.filter",
    "collections.IterableUserDict": "collections.UserDict",
  }).map(([from, to]) => [from, to.split(".")]),
);

/**
 * Attribute aliases: names under which modules keep a dangerous module or
 * callable as an attribute (`import os as _os` in `random`, `from builtins
 * import open as _builtin_open` in `tokenize`), and the best-known dangerous
 * callables, which libraries re-export under their own name. A dotted name
 * reaches them by attribute access (`random` + `_os.system`), a plain one
 * directly (`tokenize` + `_builtin_open`), so they are resolved in the name
 * part of an import only, never as a module.
 */
const ATTRIBUTE_ALIASES: ReadonlyMap<string, readonly string[]> = new Map(
  Object.entries({
    _os: "os",
    _sys: "sys",
    sys_modules: "sys.modules",
    bltns: "builtins",
    _builtins: "builtins",
    _builtin_open: "builtins.open",
    bltn_open: "builtins.open",
    open_py_source: "tokenize.open",
    _shutil: "shutil",
    _rmtree: "shutil.rmtree",
    _subprocess: "subprocess",
    _fork_exec: "_posixsubprocess.fork_exec",
    _threading: "threading",
    _pyprofile: "profile",
    _bootstrap: "importlib._bootstrap",
    _bootstrap_external: "importlib._bootstrap_external",
    osp: "os.path",
    pp: "posixpath",
    sp: "subprocess",
    mp: "multiprocessing",
    pkl: "pickle",
    tk: "tkinter",
    TK: "tkinter",
    np: "numpy",
    pd: "pandas",
    system: "os.system",
    popen: "os.popen",
    Popen: "subprocess.Popen",
    check_output: "subprocess.check_output",
    check_call: "subprocess.check_call",
    getoutput: "subprocess.getoutput",
    getstatusoutput: "subprocess.getstatusoutput",
    fork_exec: "_posixsubprocess.fork_exec",
    posix_spawn: "os.posix_spawn",
    posix_spawnp: "os.posix_spawnp",
    ...Object.fromEntries(
      ["exec", "spawn"].flatMap((f) =>
        "l le lp lpe v ve vp vpe".split(" ").map((s) => [f + s, `os.${f}${s}`])
      ),
    ),
    eval: "builtins.eval",
    exec: "builtins.exec",
    execfile: "builtins.execfile",
    open: "builtins.open",
    import_module: "importlib.import_module",
    attrgetter: "operator.attrgetter",
    methodcaller: "operator.methodcaller",
    rmtree: "shutil.rmtree",
    PytestTester: "numpy._pytesttester.PytestTester",
    Parallel: "joblib.Parallel",
    GraphModule: "torch.fx.GraphModule",
    from_file: "torch.from_file",
  }).map(([from, to]) => [from, to.split(".")]),
);

// ---------------------------------------------------------------------------
// The denylist.
// ---------------------------------------------------------------------------

/**
 * Denied entries, grouped by reason. A path denies itself and everything under
 * it (submodules, attributes); a path ending in `.*` denies only what lies
 * under it (the methods of an otherwise harmless class).
 */
const DENIED: ReadonlyArray<readonly [reason: string, paths: readonly string[]]> = [
  // Processes and shells.
  ["os runs shell commands (system, popen), replaces or spawns processes (exec*, spawn*) and deletes files", [
    "os",
  ]],
  ["it spawns processes and runs shell commands", [
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
  ["pty.spawn runs a program, typically a shell, on a pseudo-terminal", ["pty"]],
  ["fcntl.ioctl pushes keystrokes into the controlling terminal (TIOCSTI), which its shell then runs", [
    "fcntl",
  ]],
  ["platform.popen and the platform probes run shell commands", ["platform"]],
  ["uuid's MAC-address helpers run external commands (ifconfig, ip, arp, netstat)", [
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
  ["its build helpers run compilers and shell commands", ["_osx_support", "_aix_support"]],
  ["it starts processes or pools that run arbitrary callables", [
    "multiprocessing",
    "concurrent",
    "billiard",
    "torch.multiprocessing",
  ]],
  ["it starts threads that run arbitrary callables", ["threading", "_thread", "dummy_threading"]],
  ["signal installs handlers that run callables and sends signals to processes", ["signal"]],
  [
    "sys exposes sys.modules, sys.path and sys.settrace, which redirect imports and hook every executed line",
    [
      "sys",
    ],
  ],
  ["atexit registers callables that run when the interpreter exits", ["atexit"]],
  ["sub-interpreters run arbitrary source code", [
    "_interpreters",
    "_xxsubinterpreters",
    "_interpqueues",
    "_interpchannels",
    "_xxinterpchannels",
    "interpreters",
  ]],
  ["its event loops spawn subprocesses (create_subprocess_shell) and open network connections", [
    "asyncio",
    "asyncore",
    "asynchat",
  ]],

  // Code execution and dynamic imports.
  ["it evaluates or compiles Python source text", [
    "builtins.eval",
    "builtins.exec",
    "builtins.compile",
    "builtins.execfile",
  ]],
  ["it imports any module named by a string, running the module's code", [
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
    "getattr/setattr/delattr read or replace any attribute by name, reaching os.system or __globals__ from any object",
    [
      "builtins.getattr",
      "builtins.setattr",
      "builtins.delattr",
    ],
  ],
  ["it exposes a namespace dict whose entries can be read, replaced and called", [
    "builtins.globals",
    "builtins.locals",
    "builtins.vars",
  ]],
  ["it opens, creates or truncates files", [
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
  ["it starts the debugger, an interactive prompt or a pager command, or exits the interpreter", [
    "builtins.breakpoint",
    "builtins.input",
    "builtins.help",
    "builtins.exit",
    "builtins.quit",
    "_sitebuiltins",
    "getpass",
  ]],
  ["apply calls any callable with any arguments (Python 2)", ["builtins.apply"]],
  ["runpy runs a module or a file as __main__", ["runpy"]],
  ["code and codeop compile and run Python source (InteractiveInterpreter.runsource, runcode)", [
    "code",
    "codeop",
  ]],
  ["it compiles source files and writes bytecode files", ["py_compile", "compileall"]],
  ["site executes .pth files (addsitedir) and rewrites sys.path", ["site"]],
  ["pkgutil imports modules named by strings (resolve_name, get_importer, walk_packages)", ["pkgutil"]],
  ["mailcap.findmatch runs each matching entry's test command with os.system", ["mailcap"]],
  ["the 3.13 REPL's internals run pager commands (pipe_pager) and execute source (runsource)", ["_pyrepl"]],
  ["optparse.Values.read_file execs a Python file and read_module imports any module", [
    "optparse.Values.read_file",
    "optparse.Values.read_module",
  ]],
  [
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
  ["warnings' option parser imports the module named in a category string", [
    ...["warnings", "_py_warnings"].flatMap((m) =>
      ["_getcategory", "_setoption", "_processoptions"].map((f) => `${m}.${f}`)
    ),
  ]],
  [
    "xml.sax fetches any URL it is given (parse, prepare_input_source) and make_parser imports modules named by strings",
    [
      "xml.sax",
    ],
  ],
  ["xml.dom.xmlbuilder's entity resolver and parseURI open any URL", ["xml.dom.xmlbuilder"]],
  ["numpy.info and numpy.lookfor import the module named by their toplevel or module argument", [
    "numpy.info",
    "numpy.lookfor",
    ...["lib.utils", "lib._utils_impl"].flatMap((m) =>
      ["info", "lookfor", "_makenamedict", "_lookfor_generate_cache"].map((f) => `numpy.${m}.${f}`)
    ),
  ]],
  [
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
  ["FunctionMaker compiles and execs source text built from its arguments", [
    "decorator.FunctionMaker",
    "scipy._lib.decorator",
  ]],
  [
    "template engines compile templates into Python code (mako runs its <%! %> blocks) and import extensions named by strings",
    [
      "jinja2",
      "mako",
    ],
  ],
  ["pydoc.locate imports any dotted name and pydoc's pagers run shell commands", ["pydoc"]],
  ["marshal loads raw code objects", ["marshal"]],
  ["it builds code objects, functions or classes from raw parts", [
    "types.CodeType",
    "types.FunctionType",
    "types.LambdaType",
    "types.ModuleType",
    "types.new_class",
    "types.prepare_class",
  ]],
  ["dataclasses compiles generated source with exec", ["dataclasses._create_fn", "dataclasses._FuncBuilder"]],
  ["it evaluates annotation strings with eval", [
    "typing.get_type_hints",
    "typing._eval_type",
    "typing.evaluate_forward_ref",
    "typing.ForwardRef.*",
    "annotationlib",
  ]],
  ["inspect reads any attribute statically and reaches live frames and their globals", ["inspect"]],
  ["gc.get_objects and gc.get_referrers reach every live object, including frames and modules", ["gc"]],
  ["it loads native libraries and reads or writes raw memory", ["ctypes", "cffi", "numpy.ctypeslib"]],
  ["CPython's test hooks corrupt memory and crash the interpreter", [
    "_testcapi",
    "_testinternalcapi",
    "_testlimitedcapi",
  ]],
  ["faulthandler writes to file descriptors and crashes the interpreter on request", ["faulthandler"]],
  ["resource changes the process's resource limits", ["resource"]],
  ["mmap maps files and shared memory into the process", ["mmap", "_posixshmem"]],
  [
    "attrgetter/methodcaller resolve attributes or call methods named by strings, reaching os.system from any object",
    [
      "operator.attrgetter",
      "operator.methodcaller",
    ],
  ],
  ["operator.call calls any callable with any arguments; no model needs it", ["operator.call"]],
  [
    "functools.reduce chains calls, feeding each result to the next: a call-composition gadget no model needs",
    [
      "functools.reduce",
    ],
  ],
  [
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
  ["_compat_pickle's tables decide what legacy names import; changing them redirects later imports", [
    "_compat_pickle",
  ]],
  [
    "sympy's functions and constructors (Lambda, Derivative, Rational, S, lambdify) sympify their arguments, and sympify evaluates strings with eval",
    ["sympy"],
  ],
  ["it evaluates expression strings with eval", [
    "numexpr.evaluate",
    "numexpr.re_evaluate",
    "numexpr.necompiler",
    "pandas.eval",
    "pandas.core.computation",
  ]],
  ["it compiles and imports native extensions from source (cython_inline runs code)", [
    "Cython",
    "pyximport",
  ]],
  ["IPython runs cells and shell commands (run_cell, system, getoutput)", ["IPython"]],
  ["it rebuilds arbitrary objects, callables included, from text", [
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
  ["tkinter embeds a Tcl interpreter whose exec runs shell commands", ["tkinter"]],
  ["turtle and turtledemo drive tkinter, whose Tcl interpreter runs shell commands", [
    "turtle",
    "turtledemo",
  ]],
  ["importing antigravity opens a web browser", ["antigravity"]],
  ["it re-exports every standard module (builtins, subprocess, ...) under another name", [
    "six.moves",
    "future",
    "past",
  ]],

  // Nested pickles and function builders.
  ["pickle's loaders unpickle a nested payload outside any check", ["pickle"]],
  [
    "dill's loaders and builders (_create_function, _create_code, _load_type) rebuild functions and code objects",
    [
      "dill",
    ],
  ],
  [
    "cloudpickle's builders (_make_function, _builtin_type, subimport) rebuild functions, code objects and imports",
    [
      "cloudpickle",
      "srsly.cloudpickle",
      "srsly.pickle_loads",
      "ray.cloudpickle",
      "pyspark.cloudpickle",
    ],
  ],
  ["joblib.load unpickles files, Parallel runs callables in worker processes and Memory writes cache files", [
    "joblib",
    "sklearn.externals.joblib",
  ]],
  ["shelve opens a database file and unpickles its values", ["shelve"]],
  ["torch.load unpickles a file or buffer outside any check and torch.save writes files", [
    "torch.load",
    "torch.save",
  ]],
  ["torch.serialization loads and saves pickled files", ["torch.serialization"]],
  ["it reads arrays from files or buffers with pickles allowed", [
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
  ["it reads, writes or downloads files", [
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
  ["it maps any file into memory, creating or growing it when shared", ["torch.from_file"]],
  ["numpy's _ufunc_reconstruct imports any module and attribute named by its string arguments", [
    "numpy.core._ufunc_reconstruct",
    "numpy._core._ufunc_reconstruct",
  ]],
  ["uarray's unpickle_function imports any module and returns any attribute named by its string arguments", [
    "scipy._lib._uarray._backend.unpickle_function",
    "uarray._backend.unpickle_function",
  ]],
  ["it compiles and imports native code and evaluates expressions with eval", [
    "numpy.f2py",
    "numpy.distutils",
  ]],
  ["numpy's test helpers exec source strings (runstring) and compile C extensions", ["numpy.testing"]],
  ["scipy.weave compiles and runs C++ source", ["scipy.weave"]],
  ["LowLevelCallable wraps raw native function pointers that scipy then calls", [
    "scipy.LowLevelCallable",
    "scipy._lib._ccallback",
  ]],
  ["mpmath.identify evaluates the constant expressions it is given with eval", [
    "mpmath.identify",
    "mpmath.identification",
    "mpmath.mp.identify",
    "mpmath.fp.identify",
    "mpmath.iv.identify",
  ]],
  [
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
  ["they run external programs (ffmpeg, LaTeX, Ghostscript, Inkscape, image viewers, screenshot tools)", [
    "matplotlib.animation",
    "matplotlib.texmanager",
    "matplotlib.testing",
    "matplotlib.backends",
    "matplotlib._get_executable_info",
    "PIL.EpsImagePlugin",
    "PIL.ImageShow",
    "PIL.ImageGrab",
  ]],
  ["it reads (and unpickles) files and URLs", [
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
  ["it loads a model archive whose Lambda layers carry code", [
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
  ["it reads and writes files (gfile, write_file) or loads saved graphs and native op libraries", [
    "tensorflow.io",
    "tensorflow.saved_model",
    "tensorflow.raw_ops",
    "tensorflow.load_op_library",
    "tensorflow.load_library",
    "tensorflow.compat.v1.gfile",
  ]],

  // PyTorch internals that run code, load files or talk to the network.
  ["torch.hub downloads and runs code from remote repositories (hubconf.py)", [
    "torch.hub",
    "torch.utils.model_zoo",
  ]],
  ["TorchScript compiles and loads programs", [
    "torch.jit",
    "torch._C.CompilationUnit",
    "torch._C.import_ir_module",
    "torch._C.import_ir_module_from_buffer",
    "torch._C._load_for_lite_interpreter",
    "torch._C._load_for_lite_interpreter_from_buffer",
    "torch._C._jit_script_compile",
    "torch._C._jit_script_class_compile",
  ]],
  ["torch._inductor compiles and runs generated code (codecache.compile_file runs the compiler)", [
    "torch._inductor",
  ]],
  ["torch._dynamo evaluates guard strings with eval (GuardBuilder.get)", [
    "torch._dynamo",
    "torch._C._dynamo",
  ]],
  ["it compiles, exports or loads whole programs", ["torch.compiler", "torch.export", "torch._export"]],
  ["torch.utils.collect_env runs shell commands", ["torch.utils.collect_env"]],
  ["torch.utils.bottleneck runs code under the profilers (run_cprofile)", ["torch.utils.bottleneck"]],
  ["ConfigModule.load_config unpickles bytes", ["torch.utils._config_module"]],
  ["datapipes open files and URLs and their decoders unpickle payloads", ["torch.utils.data.datapipes"]],
  ["torch.utils.cpp_extension compiles and loads native extensions", ["torch.utils.cpp_extension"]],
  ["torch.utils.benchmark's Timer execs statement strings", ["torch.utils.benchmark"]],
  ["it writes or rewrites files", ["torch.utils.tensorboard", "torch.utils.hipify"]],
  ["torch.utils.show_pickle unpickles files", ["torch.utils.show_pickle"]],
  ["torch.testing's helpers run subprocesses and exec code", ["torch.testing"]],
  [
    "torch.fx execs Python source: GraphModules generate and exec code from their graph (and reduce_graph_module from the pickle), ShapeEnv evaluates guards with eval",
    ["torch.fx"],
  ],
  ["torch.package imports and runs code shipped in the archive", ["torch.package"]],
  ["load_library loads a native shared library", [
    "torch.ops.load_library",
    "torch._ops.ops.load_library",
    "torch._ops._Ops.load_library",
    "torch.classes.load_library",
    "torch._classes.classes.load_library",
  ]],
  ["it opens network connections, launches processes or runs remote calls", [
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
  ["it downloads and imports remote model code (trust_remote_code)", ["transformers.dynamic_module_utils"]],
  ["it downloads files from the network", [
    "transformers.utils.hub",
    "huggingface_hub",
    "scipy.datasets",
    "keras.utils.get_file",
    "keras.utils.data_utils",
    "keras.src.utils.file_utils",
    "tensorflow.keras.utils.get_file",
    "tf_keras.utils.get_file",
  ]],
  ["it downloads datasets and runs their loading scripts", ["datasets.load_dataset", "datasets.load"]],
  ["sklearn.datasets downloads (fetch_*), reads (load_*) and writes (dump_*) files", ["sklearn.datasets"]],
  ["scikit-learn's test helpers run Python subprocesses and unpickle", [
    "sklearn.utils._testing",
    "sklearn.utils.estimator_checks",
  ]],
  ["it re-exports joblib's loaders and process pools", ["sklearn.utils._joblib", "sklearn.utils.parallel"]],
  ["it imports every scikit-learn module through pkgutil.walk_packages", [
    "sklearn.utils.discovery",
    "sklearn.utils.all_estimators",
  ]],
  ["it reads any attribute named by a string argument and returns or calls it: getattr reaching os.system", [
    "sklearn.metrics._scorer._cached_call",
    "sklearn.metrics._plot.base._check_classifier_response_method",
    "sklearn.inspection._plot.decision_boundary._check_boundary_response_method",
    "sklearn.model_selection._validation._fit_and_predict",
    "sklearn.model_selection._validation.cross_val_predict",
    "sklearn.model_selection.cross_val_predict",
    "sklearn.utils._response",
    "sklearn.utils.validation._check_response_method",
  ]],
  ["it imports the package named by its first argument to read a resource file from it", [
    "sklearn.utils.fixes._open_text",
    "sklearn.utils.fixes._open_binary",
    "sklearn.utils.fixes._read_text",
    "sklearn.utils.fixes._path",
  ]],
  ["export_graphviz writes the tree to any path given as out_file, feature names included verbatim", [
    "sklearn.tree.export_graphviz",
    "sklearn.tree._export.export_graphviz",
  ]],
  ["check_memory creates a joblib cache directory at any path", [
    "sklearn.utils.check_memory",
    "sklearn.utils.validation.check_memory",
  ]],
  ["scikit-learn's build helpers compile and run test programs", ["sklearn._build_utils"]],

  // Network.
  ["it opens network connections or servers (data exfiltration, payload download)", [
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
  ["webbrowser opens URLs by running a browser command", ["webbrowser"]],

  // File system.
  ["shutil copies, moves and deletes files and trees (rmtree) and unpacks archives", ["shutil"]],
  ["tempfile creates files and directories", ["tempfile"]],
  ["it reads or probes arbitrary files", [
    "glob",
    "fileinput",
    "filecmp",
    "linecache",
    "netrc",
    "posixpath",
    "ntpath",
    "genericpath",
  ]],
  ["Path methods read, write, rename and delete files", ["pathlib"]],
  ["it opens, extracts or writes archives and databases on disk", [
    "tarfile",
    "zipfile",
    "dbm",
    "sqlite3",
  ]],
  ["winreg reads and writes the Windows registry", ["winreg"]],
  ["its writers open any path for writing, creating or truncating the file", [
    "wave",
    "aifc",
    "sunau",
    "uu",
    "binhex",
    "zipapp",
    "scipy.io",
  ]],
  ["mailbox creates mailbox files and directories (Maildir, mbox with create=True)", ["mailbox"]],
  ["cgitb.enable(logdir=...) writes a report file into any directory on every uncaught exception", ["cgitb"]],
  ["pstats.Stats reads profile files with marshal and dump_stats writes them", ["pstats"]],
  ["h5py.File creates and truncates files; h5py re-exports sys.modules and importlib.import_module", [
    "h5py",
  ]],
  ["show_versions(as_json=path) writes a file", ["pandas.show_versions", "pandas.util._print_versions"]],
  ["these memory-profiling helpers write pickled snapshots to any path", [
    "torch.cuda.memory._dump_snapshot",
    "torch.cuda.memory._save_segment_usage",
    "torch.cuda.memory._save_memory_usage",
  ]],
  ["it installs packages or creates environments, running setup code", [
    "pip",
    "ensurepip",
    "venv",
    "virtualenv",
    "setuptools",
    "distutils",
  ]],

  // Logging that writes or sends.
  ["logging.config instantiates classes named by strings and listen() takes configs from a socket", [
    "logging.config",
  ]],
  ["logging handlers write files and send records to sockets, SMTP, HTTP and syslog", ["logging.handlers"]],
  ["it opens and writes log files", ["logging.FileHandler", "logging.basicConfig"]],
  ["syslog writes to the system log", ["syslog"]],

  // Debuggers, profilers and test runners: they run code given as strings.
  ["the debugger runs statements (run, runeval, runcall) and reads commands from stdin", ["pdb", "bdb"]],
  ["it runs code given as a string or callable (run, runctx, runcall, Timer(stmt))", [
    "trace",
    "timeit",
    "cProfile",
    "profile",
  ]],
  ["doctest runs the examples in docstrings and scripts (debug_script)", ["doctest"]],
  ["unittest discovers, imports and runs test modules", ["unittest"]],
  ["CPython's test helpers run scripts and subprocesses", [
    "test.support",
    "test.libregrtest",
    "test.test_support",
  ]],
  ["IDLE's runcode and runcommand execute source", ["idlelib"]],
  ["lib2to3's grammar loaders unpickle files and its fixers rewrite source", ["lib2to3"]],

  // Scanners.
  ["reaching into a security scanner can disable or poison its checks; no model needs it", [
    "picklescan",
    "modelscan",
    "fickling",
    "modelaudit",
  ]],
];

/**
 * Exact names inside a denied module that real model files reference and that
 * only rebuild data. They are the only exceptions to "denied wins".
 */
const DENY_EXCEPTIONS: ReadonlySet<string> = new Set([
  // `copyreg.pickle(torch.layout, ...)` makes every pickled layout call this; it looks a name up in a table.
  "torch.serialization._get_layout",
  // TorchScript pickles (data.pkl, *.debug_pkl) type their lists with these: in Python each returns its argument.
  ...["build_intlist", "build_tensorlist", "build_doublelist", "build_boollist", "build_tensor_from_id"]
    .map((f) => `torch.jit._pickle.${f}`),
  "torch.jit._pickle.restore_type_tag",
  // joblib.dump writes one of these per array, the raw array bytes right after it in the stream.
  "joblib.numpy_pickle.NumpyArrayWrapper",
  "sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper",
  // Path objects are inert values (fastai learners, Lightning hyper-parameters); only their methods touch files.
  ...["", "._local"].flatMap((sub) =>
    ["Path", "PosixPath", "WindowsPath", "PurePath", "PurePosixPath", "PureWindowsPath"].map((cls) =>
      `pathlib${sub}.${cls}`
    )
  ),
]);

/**
 * Module segments that are dangerous wherever they appear in a module path,
 * because the package that holds them is a vendored copy or a re-export of a
 * denied module (`joblib.externals.cloudpickle`, `sklearn.externals.six.moves`).
 */
const DANGEROUS_ANYWHERE: ReadonlyMap<string, string> = new Map([
  ["cloudpickle", "a vendored cloudpickle rebuilds functions, code objects and imports"],
]);

/** Two-segment module paths that are dangerous wherever they appear (vendored six). */
const DANGEROUS_PAIRS_ANYWHERE: ReadonlyMap<string, string> = new Map([
  ["six.moves", "six.moves re-exports every standard module (builtins, subprocess, ...) under another name"],
]);

/**
 * Attribute names (not dunders) that lead into frames, code and closures:
 * `gen.gi_frame.f_globals` is as good as `__globals__`.
 */
const INTERNAL_ATTRIBUTES: ReadonlySet<string> = new Set([
  "f_globals",
  "f_locals",
  "f_builtins",
  "f_back",
  "f_code",
  "gi_frame",
  "gi_code",
  "cr_frame",
  "cr_code",
  "ag_frame",
  "ag_code",
  "tb_frame",
  "tb_next",
  "func_globals",
  "func_code",
  "func_closure",
  "im_func",
  "im_self",
  "cell_contents",
]);

/** Method names that load remote or on-disk models (and may run their code) on whatever class carries them. */
const LOADER_ATTRIBUTES: ReadonlySet<string> = new Set([
  "from_pretrained",
  "from_single_file",
  "load_from_checkpoint",
  "load_state_dict_from_url",
]);

/** Why the best-known interpreter internals are dangerous; other dunders get a generic reason. */
const DUNDER_REASONS: ReadonlyMap<string, string> = new Map([
  ["__globals__", "__globals__ is a function's module namespace, __builtins__ and all"],
  ["__builtins__", "__builtins__ holds eval, exec and __import__"],
  ["__subclasses__", "__subclasses__ lists every loaded class: the classic sandbox escape"],
  ["__code__", "__code__ reads or replaces a function's bytecode"],
  ["__class__", "__class__ climbs from any object to its type and on to object.__subclasses__"],
  ["__dict__", "__dict__ exposes and replaces an object's or module's namespace"],
  ["__getattribute__", "__getattribute__ reads any attribute by name"],
  ["__reduce__", "__reduce__ and __reduce_ex__ return a callable and its arguments"],
  ["__reduce_ex__", "__reduce__ and __reduce_ex__ return a callable and its arguments"],
  ["__init__", "__init__ leads to __init__.__globals__"],
  ["__loader__", "__loader__ loads and runs module source"],
  ["__main__", "importing a __main__ submodule runs a program's entry point"],
]);

/** Dunder module roots that name ordinary places classes live (`__main__.MyModel`), not internals. */
const ALLOWED_DUNDER_ROOTS: ReadonlySet<string> = new Set(["__main__", "__mp_main__", "__future__"]);

/** Dunder names that pickle's own protocol emits (protocol 2 objects whose class defines `__reduce_ex__`). */
const ALLOWED_DUNDER_PATHS: ReadonlySet<string> = new Set(["copyreg.__newobj__", "copyreg.__newobj_ex__"]);

// ---------------------------------------------------------------------------
// The safe tier.
// ---------------------------------------------------------------------------

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

/** SciPy's sparse formats: each has a `<format>_matrix` and, since SciPy 1.8, a `<format>_array` class. */
const SCIPY_SPARSE_FORMATS = ["csr", "csc", "coo", "bsr", "dia", "dok", "lil"];

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
 * Exact globals that only rebuild data. Each family says why it is inert:
 * calling it with any arguments builds a value and runs no code beyond the
 * constructors of classes the pickle must import (and so name) separately.
 */
const SAFE_EXACT: ReadonlySet<string> = new Set([
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
  ...["core", "_core"].flatMap((core) => [`numpy.${core}.records.recarray`, `numpy.${core}.records.record`]),
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
]);

/** How a safe family constrains the name imported from one of its modules. */
interface SafeFamily {
  /** Shown as the verdict's entry. */
  entry: string;
  /** Whether `moduleSegs` (starting with the family root) and the single-segment `name` belong to the family. */
  accepts(moduleSegs: readonly string[], name: string): boolean;
}

const startsUpper = (name: string) => name.charCodeAt(0) >= 65 && name.charCodeAt(0) <= 90;

/** Module segments that hold tests and fixtures, never model classes. */
const TEST_SEGMENTS: ReadonlySet<string> = new Set(["tests", "test", "conftest", "_testing", "testing"]);

/** Transformers modules whose CamelCase names are configuration classes. */
const isTransformersConfigModule = (last: string) =>
  last.startsWith("configuration_") || last === "quantization_config";

/** Families keyed by their root module path. */
const SAFE_FAMILIES: ReadonlyMap<string, SafeFamily> = new Map<string, SafeFamily>([
  // Layers: classes that hold parameters and call tensor ops; methods and module-level helpers are not included.
  ["torch.nn.modules", { entry: "torch.nn.modules.*", accepts: (_m, name) => startsUpper(name) }],
  // Estimators, their Cython helpers (`__pyx_unpickle_*`, `newObj`) and scorer functions: fitted-state rebuilders.
  // The denylist removes the subpackages that load, download or run things; test modules are excluded here, and
  // so are private helper functions (`_cached_call` calls any method named by a string), which no model names.
  ["sklearn", {
    entry: "sklearn.*",
    accepts: (m, name) =>
      !m.some((s) => TEST_SEGMENTS.has(s)) && (!/^_[a-z]/.test(name) || name === "_passthrough_scorer"),
  }],
  // Configuration classes (`transformers.models.bert.configuration_bert.BertConfig`, `GenerationConfig`).
  ["transformers", {
    entry: "transformers.*.configuration_*",
    accepts: (m, name) => isTransformersConfigModule(m[m.length - 1]) && startsUpper(name),
  }],
  // numpy 2 DType classes (`numpy.dtypes.Float64DType`).
  ["numpy.dtypes", {
    entry: "numpy.dtypes.*DType",
    accepts: (m, name) => m.length === 2 && name.endsWith("DType"),
  }],
]);

/** The deepest family root, in segments: longer module prefixes cannot name a family. */
const MAX_FAMILY_ROOT_SEGMENTS = Math.max(...[...SAFE_FAMILIES.keys()].map((root) => root.split(".").length));

/**
 * Names that a family module may re-export from elsewhere and that load,
 * open, import or run things: such a name is never safe by family membership
 * (`from importlib import import_module` in a scikit-learn module). The last
 * segment of every denylist entry joins them (`reduce`, `attrgetter`, `os`).
 */
const FAMILY_EXCLUDED_NAMES: ReadonlySet<string> = new Set([
  ...DENIED.flatMap(([, paths]) => paths.map((p) => p.replace(/\.\*$/, "").split(".").pop()!)),
  "load",
  "loads",
  "dump",
  "dumps",
  "save",
  "open",
  "system",
  "popen",
  "exec",
  "eval",
  "compile",
  "getattr",
  "setattr",
  "delattr",
  "import_module",
  "walk_packages",
  "iter_modules",
  "run",
  "call",
  "Popen",
  "check_output",
  "check_call",
  "getoutput",
  "urlopen",
  "urlretrieve",
  "rmtree",
  "remove",
  "unlink",
  "rename",
  "makedirs",
  "mkdir",
  "chmod",
  "kill",
  "fork",
  "dlopen",
  "cached_file",
  "hf_hub_download",
  "snapshot_download",
  "download_url",
  "get_file",
]);

/** Callables whose first argument is a serialized payload the machine should scan. */
const NESTED_LOADERS: ReadonlySet<string> = new Set([
  "pickle.loads",
  "pickle._loads",
  "dill.loads",
  "dill._dill.loads",
  "cloudpickle.loads",
  "cloudpickle.cloudpickle.loads",
  "cloudpickle.cloudpickle_fast.loads",
  "srsly.pickle_loads",
  "joblib.load",
  "joblib.numpy_pickle.load",
  "sklearn.externals.joblib.load",
  "torch.load",
  "torch.serialization.load",
  "torch.storage._load_from_bytes",
  "numpy.loads",
  "numpy.core.numeric.loads",
  "numpy._core.numeric.loads",
  "numpy.ma.loads",
  "numpy.ma.core.loads",
  "pandas.compat.pickle_compat.loads",
  "keras.saving.pickle_utils.deserialize_model_from_bytecode",
  "keras.src.saving.pickle_utils.deserialize_model_from_bytecode",
]);

/** The longest path in {@linkcode NESTED_LOADERS}, in segments: longer suffixes cannot match. */
const MAX_LOADER_SEGMENTS = 5;

// ---------------------------------------------------------------------------
// Lookup structures.
// ---------------------------------------------------------------------------

interface DenyRule {
  readonly path: string;
  readonly reason: string;
  /** Denies only what lies strictly under `path`. */
  readonly membersOnly: boolean;
}

interface TrieNode {
  rule?: DenyRule;
  children?: Map<string, TrieNode>;
}

function buildDenyTrie(): TrieNode {
  const root: TrieNode = {};
  for (const [reason, paths] of DENIED) {
    for (const written of paths) {
      const membersOnly = written.endsWith(".*");
      const path = membersOnly ? written.slice(0, -2) : written;
      let node = root;
      for (const seg of path.split(".")) {
        node.children ??= new Map();
        let next = node.children.get(seg);
        if (!next) node.children.set(seg, next = {});
        node = next;
      }
      if (node.rule) throw new Error(`Duplicate denylist entry: ${path}`);
      node.rule = { path, reason, membersOnly };
    }
  }
  return root;
}

const DENY_TRIE = buildDenyTrie();

interface TrieHit {
  rule: DenyRule;
  /** The match is a single-segment module name at the very end of an attribute chain. */
  bare: boolean;
}

/**
 * Walks the denylist along `head` then `segs[from..]` and returns the first
 * (shortest) entry that applies. With `viaAttribute` the walk starts at an
 * attribute of another object, where a lone segment such as `trace` may just
 * be a function of that name (`numpy.trace`): such a hit is marked `bare`
 * instead of denied.
 */
function walkDenied(
  head: readonly string[],
  segs: readonly string[],
  from: number,
  viaAttribute: boolean,
): TrieHit | undefined {
  const total = head.length + segs.length - from;
  let node: TrieNode | undefined = DENY_TRIE;
  for (let i = 0; i < total; i++) {
    const seg = i < head.length ? head[i] : segs[from + i - head.length];
    node = node.children?.get(seg);
    if (!node) return undefined;
    const rule = node.rule;
    if (!rule) continue;
    const more = i + 1 < total;
    if (rule.membersOnly) {
      if (more) return { rule, bare: false };
      continue;
    }
    return { rule, bare: viaAttribute && !more && i === 0 };
  }
  return undefined;
}

/** A segment as the module it names when it is an alias (`posix` -> `os`), else itself. */
function aliased(seg: string): readonly string[] {
  return MODULE_ALIASES.get(seg) ?? [seg];
}

/** Module and name segments after the unpickler's own renaming. */
function canonicalize(module: string, name: string): { mod: string[]; name: string[] } {
  const modRaw = module.split(".");
  const mod = [...aliased(modRaw[0]), ...modRaw.slice(1)];
  const nameSegs = name.split(".");
  if (mod.length === 1) {
    const renamed = NAME_ALIASES.get(`${mod.join(".")}.${nameSegs[0]}`);
    if (renamed) {
      return { mod: renamed.slice(0, -1), name: [renamed[renamed.length - 1], ...nameSegs.slice(1)] };
    }
  }
  return { mod, name: nameSegs };
}

const XID_IDENTIFIER = /^[\p{XID_Start}_]\p{XID_Continue}*$/u;

/** Whether `seg` is a Python identifier (fast path for ASCII). */
function isIdentifier(seg: string): boolean {
  if (seg.length === 0) return false;
  for (let i = 0; i < seg.length; i++) {
    const c = seg.charCodeAt(i);
    if (c >= 128) return XID_IDENTIFIER.test(seg);
    const letter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
    if (!letter && !(i > 0 && c >= 48 && c <= 57)) return false;
  }
  return true;
}

const isDunder = (seg: string) => seg.length >= 4 && seg.startsWith("__") && seg.endsWith("__");

function denied(entry: string, reason: string): ImportVerdict {
  return { tier: "denied", reason, entry };
}

/** The first dunder or internal-attribute segment that reaches interpreter internals, as a verdict. */
function internalsVerdict(
  full: readonly string[],
  moduleLength: number,
  path: string,
): ImportVerdict | undefined {
  if (ALLOWED_DUNDER_PATHS.has(path)) return undefined;
  for (let i = 0; i < full.length; i++) {
    const seg = full[i];
    if (isDunder(seg)) {
      if (i === 0 && ALLOWED_DUNDER_ROOTS.has(seg)) continue;
      const why = DUNDER_REASONS.get(seg) ??
        `${seg} is a Python special attribute; serializers never import one, payloads use them to reach internals`;
      return denied(seg, why);
    }
    if (i >= moduleLength && INTERNAL_ATTRIBUTES.has(seg)) {
      return denied(seg, `${seg} reaches frames, code objects or closures and through them every global`);
    }
    if (i >= moduleLength && LOADER_ATTRIBUTES.has(seg)) {
      return denied(seg, `${seg} loads a model from disk or the network, which may run its code`);
    }
  }
  return undefined;
}

/** The verdict of the module path's vendored or re-exported dangerous segments, wherever they sit. */
function anywhereVerdict(mod: readonly string[]): ImportVerdict | undefined {
  for (let i = 0; i < mod.length; i++) {
    const reason = DANGEROUS_ANYWHERE.get(mod[i]);
    if (reason) return denied(mod[i], reason);
    if (i + 1 < mod.length) {
      const pair = `${mod[i]}.${mod[i + 1]}`;
      const pairReason = DANGEROUS_PAIRS_ANYWHERE.get(pair);
      if (pairReason) return denied(pair, pairReason);
    }
  }
  return undefined;
}

function safeVerdict(
  mod: readonly string[],
  name: readonly string[],
  path: string,
): ImportVerdict | undefined {
  if (SAFE_EXACT.has(path)) return { tier: "safe", entry: path };
  if (name.length !== 1 || FAMILY_EXCLUDED_NAMES.has(name[0])) return undefined;
  let prefix = "";
  for (let i = 0; i < Math.min(mod.length, MAX_FAMILY_ROOT_SEGMENTS); i++) {
    prefix = i === 0 ? mod[0] : `${prefix}.${mod[i]}`;
    const family = SAFE_FAMILIES.get(prefix);
    if (family?.accepts(mod, name[0])) return { tier: "safe", entry: family.entry };
  }
  return undefined;
}

/**
 * Classifies what a pickle import (module + possibly dotted name) resolves to.
 * Denied wins over safe; strings that cannot be a Python import path are at
 * best unknown.
 *
 * @example
 * ```ts
 * import { classifyImport } from "./policy.ts";
 * classifyImport("posix", "system").tier; // "denied" (entry "os")
 * classifyImport("pathlib", "os.system").entry; // "os"
 * classifyImport("torch._utils", "_rebuild_tensor_v2").tier; // "safe"
 * classifyImport("mypkg.models", "Net").tier; // "unknown"
 * ```
 */
export function classifyImport(module: string, name: string): ImportVerdict {
  const { mod, name: nameSegs } = canonicalize(module, name);
  const full = [...mod, ...nameSegs];
  const path = full.join(".");
  const valid = full.every(isIdentifier);
  if (valid && DENY_EXCEPTIONS.has(path)) return { tier: "safe", entry: path };

  // Attribute chains first: `pathlib` + `os.system` is about os, not pathlib.
  let bareModule: string | undefined;
  for (let s = mod.length; s < full.length; s++) {
    const hit = walkDenied(aliased(full[s]), full, s + 1, true);
    if (!hit) continue;
    if (!hit.bare) return denied(hit.rule.path, hit.rule.reason);
    bareModule ??= hit.rule.path;
  }
  const hit = walkDenied([], full, 0, false);
  if (hit) return denied(hit.rule.path, hit.rule.reason);
  const structural = anywhereVerdict(mod) ?? internalsVerdict(full, mod.length, path);
  if (structural) return structural;
  // Only then the names libraries keep dangerous things under, so that `io.open` stays its own entry.
  for (let s = mod.length; s < full.length; s++) {
    const alias = ATTRIBUTE_ALIASES.get(full[s]);
    const aliasHit = alias && walkDenied(alias, full, s + 1, true);
    if (!aliasHit) continue;
    if (!aliasHit.bare) return denied(aliasHit.rule.path, aliasHit.rule.reason);
    bareModule ??= aliasHit.rule.path;
  }

  if (!valid) {
    return { tier: "unknown", reason: "the module or name is not a dotted Python identifier path" };
  }
  if (bareModule !== undefined) {
    return {
      tier: "unknown",
      reason:
        `"${bareModule}" is also a dangerous module's name: check this is not that module reached by attribute`,
    };
  }
  return safeVerdict(mod, nameSegs, path) ?? { tier: "unknown" };
}

/**
 * Whether the callable takes a serialized payload (a pickle, or an archive
 * holding one) as its first argument, so the machine should scan that
 * argument as a nested file. Independent of the tier: `pickle.loads` is
 * denied, `torch.storage._load_from_bytes` is safe, both are loaders.
 *
 * @example
 * ```ts
 * import { isNestedLoader } from "./policy.ts";
 * isNestedLoader("_pickle", "loads"); // true
 * isNestedLoader("torch.storage", "_load_from_bytes"); // true
 * isNestedLoader("collections", "OrderedDict"); // false
 * ```
 */
export function isNestedLoader(module: string, name: string): boolean {
  const { mod, name: nameSegs } = canonicalize(module, name);
  const full = [...mod, ...nameSegs];
  if (NESTED_LOADERS.has(full.join("."))) return true;
  for (let s = Math.max(mod.length, full.length - MAX_LOADER_SEGMENTS); s < full.length; s++) {
    if (NESTED_LOADERS.has([...aliased(full[s]), ...full.slice(s + 1)].join("."))) return true;
  }
  return false;
}

/**
 * Whether the import is `builtins.getattr` (under any of its Python 2 names).
 * A pickle calls it as `getattr(Class, "member")` to reach an enum member
 * (Python 3.11's `Enum.__reduce_ex__` does), which is the same lookup as
 * importing `Class.member`: the machine classifies that path instead of
 * condemning every enum.
 *
 * @example
 * ```ts
 * import { isAttributeGetter } from "./policy.ts";
 * isAttributeGetter("__builtin__", "getattr"); // true
 * isAttributeGetter("operator", "attrgetter"); // false
 * ```
 */
export function isAttributeGetter(module: string, name: string): boolean {
  const { mod, name: nameSegs } = canonicalize(module, name);
  return mod.length === 1 && mod[0] === "builtins" && nameSegs.length === 1 && nameSegs[0] === "getattr";
}

/**
 * Every denylist path as written (a trailing `.*` marks members-only
 * entries). Exported for tests.
 *
 * @example
 * ```ts
 * import { _denylistPaths } from "./policy.ts";
 * _denylistPaths().includes("os"); // true
 * ```
 */
export function _denylistPaths(): string[] {
  return DENIED.flatMap(([, paths]) => paths);
}

/**
 * Every exact safe name, including the exceptions inside denied modules.
 * Exported for tests.
 *
 * @example
 * ```ts
 * import { _safeExactNames } from "./policy.ts";
 * _safeExactNames().includes("collections.OrderedDict"); // true
 * ```
 */
export function _safeExactNames(): string[] {
  return [...SAFE_EXACT, ...DENY_EXCEPTIONS];
}
