import assert from "node:assert/strict";
import { bytesSource } from "../../../core/byte_source.ts";
import type { CentralEntry } from "../../../scanners/zip/directory.ts";
import { compareHeaders, readLocalHeader, walkLocalHeaders } from "../../../scanners/zip/local_header.ts";
import { BENIGN, buildZip, crc32, latin1 } from "./_zip.ts";

const central = (overrides: Partial<CentralEntry> = {}): CentralEntry => ({
  index: 0,
  name: "a",
  rawName: latin1("a"),
  flags: 0,
  method: 0,
  crc32: crc32(BENIGN),
  compressedSize: BENIGN.length,
  size: BENIGN.length,
  headerOffset: 0,
  externalAttributes: 0,
  ...overrides,
});

Deno.test("readLocalHeader: the data offset follows the local name and extra field", async () => {
  const zip = await buildZip([{ name: "abc", data: BENIGN }]);
  const local = await readLocalHeader(bytesSource(zip), 0);
  assert.ok(typeof local !== "string");
  assert.equal(local.dataOffset, 33);
  assert.deepEqual(compareHeaders(central({ name: "abc", rawName: latin1("abc") }), local), []);
});

Deno.test("readLocalHeader: none, outside the file, truncated", async () => {
  const zip = await buildZip([{ name: "abc", data: BENIGN }]);
  assert.match(await readLocalHeader(bytesSource(zip), 1) as string, /no local header at 1/);
  assert.match(await readLocalHeader(bytesSource(zip), zip.length) as string, /outside the file/);
  assert.match(await readLocalHeader(bytesSource(zip), -5) as string, /outside the file/);
  assert.match(await readLocalHeader(bytesSource(zip.subarray(0, 31)), 0) as string, /truncated/);
});

Deno.test("readLocalHeader: zip64 sizes in the extra field replace 0xffffffff", async () => {
  const header = new Uint8Array(30 + 1 + 20);
  const fields = new DataView(header.buffer);
  fields.setUint32(0, 0x04034b50, true);
  fields.setUint32(18, 0xffffffff, true);
  fields.setUint32(22, 0xffffffff, true);
  fields.setUint16(26, 1, true);
  fields.setUint16(28, 20, true);
  fields.setUint16(31, 1, true); // zip64 extra: id 1, 16 bytes, size then compressed size
  fields.setUint16(33, 16, true);
  fields.setBigUint64(35, 5_000_000_000n, true);
  fields.setBigUint64(43, 4_000_000_000n, true);
  const local = await readLocalHeader(bytesSource(header), 0);
  assert.ok(typeof local !== "string");
  assert.equal(local.size, 5_000_000_000);
  assert.equal(local.compressedSize, 4_000_000_000);
});

Deno.test("compareHeaders: CRC and sizes are deferred to the descriptor with flag bit 3 only", async () => {
  const zip = await buildZip([{ name: "a", data: BENIGN, local: { crc32: 0, size: 0, compressedSize: 0 } }]);
  const local = await readLocalHeader(bytesSource(zip), 0);
  assert.ok(typeof local !== "string");
  assert.deepEqual(compareHeaders(central(), local).map((m) => m.field), ["crc32", "compressedSize", "size"]);
  assert.deepEqual(compareHeaders(central({ flags: 8 }), { ...local, flags: 8 }), []);
  // Only flag bits that change how the member is read are compared.
  assert.deepEqual(compareHeaders(central({ flags: 2 }), { ...local, flags: 8 }).map((m) => m.field), [
    "flags",
  ]);
  assert.deepEqual(compareHeaders(central({ flags: 2 }), { ...local, flags: 4 }).map((m) => m.field), [
    "crc32",
    "compressedSize",
    "size",
  ]);
});

Deno.test("walkLocalHeaders: members in order, until one defers its sizes, a gap, or the cap", async () => {
  const zip = await buildZip([{ name: "a", data: BENIGN }, { name: "b", data: BENIGN }, {
    name: "c",
    data: BENIGN,
    flags: 8,
    local: { compressedSize: 0, size: 0, crc32: 0 },
  }, { name: "d", data: BENIGN }]);
  const source = bytesSource(zip);
  assert.deepEqual((await walkLocalHeaders(source, 100)).map((e) => [e.name, e.headerOffset]), [["a", 0], [
    "b",
    35,
  ]]);
  assert.equal((await walkLocalHeaders(source, 1)).length, 1);
  assert.deepEqual(await walkLocalHeaders(bytesSource(BENIGN), 100), []);
});
