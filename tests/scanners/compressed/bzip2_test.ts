// The bzip2 scanner on real bz2.compress output (the fixtures) and damaged copies of it:
// streams concatenated as bz2.BZ2File reads them, damage reported as MA209 and never a hang.
import assert from "node:assert/strict";
import { detectBzip2 } from "../../../scanners/compressed/magic.ts";
import { concat, fixture, OS_SYSTEM, osSystemFindings, scanBrief } from "./_scan.ts";

const encoder = new TextEncoder();
const bz2 = await fixture("compressed/malicious/os_system.pkl.bz2");

Deno.test("bzip2: concatenated streams are read on", async () => {
  const [format, findings] = await scanBrief(concat(bz2, bz2), "two.pkl.bz2");
  assert.equal(format, "bzip2");
  assert.deepEqual(findings, [
    ...osSystemFindings("two.pkl.bz2:two.pkl"),
    ...osSystemFindings("two.pkl.bz2:two.pkl", OS_SYSTEM.length),
  ]);
});

Deno.test("bzip2: bytes after the last stream are MA209, after the content is scanned", async () => {
  const [, findings] = await scanBrief(concat(bz2, encoder.encode("garbage")), "g.pkl.bz2");
  assert.deepEqual(findings, [...osSystemFindings("g.pkl.bz2:g.pkl"), "MA209 warning g.pkl.bz2:g.pkl"]);
});

Deno.test("bzip2: a block whose CRC fails is scanned, then MA209", async () => {
  const bad = bz2.slice();
  bad[10] ^= 0xff; // the block CRC, after "BZh9" and the block magic
  const [, findings] = await scanBrief(bad, "c.pkl.bz2");
  assert.deepEqual(findings, [...osSystemFindings("c.pkl.bz2:c.pkl"), "MA209 warning c.pkl.bz2:c.pkl"]);
});

Deno.test("bzip2: truncated and garbage blocks are MA209, not a crash or a hang", async () => {
  assert.deepEqual((await scanBrief(bz2.subarray(0, bz2.length - 20), "t.pkl.bz2"))[1], [
    "MA007 info t.pkl.bz2:t.pkl",
    "MA209 warning t.pkl.bz2:t.pkl",
  ]);
  let seed = 3;
  const noise = Uint8Array.from({ length: 20_000 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
  const garbage = concat(bz2.subarray(0, 10), noise);
  assert.deepEqual((await scanBrief(garbage, "n.bz2"))[1], ["MA209 warning n.bz2:n"]);
});

Deno.test("bzip2: detection needs a stream header and a block or end-of-stream magic", () => {
  assert.ok(detectBzip2(bz2));
  assert.ok(detectBzip2(Uint8Array.of(0x42, 0x5a, 0x68, 0x39, 0x17, 0x72, 0x45, 0x38, 0x50, 0x90)));
  assert.ok(!detectBzip2(encoder.encode("BZh9 is not enough")));
  assert.ok(!detectBzip2(encoder.encode("BZh01AY&SY")));
});
