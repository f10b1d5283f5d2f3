/**
 * What TorchScript code must not refer to: modules, builtins and torch functions
 * that run code or reach the file system, the network or other processes, with
 * why. {@linkcode judge} decides for a dotted name whose head the source does not
 * bind itself; the scope analysis in `torchscript.ts` decides which heads those are.
 *
 * @module
 */

import { dangerousModuleCallee, SOURCE_ALIASES } from "../pickle/embedded.ts";

/** A dangerous name as written, and why it is dangerous. */
export interface Verdict {
  /** The name as written, dotted, e.g. `os.system`. */
  call: string;
  /** Why referring to it is dangerous. */
  reason: string;
}

/** Modules any reference to which is dangerous, with why; aliases are folded first. */
const MODULES: ReadonlyMap<string, string> = new Map([
  ["os", "os runs commands and reaches files and processes"],
  ["subprocess", "subprocess starts processes"],
  ["commands", "commands runs shell commands"],
  ["pty", "pty spawns processes"],
  ["multiprocessing", "multiprocessing starts processes"],
  ["socket", "socket opens network connections"],
  ["urllib", "urllib fetches URLs"],
  ["urllib2", "urllib2 fetches URLs"],
  ["urllib3", "urllib3 fetches URLs"],
  ["requests", "requests fetches URLs"],
  ["http", "http opens network connections"],
  ["ftplib", "ftplib opens network connections"],
  ["smtplib", "smtplib opens network connections"],
  ["telnetlib", "telnetlib opens network connections"],
  ["webbrowser", "webbrowser opens URLs"],
  ["ctypes", "ctypes loads native libraries and calls into them"],
  ["importlib", "importlib imports modules, running their code"],
  ["runpy", "runpy runs modules and scripts"],
  ["builtins", "builtins holds eval, exec, open and __import__"],
  ["shutil", "shutil copies, moves and deletes files"],
  ["pickle", "pickle runs code while loading"],
  ["marshal", "marshal loads code objects"],
  ["dill", "dill runs code while loading"],
  ["cloudpickle", "cloudpickle runs code while loading"],
]);

/** Builtins dangerous to call (or to hold, to call later), with why. */
const BUILTIN_CALLS: ReadonlyMap<string, string> = new Map([
  ["eval", "eval runs source text"],
  ["exec", "exec runs source text"],
  ["execfile", "execfile runs a source file"],
  ["compile", "compile turns source text into code to run"],
  ["open", "open reads and writes files"],
  ["breakpoint", "breakpoint starts a debugger"],
  ["globals", "globals reaches the module namespace and its __builtins__"],
  ["vars", "vars reaches a namespace and its __builtins__"],
]);

/** torch functions that reach the system, TorchScript builtins among them; keys are normalized paths. */
const TORCH_CALLS: ReadonlyMap<string, string> = new Map([
  ["torch.save", "torch.save writes a file, and TorchScript compiles it"],
  [
    "torch.from_file",
    "torch.from_file maps a file into memory, creating it when shared, and TorchScript compiles it",
  ],
  ["torch.load", "torch.load unpickles a file"],
  ["torch.ops.load_library", "load_library loads a native library"],
  ["torch.classes.load_library", "load_library loads a native library"],
  ["torch.jit.load", "torch.jit.load loads and runs another TorchScript archive"],
  ["torch.jit.save", "torch.jit.save writes a file"],
]);

/** torch packages whose every function reaches the system. */
const TORCH_PACKAGES: ReadonlyMap<string, string> = new Map([
  ["torch.hub", "torch.hub downloads and runs code"],
  ["torch.utils.cpp_extension", "torch.utils.cpp_extension compiles and loads native code"],
  ["torch.distributed.rpc", "torch.distributed.rpc runs functions on other machines"],
  ["torch.package", "torch.package imports code shipped in a package"],
]);

/** `sys` attributes that reach other modules or frames. */
const SYS_ATTRIBUTES: ReadonlyMap<string, string> = new Map([
  ["modules", "sys.modules reaches every loaded module"],
  ["_getframe", "sys._getframe reaches frames and their globals"],
]);

/** The module a name stands for in source: `posix` is `os`. */
const canonical = (name: string): string => SOURCE_ALIASES.get(name) ?? name;

/**
 * Why a module is dangerous to import, if it is.
 *
 * @example
 * ```ts
 * import { judgeModule } from "./torchscript_calls.ts";
 * judgeModule(["subprocess"]); // "subprocess starts processes"
 * ```
 */
export function judgeModule(segments: readonly string[]): string | undefined {
  const head = canonical(segments[0]);
  return MODULES.get(head) ?? (head === "sys" ? "sys reaches every loaded module and frame" : undefined) ??
    judge(segments)?.reason;
}

/**
 * Whether a dotted name (a head not bound in the source) is dangerous: a dangerous module or
 * builtin, a torch function that reaches the system, or a dangerous call of the table MA108
 * uses. A reference counts without a call: `f = eval` is as bad as `eval(...)`, and TorchScript
 * has no use for any of them.
 *
 * @example
 * ```ts
 * import { judge } from "./torchscript_calls.ts";
 * judge(["torch", "save"])?.reason; // "torch.save writes a file, and TorchScript compiles it"
 * judge(["torch", "relu"]); // undefined
 * ```
 */
export function judge(segments: readonly string[]): Verdict | undefined {
  const call = segments.join(".");
  const head = canonical(segments[0]);
  const module = MODULES.get(head);
  if (module) return { call, reason: module };
  if (segments.length === 1) {
    if (head === "__import__") return { call, reason: "__import__ imports modules by name" };
    const builtin = BUILTIN_CALLS.get(head);
    return builtin ? { call, reason: builtin } : undefined;
  }
  if (head === "sys") {
    const reason = SYS_ATTRIBUTES.get(segments[1]);
    return reason ? { call, reason } : undefined;
  }
  const torch = torchPath(segments);
  if (torch !== undefined) {
    const reason = TORCH_CALLS.get(torch) ??
      [...TORCH_PACKAGES].find(([pkg]) => torch === pkg || torch.startsWith(`${pkg}.`))?.[1];
    return reason ? { call, reason } : undefined;
  }
  const callee = dangerousModuleCallee([head, ...segments.slice(1)].join("."));
  return callee ? { call, reason: `${callee} runs code or reaches the system` } : undefined;
}

/** Verdicts of dotted names already judged: code repeats a few names (`torch.add`) many times. */
const JUDGED = new Map<string, Verdict | null>();
/** Names whose verdict is kept: far more than the distinct names of real code; past it names are judged anew. */
const MAX_JUDGED = 16_384;

/**
 * {@linkcode judge}, remembering verdicts.
 *
 * @example
 * ```ts
 * import { judgeOnce } from "./torchscript_calls.ts";
 * judgeOnce(["eval"])?.call; // "eval"
 * ```
 */
export function judgeOnce(segments: readonly string[]): Verdict | undefined {
  const key = segments.join(".");
  const known = JUDGED.get(key);
  if (known !== undefined) return known ?? undefined;
  const verdict = judge(segments);
  if (JUDGED.size < MAX_JUDGED) JUDGED.set(key, verdict ?? null);
  return verdict;
}

/** A torch path as TorchScript resolves it: `ops.x` is `torch.ops.x`, `torch.ops.aten.save` is `torch.save`. */
function torchPath(segments: readonly string[]): string | undefined {
  const path = segments[0] === "ops"
    ? ["torch", ...segments]
    : segments[0] === "torch"
    ? [...segments]
    : undefined;
  if (!path) return undefined;
  if (path[1] === "ops" && path[2] === "aten" && path.length > 3) path.splice(1, 2);
  return path.join(".");
}
