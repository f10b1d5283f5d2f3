import assert from "node:assert/strict";
import { bytesSource } from "../../../core/byte_source.ts";
import { HEAD_BYTES } from "../../../core/detection.ts";
import type { FindingReport, ScanContext } from "../../../core/scanner.ts";
import { scanBytes } from "../../../engine/dispatch.ts";
import type { Value } from "../../../scanners/pickle/machine.ts";
import { DEFAULT_PICKLE_OPTIONS } from "../../../scanners/option_catalog.ts";
import { detectPickle, PickleStream, unpickleReach } from "../../../scanners/pickle/scanner.ts";
import { binBytes, bu, Builder, bytes, global, le, type Part, sbu } from "./_bytes.ts";
import { scan, scanBrief } from "./_context.ts";
import { renderLocation } from "../../../report/location.ts";
import { CallablePolicy } from "../../../policy/callables.ts";

const OS_SYSTEM = global("os", "system");

Deno.test("GLOBAL + REDUCE: the import at GLOBAL, the call at REDUCE", async () => {
  const findings = await scan(bytes(`${OS_SYSTEM}(S'echo hi'\ntR.`));
  assert.deepEqual(findings.map((f) => [f.rule, f.severity, f.position]), [
    ["MA100", "critical", 0],
    ["MA101", "critical", 24],
  ]);
  const [imported, called] = findings.map((f) => f.details);
  assert.deepEqual({ ...imported, reason: typeof imported.reason }, {
    module: "os",
    function: "system",
    position: 0,
    opcode: "GLOBAL",
    reason: "string",
    entry: "os",
    category: "process",
  });
  assert.deepEqual({ ...called, reason: typeof called.reason }, {
    module: "os",
    function: "system",
    position: 24,
    opcode: "REDUCE",
    reason: "string",
    entry: "os",
    category: "process",
  });
});

Deno.test("INST reports the import and the call at the same position", async () => {
  const findings = await scan(bytes(`(S'echo'\nios\nsystem\n.`));
  assert.deepEqual(findings.map((f) => [f.rule, f.severity, f.position, f.details.opcode]), [
    ["MA100", "critical", 9, "INST"],
    ["MA101", "critical", 9, "INST"],
  ]);
});

Deno.test("STACK_GLOBAL through MEMOIZE, out-of-order BINPUT/BINGET, DUP and POP", async () => {
  const p = new Builder();
  p.add(0x80, 4, sbu("junk"), "q", 7, sbu("system"), 0x94, "2", "0", sbu("os"), "q", 3, "(", "0", "0");
  p.add("h", 3, "h", 1);
  const stackGlobal = p.add(0x93);
  p.add(sbu("id"), 0x85);
  const reduce = p.add("R");
  p.add(".");
  assert.deepEqual(await scanBrief(p.build()), [
    `MA100 critical @${stackGlobal}`,
    `MA101 critical @${reduce}`,
  ]);
});

Deno.test("an unresolved STACK_GLOBAL is critical; its call is critical only if something denied is involved", async () => {
  const fromInt = new Builder();
  fromInt.add(0x80, 4, "K", 1, sbu("system"));
  const sg1 = fromInt.add(0x93);
  const call1 = fromInt.add(")R.") + 1;
  const findings = await scan(fromInt.build());
  assert.deepEqual(
    findings.map((f) => [f.rule, f.severity, f.position, f.details.module, f.details.function]),
    [
      ["MA104", "critical", sg1, null, "system"],
      ["MA103", "warning", call1, null, "<computed>"],
    ],
  );
  // The module name is the result of a call to os.system: everything downstream involves it.
  const computed = new Builder();
  computed.add(0x80, 2, OS_SYSTEM, sbu("x"), 0x85);
  const firstCall = computed.add("R");
  computed.add(sbu("name"));
  const sg2 = computed.add(0x93);
  const secondCall = computed.add(")R.") + 1;
  assert.deepEqual(await scanBrief(computed.build()), [
    "MA100 critical @2",
    `MA101 critical @${firstCall}`,
    `MA104 critical @${sg2}`,
    `MA101 critical @${secondCall}`,
  ]);
});

Deno.test("EXT1/EXT2/EXT4 imports from the copyreg registry are unresolved (MA104) with their code", async () => {
  for (
    const [ext, arg, code] of [[0x82, [5], 5], [0x83, [0x34, 0x12], 0x1234], [
      0x84,
      le(70000, 4),
      70000,
    ]] as const
  ) {
    const findings = await scan(bytes(0x80, 2, ext, arg, ")R."));
    assert.deepEqual(findings.map((f) => [f.rule, f.severity, f.position, f.details.extensionCode]), [
      ["MA104", "critical", 2, code],
      ["MA103", "warning", 3 + arg.length + 1, undefined],
    ]);
  }
});

Deno.test("OBJ, NEWOBJ and NEWOBJ_EX call what they instantiate", async () => {
  assert.deepEqual(await scanBrief(bytes(`(${OS_SYSTEM}S'id'\no.`)), [
    "MA100 critical @1",
    "MA101 critical @18",
  ]);
  assert.deepEqual(await scanBrief(bytes(0x80, 2, global("mypkg", "Thing"), ")", 0x81, ".")), [
    "MA102 warning @2",
    "MA103 warning @16",
  ]);
  const p = new Builder();
  p.add(0x80, 4, sbu("subprocess"), sbu("Popen"));
  const sg = p.add(0x93);
  const newobjEx = p.add(sbu("id"), 0x85, "}", 0x92) + 6;
  p.add(".");
  assert.deepEqual(await scanBrief(p.build()), [`MA100 critical @${sg}`, `MA101 critical @${newobjEx}`]);
});

Deno.test("BUILD is a call only when the built object's class is denied (a __setstate__ gadget)", async () => {
  const denied = bytes(0x80, 2, global("subprocess", "Popen"), ")", 0x81, "}b.");
  assert.deepEqual(await scanBrief(denied), [
    "MA100 critical @2",
    "MA101 critical @21",
    "MA101 critical @23",
  ]);
  const unknown = bytes(0x80, 2, global("mypkg", "Thing"), ")", 0x81, "}b.");
  assert.deepEqual(await scanBrief(unknown), ["MA102 warning @2", "MA103 warning @16"]);
  const safe = bytes(0x80, 2, global("collections", "OrderedDict"), ")R}b.");
  assert.deepEqual(await scanBrief(safe), []);
});

Deno.test("a denied callable passed as an argument makes the call critical: partial(os.system), map(eval, ...)", async () => {
  const partial = bytes(0x80, 2, global("functools", "partial"), OS_SYSTEM, 0x85, "R.");
  const findings = await scan(partial);
  assert.deepEqual(findings.map((f) => [f.rule, f.severity, f.position]), [
    ["MA100", "critical", 21],
    ["MA101", "critical", 33],
  ]);
  assert.deepEqual(findings[1].details, {
    module: "functools",
    function: "partial",
    position: 33,
    opcode: "REDUCE",
    argument: "os.system",
  });
  const map = bytes(
    0x80,
    2,
    global("builtins", "map"),
    global("builtins", "eval"),
    "S'1'\n",
    0x85,
    0x86,
    "R.",
  );
  assert.deepEqual(await scanBrief(map), ["MA102 warning @2", "MA100 critical @16", "MA101 critical @38"]);
});

Deno.test("a payload handed to pickle.loads is scanned, with findings located inside it", async () => {
  const inner = bytes(`${OS_SYSTEM}(S'x'\ntR.`);
  const outer = bytes(global("pickle", "loads"), "(", binBytes(inner), "tR.");
  const findings = await scan(outer);
  assert.deepEqual(findings.map((f) => [f.rule, f.severity, f.path, f.position]), [
    ["MA100", "critical", "t.pkl", 0],
    ["MA101", "critical", "t.pkl", 38],
    ["MA100", "critical", "t.pkl:<payload@17>", 0],
    ["MA101", "critical", "t.pkl:<payload@17>", 18],
  ]);
  // Through the engine, the location names the payload and the position inside it.
  const outcome = await scanBytes(outer, "model.pkl");
  assert.deepEqual(outcome.findings.map((f) => renderLocation(f.location)), [
    "model.pkl (pos 0)",
    "model.pkl (pos 38)",
    "model.pkl:<payload@17> (pos 0)",
    "model.pkl:<payload@17> (pos 18)",
  ]);
});

Deno.test("torch.storage._load_from_bytes is safe itself, but its payload is scanned in earnest", async () => {
  const inner = bytes(0x80, 2, OS_SYSTEM, "(S'x'\ntR");
  const outer = bytes(0x80, 2, global("torch.storage", "_load_from_bytes"), binBytes(inner), 0x85, "R.");
  assert.deepEqual(await scanBrief(outer), [
    "MA100 critical t.pkl:<payload@36> @2",
    "MA101 critical t.pkl:<payload@36> @20",
    "MA105 warning t.pkl:<payload@36> @21",
  ]);
});

Deno.test("a payload written as _codecs.encode(text, 'latin1') (protocols 0-2 bytes) is scanned in earnest", async () => {
  const inner = `\x80\x02${OS_SYSTEM}(S'x'\ntR`; // no STOP: the MA105 shows, as for any loader payload
  const p = new Builder();
  p.add(0x80, 2, global("torch.storage", "_load_from_bytes"), global("_codecs", "encode"));
  const text = p.add(bu(inner));
  p.add(bu("latin1"), 0x86, "R", 0x85, "R.");
  const label = `t.pkl:<payload@${text + 5}>`;
  assert.deepEqual(await scanBrief(p.build()), [
    `MA100 critical ${label} @2`,
    `MA101 critical ${label} @20`,
    `MA105 warning ${label} @21`,
  ]);
});

Deno.test("a loader's protocol-0 payload too large to decode is critical: it is unpickled unseen", async () => {
  // A raw-unicode-escape UNICODE line over LARGE_ARG_BYTES, handed to _codecs.encode(..., 'latin1').
  const p = new Builder();
  p.add(global("torch.storage", "_load_from_bytes"), global("_codecs", "encode"), "(");
  const text = p.add("V", "a".repeat((1 << 20) + 1), "\n");
  p.add("Vlatin1\ntR\x85R.");
  assert.deepEqual(await scanBrief(p.build()), [`MA006 critical @${text}`]);
});

Deno.test("a constant that merely starts like a pickle is scanned opportunistically (security findings only)", async () => {
  const inner = bytes(0x80, 2, OS_SYSTEM, ")R"); // no STOP: the MA105 must not show
  const outer = bytes(0x80, 2, "]", binBytes(inner), "a.");
  assert.deepEqual(await scanBrief(outer), [
    "MA100 critical t.pkl:<payload@5> @2",
    "MA101 critical t.pkl:<payload@5> @14",
  ]);
});

Deno.test("strings that decode from base64 or hex to a pickle are MA107, and the decoded pickle is scanned", async () => {
  const inner = bytes(0x80, 2, `${OS_SYSTEM}(S'x'\ntR.`);
  const base64 = btoa(String.fromCharCode(...inner));
  const findings = await scan(bytes(0x80, 2, bu(base64), "."));
  assert.deepEqual(findings.map((f) => [f.rule, f.severity, f.path, f.position, f.details.encoding]), [
    ["MA107", "warning", "t.pkl", 2, "base64"],
    ["MA100", "critical", "t.pkl:<base64@2>", 2, undefined],
    ["MA101", "critical", "t.pkl:<base64@2>", 20, undefined],
  ]);
  const hex = [...inner].map((b) => b.toString(16).padStart(2, "0")).join("");
  assert.deepEqual(await scanBrief(bytes(0x80, 3, "N", binBytes(bytes(hex)), "0.")), [
    "MA107 warning @3",
    "MA100 critical t.pkl:<hex@3> @2",
    "MA101 critical t.pkl:<hex@3> @20",
  ]);
});

Deno.test("Python source in strings nothing evaluates is MA111 (info), plain or encoded: data is not code", async () => {
  const source = "import os; os.system('id')";
  const findings = await scan(bytes(0x80, 4, sbu(source), sbu(btoa(source)), 0x86, "."));
  assert.deepEqual(findings.map((f) => [f.rule, f.severity, f.position, f.details]), [
    ["MA111", "info", 2, { encoding: "plain", calls: ["os.system"], position: 2 }],
    ["MA111", "info", 30, { encoding: "base64", calls: ["os.system"], position: 30 }],
  ]);
  // Handed to a callable the policy allows (an OrderedDict of it, its BUILD state), it is still data.
  const ordered = bytes(
    0x80,
    2,
    global("collections", "OrderedDict"),
    ")R",
    sbu("k"),
    sbu(source),
    "s}",
    sbu("s"),
    sbu(source),
    "sb.",
  );
  assert.deepEqual(await scanBrief(ordered), ["MA111 info @32", "MA111 info @65"]);
});

Deno.test("Python source handed to eval, exec, compile, a loader, an unknown or computed callable is MA108", async () => {
  const source = "import os; os.system('id')";
  // builtins.eval(source): the import, the call, and the string it evaluates.
  const evaluated = await scan(bytes(0x80, 2, global("builtins", "eval"), sbu(source), 0x85, "R."));
  assert.deepEqual(evaluated.map((f) => [f.rule, f.severity, f.position]), [
    ["MA100", "critical", 2],
    ["MA101", "critical", 46],
    ["MA108", "critical", 17],
  ]);
  assert.deepEqual(evaluated[2].details, {
    encoding: "plain",
    calls: ["os.system"],
    position: 17,
    evaluatedBy: "builtins.eval",
    evaluatedAt: 46,
  });
  for (
    const [module, name] of [["builtins", "exec"], ["builtins", "compile"], ["pickle", "loads"], [
      "marshal",
      "loads",
    ]]
  ) {
    const call = bytes(0x80, 2, global(module, name), sbu(source), 0x85, "R.");
    const at = 2 + global(module, name).length;
    const brief = (await scanBrief(call)).filter((f) => !f.includes(":<payload@"));
    assert.deepEqual(brief, [
      "MA100 critical @2",
      `MA101 critical @${at + 29}`,
      `MA108 critical @${at}`,
    ], `${module}.${name}`);
  }
  // An unknown callable may do anything with it; the base64 layer is decoded first.
  const unknown = await scanBrief(bytes(0x80, 2, global("mypkg", "run"), sbu(btoa(source)), 0x85, "R."));
  assert.deepEqual(unknown, ["MA102 warning @2", "MA103 warning @52", "MA108 critical @13"]);
  // A callable computed while loading (from a memo entry never stored).
  assert.deepEqual(await scanBrief(bytes(0x80, 2, "h", 9, sbu(source), 0x85, "R.")), [
    "MA105 warning @2",
    "MA103 warning @33",
    "MA108 critical @4",
  ]);
  // The __setstate__ of an unknown class receives it as BUILD's state.
  assert.deepEqual(await scanBrief(bytes(0x80, 2, global("mypkg", "Obj"), ")R", sbu(source), "b.")), [
    "MA102 warning @2",
    "MA103 warning @14",
    "MA108 critical @15",
  ]);
});

Deno.test("source reaches the call wherever it is among the arguments: nested, past kept items, added late", async () => {
  const source = "__import__('os').system('id')";
  const call = (...args: Part[]) => bytes(0x80, 2, global("mypkg", "run"), ...args, "R.");
  const findings = async (data: Uint8Array) => (await scanBrief(data)).filter((f) => f.startsWith("MA108"));
  // In a dict inside a tuple inside the argument tuple.
  assert.deepEqual(await findings(call("}", sbu("k"), sbu(source), "s", 0x85, 0x85)), ["MA108 critical @17"]);
  // The 12th item of a list: past the items a container keeps.
  const many = Array.from({ length: 11 }, () => "N");
  assert.deepEqual(await findings(call("(", ...many, sbu(source), "l", 0x85)), ["MA108 critical @25"]);
  // Appended to a list after the list was put in the argument tuple (through the memo).
  assert.deepEqual(await findings(call("]q", 0, 0x85, "h", 0, sbu(source), "a0")), ["MA108 critical @19"]);
  // Through _codecs.encode, which protocol 2 writes bytes as, into eval.
  const encoded = bytes(
    0x80,
    2,
    global("builtins", "eval"),
    global("_codecs", "encode"),
    sbu(source),
    sbu("latin1"),
    0x86,
    "R",
    0x85,
    "R.",
  );
  assert.deepEqual(await findings(encoded), ["MA108 critical @33"]);
});

Deno.test("past a limit, where calls are no longer tracked, source counts as evaluated", async () => {
  const source = "import os; os.system('id')";
  const data = bytes(0x80, 2, sbu(source), "(((N.");
  assert.deepEqual(await scanBrief(data, { limits: { maxMarkDepth: 2 } }), [
    "MA108 critical @2",
    "MA110 warning @32",
  ]);
  const swept = bytes(0x80, 2, "(((", sbu(source), "N.");
  assert.deepEqual(await scanBrief(swept, { limits: { maxMarkDepth: 2 } }), [
    "MA110 warning @4",
    "MA108 critical @5",
  ]);
});

Deno.test("several pickles in one file are all scanned, with positions in the file", async () => {
  assert.deepEqual(await scanBrief(bytes("N.", 0x80, 2, OS_SYSTEM, ")R.")), [
    "MA100 critical @4",
    "MA101 critical @16",
  ]);
});

Deno.test("a stream that breaks still reports every import before the break", async () => {
  assert.deepEqual(await scanBrief(bytes(`${OS_SYSTEM}(S'ec`)), ["MA100 critical @0", "MA105 warning @12"]);
  const noStop = bytes(`${OS_SYSTEM}(S'x'\nt`);
  assert.deepEqual(await scanBrief(noStop), ["MA100 critical @0", `MA105 warning @${noStop.length}`]);
  assert.deepEqual(await scanBrief(bytes(`${OS_SYSTEM}(S'x'\ntR.\n\xff`)), [
    "MA100 critical @0",
    "MA101 critical @18",
    "MA105 warning @20",
  ]);
  const underflow = await scan(bytes("N.", global("mypkg", "fn"), "0R"));
  assert.deepEqual(underflow.map((f) => [f.rule, f.position, f.details.reason]), [
    ["MA102", 2, undefined],
    ["MA105", 13, "stack underflow: REDUCE needs 2 values"],
  ]);
});

Deno.test("a FRAME whose length disagrees with its opcodes is critical (MA106)", async () => {
  const p = new Builder();
  p.add(0x80, 4);
  const frame = p.add(0x95, le(2, 8));
  const sg = p.add(sbu("os"), sbu("system"), 0x93) + 12;
  p.add(")R.");
  const findings = await scan(p.build());
  assert.deepEqual(findings.map((f) => [f.rule, f.severity, f.position]), [
    ["MA106", "critical", frame],
    ["MA100", "critical", sg],
    ["MA101", "critical", sg + 2],
  ]);
  assert.deepEqual(findings[0].details, {
    declared: 2,
    actual: 4,
    reason: "SHORT_BINUNICODE at 11 straddles the frame's end",
    position: frame,
  });
  const pastEnd = await scan(bytes(0x80, 4, 0x95, le(1000, 8), "N."));
  assert.deepEqual(pastEnd.map((f) => [f.rule, f.position, f.details.declared, f.details.actual]), [
    ["MA106", 2, 1000, 2],
  ]);
});

/** A list of 10 references to the list below it, 10 levels deep: 10^10 objects once expanded. */
function billionLaughs(): { data: Uint8Array; bomb: number } {
  const p = new Builder();
  p.add(0x80, 2, "]", "q", 0);
  let bomb = -1;
  let size = 1;
  for (let level = 1; level <= 10; level++) {
    p.add("(");
    for (let i = 0; i < 10; i++) p.add("h", level - 1);
    const list = p.add("l");
    p.add("q", level);
    size = 1 + 10 * size;
    if (bomb < 0 && size > DEFAULT_PICKLE_OPTIONS.maxExpandedSize) bomb = list;
  }
  p.add(".");
  return { data: p.build(), bomb };
}

Deno.test("a billion-laughs expansion is reported once, where it crosses the limit", async () => {
  const { data, bomb } = billionLaughs();
  const findings = await scan(data);
  assert.deepEqual(findings.map((f) => [f.rule, f.severity, f.position, f.details.limit]), [
    ["MA109", "critical", bomb, "MAX_EXPANDED_SIZE"],
  ]);
});

Deno.test("an expansion built by filling shared lists after they were referenced is caught too", async () => {
  // Ten empty lists first; then list k gets ten references to list k-1, top-down, so every
  // list is still small when it is added to the one above it.
  const p = new Builder();
  p.add(0x80, 2);
  for (let k = 0; k < 10; k++) p.add("]", "q", k, "0");
  let last = -1;
  for (let k = 9; k >= 1; k--) {
    p.add("h", k, "(");
    for (let i = 0; i < 10; i++) p.add("h", k - 1);
    last = p.add("e");
    p.add("0");
  }
  p.add("N.");
  assert.deepEqual(await scanBrief(p.build()), [`MA109 critical @${last}`]);
});

Deno.test("a resource limit is reported with MA110; imports before and after it are still reported", async () => {
  const p = new Builder();
  p.add(0x80, 2, OS_SYSTEM, "0");
  for (let i = 0; i < 100; i++) p.add("N0");
  p.add(global("mypkg", "fn"), "0N.");
  const limits = { maxOpcodes: 50 };
  const findings = await scan(p.build(), { limits });
  assert.deepEqual(findings.map((f) => [f.rule, f.severity, f.position, f.details.limit]), [
    ["MA100", "critical", 2, undefined],
    // PROTO, GLOBAL and POP are opcodes 1-3; opcode 51 is the 48th of the NONE/POP run starting at 14.
    ["MA110", "warning", 14 + 47, "MAX_PICKLE_OPCODES"],
    // Padding a payload past the limit does not hide it: the sweep still resolves GLOBAL.
    ["MA102", "warning", 214, undefined],
  ]);
});

Deno.test("the blacklist matches string constants and import names (MA005)", async () => {
  const data = bytes(0x80, 2, global("mypkg", "evil_loader"), sbu("contact evil.example"), 0x85, "R.");
  const findings = await scan(data, { blacklist: ["EVIL"] });
  assert.deepEqual(findings.map((f) => [f.rule, f.severity, f.position, f.details.pattern]), [
    ["MA102", "warning", 2, undefined],
    ["MA005", "critical", 2, "EVIL"],
    ["MA005", "critical", 21, "EVIL"],
    ["MA103", "warning", 44, undefined],
  ]);
});

// Real pickle.dumps output of {'a': [1, -2, 3.5, 2**70, 'x\né', b'y', b'', None, True, False, (1, 2), {1, 2},
// frozenset([3]), bytearray(b'z')], 'n': {'k': ('v', 1.0, -1.5e300)}} at protocols 0 to 5 (CPython 3.11).
const PLAIN_DATA = [
  "(dp0\nVa\np1\n(lp2\nI1\naI-2\naF3.5\naL1180591620717411303424L\naVx\\u000a\xe9\np3\nac_codecs\nencode\np4\n(Vy\np5\nVlatin1\np6\ntp7\nRp8\nac__builtin__\nbytes\np9\n(tRp10\naNaI01\naI00\na(I1\nI2\ntp11\nac__builtin__\nset\np12\n((lp13\nI1\naI2\natp14\nRp15\nac__builtin__\nfrozenset\np16\n((lp17\nI3\natp18\nRp19\nac__builtin__\nbytearray\np20\n(g4\n(Vz\np21\ng6\ntp22\nRp23\ntp24\nRp25\nasVn\np26\n(dp27\nVk\np28\n(Vv\np29\nF1.0\nF-1.5e+300\ntp30\nss.",
  "}q\x00(X\x01\x00\x00\x00aq\x01]q\x02(K\x01J\xfe\xff\xff\xffG@\x0c\x00\x00\x00\x00\x00\x00L1180591620717411303424L\nX\x04\x00\x00\x00x\n\xc3\xa9q\x03c_codecs\nencode\nq\x04(X\x01\x00\x00\x00yq\x05X\x06\x00\x00\x00latin1q\x06tq\x07Rq\x08c__builtin__\nbytes\nq\x09)Rq\nNI01\nI00\n(K\x01K\x02tq\x0bc__builtin__\nset\nq\x0c(]q\x0d(K\x01K\x02etq\x0eRq\x0fc__builtin__\nfrozenset\nq\x10(]q\x11K\x03atq\x12Rq\x13c__builtin__\nbytearray\nq\x14(h\x04(X\x01\x00\x00\x00zq\x15h\x06tq\x16Rq\x17tq\x18Rq\x19eX\x01\x00\x00\x00nq\x1a}q\x1bX\x01\x00\x00\x00kq\x1c(X\x01\x00\x00\x00vq\x1dG?\xf0\x00\x00\x00\x00\x00\x00G\xfeA\xeb-f\x00X5tq\x1esu.",
  "\x80\x02}q\x00(X\x01\x00\x00\x00aq\x01]q\x02(K\x01J\xfe\xff\xff\xffG@\x0c\x00\x00\x00\x00\x00\x00\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00@X\x04\x00\x00\x00x\n\xc3\xa9q\x03c_codecs\nencode\nq\x04X\x01\x00\x00\x00yq\x05X\x06\x00\x00\x00latin1q\x06\x86q\x07Rq\x08c__builtin__\nbytes\nq\x09)Rq\nN\x88\x89K\x01K\x02\x86q\x0bc__builtin__\nset\nq\x0c]q\x0d(K\x01K\x02e\x85q\x0eRq\x0fc__builtin__\nfrozenset\nq\x10]q\x11K\x03a\x85q\x12Rq\x13c__builtin__\nbytearray\nq\x14h\x04X\x01\x00\x00\x00zq\x15h\x06\x86q\x16Rq\x17\x85q\x18Rq\x19eX\x01\x00\x00\x00nq\x1a}q\x1bX\x01\x00\x00\x00kq\x1cX\x01\x00\x00\x00vq\x1dG?\xf0\x00\x00\x00\x00\x00\x00G\xfeA\xeb-f\x00X5\x87q\x1esu.",
  "\x80\x03}q\x00(X\x01\x00\x00\x00aq\x01]q\x02(K\x01J\xfe\xff\xff\xffG@\x0c\x00\x00\x00\x00\x00\x00\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00@X\x04\x00\x00\x00x\n\xc3\xa9q\x03C\x01yq\x04C\x00q\x05N\x88\x89K\x01K\x02\x86q\x06cbuiltins\nset\nq\x07]q\x08(K\x01K\x02e\x85q\x09Rq\ncbuiltins\nfrozenset\nq\x0b]q\x0cK\x03a\x85q\x0dRq\x0ecbuiltins\nbytearray\nq\x0fC\x01zq\x10\x85q\x11Rq\x12eX\x01\x00\x00\x00nq\x13}q\x14X\x01\x00\x00\x00kq\x15X\x01\x00\x00\x00vq\x16G?\xf0\x00\x00\x00\x00\x00\x00G\xfeA\xeb-f\x00X5\x87q\x17su.",
  "\x80\x04\x95\x90\x00\x00\x00\x00\x00\x00\x00}\x94(\x8c\x01a\x94]\x94(K\x01J\xfe\xff\xff\xffG@\x0c\x00\x00\x00\x00\x00\x00\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00@\x8c\x04x\n\xc3\xa9\x94C\x01y\x94C\x00\x94N\x88\x89K\x01K\x02\x86\x94\x8f\x94(K\x01K\x02\x90(K\x03\x91\x94\x8c\x08builtins\x94\x8c\x09bytearray\x94\x93\x94C\x01z\x94\x85\x94R\x94e\x8c\x01n\x94}\x94\x8c\x01k\x94\x8c\x01v\x94G?\xf0\x00\x00\x00\x00\x00\x00G\xfeA\xeb-f\x00X5\x87\x94su.",
  "\x80\x05\x95z\x00\x00\x00\x00\x00\x00\x00}\x94(\x8c\x01a\x94]\x94(K\x01J\xfe\xff\xff\xffG@\x0c\x00\x00\x00\x00\x00\x00\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00@\x8c\x04x\n\xc3\xa9\x94C\x01y\x94C\x00\x94N\x88\x89K\x01K\x02\x86\x94\x8f\x94(K\x01K\x02\x90(K\x03\x91\x94\x96\x01\x00\x00\x00\x00\x00\x00\x00z\x94e\x8c\x01n\x94}\x94\x8c\x01k\x94\x8c\x01v\x94G?\xf0\x00\x00\x00\x00\x00\x00G\xfeA\xeb-f\x00X5\x87\x94su.",
];

Deno.test("plain data pickled at protocols 0 to 5 is clean", async () => {
  for (const [protocol, text] of PLAIN_DATA.entries()) {
    const data = bytes(text);
    assert.ok(detectPickle(data, data.length), `protocol ${protocol} detected`);
    assert.deepEqual(await scanBrief(data), [], `protocol ${protocol}`);
  }
  assert.deepEqual(await scanBrief(bytes("F1.5\n.")), []);
  assert.deepEqual(await scanBrief(bytes(0x80, 5, 0x95, le(15, 8), 0x96, le(4, 8), "data", 0x94, ".")), []);
});

Deno.test("a torch-style state dict (OrderedDict, _rebuild_tensor_v2, BINPERSID storages) is clean", async () => {
  const tensor = (key: string, storage: string) =>
    bytes(
      bu(key),
      "h",
      3,
      "((",
      bu("storage"),
      global("torch", "FloatStorage"),
      bu(storage),
      bu("cpu"),
      "K",
      4,
      "tQK",
      0,
      "K",
      2,
      "K",
      2,
      0x86,
      "K",
      2,
      "K",
      1,
      0x86,
      0x89,
      "h",
      0,
      ")RtR",
    );
  const data = bytes(
    0x80,
    2,
    global("collections", "OrderedDict"),
    "q",
    0,
    ")Rq",
    1,
    global("torch._utils", "_rebuild_tensor_v2"),
    "q",
    3,
    "0(",
    tensor("layer.weight", "0"),
    tensor("layer.bias", "1"),
    "u}",
    bu("_metadata"),
    "h",
    0,
    ")Rsb.",
  );
  assert.deepEqual(await scanBrief(data), []);
});

Deno.test("detect: PROTO 2-5 heads and cleanly running protocol 0/1 heads only", () => {
  const yes = (text: string | Uint8Array, size?: number) => {
    const head = typeof text === "string" ? bytes(text) : text;
    return detectPickle(head, size ?? head.length);
  };
  assert.equal(yes(bytes(0x80, 4, 0x95)), true);
  assert.equal(yes(bytes(0x80, 2)), true);
  assert.equal(yes(`${OS_SYSTEM}(S'echo hi'\ntR.`), true);
  assert.equal(yes("]q\x00(K\x01K\x02e."), true);
  assert.equal(yes("(dp0\nVa\np1\n", 100_000), true); // a head that ends mid-pickle
  assert.equal(yes("# modelaudit\n\nA static scanner for ML model files.\n"), false);
  assert.equal(yes('{"a": [1, 2, 3]}'), false);
  assert.equal(yes(bytes(0x89, "PNG\r\n\x1a\n", le(13, 4), "IHDR")), false);
  assert.equal(yes("N"), false); // no STOP in a whole file
  assert.equal(yes("NNt."), false); // TUPLE without MARK
  assert.equal(yes("g0\n."), false); // reads a memo entry never stored
  assert.equal(yes("I am a README\n"), false);
  // Text that starts like a pickle: `G` + 8 bytes + `.` is a float, `C` is SHORT_BINBYTES, `i` reads two lines.
  assert.equal(yes("Git v2.31.7 Release Notes\n===========================\n"), false);
  assert.equal(
    yes("Copyright 1999, 2001-2023 Free Software Foundation, Inc.\nContributed by the AriC project.\n"),
    false,
  );
  assert.equal(yes("(\nit is part of the GNU MPFR Library.\nSee the file COPYING.\n"), false);
  // A loader needs no PROTO: any opcode that needs no stack may start a pickle.
  assert.equal(yes("\x8c\x02os\x8c\x06system\x93\x8c\x02id\x85R."), true);
  assert.equal(yes("\x88\x30cos\nsystem\n(S'id'\ntR."), true);
  // A stream that imports and then breaks is still a pickle: the loader ran the import.
  assert.equal(yes(`${OS_SYSTEM}(S'echo hi'\ntRg99\n.`), true);
  // EXT alone imports nothing (the extension registry is empty), so it does not make random bytes a pickle.
  assert.equal(yes(bytes(0x84, 0xcc, 0x9a, 0x91, 0x1e, 0x07)), false);
  let seed = 42;
  for (let i = 0; i < 200; i++) {
    const random = new Uint8Array(512).map(() => (seed = (seed * 1103515245 + 12345) % 2 ** 31) >> 16);
    assert.equal(yes(random), false, `random head ${i}`);
  }
});

Deno.test("reach: how far unpickling bytes of another format gets, judged on their head", () => {
  const utf8 = (text: string) => new TextEncoder().encode(text);
  const reach = (head: Uint8Array, size = head.length) => unpickleReach(head, size);
  // zlib's MARK FROZENSET header, then NONE, STOP: a loader gets None.
  const none = bytes("(", 0x91, "N.", 0, 0);
  assert.equal(reach(none), none.length);
  // An import, then a break: the loader ran the import; the reading is read to its break.
  const broken = bytes(`${OS_SYSTEM}(S'x'\ntR`, 0);
  assert.equal(reach(broken), broken.length);
  // Clean where the head ends: judged by reading on.
  assert.equal(reach(bytes("(", 0x91, "B", le(100_000, 4), "abc"), 200_000), 200_000);
  // A first PERSID: pickle.load, joblib and np.load have no persistent_load, and torch.load reads
  // a legacy file's first pickle without one: the reading ends there.
  assert.equal(reach(bytes(`${OS_SYSTEM}Pid\n.`)), 11);
  assert.equal(reach(bytes("PK\x03\x04\x14\x00\x08\x08\x08\x00\nN.")), undefined);
  assert.equal(reach(bytes("N", "(K\x01Q.")), undefined);
  // An import of a name that is no dotted identifier (what random bytes make): find_class raises there.
  assert.equal(reach(bytes(0x80, 4, sbu("no such"), sbu("module"), 0x93, "N.")), undefined);
  const unimportable = bytes(OS_SYSTEM, sbu("\x01x"), sbu("y"));
  assert.equal(reach(bytes(unimportable, 0x93, "N.")), unimportable.length);
  // Bytes that break before a STOP having imported nothing get nowhere.
  assert.equal(reach(bytes(0x78, 0x9c, 0x4b, 0x4c)), undefined);
  assert.equal(reach(bytes(0x1f, 0x8b, 8, 0)), undefined);
  assert.equal(reach(bytes("BZh91AY&SY")), undefined);
  assert.equal(reach(bytes(0x93, "NUMPY", 1, 0)), undefined);
  assert.equal(reach(bytes("]", 0, 0, 0x80, 0)), undefined);
  assert.equal(reach(bytes("ccollections\nOrderedDict\n"), 1000), 1000);
  // Python 3 names are Unicode identifiers (XID): importing one is an import; a name with a
  // character no identifier has is not.
  assert.equal(reach(bytes(utf8("cmódulo\nfunción\n")), 1000), 1000);
  assert.equal(reach(bytes(utf8("cm€dulo\nfunción\n")), 1000), undefined);
  assert.equal(reach(bytes("N")), undefined); // the source ends before a STOP
  let seed = 7;
  for (let i = 0; i < 200; i++) {
    const random = new Uint8Array(512).map(() => (seed = (seed * 1103515245 + 12345) % 2 ** 31) >> 16);
    assert.equal(reach(random), undefined, `random head ${i}`);
  }
});

Deno.test("firstOnly reads the first pickle only, as pickle.load does", async () => {
  const two = bytes("N.", OS_SYSTEM, "(S'id'\ntR.");
  assert.deepEqual(await scanBrief(two), ["MA100 critical @2", "MA101 critical @21"]);
  assert.deepEqual(await scanBrief(two, { firstOnly: true }), []);
});

Deno.test("the engine scans a protocol-0 pickle named .txt as a pickle", async () => {
  const outcome = await scanBytes(bytes(`${OS_SYSTEM}(S'echo hi'\ntR.`), "notes.txt");
  assert.equal(outcome.format, "pickle");
  const pickleFindings = outcome.findings.filter((f) => f.rule.startsWith("MA1"));
  assert.deepEqual(pickleFindings.map((f) => [f.rule, renderLocation(f.location)]), [
    ["MA100", "notes.txt (pos 0)"],
    ["MA101", "notes.txt (pos 24)"],
  ]);
});

Deno.test("a pickle of 5 million opcodes is scanned within seconds and is clean", async () => {
  // One list filled by APPENDS batches of 1,000 small ints, as pickle.dumps(list(range(...))) writes it.
  const out = new Uint8Array(10_100_000);
  let n = 0;
  let ops = 0;
  out[n++] = 0x80;
  out[n++] = 4;
  out[n++] = 0x5d;
  out[n++] = 0x94;
  ops += 3;
  while (ops < 5_000_000 - 2) {
    out[n++] = 0x28;
    for (let i = 0; i < 998; i++) {
      out[n++] = 0x4b;
      out[n++] = i & 0xff;
    }
    out[n++] = 0x65;
    ops += 1000;
  }
  out[n++] = 0x2e;
  ops++;
  assert.ok(ops >= 5_000_000);
  assert.deepEqual(await scanBrief(out.subarray(0, n)), []);
  assert.equal(detectPickle(out.subarray(0, HEAD_BYTES), n), true);
});

Deno.test("PickleStream: one pickle at a time, from an offset, with its STOP value and persistent ids", async () => {
  const findings: FindingReport[] = [];
  const ctx: ScanContext = {
    path: "s.bin",
    depth: 0,
    signal: new AbortController().signal,
    policy: CallablePolicy.standard(),
    openSibling: () => Promise.resolve({ ok: false, escape: false, reason: "no siblings in this test" }),
    report: (finding) => findings.push(finding),
    matchBlacklist: () => undefined,
    scanNested: () => Promise.resolve(),
    scanMember: () => Promise.resolve(true),
    identify: () => {},
  };
  const pids: [Value, number][] = [];
  const keys = Array.from({ length: 20 }, (_, i) => bu(`${i}`));
  const b = new Builder();
  b.add("junk");
  const first = b.add(0x80, 2, "(", bu("storage"), "K", 7, "tQ.");
  const second = b.add(0x80, 2, "]", ...keys.flatMap((key) => [key, "a"]), ".");
  const third = b.add(0x80, 2, "]", ...keys.flatMap((key) => [key, "a"]), ".");
  const broken = b.add(0xff);
  const stream = new PickleStream(bytesSource(b.build()), ctx, {
    start: first,
    persistentId: (pid, pos) => {
      pids.push([pid, pos]);
      return undefined;
    },
  });
  const one = await stream.next();
  assert.deepEqual([one.end, one.offset, one.value?.kind], ["stop", second, "persid"]);
  assert.deepEqual(pids.map(([pid, pos]) => [pid.kind, pid.kind === "tuple" ? pid.count : 0, pos]), [
    ["tuple", 2, second - 2],
  ]);
  const whole = await stream.next({ keepItems: 100 });
  assert.equal(whole.offset, third);
  assert.equal(whole.value?.kind === "list" && whole.value.items.length, 20);
  const capped = await stream.next();
  assert.deepEqual(capped.value?.kind === "list" && [capped.value.count, capped.value.items.length], [20, 8]);
  assert.equal(capped.offset, broken);
  assert.deepEqual(await stream.next(), { end: "broken", offset: broken, value: undefined });
  assert.deepEqual(await stream.next(), { end: "broken", offset: broken, value: undefined });
  assert.deepEqual(findings.map((f) => [f.rule, f.position]), [["MA105", broken]]);
});

Deno.test("getattr(Class, 'name') is folded into the import Class.name; any other use reports getattr", async () => {
  const getattr = global("builtins", "getattr");
  const call = (...parts: Part[]) => bytes(0x80, 2, getattr, ...parts, ".");
  // An enum member (Python 3.11 pickles members so): only the unknown enum class warns.
  assert.deepEqual(await scanBrief(call(global("mypkg.enums", "Color"), bu("red"), 0x86, "R")), [
    "MA102 warning @20",
  ]);
  // The folded path is classified like an import: a dunder chain or a dangerous re-export is critical.
  assert.deepEqual(await scanBrief(call(global("mypkg", "f"), bu("__globals__"), 0x86, "R")), [
    "MA102 warning @20",
    "MA100 critical @46",
  ]);
  assert.deepEqual(
    await scanBrief(call(global("mypkg", "mod"), bu("system"), 0x86, "R", bu("id"), 0x85, "R")),
    [
      "MA102 warning @20",
      "MA100 critical @43",
      "MA101 critical @52",
    ],
  );
  // A bound method of an instance NEWOBJ created is looked up on its class.
  const instance: Part[] = [global("mypkg", "Model"), ")", 0x81];
  assert.deepEqual(await scanBrief(call(...instance, bu("predict"), 0x86, "R")), [
    "MA102 warning @20",
    "MA103 warning @34",
  ]);
  // Not foldable: never called, called on a REDUCE result, or with a dotted name.
  assert.deepEqual(await scanBrief(call()), ["MA100 critical @2"]);
  assert.deepEqual(await scanBrief(call(global("mypkg", "make"), ")R", bu("x"), 0x86, "R")), [
    "MA102 warning @20",
    "MA103 warning @33",
    "MA100 critical @2",
    "MA101 critical @41",
  ]);
  assert.deepEqual(await scanBrief(call(global("mypkg", "mod"), bu("a.b"), 0x86, "R")), [
    "MA102 warning @20",
    "MA100 critical @2",
    "MA101 critical @40",
  ]);
});
