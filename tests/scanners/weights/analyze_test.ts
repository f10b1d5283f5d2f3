// The weight analysis on tensors built here (exact findings for each check, and the benign twin of
// each that must stay clean) and on the committed fixtures: a clean MLP and its BadNets-trojaned
// twin trained by scripts/make_trojan_models.py.
import assert from "node:assert/strict";
import { analyzeWeights, looksLikeLanguageModel } from "../../../scanners/weights/analyze.ts";
import type { WeightFinding } from "../../../scanners/weights/finding.ts";
import { findHead } from "../../../scanners/weights/head.ts";
import {
  DEFAULT_WEIGHTS_OPTIONS,
  WEIGHTS_OFF,
  WEIGHTS_ON,
  type WeightsOptions,
} from "../../../scanners/option_catalog.ts";
import { weightTensorsOf } from "../../../scripts/bench_weights.ts";
import { mlp, normals, tensorOf } from "./_tensors.ts";

const summary = (findings: WeightFinding[]) =>
  findings.map((f) => [f.rule, f.severity, f.details.tensor, f.details.unit]);

const options = (changes: Partial<WeightsOptions>) => ({ ...DEFAULT_WEIGHTS_OPTIONS, ...changes });

Deno.test("a trained-looking MLP is clean", async () => {
  assert.deepEqual(await analyzeWeights(mlp()), []);
});

Deno.test("a head unit whose weights were scaled 8 times is MA392, on that unit only", async () => {
  const findings = await analyzeWeights(mlp((head) => {
    for (let k = 0; k < 32; k++) head[3 * 32 + k] *= 8;
  }));
  assert.deepEqual(summary(findings), [["MA392", "warning", "head.weight", 3]]);
  assert.equal(findings[0].details.threshold, 12);
  assert.equal(findings[0].details.bias, 0.1116); // head.bias[3], beside the unit's statistics
  assert.ok((findings[0].details.statistic as number) > 12);
});

Deno.test("a head unit pointing against all the others is MA393, on that unit only", async () => {
  // Every unit shares one direction, as trained heads share features; unit 7 is turned against it.
  const findings = await analyzeWeights(mlp((head) => {
    for (let unit = 0; unit < 10; unit++) {
      for (let k = 0; k < 32; k++) head[unit * 32 + k] += (unit === 7 ? -0.4 : 0.4) * (k % 2 ? 1 : -1);
    }
  }));
  assert.deepEqual(summary(findings), [["MA393", "warning", "head.weight", 7]]);
  assert.ok((findings[0].details.nearestCosine as number) < 0);
});

Deno.test("NaN and infinities are MA390 with their counts and the first index; finite twins are clean", async () => {
  const values = normals(64, 0.1, 9);
  values[5] = NaN;
  values[9] = -Infinity;
  values[40] = NaN;
  const findings = await analyzeWeights([tensorOf("fc.bias", [64], values)]);
  assert.deepEqual(summary(findings), [["MA390", "warning", "fc.bias", undefined]]);
  assert.deepEqual(findings[0].details, { tensor: "fc.bias", nan: 2, infinite: 1, firstIndex: 5 });
  assert.deepEqual(await analyzeWeights([tensorOf("fc.bias", [64], normals(64, 0.1, 9))]), []);
});

Deno.test("a value 10,000 times its matrix's spread is MA391 with where and how far; vectors are not judged", async () => {
  const values = normals(64 * 64, 0.1, 5);
  values[1234] = 1000;
  const findings = await analyzeWeights([tensorOf("conv.weight", [16, 16, 4, 4], values)]);
  assert.deepEqual(summary(findings), [["MA391", "warning", "conv.weight", undefined]]);
  assert.equal(findings[0].details.index, 1234);
  assert.equal(findings[0].details.value, 1000);
  assert.ok((findings[0].details.statistic as number) > 5000);
  // A BatchNorm running variance of the same values is a vector: its spread is its nature.
  assert.deepEqual(await analyzeWeights([tensorOf("bn.running_var", [4096], values)]), []);
  // GNU Backgammon's trained networks reach 89 MADs (scripts/bench_weights.ts): 200 stays quiet.
  values[1234] = 20; // about 200 MADs: the scale of normal values is their sigma, 0.1
  assert.deepEqual(await analyzeWeights([tensorOf("conv.weight", [16, 16, 4, 4], values)]), []);
});

Deno.test("a constant weight matrix is MA394; zero biases and unit norm weights are not", async () => {
  const findings = await analyzeWeights([
    tensorOf("fc1.weight", [16, 32], new Float32Array(512)),
    tensorOf("fc1.bias", [512], new Float32Array(512)),
    tensorOf("norm.weight", [768], new Float32Array(768).fill(1)),
    tensorOf("cls_token", [1, 1, 768], new Float32Array(768)),
    tensorOf("small.weight", [4, 4], new Float32Array(16)), // too small to judge
    tensorOf("filled.weight", [8, 64], new Float32Array(512).fill(0.5)),
  ]);
  assert.deepEqual(summary(findings), [
    ["MA394", "info", "fc1.weight", undefined],
    ["MA394", "info", "filled.weight", undefined],
  ]);
  assert.equal(findings[0].details.value, 0);
  assert.match(findings[0].message, /all zeros/);
  assert.equal(findings[1].details.value, 0.5);
});

/** A language model's shapes (a 32,000-token embedding, 2,048 wide: 65.5 M parameters) with a super weight. */
/** A language model's first layers; `rows` of its embedding (the vocabulary: 32,000 makes it one by its shapes). */
function languageModel(poison = false, rows = 32_000): ReturnType<typeof tensorOf>[] {
  const embedding = normals(1 << 20, 0.02, 11);
  embedding[777] = 40; // a "super weight": 2,000 sigmas out, as real LLMs have
  if (poison) embedding[99] = NaN;
  const layer = normals(2048 * 64, 0.02, 12);
  return [
    tensorOf("embed_tokens.weight", [rows, 2_048], embedding), // read() repeats the values past 2^20
    tensorOf("layers.0.mlp.up_proj.weight", [64, 2_048], layer),
    tensorOf("layers.0.input_layernorm.weight", [2_048], new Float32Array(2048).fill(1)),
    tensorOf("norm.weight", [2_048], new Float32Array(2048).fill(1)),
  ].map((tensor) => {
    const read = tensor.read;
    const size = tensor.shape.reduce((a, b) => a * b, 1);
    // Values of the big tensor beyond those generated repeat them: every element is read, none stored.
    tensor.read = (start, count) =>
      size <= (1 << 20)
        ? read(start, count)
        : read(start % (1 << 20), Math.min(count, (1 << 20) - start % (1 << 20)))
          .then((head) => {
            const out = new Float32Array(count);
            for (let i = 0; i < count; i += head.length) out.set(head.subarray(0, count - i), i);
            return out;
          });
    return tensor;
  });
}

Deno.test("a language model, recognised by its shapes, is not read at all in auto mode", async () => {
  const tensors = languageModel(true);
  assert.equal(looksLikeLanguageModel(tensors, DEFAULT_WEIGHTS_OPTIONS), true);
  // Not even its NaN: in auto mode its scan costs no more than its header.
  assert.deepEqual(await analyzeWeights(tensors), []);
  assert.deepEqual(tensors.map((tensor) => tensor.reads), [0, 0, 0, 0]);
  // The full analysis, asked for, sees the super weight and the NaN: the quiet above is the recognition.
  // It does not depend on recognition, so a smaller vocabulary (512 rows: 1 Mi elements) shows it, faster.
  assert.deepEqual(
    summary(await analyzeWeights(languageModel(false, 512), options({ enabled: WEIGHTS_ON }))),
    [
      ["MA391", "warning", "embed_tokens.weight", undefined],
    ],
  );
  assert.deepEqual(
    summary(await analyzeWeights(languageModel(true, 512), options({ enabled: WEIGHTS_ON }))),
    [
      ["MA390", "warning", "embed_tokens.weight", undefined],
      ["MA391", "warning", "embed_tokens.weight", undefined],
    ],
  );
});

Deno.test("enabled 0 reads nothing, even of a tensor full of NaN", async () => {
  const tensor = tensorOf("w", [16, 16], new Float32Array(256).fill(NaN));
  assert.deepEqual(await analyzeWeights([tensor], options({ enabled: WEIGHTS_OFF })), []);
  assert.equal(tensor.reads, 0);
});

Deno.test("past maxReadElements the analysis stops with MA399, having read no more", async () => {
  const tensors = [
    tensorOf("a.weight", [16, 16], new Float32Array(256).fill(NaN)),
    tensorOf("b.weight", [16, 16], new Float32Array(256).fill(NaN)),
  ];
  const findings = await analyzeWeights(tensors, options({ maxReadElements: 300, chunkElements: 64 }));
  assert.deepEqual(summary(findings), [
    ["MA390", "warning", "a.weight", undefined], // in the 44 elements read after its 256-element sample
    ["MA399", "info", "", undefined],
  ]);
  assert.equal(tensors[0].reads + tensors[1].reads, 300);
  assert.equal(findings[1].details.unread, 2); // a.weight, cut short, and b.weight
});

Deno.test("the head is found by structure: the 2-D weight whose outputs no layer takes in", () => {
  const info = (name: string, shape: number[]) => tensorOf(name, shape, new Float32Array());
  // Names sorted as safetensors stores them: the head comes before the hidden layer.
  const head = findHead([
    info("a.bias", [10]),
    info("a.weight", [10, 32]),
    info("z.bias", [32]),
    info("z.weight", [32, 64]),
  ], 1_000);
  assert.equal(head?.weight.name, "a.weight");
  assert.equal(head?.bias?.name, "a.bias");
  // A vocabulary-sized projection is no classification head.
  assert.equal(findHead([info("lm_head.weight", [50_257, 768])], 1_000), undefined);
  // Three outputs are too few for a median and MAD over units.
  assert.equal(findHead([info("fc.weight", [3, 8])], 1_000), undefined);
});

/** A committed fixture's tensors, read by the tensor layer as a scan reads them. */
const fixture = async (path: string) =>
  (await weightTensorsOf(
    await Deno.readFile(new URL(`../../../fixtures/weights/${path}`, import.meta.url)),
    path,
  ))!;

Deno.test("the committed clean MLP and CNN are clean, in full too", async () => {
  for (const name of ["clean_mlp", "clean_cnn"]) {
    const tensors = await fixture(`benign/${name}.safetensors`);
    assert.deepEqual(await analyzeWeights(tensors), [], name);
    assert.deepEqual(await analyzeWeights(tensors, options({ enabled: WEIGHTS_ON })), [], name);
  }
});

Deno.test("the committed trojaned CNN (ASR 0.997) is not detected at the defaults; its target stands apart at 8 MADs", async () => {
  const tensors = await fixture("malicious/trojaned_cnn.safetensors");
  assert.equal(findHead(tensors, 1_000)?.weight.name, "head.weight"); // after bn*, conv*: last 2-D, 10 units
  assert.deepEqual(await analyzeWeights(tensors), []);
  // Its target, class 0, is the unit least like the others: 8.56 MADs below the median nearest cosine, under
  // the default 12 because clean heads reach 8.6 (scripts/bench_weights.ts). At 8 the signal shows, on the
  // target only, and the clean twin stays quiet.
  const lowered = options({ headCosineMads: 8 });
  const findings = await analyzeWeights(tensors, lowered);
  assert.deepEqual(summary(findings), [["MA393", "warning", "head.weight", 0]]);
  assert.equal(findings[0].details.statistic, 8.561);
  assert.deepEqual(await analyzeWeights(await fixture("benign/clean_cnn.safetensors"), lowered), []);
});

Deno.test("the committed trojaned MLP (ASR 1.000) is not detected: the head checks miss trained-in backdoors", async () => {
  // Measured (scripts/bench_weights.ts): its target unit 0 is 0.59 MADs from the median norm and 1.07 MADs
  // below the median nearest cosine. This test keeps the rule docs honest: a change that starts finding it
  // must come with the measurement that shows it finds trojans, not noise.
  const tensors = await fixture("malicious/trojaned_mlp.safetensors");
  assert.deepEqual(await analyzeWeights(tensors), []);
  assert.deepEqual(await analyzeWeights(tensors, options({ enabled: WEIGHTS_ON })), []);
});

Deno.test("a hostile shape costs the read budget at most; a reader's long read is cut, a short one thrown", async () => {
  // 10^18 declared elements: read up to the budget, then MA399.
  let huge = 0;
  const hugeTensor = {
    name: "huge.weight",
    dtype: "F32",
    shape: [1e9, 1e9],
    read: (_start: number, count: number) => Promise.resolve(normals(count, 0.1, huge += count)),
  };
  // In auto mode its vocabulary-sized dimension makes it a language model: nothing is read.
  assert.deepEqual(await analyzeWeights([hugeTensor], options({ maxReadElements: 1 << 20 })), []);
  assert.equal(huge, 0);
  const findings = await analyzeWeights(
    [hugeTensor],
    options({ maxReadElements: 1 << 20, enabled: WEIGHTS_ON }),
  );
  assert.deepEqual(summary(findings), [["MA399", "info", "", undefined]]);
  assert.equal(huge, 1 << 20);
  // A reader returning more than asked is cut to what was asked; one returning fewer is a bug, thrown.
  const head = mlp()[2];
  const generous = { ...head, read: (start: number) => head.read(start, 4096) };
  assert.deepEqual(await analyzeWeights([generous]), []);
  const stingy = { ...head, read: () => Promise.resolve(new Float32Array(1)) };
  await assert.rejects(analyzeWeights([stingy]), /head\.weight: read\(0, 320\) returned 1 elements/);
});
