import assert from "node:assert/strict";
import { bytesSource } from "../../../core/byte_source.ts";
import { decodeName, FLAG_UTF8, listEntries } from "../../../scanners/zip/directory.ts";
import { findEndRecord } from "../../../scanners/zip/end_record.ts";
import { DEFAULT_ZIP_OPTIONS } from "../../../scanners/option_catalog.ts";
import { BENIGN, buildZip, crc32, latin1 } from "./_zip.ts";

const signal = new AbortController().signal;

async function list(zip: Uint8Array, maxEntries = DEFAULT_ZIP_OPTIONS.maxEntries) {
  const source = bytesSource(zip);
  return await listEntries(source, (await findEndRecord(source))!, signal, {
    ...DEFAULT_ZIP_OPTIONS,
    maxEntries,
  });
}

Deno.test("decodeName: code page 437 without the UTF-8 flag, as Python's zipfile", () => {
  assert.equal(decodeName(new Uint8Array([0x80, 0x61, 0xe1, 0xff]), 0), "Çaß\u00a0");
  assert.equal(decodeName(new TextEncoder().encode("é.pkl"), FLAG_UTF8), "é.pkl");
});

Deno.test("listEntries: every entry with the fields the checks need", async () => {
  const zip = await buildZip([{ name: "a.pkl", data: BENIGN }, {
    name: "b/",
    data: new Uint8Array(0),
    flags: 8,
  }]);
  const listing = await list(zip);
  assert.equal(listing.stopped, undefined);
  assert.deepEqual(listing.entries.map((e) => [e.index, e.name, e.flags, e.crc32, e.headerOffset]), [
    [0, "a.pkl", 0, crc32(BENIGN), 0],
    [1, "b/", 8, 0, 39],
  ]);
});

Deno.test("listEntries stops at the entry cap, and on a malformed directory keeps what it read", async () => {
  const members = Array.from({ length: 5 }, (_, i) => ({ name: `m${i}`, data: BENIGN }));
  const capped = await list(await buildZip(members), 3);
  assert.equal(capped.entries.length, 3);
  assert.deepEqual(capped.stopped, { kind: "entries" });
  const short = await list(await buildZip(members, { entries: 9 }));
  assert.equal(short.entries.length, 5);
  assert.equal(short.stopped?.kind, "malformed");
});

Deno.test("listEntries refuses to read a directory larger than its cap", async () => {
  const listing = await list(await buildZip([{ name: "a", data: BENIGN }], { directorySize: 0x7fffffff }));
  assert.deepEqual(listing.stopped, { kind: "directory", bytes: 0x7fffffff });
});

Deno.test("an Info-ZIP Unicode Path extra field gives extractors another name", async () => {
  const name = latin1("safe.pkl");
  const unicode = new TextEncoder().encode("../evil.pkl");
  const extra = new Uint8Array(4 + 5 + unicode.length);
  const fields = new DataView(extra.buffer);
  fields.setUint16(0, 0x7075, true);
  fields.setUint16(2, 5 + unicode.length, true);
  extra[4] = 1;
  fields.setUint32(5, crc32(name), true);
  extra.set(unicode, 9);
  const listing = await list(await buildZip([{ name: "safe.pkl", data: BENIGN, centralExtra: extra }]));
  assert.equal(listing.entries[0].name, "safe.pkl");
  assert.equal(listing.entries[0].extraName, "../evil.pkl");
});

Deno.test("zip64 end records are no trap when the first central header is as long as they are", async () => {
  // 46 + 30 name bytes = 56 + 20: what torch.save writes for a 21-character folder.
  const names = [
    "abcdefghijklmnopqrstu/data.pkl",
    "abcdefghijklmnopqrstu/data/0",
    "abcdefghijklmnopqrstu/version",
  ];
  const zip = await buildZip(names.map((name) => ({ name, data: BENIGN })), { zip64EndRecord: true });
  const source = bytesSource(zip);
  const record = (await findEndRecord(source))!;
  assert.equal(record.zip64, true);
  const listing = await listEntries(source, record, signal);
  assert.equal(listing.stopped, undefined);
  assert.deepEqual(listing.entries.map((e) => [e.name, e.headerOffset]), [
    [names[0], 0],
    [names[1], 30 + 30 + 4],
    [names[2], 2 * 30 + 30 + 28 + 2 * 4],
  ]);
});

Deno.test("zip64 extended information replaces the saturated sizes and offset, in Python's order", async () => {
  const extra = new Uint8Array(4 + 16);
  const fields = new DataView(extra.buffer);
  fields.setUint16(0, 0x0001, true);
  fields.setUint16(2, 16, true);
  fields.setBigUint64(4, 4n, true); // the size
  fields.setBigUint64(12, 0n, true); // the header offset (the compressed size is not saturated)
  const zip = await buildZip([{ name: "a.pkl", data: BENIGN, size: 0xffffffff, centralExtra: extra }]);
  const listing = await list(zip);
  assert.equal(listing.stopped, undefined);
  assert.deepEqual([listing.entries[0].size, listing.entries[0].compressedSize], [4, 4]);
  const short = await list(
    await buildZip([{
      name: "a.pkl",
      data: BENIGN,
      size: 0xffffffff,
      compressedSize: 0xffffffff,
      centralExtra: extra.subarray(0, 12),
    }]),
  );
  assert.deepEqual(short.stopped, {
    kind: "malformed",
    message: "entry 0: its zip64 extra field lacks the compressedSize",
  });
});

Deno.test("a count that wraps past 65 535 entries without zip64 is no malformation; another count is", async () => {
  // 65 537 central headers of an empty member "a" (the listing reads no local header), then the end record.
  const header = (await buildZip([{ name: "a", data: new Uint8Array(0) }])).subarray(31, 31 + 47);
  const count = 0x10001;
  const zip = new Uint8Array(count * header.length + 22);
  for (let i = 0; i < count; i++) zip.set(header, i * header.length);
  const end = new DataView(zip.buffer, count * header.length);
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, count & 0xffff, true);
  end.setUint16(10, count & 0xffff, true);
  end.setUint32(12, count * header.length, true);
  const wrapped = await list(zip);
  assert.equal(wrapped.entries.length, count);
  assert.equal(wrapped.stopped, undefined);
  const members = [{ name: "a", data: BENIGN }, { name: "b", data: BENIGN }];
  const wrong = await list(await buildZip(members, { entries: 1 }));
  assert.equal(wrong.entries.length, 2);
  assert.deepEqual(wrong.stopped, {
    kind: "malformed",
    message: "the end record declares 1 entries, the directory holds 2",
  });
});

Deno.test("a central directory with random bytes written over it lists, or says why not, never throws", async () => {
  const members = Array.from({ length: 8 }, (_, i) => ({ name: `dir/m${i}.pkl`, data: BENIGN }));
  const zip = await buildZip(members);
  const source = bytesSource(zip);
  const record = (await findEndRecord(source))!;
  let seed = 7;
  const random = (below: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % below;
  for (let round = 0; round < 300; round++) {
    const damaged = zip.slice();
    for (let i = 0; i < 1 + random(6); i++) {
      damaged[record.directoryOffset + random(record.directorySize)] = random(256);
    }
    const listing = await listEntries(bytesSource(damaged), record, signal);
    assert.ok(listing.entries.length <= members.length + 1, `round ${round}`);
    if (listing.stopped) assert.equal(listing.stopped.kind, "malformed");
  }
});
