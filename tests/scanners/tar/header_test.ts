// Tar header fields read as Python's tarfile reads them: octal with int()'s
// leniency, GNU base-256, signed or unsigned checksums, prefixes and
// directories, and detection that accepts real headers and nothing else.
import assert from "node:assert/strict";
import {
  blocksFor,
  carriesData,
  checksumMatches,
  isTarHeader,
  parseHeader,
  parseNumber,
  TYPE,
} from "../../../scanners/tar/header.ts";
import { header, sealed } from "./_tar.ts";

const text = (s: string) => new TextEncoder().encode(s);

Deno.test("numbers: octal text as int(s, 8) takes it, base-256, and what Python rejects", () => {
  assert.equal(parseNumber(text("0000644\0")), 0o644n);
  assert.equal(parseNumber(text("  644 \0")), 0o644n);
  assert.equal(parseNumber(text("0o17")), 15n);
  assert.equal(parseNumber(text("1_7")), 15n);
  assert.equal(parseNumber(text("-17")), -15n);
  assert.equal(parseNumber(text("\0garbage")), 0n);
  assert.equal(parseNumber(new Uint8Array(12)), 0n);
  assert.equal(parseNumber(text("8")), undefined);
  assert.equal(parseNumber(text("1__7")), undefined);
  assert.equal(parseNumber(text("_17")), undefined);
  assert.equal(parseNumber(new Uint8Array([0x31, 0xe9])), undefined);
  assert.equal(parseNumber(new Uint8Array([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0])), 256n);
  assert.equal(parseNumber(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe])), -2n);
});

Deno.test("checksums: the unsigned sum, the signed sum, and nothing else", () => {
  const block = header({ name: "a.txt" });
  assert.ok(checksumMatches(block));
  assert.ok(!checksumMatches(header({ name: "a.txt", badChecksum: true })));
  // A byte over 0x7f makes the signed sum differ from the unsigned one; Python accepts either.
  const high = header({ name: "caf\u00e9.txt" });
  high.set(new TextEncoder().encode("        "), 148);
  const signed = high.reduce((a, b) => a + (b < 0x80 ? b : b - 0x100), 0);
  high.set(new TextEncoder().encode(`${signed.toString(8).padStart(6, "0")}\0 `), 148);
  assert.ok(checksumMatches(high));
});

Deno.test("headers: prefix joined, directories without trailing slashes, GNU types without prefix", () => {
  const joined = parseHeader(header({ name: "b.pkl", prefix: "a/dir" }));
  assert.equal(typeof joined === "object" && joined.name, "a/dir/b.pkl");
  const oldDirectory = parseHeader(header({ name: "models//", type: "\0", format: "v7" }));
  assert.deepEqual(
    typeof oldDirectory === "object" && [oldDirectory.name, oldDirectory.type, oldDirectory.format],
    ["models", TYPE.DIRECTORY, "v7"],
  );
  const gnu = parseHeader(header({ name: "././@LongLink", type: "L", prefix: "ignored", format: "gnu" }));
  assert.equal(typeof gnu === "object" && gnu.name, "././@LongLink");
  const big = parseHeader(header({ sizeField: new Uint8Array([0x80, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0]) }));
  assert.equal(typeof big === "object" && big.size, 2 * 2 ** 24);
  assert.equal(parseHeader(header({ badChecksum: true })), "bad checksum");
  assert.equal(
    parseHeader(header({ sizeField: new Uint8Array([0xff, ...new Array(11).fill(0xff)]) })),
    "invalid size field",
  );
});

Deno.test("data: regular and unknown types carry data, links and directories none", () => {
  assert.ok(carriesData(TYPE.REGULAR) && carriesData(TYPE.CONTIGUOUS) && carriesData(0x56));
  assert.ok(!carriesData(TYPE.SYMLINK) && !carriesData(TYPE.DIRECTORY) && !carriesData(TYPE.FIFO));
  assert.deepEqual([blocksFor(0), blocksFor(1), blocksFor(512), blocksFor(513)], [0, 512, 512, 1024]);
});

Deno.test("detection: ustar, GNU and v7 headers; a lone checksum match with a garbage name is not one", () => {
  assert.ok(isTarHeader(header({ format: "ustar" })));
  assert.ok(isTarHeader(header({ format: "gnu" })));
  assert.ok(isTarHeader(header({ format: "v7" })));
  assert.ok(!isTarHeader(new Uint8Array(512)));
  assert.ok(!isTarHeader(header().subarray(0, 511)));
  assert.ok(!isTarHeader(header({ format: "v7", name: "a\x01b" })));
  assert.ok(!isTarHeader(header({ format: "v7", type: "x" })));
  // A checksum that matches over a stray byte in the v7 padding: Python would take it, detection does not.
  const stray = header({ format: "v7", name: "model.pkl" });
  stray[400] = 1;
  assert.ok(checksumMatches(sealed(stray)) && !isTarHeader(stray));
});
