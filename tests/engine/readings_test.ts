import assert from "node:assert/strict";
import { bytesSource } from "../../core/byte_source.ts";
import { HEAD_BYTES } from "../../core/detection.ts";
import { detectFormat } from "../../engine/detect.ts";
import { LOADERS, pickleLoadersOf } from "../../engine/readings.ts";

const FIXTURES = new URL("../../fixtures/", import.meta.url);

/** The scanner a fixture's content calls for, its head, and the loaders that would unpickle it. */
async function loadersOf(fixture: string, arrival: "file" | "payload" = "file"): Promise<string[]> {
  const bytes = await Deno.readFile(new URL(fixture, FIXTURES));
  const head = bytes.subarray(0, HEAD_BYTES);
  const detected = await detectFormat(bytesSource(bytes), head, fixture);
  assert.ok(detected, fixture);
  return pickleLoadersOf(arrival, detected.descriptor.id, head).map((loader) => loader.call);
}

Deno.test("a pickle, or a legacy torch stream, is read as a pickle already: no second reading", async () => {
  assert.deepEqual(await loadersOf("pickle/benign/sklearn_logreg_p4.pkl"), []);
  assert.deepEqual(await loadersOf("pytorch/benign/state_dict_legacy.pt"), []);
});

Deno.test("joblib knows zlib by 0x78 only: zlib with another window size is unpickled by it too", async () => {
  // zlib.compress (0x78 0x5e): joblib.load decompresses it; the other loaders unpickle it as it stands.
  assert.deepEqual(await loadersOf("compressed/benign/sklearn_logreg.pkl.z"), [
    "pickle.load",
    "torch.load",
    "numpy.load(allow_pickle=True)",
  ]);
  // zlib with a 1 KiB window starts with `(` 0x91 (MARK, FROZENSET): no loader knows it as zlib.
  assert.deepEqual(await loadersOf("polyglot/benign/zlib_window_1k.pkl"), [
    "pickle.load",
    "torch.load",
    "joblib.load",
    "numpy.load(allow_pickle=True)",
  ]);
});

Deno.test("torch.load reads a tar file as its legacy format, but a tar handed over as bytes is unpickled", async () => {
  assert.deepEqual(await loadersOf("polyglot/benign/model.tar"), [
    "pickle.load",
    "joblib.load",
    "numpy.load(allow_pickle=True)",
  ]);
  assert.deepEqual(await loadersOf("polyglot/benign/model.tar", "payload"), [
    "pickle.loads",
    "torch.load(BytesIO)",
  ]);
});

Deno.test("a zip is opened as a zip by torch.load and np.load, unpickled by pickle.load and joblib.load", async () => {
  assert.deepEqual(await loadersOf("pytorch/benign/state_dict.pt"), ["pickle.load", "joblib.load"]);
  assert.deepEqual(await loadersOf("pytorch/benign/state_dict.pt", "payload"), ["pickle.loads"]);
  assert.deepEqual(await loadersOf("numpy/benign/arrays.npz"), ["pickle.load", "joblib.load"]);
});

Deno.test("np.load reads an .npy by its magic; gzip is joblib's to decompress", async () => {
  assert.deepEqual(await loadersOf("numpy/benign/float32_2d.npy"), [
    "pickle.load",
    "torch.load",
    "joblib.load",
  ]);
  assert.deepEqual(await loadersOf("compressed/benign/sklearn_logreg.pkl.gz"), [
    "pickle.load",
    "torch.load",
    "numpy.load(allow_pickle=True)",
  ]);
});

Deno.test("only torch's loaders read pickles on past the first STOP", () => {
  assert.deepEqual(
    LOADERS.filter((loader) => loader.pickles === "stream").map((loader) => loader.call),
    ["torch.load", "torch.load(BytesIO)"],
  );
});
