/**
 * The input of `deno task bench`'s `gguf` case: a GGUF v3 file of gigabytes written sparse (the
 * header, then a hole: no disk space, no time to write), whose header is shaped like a large
 * model's: a 150,000-token vocabulary with scores and token types (as Llama 3's and Qwen's),
 * Llama 3.1's real chat template, and metadata entries up to the count asked for, half of them
 * strings, then ten F32 tensors tiling the data section.
 *
 * @module
 */

/** Tokens in the vocabulary array, as Llama 3's and Qwen's (128k to 152k). */
export const VOCABULARY_TOKENS = 150_000;
/** F32 tensors the data section is split into. */
const TENSORS = 10;
/** A real template the scan analyses (committed as collected, under the Jinja fixtures). */
const TEMPLATE = new URL(
  "../fixtures/jinja/benign/real/llama.cpp/meta-llama-Llama-3.1-8B-Instruct.jinja",
  import.meta.url,
);

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
 * Writes at `path` a sparse GGUF v3 file of about `sizeBytes` bytes with `entries` metadata entries
 * (at least five: the architecture, the vocabulary's three arrays and the chat template) and
 * {@linkcode TENSORS} F32 tensors filling the data section; returns its exact size and its
 * header's size in bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scanFile } from "../engine/scan_file.ts";
 * import { writeSparseGguf } from "./bench_gguf.ts";
 * const path = await Deno.makeTempFile({ suffix: ".gguf" });
 * const { size, headerBytes } = await writeSparseGguf(path, 2 ** 30, 1000); // 1 GiB, nearly all of it a hole
 * assert.equal((await Deno.stat(path)).size, size);
 * assert.ok(headerBytes < size);
 * // The structure only: the weight analysis (on by default) would read the tensors' values.
 * const outcome = await scanFile({ realPath: path, path: "model.gguf", blacklist: [], scannerOptions: { weights: { enabled: 0 } } });
 * await Deno.remove(path);
 * assert.equal(outcome.format, "gguf");
 * assert.deepEqual(outcome.findings, []);
 * assert.ok(outcome.bytesScanned < 2 * headerBytes + 2 ** 20); // the header is read, the tensors are not
 * ```
 */
export async function writeSparseGguf(
  path: string,
  sizeBytes: number,
  entries: number,
): Promise<{ size: number; headerBytes: number }> {
  if (entries < 5) throw new Error("a GGUF bench file has at least 5 metadata entries");
  const out = new GgufBytes();
  out.u32(0x46554747).u32(3).u64(TENSORS).u64(entries);
  out.string("general.architecture").u32(STRING).string("llama");
  out.string("tokenizer.chat_template").u32(STRING).string(await Deno.readTextFile(TEMPLATE));
  out.string("tokenizer.ggml.tokens").u32(ARRAY).u32(STRING).u64(VOCABULARY_TOKENS);
  for (let i = 0; i < VOCABULARY_TOKENS; i++) {
    out.string(i < 256 ? `<0x${i.toString(16).padStart(2, "0")}>` : `▁tok${i}`);
  }
  out.string("tokenizer.ggml.scores").u32(ARRAY).u32(FLOAT32).u64(VOCABULARY_TOKENS);
  for (let i = 0; i < VOCABULARY_TOKENS; i++) out.f32(-i);
  out.string("tokenizer.ggml.token_type").u32(ARRAY).u32(INT32).u64(VOCABULARY_TOKENS);
  for (let i = 0; i < VOCABULARY_TOKENS; i++) out.u32(i < 256 ? 6 : 1);
  for (let i = 5; i < entries; i++) {
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
  for (let done = 0; done < header.length;) done += await file.write(header.subarray(done));
  // The tensor data is a hole: the file takes the header's blocks on disk, not gigabytes.
  const size = dataStart + TENSORS * perTensor;
  await file.truncate(size);
  return { size, headerBytes: header.length };
}
