// Every denied entry of the policy through every consumer that judges Python names: a pickle
// that imports and calls it (MA100, MA101), Python source in a pickle string that calls it
// (the embedded check, MA108), and TorchScript code that refers to it (MA302). One policy, so
// none of them may let a denied name through.
import assert from "node:assert/strict";
import { scanBytes } from "../../engine/dispatch.ts";
import { CallablePolicy } from "../../policy/callables.ts";
import { inspectEmbedded } from "../../scanners/pickle/embedded.ts";
import { findDangerousCode } from "../../scanners/pytorch/torchscript.ts";
import { deniedNames } from "./_cases.ts";

const NAMES = deniedNames().map((n) => ({ ...n, dotted: `${n.module}.${n.name}` }));

/** Denied entries that embedded source calls for harmless reasons (`os.path` is `posixpath`). */
const SOURCE_PATH_HELPERS = new Set(["posixpath", "ntpath"]);

const CONSUMERS = ["pickle", "embedded source", "TorchScript code"];

Deno.test(`${NAMES.length} denied entries x ${CONSUMERS.length} consumers: a pickle importing and calling each is critical`, async () => {
  for (const { entry, category, module, name } of NAMES) {
    const bytes = new TextEncoder().encode(`c${module}\n${name}\n(S'x'\ntR.`);
    const { findings } = await scanBytes(bytes, "entry.pkl");
    const denied = findings.find((f) => f.rule === "MA100" && f.details.entry === entry);
    assert.ok(denied, `${module}.${name}: ${JSON.stringify(findings.map((f) => f.rule))}`);
    assert.equal(denied.severity, "critical");
    assert.equal(denied.details.category, category, entry);
    assert.ok(findings.some((f) => f.rule === "MA101"), `${module}.${name} is called`);
  }
});

Deno.test("every denied entry called in Python source a pickle string holds is found", () => {
  let checked = 0;
  for (const { entry, module, dotted } of NAMES) {
    // Path string helpers are the one namespace embedded source may call (`os.path.join`): not a finding.
    if (SOURCE_PATH_HELPERS.has(entry)) continue;
    checked++;
    // A write mode, so that open-like callables count too.
    const source = `import ${module}\n${dotted}('x', 'w')\n`;
    const found = inspectEmbedded(source).find((f) => f.kind === "code");
    assert.ok(found?.calls?.length, source);
  }
  assert.equal(checked, NAMES.length - SOURCE_PATH_HELPERS.size);
});

Deno.test("every denied entry referred to in TorchScript code is found", () => {
  for (const { dotted } of NAMES) {
    const source = `def forward(self, x):\n    return ${dotted}(x)\n`;
    const found = findDangerousCode(new TextEncoder().encode(source));
    // First the name itself; TorchScript's own attribute rules may add one (`builtins.__import__`).
    assert.equal(found[0]?.call, dotted, source);
  }
});

Deno.test("the names the issue found passing the source checks are denied by all three consumers", async () => {
  for (const dotted of ["_posixsubprocess.fork_exec", "pexpect.spawn", "_winapi.CreateProcess"]) {
    const [module, name] = dotted.split(".");
    const { findings } = await scanBytes(
      new TextEncoder().encode(`c${module}\n${name}\n(S'x'\ntR.`),
      "p.pkl",
    );
    assert.deepEqual(findings.map((f) => f.rule), ["MA100", "MA101"], dotted);
    assert.deepEqual(inspectEmbedded(`import ${module}\n${dotted}(['sh'])`)[0]?.calls, [dotted]);
    const code = findDangerousCode(new TextEncoder().encode(`x = ${dotted}(y)\n`));
    assert.deepEqual(code.map((r) => r.call), [dotted]);
  }
});

Deno.test("a scan's extra denied names reach every consumer through the policy it is given", async () => {
  const policy = CallablePolicy.standard().extend({ denied: ["mycorp.shell"] });
  const { findings } = await scanBytes(new TextEncoder().encode("cmycorp.shell\nrun\n(S'x'\ntR."), "p.pkl", {
    policy,
  });
  assert.deepEqual(findings.map((f) => [f.rule, f.severity]), [["MA100", "critical"], ["MA101", "critical"]]);
  assert.deepEqual(inspectEmbedded("import mycorp.shell\nmycorp.shell.run('x')", policy)[0]?.calls, [
    "mycorp.shell.run",
  ]);
  assert.deepEqual(inspectEmbedded("import mycorp.shell\nmycorp.shell.run('x')"), []);
  const code = new TextEncoder().encode("x = mycorp.shell.run(y)\n");
  assert.deepEqual(findDangerousCode(code, undefined, policy).map((r) => r.reason), [
    "the scan's options deny it",
  ]);
  assert.deepEqual(findDangerousCode(code), []);
  // Allowed names lift unknown ones only.
  const allowed = CallablePolicy.standard().extend({ allowed: ["mycorp.models.*", "os.system"] });
  const net = await scanBytes(new TextEncoder().encode("cmycorp.models\nNet\n(tR."), "n.pkl", {
    policy: allowed,
  });
  assert.deepEqual(net.findings, []);
  const os = await scanBytes(new TextEncoder().encode("cos\nsystem\n(S'x'\ntR."), "o.pkl", {
    policy: allowed,
  });
  assert.deepEqual(os.findings.map((f) => f.rule), ["MA100", "MA101"]);
});
