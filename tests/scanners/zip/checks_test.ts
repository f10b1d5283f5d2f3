import assert from "node:assert/strict";
import { escapeReason, findOverlaps, isSymlink, unusualFlagBits } from "../../../scanners/zip/checks.ts";

Deno.test("escapeReason names the first way a name escapes", () => {
  assert.equal(escapeReason("archive/data.pkl"), undefined);
  assert.equal(escapeReason("a/../../b"), "a .. segment");
  assert.equal(escapeReason("/abs"), "an absolute path");
  assert.equal(escapeReason("D:relative"), "a drive letter");
  assert.equal(escapeReason("dir\\file"), "a backslash");
  assert.equal(escapeReason("..."), undefined);
});

Deno.test("isSymlink reads the Unix file type from the upper half of the attributes", () => {
  assert.ok(isSymlink(0o120755 << 16));
  assert.ok(!isSymlink(0o100755 << 16));
  assert.ok(!isSymlink(0o040755 << 16));
  assert.ok(!isSymlink(0x20)); // an MS-DOS archive bit only
});

Deno.test("unusualFlagBits ignores encryption, compression options, descriptors and UTF-8", () => {
  assert.deepEqual(unusualFlagBits(0x0001 | 0x0002 | 0x0004 | 0x0008 | 0x0040 | 0x0800), []);
  assert.deepEqual(unusualFlagBits(0x0010 | 0x0020 | 0x2000 | 0x8000), [4, 5, 13, 15]);
});

Deno.test("findOverlaps pairs each member with the one it starts inside, whatever the order", () => {
  const ranges = [
    { index: 0, start: 100, end: 200 },
    { index: 1, start: 0, end: 50 },
    { index: 2, start: 150, end: 160 },
    { index: 3, start: 199, end: 300 },
    { index: 4, start: 300, end: 310 },
  ];
  assert.deepEqual(findOverlaps(ranges), [{ member: 2, overlaps: 0 }, { member: 3, overlaps: 0 }]);
  assert.deepEqual(findOverlaps([]), []);
  const same = findOverlaps([{ index: 1, start: 0, end: 10 }, { index: 0, start: 0, end: 10 }]);
  assert.deepEqual(same, [{ member: 1, overlaps: 0 }]);
});

Deno.test("findOverlaps is fast on many members", () => {
  const ranges = Array.from({ length: 200_000 }, (_, i) => ({ index: i, start: i * 10, end: i * 10 + 10 }));
  assert.deepEqual(findOverlaps(ranges), []);
});
