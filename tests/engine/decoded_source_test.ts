import assert from "node:assert/strict";
import { bytesSource } from "../../core/byte_source.ts";
import { HEAD_BYTES } from "../../core/detection.ts";
import type { MemberContent } from "../../core/scanner.ts";
import { DecodeBudget } from "../../engine/decode_budget.ts";
import { decodeMember } from "../../engine/decoded_source.ts";
import { requestCollection } from "../../engine/gc.ts";
import { DEFAULT_SCAN_LIMITS } from "../../engine/limits.ts";
import { GZIP_FRAMING } from "../../scanners/compressed/gzip.ts";
import { inflateStream } from "../../scanners/compressed/inflate.ts";
import { countedSignal } from "../_signals.ts";

const IN_MEMORY_DECODE_BYTES = DEFAULT_SCAN_LIMITS.maxInMemoryDecodeBytes;
/** A lowered `maxInMemoryDecodeBytes`: members past it are streamed without decoding tens of MiB. */
const SMALL_IN_MEMORY = 1 << 20;

type Encoded = Extract<MemberContent, { kind: "encoded" }>;

/** The byte a pattern stream holds at `offset`: distinct enough to catch any misplaced copy. */
const patternByte = (offset: number) => (offset * 31 + (offset >>> 16)) & 0xff;

/** An "encoded" member whose decoder yields `size` pattern bytes in 1 MiB chunks, counting its passes. */
function patternMember(size: number, declared?: number): Encoded & { passes: number } {
  const member = {
    kind: "encoded" as const,
    encodedSize: 1000,
    declaredSize: declared,
    passes: 0,
    decode() {
      member.passes++;
      let at = 0;
      return new ReadableStream<Uint8Array>({
        pull(controller) {
          if (at >= size) return controller.close();
          const chunk = new Uint8Array(Math.min(1 << 20, size - at));
          for (let i = 0; i < chunk.length; i++) chunk[i] = patternByte(at + i);
          at += chunk.length;
          controller.enqueue(chunk);
        },
      });
    },
  };
  return member;
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function gzipMember(compressed: Uint8Array, declaredSize?: number): Encoded {
  return {
    kind: "encoded",
    encodedSize: compressed.length,
    declaredSize,
    decode: (signal) => inflateStream(bytesSource(compressed), GZIP_FRAMING, signal),
  };
}

const signal = new AbortController().signal;

function assertPattern(bytes: Uint8Array, offset: number): void {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== patternByte(offset + i)) assert.fail(`byte ${offset + i} is ${bytes[i]}`);
  }
}

Deno.test("a small member is decoded once into memory, exactly", async () => {
  const plain = new TextEncoder().encode("cos\nsystem\n(S'echo pwned'\ntR.");
  const member = await decodeMember(gzipMember(await gzip(plain)), new DecodeBudget(1 << 20), signal);
  assert.equal(member.source.size, plain.length);
  assert.equal(member.streamed, false);
  assert.deepEqual(await member.source.read(0, 100), plain);
  assert.deepEqual(await member.source.read(4, 6), plain.subarray(4, 10));
  assert.deepEqual(member.problems, []);
});

Deno.test("a declared size that the data does not have is a size problem; the real bytes are served", async () => {
  const plain = new Uint8Array([1, 2, 3, 4]);
  const longer = await decodeMember(gzipMember(await gzip(plain), 10), new DecodeBudget(1 << 20), signal);
  assert.equal(longer.source.size, 4);
  assert.deepEqual(longer.problems, [{ kind: "size", declared: 10, actual: 4, exact: true }]);
  const shorter = await decodeMember(gzipMember(await gzip(plain), 2), new DecodeBudget(1 << 20), signal);
  assert.equal(shorter.source.size, 2);
  assert.deepEqual(await shorter.source.read(0, 10), new Uint8Array([1, 2]));
  assert.deepEqual(shorter.problems, [{ kind: "size", declared: 2, actual: 4, exact: false }]);
});

Deno.test("corrupt data keeps what decoded before it and reports where it broke", async () => {
  const plain = new Uint8Array(100_000).map((_, i) => patternByte(i));
  const compressed = await gzip(plain);
  const truncated = compressed.subarray(0, compressed.length - 20);
  const member = await decodeMember(gzipMember(truncated), new DecodeBudget(1 << 20), signal);
  assert.equal(member.problems.length, 1);
  const [problem] = member.problems;
  assert.equal(problem.kind, "corrupt");
  assert.equal(member.source.size, problem.kind === "corrupt" ? problem.at : -1);
  assertPattern(await member.source.read(0, member.source.size), 0);
});

Deno.test("a decoder's bug is not corrupt data: it rejects, for the scan to end in an error", async () => {
  const buggy: Encoded = {
    kind: "encoded",
    encodedSize: 10,
    decode: () =>
      new ReadableStream<Uint8Array>({
        pull() {
          throw new TypeError("Cannot read properties of undefined (reading 'length')");
        },
      }),
  };
  await assert.rejects(decodeMember(buggy, new DecodeBudget(1 << 20), signal), TypeError);
});

Deno.test("the budget stops decoding where it runs out, and is shared", async () => {
  const budget = new DecodeBudget(3_000_000);
  const first = await decodeMember(patternMember(2_000_000), budget, signal);
  assert.equal(first.source.size, 2_000_000);
  assert.deepEqual(first.problems, []);
  const second = await decodeMember(patternMember(2_000_000), budget, signal);
  assert.equal(second.source.size, 1_000_000);
  assert.deepEqual(second.problems, [{ kind: "budget", at: 1_000_000 }]);
  assert.ok(budget.exhausted);
});

Deno.test("bytes a container decodes on the way to a member are charged to the same budget", async () => {
  // A member that sits behind `skipped` bytes of a solid block: its decoder charges them first.
  const behind = (skipped: number): Encoded => ({
    kind: "encoded",
    encodedSize: 10,
    declaredSize: 4,
    decode: (_signal, charge) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          if (charge?.(skipped) ?? true) controller.enqueue(Uint8Array.of(1, 2, 3, 4));
          controller.close();
        },
      }),
  });
  const budget = new DecodeBudget(1_000);
  const paid = await decodeMember(behind(600), budget, signal);
  assert.equal(paid.source.size, 4);
  assert.deepEqual(paid.problems, []);
  assert.equal(budget.used, 604);
  // 600 more do not fit: the budget is spent on them, the member gets nothing, and no size problem is made up.
  const refused = await decodeMember(behind(600), budget, signal);
  assert.equal(refused.source.size, 0);
  assert.deepEqual(refused.problems, [{ kind: "budget", at: 0 }]);
  assert.ok(budget.exhausted);
});

Deno.test("a large declared member is streamed: the head at once, the rest on demand, restarts when read behind", async () => {
  const size = IN_MEMORY_DECODE_BYTES + 8 * (1 << 20);
  const content = patternMember(size, size);
  const member = await decodeMember(content, new DecodeBudget(Number.MAX_SAFE_INTEGER), signal);
  assert.equal(member.source.size, size);
  assert.equal(member.streamed, true);
  assert.equal(content.passes, 1);
  assertPattern(await member.source.read(10, 100), 10);
  assertPattern(await member.source.read(size - 5000, 10_000), size - 5000);
  assert.equal((await member.source.read(size - 5000, 10_000)).length, 5000);
  // Within the window kept behind the furthest read: no new pass.
  assertPattern(await member.source.read(size - 600_000, 1000), size - 600_000);
  assert.equal(content.passes, 1);
  assertPattern(await member.source.read(20 * (1 << 20), 3 << 20), 20 * (1 << 20));
  assert.equal(content.passes, 2);
  assert.deepEqual(member.problems, []);
});

Deno.test("a large member of unknown size is measured first, then streamed", async () => {
  const size = SMALL_IN_MEMORY + (1 << 20);
  const content = patternMember(size);
  const budget = new DecodeBudget(Number.MAX_SAFE_INTEGER);
  const member = await decodeMember(content, budget, signal, SMALL_IN_MEMORY);
  assert.equal(member.source.size, size);
  assert.equal(member.streamed, true);
  assert.equal(budget.used, size);
  assertPattern(await member.source.read(size - 100, 100), size - 100);
  assert.equal(content.passes, 2);
  assert.equal(budget.used, 2 * size);
});

Deno.test("a member of unknown size that outgrows memory keeps its head, served without a new pass", async () => {
  const size = IN_MEMORY_DECODE_BYTES + 3 * (1 << 20);
  const content = patternMember(size);
  const member = await decodeMember(content, new DecodeBudget(Number.MAX_SAFE_INTEGER), signal);
  assert.equal(member.source.size, size);
  assertPattern(await member.source.read(0, HEAD_BYTES), 0);
  assert.equal((await member.source.read(0, HEAD_BYTES)).length, HEAD_BYTES);
  assert.equal(content.passes, 1);
  assertPattern(await member.source.read(HEAD_BYTES - 50, 100), HEAD_BYTES - 50);
  assert.equal(content.passes, 2);
});

Deno.test("a streamed member that ends before its declared size reports it when read there", async () => {
  const declared = SMALL_IN_MEMORY + (2 << 20);
  const member = await decodeMember(
    patternMember(declared - 1000, declared),
    new DecodeBudget(Number.MAX_SAFE_INTEGER),
    signal,
    SMALL_IN_MEMORY,
  );
  assert.equal(member.source.size, declared);
  assert.equal((await member.source.read(declared - 2000, 2000)).length, 1000);
  assert.deepEqual(member.problems, [{ kind: "size", declared, actual: declared - 1000, exact: true }]);
});

Deno.test("closed members leave no listener on the file's signal: a file of many members holds no old decoder", async () => {
  const file = countedSignal();
  const budget = new DecodeBudget(1 << 30);
  const size = SMALL_IN_MEMORY + (1 << 20);
  for (let i = 0; i < 3; i++) {
    const member = await decodeMember(
      patternMember(size, size),
      budget,
      file.controller.signal,
      SMALL_IN_MEMORY,
    );
    assertPattern(await member.source.read(size - 10, 10), size - 10);
    member.close();
  }
  const small = await decodeMember(patternMember(100), budget, file.controller.signal);
  assert.equal(small.source.size, 100);
  assert.equal(file.listeners(), 0);
});

Deno.test("garbage is collected where decoding leaves much of it: past the in-memory size, and every 32 MiB", async () => {
  const scope = globalThis as { gc?: (options: { type: string }) => void };
  const saved = scope.gc;
  const collections: string[] = [];
  scope.gc = (options) => void collections.push(options.type);
  try {
    // Counting starts afresh: what other tests decoded in this thread is forgotten.
    assert.equal(requestCollection(), true);
    collections.length = 0;
    // 32 MiB decoded, then outgrowing memory drops the 32 MiB of kept chunks at once: a full collection.
    await decodeMember(patternMember(IN_MEMORY_DECODE_BYTES + (1 << 20)), new DecodeBudget(1 << 30), signal);
    assert.deepEqual(collections, ["minor", "major"]);
    // A streamed pass leaves what it decoded behind it: a young-generation collection every 32 MiB.
    const size = 3 * IN_MEMORY_DECODE_BYTES;
    const member = await decodeMember(patternMember(size, size), new DecodeBudget(1 << 30), signal);
    assertPattern(await member.source.read(size - 10, 10), size - 10);
    assert.deepEqual(collections, ["minor", "major", "minor", "minor", "minor"]);
  } finally {
    scope.gc = saved;
  }
});
