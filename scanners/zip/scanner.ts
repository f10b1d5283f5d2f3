/**
 * The zip scanner. It reads only the end records, the central directory and
 * each member's local header up front, reports what makes loaders disagree on
 * the archive (headers that differ, flags, overlapping or duplicate members,
 * names that escape, links, extra data before or after the archive), and hands
 * every member to the engine: routed by content, or as an archive profile (a
 * PyTorch checkpoint, a NumPy `.npz`) says its loader reads it.
 *
 * The archive is read as Python's zipfile and miniz (torch.load) read it: the
 * central directory names the members and their sizes and methods, each local
 * header says where the data starts.
 *
 * @module
 */

import { type ByteSource, subSource } from "../../core/byte_source.ts";
import type { ScanContext, Scanner } from "../../core/scanner.ts";
import type { ArchiveEntry, MemberPlan } from "../archive/profile.ts";
import { ZIP_PROFILES } from "../archive/profiles.ts";
import { scannerOptions } from "../options.ts";
import { type CentralEntry, listEntries, type Listing } from "./directory.ts";
import { type EndRecord, findEndRecord } from "./end_record.ts";
import { checkLayout, checkNames, locateMembers, type Member } from "./entries.ts";
import { walkLocalHeaders } from "./local_header.ts";
import {
  type DecodeHooks,
  memberContent,
  METHOD_STORED,
  readEntry,
  sourceCrc,
  storedBytes,
} from "./members.ts";
import { windowedSource } from "./window.ts";

/** Reports why the listing stopped early, if it did. */
function reportListingStop(ctx: ScanContext, listing: Listing): void {
  const { stopped, entries } = listing;
  const { maxEntries, maxDirectoryBytes } = scannerOptions(ctx).zip;
  if (stopped?.kind === "malformed") {
    ctx.report({
      rule: "MA209",
      message:
        `The central directory is malformed (${stopped.message}); ${entries.length} entries could be read`,
      details: { reason: stopped.message, entriesRead: entries.length },
    });
  } else if (stopped?.kind === "entries") {
    ctx.report({
      rule: "MA210",
      message: `More than ${maxEntries} entries; the rest were not listed`,
      details: { limit: "MAX_ZIP_ENTRIES", option: "zip.maxEntries", max: maxEntries },
    });
  } else if (stopped?.kind === "directory") {
    ctx.report({
      rule: "MA210",
      message:
        `The central directory takes ${stopped.bytes} bytes, more than ${maxDirectoryBytes}; it was not read`,
      details: {
        limit: "MAX_DIRECTORY_BYTES",
        option: "zip.maxDirectoryBytes",
        max: maxDirectoryBytes,
        bytes: stopped.bytes,
      },
    });
  }
}

/** Data before the first record and after the end record: reported, and scanned for payloads. */
async function checkExtraData(
  source: ByteSource,
  record: EndRecord,
  members: readonly Member[],
  ctx: ScanContext,
): Promise<void> {
  let start = record.directoryOffset;
  for (const { entry } of members) start = Math.min(start, entry.headerOffset);
  if (start > 0) {
    const read = ctx.alsoReadAs === undefined ? "; scanned for payloads" : `, read as ${ctx.alsoReadAs}`;
    ctx.report({
      rule: "MA207",
      message: `${start} bytes before the archive's first record${read}`,
      position: 0,
      details: { offset: 0, length: start },
    });
    // What precedes an archive found at the end has been read from its start already.
    if (ctx.alsoReadAs === undefined) {
      await ctx.scanNested(subSource(source, 0, start), "<prefix>", { opportunistic: true });
    }
  }
  const trailing = source.size - record.end;
  if (trailing > 0) {
    ctx.report({
      rule: "MA207",
      message: `${trailing} bytes after the archive's end record; scanned for payloads`,
      position: record.end,
      details: { offset: record.end, length: trailing },
    });
    await ctx.scanNested(subSource(source, record.end, trailing), `<trailing@${record.end}>`, {
      opportunistic: true,
    });
  }
}

/** Hooks that report a member's decoding problems once, however often the engine decodes it. */
function reportingHooks(ctx: ScanContext, entry: CentralEntry): DecodeHooks {
  let crcReported = false;
  let trailingReported = false;
  return {
    onCrcMismatch(actual) {
      if (crcReported) return;
      crcReported = true;
      reportCrc(ctx, entry, actual);
    },
    onTrailing(offset) {
      if (trailingReported) return;
      trailingReported = true;
      ctx.report({
        rule: "MA209",
        member: entry.name,
        message:
          `Its deflate stream ends after ${offset} of its ${entry.compressedSize} compressed bytes; loaders ignore the rest`,
        details: { deflateEnd: offset, compressedSize: entry.compressedSize },
      });
    },
  };
}

function reportCrc(ctx: ScanContext, entry: CentralEntry, actual: number): void {
  ctx.report({
    rule: "MA202",
    member: entry.name,
    message: `CRC-32 is ${actual.toString(16).padStart(8, "0")}, the archive declares ${
      entry.crc32.toString(16).padStart(8, "0")
    }`,
    details: { declared: entry.crc32, actual },
  });
}

/** The plans of the first archive profile whose layout the entries match, if any. */
async function planMembers(
  source: ByteSource,
  members: readonly Member[],
  ctx: ScanContext,
): Promise<Map<string, MemberPlan>> {
  const { maxProfileReadBytes } = scannerOptions(ctx).zip;
  const entries: ArchiveEntry[] = members.map((member) => ({
    name: member.entry.name,
    rawName: member.entry.rawName,
    size: member.entry.size,
    directory: member.directory,
    read: () => readEntry(source, member, member.decodable && !member.directory, maxProfileReadBytes),
    ...(member.decodable && !member.directory && member.entry.method === METHOD_STORED
      ? { stored: storedBytes(source, member) }
      : {}),
  }));
  const profile = ZIP_PROFILES.find((candidate) => candidate.matches(entries));
  if (!profile) return new Map();
  ctx.identify(profile.format);
  return await profile.plan(entries, ctx);
}

/** Hands every readable member to the engine, as planned; `near` serves the checksum reads. */
async function scanMembers(
  source: ByteSource,
  near: ByteSource,
  members: readonly Member[],
  ctx: ScanContext,
): Promise<void> {
  const plans = await planMembers(near, members, ctx);
  const { zip: { maxStoredCrcBytes }, lzma: { maxDecodedBytes: maxLzmaBytes } } = scannerOptions(ctx);
  for (const member of members) {
    if (member.directory || !member.decodable) continue;
    const plan = plans.get(member.entry.name);
    if (plan?.action === "skip") continue;
    const { entry } = member;
    if (entry.method === METHOD_STORED && entry.size <= maxStoredCrcBytes) {
      const actual = await sourceCrc(storedBytes(near, member));
      if (actual !== entry.crc32) reportCrc(ctx, entry, actual);
    }
    const content = memberContent(source, member, reportingHooks(ctx, entry), maxLzmaBytes);
    if (!(await ctx.scanMember({ name: entry.name, content, loadAs: plan?.loadAs }))) return;
  }
}

/**
 * Reports end records that disagree with each other (readers differ on which they trust: Python's zipfile
 * takes the zip64 one) or point past the central directory (loaders then miss it).
 */
function checkEndRecord(ctx: ScanContext, record: EndRecord): void {
  const { directoryOffset } = record;
  if (record.disagrees.length > 0) {
    ctx.report({
      rule: "MA200",
      message: `The end record and the zip64 end record disagree on ${record.disagrees.join(", ")}`,
      details: { fields: record.disagrees },
    });
  }
  if (directoryOffset >= record.storedDirectoryOffset) return; // equal, or shifted by data before the archive
  ctx.report({
    rule: "MA209",
    message:
      `The end record puts the central directory at ${record.storedDirectoryOffset}, past where it is (${directoryOffset})`,
    details: { storedDirectoryOffset: record.storedDirectoryOffset, directoryOffset },
  });
}

/** The entries a streaming reader finds without a central directory, reported as such. */
async function walkWithoutDirectory(
  source: ByteSource,
  ctx: ScanContext,
  why: string,
): Promise<CentralEntry[]> {
  const entries = await walkLocalHeaders(source, scannerOptions(ctx).zip.maxEntries);
  const found = entries.length;
  const scanned = found === 0
    ? ""
    : found === 1
    ? "; 1 member found by its local header is scanned"
    : `; ${found} members found by their local headers are scanned`;
  ctx.report({
    rule: "MA209",
    message: `${why}${scanned}`,
    details: { membersFound: found },
  });
  return entries;
}

/** The checks and the members' scan, for entries from the central directory (`record` set) or a walk. */
async function scanEntries(
  source: ByteSource,
  entries: readonly CentralEntry[],
  ctx: ScanContext,
  record?: EndRecord,
): Promise<void> {
  // Header and checksum reads go through a window; members go to the engine as views of the source itself.
  const near = windowedSource(source);
  const members = await locateMembers(near, entries, ctx, record !== undefined);
  await checkNames(near, members, ctx);
  checkLayout(source, members, ctx, record?.directoryOffset);
  if (record) await checkExtraData(source, record, members, ctx);
  await scanMembers(source, near, members, ctx);
}

async function scanZip(source: ByteSource, ctx: ScanContext): Promise<void> {
  const record = await findEndRecord(source);
  const listing = record && await listEntries(source, record, ctx.signal, scannerOptions(ctx).zip);
  if (listing) reportListingStop(ctx, listing);
  if (!record || !listing || (listing.stopped && listing.entries.length === 0)) {
    const why = record
      ? "No entry of the central directory could be read"
      : "No end of central directory record: the zip is truncated or damaged";
    return await scanEntries(source, await walkWithoutDirectory(source, ctx, why), ctx);
  }
  checkEndRecord(ctx, record);
  await scanEntries(source, listing.entries, ctx, record);
}

/**
 * The zip scanner, loaded by its registry entry (`zipDescriptor` in `descriptor.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { zipScanner } from "./scanner.ts";
 * // Python's zipfile: one deflated member, data.pkl, holding pickle.dumps(None, 4)
 * const zip = "UEsDBBQAAAAIAAAAIVC/rjh5BgAAAAQAAAAIAAAAZGF0YS5wa2xrYPHTAwBQSwECFAMUAAAACAAAACFQv644eQYAAAAEAAAACAAAAAAAAAAAAAAAgAEAAAAAZGF0YS5wa2xQSwUGAAAAAAEAAQA2AAAALAAAAAAA";
 * const { ctx, findings, members } = recordingContext("model.zip");
 * await zipScanner.scan(bytesSource(Uint8Array.fromBase64(zip)), ctx);
 * assert.equal(findings.length, 0);
 * assert.deepEqual(members.map((m) => [m.name, m.content.kind]), [["data.pkl", "encoded"]]); // the engine decodes and scans it
 * ```
 */
export const zipScanner: Scanner = { scan: scanZip };
