// The machine's facts: what it establishes, in order, with nothing judged; and the
// dispatcher that hands each fact to the analyses of its kind.
import assert from "node:assert/strict";
import { Disassembler } from "../../../scanners/pickle/disassembler.ts";
import { factDispatcher, type PickleFact } from "../../../scanners/pickle/facts.ts";
import { PickleMachine, type TextValue } from "../../../scanners/pickle/machine.ts";
import { DEFAULT_PICKLE_OPTIONS } from "../../../scanners/option_catalog.ts";
import { bytes, global } from "./_bytes.ts";

/** Every fact the machine establishes for `data`; `onFact` may act on each as it comes. */
function facts(
  data: Uint8Array,
  onFact: (fact: PickleFact) => void = () => {},
  limits = DEFAULT_PICKLE_OPTIONS,
): PickleFact[] {
  const out: PickleFact[] = [];
  const machine = new PickleMachine({
    fact: (fact) => {
      out.push(fact);
      onFact(fact);
    },
  }, limits);
  const dis = Disassembler.fromBytes(data);
  for (let op = dis.next(); op; op = dis.next()) machine.step(op);
  return out;
}

/** A fact in brief: kind, position and what it names. */
function brief(fact: PickleFact): string {
  switch (fact.kind) {
    case "import":
      return `import@${fact.op.pos} ${fact.global.module}.${fact.global.name} ${fact.global.verdict?.tier}` +
        (fact.global.getter ? " getter" : "") + (fact.global.loader ? " loader" : "") +
        (fact.sweeping ? " sweeping" : "");
    case "attribute":
      return `attribute@${fact.op.pos} ${fact.folded.module}.${fact.folded.name} ${fact.folded.verdict?.tier}`;
    case "call":
      return `call@${fact.op.pos} ${fact.op.name} ${fact.callee.kind} args=${fact.args.count}`;
    case "build":
      return `build@${fact.op.pos} ${fact.target.kind}${fact.previous === undefined ? "" : " again"}`;
    case "items":
      return `items@${fact.op.pos} ${fact.op.name} ${fact.target.kind} ${fact.items.length}`;
    case "text":
      return `text@${fact.value.pos} ${fact.value.kind}${fact.sweeping ? " sweeping" : ""}`;
    case "expansion":
      return `expansion@${fact.op.pos}`;
    case "limit":
      return `limit@${fact.pos} ${fact.limit}`;
    case "missing-memo":
      return `missing-memo@${fact.op.pos} ${fact.key}`;
    default:
      return fact.kind;
  }
}

Deno.test("the machine tells what it resolves, in order, and judges nothing", () => {
  const data = bytes(`${global("os", "system")}(S'echo hi'\ntR.`);
  assert.deepEqual(facts(data).map(brief), [
    "import@0 os.system denied",
    "text@12 str",
    "call@24 REDUCE global args=1",
    "end",
  ]);
  // getattr(re.RegexFlag, "IGNORECASE") is resolved to an import of its own; getattr is never called.
  const enumMember = bytes(global("builtins", "getattr"), global("re", "RegexFlag"), "S'IGNORECASE'\n\x86R.");
  assert.deepEqual(facts(enumMember).map(brief), [
    "import@0 builtins.getattr denied getter",
    "import@18 re.RegexFlag safe",
    "text@32 str",
    "attribute@47 re.RegexFlag.IGNORECASE safe",
    "end",
  ]);
});

Deno.test("builds, items, memo misses and limits are facts; past a limit imports and strings are swept", () => {
  const data = bytes(global("collections", "OrderedDict"), ")R}b}b", "(S'k'\nNd", "h", 7, "]", "N", "a.");
  assert.deepEqual(facts(data).map(brief), [
    "import@0 collections.OrderedDict safe",
    "call@26 REDUCE global args=0",
    "build@28 call",
    "build@30 call again",
    "text@32 str",
    "items@38 DICT dict 2",
    "missing-memo@39 7",
    "items@43 APPEND list 1",
    "end",
  ]);
  const swept = bytes("(((", global("torch.storage", "_load_from_bytes"), "S'x'\n.");
  assert.deepEqual(facts(swept, undefined, { ...DEFAULT_PICKLE_OPTIONS, maxMarkDepth: 2 }).map(brief), [
    "limit@2 markDepth",
    "import@3 torch.storage._load_from_bytes safe loader sweeping",
    "text@35 str sweeping",
    "end",
  ]);
});

Deno.test("a label set on a string reaches every value that holds it, added late ones too", () => {
  // A list memoized, put into a tuple, then given the string: the tuple and the call hold it too.
  const data = bytes(global("mypkg", "run"), "]p0\n", "\x85", "g0\n", "S'x'\n", "a0", "R.");
  const labelled: TextValue[] = [];
  const all = facts(data, (fact) => {
    if (fact.kind === "text") {
      fact.value.code = fact.value;
      labelled.push(fact.value);
    }
  });
  const call = all.find((fact) => fact.kind === "call");
  assert.ok(call?.kind === "call" && call.callee.kind === "global" && call.args.kind === "tuple");
  assert.equal(call.args.code, labelled[0]);
  assert.equal(call.result.code, labelled[0]);
});

Deno.test("the dispatcher hands each fact to the analyses of its kind, in the order given", () => {
  const seen: string[] = [];
  const sink = factDispatcher([
    { text: () => seen.push("first text"), end: () => seen.push("first end") },
    { end: () => seen.push("second end") },
    {},
  ]);
  sink({ kind: "end" });
  sink({ kind: "stream-error", pos: 3, reason: "nobody listens" });
  assert.deepEqual(seen, ["first end", "second end"]);
});
