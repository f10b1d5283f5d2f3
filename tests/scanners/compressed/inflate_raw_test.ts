import assert from "node:assert/strict";
import { bytesSource } from "../../../core/byte_source.ts";
import { inflateRaw } from "../../../scanners/compressed/inflate.ts";
import { deflate, latin1 } from "../zip/_zip.ts";

/** Compressible but not trivially: runs of a pseudo-random byte. */
function sample(length: number): Uint8Array {
  let seed = 7;
  return Uint8Array.from(
    { length },
    (_, i) => (i % 5 === 0 ? (seed = (seed * 75 + 74) % 65537) : seed) & 0xff,
  );
}

async function decode(compressed: Uint8Array) {
  const trailing: number[] = [];
  const stream = inflateRaw(bytesSource(compressed), (at) => trailing.push(at));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  return { bytes, trailing };
}

Deno.test("inflateRaw decodes what CompressionStream encodes, across many input pieces", async () => {
  const data = sample(300_000);
  const compressed = await deflate(data);
  assert.ok(compressed.length > 16 * 1024 * 2, "more than two input pieces");
  const { bytes, trailing } = await decode(compressed);
  assert.deepEqual(bytes, data);
  assert.deepEqual(trailing, []);
});

Deno.test("inflateRaw stops at the end of the deflate stream, as zlib does, and says where it ended", async () => {
  const data = sample(100_000);
  const compressed = await deflate(data);
  const { bytes, trailing } = await decode(new Uint8Array([...compressed, 1, 2, 3]));
  assert.deepEqual(bytes, data);
  assert.deepEqual(trailing, [compressed.length]);
});

Deno.test("inflateRaw errors on corrupt data after yielding what decoded before it", async () => {
  // A stored block holding "hello", then a stored block whose length check fails.
  const stream = new Uint8Array([
    0x00,
    5,
    0,
    0xfa,
    0xff,
    ...latin1("hello"),
    0x00,
    5,
    0,
    0,
    0,
    ...latin1("world"),
  ]);
  const reader = inflateRaw(bytesSource(stream)).getReader();
  const decoded: number[] = [];
  await assert.rejects(async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      decoded.push(...value);
    }
  });
  assert.deepEqual(decoded, [...latin1("hello")]);
});

Deno.test("inflateRaw of garbage errors at once; cancelling stops the decoding", async () => {
  const garbage = Uint8Array.from({ length: 64 }, (_, i) => (i * 97 + 13) & 0xff);
  await assert.rejects(() => new Response(inflateRaw(bytesSource(garbage))).arrayBuffer());
  let reads = 0;
  const compressed = await deflate(sample(8_000_000));
  const pieces = Math.ceil(compressed.length / (64 * 1024));
  assert.ok(pieces > 8, `${pieces} pieces`);
  const counting = bytesSource(compressed);
  const source = { size: counting.size, read: (at: number, n: number) => (reads++, counting.read(at, n)) };
  const reader = inflateRaw(source).getReader();
  await reader.read();
  await reader.cancel();
  assert.ok(reads < pieces / 2, `${reads} reads of ${pieces}`);
});

Deno.test("inflateRaw passes a failing read on as an error, and does not wait forever", async () => {
  const compressed = await deflate(sample(2_000_000));
  assert.ok(compressed.length > 64 * 1024, "more than one read");
  const failing = {
    size: compressed.length,
    read: (at: number, n: number) =>
      at > 0 ? Promise.reject(new Error("disk on fire")) : bytesSource(compressed).read(at, n),
  };
  await assert.rejects(() => new Response(inflateRaw(failing)).arrayBuffer(), /disk on fire/);
});

Deno.test("a bomb is decoded in chunks of a few MiB, however far its data expands", async () => {
  // 64 MiB of zeros deflate to 64 KiB: fed in fixed 64 KiB pieces, one chunk would be the whole 64 MiB.
  const size = 64 * 1024 * 1024;
  const compressed = await deflate(new Uint8Array(size));
  let decoded = 0;
  let largest = 0;
  for await (const chunk of inflateRaw(bytesSource(compressed))) {
    decoded += chunk.length;
    largest = Math.max(largest, chunk.length);
  }
  assert.equal(decoded, size);
  assert.ok(largest <= 4.5 * 1024 * 1024, `largest chunk ${largest} bytes`);
});
