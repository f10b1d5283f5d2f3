/**
 * `deno task bench:safetensors`: one 10 GB safetensors file, written sparse
 * (the header, then a hole: no disk space, no time to write), scanned in a
 * process of its own by `scripts/bench_runner.ts` (sandboxed workers, as the
 * CLI). Prints the wall time of the scan, the peak resident memory (and the
 * runtime's own before the scan) and the bytes the scanners read, and exits 1
 * when the scan finds anything, fails, or reads more than the header and the
 * detection head: the scanner must never read tensor data.
 *
 * The header is shaped like a real large model's: 1,000 BF16, F32 and I64
 * tensors tiling the 10 GB data buffer, and a small `__metadata__`.
 * Options: `--size-gb N` (default 10), `--tensors N` (default 1000).
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { HEAD_BYTES } from "../core/scanner.ts";
import type { RunReport } from "./bench_runner.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BENCH_DIR = join(ROOT, ".bench");
const RUNNER = fileURLToPath(new URL("./bench_runner.ts", import.meta.url));
const GB = 1_000_000_000;
/** dtypes the tensors cycle through, with their bytes per element. */
const DTYPES: readonly [string, number][] = [["BF16", 2], ["F32", 4], ["I64", 8]];

/** A header whose `count` tensors tile exactly `dataBytes` (each size a multiple of 8, the last takes the rest). */
function header(dataBytes: number, count: number): Uint8Array {
  const entries: Record<string, unknown> = { __metadata__: { format: "pt" } };
  const each = Math.floor(dataBytes / count / 8) * 8;
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const bytes = i === count - 1 ? dataBytes - offset : each;
    const [dtype, size] = DTYPES[i % DTYPES.length];
    entries[`model.layers.${i}.weight`] = {
      dtype,
      shape: [bytes / size / 8, 8],
      data_offsets: [offset, offset + bytes],
    };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(entries));
  const padded = new Uint8Array(Math.ceil(json.length / 8) * 8).fill(0x20);
  padded.set(json);
  return padded;
}

/** Writes the header and leaves the rest of `size` bytes a hole; returns the header length. */
async function writeSparse(path: string, dataBytes: number, count: number): Promise<number> {
  const json = header(dataBytes, count);
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(json.length), true);
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  await file.write(prefix);
  for (let done = 0; done < json.length;) done += await file.write(json.subarray(done));
  await file.truncate(8 + json.length + dataBytes);
  return json.length;
}

/** Scans `path` in a process of its own (see `bench_runner.ts`). */
async function run(path: string): Promise<RunReport> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--unstable-worker-options", "--allow-read", RUNNER, path],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(`bench_runner failed: ${new TextDecoder().decode(stderr)}`);
  return JSON.parse(new TextDecoder().decode(stdout).trim().split("\n").at(-1)!);
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { "size-gb": { type: "string", default: "10" }, tensors: { type: "string", default: "1000" } },
  });
  // Tensor sizes are multiples of 8 bytes, whatever the dtype: a byte count divisible by 8 * tensors.
  const count = Number(values.tensors);
  const dataBytes = Math.floor(Number(values["size-gb"]) * GB / (8 * count)) * 8 * count;
  await Deno.mkdir(BENCH_DIR, { recursive: true });
  const path = join(BENCH_DIR, `safetensors-${values["size-gb"]}gb.safetensors`);
  const headerLength = await writeSparse(path, dataBytes, count);
  const size = (await Deno.stat(path)).size;

  // The same scan of a one-tensor file: what any file costs (a sandboxed worker, its modules), for comparison.
  const tiny = join(BENCH_DIR, "safetensors-tiny.safetensors");
  await writeSparse(tiny, 8, 1);
  const baseline = await run(tiny);
  const report = await run(path);
  // Detection reads the head, the scanner the header: the runner counts both reads.
  const maxRead = HEAD_BYTES + 8 + headerLength;
  console.log(
    [
      `safetensors: ${(size / GB).toFixed(2)} GB sparse file, ${count} tensors, header ${headerLength} B`,
      `  wall:       ${report.elapsedMs.toFixed(1)} ms (scan() alone, sandboxed worker included; ${
        baseline.elapsedMs.toFixed(1)
      } ms for a one-tensor file)`,
      `  peak RSS:   ${(report.peakRssKib / 1024).toFixed(1)} MiB (runtime before the scan: ${
        (report.baseRssKib / 1024).toFixed(1)
      } MiB)`,
      `  bytes read: ${report.bytesRead} (header ${
        8 + headerLength
      } B + detection head ${HEAD_BYTES} B; tensor data none)`,
      `  findings:   ${report.findings}, errors: ${report.errorCount}`,
    ].join("\n"),
  );
  const failures = [
    ...(report.findings > 0 ? [`findings on a clean file: ${report.sample.join("; ")}`] : []),
    ...(report.errorCount > 0 ? [`scan errors: ${JSON.stringify(report.errors)}`] : []),
    ...((report.bytesRead ?? Infinity) > maxRead
      ? [`read ${report.bytesRead} bytes, more than ${maxRead}`]
      : []),
  ];
  for (const failure of failures) console.error(`FAIL: ${failure}`);
  if (failures.length > 0) Deno.exit(1);
}
