// The xz scanner on real lzma.compress output (the fixtures): concatenated streams and padding,
// trailing bytes (whose failing step would drop the last decoded bytes without the second pass),
// streams the decoder cannot read (MA212), and the one-stream-at-a-time decoder never left waiting.
import assert from "node:assert/strict";
import { detectXz } from "../../../scanners/compressed/magic.ts";
import { concat, fixture, OS_SYSTEM, osSystemFindings, scanBrief } from "./_scan.ts";

const xz = await fixture("compressed/malicious/os_system.pkl.xz");
const large = await fixture("compressed/malicious/trailing_garbage_large.pkl.xz");
const nested = await fixture("compressed/malicious/nested_xz_in_large_xz.pkl.xz");

Deno.test("xz: concatenated streams with stream padding between them are read on", async () => {
  const [format, findings] = await scanBrief(
    concat(xz, new Uint8Array(8), xz, new Uint8Array(4)),
    "two.pkl.xz",
  );
  assert.equal(format, "xz");
  assert.deepEqual(findings, [
    ...osSystemFindings("two.pkl.xz:two.pkl"),
    ...osSystemFindings("two.pkl.xz:two.pkl", OS_SYSTEM.length),
  ]);
});

Deno.test("xz: bytes after the last stream are MA209, and no decoded byte is lost to them", async () => {
  for (const tail of [Uint8Array.of(1), new TextEncoder().encode("garbage!".repeat(20))]) {
    const [, findings] = await scanBrief(concat(xz, tail), "g.pkl.xz");
    assert.deepEqual(findings, [...osSystemFindings("g.pkl.xz:g.pkl"), "MA209 warning g.pkl.xz:g.pkl"]);
  }
});

Deno.test("xz: a stream cut short is MA209", async () => {
  const [, findings] = await scanBrief(large.subarray(0, 300), "cut.pkl.xz");
  assert.deepEqual(findings, [
    "MA105 warning cut.pkl.xz:cut.pkl (pos 2)",
    "MA209 warning cut.pkl.xz:cut.pkl",
  ]);
});

Deno.test("xz: a nested stream is MA212 while its outer stream is open, and nothing is left waiting", async () => {
  const expected = ["MA212 warning n.xz:n:<payload@34603053>"];
  assert.deepEqual((await scanBrief(nested, "n.xz"))[1], expected);
  // Two files at once in one process: each waits for the other's decoder, neither forever.
  const both = await Promise.all([scanBrief(nested, "n.xz"), scanBrief(large, "l.pkl.xz")]);
  assert.deepEqual(both[0][1], expected);
  assert.equal(both[1][1].length, 3);
  assert.deepEqual((await scanBrief(xz, "after.pkl.xz"))[1], osSystemFindings("after.pkl.xz:after.pkl"));
});

Deno.test("xz: detection needs the magic and valid stream flags", () => {
  assert.ok(detectXz(xz));
  const badFlags = xz.slice();
  badFlags[6] = 1;
  assert.ok(!detectXz(badFlags));
  assert.ok(!detectXz(xz.subarray(0, 7)));
});
