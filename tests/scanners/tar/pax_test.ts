// pax records framed as Python's tarfile (3.11) checks them; only the keywords
// that change an entry's name, link, size or sparseness are kept.
import assert from "node:assert/strict";
import { parsePax, paxNumber } from "../../../scanners/tar/pax.ts";
import { paxRecord } from "./_tar.ts";

const text = (s: string) => new TextEncoder().encode(s);

Deno.test("pax: kept keywords, later records winning, padding ignored", () => {
  const data = text(
    paxRecord("path", "a.pkl") + paxRecord("mtime", "1.5") + paxRecord("path", "b.pkl") + "\0\0\0",
  );
  assert.deepEqual(parsePax(data), new Map([["path", "b.pkl"]]));
  assert.deepEqual(parsePax(text(paxRecord("path", "caf\u00e9"))), new Map([["path", "caf\u00e9"]]));
  assert.deepEqual(
    parsePax(text(paxRecord("size", "12") + paxRecord("linkpath", "x"))),
    new Map([["size", "12"], ["linkpath", "x"]]),
  );
});

Deno.test("pax: what Python rejects as an invalid header", () => {
  assert.equal(parsePax(text("x path=a\n")), "malformed record at byte 0");
  assert.equal(parsePax(text("4 a\n")), "record at byte 0 declares 4 bytes");
  assert.equal(parsePax(text("99 path=a\n")), "record at byte 0 declares 99 bytes");
  assert.equal(parsePax(text("9 path=a!")), "malformed record at byte 0");
  assert.equal(parsePax(text("8 patha\n")), "malformed record at byte 0");
  assert.equal(parsePax(text("7 =abc\n")), "malformed record at byte 0");
});

Deno.test("pax numbers: int() decimals only", () => {
  assert.equal(paxNumber("1_024"), 1024);
  assert.equal(paxNumber(" 7 "), 7);
  assert.equal(paxNumber("-3"), -3);
  assert.equal(paxNumber("0x10"), undefined);
  assert.equal(paxNumber("1.5"), undefined);
});
