/**
 * `deno task bench:weights`: what the weight analysis (`scanners/weights/`) finds on real models,
 * measured, not assumed.
 *
 * Its inputs are the models of `scripts/make_trojan_models.py` (`.bench/trojan/`: clean and
 * BadNets-trojaned MLPs and CNNs trained on sklearn's digits, 40 seeds each, every backdoor verified)
 * and every benign model file under `fixtures/` these readers can open (safetensors, `.npy`, `.npz`).
 * Until the tensor layer lands, the tensors are read here: the files' headers by the scanners' own
 * parsers (`scanners/safetensors/`, `scanners/numpy/header.ts`), their data decoded from F64, F32,
 * F16 and BF16, as `WeightTensor`s.
 *
 * It prints, per check (rule):
 *
 * - the detection rate on trojaned models and the false-positive rate on clean ones, per architecture,
 *   for the even seeds (`tune`) and the odd ones (`eval`), at the default thresholds;
 * - for each statistical check, the threshold tuned on the `tune` half (the least whole number of
 *   MADs above every clean `tune` model's statistic: no false positive there) and the rates it gives on
 *   the `eval` half, which played no part in choosing it;
 * - the findings on the benign fixtures, each of which is a false positive.
 *
 * Usage: `/usr/bin/python3 scripts/make_trojan_models.py`, then `deno task bench:weights [--json]`.
 *
 * @module
 */

import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { bytesSource } from "../core/byte_source.ts";
import { elementCount, type WeightTensor } from "../core/tensor.ts";
import { readNpyHeader } from "../scanners/numpy/header.ts";
import { LENGTH_BYTES } from "../scanners/safetensors/format.ts";
import { readHeader } from "../scanners/safetensors/header.ts";
import { parseStrictJson } from "../scanners/safetensors/strict_json.ts";
import { analyzeWeights, type WeightFinding } from "../scanners/weights/analyze.ts";
import { DEFAULT_WEIGHTS_OPTIONS, WEIGHTS_ON, type WeightsOptions } from "../scanners/weights/options.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Bytes per element and decoder of each dtype read here (little-endian, as both formats store them). */
const DECODERS: Readonly<Record<string, [number, (view: DataView, offset: number) => number]>> = {
  F64: [8, (view, offset) => view.getFloat64(offset, true)],
  F32: [4, (view, offset) => view.getFloat32(offset, true)],
  F16: [2, (view, offset) => view.getFloat16(offset, true)],
  // bfloat16 is the upper half of a float32.
  BF16: [2, (view, offset) => new Float32Array(Uint32Array.of(view.getUint16(offset, true) << 16).buffer)[0]],
};

/** The NumPy `descr` of each dtype read here. */
const NUMPY_DTYPES: Readonly<Record<string, string>> = { "<f8": "F64", "<f4": "F32", "<f2": "F16" };

/** A tensor over `data` (its bytes), decoded per read; none for a dtype not read here (FP8, integers). */
function tensorOver(name: string, dtype: string, shape: number[], data: Uint8Array): WeightTensor[] {
  const decoder = DECODERS[dtype];
  if (decoder === undefined) return [];
  const [size, decode] = decoder;
  return [{
    name,
    dtype,
    shape,
    read(start, count) {
      const view = new DataView(data.buffer, data.byteOffset + start * size, count * size);
      return Promise.resolve(Float32Array.from({ length: count }, (_, i) => decode(view, i * size)));
    },
  }];
}

/**
 * The tensors of a safetensors file's bytes as `WeightTensor`s (F64, F32, F16 and BF16 ones; others are
 * left out), for the benchmark and the tests until the tensor layer reads them; `undefined` when its
 * header is not one the loader reads.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { safetensorsTensors } from "./bench_weights.ts";
 * const bytes = await Deno.readFile(new URL("../fixtures/weights/benign/clean_mlp.safetensors", import.meta.url));
 * const tensors = safetensorsTensors(bytes)!;
 * assert.deepEqual(tensors.map((t) => [t.name, t.shape]), [
 *   ["head.bias", [10]], ["head.weight", [10, 32]], ["hidden.bias", [32]], ["hidden.weight", [32, 64]],
 * ]);
 * assert.equal((await tensors[0].read(0, 10)).length, 10);
 * ```
 */
export function safetensorsTensors(bytes: Uint8Array): WeightTensor[] | undefined {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const parsed = parseStrictJson(bytes.subarray(LENGTH_BYTES, LENGTH_BYTES + length), LENGTH_BYTES);
  if (!parsed.ok) return undefined;
  const header = readHeader(parsed, { report: () => {} });
  if (header === undefined) return undefined;
  const data = bytes.subarray(LENGTH_BYTES + length);
  return header.tensors.flatMap((entry) =>
    entry.dtype && entry.shape && entry.offsets
      ? tensorOver(
        entry.name,
        entry.dtype,
        entry.shape.map(Number),
        data.subarray(Number(entry.offsets[0]), Number(entry.offsets[1])),
      )
      : []
  );
}

/** The tensor of an `.npy` file, when it is a C-ordered array of a dtype read here. */
async function npyTensor(name: string, bytes: Uint8Array): Promise<WeightTensor[]> {
  const result = await readNpyHeader(bytesSource(bytes));
  if (!result.ok || result.header.fortranOrder) return [];
  const { descr, shape, dataOffset } = result.header;
  const dtype = descr.type === "str" ? NUMPY_DTYPES[descr.value] : undefined;
  if (dtype === undefined) return [];
  const dims = shape.map(Number);
  const size = DECODERS[dtype][0] * elementCount(dims);
  return tensorOver(name, dtype, dims, bytes.subarray(dataOffset, dataOffset + size));
}

/** The tensors of an `.npz` archive (members in stored order). */
async function npzTensors(bytes: Uint8Array): Promise<WeightTensor[]> {
  const { ZipReader, Uint8ArrayReader, Uint8ArrayWriter } = await import("@zip.js/zip.js");
  const reader = new ZipReader(new Uint8ArrayReader(bytes));
  const tensors: WeightTensor[] = [];
  for (const entry of await reader.getEntries()) {
    if (entry.directory || !entry.filename.endsWith(".npy")) continue;
    const member = await entry.getData(new Uint8ArrayWriter());
    tensors.push(...await npyTensor(entry.filename.slice(0, -4), member));
  }
  await reader.close();
  return tensors;
}

/** The tensors of a file these readers open, by its name; undefined for another format. */
async function tensorsOf(path: string): Promise<WeightTensor[] | undefined> {
  const bytes = await Deno.readFile(path);
  if (path.endsWith(".safetensors")) return safetensorsTensors(bytes);
  if (path.endsWith(".npz")) return await npzTensors(bytes);
  if (path.endsWith(".npy")) return await npyTensor(basename(path), bytes);
  return undefined;
}

interface ModelInfo {
  name: string;
  arch: string;
  seed: number;
  trojaned: boolean;
  target: number;
  split: "tune" | "eval";
}

/** The statistical checks, the option that sets each threshold, and the rule it reports. */
const STATISTICAL: readonly { rule: string; option: keyof WeightsOptions }[] = [
  { rule: "MA391", option: "magnitudeMads" },
  { rule: "MA392", option: "headNormMads" },
  { rule: "MA393", option: "headCosineMads" },
];
const RULES = ["MA390", "MA391", "MA392", "MA393", "MA394", "MA399"];

/** Every finding with every statistic reported: thresholds 0, so the largest statistic of each check shows. */
const PROBE: Readonly<WeightsOptions> = {
  ...DEFAULT_WEIGHTS_OPTIONS,
  enabled: WEIGHTS_ON,
  magnitudeMads: 0,
  headNormMads: 0,
  headCosineMads: 0,
};

interface Measured {
  model: ModelInfo;
  /** Findings at the default thresholds. */
  findings: WeightFinding[];
  /** The largest statistic of each statistical check, and the unit it was on. */
  largest: Record<string, { statistic: number; unit?: number }>;
}

/** The largest statistic of each statistical check on `tensors` (every check, thresholds 0), and its unit. */
async function largestStatistics(tensors: readonly WeightTensor[]): Promise<Measured["largest"]> {
  const largest: Measured["largest"] = {};
  for (const finding of await analyzeWeights(tensors, PROBE)) {
    const statistic = finding.details.statistic;
    if (typeof statistic !== "number" || statistic <= (largest[finding.rule]?.statistic ?? -Infinity)) {
      continue;
    }
    largest[finding.rule] = { statistic, unit: finding.details.unit as number | undefined };
  }
  return largest;
}

async function measure(model: ModelInfo, dir: string): Promise<Measured> {
  const tensors = await tensorsOf(join(dir, `${model.name}.safetensors`));
  if (tensors === undefined) throw new Error(`${model.name}.safetensors: unreadable`);
  const findings = await analyzeWeights(tensors, DEFAULT_WEIGHTS_OPTIONS);
  return { model, findings, largest: await largestStatistics(tensors) };
}

const percent = (part: number, whole: number) =>
  whole === 0 ? "-" : `${part}/${whole} (${(100 * part / whole).toFixed(0)}%)`;

function groups(results: readonly Measured[]): [string, Measured[]][] {
  const keyed = new Map<string, Measured[]>();
  for (const result of results) {
    const { arch, trojaned, split } = result.model;
    const key = `${arch} ${trojaned ? "trojan" : "clean "} ${split}`;
    keyed.set(key, [...keyed.get(key) ?? [], result]);
  }
  return [...keyed.entries()].sort(([a], [b]) => a.localeCompare(b));
}

function printDefaults(results: readonly Measured[]): void {
  console.log("\nAt the default thresholds: models with at least one finding of each rule");
  console.log(`${"models".padEnd(20)} ${RULES.map((rule) => rule.padEnd(14)).join(" ")} on target unit`);
  for (const [key, members] of groups(results)) {
    const cells = RULES.map((rule) =>
      percent(members.filter((m) => m.findings.some((f) => f.rule === rule)).length, members.length).padEnd(
        14,
      )
    );
    const onTarget = members.filter((m) =>
      m.findings.some((f) =>
        (f.rule === "MA392" || f.rule === "MA393") && f.details.unit === m.model.target
      )
    ).length;
    console.log(`${key.padEnd(20)} ${cells.join(" ")} ${percent(onTarget, members.length)}`);
  }
}

function printTuned(results: readonly Measured[]): Record<string, number> {
  console.log("\nTuned on the tune half (no clean tune model above), measured on the eval half:");
  const tuned: Record<string, number> = {};
  for (const { rule, option } of STATISTICAL) {
    const cleanTune = results.filter((r) => !r.model.trojaned && r.model.split === "tune");
    const highest = Math.max(0, ...cleanTune.map((r) => r[`largest`][rule]?.statistic ?? 0));
    const threshold = Math.floor(highest) + 1;
    tuned[rule] = threshold;
    console.log(
      `${rule} (${option}, default ${
        DEFAULT_WEIGHTS_OPTIONS[option]
      }): clean tune max ${highest}, tuned threshold ${threshold}`,
    );
    for (const arch of ["mlp", "cnn"]) {
      const evalHalf = results.filter((r) => r.model.arch === arch && r.model.split === "eval");
      const over = (r: Measured) => (r.largest[rule]?.statistic ?? 0) > threshold;
      const trojans = evalHalf.filter((r) => r.model.trojaned);
      const cleans = evalHalf.filter((r) => !r.model.trojaned);
      const onTarget = trojans.filter((r) => over(r) && r.largest[rule]?.unit === r.model.target).length;
      const sorted = (rs: Measured[]) =>
        rs.map((r) => r.largest[rule]?.statistic ?? 0).sort((a, b) => a - b).map((s) => s.toFixed(1)).join(
          " ",
        );
      console.log(
        `  ${arch} eval: detected ${percent(trojans.filter(over).length, trojans.length)}` +
          ` (on the target unit ${percent(onTarget, trojans.length)}),` +
          ` false positives ${percent(cleans.filter(over).length, cleans.length)}`,
      );
      console.log(`    trojan statistics: ${sorted(trojans)}`);
      console.log(`    clean statistics:  ${sorted(cleans)}`);
    }
  }
  return tuned;
}

interface BenignResult {
  file: string;
  tensors: number;
  findings: WeightFinding[];
  largest: Measured["largest"];
}

/**
 * Every benign weight file these readers open: the fixtures' benign folders and `.bench/benign/`
 * (`scripts/convert_gnubg_weights.py`'s real trained networks), analysed in full (as `--weights`).
 */
async function benignFiles(): Promise<BenignResult[]> {
  const dirs = [
    ...["safetensors", "numpy", "weights"].map((area) => join("fixtures", area, "benign")),
    join(".bench", "benign"),
  ];
  const found = [];
  for (const dir of dirs) {
    const entries = await Array.fromAsync(Deno.readDir(join(ROOT, dir))).catch(() => []);
    for (const entry of entries) {
      const tensors = await tensorsOf(join(ROOT, dir, entry.name)).catch(() => undefined);
      if (tensors === undefined || tensors.length === 0) continue;
      const findings = await analyzeWeights(tensors, { ...DEFAULT_WEIGHTS_OPTIONS, enabled: WEIGHTS_ON });
      const largest = await largestStatistics(tensors);
      found.push({ file: join(dir, entry.name), tensors: tensors.length, findings, largest });
    }
  }
  return found.sort((a, b) => a.file.localeCompare(b.file));
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { dir: { type: "string", default: join(ROOT, ".bench", "trojan") }, json: { type: "boolean" } },
  });
  const manifest = JSON.parse(await Deno.readTextFile(join(values.dir, "manifest.json")));
  const started = performance.now();
  const results: Measured[] = [];
  for (const model of manifest.models as ModelInfo[]) results.push(await measure(model, values.dir));
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${results.length} models analysed in ${seconds.toFixed(2)} s (each twice: defaults, and probed)`,
  );
  printDefaults(results);
  const tuned = printTuned(results);
  console.log(
    "\nBenign weight files (full analysis; every finding is a false positive) and their largest statistics:",
  );
  const benign = await benignFiles();
  for (const { file, tensors, findings, largest } of benign) {
    const rules = findings.map((f) => `${f.rule} ${f.details.tensor}`).join(", ") || "clean";
    const statistics = STATISTICAL.map(({ rule }) => `${rule} ${largest[rule]?.statistic ?? "-"}`).join(", ");
    console.log(`  ${file} (${tensors} tensors): ${rules}  [${statistics}]`);
  }
  if (values.json) {
    console.log(JSON.stringify({
      tuned,
      models: results.map((r) => ({ ...r.model, rules: r.findings.map((f) => f.rule), largest: r.largest })),
      benign,
    }));
  }
}
