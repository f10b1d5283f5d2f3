// The policy of Python callables: every case of `_cases.ts` resolves to its tier and entry, the
// tables hold together (no entry shadows another, no safe name is denied by accident), the
// structural rules keep their reasons, a scan's extra names extend the policy, and hostile names
// stay linear.
import assert from "node:assert/strict";
import { CallablePolicy, type CallableVerdict, isNestedLoader } from "../../policy/callables.ts";
import { deniedNames, POLICY_CASES } from "./_cases.ts";

const policy = CallablePolicy.standard();

for (const { title, cases } of POLICY_CASES) {
  Deno.test(title, () => {
    for (const [module, name, tier, entry] of cases) {
      const verdict = policy.judge(module, name);
      const label = `${module} + ${name}: ${JSON.stringify(verdict)}`;
      assert.equal(verdict.tier, tier, label);
      if (tier !== "unknown") assert.equal(verdict.entry, entry, label);
      if (tier === "denied") {
        assert.ok(verdict.reason && verdict.reason.length > 10, `${label} has a reason`);
        assert.ok(verdict.category, `${label} has a category`);
      }
    }
  });
}

/** The verdict without the fields a case does not pin. */
const tierAndEntry = (verdict: CallableVerdict) => ({ tier: verdict.tier, entry: verdict.entry });

Deno.test("every denylist entry is denied with itself as the entry (no entry shadows another)", () => {
  const names = deniedNames();
  assert.ok(names.length > 500, `${names.length} entries`);
  for (const { entry, category, module, name } of names) {
    const verdict = policy.judge(module, name);
    assert.deepEqual(tierAndEntry(verdict), { tier: "denied", entry }, `${module} + ${name}`);
    assert.equal(verdict.category, category, entry);
  }
});

Deno.test("every exact safe name classifies as safe (denied never shadows a safe entry by accident)", () => {
  const names = policy.safeNames();
  assert.ok(names.length > 700, `${names.length} names`);
  for (const path of names) {
    const dot = path.lastIndexOf(".");
    assert.deepEqual(tierAndEntry(policy.judge(path.slice(0, dot), path.slice(dot + 1))), {
      tier: "safe",
      entry: path,
    }, path);
  }
});

Deno.test("members-only entries leave the class itself alone", () => {
  assert.equal(policy.judge("typing", "ForwardRef").tier, "unknown");
  assert.equal(policy.judge("typing", "ForwardRef._evaluate").tier, "denied");
});

Deno.test("structural verdicts say why: internals, a function named like a module, malformed names", () => {
  assert.match(policy.judge("mypkg", "f.__globals__").reason ?? "", /globals/);
  assert.match(policy.judge("builtins", "object.__subclasses__").reason ?? "", /every loaded class/);
  assert.equal(policy.judge("mypkg", "f.__globals__").category, "internals");
  assert.match(policy.judge("numpy", "trace").reason ?? "", /"trace"/);
  assert.equal(policy.judge("mycorp.code.models", "Net").reason, undefined);
  for (const [module, name] of [["collections", "OrderedDict\n"], ["collections", ""], ["", "OrderedDict"]]) {
    assert.match(
      policy.judge(module, name).reason ?? "",
      /not a dotted Python identifier/,
      `${module} + ${name}`,
    );
  }
  // Non-ASCII identifiers are valid Python, just not known.
  assert.deepEqual(policy.judge("__main__", "Modèle"), { tier: "unknown", name: "__main__.Modèle" });
});

Deno.test("a verdict names the callable as Python resolves it", () => {
  assert.equal(policy.judge("posix", "system").name, "os.system");
  assert.equal(policy.judge("__builtin__", "reduce").name, "functools.reduce");
  assert.equal(policy.judge("cPickle.loads").name, "pickle.loads");
  assert.equal(policy.judge("_operator", "or_").name, "operator.or_");
});

Deno.test("one dotted name, as source spells a reference, is judged by its prefixes from its first segment", () => {
  const cases: [string, string, string | undefined][] = [
    ["os.system", "denied", "os"],
    ["os", "denied", "os"],
    ["_posixsubprocess.fork_exec", "denied", "_posixsubprocess"],
    ["pexpect.spawn", "denied", "pexpect"],
    ["_winapi.CreateProcess", "denied", "_winapi"],
    ["posix.system", "denied", "os"],
    ["__builtin__.reduce", "denied", "functools.reduce"],
    ["joblib.externals.cloudpickle.loads", "denied", "joblib"],
    ["mypkg.externals.cloudpickle.loads", "denied", "cloudpickle"],
    // The head may be any value: attributes after it are not re-rooted, and special attributes are not
    // judged here (the source scanner judges them).
    ["numpy.os.system", "unknown", undefined],
    ["model.eval", "unknown", undefined],
    ["self.__class__", "unknown", undefined],
    ["AutoModel.from_pretrained", "unknown", undefined],
    ["builtins", "denied", "builtins"],
    ["__builtins__", "denied", "builtins"],
    ["builtins.int", "safe", "builtins.int"],
    ["torch.nn.functional.relu", "safe", "torch.nn.functional.relu"],
    ["self.signal", "unknown", undefined],
    ["torch", "unknown", undefined],
  ];
  for (const [dotted, tier, entry] of cases) {
    assert.deepEqual(tierAndEntry(policy.judge(dotted)), { tier, entry }, dotted);
  }
});

Deno.test("a scan's extra names: denied paths are configured denials, allowed names only lift unknown ones", () => {
  const extended = policy.extend({
    denied: ["mycorp.tools", "os.system", "not a path"],
    allowed: ["mycorp.models.Net", "mycorp.layers.*", "os.system", "1bad"],
  });
  assert.deepEqual(extended.judge("mycorp.tools.shell", "run"), {
    tier: "denied",
    name: "mycorp.tools.shell.run",
    reason: "the scan's options deny it",
    category: "configured",
    entry: "mycorp.tools",
  });
  // Through an attribute chain too, as any denied entry.
  assert.equal(extended.judge("pathlib", "mycorp.tools.run").tier, "denied");
  // A standard entry keeps its own reason and category; an allowed name never lifts a denial.
  assert.equal(extended.judge("os", "system").category, "process");
  assert.deepEqual(tierAndEntry(extended.judge("mycorp.models", "Net")), {
    tier: "safe",
    entry: "mycorp.models.Net",
  });
  assert.deepEqual(tierAndEntry(extended.judge("mycorp.layers.dense", "Dense")), {
    tier: "safe",
    entry: "mycorp.layers.*",
  });
  assert.equal(extended.judge("mycorp.layersx", "Dense").tier, "unknown");
  assert.equal(extended.judge("mycorp.layers", "Dense.__globals__").tier, "denied");
  assert.deepEqual(extended.extras, {
    denied: ["mycorp.tools", "os.system"],
    allowed: ["mycorp.models.Net", "mycorp.layers.*", "os.system"],
  });
  // The standard policy is untouched, and extending again keeps what was added.
  assert.equal(policy.judge("mycorp.tools", "run").tier, "unknown");
  assert.equal(extended.extend({ denied: ["other"] }).judge("mycorp.tools.run").tier, "denied");
  assert.equal(CallablePolicy.from(undefined), policy);
  assert.equal(CallablePolicy.from({ denied: [], allowed: [] }), policy);
});

Deno.test("a format adds its own safe namespace by composing, without touching the shared tables", () => {
  const keras = policy.extend({}, [{
    library: "keras",
    exact: ["keras.layers.Dense"],
    families: [{ root: "keras.src.layers", entry: "keras.src.layers.*", names: "classes" }],
  }]);
  assert.equal(keras.judge("keras.layers.Dense").tier, "safe");
  assert.equal(keras.judge("keras.src.layers.core.dense", "Dense").tier, "safe");
  // The denylist still wins in the format's namespace.
  assert.equal(keras.judge("keras.layers.Lambda").tier, "denied");
  assert.equal(policy.judge("keras.layers.Dense").tier, "unknown");
});

Deno.test("isNestedLoader recognises loaders under aliases and through attributes", () => {
  const loaders: [string, string][] = [
    ["pickle", "loads"],
    ["_pickle", "loads"],
    ["cPickle", "loads"],
    ["pickle", "_loads"],
    ["dill", "loads"],
    ["dill._dill", "loads"],
    ["cloudpickle", "loads"],
    ["joblib", "load"],
    ["torch", "load"],
    ["torch.serialization", "load"],
    ["torch.storage", "_load_from_bytes"],
    ["numpy", "loads"],
    ["numpy.core.numeric", "loads"],
    ["pandas.compat.pickle_compat", "loads"],
    ["pathlib", "pickle.loads"],
    ["torch.nn.modules.module", "torch.load"],
    ["torch", "storage._load_from_bytes"],
  ];
  for (const [module, name] of loaders) assert.equal(isNestedLoader(module, name), true, `${module}.${name}`);
  const others: [string, string][] = [
    ["pickle", "dumps"],
    ["pickle", "load"],
    ["collections", "OrderedDict"],
    ["torch._utils", "_rebuild_tensor_v2"],
    ["mypkg", "loads"],
    ["mypkg.pickle", "loads"],
    ["os", "system"],
  ];
  for (const [module, name] of others) assert.equal(isNestedLoader(module, name), false, `${module}.${name}`);
});

Deno.test("classification stays linear on hostile names", () => {
  const long = Array.from({ length: 100_000 }, (_, i) => `a${i % 7}`).join(".");
  assert.equal(policy.judge("mypkg", long).tier, "unknown");
  assert.equal(policy.judge("mypkg", `${long}.os.system`).tier, "denied");
  assert.equal(policy.judge(long, "x").tier, "unknown");

  for (let i = 0; i < 100_000; i++) policy.judge("torch._utils", "_rebuild_tensor_v2");
  for (let i = 0; i < 1_000; i++) policy.extend({ denied: ["mycorp.tools"], allowed: ["mycorp.Net"] });
});
