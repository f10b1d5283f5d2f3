// Git LFS pointers as git-lfs writes them (its spec.md), recognised under any name; text that only
// looks like one is not one. The pointers of fixtures/huggingface/malicious/lfs_pointers are git-lfs's layout.
import assert from "node:assert/strict";
import { scanBytes } from "../../../engine/dispatch.ts";
import { parseLfsPointer } from "../../../scanners/lfs/pointer.ts";

const OID = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";
const POINTER = `version https://git-lfs.github.com/spec/v1\noid sha256:${OID}\nsize 12345\n`;
const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("lfs pointer: found under any name, never a name mismatch, one MA635 info", async () => {
  for (const name of ["pytorch_model.bin", "model.safetensors", "model.onnx", "weights.pkl", "tf_model.h5"]) {
    const outcome = await scanBytes(bytes(POINTER), name);
    assert.equal(outcome.format, "git-lfs-pointer", name);
    assert.deepEqual(outcome.findings.map((f) => `${f.rule} ${f.severity}`), ["MA635 info"], name);
    assert.deepEqual(outcome.findings[0].details, {
      oid: `sha256:${OID}`,
      size: 12345,
      version: "https://git-lfs.github.com/spec/v1",
    });
  }
});

Deno.test("lfs pointer: extension keys in order are part of the spec", () => {
  const text =
    `version https://git-lfs.github.com/spec/v1\next-0-foo sha256:${OID}\noid sha256:${OID}\nsize 1\n`;
  assert.equal(parseLfsPointer(bytes(text))?.size, 1);
});

Deno.test("lfs pointer: malformed pointer-like text is not a pointer", async () => {
  const malformed = [
    POINTER.replace("size 12345\n", ""), // no size
    POINTER.replace(OID, OID.toUpperCase()), // git-lfs writes lower-case hex only
    POINTER.replace(OID, OID.slice(1)), // 63 digits
    POINTER.replace("sha256:", "md5:"),
    POINTER.replace("spec/v1", "spec/v2"),
    POINTER.slice(0, -1), // no final newline
    `oid sha256:${OID}\n${POINTER}`, // version not first
    POINTER.replace("size 12345\n", `size 12345\noid sha256:${OID}\n`), // keys out of order
    POINTER.replace("size 12345", "size -1"),
    POINTER + "x".repeat(1024), // past git-lfs's 1 KiB cutoff
  ];
  for (const text of malformed) {
    assert.equal(parseLfsPointer(bytes(text)), undefined, text);
    const outcome = await scanBytes(bytes(text), "pytorch_model.bin");
    assert.notEqual(outcome.format, "git-lfs-pointer", text);
    assert.ok(!outcome.findings.some((f) => f.rule === "MA635"), text);
  }
});

Deno.test("lfs pointer: the fixture pointers name the real files they replace", async () => {
  const dir = new URL("../../../fixtures/huggingface/malicious/lfs_pointers/", import.meta.url);
  const pointer = parseLfsPointer(await Deno.readFile(new URL("model.safetensors", dir)));
  assert.ok(pointer);
  const weights = new URL("../../benign/plain/model.safetensors", dir);
  const real = await Deno.readFile(weights);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", real));
  assert.equal(pointer.oid, Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""));
  assert.equal(pointer.size, real.length);
});
