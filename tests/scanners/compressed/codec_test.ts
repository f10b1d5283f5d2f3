// The shared plumbing of the compressed scanners: member names, streams over generators
// (closed on abort and on cancel), skipping a first pass's bytes, the capped byte collector.
import assert from "node:assert/strict";
import { bytesSource } from "../../../core/byte_source.ts";
import { countedSignal } from "../../_signals.ts";
import {
  ByteCollector,
  DEFAULT_MEMBER_NAME,
  generatorStream,
  linkSignals,
  memberName,
  OutputLimitReached,
  skipBytes,
  sourceChunks,
} from "../../../scanners/compressed/codec.ts";

Deno.test("memberName: stored name first, else the base name without its last extension", () => {
  assert.equal(memberName("models/model.joblib.gz"), "model.joblib");
  assert.equal(memberName("model_zlib.joblib"), "model_zlib");
  assert.equal(memberName("outer.zip:inner/weights.pkl.bz2"), "weights.pkl");
  assert.equal(memberName("outer.tar.gz:inner.tar"), "inner");
  assert.equal(memberName("C:\\models\\m.pkl.xz"), "m.pkl");
  assert.equal(memberName("data"), DEFAULT_MEMBER_NAME);
  assert.equal(memberName("dir/.gz"), DEFAULT_MEMBER_NAME);
  assert.equal(memberName("x.gz", "payload.pkl"), "payload.pkl");
});

Deno.test("memberName sanitises stored names: last segment, no control characters or colons, bounded", () => {
  assert.equal(memberName("x.gz", "../../etc/evil.pkl"), "evil.pkl");
  assert.equal(memberName("x.gz", "C:\\evil\\a.pkl"), "a.pkl");
  assert.equal(memberName("x.gz", "a\nb\u0000c:d"), "a_b_c_d");
  assert.equal(memberName("x.gz", ".."), "x");
  assert.equal(memberName("x.gz", "  "), "x");
  assert.equal(memberName("x.gz", "n".repeat(1000)).length, 255);
});

Deno.test("generatorStream pulls lazily and ends the generator on abort and on cancel", async () => {
  const log: string[] = [];
  async function* chunks() {
    try {
      for (let i = 0;; i++) {
        log.push(`yield ${i}`);
        yield new Uint8Array([i]);
      }
    } finally {
      log.push("finally");
    }
  }
  const controller = new AbortController();
  const reader = generatorStream(chunks(), controller.signal).getReader();
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(log, [], "nothing is pulled before a read");
  assert.deepEqual((await reader.read()).value, new Uint8Array([0]));
  controller.abort();
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(log, ["yield 0", "finally"]);

  const cancelled: string[] = [];
  async function* other() {
    try {
      yield new Uint8Array([1]);
      yield new Uint8Array([2]);
    } finally {
      cancelled.push("finally");
    }
  }
  const second = generatorStream(other(), new AbortController().signal).getReader();
  await second.read();
  await second.cancel();
  assert.deepEqual(cancelled, ["finally"]);
});

Deno.test("generatorStream errors with the generator's error", async () => {
  async function* failing() {
    yield new Uint8Array([1]);
    throw new Error("gzip: corrupt");
  }
  const reader = generatorStream(failing(), new AbortController().signal).getReader();
  await reader.read();
  await assert.rejects(reader.read(), /gzip: corrupt/);
});

Deno.test("sourceChunks reads pieces from an offset; skipBytes drops a first pass's bytes", async () => {
  const source = bytesSource(Uint8Array.from({ length: 10 }, (_, i) => i));
  const pieces = await Array.fromAsync(sourceChunks(source, 3, 4));
  assert.deepEqual(pieces.map((p) => [...p]), [[3, 4, 5, 6], [7, 8, 9]]);
  const rest = await Array.fromAsync(skipBytes(sourceChunks(source, 0, 4), 6));
  assert.deepEqual(rest.map((p) => [...p]), [[6, 7], [8, 9]]);
});

Deno.test("ByteCollector hands out chunks and stops at its limit", () => {
  const out = new ByteCollector(5, 2);
  for (const byte of [1, 2, 3]) out.writeByte(byte);
  assert.deepEqual(out.take().map((c) => [...c]), [[1, 2], [3]]);
  out.writeByte(4);
  out.writeByte(5);
  assert.throws(() => out.writeByte(6), OutputLimitReached);
  assert.deepEqual(out.take().map((c) => [...c]), [[4, 5]]);
  assert.equal(out.written, 5);
});

Deno.test("generatorStream leaves no listener on its signal once the stream ends, errors or is cancelled", async () => {
  async function* two() {
    yield new Uint8Array([1]);
    yield new Uint8Array([2]);
  }
  async function* broken() {
    yield new Uint8Array([1]);
    throw new Error("corrupt");
  }
  const ended = countedSignal();
  await new Response(generatorStream(two(), ended.controller.signal)).arrayBuffer();
  assert.equal(ended.listeners(), 0);

  const errored = countedSignal();
  await assert.rejects(new Response(generatorStream(broken(), errored.controller.signal)).arrayBuffer());
  assert.equal(errored.listeners(), 0);

  const cancelled = countedSignal();
  const reader = generatorStream(two(), cancelled.controller.signal).getReader();
  await reader.read();
  assert.equal(cancelled.listeners(), 1);
  await reader.cancel();
  assert.equal(cancelled.listeners(), 0);
});

Deno.test("linkSignals follows every source and, released, leaves no listener on them", () => {
  const file = countedSignal();
  const member = countedSignal();
  const link = linkSignals(file.controller.signal, member.controller.signal);
  assert.equal(link.signal.aborted, false);
  member.controller.abort();
  assert.equal(link.signal.aborted, true);
  link.release();
  assert.equal(file.listeners(), 0);
  assert.equal(member.listeners(), 0);
  const already = linkSignals(AbortSignal.abort());
  assert.equal(already.signal.aborted, true);
});
