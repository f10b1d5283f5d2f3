// The Python source analysis on its own: how callees resolve through imports, aliases and
// reflection, which calls run at import time, what stays clean in real-looking model code, and
// what hostile input costs.
import assert from "node:assert/strict";
import { CallablePolicy } from "../../../policy/callables.ts";
import { analyzePythonSource } from "../../../scanners/python/analyze.ts";
import { DEFAULT_PYTHON_OPTIONS } from "../../../scanners/option_catalog.ts";

const policy = CallablePolicy.standard();

/** `callable category line:col import|call` of each dangerous call of `source`. */
function brief(source: string, extra = policy): string[] {
  return analyzePythonSource(source, extra).calls.map((c) =>
    `${c.callable} ${c.category} ${c.line}:${c.column} ${c.importTime ? "import" : "call"}`
  );
}

const lines = (...text: string[]) => text.join("\n") + "\n";

Deno.test("python analysis: imports and their aliases resolve to the module they name", () => {
  assert.deepEqual(
    brief(lines(
      "import os as o",
      "from subprocess import Popen as P, check_output",
      "import importlib.util",
      "import ctypes.util",
      "o.system('echo pwned')",
      "P(['echo', 'pwned'])",
      "check_output('id', shell=True)",
      "ctypes.util.find_library('c')",
      "ctypes.CDLL(None)",
    )),
    [
      "os.system process 5:1 import",
      "subprocess.Popen process 6:1 import",
      "subprocess.check_output process 7:1 import",
      "ctypes.util.find_library native 8:1 import",
      "ctypes.CDLL native 9:1 import",
    ],
  );
});

Deno.test("python analysis: reflection is followed to what it reaches", () => {
  assert.deepEqual(
    brief(lines(
      "import os, builtins, importlib",
      "getattr(os, 'system')('a')",
      "getattr(__import__('os'), 'sys' 'tem')('b')",
      "getattr(os, 'sys' + 'tem')('c')",
      "builtins.eval('1')",
      "__builtins__['exec']('2')",
      "builtins.__dict__['compile']('3', 'f', 'exec')",
      "importlib.import_module('subprocess').call('d')",
      "__import__('\\x6fs').popen('e')",
    )),
    [
      "os.system process 2:1 import",
      "os.system process 3:1 import",
      "builtins.__import__ import 3:9 import",
      "os.system process 4:1 import",
      "builtins.eval code 5:1 import",
      "builtins.exec code 6:1 import",
      "builtins.compile code 7:1 import",
      "subprocess.call process 8:1 import",
      "importlib.import_module import 8:1 import",
      "os.popen process 9:1 import",
      "builtins.__import__ import 9:1 import",
    ],
  );
});

Deno.test("python analysis: identifiers are NFKC-normalized as Python normalizes them", () => {
  assert.deepEqual(brief("import \uff4f\uff53\n\uff4f\uff53.system('x')\n\uff45\uff56\uff41\uff4c('y')\n"), [
    "os.system process 2:1 import",
    "builtins.eval code 3:1 import",
  ]);
});

Deno.test("python analysis: namespaces subscripted by name, and getattr of a module with a computed name", () => {
  assert.deepEqual(
    brief(lines(
      "import os, sys",
      "from subprocess import run",
      "def f(cmd, name, config):",
      "    getattr(os, cmd)('x')",
      "    getattr(config, name)",
      "    getattr(sys, name)",
      "    globals()['os'].system('g')",
      "    vars(os)['popen']('v')",
      "    sys.modules['subprocess'].call('m')",
      "    globals()['run']('r')",
    )),
    [
      "os process 4:5 call",
      "os.system process 7:5 call",
      "os.popen process 8:5 call",
      "subprocess.call process 9:5 call",
      "subprocess.run process 10:5 call",
    ],
  );
});

Deno.test("python analysis: a dangerous callable handed to a call that calls it is reported at the argument", () => {
  const source = lines(
    "import os, threading, functools, subprocess, socket, sys",
    "list(map(os.system, ['echo pwned']))",
    "f = functools.partial(eval, '1')",
    "threading.Thread(target=os.system, args=('x',)).start()",
    "subprocess.Popen(['x'], stdout=subprocess.PIPE)",
    "s = open_socket(socket.AF_INET)",
    "print('x', file=sys.stderr)",
    "env = dict(os.environ)",
    "register(os)",
  );
  assert.deepEqual(brief(source), [
    "os.system process 2:10 import",
    "builtins.eval code 3:23 import",
    // The call itself is reported; what it is handed is not reported again.
    "threading.Thread process 4:1 import",
    "subprocess.Popen process 5:1 import",
  ]);
  assert.deepEqual(analyzePythonSource(source, policy).calls.map((c) => c.passedTo ?? null), [
    "map",
    "functools.partial",
    null,
    null,
  ]);
});

Deno.test("python analysis: assignments alias callables, in any order and through each other", () => {
  assert.deepEqual(
    brief(lines(
      "def go():",
      "    runner('x')",
      "import subprocess as sp",
      "run = sp.run",
      "runner = run",
      "(e := eval)('1')",
    )),
    ["subprocess.run process 2:5 call", "builtins.eval code 6:1 import"],
  );
  // A cycle of names resolves to nothing, without looping.
  assert.deepEqual(brief("a = b\nb = a\na('x')\n"), []);
});

Deno.test("python analysis: import time covers module level, class bodies, decorators, defaults, top-level blocks", () => {
  assert.deepEqual(
    brief(lines(
      "import os",
      "@register(os.popen('a'))",
      "def f(x=eval('1')):",
      "    os.system('in body')",
      "class A:",
      "    y = exec('2')",
      "    def m(self):",
      "        return os.execv('/bin/sh', [])",
      "try:",
      "    os.system('try')",
      "except Exception:",
      "    pass",
      "with os.popen('w') as p:",
      "    pass",
      "g = lambda: os.system('lambda')",
    )),
    [
      "os.popen process 2:11 import",
      "builtins.eval code 3:9 import",
      "os.system process 4:5 call",
      "builtins.exec code 6:9 import",
      "os.execv process 8:16 call",
      "os.system process 10:5 import",
      "os.popen process 13:6 import",
      "os.system process 15:13 call",
    ],
  );
});

Deno.test("python analysis: functions the module calls at import time run at import time", () => {
  assert.deepEqual(
    brief(lines(
      "import os",
      "def _helper():",
      "    os.system('helper')",
      "def _init():",
      "    _helper()",
      "def _unused():",
      "    os.system('unused')",
      "@_init_decorator",
      "def g():",
      "    pass",
      "def _init_decorator(fn):",
      "    os.popen('decorator')",
      "_init()",
    )),
    [
      "os.system process 3:5 import",
      "os.system process 7:5 call",
      "os.popen process 12:5 import",
    ],
  );
});

Deno.test("python analysis: the __main__ block runs only as a script, its else branch on import", () => {
  assert.deepEqual(
    brief(lines(
      "import os",
      "if __name__ == '__main__':",
      "    os.system('main')",
      "else:",
      "    os.system('imported')",
    )),
    ["os.system process 3:5 call", "os.system process 5:5 import"],
  );
});

Deno.test("python analysis: local names shadow, and a later definition does not hide an earlier builtin call", () => {
  assert.deepEqual(
    brief(lines(
      "eval('at import, the builtin')",
      "def eval(text):",
      "    return text",
      "eval('now the function')",
      "def f(exec, os):",
      "    exec('a parameter')",
      "    os.system('a parameter too')",
      "self_eval = None",
      "class M:",
      "    def run(self, model):",
      "        model.eval()",
      "        self.exec('x')",
    )),
    ["builtins.eval code 1:1 import"],
  );
});

Deno.test("python analysis: open reads are not reported, writes are", () => {
  assert.deepEqual(
    brief(lines(
      "def f(path, mode):",
      "    open(path).read()",
      "    open(path, 'rb').read()",
      "    open(path, encoding='utf-8').read()",
      "    open(path, 'w').write('x')",
      "    open(path, mode=mode)",
    )),
    ["builtins.open file 5:5 call", "builtins.open file 6:5 call"],
  );
});

Deno.test("python analysis: transformers idioms stay clean", () => {
  assert.deepEqual(
    brief(lines(
      "import importlib.util, inspect, os, threading",
      "import torch",
      "from functools import reduce",
      "_lock = threading.Lock()",
      "HAS_FLASH = importlib.util.find_spec('flash_attn') is not None",
      "CACHE = os.environ.get('HF_HOME', os.path.join(os.path.expanduser('~'), '.cache'))",
      "@torch.jit.script",
      "def rotate(x):",
      "    return x",
      "def f(module, config, name):",
      "    params = inspect.signature(module.forward).parameters",
      "    act = getattr(config, name, None)",
      "    setattr(module, name, act)",
      "    return reduce(lambda a, b: a * b, [1, 2])",
      "def g(save_dir, n):",
      "    os.makedirs(save_dir, exist_ok=True)",
      "    if torch.compiler.is_compiling() or torch._dynamo.is_compiling():",
      "        return None",
      "    return ctypes.c_int32(n), ctypes.c_void_p(0)",
      "import ctypes",
    )),
    [],
  );
  // What chatglm2-6b-int4's quantization.py really does (gcc, then loading the kernel): warnings.
  assert.deepEqual(
    brief(lines(
      "import os, ctypes",
      "def compile_kernels(source, kernel_file):",
      "    os.system(f'gcc -O3 -fPIC -shared {source} -o {kernel_file}')",
      "    return ctypes.cdll.LoadLibrary(kernel_file)",
    )),
    ["os.system process 3:5 call", "ctypes.cdll.LoadLibrary native 4:12 call"],
  );
});

Deno.test("python analysis: the scan's extra denied names are reported like the standard ones", () => {
  const extended = policy.extend({ denied: ["mycorp.shell"] });
  assert.deepEqual(brief("from mycorp import shell\nshell.run('x')\n", extended), [
    "mycorp.shell.run configured 2:1 import",
  ]);
});

Deno.test("python analysis: imports are listed with where and when they run", () => {
  const { imports } = analyzePythonSource(
    lines(
      "import os.path as p, sys",
      "from ..utils import logging as log",
      "def f():",
      "    from x import *",
    ),
    policy,
  );
  assert.deepEqual(imports, [
    { module: "os.path", alias: "p", line: 1, column: 1, importTime: true },
    { module: "sys", alias: "sys", line: 1, column: 1, importTime: true },
    { module: "..utils", name: "logging", alias: "log", line: 2, column: 1, importTime: true },
    { module: "x", name: "*", alias: "*", line: 4, column: 5, importTime: false },
  ]);
});

Deno.test("python analysis: a star import of a dangerous module exposes its names", () => {
  assert.deepEqual(brief("from os import *\nsystem('x')\n"), ["os.system process 2:1 import"]);
  // A relative star import is the package's own code.
  assert.deepEqual(brief("from .utils import *\nsystem('x')\n"), []);
});

Deno.test("python analysis: syntax errors are counted and located, the rest still analysed", () => {
  const analysis = analyzePythonSource("import os\ndef broken(:\n    pass\nos.system('x')\n", policy);
  assert.equal(analysis.syntaxErrors > 0, true);
  assert.deepEqual(analysis.firstSyntaxError, { line: 2, column: 12 });
  assert.deepEqual(analysis.calls.map((c) => c.callable), ["os.system"]);
  assert.equal(analyzePythonSource("import os\n", policy).syntaxErrors, 0);
});

Deno.test("python analysis: the node budget and the call cap bound hostile input", () => {
  const calls = "import os\n" + "os.system('x')\n".repeat(50);
  const capped = analyzePythonSource(calls, policy, { ...DEFAULT_PYTHON_OPTIONS, maxReportedCalls: 10 });
  assert.equal(capped.calls.length, 10);
  assert.equal(capped.omittedCalls, 40);
  const budget = analyzePythonSource(calls, policy, { ...DEFAULT_PYTHON_OPTIONS, maxSyntaxNodes: 40 });
  assert.equal(budget.truncated, true);
  assert.equal(budget.nodes, 40);
  assert.equal(budget.calls.length < 50, true);
  // Deep nesting costs no stack: the walk is iterative.
  const deep = "x = " + "(".repeat(50_000) + "1" + ")".repeat(50_000) + "\neval('y')\n";
  assert.deepEqual(analyzePythonSource(deep, policy).calls.map((c) => c.callable), ["builtins.eval"]);
  // Deeply nested scopes with many calls inside: lookups stay within the scope cap (linear, not quadratic).
  const lambdas = "import os\nf = " + "lambda: ".repeat(20_000) + "(" + "os.system('x'), ".repeat(20_000) +
    ")\n";
  const nested = analyzePythonSource(lambdas, policy);
  assert.equal(nested.calls.length + nested.omittedCalls, 20_000);
  assert.equal(nested.calls.every((c) => c.callable === "os.system" && !c.importTime), true);
  // A long attribute chain resolves within its cap.
  const chain = "import os\nos" + ".path".repeat(10_000) + ".system('x')\n";
  assert.doesNotThrow(() => analyzePythonSource(chain, policy));
});

Deno.test("python analysis: the benign fixtures (transformers-style model code, a TorchServe handler) are clean", async () => {
  for (const name of ["modeling_tiny.py", "configuration_tiny.py", "handler.py"]) {
    const text = await Deno.readTextFile(new URL(`../../../fixtures/python/benign/${name}`, import.meta.url));
    const analysis = analyzePythonSource(text, policy);
    assert.deepEqual([name, analysis.calls, analysis.syntaxErrors], [name, [], 0]);
  }
});
