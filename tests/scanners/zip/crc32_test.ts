import assert from "node:assert/strict";
import { Crc32 } from "../../../scanners/zip/crc32.ts";
import { latin1 } from "./_zip.ts";

Deno.test("CRC-32 check value, whole and in pieces", () => {
  const whole = new Crc32();
  whole.update(latin1("123456789"));
  assert.equal(whole.value, 0xcbf43926);
  const pieces = new Crc32();
  for (const piece of ["1", "2345", "", "6789"]) pieces.update(latin1(piece));
  assert.equal(pieces.value, 0xcbf43926);
  assert.equal(new Crc32().value, 0);
});
