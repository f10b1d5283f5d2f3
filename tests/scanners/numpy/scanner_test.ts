// The NumPy scanner through the engine, on arrays assembled here: what follows the header is a
// pickle to scan (object dtypes, and the fallbacks where the header cannot be trusted) or raw
// data to size (never read), with hostile shapes and headers giving MA310, never a crash; and the
// npz profile, on archives written here.
import assert from "node:assert/strict";
import { BlobWriter, Uint8ArrayReader, ZipWriter } from "@zip.js/zip.js";
import { npzProfile } from "../../../scanners/numpy/npz.ts";
import { numpyDescriptor } from "../../../scanners/numpy/descriptor.ts";
import { concat, OS_SYSTEM, osSystemFindings, scanBrief } from "../compressed/_scan.ts";

const MAGIC = Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0);

/** A version 1.0 .npy of header `text` (padded to 118 bytes, so the data starts at 128), then `data`. */
function npy(text: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const header = new TextEncoder().encode(text.padEnd(117) + "\n");
  return concat(MAGIC, Uint8Array.of(header.length & 0xff, header.length >> 8), header, data);
}

function dict(descr: string, shape: string): string {
  return `{'descr': ${descr}, 'fortran_order': False, 'shape': ${shape}, }`;
}

Deno.test("numpy: an object array's pickle is scanned with file positions", async () => {
  const [format, findings] = await scanBrief(npy(dict("'|O'", "(1,)"), OS_SYSTEM), "a.npy");
  assert.equal(format, "numpy");
  assert.deepEqual(findings, osSystemFindings("a.npy", 128));
});

Deno.test("numpy: raw data is sized, not read; too little and too much are MA310", async () => {
  const clean = npy(dict("'<f8'", "(2, 3)"), new Uint8Array(48));
  assert.deepEqual((await scanBrief(clean, "c.npy"))[1], []);
  assert.deepEqual((await scanBrief(clean.subarray(0, 170), "t.npy"))[1], ["MA310 warning t.npy (pos 128)"]);
  const trailing = concat(clean, new Uint8Array(5));
  assert.deepEqual((await scanBrief(trailing, "r.npy"))[1], ["MA310 warning r.npy (pos 176)"]);
  const hidden = concat(clean, OS_SYSTEM);
  assert.deepEqual((await scanBrief(hidden, "h.npy"))[1], [
    "MA310 warning h.npy (pos 176)",
    ...osSystemFindings("h.npy:<trailing@176>"),
  ]);
});

Deno.test("numpy: hostile shapes give MA310, never a crash", async () => {
  const huge = npy(dict("'<f8'", `(${2n ** 70n}, ${2n ** 70n})`), new Uint8Array(8));
  assert.deepEqual((await scanBrief(huge, "huge.npy"))[1], ["MA310 warning huge.npy (pos 128)"]);
  assert.deepEqual((await scanBrief(npy(dict("'<f8'", "(-1, 2)")), "neg.npy"))[1], [
    "MA310 warning neg.npy (pos 10)",
  ]);
  assert.deepEqual((await scanBrief(npy(dict("'<f8'", "()"), new Uint8Array(8)), "scalar.npy"))[1], []);
  assert.deepEqual((await scanBrief(npy(dict("'<f8'", "(0, 5)")), "empty.npy"))[1], []);
});

Deno.test("numpy: where the header cannot be trusted, a pickle after it is still scanned", async () => {
  // np.load reads the header with ast.literal_eval; if this scanner refuses a header np.load accepts,
  // the data must not go unscanned.
  const unparsable = npy(
    "{'descr': '|O', 'fortran_order': False, 'shape': (1,), 'x': \\N{BULLET}}",
    OS_SYSTEM,
  );
  assert.deepEqual((await scanBrief(unparsable, "p.npy"))[1], [
    "MA310 warning p.npy (pos 70)",
    ...osSystemFindings("p.npy", 128),
  ]);
  const named = npy(dict("'object'", "(1,)"), OS_SYSTEM);
  assert.deepEqual((await scanBrief(named, "n.npy"))[1], [
    "MA310 warning n.npy (pos 10)",
    ...osSystemFindings("n.npy", 128),
  ]);
  const plain = npy(dict("'float32'", "(2,)"), new Uint8Array(8));
  assert.deepEqual((await scanBrief(plain, "f.npy"))[1], ["MA310 warning f.npy (pos 10)"]);
});

/** A zip of `members` written by zip.js (stored unless `level` says otherwise). */
async function zip(members: Record<string, Uint8Array>, level = 0): Promise<Uint8Array> {
  const writer = new ZipWriter(new BlobWriter(), { useWebWorkers: false });
  for (const [name, data] of Object.entries(members)) {
    await writer.add(name, new Uint8ArrayReader(data), { level, lastModDate: new Date(2020, 0, 1) });
  }
  return new Uint8Array(await (await writer.close()).arrayBuffer());
}

Deno.test("npz: every member is read as np.load reads a .npy, whatever its content", async () => {
  const archive = await zip({
    "weights.npy": npy(dict("'<f4'", "(2,)"), new Uint8Array(8)),
    "evil.npy": npy(dict("'|O'", "()"), OS_SYSTEM),
    "raw.npy": OS_SYSTEM,
  }, 6);
  const [format, findings] = await scanBrief(archive, "m.npz");
  assert.equal(format, "numpy-npz");
  assert.deepEqual(findings, [
    ...osSystemFindings("m.npz:evil.npy", 128),
    "MA310 warning m.npz:raw.npy (pos 0)",
    ...osSystemFindings("m.npz:raw.npy:<raw>"),
  ]);
});

Deno.test("npz profile: matches archives of .npy files only, and plans them as numpy", async () => {
  const entry = (name: string, directory = false) => ({
    name,
    size: 0,
    directory,
    read: () => Promise.resolve(new Uint8Array(0)),
  });
  assert.ok(npzProfile.matches([entry("a.npy"), entry("dir/", true), entry("b/c.npy")]));
  assert.ok(!npzProfile.matches([entry("a.npy"), entry("data.pkl")]));
  assert.ok(!npzProfile.matches([entry("A.NPY")]));
  assert.ok(!npzProfile.matches([entry("dir/", true)]));
  const ctx = undefined as never;
  assert.deepEqual(
    [...(await npzProfile.plan([entry("a.npy"), entry("dir/", true)], ctx))],
    [["a.npy", { action: "scan", loadAs: "numpy" }]],
  );
  assert.ok(numpyDescriptor.detect(MAGIC, MAGIC.length, "a.npy"));
});
