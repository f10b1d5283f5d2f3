import assert from "node:assert/strict";
import { bytesSource, concatSources, readAll, subSource } from "../../core/byte_source.ts";

const bytes = Uint8Array.from({ length: 10 }, (_, i) => i);

Deno.test("bytesSource and subSource clamp reads to their bounds", async () => {
  const source = bytesSource(bytes);
  assert.deepEqual(await source.read(8, 5), Uint8Array.of(8, 9));
  assert.deepEqual(await source.read(-3, 2), Uint8Array.of(0, 1));
  const window = subSource(source, 4, 3);
  assert.equal(window.size, 3);
  assert.deepEqual(await window.read(1, 10), Uint8Array.of(5, 6));
  assert.equal(subSource(source, 8, 100).size, 2);
  assert.deepEqual(await readAll(window), Uint8Array.of(4, 5, 6));
});

Deno.test("concatSources reads across the seam, and each part alone", async () => {
  const both = concatSources(subSource(bytesSource(bytes), 0, 3), subSource(bytesSource(bytes), 7, 3));
  assert.equal(both.size, 6);
  assert.deepEqual(await readAll(both), Uint8Array.of(0, 1, 2, 7, 8, 9));
  assert.deepEqual(await both.read(2, 2), Uint8Array.of(2, 7));
  assert.deepEqual(await both.read(0, 2), Uint8Array.of(0, 1));
  assert.deepEqual(await both.read(4, 99), Uint8Array.of(8, 9));
  assert.deepEqual(await both.read(6, 1), new Uint8Array(0));
});
