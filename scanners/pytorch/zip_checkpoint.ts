/**
 * PyTorch zip checkpoints (`torch.save` since 1.6) and TorchScript archives
 * (`torch.jit.save`), as archive profiles of the zip scanner.
 *
 * torch's reader (`PyTorchStreamReader`) takes the folder of the archive's
 * first entry as the archive's name and reads every record under it:
 * `data.pkl` (the pickle `torch.load` unpickles), `data/<key>` (raw tensor
 * storages, read as bytes), `version` or `.data/version` (the format version,
 * 1 to 10), and since torch 2 `byteorder`, `.data/serialization_id`,
 * `.format_version` and `.storage_alignment`. A TorchScript archive (torch's own
 * test: it has `constants.pkl`) adds `constants.pkl` and `constants/<key>`,
 * `code/**.py` (compiled and run by `torch.jit.load`) with their `.debug_pkl`
 * debug tables, `extra/*` (the caller's extra files) and, for the lite
 * interpreter, `bytecode.pkl`.
 *
 * Every pickle is scanned as one (TorchScript's with `__torch__` classes
 * resolved from the archive's code), code as TorchScript, and tensor data is
 * never read: the storages `data.pkl` refers to are checked against the
 * records present by name and size only. Metadata records are validated
 * (MA301); records torch does not write, or that no pickle refers to, and
 * entries outside the archive's folder are reported (MA300) and scanned by
 * their content.
 *
 * Records are found as torch finds them (`../archive/record_lookup.ts`:
 * letter case aside, and of several matches the one miniz's search meets), so
 * every entry is planned as the record torch knows it by (`DATA.PKL` as
 * `data.pkl`, `code/m.PY` as code); one torch reads when it asks for another
 * name is reported (MA303), a case variant it passes over for another entry is
 * MA300.
 *
 * @module
 */

import type { ScanContext } from "../../core/scanner.ts";
import type { ArchiveEntry, ArchiveProfile, MemberPlan } from "../archive/profile.ts";
import { foldAsciiCase, type TorchArchive, torchArchive } from "../archive/record_lookup.ts";
import { scannerOptions } from "../options.ts";
import { indexStorages, type StorageIndex } from "./storage_refs.ts";
import { dtypeBytes, elementCount } from "../../core/tensor.ts";
import { weightTensor } from "../tensors/decode.ts";
import { compareExtent, safeShape, storageReach } from "../tensors/extent.ts";
import { STORAGE_ELEMENT_BYTES } from "./legacy.ts";
import { TorchTensorCollector } from "./tensors.ts";

/** Oldest file format version torch reads (`kMinSupportedFileFormatVersion`). */
export const MIN_FILE_FORMAT_VERSION = 1;
/** Newest file format version torch reads (`kMaxSupportedFileFormatVersion`, torch 2.x). */
export const MAX_FILE_FORMAT_VERSION = 10;
/** Metadata records read to validate them: the longest torch writes is the 40-digit serialization id. */
export const MAX_METADATA_RECORD_BYTES = 64;
/** Characters of an invalid metadata value quoted in a finding. */
const QUOTED_CHARS = 64;
/** The largest uint64, the bound of each half of a serialization id. */
const UINT64_MAX = 2n ** 64n - 1n;

/** Why a metadata record's content is invalid, or `undefined` when torch writes it so. */
type Validator = (value: string) => string | undefined;

const decimal = (value: string) => /^[0-9]{1,20}$/.test(value);

function validateVersion(value: string): string | undefined {
  const digits = value.endsWith("\n") ? value.slice(0, -1) : value;
  if (!decimal(digits)) return "is not a decimal number (torch writes one and a newline)";
  const version = Number(digits);
  if (version < MIN_FILE_FORMAT_VERSION || version > MAX_FILE_FORMAT_VERSION) {
    return `is out of the range torch reads (${MIN_FILE_FORMAT_VERSION} to ${MAX_FILE_FORMAT_VERSION})`;
  }
  return undefined;
}

/** Metadata records by name (under the archive's folder) and how torch writes them. */
const METADATA: ReadonlyMap<string, Validator> = new Map<string, Validator>([
  ["version", validateVersion],
  [".data/version", validateVersion],
  ["byteorder", (v) => v === "little" || v === "big" ? undefined : 'is neither "little" nor "big"'],
  [".data/serialization_id", (v) => {
    // Two zero-padded 20-digit numbers: a hash of the record names and one of their CRC-32s.
    const valid = /^[0-9]{40}$/.test(v) && BigInt(v.slice(0, 20)) <= UINT64_MAX &&
      BigInt(v.slice(20)) <= UINT64_MAX;
    return valid ? undefined : "is not the 40 decimal digits torch writes";
  }],
  [".format_version", (v) => decimal(v) ? undefined : "is not a decimal number"],
  [".storage_alignment", (v) => decimal(v) ? undefined : "is not a decimal number"],
]);

/** Pickles that record storages, and the folder their records are in. */
const STORAGE_FOLDERS: ReadonlyMap<string, string> = new Map([
  ["data.pkl", "data/"],
  ["constants.pkl", "constants/"],
  ["bytecode.pkl", "constants/"],
]);

/** The folders of records torch writes, and their suffixes: parts of a name that only differ in case are torch's. */
const RECORD_FOLDERS = ["code/", "data/", "constants/", "extra/"];
const RECORD_SUFFIXES = [".debug_pkl", ".pkl", ".py"];

/**
 * The name torch's writer gives the record torch's lookup finds as `record`: metadata and pickle
 * names, and the folders and suffixes of the others, in lower case; the parts a writer chooses
 * (module paths, storage keys, extra file names) as they are.
 */
function canonicalRecord(record: string): string {
  const folded = foldAsciiCase(record);
  if (METADATA.has(folded) || STORAGE_FOLDERS.has(folded)) return folded;
  const folder = RECORD_FOLDERS.find((f) => folded.startsWith(f)) ?? "";
  const suffix =
    RECORD_SUFFIXES.find((s) => folded.endsWith(s) && folded.length >= folder.length + s.length) ??
      "";
  return folder + record.slice(folder.length, record.length - suffix.length) + suffix;
}

/**
 * How torch lays an archive out: the folder every record is under, how torch finds each record
 * (letter case aside), and whether torch.load hands it to torch.jit.load.
 */
interface Layout extends TorchArchive {
  torchscript: boolean;
}

/** Layouts by entry list: each profile's `matches` and the winner's `plan` ask for the same one. */
const layouts = new WeakMap<readonly ArchiveEntry[], Layout | null>();

/** The layout `entries` have as torch reads them, if they are a checkpoint at all. */
function layoutOf(entries: readonly ArchiveEntry[]): Layout | undefined {
  const known = layouts.get(entries);
  if (known !== undefined) return known ?? undefined;
  const archive = torchArchive(entries);
  const dataPkl = archive?.locate("data.pkl");
  // torch.load dispatches on the exact record name, among the names under the folder.
  const layout = archive && dataPkl && !dataPkl.directory
    ? {
      ...archive,
      torchscript: entries.some((e) => !e.directory && e.name === `${archive.prefix}constants.pkl`),
    }
    : undefined;
  layouts.set(entries, layout ?? null);
  return layout;
}

/** What a record (its name under the folder) is to torch, and whether torch's writer writes it. */
type Role =
  | { kind: "metadata"; validate: Validator }
  | { kind: "pickle" | "code" | "storage" | "extra" | "other"; expected: boolean };

function roleOf(record: string, torchscript: boolean): Role {
  const validate = METADATA.get(record);
  if (validate) return { kind: "metadata", validate };
  const code = torchscript && record.startsWith("code/");
  if (record.endsWith(".pkl") || record.endsWith(".debug_pkl")) {
    const expected = record === "data.pkl" ||
      (torchscript && (STORAGE_FOLDERS.has(record) || (code && record.endsWith(".py.debug_pkl"))));
    return { kind: "pickle", expected };
  }
  if (record.endsWith(".py")) return { kind: "code", expected: code };
  if (record.startsWith("data/") || (torchscript && record.startsWith("constants/"))) {
    return { kind: "storage", expected: true };
  }
  if (torchscript && record.startsWith("extra/")) return { kind: "extra", expected: true };
  return { kind: "other", expected: false };
}

/** The storages each folder's records are referred to by, merged over the pickles that use the folder. */
interface FolderIndex {
  index: StorageIndex;
  /** The tensors `data.pkl` rebuilds over the folder's storages, and its name in the archive. */
  tensors?: { collector: TorchTensorCollector; pickle: string };
  /** The pickle each reference is in (its name in the archive). */
  pickleOf: Map<string, string>;
}

/** The pickles torch reads from an archive laid out as `layout`, by record name. */
function picklesOf(layout: Layout): string[] {
  return [...STORAGE_FOLDERS.keys()].filter((pickle) => pickle === "data.pkl" || layout.torchscript);
}

async function indexFolders(layout: Layout, ctx: ScanContext): Promise<Map<string, FolderIndex>> {
  const { pytorch, pickle } = scannerOptions(ctx);
  const limits = { maxStorages: pytorch.maxIndexedStorages, pickle };
  const folders = new Map<string, FolderIndex>();
  for (const pickle of picklesOf(layout)) {
    const folder = STORAGE_FOLDERS.get(pickle)!;
    const entry = layout.locate(pickle);
    if (!entry) continue;
    let folderIndex = folders.get(folder);
    if (!folderIndex) {
      folderIndex = { index: { references: new Map(), complete: true }, pickleOf: new Map() };
      folders.set(folder, folderIndex);
    }
    const bytes = entry.size <= pytorch.maxIndexedPickleBytes ? await entry.read() : undefined;
    if (bytes === undefined || bytes.length < entry.size) {
      folderIndex.index.complete = false;
      continue;
    }
    const collector = pickle === "data.pkl"
      ? new TorchTensorCollector(pytorch.maxIndexedStorages, !!ctx.inventory)
      : undefined;
    const index = indexStorages(bytes, ctx.signal, limits, collector);
    if (collector) folderIndex.tensors = { collector, pickle: entry.name };
    folderIndex.index.complete &&= index.complete;
    for (const [key, reference] of index.references) {
      if (folderIndex.index.references.has(key)) continue;
      folderIndex.index.references.set(key, reference);
      folderIndex.pickleOf.set(key, entry.name);
    }
  }
  return folders;
}

/** Reports references to records that are missing or whose size disagrees with the reference. */
function checkReferences(
  ctx: ScanContext,
  folders: ReadonlyMap<string, FolderIndex>,
  layout: Layout,
  loader: string,
): void {
  for (const [folder, { index, pickleOf }] of folders) {
    for (const { key, pos, bytes } of index.references.values()) {
      const record = `${folder}${key}`;
      const entry = layout.locate(record);
      const member = pickleOf.get(key)!;
      if (!entry) {
        ctx.report({
          rule: "MA301",
          member,
          position: pos,
          message: `Refers to the storage record ${record}, which the archive lacks: ${loader} fails there`,
          details: { storage: key, record, position: pos },
        });
      } else if (bytes !== undefined && BigInt(entry.size) !== bytes) {
        ctx.report({
          rule: "MA301",
          member,
          position: pos,
          message: `Declares ${bytes} bytes for the storage record ${record}, which holds ${entry.size}`,
          details: {
            storage: key,
            record,
            position: pos,
            declaredBytes: Number(bytes),
            recordBytes: entry.size,
          },
        });
      }
    }
  }
}

/**
 * Checks that every tensor `data.pkl` rebuilds fits its storage record (torch.load fails on one
 * that reaches past it), and lists them when the scan lists tensors: readable where the record is
 * stored uncompressed, as torch.save writes it.
 */
async function checkTensors(ctx: ScanContext, folders: ReadonlyMap<string, FolderIndex>, layout: Layout) {
  const found = folders.get("data/")?.tensors;
  if (!found) return;
  for (const tensor of found.collector.tensors()) {
    const record = layout.locate(`data/${tensor.storage}`);
    const itemBytes = dtypeBytes(tensor.dtype) ?? STORAGE_ELEMENT_BYTES.get(tensor.storageType);
    const reach = storageReach(tensor.shape, tensor.strides, tensor.offset);
    const extent = record && itemBytes !== undefined && reach !== undefined
      ? compareExtent(reach, itemBytes, record.size)
      : undefined;
    if (extent && !extent.fits) {
      ctx.report({
        rule: "MA301",
        member: found.pickle,
        position: tensor.pos,
        message: `Tensor ${JSON.stringify(tensor.name)} (shape [${tensor.shape.join(", ")}], stride [${
          tensor.strides.join(", ")
        }], offset ${tensor.offset}) reaches ${extent.needed} bytes of the storage record data/${tensor.storage}, which holds ${extent.available}: torch.load fails there`,
        details: {
          tensor: tensor.name,
          storage: tensor.storage,
          neededBytes: Number(extent.needed),
          recordBytes: Number(extent.available),
        },
      });
    }
    const shape = safeShape(tensor.shape);
    if (!ctx.inventory || !shape) continue;
    const info = {
      name: tensor.name,
      dtype: tensor.dtype,
      shape,
      ...(itemBytes === undefined ? {} : { bytes: elementCount(shape) * itemBytes }),
    };
    const readable = extent?.fits && record?.stored
      ? weightTensor(info, {
        source: record.stored,
        strides: tensor.strides.map(Number),
        elementOffset: Number(tensor.offset),
        byteOrder: layout.locate("byteorder") ? await byteOrder(layout) : "little",
      })
      : undefined;
    await ctx.inventory.tensor(info, readable);
  }
}

/** The byte order torch.save recorded (torch 2 writes `byteorder`; older checkpoints are little-endian). */
async function byteOrder(layout: Layout): Promise<"little" | "big"> {
  const text = new TextDecoder().decode(await layout.locate("byteorder")!.read());
  return text === "big" ? "big" : "little";
}

/** Whether a storage record is one a pickle refers to (or cannot be known not to be). */
function isReferenced(folders: ReadonlyMap<string, FolderIndex>, record: string): boolean {
  for (const [folder, { index }] of folders) {
    if (!record.startsWith(folder)) continue;
    return !index.complete || index.references.has(record.slice(folder.length));
  }
  return false;
}

/** Validates a metadata record torch reads as text; returns its text when it is what torch writes. */
async function checkMetadata(
  ctx: ScanContext,
  entry: ArchiveEntry,
  record: string,
  validate: Validator,
): Promise<string | undefined> {
  if (entry.size > MAX_METADATA_RECORD_BYTES) {
    ctx.report({
      rule: "MA301",
      member: entry.name,
      message: `The ${record} record holds ${entry.size} bytes; torch writes a few`,
      details: { record, size: entry.size },
    });
    return undefined;
  }
  const bytes = await entry.read();
  // A record that cannot be read (encrypted, corrupt) is the zip scanner's to report.
  if (bytes.length < entry.size) return undefined;
  const value = new TextDecoder().decode(bytes);
  const problem = /^[\x20-\x7e\n]*$/.test(value) ? validate(value) : "is not ASCII text";
  if (problem === undefined) return value;
  const quoted = JSON.stringify(value.slice(0, QUOTED_CHARS));
  ctx.report({
    rule: "MA301",
    member: entry.name,
    message: `The ${record} record ${quoted} ${problem}`,
    details: { record, value: value.slice(0, QUOTED_CHARS) },
  });
  return undefined;
}

/** Reports an entry torch finds when it asks for `record`, though its name differs. */
function reportAlias(
  ctx: ScanContext,
  entry: ArchiveEntry,
  record: string,
  layout: Layout,
  entries: readonly ArchiveEntry[],
  loader: string,
): void {
  const canonical = layout.prefix + record;
  const shadowed = entries.some((other) => other !== entry && other.name === canonical);
  ctx.report({
    rule: "MA303",
    member: entry.name,
    message:
      `${loader} reads this entry when it asks for ${canonical}: torch finds records regardless of letter case${
        shadowed ? `, and meets this entry before the one named ${canonical}` : ""
      }`,
    details: { record, readAs: canonical, shadowsExactName: shadowed },
  });
}

/** Reports a member torch's writer does not write. */
function unexpected(ctx: ScanContext, entry: ArchiveEntry, why: string): void {
  ctx.report({ rule: "MA300", member: entry.name, message: why, details: { member: entry.name } });
}

/** Checks the layout and plans every member of a checkpoint laid out as `layout`. */
async function planCheckpoint(
  entries: readonly ArchiveEntry[],
  ctx: ScanContext,
  layout: Layout,
): Promise<Map<string, MemberPlan>> {
  const { prefix, torchscript } = layout;
  const writer = torchscript ? "torch.jit.save" : "torch.save";
  const loader = torchscript ? "torch.jit.load" : "torch.load";
  const pickleScanner = torchscript ? "torchscript-pickle" : "pickle";
  const folders = await indexFolders(layout, ctx);
  checkReferences(ctx, folders, layout, loader);
  await checkTensors(ctx, folders, layout);
  if (!layout.locate("version") && !layout.locate(".data/version")) {
    ctx.report({
      rule: "MA301",
      message: `The checkpoint has no ${prefix}version record: ${loader} refuses it`,
      details: { record: "version" },
    });
  }
  const folder = foldAsciiCase(prefix);
  const plans = new Map<string, MemberPlan>();
  for (const entry of entries) {
    if (entry.directory) continue;
    ctx.signal.throwIfAborted();
    if (!foldAsciiCase(entry.name).startsWith(folder)) {
      unexpected(ctx, entry, `Lies outside the archive's folder ${prefix}, where ${loader} reads nothing`);
      continue;
    }
    // Planned as the record torch knows it by; reported when torch would read it under that other name.
    const own = entry.name.slice(prefix.length);
    const record = canonicalRecord(own);
    const role = roleOf(record, torchscript);
    const asked = role.kind === "metadata" ||
      (role.kind === "storage" ? isReferenced(folders, record) : role.expected);
    if (asked && prefix + record !== entry.name) {
      const read = layout.locate(record);
      if (read === entry) reportAlias(ctx, entry, record, layout, entries, loader);
      else {unexpected(
          ctx,
          entry,
          `${loader} reads ${read?.name} when it asks for ${prefix}${record}, not this entry`,
        );}
    }
    if (role.kind === "metadata") {
      const value = await checkMetadata(ctx, entry, record, role.validate);
      // The format version and byte order say which torch wrote it and how its storages read.
      if (
        value !== undefined && (record === "version" || record === ".data/version" || record === "byteorder")
      ) {
        ctx.inventory?.fact(`pytorch.${record.replace(".data/", "")}`, value.trim());
      }
      if (value !== undefined) {
        plans.set(entry.name, {
          action: "skip",
          reason: `${record}: metadata torch reads as text, validated`,
        });
      }
      continue;
    }
    if (role.kind === "storage") {
      if (isReferenced(folders, record)) {
        plans.set(entry.name, { action: "skip", reason: "tensor data, which torch reads as raw bytes only" });
      } else {
        unexpected(ctx, entry, `No pickle of the archive refers to ${record}: ${loader} never reads it`);
      }
      continue;
    }
    if (!role.expected) unexpected(ctx, entry, `${writer} does not write ${own}`);
    if (role.kind === "pickle") plans.set(entry.name, { action: "scan", loadAs: pickleScanner });
    else if (role.kind === "code") plans.set(entry.name, { action: "scan", loadAs: "torchscript" });
  }
  return plans;
}

/**
 * The TorchScript archive profile (`torch.jit.save`, and what `torch.load` hands to
 * `torch.jit.load`): a checkpoint layout with `constants.pkl`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { torchScriptZipProfile } from "./zip_checkpoint.ts";
 * const entry = (name: string) => ({ name, size: 0, directory: false, read: () => Promise.resolve(new Uint8Array()) });
 * assert.equal(torchScriptZipProfile.matches(["m/data.pkl", "m/constants.pkl", "m/version"].map(entry)), true);
 * ```
 */
export const torchScriptZipProfile: ArchiveProfile = {
  format: "torchscript",
  matches: (entries) => layoutOf(entries)?.torchscript === true,
  plan: (entries, ctx) => planCheckpoint(entries, ctx, layoutOf(entries)!),
};

/**
 * The PyTorch zip checkpoint profile (`torch.save` since 1.6): every record under the first
 * entry's folder, `data.pkl` among them, and no `constants.pkl`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { torchZipProfile } from "./zip_checkpoint.ts";
 * const entry = (name: string) => ({ name, size: 0, directory: false, read: () => Promise.resolve(new Uint8Array()) });
 * assert.equal(torchZipProfile.matches(["archive/data.pkl", "archive/data/0", "archive/version"].map(entry)), true);
 * assert.equal(torchZipProfile.matches(["weights.npy"].map(entry)), false);
 * ```
 */
export const torchZipProfile: ArchiveProfile = {
  format: "pytorch",
  matches: (entries) => layoutOf(entries)?.torchscript === false,
  plan: (entries, ctx) => planCheckpoint(entries, ctx, layoutOf(entries)!),
};
