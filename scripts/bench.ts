/**
 * `deno task bench`: throughput and peak memory of a scan on three generated
 * inputs, each scanned in a process of its own (`scripts/bench_runner.ts`) so
 * that each peak is that case's own:
 *
 * - `small`: a directory of small pickles (protocols 0, 2 and 4; one in 100
 *   carries a harmless `os.system` call) -> files per second;
 * - `large`: one pickle of mostly large byte payloads -> MiB per second, with a
 *   peak memory that must stay far below the file's size;
 * - `opcodes`: a stream of millions of small opcodes -> opcodes per second;
 * - `mixed`: a directory of small pickles, gzipped pickles, zips, NumPy arrays
 *   and JSON files (planted calls inside containers too) -> files per second;
 * - `checkpoint`: a PyTorch checkpoint of gigabytes written by the real
 *   `torch.save` -> time, peak memory, and the bytes read, which must be a
 *   sliver of the file (tensor data is never read);
 * - `weights`: the same checkpoint scanned with the weight analysis on (the other large-file cases
 *   scan with it off: their sparse inputs of zeros are no models) -> time (target under 2 s) and peak
 *   memory; the default budget reads half of it, which MA399 says;
 * - `safetensors`: a 10 GB safetensors file of 1,000 tensors, written sparse
 *   (`scripts/bench_safetensors.ts`) -> time (target under 100 ms), peak
 *   memory (under 100 MiB) and the bytes read: the header and the detection
 *   head, never tensor data;
 * - `inspect`: `modelaudit inspect` of the same file, listing its 1,000 tensors ->
 *   time (the same target: listing reads the header alone), peak memory and bytes read;
 * - `onnx`: a 2 GB ONNX model of 1,000 embedded initializers (`raw_data`),
 *   written sparse (`scripts/bench_onnx.ts`) -> time (target under 1 s), peak
 *   memory (under 200 MiB) and the bytes read: a window at each field's tag,
 *   never the payloads;
 * - `gguf`: a 10 GB GGUF whose header holds 100,000 metadata entries (a
 *   150,000-token vocabulary, a real chat template, 99,995 other entries,
 *   half of them strings), written sparse (`scripts/bench_gguf.ts`) -> time,
 *   peak memory and the bytes read: the header and the detection head only;
 * - `savedmodel`: a SavedModel whose graph and function library hold 100,000 nodes
 *   (`scripts/bench_tensorflow.ts`) -> nodes per second, peak memory and bytes
 *   read; it must scan clean;
 * - `frozengraph`: a frozen GraphDef of 2 GiB, written sparse: 128 MiB weight
 *   constants, then a PyFunc (`scripts/bench_tensorflow.ts`) -> time, peak
 *   memory and bytes read: the PyFunc must be found, the weights never read;
 * - `h5`: a 2 GB Keras 2 `.h5` model (`scripts/bench_keras.ts`, real h5py, datasets
 *   allocated and never written) -> time, peak memory and the bytes read: the
 *   HDF5 structures and the model config, never the weights;
 * - `startup` and `files`: whole processes side by side with picklescan
 *   (`scripts/bench_compare.ts`): one small pickle per process (median time,
 *   target at most 0.8 of picklescan's), and a directory of 10,000 small
 *   pickles in one process (target 1.5 times as fast, peak under 128 MiB);
 * - `memory`: the peak RSS of whole CLI processes on a 1 GiB zlib bomb in a
 *   joblib file, a 1 GiB zip bomb, four 30 MiB gzip pickles, the `fixtures/` tree and the 2 GiB
 *   checkpoint, each under 200 MB (`scripts/bench_memory.ts`).
 *
 * Inputs go to `.bench/` (git-ignored) and are reused while their manifest and
 * size match; options: `--files N`, `--size-mb N`, `--opcodes N`, `--mixed N`,
 * `--checkpoint-mb N`, `--safetensors-gb N`, `--onnx-mb N`, `--gguf-gb N`, `--gguf-entries N`,
 * `--savedmodel-nodes N`, `--frozen-gb N`, `--h5-gb N`, `--compare-files N`, `--bomb-mb N`, `--rounds N`,
 * `--only NAME`.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { compare, describe, printTable } from "./bench_compare.ts";
import { writeMixedDirectory, writeTorchCheckpoint } from "./bench_containers.ts";
import {
  fixturesInput,
  type MemoryInput,
  runMemoryCases,
  writeGzipPickles,
  writeZipBomb,
  writeZlibBombJoblib,
} from "./bench_memory.ts";
import { fileSink, PLANT_EVERY, smallPickle, writeLargePickle, writeOpcodePickle } from "./bench_pickles.ts";
import { onnxModelParts, writeSparseOnnx } from "./bench_onnx.ts";
import { writeSparseGguf } from "./bench_gguf.ts";
import { KERAS_LAYERS, writeKerasH5 } from "./bench_keras.ts";
import { writeSparseSafetensors } from "./bench_safetensors.ts";
import { writeSavedModel, writeSparseFrozenGraph } from "./bench_tensorflow.ts";
import type { RunReport } from "./bench_runner.ts";

/** Bump when a generator's output changes, so inputs generated before are not reused. */
const GENERATOR_VERSION = 3;
/** What a planted `os.system("echo ...")` call must produce: its import and its call. */
const PLANTED_RULES: readonly string[] = ["MA100", "MA101"];
/** A peak above this share of the large input means the scanner holds the file, not a window of it. */
const MAX_LARGE_PEAK_SHARE = 0.25;
/** The 1 GiB case; below it the runtime's own 50-70 MiB are too large a share of the file to judge by. */
const MIN_PEAK_CHECKED_BYTES = 2 ** 30;
/** Reading more than this share of a checkpoint means tensor data was read. */
const MAX_CHECKPOINT_READ_SHARE = 0.001;
/** Issue 13's target: a 2 GB classifier checkpoint analysed in under 2 seconds, in bounded memory. */
const WEIGHTS_MAX_SECONDS = 2;
const WEIGHTS_MAX_PEAK_MIB = 250;
/** The safetensors case reads its header (about 100 KB for 1,000 tensors) and the detection head: 10 ppm of 10 GB. */
const MAX_SAFETENSORS_READ_SHARE = 0.00002;
/** Issue 11's targets for the 10 GB safetensors file: time and peak memory of its scan. */
const SAFETENSORS_MAX_SECONDS = 0.1;
const SAFETENSORS_MAX_PEAK_MIB = 100;
/** The frozen graph case reads its nodes' heads, never the weights: 1 MiB of 2 GiB is 0.05%. */
const MAX_FROZEN_READ_SHARE = 0.001;
/** Peak memory of the frozen graph case: the runtime and a window, not the weights. */
const FROZEN_MAX_PEAK_MIB = 150;
/**
 * The h5 case reads the superblock, the config and every object header, B-tree node and local heap (the walk
 * for external links and datasets): about 5 KiB per layer, 0.1% of 2 GB at most, never the weights.
 */
const MAX_H5_READ_SHARE = 0.001;
/** Issue 10's target for the 2 GB Keras .h5 file: its structures only, so a scan takes a small fixed memory. */
const H5_MAX_PEAK_MIB = 200;
/** Tensors in the safetensors case's header: a large model's shard. */
const SAFETENSORS_TENSORS = 1000;
/** Issue 10's targets for the 2 GB ONNX model: time and peak memory of its scan. */
const ONNX_MAX_SECONDS = 1;
const ONNX_MAX_PEAK_MIB = 200;
/** MatMul + Add layers of the ONNX case, a weight and a bias each: the tensors of a large model. */
const ONNX_LAYERS = 500;
/** The ONNX case reads a window (16 KiB) at each of its 1,000 tensors' tags: under 1% of 2 GB. */
const MAX_ONNX_READ_SHARE = 0.01;
/**
 * The GGUF case reads its header (9.7 MB with 100,000 entries, less the fixed-size arrays it steps over) and the
 * detection head: 0.2 % of 10 GB at most.
 */
const MAX_GGUF_READ_SHARE = 0.002;
/** The GGUF case's peak: a header is read through a bounded window, and nothing of it is kept but the tensor table. */
const GGUF_MAX_PEAK_MIB = 200;
const MIB = 2 ** 20;

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BENCH_DIR = join(ROOT, ".bench");
const RUNNER = fileURLToPath(new URL("./bench_runner.ts", import.meta.url));

const CASE_NAMES = [
  "small",
  "large",
  "opcodes",
  "mixed",
  "checkpoint",
  "weights",
  "safetensors",
  "inspect",
  "onnx",
  "gguf",
  "savedmodel",
  "frozengraph",
  "h5",
] as const;
type CaseName = typeof CASE_NAMES[number];
/** Whole-process comparisons with picklescan. */
const COMPARE_NAMES = ["startup", "files"] as const;
type CompareName = typeof COMPARE_NAMES[number];
/** Whole CLI processes against the memory goal. */
const MEMORY_NAME = "memory";
type GroupName = CompareName | typeof MEMORY_NAME;
const GROUP_NAMES: readonly GroupName[] = [...COMPARE_NAMES, MEMORY_NAME];
/** Runs of each memory case: its peak is the highest. */
const MEMORY_ROUNDS = 3;
/** The memory case's directory of gzip pickles: files, and MiB each decodes to (under the 32 MiB kept in memory). */
const GZIP_DIR_FILES = 4;
const GZIP_DIR_MB = 30;
/** Start-up: modelaudit's median at most this share of picklescan's. */
const STARTUP_MAX_RATIO = 0.8;
/** Many files: modelaudit at least 1.5 times as fast as picklescan... */
const FILES_MAX_RATIO = 1 / 1.5;
/** ...with a peak resident memory under this. */
const FILES_MAX_PEAK_MIB = 128;

const USAGE = `Usage: deno task bench [options]

  --files N      small pickles in the directory case (default 1000)
  --size-mb N    size of the large pickle in MiB (default 1024)
  --opcodes N    opcodes in the opcode case (default 5000000)
  --mixed N      files in the mixed-format directory case (default 10000)
  --checkpoint-mb N  size of the PyTorch checkpoint in MiB (default 2048; needs python3-torch)
  --safetensors-gb N size of the sparse safetensors file in GB (default 10)
  --h5-gb N          size of the Keras .h5 file in GB (default 2)
  --onnx-mb N    size of the sparse ONNX model in MB (default 2000; protobuf caps a model at 2 GiB)
  --gguf-gb N    size of the sparse GGUF file in GB (default 10)
  --gguf-entries N   metadata entries in its header (default 100000)
  --savedmodel-nodes N nodes in the SavedModel case (default 100000)
  --frozen-gb N  size of the sparse frozen GraphDef in GiB (default 2)
  --compare-files N  small pickles in the directory compared with picklescan (default 10000)
  --bomb-mb N    decoded size of the memory case's zlib and zip bombs in MiB (default 1024)
  --rounds N     runs of each tool in the comparisons (default 21 for startup, a quarter for files)
  --only NAME    run only this case: ${[...CASE_NAMES, ...GROUP_NAMES].join(", ")} (repeatable)

The comparisons with picklescan run it from the checkout PICKLESCAN_DIR names
(PICKLESCAN_PYTHON, default python3); without it they print modelaudit alone.
  -h, --help     show this help`;

interface Options {
  files: number;
  sizeMb: number;
  opcodes: number;
  mixed: number;
  checkpointMb: number;
  safetensorsGb: number;
  h5Gb: number;
  onnxMb: number;
  ggufGb: number;
  ggufEntries: number;
  savedmodelNodes: number;
  frozenGb: number;
  compareFiles: number;
  bombMb: number;
  rounds: number;
  only: readonly (CaseName | GroupName)[];
}

/** Written next to each input: what was generated, to decide whether it can be reused. */
interface Manifest {
  version: number;
  /** The option the input was generated for: file count, MiB or opcodes. */
  param: number;
  bytes: number;
  /** Directory entries (or 1 for a file). */
  entries: number;
  /** What throughput counts: files, bytes or opcodes. */
  items: number;
  /** Names of the small pickles that carry the planted call. */
  planted: string[];
}

type Generated = Omit<Manifest, "version" | "param" | "entries">;

/** An input generated under `.bench/` once and reused while it matches its manifest. */
interface Input {
  name: string;
  /** Input name under `.bench/`. */
  input: (options: Options) => string;
  param: (options: Options) => number;
  /** Writes the input at `path` for `param`; `options` has the case's other settings. */
  generate: (path: string, param: number, options: Options) => Generated | Promise<Generated>;
}

interface Case extends Input {
  name: CaseName;
  throughput: (items: number, seconds: number) => string;
  /** The input, as the table shows it. */
  describe: (manifest: Manifest, options: Options) => string;
  /** Highest peak RSS, as a share of the input's size; checked from {@linkcode MIN_PEAK_CHECKED_BYTES} up. */
  maxPeakShare?: number;
  /** Highest share of the input the scanners may read (single-file inputs). */
  maxReadShare?: number;
  /** Highest peak RSS in MiB, whatever the input's size. */
  maxPeakMib?: number;
  /** Longest scan, in seconds. */
  maxSeconds?: number;
  /** What each planted file must produce, when not the planted pickles' {@linkcode PLANTED_RULES}. */
  plantedRules?: readonly string[];
  /** Runs `inspect()` (tensors listed) instead of `scan()`. */
  inspect?: boolean;
  /**
   * `false`: scans with the weight analysis off, as `--no-weights` does. The cases that measure a format's
   * structure on sparse inputs of zeros (no model) set it: with it on, their zero matrices are MA394.
   */
  weights?: false;
  /** The rules a single-file input must produce (sorted), when not clean. */
  fileRules?: readonly string[];
}

function parseOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    options: {
      files: { type: "string", default: "1000" },
      "size-mb": { type: "string", default: "1024" },
      opcodes: { type: "string", default: "5000000" },
      mixed: { type: "string", default: "10000" },
      "checkpoint-mb": { type: "string", default: "2048" },
      "safetensors-gb": { type: "string", default: "10" },
      "h5-gb": { type: "string", default: "2" },
      "onnx-mb": { type: "string", default: "2000" },
      "gguf-gb": { type: "string", default: "10" },
      "gguf-entries": { type: "string", default: "100000" },
      "savedmodel-nodes": { type: "string", default: "100000" },
      "frozen-gb": { type: "string", default: "2" },
      "compare-files": { type: "string", default: "10000" },
      "bomb-mb": { type: "string", default: "1024" },
      rounds: { type: "string", default: "21" },
      only: { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const count = (name: string, text: string, min: number) => {
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < min) {
      throw new Error(`--${name} must be an integer >= ${min}`);
    }
    return value;
  };
  const only = values.only ?? [...CASE_NAMES, ...GROUP_NAMES];
  for (const name of only) {
    if (![...CASE_NAMES, ...GROUP_NAMES].includes(name as CaseName)) {
      throw new Error(`--only: unknown case ${name}`);
    }
  }
  return {
    files: count("files", values.files, 1),
    sizeMb: count("size-mb", values["size-mb"], 1),
    opcodes: count("opcodes", values.opcodes, 100),
    mixed: count("mixed", values.mixed, 1),
    checkpointMb: count("checkpoint-mb", values["checkpoint-mb"], 1),
    safetensorsGb: count("safetensors-gb", values["safetensors-gb"], 1),
    h5Gb: count("h5-gb", values["h5-gb"], 1),
    onnxMb: count("onnx-mb", values["onnx-mb"], 1),
    ggufGb: count("gguf-gb", values["gguf-gb"], 1),
    ggufEntries: count("gguf-entries", values["gguf-entries"], 5),
    savedmodelNodes: count("savedmodel-nodes", values["savedmodel-nodes"], 1000),
    frozenGb: count("frozen-gb", values["frozen-gb"], 1),
    compareFiles: count("compare-files", values["compare-files"], 1),
    bombMb: count("bomb-mb", values["bomb-mb"], 1),
    rounds: count("rounds", values.rounds, 1),
    only: only as (CaseName | GroupName)[],
  };
}

function writeFile(path: string, write: (file: Deno.FsFile) => { bytes: number; opcodes: number }) {
  using file = Deno.openSync(path, { write: true, create: true, truncate: true });
  return write(file);
}

/** The safetensors case, and the inspect case on the same file. */
const SAFETENSORS_CASE: Omit<Case, "name"> = {
  input: (o) => `safetensors-${o.safetensorsGb}gb.safetensors`,
  param: (o) => o.safetensorsGb,
  async generate(path, gb) {
    const { size } = await writeSparseSafetensors(path, gb * 1e9, SAFETENSORS_TENSORS);
    return { bytes: size, items: size, planted: [] };
  },
  throughput: (bytes, seconds) => `${(bytes / 1e9 / seconds).toFixed(0)} GB/s`,
  describe: (m) => `sparse, ${SAFETENSORS_TENSORS} tensors, ${(m.bytes / 1e9).toFixed(1)} GB`,
  maxReadShare: MAX_SAFETENSORS_READ_SHARE,
  maxPeakMib: SAFETENSORS_MAX_PEAK_MIB,
  maxSeconds: SAFETENSORS_MAX_SECONDS,
};

/** The PyTorch checkpoint the `checkpoint` and `weights` cases scan (and the memory cases too). */
const CHECKPOINT_INPUT = {
  input: (o: Options) => `checkpoint-${o.checkpointMb}mb.pt`,
  param: (o: Options) => o.checkpointMb,
  async generate(path: string, sizeMb: number): Promise<Generated> {
    const bytes = await writeTorchCheckpoint(path, sizeMb);
    return { bytes, items: bytes, planted: [] };
  },
  throughput: (bytes: number, seconds: number) => `${(bytes / MIB / seconds).toFixed(0)} MiB/s`,
};

const CASES: readonly Case[] = [
  {
    name: "small",
    input: (o) => `small-${o.files}`,
    param: (o) => o.files,
    generate(path, files) {
      Deno.mkdirSync(path);
      const planted: string[] = [];
      let bytes = 0;
      for (let i = 0; i < files; i++) {
        const name = `small_${String(i).padStart(6, "0")}.pkl`;
        const data = smallPickle(i);
        Deno.writeFileSync(join(path, name), data);
        bytes += data.length;
        if (i % PLANT_EVERY === 0) planted.push(name);
      }
      return { bytes, items: files, planted };
    },
    throughput: (files, seconds) => `${(files / seconds).toFixed(0)} files/s`,
    describe: (m) => `${m.entries} files, ${formatMib(m.bytes)}`,
  },
  {
    name: "large",
    input: (o) => `large-${o.sizeMb}mb.pkl`,
    param: (o) => o.sizeMb,
    generate(path, sizeMb) {
      const { bytes } = writeFile(path, (file) => writeLargePickle(fileSink(file), sizeMb * MIB));
      return { bytes, items: bytes, planted: [] };
    },
    throughput: (bytes, seconds) => `${(bytes / MIB / seconds).toFixed(1)} MiB/s`,
    describe: (m) => formatMib(m.bytes),
    maxPeakShare: MAX_LARGE_PEAK_SHARE,
  },
  {
    name: "opcodes",
    input: (o) => `opcodes-${o.opcodes}.pkl`,
    param: (o) => o.opcodes,
    generate(path, opcodes) {
      const written = writeFile(path, (file) => writeOpcodePickle(fileSink(file), opcodes));
      return { bytes: written.bytes, items: written.opcodes, planted: [] };
    },
    throughput: (opcodes, seconds) => `${(opcodes / seconds / 1e6).toFixed(2)} M opcodes/s`,
    describe: (m) => `${m.items.toLocaleString("en-US")} opcodes, ${formatMib(m.bytes)}`,
  },
  {
    name: "mixed",
    input: (o) => `mixed-${o.mixed}`,
    param: (o) => o.mixed,
    async generate(path, files) {
      Deno.mkdirSync(path);
      return { ...await writeMixedDirectory(path, files), items: files };
    },
    throughput: (files, seconds) => `${(files / seconds).toFixed(0)} files/s`,
    describe: (m) => `${m.entries} files, ${formatMib(m.bytes)}`,
  },
  {
    name: "checkpoint",
    ...CHECKPOINT_INPUT,
    describe: (m) => `torch.save, ${formatMib(m.bytes)}`,
    maxPeakShare: MAX_LARGE_PEAK_SHARE,
    maxReadShare: MAX_CHECKPOINT_READ_SHARE,
    weights: false,
  },
  {
    // The same checkpoint with the weight analysis on, as a plain scan runs it: issue 13's 2 seconds.
    name: "weights",
    ...CHECKPOINT_INPUT,
    describe: (m) => `torch.save, analysed, ${formatMib(m.bytes)}`,
    maxPeakMib: WEIGHTS_MAX_PEAK_MIB,
    maxSeconds: WEIGHTS_MAX_SECONDS,
    // 512 Mi float32 elements: the default budget (2^28) reads half, and says so.
    fileRules: ["MA399"],
  },
  { name: "safetensors", ...SAFETENSORS_CASE },
  // The safetensors case's file (generated once, by whichever runs first), listed rather than scanned.
  { name: "inspect", ...SAFETENSORS_CASE, inspect: true },
  {
    name: "onnx",
    input: (o) => `onnx-${o.onnxMb}mb.onnx`,
    param: (o) => o.onnxMb,
    async generate(path, mb) {
      const size = await writeSparseOnnx(path, onnxModelParts(mb * 1e6, ONNX_LAYERS));
      return { bytes: size, items: size, planted: [] };
    },
    throughput: (bytes, seconds) => `${(bytes / 1e9 / seconds).toFixed(0)} GB/s`,
    describe: (m) => `sparse, ${2 * ONNX_LAYERS} initializers, ${(m.bytes / 1e9).toFixed(1)} GB`,
    maxReadShare: MAX_ONNX_READ_SHARE,
    maxPeakMib: ONNX_MAX_PEAK_MIB,
    maxSeconds: ONNX_MAX_SECONDS,
    weights: false,
  },
  {
    name: "gguf",
    // The entry count is in the name: the manifest's param holds the size.
    input: (o) => `gguf-${o.ggufGb}gb-${o.ggufEntries}kv.gguf`,
    param: (o) => o.ggufGb,
    async generate(path, gb, options) {
      const { size } = await writeSparseGguf(path, gb * 1e9, options.ggufEntries);
      return { bytes: size, items: size, planted: [] };
    },
    throughput: (bytes, seconds) => `${(bytes / 1e9 / seconds).toFixed(0)} GB/s`,
    describe: (m, o) => `sparse, ${o.ggufEntries} metadata entries, ${(m.bytes / 1e9).toFixed(1)} GB`,
    maxReadShare: MAX_GGUF_READ_SHARE,
    maxPeakMib: GGUF_MAX_PEAK_MIB,
    weights: false,
  },
  {
    name: "savedmodel",
    input: (o) => `savedmodel-${o.savedmodelNodes}`,
    param: (o) => o.savedmodelNodes,
    async generate(path, nodes) {
      const bytes = await writeSavedModel(path, nodes);
      return { bytes, items: nodes, planted: [] };
    },
    throughput: (nodes, seconds) => `${(nodes / seconds / 1000).toFixed(0)} k nodes/s`,
    describe: (m) => `${m.items.toLocaleString("en-US")} nodes, ${formatMib(m.bytes)}`,
  },
  {
    name: "frozengraph",
    input: (o) => `frozengraph-${o.frozenGb}gib.pb`,
    param: (o) => o.frozenGb,
    async generate(path, gib) {
      const bytes = await writeSparseFrozenGraph(path, gib * 1024 * MIB);
      // Generated under a temporary name: the planted file is the input's own.
      return { bytes, items: bytes, planted: [`frozengraph-${gib}gib.pb`] };
    },
    throughput: (bytes, seconds) => `${(bytes / 1e9 / seconds).toFixed(0)} GB/s`,
    describe: (m) => `sparse, ${(m.bytes / 2 ** 30).toFixed(1)} GiB`,
    plantedRules: ["MA430"],
    maxReadShare: MAX_FROZEN_READ_SHARE,
    maxPeakMib: FROZEN_MAX_PEAK_MIB,
    weights: false,
  },
  {
    name: "h5",
    input: (o) => `keras-${o.h5Gb}gb.h5`,
    param: (o) => o.h5Gb,
    async generate(path, gb) {
      const size = await writeKerasH5(path, gb * 1e9);
      return { bytes: size, items: size, planted: [] };
    },
    throughput: (bytes, seconds) => `${(bytes / 1e9 / seconds).toFixed(0)} GB/s`,
    describe: (m) => `Keras 2 layout, ${KERAS_LAYERS} Dense layers, ${(m.bytes / 1e9).toFixed(1)} GB`,
    maxReadShare: MAX_H5_READ_SHARE,
    maxPeakMib: H5_MAX_PEAK_MIB,
    weights: false,
  },
];

/** Bytes and entries of a file or a directory's files, or undefined when it is missing. */
function measure(path: string): { bytes: number; entries: number } | undefined {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch {
    return undefined;
  }
  if (!info.isDirectory) return { bytes: info.size, entries: 1 };
  let bytes = 0;
  let entries = 0;
  for (const entry of Deno.readDirSync(path)) {
    bytes += Deno.statSync(join(path, entry.name)).size;
    entries++;
  }
  return { bytes, entries };
}

function readManifest(path: string): Manifest | undefined {
  try {
    return JSON.parse(Deno.readTextFileSync(path));
  } catch {
    return undefined;
  }
}

function removeIfPresent(path: string): void {
  try {
    Deno.removeSync(path, { recursive: true });
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/** Reuses the case's input when its manifest and size match, generates it otherwise. */
async function prepare(test: Input, options: Options): Promise<{ path: string; manifest: Manifest }> {
  const path = join(BENCH_DIR, test.input(options));
  const manifestPath = `${path}.json`;
  const param = test.param(options);
  const old = readManifest(manifestPath);
  const found = measure(path);
  if (
    old && found && old.version === GENERATOR_VERSION && old.param === param &&
    old.bytes === found.bytes && old.entries === found.entries
  ) {
    console.log(`${test.name}: reusing ${path}`);
    return { path, manifest: old };
  }
  const started = performance.now();
  // Generated under a temporary name, so an interrupted run never leaves an input that looks complete.
  const temporary = `${path}.tmp`;
  removeIfPresent(manifestPath);
  removeIfPresent(path);
  removeIfPresent(temporary);
  Deno.mkdirSync(BENCH_DIR, { recursive: true });
  const generated = await test.generate(temporary, param, options);
  Deno.renameSync(temporary, path);
  const manifest: Manifest = {
    version: GENERATOR_VERSION,
    param,
    entries: measure(path)!.entries,
    ...generated,
  };
  Deno.writeTextFileSync(manifestPath, JSON.stringify(manifest, null, 2) + "\n");
  const seconds = (performance.now() - started) / 1000;
  console.log(`${test.name}: generated ${path} (${formatMib(manifest.bytes)}) in ${seconds.toFixed(1)} s`);
  return { path, manifest };
}

/**
 * Runs one case in a runner process of its own. It is started by a shell that forks it: a process
 * forked from this one and then exec'd would report this one's peak memory as its own
 * (`ru_maxrss` keeps the high-water mark of the image it replaced), which after generating a
 * gigabyte of input is 170 MiB, not the scan's 86.
 */
async function runCase(path: string, test: Case): Promise<RunReport> {
  const { code, stdout, stderr } = await new Deno.Command("sh", {
    args: [
      "-c",
      '"$@"; exit $?',
      "sh",
      Deno.execPath(),
      "run",
      "--unstable-worker-options",
      "--allow-read",
      RUNNER,
      ...(test.inspect ? ["--inspect"] : []),
      ...(test.weights === false ? ["--no-weights"] : []),
      path,
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(stdout).trim();
  if (code !== 0 || !text) {
    throw new Error(`runner exited with ${code}: ${new TextDecoder().decode(stderr).trim()}`);
  }
  return JSON.parse(text.slice(text.lastIndexOf("\n") + 1));
}

/** Problems with what the scan found; empty when it found exactly what was planted. */
function check(
  report: RunReport,
  manifest: Manifest,
  plantedRules: readonly string[],
  fileRules: readonly string[] = [],
): string[] {
  const problems: string[] = [];
  if (report.errorCount > 0) {
    problems.push(`${report.errorCount} scan errors, e.g. ${JSON.stringify(report.errors[0])}`);
  }
  if (report.scanned !== manifest.entries) {
    problems.push(`${report.scanned} files scanned, not ${manifest.entries}`);
  }
  if (fileRules.length > 0) {
    const found = Object.values(report.flagged).flat().join("+");
    if (found !== fileRules.join("+")) {
      problems.push(`found ${found || "nothing"}, not ${fileRules.join("+")}`);
    }
    return problems;
  }
  const planted = new Set(manifest.planted);
  const expected = plantedRules.join("+");
  for (const [file, rules] of Object.entries(report.flagged)) {
    if (!planted.has(file)) problems.push(`${file} not planted, has ${rules.join("+")}`);
    else if (rules.join("+") !== expected) problems.push(`${file} has ${rules.join("+")}, not ${expected}`);
  }
  for (const file of planted) {
    if (!report.flagged[file]) problems.push(`planted ${file} has no findings`);
  }
  return problems;
}

function formatMib(bytes: number): string {
  return `${(bytes / MIB).toFixed(bytes < 10 * MIB ? 2 : 0)} MiB`;
}

async function main(): Promise<void> {
  let options: Options;
  try {
    options = parseOptions(Deno.args);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : error}\n\n${USAGE}`);
    Deno.exit(2);
  }
  const selected = CASES.filter((test) => options.only.includes(test.name));
  const inputs = [];
  for (const test of selected) inputs.push({ test, ...await prepare(test, options) });
  const comparisons = COMPARE_NAMES.filter((name) => options.only.includes(name));
  const compareInputs = comparisons.length ? await prepareComparisons(options) : undefined;
  const memoryInputs = options.only.includes(MEMORY_NAME) ? await prepareMemory(options) : undefined;
  console.log(
    `deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores (scan workers: one per core), ` +
      "each case in its own process\n",
  );
  const rows = [
    ["case", "input", "time", "throughput", "peak RSS", "base RSS", "peak/input", "read/input", "findings"],
  ];
  const notes: string[] = [];
  for (const { test, path, manifest } of inputs) {
    const report = await runCase(path, test);
    const seconds = report.elapsedMs / 1000;
    const peak = report.peakRssKib * 1024;
    const byRule = Object.entries(report.findingsByRule).map(([rule, n]) => `${rule}x${n}`).join(" ");
    rows.push([
      test.name,
      test.describe(manifest, options),
      `${seconds.toFixed(2)} s`,
      test.throughput(manifest.items, seconds),
      formatMib(peak),
      formatMib(report.baseRssKib * 1024),
      (peak / manifest.bytes).toFixed(3),
      report.bytesRead === undefined ? "-" : (report.bytesRead / manifest.bytes).toFixed(5),
      byRule ? `${report.findings} (${byRule})` : "0",
    ]);
    const problems = check(report, manifest, test.plantedRules ?? PLANTED_RULES, test.fileRules);
    if (
      test.maxPeakShare !== undefined && manifest.bytes >= MIN_PEAK_CHECKED_BYTES &&
      peak > manifest.bytes * test.maxPeakShare
    ) {
      problems.push(`peak RSS is ${(100 * peak / manifest.bytes).toFixed(0)}% of the file`);
    }
    if (
      test.maxReadShare !== undefined && report.bytesRead !== undefined &&
      report.bytesRead > manifest.bytes * test.maxReadShare
    ) {
      problems.push(`the scan read ${report.bytesRead} bytes of ${manifest.bytes}`);
    }
    if (test.maxPeakMib !== undefined && peak > test.maxPeakMib * MIB) {
      problems.push(`peak RSS ${formatMib(peak)} is over ${test.maxPeakMib} MiB`);
    }
    if (test.maxSeconds !== undefined && seconds > test.maxSeconds) {
      problems.push(`the scan took ${seconds.toFixed(3)} s, over ${test.maxSeconds} s`);
    }
    const expectation = test.fileRules
      ? test.fileRules.join("+")
      : manifest.planted.length > 0
      ? `${manifest.planted.length} planted files with ${
        (test.plantedRules ?? PLANTED_RULES).join("+")
      }, the rest clean`
      : "clean";
    if (problems.length === 0) {
      notes.push(`${test.name}: ok (${expectation})`);
    } else {
      Deno.exitCode = 1;
      notes.push(`${test.name}: EXPECTED ${expectation}, but:`, ...problems.map((p) => `  - ${p}`));
      notes.push(...report.sample.map((line) => `  first findings: ${line}`));
    }
  }
  if (inputs.length > 0) {
    printTable(rows);
    console.log(`\n${notes.join("\n")}`);
  }
  for (const name of comparisons) {
    const problems = await runComparison(name, options, compareInputs!);
    if (problems.length > 0) Deno.exitCode = 1;
  }
  if (memoryInputs) {
    const problems = await runMemoryCases(memoryInputs, MEMORY_ROUNDS, BENCH_DIR);
    if (problems.length > 0) Deno.exitCode = 1;
  }
}

/** A bomb of the memory cases: one file, decoding to `--bomb-mb` MiB. */
function bombInput(
  name: string,
  extension: string,
  write: (path: string, mb: number) => Promise<number>,
): Input {
  return {
    name,
    input: (o) => `${name}-${o.bombMb}mb.${extension}`,
    param: (o) => o.bombMb,
    generate: async (path, mb) => ({ bytes: await write(path, mb), items: 1, planted: [] }),
  };
}

/** The memory cases' inputs: the two bombs, the fixtures and the `checkpoint` case's checkpoint. */
async function prepareMemory(options: Options): Promise<MemoryInput[]> {
  const zlib = await prepare(bombInput("zlib-bomb", "joblib", writeZlibBombJoblib), options);
  const zip = await prepare(bombInput("zip-bomb", "zip", writeZipBomb), options);
  const gzipDir = await prepare({
    name: "gzip-dir",
    input: () => `gzip-dir-${GZIP_DIR_FILES}x${GZIP_DIR_MB}mb`,
    param: () => GZIP_DIR_MB,
    generate: async (path, mb) => ({
      bytes: await writeGzipPickles(path, GZIP_DIR_FILES, mb),
      items: GZIP_DIR_FILES,
      planted: [],
    }),
  }, options);
  const checkpoint = await prepare(CASES.find((test) => test.name === "checkpoint")!, options);
  const bomb = (mb: number) => `${mb} MiB of zeros`;
  return [
    {
      name: "zlib-bomb",
      path: zlib.path,
      description: `joblib zlib, ${bomb(options.bombMb)} in ${formatMib(zlib.manifest.bytes)}`,
      expectedCode: 1,
      expectedRules: ["MA206"],
    },
    {
      name: "zip-bomb",
      path: zip.path,
      description: `zip, ${bomb(options.bombMb)} in ${formatMib(zip.manifest.bytes)}`,
      expectedCode: 1,
      expectedRules: ["MA206"],
    },
    {
      name: "gzip-dir",
      path: gzipDir.path,
      description: `${GZIP_DIR_FILES} gzip pickles of ${GZIP_DIR_MB} MiB, ${
        formatMib(gzipDir.manifest.bytes)
      }`,
      expectedCode: 0,
      expectedRules: [],
    },
    await fixturesInput(),
    {
      name: "checkpoint",
      path: checkpoint.path,
      description: `torch.save, ${formatMib(checkpoint.manifest.bytes)}`,
      expectedCode: 0,
      expectedRules: [],
    },
  ];
}

/** The comparisons' inputs: one small clean pickle, and the directory of the `small` case at `--compare-files`. */
async function prepareComparisons(options: Options): Promise<{ pickle: string; directory: string }> {
  const pickle = join(BENCH_DIR, "startup.pkl");
  Deno.mkdirSync(BENCH_DIR, { recursive: true });
  // Index 1: not one of the planted pickles, so a clean scan (exit 0) for both tools.
  Deno.writeFileSync(pickle, smallPickle(1));
  const small = CASES.find((test) => test.name === "small")!;
  const { path } = await prepare(small, { ...options, files: options.compareFiles });
  return { pickle, directory: path };
}

async function runComparison(
  name: CompareName,
  options: Options,
  inputs: { pickle: string; directory: string },
): Promise<string[]> {
  const startup = name === "startup";
  const rounds = startup ? options.rounds : Math.max(3, Math.round(options.rounds / 4));
  const comparison = await compare(
    name,
    startup ? inputs.pickle : inputs.directory,
    rounds,
    // The directory holds planted pickles: both tools exit 1.
    startup ? 0 : 1,
  );
  const items = startup ? 1 : options.compareFiles;
  const { lines, problems } = describe(
    comparison,
    items,
    startup ? { maxRatio: STARTUP_MAX_RATIO } : { maxRatio: FILES_MAX_RATIO, maxPeakMib: FILES_MAX_PEAK_MIB },
  );
  const what = startup ? "one small pickle per process" : `${items} small pickles in one process`;
  console.log(`\n${name}: ${what}, each tool a whole process, alternating`);
  console.log(lines.join("\n"));
  console.log(problems.length ? problems.map((p) => `  MISSED: ${p}`).join("\n") : "  ok");
  return problems;
}

if (import.meta.main) await main();
