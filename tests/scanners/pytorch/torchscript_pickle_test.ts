// TorchScript's pickles: __torch__ classes are the archive's own code, everything else is
// judged by the pickle policy; real torch.jit.save pickles scan clean, payloads do not.
import assert from "node:assert/strict";
import { bytesSource } from "../../../core/byte_source.ts";
import type { FindingReport, ScanContext } from "../../../core/scanner.ts";
import { scanPickle } from "../../../scanners/pickle/scanner.ts";
import {
  classifyTorchScriptImport,
  torchScriptPickleScanner,
} from "../../../scanners/pytorch/torchscript_pickle.ts";
import { archiveEntries } from "./_zip.ts";
import { CallablePolicy } from "../../../policy/callables.ts";

const FIXTURES = new URL("../../../fixtures/pytorch/", import.meta.url);

function recorder(): { ctx: ScanContext; findings: FindingReport[] } {
  const findings: FindingReport[] = [];
  return {
    findings,
    ctx: {
      path: "t.pt:archive/data.pkl",
      depth: 1,
      signal: new AbortController().signal,
      policy: CallablePolicy.standard(),
      openSibling: () => Promise.resolve({ ok: false, escape: false, reason: "no siblings in this test" }),
      report: (finding) => void findings.push(finding),
      matchBlacklist: () => undefined,
      scanNested: () => Promise.resolve(),
      scanMember: () => Promise.reject(new Error("a pickle has no members")),
      identify: () => {},
    },
  };
}

Deno.test("__torch__ classes are safe; other imports keep the pickle policy's verdict", () => {
  const tier = (module: string, name: string) => classifyTorchScriptImport(module, name).tier;
  assert.equal(tier("__torch__", "M"), "safe");
  assert.equal(tier("__torch__.torch.nn.modules.linear", "Linear"), "safe");
  assert.equal(tier("__torch__.torch.nn.modules.linear.___torch_mangle_0", "Linear"), "safe");
  assert.equal(tier("torch._utils", "_rebuild_tensor_v2"), "safe");
  assert.equal(tier("torch.jit._pickle", "restore_type_tag"), "safe");
  assert.equal(tier("os", "system"), "denied");
  assert.equal(tier("__torch__x", "M"), "unknown");
  assert.equal(tier("__torch__.a b", "M"), "denied");
  assert.equal(tier("__torch__", "__class__.__subclasses__"), "denied");
});

Deno.test("every pickle of real TorchScript archives scans clean, as the plain policy would not", async () => {
  let pickles = 0;
  let plainFindings = 0;
  for (const file of ["benign/scripted.pt", "benign/traced.pt", "benign/lite.ptl"]) {
    for (const entry of await archiveEntries(await Deno.readFile(new URL(file, FIXTURES)))) {
      if (!entry.name.endsWith("pkl")) continue;
      pickles++;
      const source = bytesSource(await entry.read());
      const script = recorder();
      await torchScriptPickleScanner.scan(source, script.ctx);
      assert.deepEqual(script.findings, [], `${file}:${entry.name}`);
      const plain = recorder();
      await scanPickle(source, plain.ctx);
      plainFindings += plain.findings.length;
    }
  }
  assert.equal(pickles, 20);
  assert.ok(plainFindings > 0, "the plain policy flags __torch__ classes");
});
