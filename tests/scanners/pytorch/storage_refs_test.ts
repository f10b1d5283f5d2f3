// The storage index of a checkpoint's pickle: every ('storage', type, key, location, numel)
// persistent id, with the record size it implies, read from real torch output.
import assert from "node:assert/strict";
import { indexStorages } from "../../../scanners/pytorch/storage_refs.ts";
import { bu, bytes, global } from "../pickle/_bytes.ts";
import { memberBytes } from "./_zip.ts";

const FIXTURES = new URL("../../../fixtures/pytorch/", import.meta.url);
const member = async (file: string, name: string) =>
  memberBytes(await Deno.readFile(new URL(file, FIXTURES)), name);

Deno.test("indexes torch.save's storages with their sizes, first reference of a key winning", async () => {
  const { references, complete } = indexStorages(await member("benign/state_dict.pt", "archive/data.pkl"));
  assert.equal(complete, true);
  assert.deepEqual([...references.values()].map((r) => [r.key, r.bytes]), [
    ["0", 48n],
    ["1", 12n],
    ["2", 24n],
    ["3", 8n],
  ]);
  const many = indexStorages(await member("benign/many_tensors.pt", "archive/data.pkl"));
  assert.equal(many.complete, true);
  assert.equal(many.references.size, 302); // 300 tensors, one storage for both views, the empty one
  const sizes = new Set([...many.references.values()].map((r) => r.bytes));
  assert.deepEqual(sizes, new Set([16n, 32n, 8n, 4n, 0n]));
});

Deno.test("indexes TorchScript's data.pkl and constants.pkl the same way", async () => {
  const data = indexStorages(await member("benign/scripted.pt", "archive/data.pkl"));
  assert.deepEqual([data.complete, data.references.size], [true, 5]);
  const constants = indexStorages(await member("benign/traced.pt", "archive/constants.pkl"));
  assert.deepEqual([...constants.references.keys()], ["0", "1"]);
});

Deno.test("an index is incomplete when an id is not a storage, a key is not text, or the pickle breaks", () => {
  const storage = (key: Uint8Array) =>
    bytes("(", bu("storage"), global("torch", "FloatStorage"), key, bu("cpu"), "K", 2, "tQ");
  const pickle = (...parts: Uint8Array[]) => bytes(0x80, 2, "]", ...parts.flatMap((p) => [p, "a"]), ".");
  assert.equal(indexStorages(pickle(storage(bu("0")))).complete, true);
  assert.equal(indexStorages(pickle(storage(bu("0")), bytes("(", bu("module"), "tQ"))).complete, false);
  assert.equal(indexStorages(pickle(storage(bytes("K", 0)))).complete, false);
  assert.equal(indexStorages(pickle(storage(bu("0"))).slice(0, -1)).complete, false);
  // An unknown storage type leaves the size unknown, not the index.
  const odd = bytes(
    0x80,
    2,
    "(",
    bu("storage"),
    global("torch", "NewStorage"),
    bu("7"),
    bu("cpu"),
    "K",
    2,
    "tQ.",
  );
  assert.deepEqual([...indexStorages(odd).references.values()].map((r) => r.bytes), [undefined]);
});
