import assert from "node:assert/strict";
import { bytesSource } from "../../../core/byte_source.ts";
import { WINDOW_BYTES, windowedSource } from "../../../scanners/zip/window.ts";

Deno.test("windowedSource reads a window once and serves nearby reads from it, bytes unchanged", async () => {
  const bytes = Uint8Array.from({ length: 3 * WINDOW_BYTES }, (_, i) => i % 251);
  const inner = bytesSource(bytes);
  const reads: [number, number][] = [];
  const source = windowedSource({
    size: inner.size,
    read: (at, n) => (reads.push([at, n]), inner.read(at, n)),
  });
  assert.deepEqual(await source.read(10, 4), bytes.subarray(10, 14));
  assert.deepEqual(await source.read(1000, 30), bytes.subarray(1000, 1030));
  assert.deepEqual(reads, [[10, WINDOW_BYTES]]);
  assert.deepEqual(
    await source.read(WINDOW_BYTES + 5, 2),
    bytes.subarray(WINDOW_BYTES + 5, WINDOW_BYTES + 7),
  );
  assert.equal(reads.length, 1, "still in the window");
  assert.deepEqual(
    await source.read(2 * WINDOW_BYTES, 2),
    bytes.subarray(2 * WINDOW_BYTES, 2 * WINDOW_BYTES + 2),
  );
  assert.deepEqual(await source.read(5, 2), bytes.subarray(5, 7), "behind the window: read again");
  assert.deepEqual(
    await source.read(0, 2 * WINDOW_BYTES),
    bytes.subarray(0, 2 * WINDOW_BYTES),
    "large: passed through",
  );
  assert.equal(reads.length, 4);
  assert.deepEqual(
    await source.read(bytes.length - 3, 10),
    bytes.subarray(bytes.length - 3),
    "short at the end",
  );
  assert.deepEqual(await source.read(bytes.length + 5, 10), new Uint8Array(0));
});
