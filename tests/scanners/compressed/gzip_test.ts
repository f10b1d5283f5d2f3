// The gzip scanner through the engine: members read as Python reads them (lenient headers,
// concatenated members, zero padding), the FNAME member name, and every kind of damage
// (trailing garbage, bad checksums, truncation) reported as MA209 after what decoded is scanned.
import assert from "node:assert/strict";
import { bytesSource } from "../../../core/byte_source.ts";
import { GZIP_FRAMING, readGzipHeader } from "../../../scanners/compressed/gzip.ts";
import { detectGzip } from "../../../scanners/compressed/magic.ts";
import { inflateStream } from "../../../scanners/compressed/inflate.ts";
import { compress, concat, OS_SYSTEM, osSystemFindings, scanBrief } from "./_scan.ts";

const encoder = new TextEncoder();

/** A gzip member of `data` whose header has `flags` and the optional `fields` (in RFC 1952 order). */
async function member(
  data: Uint8Array,
  flags = 0,
  fields: Uint8Array = new Uint8Array(0),
): Promise<Uint8Array> {
  const plain = await compress(data, "gzip");
  return concat(Uint8Array.of(0x1f, 0x8b, 8, flags), plain.subarray(4, 10), fields, plain.subarray(10));
}

Deno.test("gzip: one member, named after the file", async () => {
  const [format, findings] = await scanBrief(await compress(OS_SYSTEM, "gzip"), "evil.pkl.gz");
  assert.equal(format, "gzip");
  assert.deepEqual(findings, osSystemFindings("evil.pkl.gz:evil.pkl"));
});

Deno.test("gzip: FNAME names the member, sanitised", async () => {
  const fname = concat(encoder.encode("../x/payload.pkl"), Uint8Array.of(0));
  const gz = await member(OS_SYSTEM, 0x08, fname);
  assert.equal((await readGzipHeader(bytesSource(gz), 0)).name, "../x/payload.pkl");
  assert.deepEqual((await scanBrief(gz, "a.gz"))[1], osSystemFindings("a.gz:payload.pkl"));
});

Deno.test("gzip: headers are read as Python reads them (reserved flags, unchecked header CRC, extra and comment)", async () => {
  const fields = concat(
    Uint8Array.of(3, 0, 1, 2, 3), // FEXTRA: two length bytes, then three bytes
    encoder.encode("model.pkl\0"), // FNAME
    encoder.encode("a comment\0"), // FCOMMENT
    Uint8Array.of(0xde, 0xad), // FHCRC, wrong: Python does not check it
  );
  const gz = await member(OS_SYSTEM, 0xe0 | 0x02 | 0x04 | 0x08 | 0x10, fields);
  assert.deepEqual((await scanBrief(gz, "x.gz"))[1], osSystemFindings("x.gz:model.pkl"));
});

Deno.test("gzip: concatenated members and zero padding are one member, as gzip.open reads them", async () => {
  const gz = concat(
    await compress(OS_SYSTEM.subarray(0, 20), "gzip"),
    new Uint8Array(7),
    await compress(OS_SYSTEM.subarray(20), "gzip"),
    new Uint8Array(9),
  );
  assert.deepEqual(await scanBrief(gz, "m.pkl.gz"), ["gzip", osSystemFindings("m.pkl.gz:m.pkl")]);
});

Deno.test("gzip: bytes after the last member are MA209, after the member is scanned", async () => {
  const gz = concat(await compress(OS_SYSTEM, "gzip"), new Uint8Array(3), encoder.encode("junk"));
  const outcome = await scanBrief(gz, "t.pkl.gz");
  assert.deepEqual(outcome[1], [...osSystemFindings("t.pkl.gz:t.pkl"), "MA209 warning t.pkl.gz:t.pkl"]);
});

Deno.test("gzip: a wrong CRC-32 or size is MA209; the content is still scanned", async () => {
  const gz = await compress(OS_SYSTEM, "gzip");
  for (const at of [gz.length - 8, gz.length - 1]) {
    const bad = gz.slice();
    bad[at] ^= 0xff;
    assert.deepEqual((await scanBrief(bad, "c.pkl.gz"))[1], [
      ...osSystemFindings("c.pkl.gz:c.pkl"),
      "MA209 warning c.pkl.gz:c.pkl",
    ]);
  }
});

Deno.test("gzip: a header cut short is MA209 on an empty member", async () => {
  const [format, findings] = await scanBrief(
    Uint8Array.of(0x1f, 0x8b, 8, 0x08, 0, 0, 0, 0, 0, 3, 0x61),
    "h.pkl.gz",
  );
  assert.equal(format, "gzip");
  assert.deepEqual(findings, ["MA007 info h.pkl.gz:h.pkl", "MA209 warning h.pkl.gz:h.pkl"]);
});

Deno.test("gzip: the exact decoder continues where the fast one stopped, byte for byte", async () => {
  // Large members, so that the native decoder hands out output before it fails at the second member.
  let seed = 1;
  const first = Uint8Array.from(
    { length: 1_500_000 },
    () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24,
  );
  const second = Uint8Array.from({ length: 500_000 }, (_, i) => (i * 104729) % 241);
  const gz = concat(await compress(first, "gzip"), await compress(second, "gzip"));
  const stream = inflateStream(bytesSource(gz), GZIP_FRAMING, new AbortController().signal);
  const decoded = new Uint8Array(await new Response(stream).arrayBuffer());
  assert.deepEqual(decoded, concat(first, second));
});

Deno.test("gzip: detection needs the magic and the deflate method", () => {
  assert.ok(detectGzip(Uint8Array.of(0x1f, 0x8b, 8)));
  assert.ok(!detectGzip(Uint8Array.of(0x1f, 0x8b, 7)));
  assert.ok(!detectGzip(Uint8Array.of(0x1f, 0x9d, 0x90)));
});
