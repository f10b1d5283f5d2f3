/**
 * The input of `deno task bench`'s `safetensors` case: a safetensors file of
 * gigabytes written sparse (the header, then a hole: no disk space, no time to
 * write), whose header is shaped like a real large model's: BF16, F32 and I64
 * tensors tiling the data buffer, and a small `__metadata__`.
 *
 * @module
 */

/** dtypes the tensors cycle through, with their bytes per element. */
const DTYPES: readonly [string, number][] = [["BF16", 2], ["F32", 4], ["I64", 8]];

/** The JSON header of `count` tensors tiling `dataBytes` (a multiple of `8 * count`), padded with spaces to 8 bytes. */
function header(dataBytes: number, count: number): Uint8Array {
  const entries: Record<string, unknown> = { __metadata__: { format: "pt" } };
  const each = dataBytes / count;
  for (let i = 0; i < count; i++) {
    const [dtype, size] = DTYPES[i % DTYPES.length];
    entries[`model.layers.${i}.weight`] = {
      dtype,
      shape: [each / size / 8, 8],
      data_offsets: [i * each, (i + 1) * each],
    };
  }
  const json = new TextEncoder().encode(JSON.stringify(entries));
  const padded = new Uint8Array(Math.ceil(json.length / 8) * 8).fill(0x20);
  padded.set(json);
  return padded;
}

/**
 * Writes at `path` a safetensors file of about `bytes` bytes with `count` tensors, sparse; returns its
 * exact size and its header's length.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeSparseSafetensors } from "./bench_safetensors.ts";
 * const path = await Deno.makeTempFile();
 * const { size, headerLength } = await writeSparseSafetensors(path, 1_000_000, 10);
 * assert.equal((await Deno.stat(path)).size, size);
 * assert.equal(headerLength % 8, 0);
 * await Deno.remove(path);
 * ```
 */
export async function writeSparseSafetensors(
  path: string,
  bytes: number,
  count: number,
): Promise<{ size: number; headerLength: number }> {
  // Every tensor a multiple of 8 bytes, whatever its dtype.
  const dataBytes = Math.floor(bytes / (8 * count)) * 8 * count;
  const json = header(dataBytes, count);
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(json.length), true);
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  for (const part of [prefix, json]) {
    for (let done = 0; done < part.length;) done += await file.write(part.subarray(done));
  }
  await file.truncate(8 + json.length + dataBytes);
  return { size: 8 + json.length + dataBytes, headerLength: json.length };
}
