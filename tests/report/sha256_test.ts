import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { sha256Hex } from "../../report/sha256.ts";

const nodeSha256 = (text: string) => createHash("sha256").update(text).digest("hex");

Deno.test("sha256Hex gives FIPS 180-4's example digests", () => {
  assert.equal(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assert.equal(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.equal(
    sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
  assert.equal(
    sha256Hex("a".repeat(1_000_000)),
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
  );
});

Deno.test("sha256Hex is node:crypto's SHA-256 of the UTF-8 bytes, at every length around the block edges", () => {
  // Lengths in bytes where the padding changes shape: 55 fits one block, 56 needs two.
  for (const length of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000]) {
    const text = "x".repeat(length);
    assert.equal(sha256Hex(text), nodeSha256(text), `length ${length}`);
  }
  let seed = 2026;
  const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  // Two- to four-byte UTF-8 characters, and a lone surrogate (encoded as U+FFFD by both).
  const alphabet = ["a", "Z", "0", " ", ":", "é", "—", "模", "😀", "\u{d800}", "\n", "\0"];
  for (let round = 0; round < 2000; round++) {
    const text = Array.from({ length: random(300) }, () => alphabet[random(alphabet.length)]).join("");
    assert.equal(sha256Hex(text), nodeSha256(text), JSON.stringify(text));
  }
});
