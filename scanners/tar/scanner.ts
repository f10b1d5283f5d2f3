/**
 * The tar scanner: lists a tar archive header by header ({@linkcode TarReader}),
 * reports what extracting it would do outside the archive (escaping names,
 * links, device nodes, colliding names), and hands each member to the engine as
 * a view of the archive, never a copy. Members are routed by content, unless an
 * archive profile (a legacy torch tar) recognises the layout and says how its
 * loader reads them. Python's `tarfile` stops at the first end-of-archive block
 * or bad header; what lies beyond either is scanned too, opportunistically,
 * since other tar readers (GNU tar with `--ignore-zeros`, or skipping a bad
 * header) go on reading there.
 *
 * @module
 */

import { type ByteSource, readAll, subSource } from "../../core/byte_source.ts";
import type { ScanContext, Scanner } from "../../core/scanner.ts";
import type { ArchiveEntry, MemberPlan } from "../archive/profile.ts";
import { TAR_PROFILES } from "../archive/profiles.ts";
import { scannerOptions } from "../options.ts";
import { hardlinkEscapes, nameEscape, NameTracker, specialKind, symlinkEscapes } from "./checks.ts";
import { BLOCK_SIZE, carriesData, isTarHeader, TYPE } from "./header.ts";
import { type TarEntry, TarReader, type TarStep } from "./reader.ts";

/**
 * Entries listed before any member is scanned, for the profiles to judge the layout:
 * the fixed layouts they recognise have a handful; a longer tar is scanned as listed.
 */
export const MAX_PROFILE_ENTRIES = 16;

/** Bytes read at a time when looking for data after the end or the next header after a bad one. */
const SEARCH_CHUNK_BYTES = 64 * 1024;

/** How the members of one archive are read, once its layout is known. */
interface ArchivePlan {
  /** Plans by member name, from the profile that matched. */
  members?: Map<string, MemberPlan>;
  /** Whether a profile matched: its loader extracts members by name, so links and special files are critical. */
  profiled: boolean;
}

function archiveEntry(source: ByteSource, entry: TarEntry): ArchiveEntry {
  const size = carriesData(entry.type) ? entry.size : 0;
  return {
    name: entry.name,
    size,
    directory: entry.type === TYPE.DIRECTORY,
    read: () => readAll(subSource(source, entry.dataOffset, size)),
  };
}

/** Asks the profiles about the listed entries; the first whose layout matches plans the members. */
async function planArchive(source: ByteSource, entries: TarEntry[], ctx: ScanContext): Promise<ArchivePlan> {
  const listed = entries.map((entry) => archiveEntry(source, entry));
  const profile = TAR_PROFILES.find((candidate) => candidate.matches(listed));
  if (!profile) return { profiled: false };
  ctx.identify(profile.format);
  return { members: await profile.plan(listed, ctx), profiled: true };
}

/** Reports what extracting `entry` would do outside the archive. */
function checkEntry(ctx: ScanContext, entry: TarEntry, names: NameTracker, plan: ArchivePlan): void {
  const member = entry.name;
  for (const problem of entry.problems) {
    ctx.report({
      rule: "MA209",
      member,
      message: `Tar entry is read differently by different tools: ${problem}`,
    });
  }
  const escape = nameEscape(member);
  if (escape !== undefined) {
    ctx.report({
      rule: "MA204",
      member,
      message: `Tar member name has ${escape}: extracting it writes outside the target folder`,
      details: { name: member, reason: escape },
    });
  }
  if (names.collides(member, entry.type === TYPE.DIRECTORY)) {
    ctx.report({
      rule: "MA211",
      member,
      message: "Tar member has the same name as an earlier one: readers disagree on which they read",
      details: { name: member },
    });
  }
  const kind = specialKind(entry.type);
  if (kind === undefined) return;
  const link = entry.type === TYPE.SYMLINK || entry.type === TYPE.HARDLINK;
  const escapes = link &&
    (entry.type === TYPE.SYMLINK ? symlinkEscapes(member, entry.linkname) : hardlinkEscapes(entry.linkname));
  const target = link ? ` to "${entry.linkname}"${escapes ? ", outside the archive" : ""}` : "";
  const loader = plan.profiled ? "; its loader extracts members by name and follows it" : "";
  ctx.report({
    rule: "MA205",
    member,
    message: `Tar member is a ${kind}${target}${loader}`,
    severity: escapes || plan.profiled ? "critical" : undefined,
    details: link ? { kind, linkname: entry.linkname, escapes } : { kind },
  });
}

/** Hands a member's data to the engine; returns whether to go on listing. */
async function scanData(source: ByteSource, ctx: ScanContext, entry: TarEntry, plan: ArchivePlan) {
  const memberPlan = plan.members?.get(entry.name);
  if (memberPlan?.action === "skip") return true;
  if (entry.sparse) {
    ctx.report({
      rule: "MA212",
      member: entry.name,
      message: "Tar member is a GNU sparse file, whose content was not inspected",
      details: { name: entry.name },
    });
    return true;
  }
  const go = await ctx.scanMember({
    name: entry.name,
    content: { kind: "stored", source: subSource(source, entry.dataOffset, entry.size) },
    loadAs: memberPlan?.loadAs,
  });
  const available = Math.max(0, source.size - entry.dataOffset);
  if (entry.size <= available) return go;
  ctx.report({
    rule: "MA209",
    member: entry.name,
    message: `Tar member is truncated: it declares ${entry.size} bytes, ${available} remain`,
    details: { declaredSize: entry.size, available },
  });
  return false;
}

/** Offset of the first non-zero byte of `source` from `start` on, if any. */
async function firstNonZero(
  source: ByteSource,
  ctx: ScanContext,
  start: number,
): Promise<number | undefined> {
  for (let offset = start; offset < source.size; offset += SEARCH_CHUNK_BYTES) {
    ctx.signal.throwIfAborted();
    const chunk = await source.read(offset, SEARCH_CHUNK_BYTES);
    const at = chunk.findIndex((b) => b !== 0);
    if (at >= 0) return offset + at;
  }
  return undefined;
}

/** Offset of the first block from `start` on (in steps of blocks) that is a tar header, if any. */
async function nextHeader(source: ByteSource, ctx: ScanContext, start: number): Promise<number | undefined> {
  for (let offset = start; offset + BLOCK_SIZE <= source.size; offset += SEARCH_CHUNK_BYTES) {
    ctx.signal.throwIfAborted();
    const chunk = await source.read(offset, SEARCH_CHUNK_BYTES);
    for (let at = 0; at + BLOCK_SIZE <= chunk.length; at += BLOCK_SIZE) {
      if (isTarHeader(chunk.subarray(at, at + BLOCK_SIZE))) return offset + at;
    }
  }
  return undefined;
}

/** Reports how the listing ended, and scans what other readers would read past that point. */
async function finish(source: ByteSource, ctx: ScanContext, step: Exclude<TarStep, { kind: "entry" }>) {
  if (step.kind === "end") {
    const extra = await firstNonZero(source, ctx, step.offset + BLOCK_SIZE);
    if (extra === undefined) return;
    ctx.report({
      rule: "MA207",
      message: `${source.size - extra} bytes of data follow the tar's end-of-archive block at ${step.offset}`,
      position: extra,
      details: { endOfArchive: step.offset, extraBytes: source.size - extra },
    });
    await ctx.scanNested(subSource(source, extra, source.size - extra), `<trailing@${extra}>`, {
      opportunistic: true,
    });
  } else if (step.kind === "limit") {
    ctx.report({
      rule: "MA210",
      message:
        `Tar archive exceeds a scanner limit at ${step.offset} (${step.reason}); the rest was not inspected`,
      position: step.offset,
      details: { limit: step.limit, option: step.option, max: step.max },
    });
  } else if (step.kind === "malformed") {
    const resync = await nextHeader(source, ctx, step.offset + BLOCK_SIZE);
    ctx.report({
      rule: "MA209",
      message:
        `Tar archive is malformed at ${step.offset}: ${step.reason}; tar readers stop or skip ahead there`,
      position: step.offset,
      details: resync === undefined ? { reason: step.reason } : { reason: step.reason, nextHeader: resync },
    });
    if (resync === undefined) return;
    await ctx.scanNested(subSource(source, resync, source.size - resync), `<resync@${resync}>`, {
      opportunistic: true,
    });
  }
}

/**
 * Scans a tar archive: its entries, its members through the engine, and whatever
 * follows its end.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { scanTar } from "./scanner.ts";
 * // Needs read permission: one of this repository's fixtures, written by Python's tarfile.
 * const archive = await Deno.readFile("fixtures/tar/malicious/symlink.tar");
 * const { ctx, findings } = recordingContext("symlink.tar");
 * await scanTar(bytesSource(archive), ctx);
 * assert.deepEqual(findings.map((f) => [f.rule, f.member]), [["MA205", "passwd"]]);
 * ```
 */
export async function scanTar(source: ByteSource, ctx: ScanContext): Promise<void> {
  const options = scannerOptions(ctx).tar;
  const reader = new TarReader(source, options);
  const listed: TarEntry[] = [];
  let step = await reader.next();
  while (step.kind === "entry" && listed.length < MAX_PROFILE_ENTRIES) {
    listed.push(step.entry);
    step = await reader.next();
  }
  const plan = step.kind === "entry" ? { profiled: false } : await planArchive(source, listed, ctx);
  const names = new NameTracker();
  let count = 0;
  const handle = async (entry: TarEntry): Promise<boolean> => {
    ctx.signal.throwIfAborted();
    if (++count > options.maxEntries) {
      ctx.report({
        rule: "MA210",
        message: `More than ${options.maxEntries} tar entries; the rest were not inspected`,
        position: entry.headerOffset,
        details: { limit: "MAX_TAR_ENTRIES", option: "tar.maxEntries", max: options.maxEntries },
      });
      return false;
    }
    checkEntry(ctx, entry, names, plan);
    return carriesData(entry.type) ? await scanData(source, ctx, entry, plan) : true;
  };
  for (const entry of listed) if (!(await handle(entry))) return;
  while (step.kind === "entry") {
    if (!(await handle(step.entry))) return;
    step = await reader.next();
  }
  await finish(source, ctx, step);
}

/**
 * The tar scanner, loaded by its registry entry (`tarDescriptor` in `descriptor.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { tarScanner } from "./scanner.ts";
 * // Needs read permission: one of this repository's fixtures, written by Python's tarfile.
 * const archive = await Deno.readFile("fixtures/tar/malicious/dotdot_name.tar");
 * const { ctx, findings, members } = recordingContext("dotdot_name.tar");
 * await tarScanner.scan(bytesSource(archive), ctx);
 * assert.deepEqual(findings.map((f) => [f.rule, f.member]), [["MA204", "../evil.txt"]]);
 * assert.deepEqual(members.map((m) => m.name), ["../evil.txt"]); // its content is scanned all the same
 * ```
 */
export const tarScanner: Scanner = { scan: scanTar };
