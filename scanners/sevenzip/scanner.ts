/**
 * The 7z scanner. No loader of a model format opens a 7z itself, but a model shipped inside one
 * (a 7z-wrapped PyTorch file is a known way past scanners) is unpacked by a person or a script and
 * then loaded: so every member is listed, checked as extracting it would write it (names that
 * escape, links, names used twice), and handed to the engine like a zip or tar member, decoded on
 * demand under the engine's limits.
 *
 * The archive is read here, over the decoders in `scanners/compressed/`: no package fits. `7z-wasm`
 * needs the whole archive in its memory and decodes with no byte budget; `7z-iterator` extracts
 * to the file system; the pure-JavaScript LZMA packages decode whole buffers (see
 * {@link ../compressed/lzma_decoder.ts}). Decoded: copy, LZMA, LZMA2, deflate, bzip2, and the BCJ
 * x86 and delta filters after them, in solid and non-solid folders, and encoded headers. An
 * encrypted member is reported (MA208), an encrypted listing too (MA213), other methods as
 * content that cannot be decoded (MA212).
 *
 * @module
 */

import { type ByteSource, bytesSource, readAll, subSource } from "../../core/byte_source.ts";
import { DecodeError } from "../../core/decode_error.ts";
import type { MemberContent, ScanContext, Scanner } from "../../core/scanner.ts";
import { generatorStream } from "../compressed/codec.ts";
import { NameTracker, symlinkEscapes } from "../tar/checks.ts";
import { escapeReason, isSymlink } from "../zip/checks.ts";
import { Crc32 } from "../zip/crc32.ts";
import { scannerOptions } from "../options.ts";
import { sourceCrc } from "../zip/members.ts";
import { type FolderDecoding, METHOD, planFolder, SolidFolder } from "./folder.ts";
import {
  type FileEntry,
  type Folder,
  folderSize,
  MalformedHeader,
  parseHeader,
  readSignatureHeader,
  SIGNATURE_HEADER_BYTES,
  type SignatureHeader,
  type StreamsInfo,
} from "./header.ts";

/** Headers encoded in headers: 7-Zip writes one level; more is a decoy. */
const MAX_HEADER_LEVELS = 4;

/** A link's target is read to quote it up to this size: real targets are short paths. */
const MAX_LINK_TARGET_BYTES = 4096;

/** Windows attribute bits: a directory, a reparse point (a symbolic link or junction), a Unix mode in the high half. */
const ATTRIBUTE_DIRECTORY = 0x10;
const ATTRIBUTE_REPARSE_POINT = 0x400;
const ATTRIBUTE_UNIX_EXTENSION = 0x8000;

function crc32Of(bytes: Uint8Array): number {
  const crc = new Crc32();
  crc.update(bytes);
  return crc.value;
}

/** Where a folder's packed stream lies in the file. */
interface PackedRange {
  start: number;
  size: number;
}

/** Where each folder's packed stream lies, in one pass over them all (headers may list millions). */
function packedRanges(streams: StreamsInfo): PackedRange[] {
  const starts: number[] = [];
  let offset = SIGNATURE_HEADER_BYTES + streams.packPos;
  for (const size of streams.packSizes) {
    starts.push(offset);
    offset += size;
  }
  let next = 0;
  return streams.folders.map((folder) => {
    const first = next;
    next += folder.packedStreams.length;
    return { start: starts[first] ?? offset, size: streams.packSizes[first] ?? 0 };
  });
}

/** Where the packed streams of `streams` end in the file. */
function packedEnd(streams: StreamsInfo): number {
  return streams.packSizes.reduce((end, size) => end + size, SIGNATURE_HEADER_BYTES + streams.packPos);
}

/** The folder's packed stream as a view of the file, and how it is decoded (under the scan's LZMA dictionary limit). */
function openFolder(source: ByteSource, folder: Folder, range: PackedRange, ctx: ScanContext) {
  const packed = subSource(source, range.start, range.size);
  return { packed, decoding: planFolder(folder, packed, scannerOptions(ctx).lzma.maxDictionaryBytes) };
}

/** Reads all of a decodable folder's output into memory (a header: at most `sevenzip.maxHeaderBytes`). */
async function readFolder(decoding: Extract<FolderDecoding, { kind: "decodable" }>, size: number) {
  const out = new Uint8Array(size);
  const folder = new SolidFolder(decoding.open, size);
  let at = 0;
  for await (const chunk of folder.slice(0, size, () => true)) {
    out.set(chunk, at);
    at += chunk.length;
  }
  await folder.close();
  return out;
}

/** What reading the headers gave: the listing, or why there is none (already reported). */
interface Listing {
  streams?: StreamsInfo;
  files: FileEntry[];
  /** The packed streams of encoded headers, for the check of bytes nothing accounts for. */
  headerStreams: StreamsInfo[];
}

/** Reads the header at `bytes`, decoding encoded headers; reports and returns `undefined` when it cannot. */
async function readListing(
  source: ByteSource,
  bytes: Uint8Array,
  ctx: ScanContext,
): Promise<Listing | undefined> {
  const { maxFiles, maxHeaderBytes } = scannerOptions(ctx).sevenzip;
  const headerStreams: StreamsInfo[] = [];
  for (let level = 0;; level++) {
    let parsed;
    try {
      parsed = parseHeader(bytes, maxFiles);
    } catch (error) {
      if (!(error instanceof MalformedHeader)) throw error;
      ctx.report({
        rule: "MA209",
        message: `The 7z header is malformed: ${error.reason}; its members could not be listed`,
        details: { reason: error.reason, headerOffset: error.offset, level },
      });
      return undefined;
    }
    if (parsed.kind === "header") return { streams: parsed.streams, files: parsed.files, headerStreams };
    if (level + 1 >= MAX_HEADER_LEVELS || parsed.streams.folders.length === 0) {
      ctx.report({
        rule: "MA209",
        message: level + 1 >= MAX_HEADER_LEVELS
          ? `The 7z header is encoded ${MAX_HEADER_LEVELS} times over; 7-Zip writes it once`
          : "The 7z header is encoded in no folder",
        details: { level },
      });
      return undefined;
    }
    headerStreams.push(parsed.streams);
    const { decoding } = openFolder(source, parsed.streams.folders[0], packedRanges(parsed.streams)[0], ctx);
    const size = folderSize(parsed.streams.folders[0]);
    if (decoding.kind === "encrypted") {
      ctx.report({
        rule: "MA213",
        message: "The 7z archive's header is encrypted: its member names and content were not inspected",
        details: { methods: decoding.methods },
      });
      return undefined;
    }
    if (decoding.kind === "unsupported") {
      ctx.report({
        rule: "MA212",
        message: `The 7z header is encoded with ${
          decoding.methods.join(" + ")
        }: ${decoding.reason}; no member was inspected`,
        details: { methods: decoding.methods, reason: decoding.reason },
      });
      return undefined;
    }
    if (size > maxHeaderBytes) {
      ctx.report({
        rule: "MA210",
        message:
          `The 7z header decodes to ${size} bytes, more than ${maxHeaderBytes}; no member was inspected`,
        details: { limit: "MAX_HEADER_BYTES", option: "sevenzip.maxHeaderBytes", max: maxHeaderBytes, size },
      });
      return undefined;
    }
    try {
      bytes = await readFolder(decoding, size);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      const reason = error.message;
      ctx.report({
        rule: "MA209",
        message: `The 7z header cannot be decoded (${reason}); no member was inspected`,
        details: { reason },
      });
      return undefined;
    }
    const declared = parsed.streams.folders[0].crc;
    if (declared !== undefined && crc32Of(bytes) !== declared) {
      ctx.report({
        rule: "MA209",
        message: "The decoded 7z header fails its CRC-32; it is read as it is",
        details: { declared, actual: crc32Of(bytes) },
      });
    }
  }
}

/** Checks the signature header; returns where the header lies, or `undefined` when it cannot be read. */
function checkSignature(source: ByteSource, signature: SignatureHeader, ctx: ScanContext) {
  if (signature.version[0] !== 0) {
    ctx.report({
      rule: "MA209",
      message: `7z format version ${signature.version.join(".")}: 7-Zip reads only major version 0`,
      details: { version: signature.version.join(".") },
    });
  }
  const { declared, actual } = signature.startHeaderCrc;
  if (declared !== actual) {
    ctx.report({
      rule: "MA209",
      message: "The 7z signature header fails its CRC-32: the archive was damaged or altered",
      position: 8,
      details: { declared, actual },
    });
  }
  const start = SIGNATURE_HEADER_BYTES + signature.nextHeaderOffset;
  const end = start + signature.nextHeaderSize;
  if (end > source.size) {
    ctx.report({
      rule: "MA209",
      message:
        `The 7z header (${signature.nextHeaderSize} bytes at ${start}) lies past the end of the file: it is truncated`,
      details: { headerOffset: start, headerSize: signature.nextHeaderSize, size: source.size },
    });
    return undefined;
  }
  const { maxHeaderBytes } = scannerOptions(ctx).sevenzip;
  if (signature.nextHeaderSize > maxHeaderBytes) {
    ctx.report({
      rule: "MA210",
      message:
        `The 7z header takes ${signature.nextHeaderSize} bytes, more than ${maxHeaderBytes}; it was not read`,
      details: {
        limit: "MAX_HEADER_BYTES",
        option: "sevenzip.maxHeaderBytes",
        max: maxHeaderBytes,
        size: signature.nextHeaderSize,
      },
    });
    return undefined;
  }
  return { start, end };
}

/** Reports and scans bytes no part of the archive accounts for: between its data and its header, and after it. */
async function checkExtraData(
  source: ByteSource,
  ctx: ScanContext,
  header: { start: number; end: number },
  listing: Listing | undefined,
): Promise<void> {
  let dataEnd = SIGNATURE_HEADER_BYTES;
  const all = [...(listing?.streams ? [listing.streams] : []), ...(listing?.headerStreams ?? [])];
  for (const streams of all) dataEnd = Math.max(dataEnd, packedEnd(streams));
  const gaps = [
    { start: dataEnd, end: header.start, what: "between the 7z archive's data and its header" },
    { start: header.end, end: source.size, what: "after the 7z archive's header" },
  ];
  // Without a listing the data's extent is unknown: only what follows the header is certain.
  for (const gap of listing ? gaps : gaps.slice(1)) {
    const length = gap.end - gap.start;
    if (length <= 0) continue;
    ctx.report({
      rule: "MA207",
      message: `${length} bytes ${gap.what}; scanned for payloads`,
      position: gap.start,
      details: { offset: gap.start, length },
    });
    await ctx.scanNested(subSource(source, gap.start, length), `<extra@${gap.start}>`, {
      opportunistic: true,
    });
  }
}

/** One file with data: its folder, where its bytes lie in the folder's output, and its CRC. */
interface Member {
  file: FileEntry;
  folder: number;
  offset: number;
  size: number;
  crc?: number;
}

/** Pairs the files that have data with the folders' substreams, in order. */
function placeMembers(listing: Listing): Member[] {
  const members: Member[] = [];
  const withData = listing.files.filter((file) => file.hasStream);
  let next = 0;
  listing.streams?.substreams.forEach((list, folder) => {
    let offset = 0;
    for (const { size, crc } of list) {
      members.push({ file: withData[next++], folder, offset, size, crc });
      offset += size;
    }
  });
  return members;
}

/** The Unix mode of a file's attributes, if they carry one. */
function unixMode(attributes: number | undefined): number | undefined {
  return attributes !== undefined && (attributes & ATTRIBUTE_UNIX_EXTENSION) ? attributes >>> 16 : undefined;
}

function isLink(file: FileEntry): boolean {
  const attributes = file.attributes ?? 0;
  return isSymlink(attributes) || (attributes & ATTRIBUTE_REPARSE_POINT) !== 0;
}

/** Reports names that escape the extraction folder, and names used twice. */
function checkNames(files: readonly FileEntry[], ctx: ScanContext): void {
  const names = new NameTracker();
  for (const file of files) {
    // 7-Zip and p7zip both take a backslash for a separator: `..\x` climbs out on either.
    const path = file.name.replaceAll("\\", "/");
    const reason = escapeReason(path);
    if (reason) {
      ctx.report({
        rule: "MA204",
        member: file.name,
        message: `Name escapes the extraction directory: ${reason}`,
        details: { reason },
      });
    }
    const directory = file.directory || ((file.attributes ?? 0) & ATTRIBUTE_DIRECTORY) !== 0;
    if (!file.anti && names.collides(path, directory)) {
      ctx.report({
        rule: "MA211",
        member: file.name,
        message: "Another member has the same name; extracting one overwrites the other",
        details: { name: file.name },
      });
    }
  }
}

/** Reports a link member, quoting its target when it was read. */
function reportLink(ctx: ScanContext, file: FileEntry, target?: string): void {
  const mode = unixMode(file.attributes);
  const kind = mode !== undefined && isSymlink(file.attributes ?? 0)
    ? "symbolic link"
    : "Windows reparse point";
  const escapes = target !== undefined && symlinkEscapes(file.name.replaceAll("\\", "/"), target);
  const to = target === undefined
    ? ""
    : ` to ${JSON.stringify(target)}${escapes ? ", outside the archive" : ""}`;
  ctx.report({
    rule: "MA205",
    member: file.name,
    message: `Member is a ${kind}${to}`,
    severity: escapes ? "critical" : undefined,
    details: { kind, ...(mode === undefined ? {} : { mode: mode.toString(8) }), target, escapes },
  });
}

/** The decoded bytes of a slice, with its CRC-32 checked once all of them have gone by. */
async function* checked(
  chunks: AsyncGenerator<Uint8Array>,
  member: Member,
  onMismatch: (actual: number) => void,
): AsyncGenerator<Uint8Array> {
  const crc = new Crc32();
  let seen = 0;
  for await (const chunk of chunks) {
    crc.update(chunk);
    seen += chunk.length;
    yield chunk;
  }
  if (member.crc !== undefined && seen === member.size && crc.value !== member.crc) onMismatch(crc.value);
}

function reportCrc(ctx: ScanContext, member: Member, actual: number): void {
  ctx.report({
    rule: "MA202",
    member: member.file.name,
    message: `CRC-32 is ${actual.toString(16).padStart(8, "0")}, the archive declares ${
      member.crc!.toString(16).padStart(8, "0")
    }`,
    details: { declared: member.crc, actual },
  });
}

/** Whether a folder is stored as is: its members are views of the file. */
function isCopy(folder: Folder): boolean {
  return folder.coders.length === 1 && folder.coders[0].method === METHOD.COPY;
}

/** The member's content as the engine takes it. */
function memberContent(
  member: Member,
  solid: SolidFolder,
  packSize: number,
  ctx: ScanContext,
): MemberContent {
  let crcReported = false;
  const onMismatch = (actual: number) => {
    if (crcReported) return;
    crcReported = true;
    reportCrc(ctx, member, actual);
  };
  return {
    kind: "encoded",
    // A solid folder's members share its packed bytes: each is charged its share, so each has the folder's ratio.
    encodedSize: Math.max(1, Math.round(packSize * (member.size / Math.max(1, solid.size)))),
    declaredSize: member.size,
    decode: (signal, charge = () => true) =>
      generatorStream(checked(solid.slice(member.offset, member.size, charge), member, onMismatch), signal),
  };
}

/** Hands the members of one folder to the engine; returns whether to go on. */
async function scanFolder(
  source: ByteSource,
  folder: Folder,
  index: number,
  range: PackedRange,
  members: readonly Member[],
  ctx: ScanContext,
): Promise<boolean> {
  const { start, size: packSize } = range;
  const { packed, decoding } = openFolder(source, folder, range, ctx);
  if (start + packSize > source.size) {
    ctx.report({
      rule: "MA209",
      message: `7z folder ${index} (${packSize} packed bytes at ${start}) runs past the end of the file`,
      position: start,
      details: { folder: index, packOffset: start, packSize },
    });
  }
  if (decoding.kind !== "decodable") {
    for (const { file } of members) {
      if (decoding.kind === "encrypted") {
        ctx.report({
          rule: "MA208",
          member: file.name,
          message: `Encrypted (${decoding.methods.join(" + ")}); its content was not inspected`,
          details: { methods: decoding.methods },
        });
      } else {
        ctx.report({
          rule: "MA212",
          member: file.name,
          message: `Compressed with ${
            decoding.methods.join(" + ")
          }: ${decoding.reason}; its content was not inspected`,
          details: { methods: decoding.methods, reason: decoding.reason },
        });
      }
    }
    return true;
  }
  const solid = new SolidFolder(decoding.open, folderSize(folder));
  try {
    for (const member of members) {
      ctx.signal.throwIfAborted();
      // A link's data is its target, scanned like any member's: an attribute must not hide a payload.
      const link = isLink(member.file) ? await linkData(solid, member) : undefined;
      if (isLink(member.file)) reportLink(ctx, member.file, link && new TextDecoder().decode(link));
      if (member.file.anti || member.file.directory) continue;
      let content: MemberContent;
      if (link) {
        content = { kind: "stored", source: bytesSource(link) };
      } else if (isCopy(folder)) {
        const bytes = subSource(packed, member.offset, member.size);
        if (member.crc !== undefined && member.size <= scannerOptions(ctx).sevenzip.maxStoredCrcBytes) {
          const actual = await sourceCrc(bytes);
          if (actual !== member.crc) reportCrc(ctx, member, actual);
        }
        content = { kind: "stored", source: bytes };
      } else {
        content = memberContent(member, solid, packSize, ctx);
      }
      if (!(await ctx.scanMember({ name: member.file.name, content }))) return false;
    }
  } finally {
    await solid.close();
  }
  return true;
}

/**
 * A short link's data (its target), when its folder's pass stands right before it (no decoding to skip):
 * read once here, it is then handed to the engine from memory.
 */
async function linkData(solid: SolidFolder, member: Member): Promise<Uint8Array | undefined> {
  if (member.size > MAX_LINK_TARGET_BYTES) return undefined;
  const bytes = new Uint8Array(member.size);
  let at = 0;
  try {
    for await (const chunk of solid.slice(member.offset, member.size, () => false)) {
      bytes.set(chunk, at);
      at += chunk.length;
    }
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    return undefined;
  }
  return at === member.size ? bytes : undefined;
}

/**
 * Scans a 7z archive: its headers, every member's name, and every member's content through the engine.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { scanSevenZip } from "./scanner.ts";
 * // 7z a -m0=Copy -mhc=off: hello.txt holding "hello"
 * const archive = Uint8Array.fromBase64("N3q8ryccAAQ+1WctBQAAAAAAAAA2AAAAAAAAAG3p1EhoZWxsbwEEBgABCQUABwsBAAEBAAwFAAgKAYamEDYAAAUBERUAaABlAGwAbABvAC4AdAB4AHQAAAAAAA==");
 * const { ctx, findings, members } = recordingContext("hello.7z");
 * await scanSevenZip(bytesSource(archive), ctx);
 * assert.equal(findings.length, 0);
 * assert.deepEqual(members.map((m) => m.name), ["hello.txt"]); // the engine scans it
 * ```
 */
export async function scanSevenZip(source: ByteSource, ctx: ScanContext): Promise<void> {
  const signature = readSignatureHeader(await source.read(0, SIGNATURE_HEADER_BYTES), crc32Of);
  if (!signature) {
    ctx.report({
      rule: "MA209",
      message: `A 7z signature on a file of ${source.size} bytes, too short for the signature header`,
      details: { size: source.size },
    });
    return;
  }
  const header = checkSignature(source, signature, ctx);
  if (!header) return;
  if (signature.nextHeaderSize === 0) {
    return await checkExtraData(source, ctx, header, { files: [], headerStreams: [] });
  }
  const bytes = await readAll(subSource(source, header.start, signature.nextHeaderSize));
  const actual = crc32Of(bytes);
  if (actual !== signature.nextHeaderCrc) {
    ctx.report({
      rule: "MA209",
      message: "The 7z header fails its CRC-32: the archive was damaged or altered; it is read as it is",
      position: header.start,
      details: { declared: signature.nextHeaderCrc, actual },
    });
  }
  const listing = await readListing(source, bytes, ctx);
  await checkExtraData(source, ctx, header, listing);
  if (!listing) return;
  checkNames(listing.files, ctx);
  for (const file of listing.files) if (!file.hasStream && isLink(file)) reportLink(ctx, file);
  const streams = listing.streams;
  if (!streams) return;
  const byFolder: Member[][] = streams.folders.map(() => []);
  for (const member of placeMembers(listing)) byFolder[member.folder].push(member);
  const ranges = packedRanges(streams);
  for (const [index, members] of byFolder.entries()) {
    if (members.length === 0) continue;
    if (!(await scanFolder(source, streams.folders[index], index, ranges[index], members, ctx))) return;
  }
}

/**
 * The 7z scanner, loaded by its registry entry (`sevenZipDescriptor` in `descriptor.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { sevenZipScanner } from "./scanner.ts";
 * // Needs read permission: py7zr's archive of a model folder, among this repository's fixtures.
 * const archive = await Deno.readFile("fixtures/sevenzip/malicious/pickle_py7zr.7z");
 * const { ctx, members } = recordingContext("pickle_py7zr.7z");
 * await sevenZipScanner.scan(bytesSource(archive), ctx);
 * assert.deepEqual(members.map((m) => m.name), [
 *   "README.md",
 *   "config.json",
 *   "model.pkl",
 *   "model.safetensors",
 *   "pytorch_model.bin",
 * ]);
 * ```
 */
export const sevenZipScanner: Scanner = { scan: scanSevenZip };
