// The TorchScript code scanner: real torch.jit.save code stays clean, every way source can
// reach the system is found (where Python or TorchScript would run it), names in strings,
// comments and local variables are not, and hostile input stays bounded.
import assert from "node:assert/strict";
import { bytesSource } from "../../../core/byte_source.ts";
import type { FindingReport, ScanContext } from "../../../core/scanner.ts";
import { scanBytes } from "../../../engine/dispatch.ts";
import {
  findDangerousCode,
  MAX_REFERENCES_PER_SOURCE,
  scanTorchScriptSource,
} from "../../../scanners/pytorch/torchscript.ts";
import { archiveEntries, memberBytes } from "./_zip.ts";
import { renderLocation } from "../../../report/location.ts";
import { CallablePolicy } from "../../../policy/callables.ts";
import { resolveScannerOptions, type ScannerOptionsInput } from "../../../scanners/options.ts";

const FIXTURES = new URL("../../../fixtures/pytorch/", import.meta.url);
const encode = (source: string) => new TextEncoder().encode(source);
/** The references in `source` as `call@line`. */
const found = (source: string) => findDangerousCode(encode(source)).map((r) => `${r.call}@${r.line}`);

Deno.test("the code/ of real torch.jit.save archives is clean", async () => {
  let files = 0;
  for (const file of ["benign/scripted.pt", "benign/traced.pt", "benign/lite.ptl"]) {
    for (const entry of await archiveEntries(await Deno.readFile(new URL(file, FIXTURES)))) {
      if (!entry.name.endsWith(".py")) continue;
      files++;
      assert.deepEqual(findDangerousCode(await entry.read()), [], entry.name);
    }
  }
  assert.equal(files, 13);
});

Deno.test("what torch.jit.script itself writes stays clean", () => {
  const code = `class Sequential(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  _is_full_backward_hook : NoneType
  __annotations__["0"] = __torch__.torch.nn.modules.linear.Linear
  def forward(self: __torch__.torch.nn.modules.container.Sequential,
    input: Tensor) -> Tensor:
    _0 = getattr(self, "0")
    input0 = (_0).forward(input, )
    _1 = ops.prim.NumToTensor(torch.size(input0, 0))
    _2 = torch.linear(input0, CONSTANTS.c0, None)
    _3 = annotate(List[int], [])
    _4 = torch.to(CONSTANTS.c1, torch.device("cpu"), 6)
    _5 = __torch__.torch.nn.functional.relu(_2, False, )
    _6 = uninitialized(Tensor)
    print("os.system(x) # eval(y)", _1)
    return torch.add(_5, torch.detach(_4))
  def __len__(self: __torch__.torch.nn.modules.container.Sequential) -> int:
    return 2
`;
  assert.deepEqual(found(code), []);
});

Deno.test("finds calls that run code or reach the system, at their first token", () => {
  const cases: [string, string[]][] = [
    ['x = os.system("id")', ["os.system@1"]],
    ["y = posix.popen(c)", ["posix.popen@1"]],
    ["nt.startfile(p)", ["nt.startfile@1"]],
    ["p = subprocess.run(['id'])", ["subprocess.run@1"]],
    ["eval(s)", ["eval@1"]],
    ["exec(s)", ["exec@1"]],
    ["compile(s, 'f', 'exec')", ["compile@1"]],
    ["f = eval", ["eval@1"]],
    ["__import__('os')", ["__import__@1"]],
    ["importlib.import_module('os')", ["importlib.import_module@1"]],
    ["open('/etc/passwd')", ["open@1"]],
    ["s = socket.socket()", ["socket.socket@1"]],
    ["urllib.request.urlopen(u)", ["urllib.request.urlopen@1"]],
    ["requests.get(u)", ["requests.get@1"]],
    ["builtins.exec(s)", ["builtins.exec@1"]],
    ["__builtins__['eval'](s)", ["__builtins__@1"]],
    ["getattr(torch, 'save')(x, p)", ["getattr(torch)@1"]],
    ["getattr(os, 'system')('id')", ["os@1"]],
    ["getattr(torch.ops, 'load_library')(p)", ["getattr(torch)@1"]],
    ["torch.ops.load_library(p)", ["torch.ops.load_library@1"]],
    ["ops.load_library(p)", ["ops.load_library@1"]],
    ["torch.classes.load_library(p)", ["torch.classes.load_library@1"]],
    ["ctypes.CDLL(p)", ["ctypes.CDLL@1"]],
    ["ctypes.cdll.LoadLibrary(p)", ["ctypes.cdll.LoadLibrary@1"]],
    ["m = sys.modules['os']", ["sys.modules@1"]],
    ["torch.save(x, p)", ["torch.save@1"]],
    ["y = torch.from_file(p, True, 4)", ["torch.from_file@1"]],
    ["ops.aten.save(x, p)", ["ops.aten.save@1"]],
    ["torch.ops.aten.from_file(p)", ["torch.ops.aten.from_file@1"]],
    ["torch.hub.load(r, m)", ["torch.hub.load@1"]],
    ["platform.popen(c)", ["platform.popen@1"]],
    ["shutil.rmtree(p)", ["shutil.rmtree@1"]],
    ["x.__class__.__subclasses__()", ["__subclasses__@1"]],
    ["f.__globals__['os']", ["__globals__@1"]],
    ["import os", ["import os@1"]],
    ["import os.path as p, subprocess", ["import os.path@1", "import subprocess@1"]],
    ["from subprocess import run", ["from subprocess import@1"]],
    ["from torch import save", ["from torch import save@1"]],
    ["import torch", []],
  ];
  for (const [source, expected] of cases) assert.deepEqual(found(source), expected, source);
  const [reference] = findDangerousCode(encode('def f(x):\n    return  os.system("id")\n'));
  assert.deepEqual(reference, {
    call: "os.system",
    reason:
      "os runs shell commands (system, popen), replaces or spawns processes (exec*, spawn*) and deletes files",
    position: 22,
    line: 2,
  });
});

Deno.test("names in strings, comments, attributes and keyword arguments are not references", () => {
  const cases = [
    '"os.system(1)"',
    "'''\nimport os\nos.system(1)\n'''",
    "# os.system(1)",
    "x = 1  # eval(x)",
    'r"\\" os.system(1)"',
    "b'eval(x)'",
    'f"{{os.system(1)}}"',
    'f"\\N{DIGIT ONE} open(x)"',
    "self.os.system(1)",
    "x.open(p)",
    "model.eval()",
    "self.subprocess = 1",
    "f(open=1, eval=2)",
    "d = {'exec': 1}",
  ];
  for (const source of cases) assert.deepEqual(found(source), [], source);
});

Deno.test("names a function binds (parameters, assignments, loops, with) are its own, not modules", () => {
  const code = `def forward(self, x: Tensor, os: Tensor, open: int = 1):
    y = os.size(0)
    socket, requests = x, x
    for eval in range(3):
        pass
    with x as subprocess:
        subprocess.add(1)
    return requests.mul(socket.add(open(eval)))

class M(Module):
  os : Tensor
  def forward(self, x):
    return os.system("id")
`;
  // The class attribute `os` is not visible in its methods: the last line is the os module.
  assert.deepEqual(found(code), ["os.system@13"]);
});

Deno.test("bindings that do not reach the reference hide nothing", () => {
  const cases: [string, string[]][] = [
    // Bound in another function.
    ["def f(os):\n    return os\ndef g():\n    os.system('id')\n", ["os.system@4"]],
    // A default value runs in the enclosing scope, whatever the parameter is called.
    ["def f(os=os.system('id')):\n    pass\n", ["os.system@1"]],
    // A lambda's parameter in a default is not the function's.
    ["def f(x=lambda a, os: 0):\n    os.system('id')\n", ["os.system@2"]],
    ["h = lambda a, os=0: 0\nos.system('id')\n", ["os.system@2"]],
    // Comprehension variables are not counted.
    ["def f():\n    y = [0 for os in []]\n    os.system('id')\n", ["os.system@3"]],
    // A subscript or an attribute assigned binds nothing.
    ["d[os] = 1\nos.system('id')\n", ["os@1", "os.system@2"]],
    ["a.os = 1\nos.system('id')\n", ["os.system@2"]],
    // global: assignments in this function do not make os local to it.
    ["def f():\n    global os\n    os = 1\n    os.system('id')\n", ["os.system@4"]],
    // One line, another statement after a semicolon.
    ["x = 1; os.system('id')", ["os.system@1"]],
  ];
  for (const [source, expected] of cases) assert.deepEqual(found(source), expected, source);
});

Deno.test("code hidden in f-strings, continuations and look-alike names is found", () => {
  const cases: [string, string[]][] = [
    ["f'{os.system(\"id\")}'", ["os.system@1"]],
    // PEP 701: the same quotes inside a replacement field.
    ['f"{ "a" + os.system("id") }"', ["os.system@1"]],
    ['f"{x:{os.sep}}"', ["os.sep@1"]],
    ['f"""\n{eval(x)!r}\n"""', ["eval@2"]],
    ["rf'{open(p)}'", ["open@1"]],
    ["t'{exec(s)}'", ["exec@1"]],
    ["os \\\n .system('id')", ["os.system@1"]],
    ["(os\n  .system('id'))", ["os.system@1"]],
    ["\uff4f\uff53.system('id')", ["os.system@1"]],
    // A line that starts with an f-string still ends the function before it.
    ["def f(os):\n    pass\nf\"{os.system('id')}\"\n", ["os.system@3"]],
  ];
  for (const [source, expected] of cases) assert.deepEqual(found(source), expected, source);
});

Deno.test("pytorch.maxTorchScriptBindings: past it a name is no longer taken as local, which only adds findings", () => {
  const source = encode("def f(x):\n    os = x\n    return os.system(1)\n");
  const calls = (maxBindings?: number) =>
    findDangerousCode(source, undefined, undefined, maxBindings).map((r) => `${r.call}@${r.line}`);
  // The parameter `x`, then `os`, are bound: two bindings make `os` the local one; one leaves it the module.
  assert.deepEqual(calls(), []);
  assert.deepEqual(calls(2), []);
  assert.deepEqual(calls(1), ["os.system@3"]);
});

Deno.test("hostile source stays bounded: deep nesting, endless strings, many references", () => {
  const deep = "(".repeat(200_000) + "os.system(1)";
  assert.deepEqual(found(deep), ["os.system@1"]);
  const indented = Array.from({ length: 500 }, (_, i) => `${" ".repeat(i)}def f${i}(os):`).join("\n") +
    "\nos.system(1)\n";
  assert.deepEqual(found(indented), ["os.system@501"]);
  const fstrings = 'f"{'.repeat(10_000) + "os.system(1)";
  assert.deepEqual(found(fstrings).length <= 1, true);
  assert.deepEqual(found('"""' + "os.system(1)\n".repeat(10_000)), []);
  const many = "os.system(1)\n".repeat(MAX_REFERENCES_PER_SOURCE * 3);
  assert.equal(findDangerousCode(encode(many)).length, MAX_REFERENCES_PER_SOURCE);
  findDangerousCode(encode("a.b(c, 'd') # e\n".repeat(100_000)));
});

function recorder(scannerOptions: ScannerOptionsInput = {}): { ctx: ScanContext; findings: FindingReport[] } {
  const findings: FindingReport[] = [];
  return {
    findings,
    ctx: {
      path: "m.pt:archive/code/__torch__.py",
      depth: 1,
      signal: new AbortController().signal,
      policy: CallablePolicy.standard(),
      options: resolveScannerOptions(scannerOptions),
      openSibling: () => Promise.resolve({ ok: false, escape: false, reason: "no siblings in this test" }),
      report: (finding) => void findings.push(finding),
      matchBlacklist: () => undefined,
      scanNested: () => Promise.reject(new Error("source has no nested payloads")),
      scanMember: () => Promise.reject(new Error("source has no members")),
      identify: () => {},
    },
  };
}

Deno.test("the scanner reports MA302 at each reference, and what it could not read as MA006", async () => {
  const { ctx, findings } = recorder();
  await scanTorchScriptSource(bytesSource(encode("def f(x):\n    torch.save(x, 'p')\n")), ctx);
  assert.deepEqual(findings.map((f) => [f.rule, f.position, f.details]), [
    ["MA302", 14, { call: "torch.save", line: 2 }],
  ]);

  // pytorch.maxTorchScriptSourceBytes, lowered from 16 MiB: the call just past it is not read.
  const max = 4096;
  const huge = new Uint8Array(max + 16).fill(0x20);
  huge.set(encode("\nos.system(1)\n"), max);
  const large = recorder({ pytorch: { maxTorchScriptSourceBytes: max } });
  await scanTorchScriptSource(bytesSource(huge), large.ctx);
  assert.deepEqual(large.findings.map((f) => [f.rule, f.severity, f.details]), [
    ["MA006", "warning", {
      format: "torchscript",
      size: max + 16,
      limit: "MAX_TORCHSCRIPT_SOURCE_BYTES",
      option: "pytorch.maxTorchScriptSourceBytes",
      max,
    }],
  ]);
  const whole = recorder({ pytorch: { maxTorchScriptSourceBytes: max + 16 } });
  await scanTorchScriptSource(bytesSource(huge), whole.ctx);
  assert.deepEqual(whole.findings.map((f) => f.rule), ["MA302"]);
});

Deno.test("a .py code member is TorchScript to the engine, not a name mismatch", async () => {
  const bytes = await Deno.readFile(new URL("malicious/torchscript_os_system.pt", FIXTURES));
  const name = "archive/code/__torch__/modelaudit_fixture_models.py";
  const code = new TextDecoder().decode(await memberBytes(bytes, name));
  const outcome = await scanBytes(bytes, "m.pt");
  assert.deepEqual(outcome.findings.map((f) => `${f.rule} ${renderLocation(f.location)}`), [
    `MA302 m.pt:${name} (pos ${code.indexOf("os.system")})`,
  ]);
});
