// The streaming raw LZMA / LZMA2 decoder: byte-exact against lzma-purejs on the LZMA-alone
// fixtures Python's lzma wrote (its LZMA2 side is checked on the 7z fixtures' members), step by
// step with bounded output, and hostile input (truncation, distances past the data, oversized
// dictionaries, junk) an error, never a hang.
import assert from "node:assert/strict";
import { bytesSource, subSource } from "../../../core/byte_source.ts";
import { lzmaAloneChunks } from "../../../scanners/compressed/lzma.ts";
import {
  lzma2Chunks,
  lzma2DictionarySize,
  lzmaRawChunks,
} from "../../../scanners/compressed/lzma_decoder.ts";
import { DEFAULT_LZMA_OPTIONS } from "../../../scanners/option_catalog.ts";
import { concat } from "../../_bytes.ts";

const FIXTURES = new URL("../../../fixtures/compressed/", import.meta.url);

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<{ bytes: Uint8Array; largest: number }> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk.slice());
  return { bytes: concat(...parts), largest: Math.max(0, ...parts.map((p) => p.length)) };
}

/** The raw stream of an LZMA-alone file and its properties: its 13-byte header taken apart. */
function splitAlone(file: Uint8Array) {
  const view = new DataView(file.buffer, file.byteOffset);
  const size = view.getBigUint64(5, true);
  return {
    properties: { properties: file[0], dictionarySize: view.getUint32(1, true) },
    size: size === 0xffffffffffffffffn ? undefined : Number(size),
    raw: bytesSource(file.subarray(13)),
  };
}

for (
  const name of ["benign/sklearn_logreg.pkl.lzma", "malicious/os_system.pkl.lzma", "benign/model_lzma.joblib"]
) {
  Deno.test(`raw LZMA: ${name} decodes to lzma-purejs's bytes`, async () => {
    const file = await Deno.readFile(new URL(name, FIXTURES));
    const { properties, size, raw } = splitAlone(file);
    const expected = (await collect(lzmaAloneChunks(bytesSource(file)))).bytes;
    const { bytes } = await collect(lzmaRawChunks(raw, properties, size));
    assert.ok(expected.length > 0);
    assert.deepEqual(bytes, expected);
  });
}

Deno.test("raw LZMA: truncated data is an error after what decoded, never a short success", async () => {
  const file = await Deno.readFile(new URL("benign/sklearn_logreg.pkl.lzma", FIXTURES));
  const { properties, size, raw } = splitAlone(file);
  const cut = subSource(raw, 0, Math.floor(raw.size / 2));
  await assert.rejects(collect(lzmaRawChunks(cut, properties, size)), /^DecodeError: lzma: truncated/);
});

Deno.test("raw LZMA: a declared size past the end marker is an error", async () => {
  const file = await Deno.readFile(new URL("benign/sklearn_logreg.pkl.lzma", FIXTURES));
  const { properties, size, raw } = splitAlone(file);
  if (size !== undefined) {
    await assert.rejects(collect(lzmaRawChunks(raw, properties, size + 10)), /lzma: /);
  } else {
    const decoded = (await collect(lzmaRawChunks(raw, properties))).bytes.length;
    await assert.rejects(collect(lzmaRawChunks(raw, properties, decoded + 10)), /end marker comes after/);
  }
});

Deno.test("raw LZMA: a dictionary beyond the limit is refused before anything is allocated", async () => {
  const properties = { properties: 0x5d, dictionarySize: DEFAULT_LZMA_OPTIONS.maxDictionaryBytes * 2 };
  await assert.rejects(
    collect(lzmaRawChunks(bytesSource(new Uint8Array(64)), properties, 10)),
    /larger than the \d+ bytes this decoder allows/,
  );
  // Lowered (lzma.maxDictionaryBytes), the bound is exact.
  const small = { properties: 0x5d, dictionarySize: 1 << 16 };
  await assert.rejects(
    collect(lzmaRawChunks(bytesSource(new Uint8Array(64)), small, 10, (1 << 16) - 1)),
    /its dictionary \(65536 bytes\) is larger than the 65535 bytes this decoder allows/,
  );
});

Deno.test("raw LZMA: a match before any data, or farther back than decoded, is corrupt data", async () => {
  // A range coder start (0, then four code bytes) whose first symbols decode as a match.
  const junk = Uint8Array.of(0, 0xff, 0xff, 0xff, 0xfe, ...new Array(60).fill(0xff));
  await assert.rejects(
    collect(lzmaRawChunks(bytesSource(junk), { properties: 0x5d, dictionarySize: 1 << 16 }, 1000)),
    /lzma: a match 1 bytes back, past the decoded data or the dictionary/,
  );
});

Deno.test("LZMA2: dictionary size bytes as xz and 7z write them", () => {
  assert.equal(lzma2DictionarySize(0), 4096);
  assert.equal(lzma2DictionarySize(1), 6144);
  assert.equal(lzma2DictionarySize(24), 16 * 1024 * 1024);
  assert.equal(lzma2DictionarySize(40), 0xffffffff);
  assert.equal(lzma2DictionarySize(41), undefined);
});

Deno.test("LZMA2: uncompressed chunks; a first chunk without a dictionary reset; no end marker", async () => {
  const text = new TextEncoder().encode("config");
  const stored = Uint8Array.of(0x01, 0x00, text.length - 1, ...text, 0x00);
  assert.deepEqual((await collect(lzma2Chunks(bytesSource(stored), 4096))).bytes, text);
  const noReset = Uint8Array.of(0x02, 0x00, text.length - 1, ...text, 0x00);
  await assert.rejects(collect(lzma2Chunks(bytesSource(noReset), 4096)), /does not reset the dictionary/);
  await assert.rejects(
    collect(lzma2Chunks(bytesSource(stored.subarray(0, -1)), 4096)),
    /before its end marker/,
  );
  const badControl = Uint8Array.of(0x03, 0, 0);
  await assert.rejects(collect(lzma2Chunks(bytesSource(badControl), 4096)), /invalid chunk control byte 0x3/);
});

Deno.test("LZMA2: an LZMA chunk before any properties, or with lc + lp > 4, is refused", async () => {
  const noProperties = Uint8Array.of(0x01, 0, 0, 0x41, 0x80, 0, 0, 0, 4, 0, 0, 0, 0, 0);
  await assert.rejects(collect(lzma2Chunks(bytesSource(noProperties), 4096)), /before any properties/);
  // Control 0xe0: dictionary reset and new properties; the properties byte says lc 4, lp 1.
  const wideLiterals = Uint8Array.of(0xe0, 0, 0, 0, 4, (0 * 5 + 1) * 9 + 4, 0, 0, 0, 0, 0, 0);
  await assert.rejects(collect(lzma2Chunks(bytesSource(wideLiterals), 4096)), /lc \+ lp is more than 4/);
});

Deno.test("LZMA2 and LZMA: junk bytes end in an error or a short output, quickly", async () => {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let i = 0; i < 300; i++) {
    const junk = Uint8Array.from(
      { length: 1 + Math.floor(random() * 4096) },
      () => Math.floor(random() * 256),
    );
    if (i % 2 === 0) junk[0] = 0x80 | (junk[0] & 0x7f);
    for (
      const run of [
        lzma2Chunks(bytesSource(junk), 1 << 20, 1 << 20),
        lzmaRawChunks(
          bytesSource(Uint8Array.of(0, ...junk)),
          { properties: 0x5d, dictionarySize: 1 << 20 },
          1 << 20,
        ),
      ]
    ) {
      try {
        const { bytes } = await collect(run);
        assert.ok(bytes.length <= 1 << 21);
      } catch (error) {
        assert.match(String(error), /^DecodeError: lzma2?: /);
      }
    }
  }
});
