/**
 * The `storages` and `tensors` members of a legacy torch tar (what `torch.save`
 * wrote before 0.1.10, and what `torch.load` still reads through `legacy_load`
 * when a file is a tar). Each is a stream of pickles with raw records between
 * them, read by torch 1.13 as follows:
 *
 * - `storages`: a pickle of the storage count; per storage a pickle
 *   `(key, location, storage_type)` followed by the storage as `_write_file` wrote
 *   it (its element count as a little-endian int64, then count × element size
 *   bytes); then one pickle of the storage views.
 * - `tensors`: a pickle of the tensor count; per tensor a pickle
 *   `(key, storage_id, tensor_type)` followed by its metadata: ndim as a
 *   little-endian int32 and 4 bytes torch skips, ndim int64 sizes, ndim int64
 *   strides, and the storage offset as an int64.
 *
 * torch reads each pickle with a fresh unpickler, so each is scanned as a pickle
 * of its own; records are skipped by the sizes they declare and never read. A
 * record that does not add up is one MA105 where it is (torch fails there); bytes
 * after the last pickle, which torch ignores, are reported and scanned as pickles.
 *
 * @module
 */

import type { ByteSource } from "../../core/byte_source.ts";
import type { ScanContext, Scanner } from "../../core/scanner.ts";
import type { Value } from "../pickle/machine.ts";
import { type PickleOutcome, PickleStream, scanPickle } from "../pickle/scanner.ts";
import { scannerOptions } from "../options.ts";
import { STORAGE_ELEMENT_BYTES } from "./legacy.ts";

/** Bytes of a storage record's element count (a little-endian int64), before its data. */
const STORAGE_COUNT_BYTES = 8;

/** Bytes of a tensor record before its sizes: ndim as an int32, then 4 bytes torch skips. */
const TENSOR_NDIM_BYTES = 8;

/** Bytes of the int32 torch reads as a tensor's dimension count. */
const TENSOR_NDIM_INT_BYTES = 4;

/** Bytes per dimension of a tensor record: one int64 size and one int64 stride. */
const TENSOR_BYTES_PER_DIM = 16;

/** Bytes of a tensor record's storage offset (an int64), after its strides. */
const TENSOR_OFFSET_BYTES = 8;

function malformed(ctx: ScanContext, pos: number, reason: string): void {
  ctx.report({
    rule: "MA105",
    message: `Legacy torch tar member is malformed at ${pos}: ${reason}`,
    position: pos,
    details: { reason, position: pos },
  });
}

/** Scans the pickle at `offset` with a fresh unpickler, as torch loads each one; `undefined` when none is whole. */
async function pickleAt(
  source: ByteSource,
  ctx: ScanContext,
  offset: number,
  what: string,
): Promise<PickleOutcome | undefined> {
  const outcome = await new PickleStream(source, ctx, { start: offset }).next();
  if (outcome.end === "stop") return outcome;
  // A broken pickle was reported where it broke.
  if (outcome.end === "end") malformed(ctx, offset, `truncated: ${what} is missing`);
  return undefined;
}

/** Reads the count pickle at the start of a member; `undefined` (reported) when it is no usable count. */
async function countAt(
  source: ByteSource,
  ctx: ScanContext,
  what: "storage" | "tensor",
  max: number,
): Promise<PickleOutcome & { count: number } | undefined> {
  const outcome = await pickleAt(source, ctx, 0, `the ${what} count`);
  if (outcome === undefined) return undefined;
  const value = outcome.value;
  const count = value?.kind === "int" && value.value !== undefined
    ? BigInt(value.value as number | bigint)
    : -1n;
  if (count < 0n) {
    malformed(ctx, 0, `the first pickle is not the ${what} count`);
    return undefined;
  }
  if (count > BigInt(max)) {
    ctx.report({
      rule: "MA110",
      message:
        `Legacy torch tar member declares ${count} ${what}s, more than ${max}; its records were not analysed`,
      position: 0,
      details: {
        limit: what === "storage" ? "MAX_LEGACY_STORAGES" : "MAX_LEGACY_TENSORS",
        option: what === "storage" ? "pytorch.maxLegacyStorages" : "pytorch.maxLegacyTensors",
        max,
        position: 0,
      },
    });
    return undefined;
  }
  return { ...outcome, count: Number(count) };
}

/** Bytes per element of the storage type a `(key, location, storage_type)` tuple names, if known. */
function elementBytes(value: Value | undefined): number | undefined {
  if (value?.kind !== "tuple") return undefined;
  const type = value.items[2];
  if (type?.kind !== "global" || !type.resolved || value.count !== 3) return undefined;
  return STORAGE_ELEMENT_BYTES.get(type.name!);
}

/**
 * Reads the little-endian count of `bytes` bytes (4 or 8) at `offset` that starts a record;
 * `undefined` (reported) when it is cut short or negative.
 */
async function readCount(
  source: ByteSource,
  ctx: ScanContext,
  offset: number,
  bytes: 4 | 8,
  what: string,
): Promise<bigint | undefined> {
  const data = await source.read(offset, bytes);
  const view = new DataView(data.buffer, data.byteOffset, data.length);
  const count = data.length < bytes
    ? undefined
    : bytes === 4
    ? BigInt(view.getInt32(0, true))
    : view.getBigInt64(0, true);
  if (count !== undefined && count >= 0n) return count;
  malformed(ctx, offset, `${count === undefined ? "truncated: " : ""}${what} is ${count ?? "missing"}`);
  return undefined;
}

/** Checks that a record of `needed` bytes fits at `offset`; returns the offset after it. */
function skipRecord(
  source: ByteSource,
  ctx: ScanContext,
  offset: number,
  needed: bigint,
  what: string,
): number | undefined {
  const remaining = source.size - offset;
  if (needed > BigInt(remaining)) {
    malformed(ctx, offset, `truncated: ${what} needs ${needed} bytes, ${remaining} remain`);
    return undefined;
  }
  return offset + Number(needed);
}

/** Reports and scans bytes after the last pickle, which torch never reads. */
async function trailing(source: ByteSource, ctx: ScanContext, end: number, after: string): Promise<void> {
  if (end >= source.size) return;
  malformed(ctx, end, `${source.size - end} bytes follow ${after}; torch.load ignores them`);
  await scanPickle(source, ctx, { start: end });
}

/** Skips one raw record at `offset`, after the pickle whose value describes it; `undefined` when it does not add up. */
type RecordSkipper = (
  source: ByteSource,
  ctx: ScanContext,
  offset: number,
  value: Value | undefined,
  index: number,
) => Promise<number | undefined>;

/** Skips one storage record at `offset` (after its pickle), sized by the storage type the pickle named. */
const storageRecord: RecordSkipper = async (source, ctx, offset, value, index) => {
  const bytes = elementBytes(value);
  if (bytes === undefined) {
    malformed(
      ctx,
      offset,
      `storage ${index} cannot be sized: its pickle is not (key, location, a storage type)`,
    );
    return undefined;
  }
  const count = await readCount(
    source,
    ctx,
    offset,
    STORAGE_COUNT_BYTES,
    `the element count of storage ${index}`,
  );
  if (count === undefined) return undefined;
  const needed = BigInt(STORAGE_COUNT_BYTES) + count * BigInt(bytes);
  return skipRecord(source, ctx, offset, needed, `storage ${index} of ${count} elements`);
};

/** Skips one tensor's metadata record at `offset` (after its pickle), sized by its dimension count. */
const tensorRecord: RecordSkipper = async (source, ctx, offset, _value, index) => {
  const ndim = await readCount(
    source,
    ctx,
    offset,
    TENSOR_NDIM_INT_BYTES,
    `the dimension count of tensor ${index}`,
  );
  if (ndim === undefined) return undefined;
  const needed = BigInt(TENSOR_NDIM_BYTES + TENSOR_OFFSET_BYTES) + ndim * BigInt(TENSOR_BYTES_PER_DIM);
  return skipRecord(source, ctx, offset, needed, `tensor ${index} of ${ndim} dimensions`);
};

/**
 * Reads a member's count pickle, then that many pickles each followed by a raw record;
 * returns the offset after the last record, or `undefined` once something did not add up.
 */
async function scanRecords(
  source: ByteSource,
  ctx: ScanContext,
  what: "storage" | "tensor",
  max: number,
  skip: RecordSkipper,
): Promise<number | undefined> {
  const header = await countAt(source, ctx, what, max);
  if (header === undefined) return undefined;
  let offset = header.offset;
  for (let index = 0; index < header.count; index++) {
    ctx.signal.throwIfAborted();
    const outcome = await pickleAt(source, ctx, offset, `the pickle of ${what} ${index}`);
    if (outcome === undefined) return undefined;
    const next = await skip(source, ctx, outcome.offset, outcome.value, index);
    if (next === undefined) return undefined;
    offset = next;
  }
  return offset;
}

/**
 * Scans a legacy torch tar's `storages` member: its pickles as pickles, its
 * storage records skipped by their declared sizes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { scanLegacyStorages } from "./legacy_tar_records.ts";
 * // One storage whose location os.system computes, with no elements (an int64 0), then the views.
 * const member = "I1\n." + "(S'0'\ncos\nsystem\n(S'echo pwned'\ntRctorch\nFloatStorage\nt." + "\0".repeat(8) + "(l.";
 * const { ctx, findings } = recordingContext("model.tar:storages");
 * await scanLegacyStorages(bytesSource(new TextEncoder().encode(member)), ctx);
 * assert.deepEqual(findings.map((f) => [f.rule, f.position]), [["MA100", 10], ["MA101", 37]]);
 * ```
 */
export async function scanLegacyStorages(source: ByteSource, ctx: ScanContext): Promise<void> {
  const max = scannerOptions(ctx).pytorch.maxLegacyStorages;
  const end = await scanRecords(source, ctx, "storage", max, storageRecord);
  if (end === undefined) return;
  const views = await pickleAt(source, ctx, end, "the storage views pickle");
  if (views !== undefined) await trailing(source, ctx, views.offset, "the storage views pickle");
}

/**
 * Scans a legacy torch tar's `tensors` member: its pickles as pickles, each
 * tensor's metadata record skipped by its declared dimension count.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { scanLegacyTensors } from "./legacy_tar_records.ts";
 * // One tensor, then its record: ndim 1 (int32, 4 skipped bytes), size 2, stride 1, offset 0 (int64s).
 * const record = "\x01" + "\0".repeat(7) + "\x02" + "\0".repeat(7) + "\x01" + "\0".repeat(7) + "\0".repeat(8);
 * const member = "I1\n." + "(S'0'\nS'0'\nctorch\nFloatTensor\nt." + record;
 * const { ctx, findings } = recordingContext("model.tar:tensors");
 * await scanLegacyTensors(bytesSource(new TextEncoder().encode(member)), ctx);
 * assert.equal(findings.length, 0);
 * const truncated = recordingContext("model.tar:tensors");
 * await scanLegacyTensors(bytesSource(new TextEncoder().encode(member.slice(0, -8))), truncated.ctx);
 * assert.deepEqual(truncated.findings.map((f) => f.rule), ["MA105"]); // torch fails where the record ends short
 * ```
 */
export async function scanLegacyTensors(source: ByteSource, ctx: ScanContext): Promise<void> {
  const end = await scanRecords(
    source,
    ctx,
    "tensor",
    scannerOptions(ctx).pytorch.maxLegacyTensors,
    tensorRecord,
  );
  if (end !== undefined) await trailing(source, ctx, end, "the last tensor record");
}

/**
 * The scanner `torch.load` amounts to for a legacy tar's `storages` member; reached
 * only through the legacy torch tar profile's `loadAs`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { legacyStoragesScanner } from "./legacy_tar_records.ts";
 * // No storages, then an empty list of views.
 * const { ctx, findings } = recordingContext("model.tar:storages");
 * await legacyStoragesScanner.scan(bytesSource(new TextEncoder().encode("I0\n.(l.")), ctx);
 * assert.equal(findings.length, 0);
 * ```
 */
export const legacyStoragesScanner: Scanner = { scan: scanLegacyStorages };

/**
 * The scanner `torch.load` amounts to for a legacy tar's `tensors` member; reached
 * only through the legacy torch tar profile's `loadAs`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { legacyTensorsScanner } from "./legacy_tar_records.ts";
 * const { ctx, findings } = recordingContext("model.tar:tensors");
 * await legacyTensorsScanner.scan(bytesSource(new TextEncoder().encode("I0\n.")), ctx); // no tensors
 * assert.equal(findings.length, 0);
 * ```
 */
export const legacyTensorsScanner: Scanner = { scan: scanLegacyTensors };
