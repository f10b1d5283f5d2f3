// What extracting an entry would do outside the archive: escaping names and
// link targets, special files, and names that land on the same path.
import assert from "node:assert/strict";
import {
  extractedPath,
  hardlinkEscapes,
  nameEscape,
  NameTracker,
  specialKind,
  symlinkEscapes,
} from "../../../scanners/tar/checks.ts";
import { TYPE } from "../../../scanners/tar/header.ts";

Deno.test("names that escape: .., absolute, drive letters, backslashes", () => {
  assert.equal(nameEscape("../a"), "a .. component");
  assert.equal(nameEscape("a/../../b"), "a .. component");
  assert.equal(nameEscape("/etc/cron.d/x"), "an absolute path");
  assert.equal(nameEscape("C:/Windows/x.dll"), "a drive letter");
  assert.equal(nameEscape("c:evil"), "a drive letter");
  assert.equal(nameEscape("a\\..\\b"), "a backslash, a separator on Windows");
  for (const fine of ["a/b.pkl", "./a", "a..b/c", "...", "a/./b"]) {
    assert.equal(nameEscape(fine), undefined, fine);
  }
});

Deno.test("link targets: relative to the link's folder for symlinks, to the root for hard links", () => {
  assert.ok(!symlinkEscapes("a/b/link", "../c"));
  assert.ok(!symlinkEscapes("a/link", "./b/../c"));
  assert.ok(symlinkEscapes("link", "../x"));
  assert.ok(symlinkEscapes("a/link", "../../x"));
  assert.ok(symlinkEscapes("a/link", "/etc/passwd"));
  assert.ok(symlinkEscapes("a/link", "C:/x"));
  assert.ok(symlinkEscapes("a/link", "..\\x"));
  assert.ok(!hardlinkEscapes("a/b.bin"));
  assert.ok(hardlinkEscapes("../b.bin"));
  assert.ok(hardlinkEscapes("/b.bin"));
});

Deno.test("special kinds and collisions", () => {
  assert.equal(specialKind(TYPE.SYMLINK), "symbolic link");
  assert.equal(specialKind(TYPE.CHARACTER_DEVICE), "character device");
  assert.equal(specialKind(TYPE.REGULAR), undefined);
  assert.equal(specialKind(TYPE.DIRECTORY), undefined);
  assert.equal(extractedPath("./a//b/./c"), "a/b/c");
  const names = new NameTracker();
  assert.ok(!names.collides("dir", true));
  assert.ok(!names.collides("./dir", true), "a directory listed twice is harmless");
  assert.ok(names.collides("dir", false), "a file over a directory is not");
  assert.ok(names.collides("dir/", true), "nor a directory over a file");
  assert.ok(!names.collides("a.pkl", false));
  assert.ok(names.collides("a.pkl", false));
});
