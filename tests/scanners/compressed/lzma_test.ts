// The LZMA-alone scanner on real lzma.compress(format=FORMAT_ALONE) output (the fixtures): the
// header checks liblzma makes, concatenated streams, damage (MA209, with what decoded before it
// scanned), the decoded-size cap and oversized dictionaries (MA212); and the lz4 scanner (MA212).
import assert from "node:assert/strict";
import { bytesSource } from "../../../core/byte_source.ts";
import { decodeLzmaAlone, detectLzmaAlone } from "../../../scanners/compressed/lzma.ts";
import { detectLz4, parseLzmaAloneHeader } from "../../../scanners/compressed/magic.ts";
import { concat, fixture, OS_SYSTEM, osSystemFindings, scanBrief } from "./_scan.ts";
import { DecodeError } from "../../../core/decode_error.ts";

const lzma = await fixture("compressed/malicious/os_system.pkl.lzma");

/** The fixture with header byte `at` set to `value`. */
function patched(at: number, ...values: number[]): Uint8Array {
  const out = lzma.slice();
  out.set(values, at);
  return out;
}

Deno.test("lzma: the header checks liblzma makes", () => {
  assert.deepEqual(parseLzmaAloneHeader(lzma), { properties: 0x5d, dictionarySize: 4 * 1024 * 1024 });
  assert.equal(parseLzmaAloneHeader(patched(0, 225)), undefined, "properties past pb 4, lp 4, lc 8");
  assert.equal(parseLzmaAloneHeader(patched(0, 3 * 9 + 4)), undefined, "lc 4 + lp 3 > 4");
  assert.equal(
    parseLzmaAloneHeader(patched(1, 0, 0, 0x50, 0)),
    undefined,
    "5 MiB is not 2^n or 2^n + 2^(n-1)",
  );
  assert.ok(parseLzmaAloneHeader(patched(1, 0, 0, 0x60, 0)), "6 MiB is 2^22 + 2^21");
  assert.equal(parseLzmaAloneHeader(patched(1, 0, 8, 0, 0)), undefined, "2 KiB is below the 4 KiB minimum");
  assert.deepEqual(parseLzmaAloneHeader(patched(5, 31, 0, 0, 0, 0, 0, 0, 0))?.decodedSize, 31);
  assert.equal(parseLzmaAloneHeader(patched(5, 0, 0, 0, 0, 0x40, 0, 0, 0)), undefined, "2^38 bytes declared");
  assert.equal(parseLzmaAloneHeader(patched(13, 1)), undefined, "the range coder's first byte is 0");
  assert.equal(parseLzmaAloneHeader(new Uint8Array(64)), undefined, "zeros are not LZMA");
  // A MATLAB v4 file (scipy's test_mat4_le_floats.mat): its header passes, its data does not decode.
  const mat = Uint8Array.from(
    atob("AAAAAAEAAAACAAAAAAAAAAIAAABhAJqZmZmZmbk/MzMzMzMz8z8="),
    (c) => c.charCodeAt(0),
  );
  assert.ok(parseLzmaAloneHeader(mat));
  assert.ok(!detectLzmaAlone(mat, mat.length));
  assert.ok(detectLzmaAlone(lzma, lzma.length));
});

Deno.test("lzma: concatenated streams are read on; bytes after the last are MA209", async () => {
  const [format, findings] = await scanBrief(concat(lzma, lzma), "two.pkl.lzma");
  assert.equal(format, "lzma");
  assert.deepEqual(findings, [
    ...osSystemFindings("two.pkl.lzma:two.pkl"),
    ...osSystemFindings("two.pkl.lzma:two.pkl", OS_SYSTEM.length),
  ]);
  assert.deepEqual((await scanBrief(concat(lzma, Uint8Array.of(1, 2, 3)), "g.lzma"))[1], [
    ...osSystemFindings("g.lzma:g"),
    "MA209 warning g.lzma:g",
  ]);
});

Deno.test("lzma: a stream cut short hands on what it decoded, then MA209", async () => {
  const cut = await decodeLzmaAlone(bytesSource(lzma.subarray(0, lzma.length - 6)));
  assert.deepEqual(cut.chunks, [OS_SYSTEM.subarray(0, 30)]);
  assert.equal(cut.error?.message, "lzma: truncated: the data ends inside the stream");
  assert.ok(cut.error instanceof DecodeError, "corrupt data is a DecodeError, not a bug");
  const joblib = await fixture("compressed/benign/model_lzma.joblib");
  assert.deepEqual((await scanBrief(joblib.subarray(0, 530), "m.joblib"))[1], [
    "MA106 critical m.joblib:m (pos 752)",
    "MA105 warning m.joblib:m (pos 761)",
    "MA209 warning m.joblib:m",
  ]);
  // Too short to tell from a chance header: not recognised at all.
  assert.deepEqual(await scanBrief(lzma.subarray(0, lzma.length - 6), "t.lzma"), [null, [
    "MA007 info t.lzma",
  ]]);
});

Deno.test("lzma: a declared size is held to", async () => {
  const known = patched(5, OS_SYSTEM.length + 5, 0, 0, 0, 0, 0, 0, 0);
  assert.deepEqual((await scanBrief(known, "k.pkl.lzma"))[1], [
    ...osSystemFindings("k.pkl.lzma:k.pkl"),
    "MA209 warning k.pkl.lzma:k.pkl",
  ]);
});

Deno.test("lzma: decoding stops at its cap; an oversized dictionary is not decoded (MA212)", async () => {
  const capped = await decodeLzmaAlone(bytesSource(lzma), 10);
  assert.deepEqual(capped, { chunks: [OS_SYSTEM.subarray(0, 10)], limited: true });
  const whole = await decodeLzmaAlone(bytesSource(lzma));
  assert.deepEqual(whole, { chunks: [OS_SYSTEM], limited: false });
  assert.deepEqual((await scanBrief(patched(1, 0, 0, 0, 0x20), "big.lzma"))[1], ["MA212 warning big.lzma"]);
});

Deno.test("lz4: frames are recognised and reported as not decodable", async () => {
  const frame = Uint8Array.of(0x04, 0x22, 0x4d, 0x18, 0x64, 0x40, 0xa7, 0, 0, 0, 0);
  assert.ok(detectLz4(frame));
  assert.ok(!detectLz4(Uint8Array.of(0x04, 0x22, 0x4d, 0x18, 0x00)));
  assert.deepEqual(await scanBrief(frame, "model.joblib"), ["lz4", ["MA212 warning model.joblib"]]);
});
