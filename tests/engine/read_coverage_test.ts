import assert from "node:assert/strict";
import { bytesSource } from "../../core/byte_source.ts";
import { CoverageSource } from "../../engine/read_coverage.ts";

Deno.test("bytes read twice count once; bytes never read do not count", async () => {
  const source = new CoverageSource(bytesSource(new Uint8Array(1000).fill(7)));
  assert.equal(source.bytesRead, 0);
  assert.deepEqual(await source.read(100, 3), new Uint8Array([7, 7, 7]));
  await source.read(0, 50);
  await source.read(40, 20); // overlaps the read before
  await source.read(60, 10); // adjacent to it
  await source.read(990, 100); // cut at the end: 10 bytes
  await source.read(2000, 10); // past the end: nothing
  await source.read(0, 50);
  assert.equal(source.bytesRead, 3 + 70 + 10);
});

Deno.test("many scattered reads, in any order, are counted exactly", async () => {
  const size = 1_000_000;
  const source = new CoverageSource(bytesSource(new Uint8Array(size)));
  const seen = new Uint8Array(size);
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  for (let i = 0; i < 20_000; i++) {
    const offset = next() % size;
    const length = next() % 64;
    const bytes = await source.read(offset, length);
    seen.fill(1, offset, offset + bytes.length);
  }
  assert.equal(source.bytesRead, seen.reduce((sum, b) => sum + b, 0));
});
