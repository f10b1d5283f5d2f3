// Dotted Python names: identifiers as Python 3 defines them (ASCII, then Unicode XID), dotted
// paths of them, and the aliases a loader resolves.
import assert from "node:assert/strict";
import { canonicalize, isDottedIdentifier, isIdentifier } from "../../policy/dotted.ts";

Deno.test("identifiers: ASCII letters, digits after the first, underscores; Unicode by XID", () => {
  for (const name of ["a", "_", "_rebuild_tensor_v2", "Tensor2", "función", "ñandú", "ℕ", "a·b", "变量"]) {
    assert.equal(isIdentifier(name), true, name);
  }
  for (const name of ["", "2d", "os system", "a-b", "a.b", "·a", "€uro", "a\u200bb", "a\n"]) {
    assert.equal(isIdentifier(name), false, JSON.stringify(name));
  }
});

Deno.test("dotted identifiers: every segment an identifier, none empty", () => {
  for (const path of ["os", "torch._utils._rebuild_tensor_v2", "módulo.función"]) {
    assert.equal(isDottedIdentifier(path), true, path);
  }
  for (const path of ["", ".", "os.", ".os", "os..system", "no such", "os.2", "m€.x"]) {
    assert.equal(isDottedIdentifier(path), false, JSON.stringify(path));
  }
});

Deno.test("canonical names follow Python's own renaming", () => {
  assert.deepEqual(canonicalize("posix", "system"), { module: ["os"], name: ["system"] });
  assert.deepEqual(canonicalize("__builtin__", "reduce"), { module: ["functools"], name: ["reduce"] });
  assert.deepEqual(canonicalize("torch._utils", "_rebuild_tensor_v2"), {
    module: ["torch", "_utils"],
    name: ["_rebuild_tensor_v2"],
  });
});
