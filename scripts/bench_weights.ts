/**
 * `deno task bench:weights`: what the weight analysis (`scanners/weights/`) finds on real models,
 * measured, not assumed.
 *
 * Its inputs are the models of `scripts/make_trojan_models.py` (`.bench/trojan/`: clean and
 * BadNets-trojaned MLPs and CNNs trained on sklearn's digits, 40 seeds each, every backdoor verified)
 * and every benign file with readable tensors: the `benign/` folders of every fixture area (PyTorch,
 * safetensors, NumPy, Keras, ONNX, GGUF...) and `.bench/benign/` (`scripts/convert_gnubg_weights.py`'s
 * real trained networks). Tensors are read as a scan reads them: through the tensor layer
 * (`scanBytes`'s `onTensor`).
 *
 * It prints, per check (rule):
 *
 * - the detection rate on trojaned models and the false-positive rate on clean ones, per architecture,
 *   for the even seeds (`tune`) and the odd ones (`eval`), at the default thresholds;
 * - for each statistical check, the threshold tuned on the `tune` half (the least whole number of
 *   MADs above every clean `tune` model's statistic: no false positive there) and the rates it gives on
 *   the `eval` half, which played no part in choosing it;
 * - the findings on the benign files (each a false positive) and their largest statistics.
 *
 * Usage: `/usr/bin/python3 scripts/make_trojan_models.py`, then `deno task bench:weights [--json]`.
 *
 * @module
 */

import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { elementCount, type WeightTensor } from "../core/tensor.ts";
import { scanBytes } from "../engine/dispatch.ts";
import { analyzeWeights, type WeightFinding } from "../scanners/weights/analyze.ts";
import { DEFAULT_WEIGHTS_OPTIONS, WEIGHTS_ON, type WeightsOptions } from "../scanners/option_catalog.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Elements of one model's tensors copied into memory here: the benchmark's models are small. */
const MAX_MODEL_ELEMENTS = 1 << 26;

/**
 * The readable tensors of a model file's bytes, as the tensor layer gives them to a scan
 * (`scanBytes`'s `onTensor`: safetensors, NumPy, PyTorch, ONNX, GGUF, HDF5...), their values copied into
 * memory so that they outlive the scan (a decoded archive member is released after its own); `undefined`
 * when the model has more than 2^26 elements.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { weightTensorsOf } from "./bench_weights.ts";
 * const bytes = await Deno.readFile(new URL("../fixtures/weights/benign/clean_mlp.safetensors", import.meta.url));
 * const tensors = (await weightTensorsOf(bytes, "clean_mlp.safetensors"))!;
 * assert.deepEqual(tensors.map((t) => [t.name, t.shape]), [
 *   ["head.bias", [10]], ["head.weight", [10, 32]], ["hidden.bias", [32]], ["hidden.weight", [32, 64]],
 * ]);
 * assert.equal((await tensors[0].read(0, 10)).length, 10);
 * ```
 */
export async function weightTensorsOf(bytes: Uint8Array, name: string): Promise<WeightTensor[] | undefined> {
  const tensors: WeightTensor[] = [];
  let elements = 0;
  await scanBytes(bytes, name, {
    async onTensor(tensor) {
      const count = elementCount(tensor.shape);
      elements += count;
      if (elements > MAX_MODEL_ELEMENTS) return;
      const values = await tensor.read(0, count);
      const { name, dtype, shape } = tensor;
      tensors.push({
        name,
        dtype,
        shape,
        read: (start, n) => Promise.resolve(values.slice(start, start + n)),
      });
    },
  });
  return elements > MAX_MODEL_ELEMENTS ? undefined : tensors;
}

/** The tensors of a model file, as {@linkcode weightTensorsOf} reads them. */
async function tensorsOf(path: string): Promise<WeightTensor[] | undefined> {
  return await weightTensorsOf(await Deno.readFile(path), basename(path));
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

/** Every file under `dir`, recursively, in name order. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await Array.fromAsync(Deno.readDir(dir)).catch(() => []);
  const files = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) files.push(...await filesUnder(path));
    else if (entry.isFile) files.push(path);
  }
  return files;
}

/**
 * Every benign file with readable tensors: each fixture area's `benign/` folder and `.bench/benign/`,
 * analysed in full (as `--weights`).
 */
async function benignFiles(): Promise<BenignResult[]> {
  const areas = await Array.fromAsync(Deno.readDir(join(ROOT, "fixtures")));
  const dirs = [
    ...areas.filter((area) => area.isDirectory).map((area) => join("fixtures", area.name, "benign")),
    join(".bench", "benign"),
  ];
  const found = [];
  for (const dir of dirs) {
    for (const path of await filesUnder(join(ROOT, dir))) {
      const tensors = await tensorsOf(path).catch(() => undefined);
      if (tensors === undefined || tensors.length === 0) continue;
      const findings = await analyzeWeights(tensors, { ...DEFAULT_WEIGHTS_OPTIONS, enabled: WEIGHTS_ON });
      const largest = await largestStatistics(tensors);
      found.push({ file: path.slice(ROOT.length), tensors: tensors.length, findings, largest });
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
