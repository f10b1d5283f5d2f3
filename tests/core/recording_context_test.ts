import assert from "node:assert/strict";
import { bytesSource } from "../../core/byte_source.ts";
import { recordingContext } from "../../core/recording_context.ts";
import { pickleScanner } from "../../scanners/pickle/scanner.ts";
import { zipScanner } from "../../scanners/zip/scanner.ts";

const SYSTEM = "cos\nsystem\n(S'echo pwned'\ntR.";

Deno.test("recordingContext records a real scanner's findings and nested payloads, in order", async () => {
  const { ctx, findings, nested } = recordingContext("model.pkl");
  await pickleScanner.scan(bytesSource(new TextEncoder().encode(SYSTEM)), ctx);
  assert.deepEqual(findings.map((f) => [f.rule, f.position]), [["MA100", 0], ["MA101", 27]]);
  assert.deepEqual(nested, []);
  // A pickle in base64: MA107, and the decoded pickle is handed over (listed, not scanned).
  const encoded = recordingContext("model.pkl");
  await pickleScanner.scan(bytesSource(new TextEncoder().encode(`S'${btoa(SYSTEM)}'\n.`)), encoded.ctx);
  assert.deepEqual(encoded.findings.map((f) => [f.rule, f.position]), [["MA107", 0]]);
  assert.deepEqual(encoded.nested, ["<base64@0>"]);
});

Deno.test("recordingContext lists members without scanning them, and names the format", async () => {
  // Python's zipfile: one stored member, data.pkl, holding pickle.dumps(None, 4)
  const zip = Uint8Array.fromBase64(
    "UEsDBBQAAAAAAAAAIVC/rjh5BAAAAAQAAAAIAAAAZGF0YS5wa2yABE4uUEsBAhQDFAAAAAAAAAAhUL+uOHkEAAAABAAAAAgAAAAAAAAAAAAAAIABAAAAAGRhdGEucGtsUEsFBgAAAAABAAEANgAAACoAAAAAAA==",
  );
  const { ctx, findings, members, identified } = recordingContext("model.zip");
  await zipScanner.scan(bytesSource(zip), ctx);
  assert.deepEqual(findings, []);
  assert.deepEqual(members.map((m) => [m.name, m.content.kind]), [["data.pkl", "stored"]]);
  assert.deepEqual(identified, []);
  ctx.identify("pytorch");
  assert.deepEqual(identified, ["pytorch"]);
});

Deno.test("recordingContext matches blacklist patterns case-insensitively and opens no sibling", async () => {
  const { ctx } = recordingContext("model.pkl", ["Evil"]);
  assert.equal(ctx.matchBlacklist("an EVIL name"), "Evil");
  assert.equal(ctx.matchBlacklist("harmless"), undefined);
  assert.equal(recordingContext().ctx.matchBlacklist("evil"), undefined);
  assert.deepEqual(await ctx.openSibling("model.onnx.data"), {
    ok: false,
    reason: "no siblings in memory",
    escape: false,
  });
  assert.equal(ctx.depth, 0);
  assert.equal(ctx.path, "model.pkl");
});
