/**
 * The names a Jinja sandbox escape needs, as data: Python internals, what runs
 * commands or code, and the globals that lead to Python's module globals. The
 * analysis (`analyze.ts`) decides where a name counts; these tables only say which.
 *
 * @module
 */

/**
 * Dunder attributes that the steps of a sandbox escape go through; a string that merely
 * contains one of them (a variable later used as a key) is as suspect as the attribute.
 */
const ESCAPE_DUNDERS = [
  "__class__",
  "__mro__",
  "__base__",
  "__bases__",
  "__subclasses__",
  "__globals__",
  "__builtins__",
  "__init__",
  "__import__",
  "__getattribute__",
  "__getattr__",
  "__dict__",
  "__code__",
  "__func__",
  "__self__",
  "__module__",
  "__closure__",
  "__reduce__",
  "__reduce_ex__",
  "__loader__",
  "__spec__",
  "__call__",
  "__getitem__",
  "__wrapped__",
  "__qualname__",
  "__new__",
];

/** Python attributes of frames, generators and functions that lead to globals without dunders. */
const FRAME_ATTRIBUTES = [
  "func_globals",
  "f_globals",
  "f_locals",
  "f_builtins",
  "f_back",
  "gi_frame",
  "gi_code",
  "cr_frame",
  "ag_frame",
  "tb_frame",
  "co_code",
  "mro",
];

/** Modules and callables that run commands or code once reached. */
const DANGEROUS_NAMES = new Set([
  "os",
  "sys",
  "posix",
  "nt",
  "subprocess",
  "popen",
  "Popen",
  "system",
  "spawn",
  "spawnl",
  "spawnv",
  "execl",
  "execv",
  "execve",
  "execvp",
  "fork",
  "pty",
  "eval",
  "exec",
  "execfile",
  "compile",
  "import",
  "import_module",
  "importlib",
  "load_module",
  "builtins",
  "getattr",
  "setattr",
  "delattr",
  "globals",
  "locals",
  "vars",
  "open",
  "file",
  "modules",
  "check_output",
  "check_call",
  "getoutput",
  "getstatusoutput",
  "communicate",
  "socket",
  "shutil",
  "ctypes",
  "cdll",
  "marshal",
  "pickle",
  "loads",
  ...FRAME_ATTRIBUTES,
]);

/**
 * Jinja's default globals (and Flask's) whose attributes lead to Python globals or to
 * the template context: `lipsum.__globals__` is the module that imported `os`.
 */
const GLOBALS_OBJECTS = new Set([
  "lipsum",
  "cycler",
  "joiner",
  "namespace",
  "range",
  "dict",
  "self",
  "config",
  "request",
  "session",
  "url_for",
  "get_flashed_messages",
  "g",
]);

/**
 * How a name reads to a Python sandbox: a dunder (`__globals__`), a name-mangled private
 * attribute (`_TemplateReference__context`), another private name (`_x`), or none of these.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { privacyOf } from "./names.ts";
 * assert.equal(privacyOf("__globals__"), "dunder");
 * assert.equal(privacyOf("_TemplateReference__context"), "mangled");
 * assert.equal(privacyOf("_cache"), "private");
 * assert.equal(privacyOf("content"), undefined);
 * ```
 */
export function privacyOf(name: string): "dunder" | "mangled" | "private" | undefined {
  if (/^__\w+__$/.test(name)) return "dunder";
  if (/^_[A-Za-z][A-Za-z0-9]*__\w+$/.test(name)) return "mangled";
  if (name.startsWith("_") && name.length > 1) return "private";
  return undefined;
}

/**
 * The first dunder of a sandbox escape that `text` contains, anywhere in it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeDunderIn } from "./names.ts";
 * assert.equal(escapeDunderIn("x.__globals__.os"), "__globals__");
 * assert.equal(escapeDunderIn("<|im_start|>"), undefined);
 * ```
 */
export function escapeDunderIn(text: string): string | undefined {
  if (!text.includes("__")) return undefined;
  return ESCAPE_DUNDERS.find((dunder) => text.includes(dunder));
}

/**
 * Whether `name` is a module or callable that runs commands or code (`os`, `popen`, `eval`...).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isDangerousName } from "./names.ts";
 * assert.equal(isDangerousName("popen"), true);
 * assert.equal(isDangerousName("content"), false);
 * ```
 */
export function isDangerousName(name: string): boolean {
  return DANGEROUS_NAMES.has(name);
}

/**
 * Whether `name` is a Jinja or Flask global whose attributes lead to Python globals.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isGlobalsObject } from "./names.ts";
 * assert.equal(isGlobalsObject("lipsum"), true);
 * assert.equal(isGlobalsObject("messages"), false);
 * ```
 */
export function isGlobalsObject(name: string): boolean {
  return GLOBALS_OBJECTS.has(name);
}
