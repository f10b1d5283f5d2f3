/**
 * Aliases: the other names under which Python reaches a module or a callable.
 * Pure data; the policy (`../callables.ts`) folds them before matching.
 *
 * @module
 */

/**
 * Module aliases. Python 3's unpickler maps Python 2 module names through
 * `_compat_pickle` for protocols 0-2 (`__builtin__` -> `builtins`,
 * `copy_reg` -> `copyreg`, `commands` -> `subprocess`, ...), and `posix`/`nt`
 * are the modules `os` re-exports. C accelerator modules (`_pickle`, `_io`,
 * `_socket`, ...) expose the same callables as their public twins.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MODULE_ALIASES } from "./aliases.ts";
 * assert.equal(MODULE_ALIASES.posix, "os");
 * ```
 */
export const MODULE_ALIASES: Readonly<Record<string, string>> = {
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
};

/**
 * Name aliases applied after the module alias: Python 2 builtins that
 * `_compat_pickle.NAME_MAPPING` sends elsewhere (`__builtin__.reduce` is
 * `functools.reduce`, `__builtin__.raw_input` is `builtins.input`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NAME_ALIASES } from "./aliases.ts";
 * assert.equal(NAME_ALIASES["builtins.reduce"], "functools.reduce");
 * ```
 */
export const NAME_ALIASES: Readonly<Record<string, string>> = {
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
};

/**
 * Attribute aliases: names under which modules keep a dangerous module or
 * callable as an attribute (`import os as _os` in `random`, `from builtins
 * import open as _builtin_open` in `tokenize`), and the best-known dangerous
 * callables, which libraries re-export under their own name. A dotted name
 * reaches them by attribute access (`random` + `_os.system`), a plain one
 * directly (`tokenize` + `_builtin_open`), so they are resolved in the name
 * part of an import only, never as a module.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ATTRIBUTE_ALIASES } from "./aliases.ts";
 * assert.equal(ATTRIBUTE_ALIASES._os, "os");
 * ```
 */
export const ATTRIBUTE_ALIASES: Readonly<Record<string, string>> = {
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
    ["exec", "spawn"].flatMap((f) => "l le lp lpe v ve vp vpe".split(" ").map((s) => [f + s, `os.${f}${s}`])),
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
};
