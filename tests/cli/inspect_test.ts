// `modelaudit inspect` end to end in this process (scans still run in sandboxed workers): the
// exact text listing, the JSON document with totals through an archive's members, exit codes
// (findings do not change them, unreadable files do) and the options it refuses.
import assert from "node:assert/strict";
import type { InspectDocument } from "../../report/inspect_json.ts";
import { runInProcess } from "../_cli_helpers.ts";

Deno.test("inspect: the text listing of a safetensors file and of a pickle with findings", async () => {
  const result = await runInProcess([
    "inspect",
    "fixtures/safetensors/benign/no_metadata.safetensors",
    "fixtures/pickle/malicious/global_os_system_reduce_p0.pkl",
  ]);
  assert.equal(result.code, 0);
  assert.equal(result.stderr, "");
  assert.equal(
    result.stdout,
    [
      "fixtures/safetensors/benign/no_metadata.safetensors (safetensors, 176 B)",
      "  tensors:",
      "    name    dtype  shape   parameters  bytes",
      "    bias    F32    [3]              3   12 B",
      "    weight  F32    [3, 3]           9   36 B",
      "  2 tensors, 12 parameters, 48 B",
      "",
      "fixtures/pickle/malicious/global_os_system_reduce_p0.pkl (pickle, 42 B)",
      "  2 findings: run 'modelaudit scan' on it before loading it",
      "",
      "Total: 2 files, 2 tensors, 12 parameters, 48 B",
      "",
    ].join("\n"),
  );
});

Deno.test("inspect --format json: tensors through an archive's members, with totals", async () => {
  const result = await runInProcess(["inspect", "--format", "json", "fixtures/numpy/benign/arrays.npz"]);
  assert.equal(result.code, 0);
  const document: InspectDocument = JSON.parse(result.stdout);
  assert.deepEqual(document.totals, { files: 1, tensors: 2, parameters: 16, bytes: 64 });
  const [file] = document.files;
  assert.deepEqual([file.path, file.format, file.status, file.findings], [
    "fixtures/numpy/benign/arrays.npz",
    "numpy-npz",
    "scanned",
    0,
  ]);
  assert.deepEqual(file.tensors, [
    {
      members: ["weights.npy"],
      name: "weights",
      dtype: "F32",
      shape: [3, 4],
      parameters: 12,
      bytes: 48,
      readable: true,
    },
    {
      members: ["bias.npy"],
      name: "bias",
      dtype: "F32",
      shape: [4],
      parameters: 4,
      bytes: 16,
      readable: true,
    },
  ]);
  assert.deepEqual(file.contents.map((entry) => [entry.members, entry.format]), [
    [["weights.npy"], "numpy"],
    [["bias.npy"], "numpy"],
  ]);
});

Deno.test("inspect: an unreadable path exits 2; a format it does not write is a usage error", async () => {
  const missing = await runInProcess(["inspect", "fixtures/no/such.safetensors"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stdout, /^fixtures\/no\/such\.safetensors \(unrecognised, 0 B\)\n {2}error: /);
  const sarif = await runInProcess(["inspect", "--format", "sarif", "x"]);
  assert.equal(sarif.code, 2);
  assert.match(sarif.stderr, /argument 'sarif' is invalid\. Allowed choices are text, json\./);
  const none = await runInProcess(["inspect"]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /missing required argument 'paths'/);
});
