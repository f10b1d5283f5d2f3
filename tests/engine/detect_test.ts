import assert from "node:assert/strict";
import { extensionOf, formatsClaimedBy, nameClaimsScannedFormat } from "../../engine/detect.ts";

Deno.test("extensions are the last segment's, lower-cased, dot files have none", () => {
  assert.equal(extensionOf("models/Model.PT"), ".pt");
  assert.equal(extensionOf("bundle.zip:archive/data.pkl"), ".pkl");
  assert.equal(extensionOf(".bashrc"), "");
  assert.equal(extensionOf("archive/.data/serialization_id"), "");
});

Deno.test("a name claims every format that may carry its extension", () => {
  assert.deepEqual(formatsClaimedBy("model.npz").sort(), ["zip"]);
  assert.ok(formatsClaimedBy("model.pt").includes("pickle"));
  assert.ok(formatsClaimedBy("model.pt").includes("zip"));
  // A TorchScript archive's code/*.py is legitimately TorchScript source.
  assert.ok(formatsClaimedBy("code/__torch__/m.py").includes("torchscript"));
  assert.deepEqual(formatsClaimedBy("README"), []);
});

Deno.test("only scanners that detect content make a name look like a model file", () => {
  assert.equal(nameClaimsScannedFormat("weights.pkl"), true);
  assert.equal(nameClaimsScannedFormat("model.npy"), true);
  // Scanners reached only through a container's loadAs do not: a .py file on disk is no model.
  assert.equal(nameClaimsScannedFormat("setup.py"), false);
  assert.equal(nameClaimsScannedFormat("notes.md"), false);
});
