import assert from "node:assert/strict";
import type { FindingReport } from "../../../core/scanner.ts";
import { Disassembler } from "../../../scanners/pickle/disassembler.ts";
import { factDispatcher } from "../../../scanners/pickle/facts.ts";
import {
  PickleMachine,
  quietHooks,
  STEP,
  type TextValue,
  type Value,
} from "../../../scanners/pickle/machine.ts";
import { DEFAULT_PICKLE_OPTIONS, type PickleOptions } from "../../../scanners/option_catalog.ts";
import { pickleRules } from "../../../scanners/pickle/rules/mod.ts";
import { CallablePolicy } from "../../../policy/callables.ts";
import { bu, bytes, le, sbu } from "./_bytes.ts";

interface Run {
  /** `RULE@pos module.function OPCODE` per finding. */
  findings: string[];
  /** Results of `step` other than CONTINUE, with the failure's reason for a BREAK. */
  ends: string[];
  texts: TextValue[];
}

/** Runs every opcode of `data` through a machine and the rules, as the scanner does, without stopping at STOP. */
function run(data: Uint8Array, limits: PickleOptions = DEFAULT_PICKLE_OPTIONS): Run {
  const reports: FindingReport[] = [];
  const texts: TextValue[] = [];
  const rules = pickleRules({
    report: (finding) => reports.push(finding),
    matchBlacklist: () => undefined,
    policy: CallablePolicy.standard(),
    payloads: { payload: () => {}, decoded: () => {} },
    limits,
  });
  const machine = new PickleMachine({
    fact: factDispatcher([{ text: ({ value }) => texts.push(value) }, ...rules]),
  }, limits);
  const dis = Disassembler.fromBytes(data);
  const ends: string[] = [];
  for (let op = dis.next(); op; op = dis.next()) {
    const result = machine.step(op);
    if (result === STEP.STOP) ends.push(`STOP@${op.pos}`);
    if (result === STEP.BREAK) ends.push(`BREAK@${machine.failure!.pos} ${machine.failure!.reason}`);
    if (result === STEP.LIMIT) ends.push(`LIMIT@${op.pos}`);
    if (result === STEP.BREAK) break;
  }
  assert.notEqual(dis.status, "break", JSON.stringify(dis.failure));
  const findings = reports.map((f) => {
    const d = f.details ?? {};
    const what = "module" in d ? ` ${d.module}.${d.function} ${d.opcode}` : "";
    return `${f.rule}@${f.position}${what}`;
  });
  return { findings, ends, texts };
}

Deno.test("STACK_GLOBAL operands resolve through the memo (MEMOIZE, BINGET)", () => {
  // The example: \x8c\x02os\x94\x8c\x06system\x94h\x00h\x01\x93, then called.
  const data = bytes(0x80, 4, sbu("os"), 0x94, sbu("system"), 0x94, "h", 0, "h", 1, 0x93, ")R.");
  assert.deepEqual(run(data).findings, [
    "MA100@20 os.system STACK_GLOBAL",
    "MA101@22 os.system REDUCE",
  ]);
});

Deno.test("out-of-order PUT/GET indexes, LONG_BINPUT and protocol-0 PUT/GET resolve", () => {
  const binary = bytes(
    0x80,
    2,
    sbu("system"),
    "q",
    9,
    sbu("os"),
    "r",
    le(70000, 4),
    "00",
    "j",
    le(70000, 4),
    "h",
    9,
    0x93,
    ".",
  );
  assert.deepEqual(run(binary).findings, ["MA100@30 os.system STACK_GLOBAL"]);
  const text = bytes("Vsystem\np05\nVos\np1\n00g1\ng005\n", 0x93, ".");
  assert.deepEqual(run(text).findings, ["MA100@29 os.system STACK_GLOBAL"]);
});

Deno.test("MEMOIZE numbers entries by the memo's size, as CPython does", () => {
  // BINPUT 7 first: the memo has one entry, so the next MEMOIZE stores under 1, not 0.
  const data = bytes(
    0x80,
    4,
    sbu("junk"),
    "q",
    7,
    sbu("os"),
    0x94,
    sbu("system"),
    0x94,
    "000",
    "h",
    1,
    "h",
    2,
    0x93,
    ".",
  );
  assert.deepEqual(run(data).findings, ["MA100@31 os.system STACK_GLOBAL"]);
});

Deno.test("DUP, POP and a POP that removes a MARK between operands do not hide the import", () => {
  const data = bytes(0x80, 4, sbu("os"), "2", "0", sbu("junk"), "0", "(", "0", sbu("system"), 0x93, ".");
  assert.deepEqual(run(data).findings, ["MA100@25 os.system STACK_GLOBAL"]);
});

Deno.test("a STACK_GLOBAL operand that is not a constant string is unresolved (MA104)", () => {
  const fromInt = run(bytes(0x80, 4, "K", 1, sbu("system"), 0x93, ")R."));
  assert.deepEqual(fromInt.findings, [
    "MA104@12 null.system STACK_GLOBAL",
    "MA103@14 null.<computed> REDUCE",
  ]);
  // A missing memo entry fails the load in CPython: malformed (once), and the import is unresolved.
  const fromMissingMemo = run(bytes(0x80, 4, "h", 5, "h", 6, 0x93, "."));
  assert.deepEqual(fromMissingMemo.findings, ["MA105@2", "MA104@6 null.null STACK_GLOBAL"]);
});

Deno.test("opcodes cannot reach below a MARK; missing MARKs and underflows break the stream", () => {
  const cases: [string, Uint8Array][] = [
    ["BREAK@0 stack underflow: REDUCE needs 2 values", bytes("R")],
    ["BREAK@4 stack underflow: REDUCE needs 2 values", bytes("NN(NR")],
    ["BREAK@1 TUPLE found no MARK", bytes("Nt")],
    ["BREAK@3 stack underflow: APPENDS needs 1 value", bytes("(K\x01e")],
    ["BREAK@0 stack underflow: BINPUT needs 1 value", bytes("q\x00")],
    ["BREAK@0 stack underflow: STOP needs 1 value", bytes(".")],
    ["BREAK@2 stack underflow: POP needs 1 value", bytes("N00")],
    ["BREAK@3 stack underflow: APPEND needs 2 values", bytes("](Na")],
    ["BREAK@1 unsupported protocol 6", bytes("N", 0x80, 6)],
    ["BREAK@1 negative PUT argument", bytes("Np-1\n")],
  ];
  for (const [expected, data] of cases) assert.deepEqual(run(data).ends, [expected], expected);
});

Deno.test("the machine resets after STOP: the next pickle has a fresh memo", () => {
  const data = bytes(0x80, 4, sbu("os"), 0x94, ".", 0x80, 4, "h", 0, sbu("system"), 0x93, ".");
  assert.deepEqual(run(data), {
    findings: ["MA105@10", "MA104@20 null.system STACK_GLOBAL"],
    ends: ["STOP@7", "STOP@21"],
    texts: run(data).texts,
  });
});

Deno.test("string constants are located: opcode position, data offset, length, exactness", () => {
  const { texts } = run(
    bytes("S'ab'\nS'a\\n'\n", "U", 2, "cd", "X", le(2, 4), [0xc3, 0xa9], "C", 1, "x", "N."),
  );
  assert.deepEqual(
    texts.map(({ kind, value, pos, offset, length, exact }) => ({ kind, value, pos, offset, length, exact })),
    [
      { kind: "str", value: "ab", pos: 0, offset: 2, length: 2, exact: true },
      { kind: "str", value: "a\n", pos: 6, offset: 8, length: 3, exact: false },
      { kind: "str", value: "cd", pos: 13, offset: 15, length: 2, exact: true },
      { kind: "str", value: "é", pos: 17, offset: 22, length: 2, exact: false },
      { kind: "bytes", value: bytes("x"), pos: 24, offset: 26, length: 1, exact: true },
    ],
  );
});

Deno.test("limits are reported with MA110 where they are hit; past them the machine only sweeps imports", () => {
  const small = {
    ...DEFAULT_PICKLE_OPTIONS,
    maxOpcodes: 10,
    maxMemoEntries: 3,
    maxStackDepth: 5,
    maxMarkDepth: 2,
  };
  const opcodes = run(bytes("N0N0N0N0N0N0"), small);
  assert.deepEqual([opcodes.findings, opcodes.ends], [["MA110@10"], ["LIMIT@10"]]);
  // The memo limit does not stop the analysis: later entries are simply not stored.
  const memo = run(bytes("Np0\np1\np2\np1\np3\ng3\n."), small);
  assert.deepEqual([memo.findings, memo.ends], [["MA110@13"], ["STOP@19"]]);
  const stack = run(bytes("NNNNNN"), small);
  assert.deepEqual([stack.findings, stack.ends], [["MA110@5"], ["LIMIT@5"]]);
  const marks = run(bytes("((("), small);
  assert.deepEqual([marks.findings, marks.ends], [["MA110@2"], ["LIMIT@2"]]);
  // Past the stack limit imports are still reported; the next pickle is analysed in full again.
  const swept = run(bytes("NNNNNNcos\nsystem\n.cos\nsystem\n(S'x'\ntR."), {
    ...DEFAULT_PICKLE_OPTIONS,
    maxStackDepth: 5,
  });
  assert.deepEqual([swept.findings, swept.ends], [
    ["MA110@5", "MA100@6 os.system GLOBAL", "MA100@18 os.system GLOBAL", "MA101@36 os.system REDUCE"],
    ["LIMIT@5", "STOP@17", "STOP@37"],
  ]);
  assert.ok(DEFAULT_PICKLE_OPTIONS.maxOpcodes > 5_000_000);
});

Deno.test("BUILD keeps the last state on the object a call made and tells the built hook", () => {
  const built: Value[] = [];
  const machine = new PickleMachine(
    quietHooks({ fact: (fact) => fact.kind === "build" && built.push(fact.target) }),
  );
  // collections.OrderedDict() built twice (K1, then K2), and a list built once: only calls keep a state.
  const dis = Disassembler.fromBytes(bytes("ccollections\nOrderedDict\n)RK", 1, "bK", 2, "b]K", 3, "b\x86."));
  for (let op = dis.next(); op; op = dis.next()) machine.step(op);
  assert.deepEqual(built.map((v) => v.kind), ["call", "call", "list"]);
  const call = built[0];
  assert.ok(call.kind === "call" && call.state?.kind === "int");
  assert.equal(call.state.value, 2);
});

Deno.test("a nested loader given a payload computed while loading is critical: it unpickles what nobody saw", () => {
  const loader = "ctorch.storage\n_load_from_bytes\n";
  // bytes([99, 46]): built from a list of ints, so no constant holds the inner pickle.
  const fromList = bytes(loader, "cbuiltins\nbytes\n](K", 99, "K", 46, "e\x85R\x85R.");
  assert.deepEqual(run(fromList).findings, ["MA101@58 torch.storage._load_from_bytes REDUCE"]);
  // _codecs.encode(text, "utf-8") is not the latin1 form protocol 2 writes bytes as.
  const utf8 = bytes(loader, "c_codecs\nencode\n", sbu("c."), sbu("utf-8"), "\x86R\x85R.");
  assert.deepEqual(run(utf8).findings, ["MA101@62 torch.storage._load_from_bytes REDUCE"]);
  // A constant payload is handed on instead, and a denied loader was reported for itself.
  assert.deepEqual(run(bytes(loader, "C", 2, "N.", "\x85R.")).findings, []);
  assert.deepEqual(run(bytes("cpickle\nloads\n)R.")).findings, [
    "MA100@0 pickle.loads GLOBAL",
    "MA101@15 pickle.loads REDUCE",
  ]);
});

Deno.test("a second BUILD of one object is critical: the first state can install the __setstate__ it calls", () => {
  // SimpleNamespace(), BUILD {"x": 1}, BUILD {"y": 2}: keys need not give the trick away.
  const data = bytes("ctypes\nSimpleNamespace\n)R}", sbu("x"), "K", 1, "sb}", sbu("y"), "K", 2, "sb.");
  assert.deepEqual(run(data).findings, ["MA101@40 types.SimpleNamespace BUILD"]);
  assert.deepEqual(run(bytes("ctypes\nSimpleNamespace\n)R}", sbu("x"), "K", 1, "sb.")).findings, []);
});

Deno.test("BUILD, SETITEM(S) and APPEND(S) on what an import returned (monkeypatching) are critical", () => {
  const cases: [Uint8Array, string[]][] = [
    // setattr(Linear, "forward", ...) through a slot state.
    [bytes("ctorch.nn.modules.linear\nLinear\nN}", sbu("forward"), "Ns\x86b."), [
      "MA101@46 torch.nn.modules.linear.Linear BUILD",
    ]],
    // mymod.registry["key"] = ...: SETITEM, then SETITEMS on a module-level dict.
    [bytes("cmymod\nregistry\n", sbu("k"), "Ns(", sbu("j"), "Nu."), [
      "MA102@0 mymod.registry GLOBAL",
      "MA101@20 mymod.registry SETITEM",
      "MA101@26 mymod.registry SETITEMS",
    ]],
    [bytes("cmymod\nhooks\nNa(Ne."), [
      "MA102@0 mymod.hooks GLOBAL",
      "MA101@14 mymod.hooks APPEND",
      "MA101@17 mymod.hooks APPENDS",
    ]],
  ];
  for (const [data, expected] of cases) assert.deepEqual(run(data).findings, expected);
});

Deno.test("dict keys that become code as an object's state: __setstate__, and scipy's _parse_arg_template", () => {
  const template = "\ndef _parse_args(self, a, b,  loc=0, scale=1):\n    return (a, b, ), loc, scale\n\n" +
    "def _parse_args_rvs(self, a, b,  loc=0, scale=1, size=None):\n" +
    "    return self._argcheck_rvs(a, b,  loc, scale, size=size)\n\n" +
    "def _parse_args_stats(self, a, b,  loc=0, scale=1, moments='mv'):\n    return (a, b, ), loc, scale, moments\n";
  const state = (value: Uint8Array) => bytes("}", sbu("_parse_arg_template"), value, "s.");
  // scipy's own parser is fine, whatever the shape names; anything else is exec'd source.
  assert.deepEqual(run(state(bu(template))).findings, []);
  for (const evil of [template + "__import__('os').system('id')\n", template.replace("(a, b, )", "f(a)")]) {
    const setitem = evil.length + 22 + 5;
    assert.deepEqual(run(state(bu(evil))).findings, [
      `MA101@${setitem} scipy.stats._distn_infrastructure.rv_generic.__setstate__ SETITEM`,
      // The source calls os.system, and scipy execs it: MA108 (f(a) calls nothing dangerous).
      ...(evil.includes("system") ? ["MA108@22"] : []),
    ]);
  }
  // A value computed while loading (rot13 of the source) cannot be checked.
  const rot13 = bytes("c_codecs\nencode\n", sbu("x"), sbu("rot13"), "\x86R");
  assert.deepEqual(run(state(rot13)).findings, [
    "MA101@50 scipy.stats._distn_infrastructure.rv_generic.__setstate__ SETITEM",
  ]);
  // {"__setstate__": print} in a DICT, then as a slot state: BUILD would call it.
  assert.deepEqual(run(bytes("(", sbu("__setstate__"), "cbuiltins\nprint\nd.")).findings, [
    "MA102@15 builtins.print GLOBAL",
    "MA101@31 null.<computed> DICT",
  ]);
});

Deno.test("past a limit a loader's import is critical (its payload is not tracked) and constants are still checked", () => {
  const small = { ...DEFAULT_PICKLE_OPTIONS, maxMarkDepth: 2 };
  const data = bytes("(((ctorch.storage\n_load_from_bytes\n", sbu("x"), "C", 2, "N.\x85R.");
  const { findings, ends, texts } = run(data, small);
  assert.deepEqual([findings, ends], [
    ["MA110@2", "MA101@3 torch.storage._load_from_bytes GLOBAL"],
    ["LIMIT@2", "STOP@44"],
  ]);
  assert.deepEqual(texts.map((t) => t.value), ["x", bytes("N.")]);
});
