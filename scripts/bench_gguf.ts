/**
 * The GGUF benchmark: a sparse GGUF file of 10 GiB whose header holds 100,000 metadata entries
 * (among them a 150,000-token vocabulary with scores and token types, as large models ship), scanned
 * in a process of its own by `scripts/bench_runner.ts`: wall time, peak memory, and the bytes read,
 * which must be the header's and no more (tensor data is never read).
 *
 * `deno run --allow-read --allow-write --allow-run --allow-env scripts/bench_gguf.ts [--size-gb N]
 * [--entries N]`. The file goes to `.bench/` (git-ignored), written sparse (the header, then a
 * truncate to its full size), and is reused while its manifest matches.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { RunReport } from "./bench_runner.ts";

/** Bump when the generator's output changes. */
const GENERATOR_VERSION = 3;
/** Tokens in the vocabulary array, as Llama 3's and Qwen's (128k to 152k). */
const VOCABULARY_TOKENS = 150_000;
/** F32 tensors the data section is split into. */
const TENSORS = 10;
/** Reading more than this share of the file means tensor data was read. */
const MAX_READ_SHARE = 0.001;
const GIB = 2 ** 30;

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BENCH_DIR = join(ROOT, ".bench");
const RUNNER = fileURLToPath(new URL("./bench_runner.ts", import.meta.url));

/** Little-endian GGUF v3 fields, appended to one growing buffer (no object per field). */
class GgufBytes {
  #buffer = new Uint8Array(1 << 20);
  #view = new DataView(this.#buffer.buffer);
  #encoder = new TextEncoder();
  length = 0;

  #room(bytes: number): number {
    if (this.length + bytes > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(this.#buffer.length * 2, this.length + bytes));
      grown.set(this.#buffer.subarray(0, this.length));
      this.#buffer = grown;
      this.#view = new DataView(grown.buffer);
    }
    const at = this.length;
    this.length += bytes;
    return at;
  }

  u32(value: number): this {
    const at = this.#room(4);
    this.#view.setUint32(at, value, true);
    return this;
  }

  u64(value: number | bigint): this {
    const at = this.#room(8);
    this.#view.setBigUint64(at, BigInt(value), true);
    return this;
  }

  f32(value: number): this {
    const at = this.#room(4);
    this.#view.setFloat32(at, value, true);
    return this;
  }

  string(text: string): this {
    const bytes = this.#encoder.encode(text);
    this.u64(bytes.length);
    const at = this.#room(bytes.length);
    this.#buffer.set(bytes, at);
    return this;
  }

  bytes(): Uint8Array {
    return this.#buffer.subarray(0, this.length);
  }
}

const STRING = 8, ARRAY = 9, UINT32 = 4, FLOAT32 = 6, INT32 = 5;

/**
 * Writes a sparse GGUF v3 file of `sizeBytes` at `path` with `entries` metadata entries (three of
 * them the vocabulary's arrays) and {@linkcode TENSORS} F32 tensors filling the data section;
 * returns the header's size in bytes.
 *
 * @example
 * ```ts
 * import { writeSparseGguf } from "./bench_gguf.ts";
 * await writeSparseGguf(".bench/model.gguf", 2 ** 30, 1000);
 * ```
 */
export async function writeSparseGguf(path: string, sizeBytes: number, entries: number): Promise<number> {
  const out = new GgufBytes();
  out.u32(0x46554747).u32(3).u64(TENSORS).u64(entries);
  out.string("general.architecture").u32(STRING).string("llama");
  out.string("tokenizer.ggml.tokens").u32(ARRAY).u32(STRING).u64(VOCABULARY_TOKENS);
  for (let i = 0; i < VOCABULARY_TOKENS; i++) {
    out.string(i < 256 ? `<0x${i.toString(16).padStart(2, "0")}>` : `▁tok${i}`);
  }
  out.string("tokenizer.ggml.scores").u32(ARRAY).u32(FLOAT32).u64(VOCABULARY_TOKENS);
  for (let i = 0; i < VOCABULARY_TOKENS; i++) out.f32(-i);
  out.string("tokenizer.ggml.token_type").u32(ARRAY).u32(INT32).u64(VOCABULARY_TOKENS);
  for (let i = 0; i < VOCABULARY_TOKENS; i++) out.u32(i < 256 ? 6 : 1);
  for (let i = 4; i < entries; i++) {
    if (i % 2 === 0) out.string(`bench.layer.${i}.value`).u32(UINT32).u32(i);
    else out.string(`bench.layer.${i}.name`).u32(STRING).string(`layer ${i} of a benchmark model`);
  }
  // The tensor table: the data section (everything after the padded header) split in F32 tensors.
  const tableBytes = TENSORS * (8 + "blk.00.weight".length + 4 + 2 * 8 + 4 + 8);
  const dataStart = Math.ceil((out.length + tableBytes) / 32) * 32;
  const perTensor = Math.floor((sizeBytes - dataStart) / TENSORS / 4096) * 4096;
  for (let t = 0; t < TENSORS; t++) {
    out.string(`blk.${String(t).padStart(2, "0")}.weight`).u32(2).u64(1024).u64(perTensor / 4 / 1024);
    out.u32(0).u64(t * perTensor);
  }
  const header = out.bytes();
  if (header.length > dataStart) throw new Error("tensor table larger than planned");
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  await file.write(header);
  // The tensor data is a hole: the file takes the header's blocks on disk, not 10 GiB.
  await file.truncate(dataStart + TENSORS * perTensor);
  return header.length;
}

async function runCase(path: string): Promise<RunReport> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--unstable-worker-options", "--allow-read", RUNNER, path],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(`bench_runner failed: ${new TextDecoder().decode(stderr)}`);
  return JSON.parse(new TextDecoder().decode(stdout));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: { "size-gb": { type: "string", default: "10" }, entries: { type: "string", default: "100000" } },
  });
  const sizeBytes = Number(values["size-gb"]) * GIB;
  const entries = Number(values.entries);
  await Deno.mkdir(BENCH_DIR, { recursive: true });
  const path = join(BENCH_DIR, `gguf-${values["size-gb"]}gb-${entries}kv.gguf`);
  const wanted = { version: GENERATOR_VERSION, sizeBytes, entries };
  let manifest: typeof wanted & { headerBytes: number } | undefined;
  try {
    manifest = JSON.parse(await Deno.readTextFile(`${path}.json`));
  } catch { /* no manifest yet */ }
  if (
    !manifest ||
    Object.entries(wanted).some(([key, value]) => manifest![key as keyof typeof wanted] !== value)
  ) {
    manifest = { ...wanted, headerBytes: await writeSparseGguf(path, sizeBytes, entries) };
    await Deno.writeTextFile(`${path}.json`, JSON.stringify(manifest));
  }
  const size = (await Deno.stat(path)).size;
  const report = await runCase(path);
  const read = report.bytesRead ?? NaN;
  console.log(
    `gguf: ${
      (size / GIB).toFixed(1)
    } GiB, ${entries} metadata entries (a ${VOCABULARY_TOKENS}-token vocabulary), ` +
      `${TENSORS} tensors, a header of ${(manifest.headerBytes / 2 ** 20).toFixed(2)} MiB\n  wall ${
        (report.elapsedMs / 1000).toFixed(2)
      } s, peak RSS ${(report.peakRssKib / 1024).toFixed(0)} MiB (base ${
        (report.baseRssKib / 1024).toFixed(0)
      } MiB), read ${(read / 2 ** 20).toFixed(2)} MiB (${
        (read / size).toExponential(2)
      } of the file), findings ${report.findings}`,
  );
  const problems = [];
  if (report.errorCount > 0) problems.push(`scan errors: ${JSON.stringify(report.errors)}`);
  if (report.findings > 0) problems.push(`expected clean, found: ${report.sample.join("; ")}`);
  if (!(read <= size * MAX_READ_SHARE)) problems.push(`read ${read} bytes of ${size}`);
  if (problems.length > 0) {
    console.log(problems.map((p) => `  - ${p}`).join("\n"));
    Deno.exitCode = 1;
  }
}

if (import.meta.main) await main();
