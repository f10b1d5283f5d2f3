// The zlib scanner: strict detection (a valid header and a head that inflates), streams
// concatenated as joblib reads them, damage reported as MA209.
import assert from "node:assert/strict";
import { isZlibHeader } from "../../../scanners/compressed/magic.ts";
import { detectZlib } from "../../../scanners/compressed/zlib.ts";
import { compress, concat, OS_SYSTEM, osSystemFindings, scanBrief } from "./_scan.ts";

const encoder = new TextEncoder();

Deno.test("zlib: one stream, named after the file", async () => {
  assert.deepEqual(await scanBrief(await compress(OS_SYSTEM, "deflate"), "model.pkl.z"), [
    "zlib",
    osSystemFindings("model.pkl.z:model.pkl"),
  ]);
});

Deno.test("zlib: concatenated streams are read on, as joblib's reader does", async () => {
  const z = concat(
    await compress(OS_SYSTEM.subarray(0, 9), "deflate"),
    await compress(OS_SYSTEM.subarray(9), "deflate"),
  );
  assert.deepEqual((await scanBrief(z, "m.joblib"))[1], osSystemFindings("m.joblib:m"));
});

Deno.test("zlib: trailing bytes and a wrong Adler-32 are MA209, after the content is scanned", async () => {
  const z = await compress(OS_SYSTEM, "deflate");
  const trailing = concat(z, encoder.encode("xx"));
  const badCheck = z.slice();
  badCheck[badCheck.length - 1] ^= 1;
  for (const bytes of [trailing, badCheck]) {
    assert.deepEqual((await scanBrief(bytes, "t.z"))[1], [
      ...osSystemFindings("t.z:t"),
      "MA209 warning t.z:t",
    ]);
  }
});

Deno.test("zlib: the header check", () => {
  assert.ok(isZlibHeader(0x78, 0x9c) && isZlibHeader(0x78, 0x01) && isZlibHeader(0x78, 0xda));
  assert.ok(isZlibHeader(0x28, 0x53), "'(S' is a valid zlib header");
  assert.ok(!isZlibHeader(0x78, 0xbb), "a preset dictionary (FDICT) is refused");
  assert.ok(!isZlibHeader(0x88, 0x1d), "a window over 32 KiB (CINFO 8) is refused");
  assert.ok(!isZlibHeader(0x79, 0x9c), "CM must be 8");
});

Deno.test("zlib: detection inflates the head, so text that starts like a header is not zlib", async () => {
  const pickle = encoder.encode("(S'echo pwned'\np0\n.");
  assert.ok(!detectZlib(pickle));
  assert.equal((await scanBrief(pickle, "p.pkl"))[0], "pickle");
  let seed = 7;
  const random = concat(
    Uint8Array.of(0x78, 0x9c),
    Uint8Array.from({ length: 4096 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24),
  );
  assert.ok(!detectZlib(random));
  assert.ok(detectZlib(await compress(OS_SYSTEM, "deflate")));
  // A small stream cut short is not recognised (it cannot be told from chance); a long one is.
  const long = await compress(Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31) % 256), "deflate");
  assert.ok(!detectZlib((await compress(OS_SYSTEM, "deflate")).subarray(0, 10)));
  assert.ok(detectZlib(long.subarray(0, Math.min(long.length - 4, 2000))));
});

/** A joblib z-file: `ZF`, the length in hex padded to 19 characters (`extra` more spaces), a zlib stream. */
async function zfile(data: Uint8Array, length = data.length, extra = ""): Promise<Uint8Array> {
  const header = encoder.encode(`ZF${`0x${length.toString(16)}`.padEnd(19)}${extra}`);
  return concat(header, await compress(data, "deflate"));
}

Deno.test("joblib z-file: both header widths, and the declared length held to", async () => {
  for (const extra of ["", " "]) {
    assert.deepEqual(await scanBrief(await zfile(OS_SYSTEM, OS_SYSTEM.length, extra), "old.pkl"), [
      "joblib-zfile",
      osSystemFindings("old.pkl:old"),
    ]);
  }
  assert.deepEqual((await scanBrief(await zfile(OS_SYSTEM, 40), "lie.pkl"))[1], [
    ...osSystemFindings("lie.pkl:lie"),
    "MA209 warning lie.pkl:lie",
  ]);
  assert.notEqual(
    (await scanBrief(encoder.encode("ZF is just text, not a z-file at all"), "t.txt"))[0],
    "joblib-zfile",
  );
});
