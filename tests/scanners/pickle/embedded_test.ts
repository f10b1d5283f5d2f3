import assert from "node:assert/strict";
import {
  DETECT_WINDOW_CHARS,
  type EmbeddedFinding,
  inspectEmbedded,
  MAX_REPORTED_CALLS,
  MIN_ENCODED_CHARS,
} from "../../../scanners/pickle/embedded.ts";
import { DEFAULT_PICKLE_OPTIONS } from "../../../scanners/option_catalog.ts";

/** Bytes from Latin-1 text (pickle opcodes written as characters). */
const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const utf8 = (text: string) => new TextEncoder().encode(text);
const base64 = (bytes: Uint8Array) => bytes.toBase64();
const base64url = (bytes: Uint8Array) => bytes.toBase64({ alphabet: "base64url", omitPadding: true });
const hex = (bytes: Uint8Array) => bytes.toHex();

/** `os.system("id")` at protocol 4, framed, as pickle.dumps writes it. */
const PROTO4_RCE = latin1(
  "\x80\x04\x95\x1d\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x94\x8c\x06system\x94\x93\x94\x8c\x02id\x94\x85\x94R\x94.",
);
/** The same call at protocol 2. */
const PROTO2_RCE = latin1("\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.");
/** The same call at protocol 0: text opcodes only. */
const PROTO0_RCE = latin1("cos\nsystem\n(S'id'\ntR.");
/** Protocol 0 through INST. */
const PROTO0_INST = latin1("(S'id'\nios\nsystem\n.");
/** A benign protocol 3 pickle of {'a': b'\xfb\xff\xfe'}: its base64 holds '+' and '/'. */
const PROTO3_DATA = latin1("\x80\x03}q\x00X\x01\x00\x00\x00aq\x01C\x03\xfb\xff\xfeq\x02s.");

function pickleFinding(value: string | Uint8Array): EmbeddedFinding {
  const found = inspectEmbedded(value);
  assert.equal(found.length, 1, JSON.stringify(found));
  assert.equal(found[0].kind, "pickle");
  return found[0];
}

function callsOf(value: string | Uint8Array): string[] | undefined {
  const found = inspectEmbedded(value).filter((f) => f.kind === "code");
  assert.ok(found.length <= 1);
  return found[0]?.calls;
}

Deno.test("base64 and hex pickles are found and decoded, in every protocol", () => {
  for (const pickle of [PROTO4_RCE, PROTO2_RCE, PROTO0_RCE, PROTO0_INST, PROTO3_DATA]) {
    assert.deepEqual(pickleFinding(base64(pickle)), { encoding: "base64", kind: "pickle", decoded: pickle });
    assert.deepEqual(pickleFinding(hex(pickle)), { encoding: "hex", kind: "pickle", decoded: pickle });
  }
});

Deno.test("base64 variants: URL-safe, unpadded, wrapped with whitespace, data URI, bytes values", () => {
  const url = base64url(PROTO3_DATA);
  assert.match(url, /[-_]/);
  assert.doesNotMatch(url, /=/);
  assert.deepEqual(pickleFinding(url).decoded, PROTO3_DATA);
  assert.deepEqual(pickleFinding(base64(PROTO4_RCE).replace(/=+$/, "")).decoded, PROTO4_RCE);
  const wrapped = base64(PROTO4_RCE).replace(/(.{8})/g, "$1\n  ");
  assert.deepEqual(pickleFinding(`\n${wrapped}\n`).decoded, PROTO4_RCE);
  assert.deepEqual(
    pickleFinding(`data:application/octet-stream;base64,${base64(PROTO2_RCE)}`).decoded,
    PROTO2_RCE,
  );
  assert.deepEqual(pickleFinding(utf8(base64(PROTO4_RCE))), {
    encoding: "base64",
    kind: "pickle",
    decoded: PROTO4_RCE,
  });
});

Deno.test("hex variants: upper case, whitespace, 0x prefix, bytes values", () => {
  assert.deepEqual(pickleFinding(hex(PROTO4_RCE).toUpperCase()).decoded, PROTO4_RCE);
  assert.deepEqual(pickleFinding(hex(PROTO4_RCE).replace(/(..)/g, "$1 ")).decoded, PROTO4_RCE);
  assert.deepEqual(pickleFinding(`0x${hex(PROTO2_RCE)}`).decoded, PROTO2_RCE);
  assert.equal(pickleFinding(utf8(hex(PROTO0_RCE))).encoding, "hex");
});

Deno.test("a pickle larger than the detection window is decoded whole", () => {
  const payload = "x".repeat(DETECT_WINDOW_CHARS * 3);
  const size = new Uint8Array(new Uint32Array([payload.length]).buffer);
  const big = latin1(`\x80\x03B${String.fromCharCode(...size)}${payload}q\x00.`);
  assert.deepEqual(pickleFinding(base64(big)).decoded, big);
  assert.deepEqual(pickleFinding(hex(big)).decoded, big);
});

Deno.test("layered encodings are peeled; the finding names the outer one", () => {
  assert.deepEqual(pickleFinding(base64(utf8(hex(PROTO4_RCE)))), {
    encoding: "base64",
    kind: "pickle",
    decoded: PROTO4_RCE,
  });
  assert.deepEqual(inspectEmbedded(hex(utf8(base64(utf8('import os\nos.system("id")'))))), [
    { encoding: "hex", kind: "code", calls: ["os.system"] },
  ]);
});

Deno.test("pickle.maxDecodeDepth and maxCodeScanChars bound the layers peeled and the source read", () => {
  const source = 'import os\nos.system("id")';
  const twice = hex(utf8(base64(utf8(source))));
  const at = (limits: Partial<typeof DEFAULT_PICKLE_OPTIONS>) =>
    inspectEmbedded(twice, undefined, { ...DEFAULT_PICKLE_OPTIONS, ...limits });
  assert.deepEqual(at({ maxDecodeDepth: 2 }), [{ encoding: "hex", kind: "code", calls: ["os.system"] }]);
  assert.deepEqual(at({ maxDecodeDepth: 1 }), []);
  // The call ends at the source's last character: one fewer, and it is no call.
  assert.deepEqual(
    inspectEmbedded(source, undefined, { ...DEFAULT_PICKLE_OPTIONS, maxCodeScanChars: source.length }),
    [
      { encoding: "plain", kind: "code", calls: ["os.system"] },
    ],
  );
  assert.deepEqual(
    inspectEmbedded(source, undefined, { ...DEFAULT_PICKLE_OPTIONS, maxCodeScanChars: source.length - 1 }),
    [],
  );
});

Deno.test("benign twins of encoded pickles are not pickles", () => {
  const random = Uint8Array.from({ length: 48 }, (_, i) => (i * 73 + 41) % 256);
  const cases: (string | Uint8Array)[] = [
    base64(random),
    hex(random),
    base64(latin1("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10")),
    // Looks like PROTO but the protocol does not exist.
    base64(latin1("\x80\x06\x95\x05\x00\x00\x00\x00\x00\x00\x00K\x01.")),
    // PROTO followed by an opcode that needs a stack (REDUCE).
    base64(latin1("\x80\x04R\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")),
    // No STOP anywhere.
    base64(latin1("\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00K\x01K\x02")),
    // Text starting with "c", but no GLOBAL lines.
    base64(utf8("compare these two strings carefully.")),
    // Mixed alphabets, stray characters, bad padding.
    `${base64(PROTO4_RCE).slice(0, 8)}-_+/${base64(PROTO4_RCE).slice(8)}`,
    `${base64(PROTO4_RCE)}!`,
    `${base64(PROTO4_RCE).replace(/=*$/, "")}A===`,
    // Raw pickles are the machine's job, not an encoding.
    PROTO4_RCE,
    "\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00K\x01.",
    // Encoded base64 of a real pickle too short to import anything.
    base64(latin1("\x80\x04K\x01.")),
    "",
  ];
  for (const value of cases) assert.deepEqual(inspectEmbedded(value), [], JSON.stringify(value));
  assert.ok(base64(latin1("\x80\x04K\x01.")).length < MIN_ENCODED_CHARS);
});

Deno.test("ordinary model strings that happen to use the base64 or hex alphabet decode to nothing", () => {
  for (
    const value of [
      "num_attention_heads",
      "intermediate_size",
      "AAAAAAAAAAAAAAAAAAAAAAAA",
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "123e4567-e89b-12d3-a456-426614174000",
      "bert-base-uncased-finetuned",
      "SGVsbG8gd29ybGQsIHRoaXMgaXMgYSB0ZXN0", // "Hello world, this is a test"
      hex(utf8("open the file and evaluate the model")),
    ]
  ) {
    assert.deepEqual(inspectEmbedded(value), [], value);
  }
});

Deno.test("Python source calling dangerous functions is found, plain and encoded", () => {
  const cases: [string, string[]][] = [
    ['import os\nos.system("id")', ["os.system"]],
    ["os.popen('id').read()", ["os.popen"]],
    ["import posix; posix.system('id')", ["os.system"]],
    ["subprocess.run(['ls', '-la'])", ["subprocess.run"]],
    ["import subprocess as sp; sp.check_output('id', shell=True)", ["subprocess.check_output"]],
    ["from subprocess import Popen as P\nP(['sh', '-c', 'id'])", ["subprocess.Popen"]],
    ["from os import *\nsystem('id')", ["os.system"]],
    ['exec("import os")', ["exec"]],
    ["eval(\"__import__('os').system('id')\")", ["eval", "__import__", "os.system"]],
    ["exec(base64.b64decode('aW1wb3J0IG9z'))", ["exec"]],
    ["exec(compile(src, '<string>', 'exec'))", ["exec", "compile"]],
    ["code = 'x'\nexec(code)", ["exec"]],
    ["__import__('subprocess').call(['id'])", ["__import__", "subprocess.call"]],
    ["getattr(__import__('os'), 'system')('id')", ["os.system", "__import__"]],
    ["import os\ngetattr(os, 'popen')('id')", ["os.popen"]],
    ["getattr(__builtins__, 'exec')('print(1)')", ["builtins.exec"]],
    ["__builtins__['eval']('1+1')", ["builtins.eval"]],
    ["__builtins__.__dict__['exec']('x=1')", ["builtins.exec"]],
    ["importlib.import_module('os')", ["importlib.import_module"]],
    ["pty.spawn('/bin/sh')", ["pty.spawn"]],
    ["s = socket.socket(); s.connect(('10.0.0.1', 4444))", ["socket.socket"]],
    ["urllib.request.urlopen('http://example.invalid/x')", ["urllib.request.urlopen"]],
    ["requests.get('http://example.invalid')", ["requests.get"]],
    ["webbrowser.open('http://example.invalid')", ["webbrowser.open"]],
    ["shutil.rmtree('/home')", ["shutil.rmtree"]],
    ["open('/tmp/owned', 'w').write('x')", ["open"]],
    ["open('/tmp/owned', mode='ab')", ["open"]],
    ["ctypes.CDLL('libc.so.6')", ["ctypes.CDLL"]],
    ["pickle.loads(data)", ["pickle.loads"]],
    ["types.FunctionType(code, {})", ["types.FunctionType"]],
    ["os . system ( 'id' )", ["os.system"]],
    ["```python\nimport subprocess\nsubprocess.call(['rm', '-rf', '/'])\n```", ["subprocess.call"]],
    // Every name the policy denies, as the pickle check denies its import (they once passed here).
    ["import _posixsubprocess\n_posixsubprocess.fork_exec(args)", ["_posixsubprocess.fork_exec"]],
    ["pexpect.spawn('/bin/sh')", ["pexpect.spawn"]],
    ["_winapi.CreateProcess(None, 'cmd', None, None, 0, 0, None, None, None)", ["_winapi.CreateProcess"]],
    ["torch.load('weights.pt')", ["torch.load"]],
    ["import numpy as np\nnp.load('a.npy', allow_pickle=True)", ["numpy.load"]],
    ["os.path.join(os.getcwd(), 'x')", ["os.getcwd"]],
  ];
  for (const [source, calls] of cases) {
    assert.deepEqual(inspectEmbedded(source), [{ encoding: "plain", kind: "code", calls }], source);
    assert.deepEqual(
      inspectEmbedded(base64(utf8(source))),
      [{ encoding: "base64", kind: "code", calls }],
      source,
    );
    assert.deepEqual(inspectEmbedded(hex(utf8(source))), [{ encoding: "hex", kind: "code", calls }], source);
    assert.deepEqual(inspectEmbedded(utf8(source)), [{ encoding: "plain", kind: "code", calls }], source);
  }
});

Deno.test("benign twins of dangerous source are not code findings", () => {
  const benign = [
    // Parameter names and config strings.
    "eval_metric",
    "eval_set",
    "do_eval",
    "evaluation_strategy",
    "eval_steps",
    "trust_remote_code",
    "AutoModelForCausalLM",
    "gelu_new",
    "<|endoftext|>",
    "{% for message in messages %}{{ raise_exception('Roles must alternate') }}{% endfor %}",
    "LogisticRegression(C=1.0, solver='lbfgs', max_iter=100)",
    "Pipeline(steps=[('scaler', StandardScaler()), ('clf', SVC())])",
    // Method calls on objects, other modules' functions of the same name.
    "model.eval()",
    "Call model.eval() before inference and torch.compile(model) for speed.",
    "re.compile(r'\\w+')",
    "df.eval('a + b')",
    "os.path.exists(os.path.join(root, 'weights.bin'))",
    "/usr/lib/python3.11/threading.py(975): run",
    "runpy.py(196): _run_module_as_main",
    "self.os.system(1)",
    "x.__class__.__name__",
    "os.path.join(root, 'weights.bin')",
    // Prose.
    "Evaluate the model on the held-out set.",
    "We open-source the weights; open them with any reader.",
    "Please open(the file) and evaluate it.",
    "The exec summary (see appendix) explains the compile step.",
    "Never call eval(x) on user input.",
    "os.system is dangerous; subprocess is preferred.",
    "open('/etc/hosts').read()",
    // Paths.
    "/usr/lib/python3.11/subprocess.py",
    "C:\\Program Files\\exec(1)\\system32",
    "models/os/system/weights.bin",
    // Tokenizer vocabulary fragments of code models.
    "▁eval(",
    'exec("',
    ".system(",
    "os.system(",
    "subprocess.",
    "Popen(",
    "__import__",
    "getattr(config, 'hidden_size')",
    "getattr(os, 'path')",
  ];
  for (const value of benign) {
    assert.deepEqual(inspectEmbedded(value), [], value);
    assert.deepEqual(inspectEmbedded(utf8(value)), [], value);
  }
});

Deno.test("calls are reported once each, in order, and capped", () => {
  assert.deepEqual(callsOf("os.system('a'); os.system('b'); exec('c'); os.system('d')"), [
    "os.system",
    "exec",
  ]);
  const many = Array.from({ length: 40 }, (_, i) => `os.system('${i}')\nsubprocess.run('${i}')`).join("\n") +
    "\n" + ["popen", "execv", "spawnl", "fork", "kill", "remove", "unlink", "rmdir", "rename", "chmod"]
    .map((f) => `os.${f}('x')`).join("\n") + "\nexec('x')\neval('y')\npty.spawn('z')\nctypes.CDLL('w')";
  const calls = callsOf(many) ?? [];
  assert.equal(calls.length, MAX_REPORTED_CALLS);
  assert.deepEqual(calls.slice(0, 3), ["os.system", "subprocess.run", "os.popen"]);
});

Deno.test("source inside string literals handed to exec/eval is read too", () => {
  assert.deepEqual(callsOf(`exec("import os; os.system('id')")`), ["exec", "os.system"]);
  assert.deepEqual(callsOf(`exec('exec("subprocess.call([\\'id\\'])")')`), ["exec", "subprocess.call"]);
  assert.deepEqual(callsOf(`eval('''__import__("pty").spawn("sh")''')`), ["eval", "__import__", "pty.spawn"]);
});

Deno.test("quotes and comments do not hide calls, and no number of harmless calls pushes one out of reach", () => {
  assert.deepEqual(callsOf("x = '''it's'''\nos.system('id')"), ["os.system"]);
  assert.deepEqual(callsOf("# don't (\nos.system('id')"), ["os.system"]);
  assert.deepEqual(callsOf(`s = "a ( b ' c"; subprocess.run(['id'])`), ["subprocess.run"]);
  const padded = "f(1)\n".repeat(20_000) + "open(x)\n".repeat(1_000) + "os.system('id')";
  assert.deepEqual(callsOf(padded), ["os.system"]);
  // Parentheses inside a string argument belong to the string.
  assert.deepEqual(callsOf("print('os.system(1)')"), undefined);
});

Deno.test("work stays bounded on hostile values", () => {
  const cases = [
    "eval(".repeat(100_000),
    "(".repeat(1_000_000),
    `exec(${"'a'+".repeat(200_000)}'b')`,
    "A".repeat(4 * 1024 * 1024),
    "ab".repeat(2 * 1024 * 1024),
    `import ${"a,".repeat(100_000)}os\nos.system('x')`,
    "os.system(".repeat(50_000) + "'x'" + ")".repeat(50_000),
    'exec("a", '.repeat(50_000) + ")".repeat(50_000),
    "open(".repeat(100_000) + "'f', 'w'" + ")".repeat(100_000),
    `exec("${"exec(\\'".repeat(20_000)}")`,
  ];
  for (const value of cases) {
    inspectEmbedded(value);
  }
  // Values over the cap (pickle.maxEmbeddedChars, lowered here) are skipped whole.
  const limits = { ...DEFAULT_PICKLE_OPTIONS, maxEmbeddedChars: 1024 };
  const huge = `import os\nos.system('id')${" ".repeat(limits.maxEmbeddedChars)}`;
  assert.deepEqual(inspectEmbedded(huge, undefined, limits), []);
  assert.deepEqual(inspectEmbedded(huge.slice(0, 1024), undefined, limits), [{
    encoding: "plain",
    kind: "code",
    calls: ["os.system"],
  }]);
});

Deno.test("binary bytes are not treated as text", () => {
  const binary = new Uint8Array(4096).map((_, i) => (i * 131 + 7) % 256);
  binary.set(utf8("os.system('id')"), 100);
  assert.deepEqual(inspectEmbedded(binary), []);
  assert.deepEqual(inspectEmbedded(utf8("x = 1\nos.system('id')")), [
    { encoding: "plain", kind: "code", calls: ["os.system"] },
  ]);
});
