/**
 * The HDF5 scanner: Keras 2 `.h5` models (and Keras 3's legacy HDF5 format), Keras 3
 * `model.weights.h5` files, and any other HDF5 file. It reads what Keras reads before it builds
 * anything: the root group's attributes `model_config` and `training_config` (JSON that
 * `load_model` deserializes, checked by the Keras config check), `keras_version` and `backend`,
 * in the object header or in dense storage (`dense.ts`). It walks the file's objects for external
 * links, external and virtual datasets (MA411), and reports bytes before the superblock (a user
 * block) or after the end the superblock declares (MA412); trailing bytes are scanned as a
 * payload. A file with the HDF5 signature whose structures do not decode is MA410: never a
 * silent pass; one whose structures go past a limit (`hdf5.*`) is MA413, naming the option.
 *
 * @module
 */

import { type ByteSource, subSource } from "../../core/byte_source.ts";
import { DecodeError } from "../../core/decode_error.ts";
import type { ScanContext, Scanner } from "../../core/scanner.ts";
import { scannerOptions } from "../options.ts";
import { checkKerasConfig } from "../keras/config.ts";
import { listModelSummary, parseKerasJson } from "../keras/config_reader.ts";
import { denseAttributes, UnsupportedLayout } from "./dense.ts";
import { walkObjects } from "./objects.ts";
import { listDatasets } from "./datasets.ts";
import { signatureAt, superblockOffsets } from "./descriptor.ts";
import {
  type Attribute,
  Hdf5LimitError,
  Hdf5Reader,
  type HeaderMessage,
  MESSAGE,
  readUint,
} from "./reader.ts";

/** The root attributes Keras deserializes as model configs. */
const CONFIG_ATTRIBUTES = ["model_config", "training_config"];
/** The root attributes Keras reads as plain text. */
const TEXT_ATTRIBUTES = ["keras_version", "backend"];

/** Where the superblock is: the first offset Keras's HDF5 library would find it at. */
async function findSuperblock(source: ByteSource): Promise<number | undefined> {
  for (const at of superblockOffsets(source.size)) {
    if (signatureAt(await source.read(at, 8), 0)) return at;
  }
  return undefined;
}

async function checkRoot(reader: Hdf5Reader, messages: HeaderMessage[], ctx: ScanContext): Promise<void> {
  const attributes = new Map<string, Attribute>();
  const stored = [...messages];
  for (const message of messages.filter((m) => m.type === MESSAGE.attributeInfo)) {
    const d = message.data;
    const at = 2 + (d[1] & 0x01 ? 2 : 0);
    const { offsetSize } = reader.superblock;
    const heap = readUint(d, at, offsetSize);
    const index = readUint(d, at + offsetSize, offsetSize);
    if (heap === undefined || index === undefined) continue;
    try {
      stored.push(...await denseAttributes(reader, heap, index));
    } catch (error) {
      if (!(error instanceof UnsupportedLayout)) throw error;
      ctx.report({
        rule: "MA413",
        message:
          `The root group keeps attributes in dense storage laid out in a way not read here (${error.message}): a Keras model config there was not inspected`,
        keyPath: "/",
        details: { reason: error.message },
      });
    }
  }
  for (const message of stored.filter((m) => m.type === MESSAGE.attribute)) {
    const attribute = reader.attribute(message);
    attributes.set(attribute.name, attribute);
  }
  const facts: Record<string, string> = {};
  for (const name of TEXT_ATTRIBUTES) {
    const attribute = attributes.get(name);
    const value = attribute && await reader.attributeText(attribute);
    if (value !== undefined) facts[name] = value;
  }
  for (const [name, value] of Object.entries(facts)) ctx.inventory?.fact(`keras.${name}`, value);
  if (CONFIG_ATTRIBUTES.some((name) => attributes.has(name))) ctx.identify("keras-h5");
  for (const name of CONFIG_ATTRIBUTES) {
    const attribute = attributes.get(name);
    if (!attribute) continue;
    const keyPath = `@${name}`;
    const value = await reader.attributeText(attribute);
    if (value === undefined) {
      ctx.report({
        rule: "MA409",
        keyPath,
        message: `The ${name} attribute is not a string: Keras cannot read it`,
      });
      continue;
    }
    const parsed = parseKerasJson(value);
    if (!parsed.ok) {
      ctx.report({ rule: "MA409", keyPath, message: `The ${name} attribute is not JSON (${parsed.reason})` });
      continue;
    }
    if (ctx.inventory && name === "model_config") listModelSummary(parsed.value, ctx.inventory);
    await checkKerasConfig(parsed.value, keyPath, ctx);
  }
}

async function checkObjects(reader: Hdf5Reader, messages: HeaderMessage[], ctx: ScanContext): Promise<void> {
  const walk = await walkObjects(reader, reader.superblock.root, messages, ctx.signal, !!ctx.inventory);
  if (ctx.inventory && walk.datasets) await listDatasets(walk.datasets, reader.source, ctx.inventory);
  for (const reference of walk.references) {
    const what = reference.kind === "external-link"
      ? `is an external link to ${reference.target}`
      : reference.kind === "external-file"
      ? `stores its data in the external file ${reference.target ?? "(unnamed)"}`
      : "is a virtual dataset, whose data the HDF5 library reads from the files its mappings name";
    ctx.report({
      rule: "MA411",
      keyPath: reference.path,
      message: `HDF5 object ${reference.path} ${what}`,
      details: { ...reference },
    });
  }
  if (walk.truncated || walk.denseGroups.length > 0) {
    ctx.report({
      rule: "MA413",
      keyPath: walk.denseGroups[0] ?? "/",
      message: walk.truncated
        ? `The HDF5 file has more objects than the walk's limit; those after ${walk.objects} were not inspected for external references (--limit ${walk.option})`
        : `${walk.denseGroups.length} group(s) keep their links in dense storage, which is not listed: their members were not inspected`,
      details: {
        objects: walk.objects,
        denseGroups: walk.denseGroups.slice(0, 20),
        ...(walk.option ? { option: walk.option } : {}),
      },
    });
  }
}

async function checkExtraData(reader: Hdf5Reader, ctx: ScanContext): Promise<void> {
  const { at, end } = reader.superblock;
  const size = reader.source.size;
  if (at > 0) {
    ctx.report({
      rule: "MA412",
      position: 0,
      // The engine reads every file from byte 0 as pickle loaders do: a payload there is its finding.
      message: `The HDF5 file starts with a ${at}-byte user block before its superblock, which HDF5 skips`,
      details: { userBlock: at },
    });
  }
  if (end < size) {
    ctx.report({
      rule: "MA412",
      position: end,
      message: `${
        size - end
      } bytes follow the end of the HDF5 data the superblock declares; they are scanned too`,
      details: { end, size },
    });
    await ctx.scanNested(subSource(reader.source, end, size - end), `<after end@${end}>`, {
      opportunistic: true,
    });
  }
}

/**
 * The scanner.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hdf5Scanner } from "./scanner.ts";
 * assert.equal(typeof hdf5Scanner.scan, "function");
 * ```
 */
export const hdf5Scanner: Scanner = {
  async scan(source, ctx) {
    const at = await findSuperblock(source);
    try {
      if (at === undefined) {
        throw new DecodeError("hdf5", "no superblock signature at 0, 512, 1024 or any power of two after");
      }
      const reader = await Hdf5Reader.open(source, at, scannerOptions(ctx).hdf5);
      if (reader.superblock.end > source.size) {
        throw new DecodeError(
          "hdf5",
          `the superblock declares ${reader.superblock.end} bytes, the file has ${source.size}: it is truncated`,
        );
      }
      await checkExtraData(reader, ctx);
      const messages = await reader.objectHeader(reader.superblock.root);
      await checkRoot(reader, messages, ctx);
      await checkObjects(reader, messages, ctx);
    } catch (error) {
      if (error instanceof Hdf5LimitError) {
        ctx.report({
          rule: "MA413",
          message:
            `The HDF5 file goes past a limit (${error.reason}): the rest of it was not inspected (--limit ${error.option})`,
          details: { reason: error.reason, limit: error.limit, option: error.option },
        });
        return;
      }
      if (!(error instanceof DecodeError)) throw error;
      ctx.report({
        rule: "MA410",
        message:
          `The HDF5 file cannot be decoded (${error.reason}); what Keras would read from it was not checked`,
        details: { reason: error.reason },
      });
    }
  },
};
