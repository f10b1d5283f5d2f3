// 7z archives: recognised by signature, reported as not inspectable (MA212),
// and named as 7z when their name claims a model format (MA001 from the engine).
import assert from "node:assert/strict";
import { scanBytes } from "../../../engine/dispatch.ts";
import { detectSevenZip } from "../../../scanners/sevenzip/descriptor.ts";
import { renderLocation } from "../../../report/location.ts";

const SIGNATURE = [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c];
/** The signature header of an empty 7z archive (version 0.4, no next header), as 7-Zip writes it. */
const EMPTY_7Z = new Uint8Array([...SIGNATURE, 0, 4, 0x8d, 0x9b, 0xd5, 0x0f, ...new Array(20).fill(0)]);

Deno.test("detection: the six signature bytes, nothing less", () => {
  assert.ok(detectSevenZip(EMPTY_7Z));
  assert.ok(!detectSevenZip(EMPTY_7Z.subarray(0, 5)));
  assert.ok(!detectSevenZip(new Uint8Array([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1d])));
});

Deno.test("a 7z is one MA212; named .pt it is also MA001", async () => {
  const plain = await scanBytes(EMPTY_7Z, "empty.7z");
  assert.equal(plain.format, "7z");
  assert.deepEqual(plain.findings.map((f) => `${f.rule} ${f.severity} ${renderLocation(f.location)}`), [
    "MA212 warning empty.7z",
  ]);
  assert.deepEqual(plain.findings[0].details, { format: "7z", size: 32 });
  const named = await scanBytes(EMPTY_7Z, "model.pt");
  assert.deepEqual(named.findings.map((f) => `${f.rule} ${f.severity}`).sort(), [
    "MA001 warning",
    "MA212 warning",
  ]);
});
