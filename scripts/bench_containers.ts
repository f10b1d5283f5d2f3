/**
 * Writes the benchmark's container inputs: a directory of mixed small files
 * (pickles, gzip-compressed pickles, zips of pickles, NumPy arrays and JSON
 * configs),
 * and a multi-gigabyte PyTorch checkpoint written by the real `torch.save`
 * (Debian's python3-torch), whose tensor data a scan must never read.
 *
 * Only `scripts/bench.ts` uses this module; nothing here is loaded by the scanner.
 *
 * @module
 */

import { join } from "node:path";
import { BlobWriter, configure, Uint8ArrayReader, ZipWriter } from "@zip.js/zip.js";
import { PLANT_EVERY, smallPickle } from "./bench_pickles.ts";

configure({ useWebWorkers: false });

/** The kinds of file in the mixed directory, in turn. */
const MIXED_KINDS = ["pkl", "pkl.gz", "zip", "npy", "json"] as const;

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A zip holding a pickle (deflated, as `zipfile` and `np.savez_compressed` write) and a stored text member. */
async function zipOf(pickle: Uint8Array, index: number): Promise<Uint8Array> {
  const writer = new ZipWriter(new BlobWriter("application/zip"));
  await writer.add(`model_${index}/weights.pkl`, new Uint8ArrayReader(pickle), { level: 6 });
  await writer.add(`model_${index}/README.txt`, new Uint8ArrayReader(new TextEncoder().encode("a model\n")), {
    level: 0,
  });
  return new Uint8Array(await (await writer.close()).arrayBuffer());
}

/** A float32 `.npy` array of `count` elements, laid out as `np.save` writes it (header padded to 64 bytes). */
function npy(count: number): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${count},), }`;
  const unpadded = 10 + header.length + 1;
  header += " ".repeat((64 - unpadded % 64) % 64) + "\n";
  const out = new Uint8Array(10 + header.length + 4 * count);
  out.set([
    0x93,
    ..."NUMPY".split("").map((c) => c.charCodeAt(0)),
    1,
    0,
    header.length & 0xff,
    header.length >> 8,
  ]);
  out.set(new TextEncoder().encode(header), 10);
  new Float32Array(out.buffer, 10 + header.length, count).fill(0.5);
  return out;
}

/** Written by {@linkcode writeMixedDirectory}. */
export interface MixedWritten {
  bytes: number;
  /** File names whose content carries the planted call (inside a zip or a gzip for some). */
  planted: string[];
}

/**
 * Writes `files` small files of mixed formats into `dir`; one in
 * {@linkcode PLANT_EVERY} pickles carries a harmless `os.system` call, whatever
 * container it is in.
 *
 * @example
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { scan } from "../engine/scan.ts";
 * import { writeMixedDirectory } from "./bench_containers.ts";
 * const dir = await Deno.makeTempDir();
 * const written = await writeMixedDirectory(dir, 10);
 * // The first group plants the call in every container kind: a pickle, a gzip of it, a zip of it.
 * assert.deepEqual(written.planted, ["mixed_000000.pkl", "mixed_000001.pkl.gz", "mixed_000002.zip"]);
 * const result = await scan([dir], { sandbox: false });
 * assert.equal(result.files.filter((file) => file.format === "json").length, 2); // configs are read too
 * await Deno.remove(dir, { recursive: true });
 * const flagged = result.files.filter((file) => file.findings.some((finding) => finding.rule === "MA101"));
 * assert.deepEqual(flagged.map((file) => file.path.slice(dir.length + 1)), written.planted);
 * ```
 */
export async function writeMixedDirectory(dir: string, files: number): Promise<MixedWritten> {
  const planted: string[] = [];
  let bytes = 0;
  for (let i = 0; i < files; i++) {
    const kind = MIXED_KINDS[i % MIXED_KINDS.length];
    const name = `mixed_${String(i).padStart(6, "0")}.${kind}`;
    // The pickle of the group's first file: a planted group plants it in every container kind.
    const group = i - i % MIXED_KINDS.length;
    const pickle = smallPickle(group);
    const data = kind === "pkl"
      ? pickle
      : kind === "pkl.gz"
      ? await gzip(pickle)
      : kind === "zip"
      ? await zipOf(pickle, i)
      : kind === "npy"
      ? npy(64 + i % 256)
      : new TextEncoder().encode(JSON.stringify({ index: i, architectures: ["Bench"] }) + "\n");
    await Deno.writeFile(join(dir, name), data);
    bytes += data.length;
    if (group % PLANT_EVERY === 0 && (kind === "pkl" || kind === "pkl.gz" || kind === "zip")) {
      planted.push(name);
    }
  }
  return { bytes, planted };
}

/** Tensors in the checkpoint: a state dict of this many float32 tensors, like a model's layers. */
const CHECKPOINT_TENSORS = 64;

/**
 * Writes a PyTorch checkpoint of about `sizeMb` MiB with the real `torch.save`
 * (a stored zip: `archive/data.pkl`, `archive/data/0`…), through Debian's
 * `/usr/bin/python3`. Throws when torch is not installed there.
 *
 * @example
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { scan } from "../engine/scan.ts";
 * import { writeTorchCheckpoint } from "./bench_containers.ts";
 * // Needs Debian's python3-torch, as `deno task bench` does.
 * const path = await Deno.makeTempFile({ suffix: ".pt" });
 * const size = await writeTorchCheckpoint(path, 1);
 * assert.ok(size > 2 ** 20); // 1 MiB of float32 weights, and the zip around them
 * const result = await scan([path], { sandbox: false });
 * await Deno.remove(path);
 * assert.deepEqual(result.files.map((file) => [file.format, file.findings]), [["pytorch", []]]);
 * ```
 */
export async function writeTorchCheckpoint(path: string, sizeMb: number): Promise<number> {
  const elements = Math.max(1, Math.floor(sizeMb * 2 ** 20 / 4 / CHECKPOINT_TENSORS));
  const program = [
    "import sys, torch",
    "path, count, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])",
    // Distinct values per tensor, so nothing about the data is special.
    "state = {f'layers.{i}.weight': torch.full((n,), float(i)) for i in range(count)}",
    "torch.save(state, path)",
  ].join("\n");
  await runDebianPython(program, [path, String(CHECKPOINT_TENSORS), String(elements)], "torch");
  return (await Deno.stat(path)).size;
}

/**
 * Runs a Python `program` with `args` under Debian's `/usr/bin/python3`, whose `package`
 * (`torch`, `h5py`) writes a benchmark input; throws with Python's error when it fails.
 *
 * @example
 * ```ts ignore
 * import { runDebianPython } from "./bench_containers.ts";
 * await runDebianPython("import sys; open(sys.argv[1], 'w').write('x')", ["/tmp/x.txt"], "python3");
 * ```
 */
export async function runDebianPython(program: string, args: string[], package_: string): Promise<void> {
  const { code, stderr } = await new Deno.Command("/usr/bin/python3", {
    args: ["-c", program, ...args],
    stdout: "null",
    stderr: "piped",
  }).output().catch((error) => {
    throw new Error(`cannot run /usr/bin/python3 (${error.message}); install python3-${package_}`);
  });
  if (code !== 0) throw new Error(`${package_} failed: ${new TextDecoder().decode(stderr).trim()}`);
}
