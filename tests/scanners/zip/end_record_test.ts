import assert from "node:assert/strict";
import { bytesSource } from "../../../core/byte_source.ts";
import { END_RECORD_SEARCH_BYTES, findEndRecord } from "../../../scanners/zip/end_record.ts";
import { BENIGN, buildZip, latin1 } from "./_zip.ts";

Deno.test("the end record of a plain archive: entries, directory, end", async () => {
  const zip = await buildZip([{ name: "a", data: BENIGN }, { name: "b", data: BENIGN }]);
  const record = await findEndRecord(bytesSource(zip));
  const directoryOffset = 2 * (30 + 1 + BENIGN.length);
  assert.deepEqual(record, {
    offset: zip.length - 22,
    end: zip.length,
    entries: 2,
    directorySize: 2 * 47,
    directoryOffset,
    storedDirectoryOffset: directoryOffset,
    zip64: false,
    disagrees: [],
  });
});

Deno.test("data before and after the archive: the directory where it is, the end before the junk", async () => {
  const zip = await buildZip([{ name: "a", data: BENIGN }], { prefix: BENIGN, suffix: latin1("junk") });
  const record = await findEndRecord(bytesSource(zip));
  assert.equal(record?.directoryOffset, BENIGN.length + 30 + 1 + BENIGN.length);
  assert.equal(record?.storedDirectoryOffset, 30 + 1 + BENIGN.length);
  assert.equal(record?.end, zip.length - 4);
});

Deno.test("torch.save's zip64 end record", async () => {
  const path = new URL("../../../fixtures/zip/reference/torch_linear_state_dict.pt", import.meta.url);
  const bytes = await Deno.readFile(path);
  const record = await findEndRecord(bytesSource(bytes));
  assert.equal(record?.zip64, true);
  assert.equal(record?.entries, 4);
  assert.deepEqual(record?.disagrees, []);
  // A classic record that counts otherwise than the zip64 one it defers to.
  bytes[bytes.length - 22 + 10] = 3;
  assert.deepEqual((await findEndRecord(bytesSource(bytes)))?.disagrees, ["entries"]);
});

Deno.test("a signature whose directory is not there, or beyond the searched tail, is no end record", async () => {
  const fake = latin1("PK\x05\x06\0\0\0\0\x01\0\x01\0\x2e\0\0\0\0\0\0\0\0\0");
  assert.equal(await findEndRecord(bytesSource(new Uint8Array([...BENIGN, ...fake]))), undefined);
  const zip = await buildZip([{ name: "a", data: BENIGN }]);
  const far = new Uint8Array(zip.length + END_RECORD_SEARCH_BYTES);
  far.set(zip);
  assert.equal(await findEndRecord(bytesSource(far)), undefined);
  assert.equal(await findEndRecord(bytesSource(new Uint8Array(0))), undefined);
  assert.equal((await findEndRecord(bytesSource(await buildZip([]))))?.entries, 0);
});

Deno.test("an empty archive's record counts only where it ends the source", async () => {
  const empty = await buildZip([]);
  assert.equal(
    (await findEndRecord(bytesSource(new Uint8Array([...BENIGN, ...empty]))))?.offset,
    BENIGN.length,
  );
  assert.equal(await findEndRecord(bytesSource(new Uint8Array([...empty, 0]))), undefined);
});
