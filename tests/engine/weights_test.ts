// The weight analysis in every scan: committed models written by the real libraries (torch, numpy, h5py,
// onnx, gguf), with a value, a matrix or a head unit of a tensor changed in their bytes, are scanned as
// a user scans them; each planted anomaly must come out with its rule, severity and location, the
// untouched models and every benign fixture must stay clean, and --no-weights must read no value.
import assert from "node:assert/strict";
import { join } from "node:path";
import { bytesSource } from "../../core/byte_source.ts";
import type { Finding } from "../../core/types.ts";
import { scanBytes, type SourceScanOutcome } from "../../engine/dispatch.ts";
import { scan } from "../../engine/scan.ts";
import { analyzeCollected, WeightCollection } from "../../engine/weights.ts";
import type { ScannerOptionsInput } from "../../scanners/options.ts";
import { weightTensor } from "../../scanners/tensors/decode.ts";
import { DEFAULT_WEIGHTS_OPTIONS, WEIGHTS_OFF, WEIGHTS_ON } from "../../scanners/option_catalog.ts";
import { buildZip } from "../scanners/zip/_zip.ts";
import { runInProcess, tempDir } from "../_cli_helpers.ts";

const FIXTURES = new URL("../../fixtures/", import.meta.url);
const fixture = (path: string) => Deno.readFile(new URL(path, FIXTURES));

/** `[rule, severity, members, keyPath]` of each finding: what a user reads of where it is. */
const placed = (findings: readonly Finding[]) =>
  findings.map((f) => [f.rule, f.severity, f.location.members, f.location.keyPath]);

async function scanned(bytes: Uint8Array, name: string, scannerOptions?: ScannerOptionsInput) {
  const outcome = await scanBytes(bytes, name, { scannerOptions });
  if (outcome.error) throw new Error(outcome.error);
  return outcome;
}

/** The float32 values `values` as the bytes a little-endian file holds. */
const f32 = (...values: number[]) => new Uint8Array(Float32Array.from(values).buffer);

/** Where `pattern` is in `bytes`; it must be there exactly once, so a patch lands on the tensor meant. */
function findOnce(bytes: Uint8Array, pattern: Uint8Array): number {
  const found: number[] = [];
  outer: for (let at = 0; at + pattern.length <= bytes.length; at++) {
    for (let k = 0; k < pattern.length; k++) if (bytes[at + k] !== pattern[k]) continue outer;
    found.push(at);
  }
  assert.equal(found.length, 1, `pattern found at ${JSON.stringify(found)}`);
  return found[0];
}

/** `bytes` with the float32 values `first` (a tensor's first values, in its storage) overwritten by `patch`. */
function patched(bytes: Uint8Array, first: number[], patch: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  copy.set(patch, findOnce(bytes, f32(...first)));
  return copy;
}

/** Each committed model, the first values of one of its float32 tensors (as its library wrote them), and where it is. */
const MODELS: readonly { file: string; first: number[]; members: string[]; tensor: string }[] = [
  {
    file: "weights/benign/clean_mlp.safetensors",
    first: [],
    members: [],
    tensor: "hidden.weight",
  },
  { file: "numpy/benign/float32_2d.npy", first: [0, 0.25, 0.5, 0.75], members: [], tensor: "float32_2d" },
  {
    file: "pytorch/benign/state_dict.pt",
    first: [-0.003743410110473633, 0.26822179555892944, -0.4115225672721863],
    members: [],
    tensor: "0.weight",
  },
  {
    file: "pytorch/benign/state_dict_legacy.pt",
    first: [-0.003743410110473633, 0.26822179555892944, -0.4115225672721863],
    members: [],
    tensor: "0.weight",
  },
  {
    file: "gguf/benign/llama3_v3.gguf",
    first: [0.0341927669942379, 1.3597475290298462, 1.224721074104309],
    members: [],
    tensor: "token_embd.weight",
  },
  {
    file: "onnx/benign/mlp.onnx",
    first: [0.3455841839313507, 0.8216181397438049, 0.3304370641708374],
    members: [],
    tensor: "w1",
  },
  // Keras' weights are ones and zeros at first: the kernel of `dense` comes first in the file.
  {
    file: "keras/benign/model.weights.h5",
    first: [...Array(16).fill(1), 0, 0, 1], // its 16 ones, its bias's two zeros, then `output`'s kernel
    members: [],
    tensor: "/layers/dense/vars/0",
  },
];

/** The first values of `name` in a safetensors file, from its header's offsets. */
function safetensorsFirst(bytes: Uint8Array, name: string, count: number): number[] {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  const start = 8 + length + header[name].data_offsets[0];
  return [...new Float32Array(bytes.slice(start, start + count * 4).buffer)];
}

for (const model of MODELS) {
  Deno.test(`a NaN planted in ${model.file}'s ${model.tensor} is MA390 at its key path; the model is clean`, async () => {
    const bytes = await fixture(model.file);
    const name = model.file.split("/").pop()!;
    const first = model.first.length > 0 ? model.first : safetensorsFirst(bytes, model.tensor, 4);
    assert.deepEqual(placed((await scanned(bytes, name)).findings), []);
    const poisoned = patched(bytes, first, f32(NaN));
    const { findings } = await scanned(poisoned, name);
    assert.deepEqual(placed(findings), [["MA390", "warning", model.members, model.tensor]]);
    assert.equal(findings[0].location.file, name);
    assert.deepEqual(findings[0].details, { tensor: model.tensor, nan: 1, infinite: 0, firstIndex: 0 });
    // --no-weights reads no value, and says nothing.
    assert.deepEqual((await scanned(poisoned, name, { weights: { enabled: WEIGHTS_OFF } })).findings, []);
  });
}

Deno.test("ONNX external data: an infinity in the data file beside the model is MA390 at the initializer", async () => {
  const dir = await tempDir("modelaudit_weights_external_");
  const saved = new URL("onnx/external/saved/", FIXTURES);
  await Deno.writeFile(join(dir, "model.onnx"), await Deno.readFile(new URL("model.onnx", saved)));
  const data = await Deno.readFile(new URL("model.onnx.data", saved));
  const values = new Float32Array(data.slice(0, 16).buffer);
  await Deno.writeFile(join(dir, "model.onnx.data"), patched(data, [...values], f32(Infinity)));
  // Scanned as its folder, as a user scans a model with its data: the data file is the model's sibling.
  const result = await scan([dir], { sandbox: false });
  const findings = result.files.flatMap((file) => file.findings);
  assert.deepEqual(placed(findings), [["MA390", "warning", [], "w1"]]);
  assert.equal(findings[0].location.file, join(dir, "model.onnx"));
  assert.deepEqual(findings[0].details, { tensor: "w1", nan: 0, infinite: 1, firstIndex: 0 });
});

/** A float32 `.npy` of `shape` holding `values`, as numpy writes it (a 128-byte version 1.0 header). */
function npy(shape: number[], values: Float32Array): Uint8Array {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(", ")},), }`;
  const header = dict.padEnd(128 - 10 - 1, " ") + "\n";
  const bytes = new Uint8Array(128 + values.byteLength);
  bytes.set([0x93, ...new TextEncoder().encode("NUMPY"), 1, 0, header.length & 0xff, header.length >> 8]);
  bytes.set(new TextEncoder().encode(header), 10);
  bytes.set(new Uint8Array(values.buffer), 128);
  return bytes;
}

const ramp = (count: number, scale: number) =>
  Float32Array.from({ length: count }, (_, i) => Math.sin(i * 1.7) * scale);

Deno.test("an .npz is one model: its deflated members' arrays are analysed together, each finding at its member", async () => {
  const npz = await buildZip([
    { name: "hidden.npy", data: npy([16, 16], ramp(256, 0.1)), method: 8 },
    { name: "frozen.npy", data: npy([16, 16], new Float32Array(256).fill(0.5)), method: 8 },
    { name: "bias.npy", data: npy([16], Float32Array.of(...ramp(15, 0.1), -Infinity)), method: 8 },
  ]);
  const { findings } = await scanned(npz, "model.npz");
  assert.deepEqual(placed(findings), [
    ["MA394", "info", ["frozen.npy"], "frozen"],
    ["MA390", "warning", ["bias.npy"], "bias"],
  ]);
  assert.equal(findings[0].details.value, 0.5);
  // Its deflated members are released once scanned: their values are kept for the model up to a bound.
  const bounded = await scanned(npz, "model.npz", { weights: { maxCopiedElements: 300 } });
  // hidden (256 elements) is kept, frozen (256 more) is left out, bias (16) fits.
  assert.deepEqual(placed(bounded.findings), [
    ["MA390", "warning", ["bias.npy"], "bias"],
    ["MA399", "info", [], undefined],
  ]);
  assert.deepEqual(bounded.findings[1].details, { tensor: "", uncopied: 1, threshold: 300 });
});

/** The committed clean MLP (`hidden` 32 x 64, `head` 10 x 32, as safetensors) with `edit` applied to a tensor's values. */
async function editedMlp(tensor: string, edit: (values: Float32Array) => void): Promise<Uint8Array> {
  const bytes = (await fixture("weights/benign/clean_mlp.safetensors")).slice();
  const length = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  const [start, end] = header[tensor].data_offsets;
  const values = new Float32Array(bytes.buffer.slice(8 + length + start, 8 + length + end));
  edit(values);
  bytes.set(new Uint8Array(values.buffer), 8 + length + start);
  return bytes;
}

Deno.test("a planted extreme value, a zeroed matrix and a scaled head unit are found with rule, severity and tensor", async () => {
  const extreme = await editedMlp("hidden.weight", (values) => values[77] = 1e4);
  assert.deepEqual(placed((await scanned(extreme, "m.safetensors")).findings), [
    ["MA391", "warning", [], "hidden.weight"],
  ]);
  const zeroed = await editedMlp("hidden.weight", (values) => values.fill(0));
  assert.deepEqual(placed((await scanned(zeroed, "m.safetensors")).findings), [
    ["MA394", "info", [], "hidden.weight"],
  ]);
  const scaled = await editedMlp(
    "head.weight",
    (values) => values.subarray(3 * 32, 4 * 32).forEach((v, k, row) => row[k] = v * 50),
  );
  const { findings } = await scanned(scaled, "m.safetensors");
  assert.deepEqual(placed(findings), [["MA392", "warning", [], "head.weight"]]);
  assert.equal(findings[0].details.unit, 3);
});

/** A safetensors file of `tensors` (F32 values). */
function safetensors(tensors: [string, number[], Float32Array][]): Uint8Array {
  let offset = 0;
  const header: Record<string, unknown> = {};
  for (const [name, shape, values] of tensors) {
    header[name] = { dtype: "F32", shape, data_offsets: [offset, offset += values.byteLength] };
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const bytes = new Uint8Array(8 + json.length + offset);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
  bytes.set(json, 8);
  let at = 8 + json.length;
  for (const [, , values] of tensors) {
    bytes.set(new Uint8Array(values.buffer), at);
    at += values.byteLength;
  }
  return bytes;
}

Deno.test("a model shaped like a language model reads no value by default; --weights reads it all", async () => {
  // Thresholds lowered so that a small file has a language model's shape: a 64-token embedding, 4,096 parameters.
  const llm = { llmVocabulary: 64, llmParameters: 4_096 };
  const embedding = ramp(64 * 64, 0.02);
  embedding[5] = NaN;
  const bytes = safetensors([["embed_tokens.weight", [64, 64], embedding], [
    "norm.weight",
    [64],
    ramp(64, 1),
  ]]);
  const auto: SourceScanOutcome = await scanned(bytes, "llm.safetensors", { weights: llm });
  assert.deepEqual(auto.findings, []);
  assert.equal(auto.bytesScanned, Math.min(bytes.length, 64 * 1024), "the detection head only");
  const full = await scanned(bytes, "llm.safetensors", { weights: { ...llm, enabled: WEIGHTS_ON } });
  assert.deepEqual(placed(full.findings), [["MA390", "warning", [], "embed_tokens.weight"]]);
});

Deno.test("past the read budget the head is still checked, and MA399 says how much was read", async () => {
  const scaled = await editedMlp(
    "head.weight",
    (values) => values.subarray(3 * 32, 4 * 32).forEach((v, k, row) => row[k] = v * 50),
  );
  const { findings } = await scanned(scaled, "m.safetensors", { weights: { maxReadElements: 400 } });
  assert.deepEqual(placed(findings), [["MA392", "warning", [], "head.weight"], [
    "MA399",
    "info",
    [],
    undefined,
  ]]);
  assert.deepEqual(findings[1].details, {
    tensor: "",
    read: 400,
    elements: 2_410,
    threshold: 400,
    unread: 3,
  });
});

/** Every file under `fixtures/<area>/benign/`. */
async function benignFixtures(): Promise<string[]> {
  const files: string[] = [];
  const walk = async (dir: URL, relative: string) => {
    for await (const entry of Deno.readDir(dir)) {
      const path = `${relative}/${entry.name}`;
      if (entry.isDirectory) await walk(new URL(`${entry.name}/`, dir), path);
      else if (entry.isFile) files.push(path);
    }
  };
  for await (const area of Deno.readDir(FIXTURES)) {
    if (!area.isDirectory) continue;
    const benign = new URL(`${area.name}/benign/`, FIXTURES);
    if ((await Deno.stat(benign).catch(() => undefined))?.isDirectory) {
      await walk(benign, `${area.name}/benign`);
    }
  }
  return files.sort();
}

Deno.test("every benign fixture stays clean with the full analysis on, and the analysis adds nothing to any", async () => {
  let analysed = 0;
  for (const path of await benignFixtures()) {
    const bytes = await fixture(path);
    let tensors = 0;
    const full = await scanBytes(bytes, path, {
      scannerOptions: { weights: { enabled: WEIGHTS_ON } },
      onTensor: () => void tensors++,
    });
    const off = await scanBytes(bytes, path, { scannerOptions: { weights: { enabled: WEIGHTS_OFF } } });
    assert.deepEqual(full.findings, off.findings, path);
    if (tensors > 0) analysed++;
  }
  // Models with readable tensors across the areas (safetensors, NumPy, PyTorch, GGUF, ONNX, Keras/HDF5, ...).
  assert.ok(analysed >= 87, `only ${analysed} benign fixtures had tensors to analyse`);
});

Deno.test("--weights and --no-weights: the full analysis, and none", async () => {
  const dir = await tempDir("modelaudit_weights_cli_");
  const embedding = ramp(64 * 64, 0.02);
  embedding[5] = NaN;
  const path = join(dir, "llm.safetensors");
  await Deno.writeFile(path, safetensors([["embed_tokens.weight", [64, 64], embedding]]));
  const llm = ["--limit", "weights.llmVocabulary=64", "--limit", "weights.llmParameters=4096"];
  const auto = await runInProcess(["scan", "--format", "json", ...llm, path]);
  assert.equal(auto.code, 0, auto.stderr);
  const on = await runInProcess(["scan", "--format", "json", ...llm, "--weights", path]);
  assert.equal(on.code, 1, on.stderr);
  const [issue] = JSON.parse(on.stdout).issues;
  assert.deepEqual([issue.rule, issue.severity, issue.location], [
    "MA390",
    "warning",
    `${path} (key embed_tokens.weight)`,
  ]);
  // The last of the two wins, as with every limit.
  assert.equal((await runInProcess(["scan", ...llm, "--weights", "--no-weights", path])).code, 0);
  // A plain model is analysed by default; --no-weights turns it off.
  const plain = join(dir, "mlp.safetensors");
  await Deno.writeFile(plain, safetensors([["fc.weight", [16, 16], new Float32Array(256).fill(NaN)]]));
  assert.equal((await runInProcess(["scan", plain])).code, 1);
  assert.equal((await runInProcess(["scan", "--no-weights", plain])).code, 0);
  const help = await runInProcess(["scan", "--help"]);
  assert.match(help.stdout, /--weights +analyse every model's weights/);
  assert.match(help.stdout, /--no-weights +do not analyse weights/);
});

Deno.test("values that end before their tensor does stop the analysis with MA399, not the scan", async () => {
  // A 4 x 4 float32 matrix whose storage holds only 40 of its 64 bytes (a file cut short).
  const cut = weightTensor({ name: "fc.weight", dtype: "F32", shape: [4, 4] }, {
    source: bytesSource(new Uint8Array(40)),
  })!;
  const model = new WeightCollection(0);
  await model.add(cut, ["archive/data/0"], false);
  const placed = await analyzeCollected(model, ["archive/data.pkl"], DEFAULT_WEIGHTS_OPTIONS);
  assert.deepEqual(placed.map(({ finding, members }) => [finding.rule, finding.severity, members]), [
    ["MA399", "info", ["archive/data.pkl"]],
  ]);
  assert.match(placed[0].finding.message, /storage ends at byte 40/);
});
