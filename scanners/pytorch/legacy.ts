/**
 * The legacy (non-zip) PyTorch format: what `torch.save(obj, f, _use_new_zipfile_serialization=False)`
 * writes, and what every pickled tensor hands to `torch.storage._load_from_bytes`. A stream is five
 * pickles (torch's magic number, the protocol version, system information, the object, and the
 * sorted list of storage keys), then one raw record per key: the storage's element count as a
 * little-endian int64, then that many elements.
 *
 * `torch.load` unpickles all five pickles with a full unpickler, so each is scanned exactly like any
 * pickle. The records are then skipped by the sizes the object pickle's persistent ids declare, each
 * count checked against its storage's `numel` as torch checks it; tensor data is never read. A
 * record that does not add up is reported where it is; bytes after the last record, which torch
 * ignores, are scanned as pickles so nothing hides there.
 *
 * @module
 */

import { type ByteSource, subSource } from "../../core/byte_source.ts";
import { dtypeBytes, elementCount, type TensorInfo } from "../../core/tensor.ts";
import { weightTensor } from "../tensors/decode.ts";
import { safeShape, storageReach } from "../tensors/extent.ts";
import { TorchTensorCollector } from "./tensors.ts";
import type { ScanContext, Scanner } from "../../core/scanner.ts";
import { Disassembler } from "../pickle/disassembler.ts";
import type { Value } from "../pickle/machine.ts";
import { HIGHEST_PROTOCOL, OP } from "../pickle/opcodes.ts";
import { scannerOptions } from "../options.ts";
import { type PickleOutcome, PickleStream, scanPickle } from "../pickle/scanner.ts";

/** torch's `MAGIC_NUMBER`: the first pickle of every legacy stream is this integer and nothing else. */
export const LEGACY_MAGIC_NUMBER = 0x1950a86a20f9469cfc6cn;

/** Pickles before the raw records: magic number, protocol version, system info, object, storage keys. */
const LEGACY_PICKLES = 5;

/** Index (from 0) of the object pickle, the only one torch loads with a `persistent_load` for storages. */
const OBJECT_PICKLE = 3;

/** Bytes of a record's element count (a little-endian int64), which precede its data. */
const RECORD_HEADER_BYTES = 8;

/**
 * Bytes per element of each storage type, by class name: torch's legacy unpickler resolves any
 * global whose name it knows as one of these types, whatever its module.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { STORAGE_ELEMENT_BYTES } from "./legacy.ts";
 * assert.equal(STORAGE_ELEMENT_BYTES.get("FloatStorage"), 4);
 * ```
 */
export const STORAGE_ELEMENT_BYTES: ReadonlyMap<string, number> = new Map([
  ["DoubleStorage", 8],
  ["FloatStorage", 4],
  ["HalfStorage", 2],
  ["BFloat16Storage", 2],
  ["LongStorage", 8],
  ["IntStorage", 4],
  ["ShortStorage", 2],
  ["CharStorage", 1],
  ["ByteStorage", 1],
  ["BoolStorage", 1],
  ["ComplexDoubleStorage", 16],
  ["ComplexFloatStorage", 8],
  ["QInt8Storage", 1],
  ["QUInt8Storage", 1],
  ["QInt32Storage", 4],
  ["QUInt4x2Storage", 1],
  ["QUInt2x4Storage", 1],
  // An untyped storage is saved with its size in bytes (torch.storage.UntypedStorage, torch.UntypedStorage in 2.x).
  ["UntypedStorage", 1],
]);

/**
 * The magic-number pickle of protocols 0 and 1, byte for byte as pickle writes it (a text
 * LONG): compared as bytes because the disassembler decodes a text line only once it has
 * seen a whole line's worth of bytes or the end of the file, more than a head may hold.
 */
const TEXT_MAGIC_PICKLE = Uint8Array.from(`L${LEGACY_MAGIC_NUMBER}L\n.`, (c) => c.charCodeAt(0));

/**
 * Whether `head` starts a legacy torch stream: its first pickle is the magic number
 * alone, as LONG1 after PROTO 2 to 5 (and the FRAME protocols 4 and 5 add), or as the
 * text LONG protocols 0 and 1 write.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { detectLegacyTorch } from "./legacy.ts";
 * const magic = [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
 * assert.equal(detectLegacyTorch(new Uint8Array([0x80, 2, 0x8a, 10, ...magic, 0x2e]), 15), true);
 * assert.equal(detectLegacyTorch(new Uint8Array([0x80, 2, 0x4e, 0x2e]), 4), false);
 * ```
 */
export function detectLegacyTorch(head: Uint8Array, size: number): boolean {
  if (TEXT_MAGIC_PICKLE.every((b, i) => head[i] === b)) return true;
  const dis = Disassembler.fromBytes(head, size);
  const proto = dis.next();
  if (proto?.code !== OP.PROTO || (proto.arg as number) < 2 || (proto.arg as number) > HIGHEST_PROTOCOL) {
    return false;
  }
  let op = dis.next();
  if (op?.code === OP.FRAME) op = dis.next();
  return op?.code === OP.LONG1 && op.arg === LEGACY_MAGIC_NUMBER && dis.next()?.code === OP.STOP;
}

/** What the object pickle says about one storage, or why its record cannot be sized. */
type StorageDeclaration =
  | { pos: number; elementBytes: number; numel: bigint }
  | { pos: number; problem: string };

function constantText(value: Value | undefined): string | undefined {
  return value?.kind === "str" && typeof value.value === "string" ? value.value : undefined;
}

/** Declares one storage from its persistent id `('storage', type, key, location, numel, view)`. */
function declaration(type: Value | undefined, numel: Value | undefined, pos: number): StorageDeclaration {
  if (type?.kind !== "global" || !type.resolved) {
    return { pos, problem: `its storage type (persistent id at ${pos}) is not an import` };
  }
  const elementBytes = STORAGE_ELEMENT_BYTES.get(type.name!);
  if (elementBytes === undefined) {
    return {
      pos,
      problem:
        `its storage type ${type.module}.${type.name} (persistent id at ${pos}) has no known element size`,
    };
  }
  if (numel?.kind !== "int" || (typeof numel.value !== "number" && typeof numel.value !== "bigint")) {
    return { pos, problem: `its element count (persistent id at ${pos}) is not an integer constant` };
  }
  return { pos, elementBytes, numel: BigInt(numel.value) };
}

/** The storages the object pickle declares, first declaration of each key winning (as in torch). */
class StorageTable {
  readonly #ctx: ScanContext;
  readonly #declared = new Map<string, StorageDeclaration>();
  #overflowed = false;

  constructor(ctx: ScanContext) {
    this.#ctx = ctx;
  }

  /** Whether more storages than the `pytorch.maxLegacyStorages` option were declared (and reported). */
  get overflowed(): boolean {
    return this.#overflowed;
  }

  get(key: string): StorageDeclaration | undefined {
    return this.#declared.get(key);
  }

  /** Records a persistent id of the object pickle; ids that are not storages (`'module'`) name no record. */
  observe(pid: Value, pos: number): void {
    if (pid.kind !== "tuple" || this.#overflowed) return;
    const [tag, type, key, , numel] = pid.items;
    const name = constantText(key);
    if (constantText(tag) !== "storage" || name === undefined || this.#declared.has(name)) return;
    const max = scannerOptions(this.#ctx).pytorch.maxLegacyStorages;
    if (this.#declared.size >= max) {
      this.#overflowed = true;
      limitReached(this.#ctx, pos, `Legacy torch stream declares more than ${max} storages`);
      return;
    }
    this.#declared.set(name, declaration(type, numel, pos));
  }
}

/**
 * What torch's legacy `persistent_load` returns for a `('module', cls, source_file, source)` id:
 * the class itself (the source is only compared, never run). A class the pickle imported is then
 * instantiated like any other, so its layers are checked as in `pickle.dumps(model)`.
 */
function moduleClass(pid: Value): Value | undefined {
  if (pid.kind !== "tuple" || constantText(pid.items[0]) !== "module") return undefined;
  const cls = pid.items[1];
  return cls?.kind === "global" ? cls : undefined;
}

function limitReached(ctx: ScanContext, pos: number, message: string): void {
  const max = scannerOptions(ctx).pytorch.maxLegacyStorages;
  ctx.report({
    rule: "MA110",
    message: `${message}; its storage records were not analysed`,
    position: pos,
    details: { limit: "MAX_LEGACY_STORAGES", option: "pytorch.maxLegacyStorages", max, position: pos },
  });
}

function malformed(ctx: ScanContext, pos: number, reason: string, storage?: string): void {
  ctx.report({
    rule: "MA105",
    message: `Legacy torch stream is malformed at ${pos}: ${reason}`,
    position: pos,
    details: storage === undefined ? { reason, position: pos } : { reason, position: pos, storage },
  });
}

/**
 * Walks the raw records from `start` in the order of `keys` (the fifth pickle's value).
 * Returns the offset just past the last record, or `undefined` when a record does not
 * add up (reported: `torch.load` fails there, so nothing after it is ever loaded).
 */
async function skipRecords(
  source: ByteSource,
  ctx: ScanContext,
  start: number,
  keys: Value | undefined,
  table: StorageTable,
  records: Map<string, number>,
): Promise<number | undefined> {
  if (table.overflowed) return undefined;
  if (keys?.kind !== "list") {
    malformed(ctx, start, "the fifth pickle is not the list of storage keys the raw records follow");
    return undefined;
  }
  if (keys.count > scannerOptions(ctx).pytorch.maxLegacyStorages) {
    limitReached(ctx, start, `Legacy torch stream lists ${keys.count} storage records`);
    return undefined;
  }
  if (keys.items.length < keys.count) {
    malformed(
      ctx,
      start,
      `only ${keys.items.length} of the ${keys.count} storage keys could be kept to check`,
    );
    return undefined;
  }
  let offset = start;
  for (const item of keys.items) {
    ctx.signal.throwIfAborted();
    const key = constantText(item);
    if (key === undefined) {
      malformed(ctx, offset, "a storage key in the fifth pickle is not a string");
      return undefined;
    }
    const declared = table.get(key);
    if (declared === undefined) {
      malformed(ctx, offset, `record of storage "${key}", which no persistent id declares`, key);
      return undefined;
    }
    if ("problem" in declared) {
      malformed(ctx, offset, `record of storage "${key}" cannot be sized: ${declared.problem}`, key);
      return undefined;
    }
    const header = await source.read(offset, RECORD_HEADER_BYTES);
    if (header.length < RECORD_HEADER_BYTES) {
      malformed(
        ctx,
        offset,
        `truncated: record of storage "${key}" needs ${RECORD_HEADER_BYTES} bytes of element count, ${header.length} remain`,
        key,
      );
      return undefined;
    }
    const count = new DataView(header.buffer, header.byteOffset, RECORD_HEADER_BYTES).getBigInt64(0, true);
    if (count !== declared.numel) {
      malformed(
        ctx,
        offset,
        `record of storage "${key}" declares ${count} elements, its persistent id (pos ${declared.pos}) ${declared.numel}`,
        key,
      );
      return undefined;
    }
    if (count < 0n) {
      malformed(ctx, offset, `record of storage "${key}" declares a negative element count (${count})`, key);
      return undefined;
    }
    const needed = BigInt(RECORD_HEADER_BYTES) + count * BigInt(declared.elementBytes);
    const remaining = source.size - offset;
    if (needed > BigInt(remaining)) {
      malformed(
        ctx,
        offset,
        `truncated: record of storage "${key}" needs ${needed} bytes, ${remaining} remain`,
        key,
      );
      return undefined;
    }
    records.set(key, offset + RECORD_HEADER_BYTES);
    offset += Number(needed);
  }
  return offset;
}

/**
 * Checks that every tensor the object pickle rebuilds fits the storage its persistent id
 * declares (torch.load fails on one that reaches past it), and lists them when the scan lists
 * tensors: readable where its record was found whole (`records`: data offsets by storage key).
 */
async function checkTensors(
  source: ByteSource,
  ctx: ScanContext,
  collector: TorchTensorCollector,
  table: StorageTable,
  records: ReadonlyMap<string, number>,
): Promise<void> {
  for (const tensor of collector.tensors()) {
    const declared = table.get(tensor.storage);
    const reach = storageReach(tensor.shape, tensor.strides, tensor.offset);
    const fits = declared !== undefined && !("problem" in declared) && reach !== undefined &&
      reach <= declared.numel;
    if (declared !== undefined && !("problem" in declared) && reach !== undefined && !fits) {
      malformed(
        ctx,
        tensor.pos,
        `tensor "${tensor.name}" (shape [${tensor.shape.join(", ")}], stride [${
          tensor.strides.join(", ")
        }], offset ${tensor.offset}) reaches element ${reach} of storage "${tensor.storage}", which holds ${declared.numel}`,
        tensor.storage,
      );
    }
    const shape = safeShape(tensor.shape);
    if (!ctx.inventory || !shape) continue;
    const itemBytes = dtypeBytes(tensor.dtype) ?? STORAGE_ELEMENT_BYTES.get(tensor.storageType);
    const info: TensorInfo = {
      name: tensor.name,
      dtype: tensor.dtype,
      shape,
      ...(itemBytes === undefined ? {} : { bytes: elementCount(shape) * itemBytes }),
    };
    const at = records.get(tensor.storage);
    const readable = fits && at !== undefined
      ? weightTensor(info, {
        source: subSource(source, at, Number(declared.numel) * declared.elementBytes),
        strides: tensor.strides.map(Number),
        elementOffset: Number(tensor.offset),
      })
      : undefined;
    await ctx.inventory.tensor(info, readable);
  }
}

/**
 * Scans a legacy torch stream: its five pickles as pickles, its records by their
 * declared sizes, and anything after them as pickles again.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { scanLegacyTorch } from "./legacy.ts";
 * const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
 * // Five pickles, as torch.save(..., _use_new_zipfile_serialization=False) writes them: the magic
 * // number, the protocol version, sys_info, the object (here it calls os.system) and the storage keys.
 * const stream = "\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19." + "\x80\x02M\xe9\x03." + "\x80\x02}." +
 *   "cos\nsystem\n(S'echo pwned'\ntR." + "\x80\x02].";
 * const { ctx, findings } = recordingContext("model.pt");
 * await scanLegacyTorch(bytesSource(latin1(stream)), ctx);
 * assert.deepEqual(findings.map((f) => [f.rule, f.position]), [["MA100", 25], ["MA101", 52]]);
 * ```
 */
export async function scanLegacyTorch(source: ByteSource, ctx: ScanContext): Promise<void> {
  const table = new StorageTable(ctx);
  const { maxLegacyStorages } = scannerOptions(ctx).pytorch;
  const collector = new TorchTensorCollector(maxLegacyStorages, !!ctx.inventory);
  let index = 0;
  const stream = new PickleStream(source, ctx, {
    persistentId: (pid, pos) => {
      if (index !== OBJECT_PICKLE) return undefined;
      table.observe(pid, pos);
      return moduleClass(pid);
    },
    facts: collector.handlers(),
  });
  let outcome: PickleOutcome | undefined;
  for (; index < LEGACY_PICKLES; index++) {
    // The storage-key list is the one value needed whole, not just its first items.
    outcome = await stream.next(
      index === LEGACY_PICKLES - 1 ? { keepItems: scannerOptions(ctx).pytorch.maxLegacyStorages } : {},
    );
    if (outcome.end === "broken") return;
    if (outcome.end === "end") {
      malformed(
        ctx,
        outcome.offset,
        `truncated: the stream ends after ${index} of its ${LEGACY_PICKLES} pickles`,
      );
      return;
    }
  }
  const records = new Map<string, number>();
  const end = await skipRecords(source, ctx, outcome!.offset, outcome!.value, table, records);
  await checkTensors(source, ctx, collector, table, records);
  if (end === undefined || end >= source.size) return;
  malformed(ctx, end, `${source.size - end} bytes follow the last storage record; torch.load ignores them`);
  await scanPickle(source, ctx, { start: end });
}

/**
 * The legacy torch scanner, loaded by its registry entry (`legacyTorchDescriptor` in
 * `descriptors.ts`); {@linkcode detectLegacyTorch} confirms the magic number.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { legacyTorchScanner } from "./legacy.ts";
 * const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
 * // An empty state dict, as torch.save(..., _use_new_zipfile_serialization=False) writes it: five pickles.
 * const stream = "\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19." + "\x80\x02M\xe9\x03." + "\x80\x02}." +
 *   "\x80\x02}." + "\x80\x02].";
 * const { ctx, findings } = recordingContext("model.pt");
 * await legacyTorchScanner.scan(bytesSource(latin1(stream)), ctx);
 * assert.equal(findings.length, 0);
 * ```
 */
export const legacyTorchScanner: Scanner = {
  confirm: (head, source) => detectLegacyTorch(head, source.size),
  scan: scanLegacyTorch,
};
