/**
 * Every entry of a zip, checked before any member is scanned: its local header
 * found and compared with the central directory, its flags and method sorted
 * into readable or not, its name, its link type, and where its bytes lie.
 *
 * @module
 */

import type { ByteSource } from "../../core/byte_source.ts";
import type { ScanContext } from "../../core/scanner.ts";
import { ENCRYPTION_FLAGS, escapeReason, findOverlaps, isSymlink, unusualFlagBits } from "./checks.ts";
import type { CentralEntry } from "./directory.ts";
import {
  compareDescriptor,
  compareHeaders,
  FLAG_DATA_DESCRIPTOR,
  type HeaderMismatch,
  readLocalHeader,
} from "./local_header.ts";
import {
  isDecodableMethod,
  type LocatedEntry,
  METHOD_STORED,
  methodName,
  readEntry,
  readsAsPlain,
} from "./members.ts";

/** Entries between checks of the abort signal. */
const ABORT_CHECK_ENTRIES = 1024;

/** A link's target is quoted in its finding up to this size: real targets are short paths. */
const MAX_LINK_TARGET_BYTES = 4096;

/**
 * An entry located in the archive, and whether its bytes can be handed to the engine.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { listEntries } from "./directory.ts";
 * import { findEndRecord } from "./end_record.ts";
 * import { locateMembers, type Member } from "./entries.ts";
 * // Python's zipfile: one deflated member, data.pkl, holding pickle.dumps(None, 4)
 * const zip = "UEsDBBQAAAAIAAAAIVC/rjh5BgAAAAQAAAAIAAAAZGF0YS5wa2xrYPHTAwBQSwECFAMUAAAACAAAACFQv644eQYAAAAEAAAACAAAAAAAAAAAAAAAgAEAAAAAZGF0YS5wa2xQSwUGAAAAAAEAAQA2AAAALAAAAAAA";
 * const source = bytesSource(Uint8Array.fromBase64(zip));
 * const { entries } = await listEntries(source, (await findEndRecord(source))!, new AbortController().signal);
 * const [member]: Member[] = await locateMembers(source, entries, recordingContext("model.zip").ctx, true);
 * assert.deepEqual([member.entry.name, member.dataOffset, member.decodable, member.directory], ["data.pkl", 38, true, false]);
 * ```
 */
export interface Member extends LocatedEntry {
  /** It has a local header, a method modelaudit decodes, and is not really encrypted. */
  decodable: boolean;
  /** A directory entry: no member of its own. */
  directory: boolean;
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(4, "0")}`;
}

function describe(mismatch: HeaderMismatch): string {
  const show = (value: string | number) =>
    typeof value === "string"
      ? JSON.stringify(value)
      : mismatch.field === "flags"
      ? hex(value)
      : String(value);
  return `${mismatch.field} ${show(mismatch.local)} (central directory: ${show(mismatch.central)})`;
}

/** Whether a loader can read the member's bytes; reports flags and methods that say otherwise or deceive. */
async function checkReadable(source: ByteSource, located: LocatedEntry, ctx: ScanContext): Promise<boolean> {
  const { entry } = located;
  const member = entry.name;
  const encrypted = (entry.flags & ENCRYPTION_FLAGS) !== 0;
  const known = isDecodableMethod(entry.method);
  if (encrypted && !(known && await readsAsPlain(source, located))) {
    ctx.report({
      rule: "MA208",
      member,
      message: `Encrypted (${methodName(entry.method)}); its content was not inspected`,
      details: { flags: entry.flags, method: entry.method },
    });
    return false;
  }
  if (!known) {
    ctx.report({
      rule: "MA212",
      member,
      message: `Compressed with ${
        methodName(entry.method)
      }, which modelaudit cannot decode; its content was not inspected`,
      details: { method: entry.method, methodName: methodName(entry.method) },
    });
    return false;
  }
  const bits = unusualFlagBits(entry.flags);
  if (encrypted || bits.length > 0) {
    const what = encrypted
      ? "flagged as encrypted but its data is plain"
      : `sets unusual flag bits ${bits.join(", ")}`;
    ctx.report({
      rule: "MA201",
      member,
      message: `Member ${what} (flags ${
        hex(entry.flags)
      }): loaders that ignore the flag read it, scanners that honour it skip it`,
      details: { flags: entry.flags, encryptedFlag: encrypted, unusualBits: bits },
    });
  }
  if (entry.method === METHOD_STORED && entry.compressedSize !== entry.size) {
    ctx.report({
      rule: "MA209",
      member,
      message: `Stored member declares ${entry.size} bytes but takes ${entry.compressedSize}`,
      details: { size: entry.size, compressedSize: entry.compressedSize },
    });
  }
  return true;
}

/**
 * Reads each entry's local header, compares it with the central directory (when
 * `compare`: entries from a walk over local headers have nothing to compare with),
 * and sorts out which members can be read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { listEntries } from "./directory.ts";
 * import { findEndRecord } from "./end_record.ts";
 * import { locateMembers } from "./entries.ts";
 * // Python's zipfile: one deflated member, data.pkl, holding pickle.dumps(None, 4)
 * const zip = "UEsDBBQAAAAIAAAAIVC/rjh5BgAAAAQAAAAIAAAAZGF0YS5wa2xrYPHTAwBQSwECFAMUAAAACAAAACFQv644eQYAAAAEAAAACAAAAAAAAAAAAAAAgAEAAAAAZGF0YS5wa2xQSwUGAAAAAAEAAQA2AAAALAAAAAAA";
 * const source = bytesSource(Uint8Array.fromBase64(zip));
 * const { entries } = await listEntries(source, (await findEndRecord(source))!, new AbortController().signal);
 * const { ctx, findings } = recordingContext("model.zip");
 * const members = await locateMembers(source, entries, ctx, true);
 * assert.deepEqual(members.map((m) => m.dataOffset), [38]); // after the 30-byte local header and the name
 * assert.equal(findings.length, 0); // the local header agrees with the central directory
 * ```
 */
export async function locateMembers(
  source: ByteSource,
  entries: readonly CentralEntry[],
  ctx: ScanContext,
  compare: boolean,
): Promise<Member[]> {
  const members: Member[] = [];
  for (const entry of entries) {
    if (entry.index % ABORT_CHECK_ENTRIES === 0) ctx.signal.throwIfAborted();
    const directory = entry.name.endsWith("/") && entry.size === 0 && entry.compressedSize === 0;
    const local = await readLocalHeader(source, entry.headerOffset);
    if (typeof local === "string") {
      ctx.report({
        rule: "MA209",
        member: entry.name,
        message: `Cannot be read: ${local}`,
        details: { headerOffset: entry.headerOffset },
      });
      members.push({ entry, dataOffset: -1, decodable: false, directory });
      continue;
    }
    const located = { entry, dataOffset: local.dataOffset };
    if (compare) {
      const mismatches = compareHeaders(entry, local);
      const descriptor = local.flags & FLAG_DATA_DESCRIPTOR
        ? await compareDescriptor(source, entry, local.dataOffset)
        : [];
      if (mismatches.length + descriptor.length > 0) {
        const parts = [
          ...mismatches.map((m) => `local header ${describe(m)}`),
          ...descriptor.map((m) => `data descriptor ${describe(m)}`),
        ];
        ctx.report({
          rule: "MA200",
          member: entry.name,
          message: `Headers disagree with the central directory: ${parts.join("; ")}`,
          details: { localHeader: mismatches, dataDescriptor: descriptor, headerOffset: entry.headerOffset },
        });
      }
    }
    members.push({
      ...located,
      decodable: directory || await checkReadable(source, located, ctx),
      directory,
    });
  }
  return members;
}

/**
 * Reports names that escape the extraction directory, links, and names used twice.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { listEntries } from "./directory.ts";
 * import { findEndRecord } from "./end_record.ts";
 * import { checkNames, locateMembers } from "./entries.ts";
 * // Python's zipfile: one deflated member, data.pkl, holding pickle.dumps(None, 4)
 * const zip = "UEsDBBQAAAAIAAAAIVC/rjh5BgAAAAQAAAAIAAAAZGF0YS5wa2xrYPHTAwBQSwECFAMUAAAACAAAACFQv644eQYAAAAEAAAACAAAAAAAAAAAAAAAgAEAAAAAZGF0YS5wa2xQSwUGAAAAAAEAAQA2AAAALAAAAAAA";
 * const source = bytesSource(Uint8Array.fromBase64(zip));
 * const { entries } = await listEntries(source, (await findEndRecord(source))!, new AbortController().signal);
 * const { ctx, findings } = recordingContext("model.zip");
 * const members = await locateMembers(source, entries, ctx, true);
 * await checkNames(source, [...members, ...members], ctx); // listed twice, as a crafted directory may
 * assert.deepEqual(findings.map((f) => [f.rule, f.member]), [["MA211", "data.pkl"]]);
 * ```
 */
export async function checkNames(
  source: ByteSource,
  members: readonly Member[],
  ctx: ScanContext,
): Promise<void> {
  const seen = new Map<string, number>();
  for (const { entry, dataOffset, decodable } of members) {
    const member = entry.name;
    const reason = escapeReason(entry.name) ??
      (entry.extraName === undefined ? undefined : escapeReason(entry.extraName));
    if (reason) {
      ctx.report({
        rule: "MA204",
        member,
        message: `Name escapes the extraction directory: ${reason}`,
        details: { reason, ...(entry.extraName === undefined ? {} : { unicodePathName: entry.extraName }) },
      });
    }
    if (isSymlink(entry.externalAttributes)) {
      const target = decodable && entry.size <= MAX_LINK_TARGET_BYTES
        ? new TextDecoder().decode(await readEntry(source, { entry, dataOffset }, true))
        : undefined;
      ctx.report({
        rule: "MA205",
        member,
        message: `Symbolic link${target === undefined ? "" : ` to ${JSON.stringify(target)}`}`,
        details: { mode: (entry.externalAttributes >>> 16).toString(8), target },
      });
    }
    const first = seen.get(entry.name);
    if (first === undefined) {
      seen.set(entry.name, entry.index);
    } else {
      ctx.report({
        rule: "MA211",
        member,
        message: `Another member has the same name (entry ${first}); loaders differ on which one they read`,
        details: { index: entry.index, firstIndex: first },
      });
    }
  }
}

/**
 * Reports members that overlap each other, or whose data runs past the central
 * directory (at `directoryOffset`, when there is one) or the end of the file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { listEntries } from "./directory.ts";
 * import { findEndRecord } from "./end_record.ts";
 * import { checkLayout, locateMembers } from "./entries.ts";
 * // Python's zipfile: one deflated member, data.pkl, holding pickle.dumps(None, 4)
 * const zip = "UEsDBBQAAAAIAAAAIVC/rjh5BgAAAAQAAAAIAAAAZGF0YS5wa2xrYPHTAwBQSwECFAMUAAAACAAAACFQv644eQYAAAAEAAAACAAAAAAAAAAAAAAAgAEAAAAAZGF0YS5wa2xQSwUGAAAAAAEAAQA2AAAALAAAAAAA";
 * const source = bytesSource(Uint8Array.fromBase64(zip));
 * const record = (await findEndRecord(source))!;
 * const { entries } = await listEntries(source, record, new AbortController().signal);
 * const { ctx, findings } = recordingContext("model.zip");
 * const members = await locateMembers(source, entries, ctx, true);
 * checkLayout(source, members, ctx, record.directoryOffset);
 * assert.equal(findings.length, 0);
 * checkLayout(source, [...members, ...members], ctx, record.directoryOffset); // two entries, one data
 * assert.deepEqual(findings.map((f) => f.rule), ["MA203"]);
 * ```
 */
export function checkLayout(
  source: ByteSource,
  members: readonly Member[],
  ctx: ScanContext,
  directoryOffset?: number,
): void {
  const placed = members.filter((m) => m.dataOffset >= 0);
  const ranges = placed.map(({ entry, dataOffset }) => ({
    index: entry.index,
    start: entry.headerOffset,
    end: dataOffset + entry.compressedSize,
  }));
  for (const { member, overlaps } of findOverlaps(ranges)) {
    const other = members[overlaps].entry;
    ctx.report({
      rule: "MA203",
      member: members[member].entry.name,
      message: `Its bytes overlap those of ${JSON.stringify(other.name)}`,
      details: { overlaps: other.name, overlapsIndex: other.index },
    });
  }
  for (const { entry, dataOffset } of placed) {
    const end = dataOffset + entry.compressedSize;
    const beforeDirectory = directoryOffset !== undefined && entry.headerOffset < directoryOffset;
    const limit = beforeDirectory ? directoryOffset : source.size;
    if (end <= limit) continue;
    const where = end > source.size ? "the end of the file" : "the central directory";
    ctx.report({
      rule: "MA209",
      member: entry.name,
      message: `Its data (${entry.compressedSize} bytes from ${dataOffset}) runs past ${where}`,
      details: { dataOffset, compressedSize: entry.compressedSize, limit },
    });
  }
}
