/**
 * The NumPy `.npy` scanner. The header is read and validated as `np.load` reads it (see
 * `header.ts`); then what follows depends on the dtype:
 * - an object dtype (`|O`, or a structured dtype with an object field) means the data is a
 *   pickle, which `np.load(allow_pickle=True)` unpickles: it is scanned as one, with positions
 *   in the file;
 * - any other dtype is raw data that is never read, only sized: `prod(shape) × itemsize` bytes
 *   must fill the file exactly. Fewer is a truncated file (np.load fails); more is data np.load
 *   ignores, reported and scanned opportunistically as `<trailing@OFFSET>`.
 *
 * Whatever this scanner cannot establish it reports as MA310, and where the bytes after the
 * header could be a pickle a loader unpickles (a header it cannot parse, a dtype it does not
 * understand that may name objects), they are scanned as one if they look like one.
 *
 * @module
 */

import { type ByteSource, subSource } from "../../core/byte_source.ts";
import { HEAD_BYTES } from "../../core/detection.ts";
import type { ScanContext, Scanner } from "../../core/scanner.ts";
import { scannerOptions } from "../options.ts";
import { detectPickle, scanPickle } from "../pickle/scanner.ts";
import { analyseDescr } from "./dtype.ts";
import { type NpyHeader, readNpyHeader } from "./header.ts";
import { listNpy } from "./tensors.ts";

function malformed(
  ctx: ScanContext,
  message: string,
  position: number,
  details: Record<string, unknown> = {},
) {
  ctx.report({ rule: "MA310", message, position, details: { position, ...details } });
}

/** Scans the bytes from `start` as a pickle if they look like one. */
async function scanIfPickle(source: ByteSource, ctx: ScanContext, start: number): Promise<void> {
  if (detectPickle(await source.read(start, HEAD_BYTES), source.size - start)) {
    await scanPickle(source, ctx, { start });
  }
}

/** Sizes the raw data of a non-object array against the file. */
async function checkDataSize(source: ByteSource, ctx: ScanContext, header: NpyHeader, itemsize: bigint) {
  const { dataOffset, shape } = header;
  if (shape.some((dim) => dim < 0n)) {
    malformed(ctx, "The shape has a negative dimension: np.load cannot read the array", header.headerOffset, {
      shape: shape.map(String),
    });
    return;
  }
  const bytes = shape.reduce((product, dim) => product * dim, 1n) * itemsize;
  const end = BigInt(dataOffset) + bytes;
  const size = BigInt(source.size);
  if (end > size) {
    malformed(
      ctx,
      `Truncated: the array's data needs ${bytes} bytes, ${size - BigInt(dataOffset)} remain`,
      dataOffset,
      { dataBytes: String(bytes), remaining: source.size - dataOffset },
    );
  } else if (end < size) {
    const at = Number(end);
    malformed(ctx, `${size - end} bytes follow the array's data; np.load ignores them`, at, {
      trailingBytes: source.size - at,
    });
    await ctx.scanNested(subSource(source, at, source.size - at), `<trailing@${at}>`, {
      opportunistic: true,
    });
  }
}

/**
 * Scans a `.npy` file (or an `.npz` member, which np.load reads the same way).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { scanNpy } from "./scanner.ts";
 * // np.save(f, np.zeros(2, "<f4")): a header padded to 128 bytes, then 8 bytes of data
 * const text = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }".padEnd(117) + "\n";
 * const npy = Uint8Array.of(0x93, ...new TextEncoder().encode("NUMPY"), 1, 0, text.length, 0, ...new TextEncoder().encode(text), ...new Uint8Array(8));
 * const { ctx, findings } = recordingContext("zeros.npy");
 * await scanNpy(bytesSource(npy), ctx);
 * assert.equal(findings.length, 0);
 * const short = recordingContext("zeros.npy");
 * await scanNpy(bytesSource(npy.subarray(0, 132)), short.ctx); // 4 bytes of the 8 the header promises
 * assert.deepEqual(short.findings.map((f) => f.rule), ["MA310"]);
 * ```
 */
export async function scanNpy(source: ByteSource, ctx: ScanContext): Promise<void> {
  const result = await readNpyHeader(source, scannerOptions(ctx).numpy);
  if (!result.ok) {
    const { reason, position, dataOffset, option } = result.problem;
    if (position === 0) {
      // Only a member a container names as .npy gets here: np.load hands its bytes back raw.
      malformed(ctx, "Not a .npy array (no magic string): np.load returns its bytes as they are", 0);
      await ctx.scanNested(source, "<raw>", { opportunistic: true });
      return;
    }
    malformed(ctx, `Invalid .npy header: ${reason}`, position, option ? { option } : {});
    if (dataOffset !== undefined) await scanIfPickle(source, ctx, dataOffset);
    return;
  }
  const { header } = result;
  const dtype = analyseDescr(header.descr);
  if (dtype.kind === "object") {
    if (ctx.inventory) await listNpy(header, undefined, source, ctx.path, ctx.inventory);
    await scanPickle(source, ctx, { start: header.dataOffset });
  } else if (dtype.kind === "unknown") {
    malformed(
      ctx,
      `The header's descr is not understood (${dtype.reason}); its data was not checked`,
      header.headerOffset,
    );
    if (dtype.mayHoldObjects) await scanIfPickle(source, ctx, header.dataOffset);
  } else {
    await checkDataSize(source, ctx, header, dtype.itemsize);
    if (ctx.inventory) await listNpy(header, dtype.itemsize, source, ctx.path, ctx.inventory);
  }
}

/**
 * The NumPy scanner, loaded by its registry entry (`numpyDescriptor` in `descriptor.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { numpyScanner } from "./scanner.ts";
 * // An object array: np.load(allow_pickle=True) unpickles its data.
 * const text = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }".padEnd(117) + "\n";
 * const data = "cos\nsystem\n(S'echo pwned'\ntR.";
 * const npy = Uint8Array.of(0x93, ...new TextEncoder().encode("NUMPY"), 1, 0, text.length, 0, ...new TextEncoder().encode(text + data));
 * const { ctx, findings } = recordingContext("objects.npy");
 * await numpyScanner.scan(bytesSource(npy), ctx);
 * assert.deepEqual(findings.map((f) => [f.rule, f.position]), [["MA100", 128], ["MA101", 155]]);
 * ```
 */
export const numpyScanner: Scanner = { scan: scanNpy };
