// The tensors of legacy (non-zip) torch.save streams assembled here pickle by pickle (the committed
// fixture is read in tensors_test.ts beside its zip twin): a strided view read from its record, and a
// view past its storage (MA105 at the rebuild call, listed but never readable, in a plain scan too).
import assert from "node:assert/strict";
import { scanBytes } from "../../../engine/dispatch.ts";
import { latin1 } from "../zip/_zip.ts";
import { listed, rows } from "../tensors/_inventory.ts";

/** A legacy stream whose object is `{"t": <view of FloatStorage "0" of 6 elements 0..5>}`. */
function legacyStream(offset: number, size: number[], stride: number[]): Uint8Array {
  const ints = (values: number[]) => `(${values.map((v) => `I${v}\n`).join("")}t`;
  const magic = "\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.";
  const object =
    "(dS't'\nctorch._utils\n_rebuild_tensor_v2\n((S'storage'\nctorch\nFloatStorage\nS'0'\nS'cpu'\nI6\ntQ" +
    `I${offset}\n${ints(size)}${ints(stride)}I00\nNtRs.`;
  const pickles = latin1(magic + "\x80\x02M\xe9\x03." + "\x80\x02}." + object + "(lp0\nS'0'\na.");
  const record = new Uint8Array(8 + 24);
  new DataView(record.buffer).setBigInt64(0, 6n, true);
  record.set(new Uint8Array(Float32Array.from([0, 1, 2, 3, 4, 5]).buffer), 8);
  const stream = new Uint8Array(pickles.length + record.length);
  stream.set(pickles);
  stream.set(record, pickles.length);
  return stream;
}

Deno.test("a strided view in a legacy stream reads from its record in row-major order", async () => {
  const { tensors, values, rules } = await listed("view.pt", 4, legacyStream(2, [2, 2], [1, 2]));
  assert.deepEqual(rules, []);
  assert.deepEqual(rows(tensors), [["t", "F32", [2, 2], 16, true]]);
  assert.deepEqual(values.get("t"), [2, 4, 3, 5]);
});

Deno.test("a view past its storage is MA105 at the rebuild call, listed but never readable", async () => {
  const stream = legacyStream(3, [2, 2], [2, 1]); // reaches element 3 + 2 + 1 + 1 = 7 of 6
  const { tensors, values, outcome } = await listed("past.pt", 4, stream);
  assert.deepEqual(rows(tensors), [["t", "F32", [2, 2], 16, false]]);
  assert.equal(values.size, 0);
  const [finding] = outcome.findings;
  assert.equal(finding.rule, "MA105");
  assert.match(finding.message, /tensor "t" .* reaches element 7 of storage "0", which holds 6/);
  assert.deepEqual((await scanBytes(stream, "past.pt")).findings.map((f) => f.rule), ["MA105"]);
});
