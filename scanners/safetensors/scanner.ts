/**
 * The safetensors scanner: validates a file as strictly as the reference loader
 * (`SafeTensors::read_metadata` and `Metadata::validate` in the Rust crate's
 * `safetensors/src/tensor.rs`, which Python's `safe_open` and `load_file` call),
 * reading only the header: its time and memory follow the header's size, never
 * the tensors'.
 *
 * | reference check (tensor.rs)                                | finding |
 * | ---------------------------------------------------------- | ------- |
 * | `HeaderTooSmall`, `HeaderTooLarge`, `InvalidHeaderLength`    | MA320   |
 * | `InvalidHeader` (UTF-8), `InvalidHeaderDeserialization`      | MA321, MA322, MA323, MA328 |
 * | `ValidationOverflow`, `MisalignedSlice`, `TensorInvalidInfo` | MA324   |
 * | `InvalidOffset` (gap, overlap, end before begin)             | MA325   |
 * | `MetadataIncompleteBuffer` (short, or bytes left over)       | MA326, MA327 |
 * | (none: modelaudit's own bound on the values it parses)        | MA330   |
 *
 * The reference stops at the first error; this scanner reports every one. Metadata
 * strings and tensor names go through the shared string checks (`scanners/strings/checks.ts`).
 *
 * @module
 */

import { subSource } from "../../core/byte_source.ts";
import type { ByteSource } from "../../core/byte_source.ts";
import type { ScanContext, Scanner } from "../../core/scanner.ts";
import { checkString } from "../strings/checks.ts";
import { declaredHeaderLength, LENGTH_BYTES, MAX_HEADER_SIZE } from "./format.ts";
import { type Header, readHeader, type TensorEntry, USIZE_MAX } from "./header.ts";
import { parseStrictJson } from "./strict_json.ts";
import { listSafetensors } from "./tensors.ts";
import { scannerOptions } from "../options.ts";

/**
 * Characters of `__metadata__` past which it is far larger than any real model's: the largest real ones
 * (kohya-ss LoRA training notes with tag frequencies and a base64 thumbnail) stay well under a megabyte.
 */
export const MAX_PLAUSIBLE_METADATA_CHARS = 8 * 1024 * 1024;

const num = (value: bigint): number | string =>
  value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();

/**
 * The registered safetensors scanner.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import type { FindingReport, ScanContext } from "../../core/scanner.ts";
 * import { safetensorsScanner } from "./scanner.ts";
 * const json = '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
 * const header = new TextEncoder().encode(json);
 * const file = new Uint8Array(8 + header.length + 8);
 * new DataView(file.buffer).setBigUint64(0, BigInt(header.length), true);
 * file.set(header, 8);
 * const found: FindingReport[] = [];
 * const ctx = {
 *   path: "model.safetensors",
 *   depth: 0,
 *   signal: new AbortController().signal,
 *   report: (f: FindingReport) => found.push(f),
 *   matchBlacklist: () => undefined,
 *   scanNested: () => Promise.resolve(),
 * } as unknown as ScanContext;
 * await safetensorsScanner.scan(bytesSource(file), ctx);
 * assert.deepEqual(found, []);
 * ```
 */
export const safetensorsScanner: Scanner = {
  async scan(source: ByteSource, ctx: ScanContext): Promise<void> {
    const length = declaredHeaderLength(await source.read(0, LENGTH_BYTES));
    if (length === undefined) {
      ctx.report({
        rule: "MA320",
        message: `A safetensors file needs an 8-byte header length; this one has ${source.size} bytes`,
        position: 0,
        details: { reason: "HeaderTooSmall", size: source.size },
      });
      return;
    }
    const available = BigInt(source.size - LENGTH_BYTES);
    if (length > BigInt(MAX_HEADER_SIZE) || length > available) {
      const over = length > BigInt(MAX_HEADER_SIZE);
      ctx.report({
        rule: "MA320",
        message: over
          ? `The safetensors header length ${length} exceeds the reference loader's limit of ${MAX_HEADER_SIZE} bytes`
          : `The safetensors header length ${length} runs past the end of the file (${available} bytes follow it)`,
        position: 0,
        details: {
          reason: over ? "HeaderTooLarge" : "InvalidHeaderLength",
          headerLength: num(length),
          fileSize: source.size,
          maxHeaderSize: MAX_HEADER_SIZE,
        },
      });
      return;
    }
    const headerLength = Number(length);
    const { maxHeaderValues } = scannerOptions(ctx).safetensors;
    const parsed = parseStrictJson(
      await source.read(LENGTH_BYTES, headerLength),
      LENGTH_BYTES,
      maxHeaderValues,
    );
    if (!parsed.ok && parsed.limit) {
      ctx.report({
        rule: "MA330",
        message: `The safetensors header holds ${parsed.reason} (no real model's does); it was not inspected`,
        position: parsed.position,
        details: { limit: maxHeaderValues, option: "safetensors.maxHeaderValues", headerLength },
      });
      return;
    }
    if (!parsed.ok) {
      ctx.report({
        rule: "MA321",
        message: `The safetensors header is not strict JSON at byte ${parsed.position}: ${parsed.reason}`,
        position: parsed.position,
        details: { reason: parsed.reason },
      });
      return;
    }
    const header = readHeader(parsed, ctx);
    if (header === undefined) return;
    await checkStrings(header, ctx);
    checkSizes(header.tensors, ctx);
    await checkLayout(header.tensors, source, LENGTH_BYTES + headerLength, ctx);
    if (ctx.inventory) await listSafetensors(header, source, LENGTH_BYTES + headerLength, ctx.inventory);
  },
};

async function checkStrings(header: Header, ctx: ScanContext): Promise<void> {
  if (header.metadataChars > MAX_PLAUSIBLE_METADATA_CHARS) {
    ctx.report({
      rule: "MA329",
      message:
        `safetensors __metadata__ holds ${header.metadataChars} characters, far more than any real model's`,
      position: header.metadataPosition,
      keyPath: "$.__metadata__",
      details: { characters: header.metadataChars, plausibleMax: MAX_PLAUSIBLE_METADATA_CHARS },
    });
  }
  for (const { text, position, keyPath, role } of header.metadataStrings) {
    ctx.signal.throwIfAborted();
    await checkString(ctx, text, {
      what: `The safetensors metadata ${role} at ${keyPath}`,
      position,
      keyPath,
    });
  }
  // Tensor names reach the loader's caller as keys: a payload can sit there as well as in metadata.
  for (const { name, position, keyPath } of header.tensors) {
    ctx.signal.throwIfAborted();
    await checkString(ctx, name, { what: `The safetensors tensor name at ${keyPath}`, position, keyPath });
  }
}

/** tensor.rs `Metadata::validate`: shape product × dtype bits, in 64 bits without overflow, is the offsets' span. */
function checkSizes(tensors: readonly TensorEntry[], ctx: ScanContext): void {
  for (const tensor of tensors) {
    const { shape, bits, offsets } = tensor;
    if (shape === undefined || bits === undefined || offsets === undefined) continue;
    const at = { position: tensor.offsetsPosition, keyPath: `${tensor.keyPath}.data_offsets` };
    const what = `safetensors tensor ${JSON.stringify(tensor.name)} (${tensor.dtype}, shape [${
      shape.join(", ")
    }])`;
    let elements = 1n;
    let overflow = false;
    for (const dim of shape) {
      elements *= dim;
      if (elements > USIZE_MAX) overflow = true;
      if (overflow || elements === 0n) break;
    }
    const totalBits = elements * BigInt(bits);
    if (overflow || totalBits > USIZE_MAX) {
      ctx.report({
        rule: "MA324",
        severity: "critical",
        message: `${what}: its size overflows 64 bits, which unchecked arithmetic wraps to a small number`,
        ...at,
        details: {
          tensor: tensor.name,
          reason: "ValidationOverflow",
          shape: shape.map(num),
          dtype: tensor.dtype,
        },
      });
      continue;
    }
    if (totalBits % 8n !== 0n) {
      ctx.report({
        rule: "MA324",
        message: `${what}: ${totalBits} bits is not a whole number of bytes`,
        ...at,
        details: { tensor: tensor.name, reason: "MisalignedSlice", bits: num(totalBits) },
      });
      continue;
    }
    const [begin, end] = offsets;
    if (end >= begin && end - begin !== totalBits / 8n) {
      ctx.report({
        rule: "MA324",
        message: `${what}: needs ${totalBits / 8n} bytes, but its data_offsets span ${end - begin}`,
        ...at,
        details: {
          tensor: tensor.name,
          reason: "TensorInvalidInfo",
          expectedBytes: num(totalBits / 8n),
          spanBytes: num(end - begin),
        },
      });
    }
  }
}

/**
 * tensor.rs `Metadata::validate` and `read_metadata`: sorted by offsets (as the reference sorts them), the
 * tensors tile the data buffer from 0 with no gap or overlap, and it ends where the file does.
 */
async function checkLayout(
  tensors: readonly TensorEntry[],
  source: ByteSource,
  dataStart: number,
  ctx: ScanContext,
): Promise<void> {
  const placed: (TensorEntry & { offsets: [bigint, bigint] })[] = [];
  for (const tensor of tensors) {
    if (tensor.offsets === undefined) continue;
    const [begin, end] = tensor.offsets;
    if (end < begin) {
      ctx.report({
        rule: "MA325",
        message: `safetensors tensor ${
          JSON.stringify(tensor.name)
        } ends (${end}) before it begins (${begin})`,
        position: tensor.offsetsPosition,
        keyPath: `${tensor.keyPath}.data_offsets`,
        details: { tensor: tensor.name, reason: "end before begin", begin: num(begin), end: num(end) },
      });
    } else {
      placed.push({ ...tensor, offsets: tensor.offsets });
    }
  }
  placed.sort((a, b) => compare(a.offsets[0], b.offsets[0]) || compare(a.offsets[1], b.offsets[1]));

  const dataSize = BigInt(source.size - dataStart);
  let cursor = 0n;
  let previous: string | undefined;
  let scannedGaps = 0;
  const { maxScannedGaps } = scannerOptions(ctx).safetensors;
  for (const tensor of placed) {
    const [begin, end] = tensor.offsets;
    const at = { position: tensor.offsetsPosition, keyPath: `${tensor.keyPath}.data_offsets` };
    const name = JSON.stringify(tensor.name);
    if (begin > cursor) {
      const hidden = begin - cursor;
      ctx.report({
        rule: "MA325",
        message:
          `${hidden} bytes of the safetensors data buffer, from ${cursor} to ${begin}, belong to no tensor (before ${name})`,
        ...at,
        details: {
          tensor: tensor.name,
          reason: "gap",
          gapStart: num(cursor),
          gapEnd: num(begin),
          filePosition: num(BigInt(dataStart) + cursor),
        },
      });
      if (cursor < dataSize && scannedGaps++ < maxScannedGaps) {
        const from = dataStart + Number(cursor);
        const to = Math.min(source.size, dataStart + Number(begin < dataSize ? begin : dataSize));
        await ctx.scanNested(subSource(source, from, to - from), `<gap@${from}>`, { opportunistic: true });
      }
    } else if (begin < cursor) {
      ctx.report({
        rule: "MA325",
        message: `safetensors tensor ${name} (bytes ${begin} to ${end}) overlaps ${
          previous === undefined ? "an earlier tensor" : JSON.stringify(previous)
        }, which ends at ${cursor}`,
        ...at,
        details: {
          tensor: tensor.name,
          reason: "overlap",
          overlaps: previous,
          begin: num(begin),
          end: num(end),
        },
      });
    }
    if (end > cursor) {
      cursor = end;
      previous = tensor.name;
    }
  }

  if (cursor > dataSize) {
    const last = placed.at(-1)!;
    ctx.report({
      rule: "MA326",
      message:
        `safetensors tensors need a data buffer of ${cursor} bytes, but only ${dataSize} follow the header`,
      position: last.offsetsPosition,
      keyPath: `${last.keyPath}.data_offsets`,
      details: { reason: "MetadataIncompleteBuffer", needed: num(cursor), available: num(dataSize) },
    });
  } else if (cursor < dataSize) {
    const from = dataStart + Number(cursor);
    ctx.report({
      rule: "MA327",
      message: `${dataSize - cursor} bytes follow the last safetensors tensor, which ends at ${from}`,
      position: from,
      details: { reason: "MetadataIncompleteBuffer", dataEnd: from, extraBytes: source.size - from },
    });
    await ctx.scanNested(subSource(source, from, source.size - from), `<trailing@${from}>`, {
      opportunistic: true,
    });
  }
}

const compare = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
