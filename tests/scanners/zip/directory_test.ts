import assert from "node:assert/strict";
import { bytesSource } from "../../../core/byte_source.ts";
import { decodeName, FLAG_UTF8, listEntries } from "../../../scanners/zip/directory.ts";
import { findEndRecord } from "../../../scanners/zip/end_record.ts";
import { BENIGN, buildZip, crc32, latin1 } from "./_zip.ts";

const signal = new AbortController().signal;

async function list(zip: Uint8Array, max?: number) {
  const source = bytesSource(zip);
  return await listEntries(source, (await findEndRecord(source))!, signal, max);
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
