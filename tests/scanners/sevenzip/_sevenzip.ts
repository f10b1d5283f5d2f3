// Test helpers for the 7z scanner: a stored ("Copy" coder) 7z assembled field by field, as
// 7zFormat.txt lays it out, for the malformed archives no archiver writes; and a ScanContext that
// keeps the members the scanner hands over, to read them as the engine would.
import { bytesSource } from "../../../core/byte_source.ts";
import type { ContainerMember, FindingReport, ScanContext } from "../../../core/scanner.ts";
import { CallablePolicy } from "../../../policy/callables.ts";
import { Crc32 } from "../../../scanners/zip/crc32.ts";
import { concat } from "../../_bytes.ts";

/** 7z's variable-length number: the first byte's leading one bits count the bytes that follow. */
export function number7z(n: number): number[] {
  let extra = 0;
  while (extra < 8 && n >= 2 ** (7 * (extra + 1))) extra++;
  if (extra === 8) return [0xff, ...le(n, 8)];
  const high = Math.floor(n / 2 ** (8 * extra));
  return [((0xff << (8 - extra)) & 0xff) | high, ...le(n % 2 ** (8 * extra), extra)];
}

function le(value: number, bytes: number): number[] {
  return Array.from({ length: bytes }, (_, i) => Math.floor(value / 2 ** (8 * i)) % 256);
}

export function crc32(bytes: Uint8Array): number {
  const crc = new Crc32();
  crc.update(bytes);
  return crc.value;
}

/** One member of an assembled archive. */
export interface TestMember {
  name: string;
  data: Uint8Array;
  /** Windows attributes, with a Unix mode in the high half when bit 15 is set. */
  attributes?: number;
}

/** How to assemble a malformed archive. */
export interface BuildOptions {
  /** Replaces the file count the header declares. */
  fileCount?: number;
  /** Replaces the packed size the header declares. */
  packSize?: number;
  /** Replaces the CRC-32 declared for the member at this index. */
  badCrcAt?: number;
  /** Bytes appended after the header. */
  trailing?: Uint8Array;
}

/** The header of a stored 7z holding `members` in one folder. */
export function storedHeader(members: readonly TestMember[], options: BuildOptions = {}): Uint8Array {
  const total = members.reduce((sum, m) => sum + m.data.length, 0);
  const names = concat(
    ...members.map((m) =>
      concat(
        new Uint8Array(new Uint16Array([...m.name].map((c) => c.charCodeAt(0))).buffer),
        Uint8Array.of(0, 0),
      )
    ),
  );
  const crcs = members.flatMap((m, i) => le(i === options.badCrcAt ? crc32(m.data) ^ 1 : crc32(m.data), 4));
  const attributes = members.some((m) => m.attributes !== undefined)
    ? [
      0x15,
      ...number7z(2 + 4 * members.length),
      1,
      0,
      ...members.flatMap((m) => le(m.attributes ?? 0x20, 4)),
    ]
    : [];
  return Uint8Array.from([
    0x01,
    0x04,
    0x06,
    ...number7z(0),
    ...number7z(1),
    0x09,
    ...number7z(options.packSize ?? total),
    0x00,
    0x07,
    0x0b,
    ...number7z(1),
    0x00,
    ...number7z(1),
    0x01,
    0x00,
    0x0c,
    ...number7z(total),
    0x00,
    0x08,
    0x0d,
    ...number7z(members.length),
    0x09,
    ...members.slice(0, -1).flatMap((m) => number7z(m.data.length)),
    0x0a,
    0x01,
    ...crcs,
    0x00,
    0x00,
    0x05,
    ...number7z(options.fileCount ?? members.length),
    0x11,
    ...number7z(names.length + 1),
    0x00,
    ...names,
    ...attributes,
    0x00,
    0x00,
  ]);
}

/** A signature header pointing at a header of `header` bytes after `dataSize` bytes of data. */
export function signatureHeader(dataSize: number, header: Uint8Array): Uint8Array {
  const tail = Uint8Array.from([...le(dataSize, 8), ...le(header.length, 8), ...le(crc32(header), 4)]);
  return concat(Uint8Array.of(0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4, ...le(crc32(tail), 4)), tail);
}

/** A stored 7z of `members`, as 7-Zip lays one out: signature header, data, header. */
export function storedSevenZip(members: readonly TestMember[], options: BuildOptions = {}): Uint8Array {
  const data = concat(...members.map((m) => m.data));
  const header = storedHeader(members, options);
  return concat(signatureHeader(data.length, header), data, header, options.trailing ?? new Uint8Array(0));
}

/** What a recording context saw: findings as `RULE member` lines, and the members handed over. */
export interface Recorded {
  findings: string[];
  reports: FindingReport[];
  members: ContainerMember[];
}

/** A context that records reports and members without scanning them; `go` answers scanMember. */
export function recordingContext(go = true): { ctx: ScanContext; recorded: Recorded } {
  const recorded: Recorded = { findings: [], reports: [], members: [] };
  const ctx: ScanContext = {
    path: "t.7z",
    depth: 0,
    signal: new AbortController().signal,
    report(finding) {
      recorded.reports.push(finding);
      recorded.findings.push(`${finding.rule} ${finding.member ?? ""}`.trim());
    },
    matchBlacklist: () => undefined,
    scanNested: () => Promise.resolve(),
    scanMember(member) {
      recorded.members.push(member);
      return Promise.resolve(go);
    },
    identify() {},
    openSibling: () => Promise.resolve({ ok: false, escape: false, reason: "no siblings in this test" }),
    policy: CallablePolicy.standard(),
  };
  return { ctx, recorded };
}

/** A member's bytes as the engine would read them, and the bytes `charge` was asked for on the way. */
export async function readMember(
  member: ContainerMember,
  charge: (bytes: number) => boolean = () => true,
): Promise<{ bytes: Uint8Array; charged: number; chunks: number[] }> {
  const content = member.content;
  if (content.kind === "stored") {
    return { bytes: (await content.source.read(0, content.source.size)).slice(), charged: 0, chunks: [] };
  }
  let charged = 0;
  const parts: Uint8Array[] = [];
  const stream = content.decode(new AbortController().signal, (bytes) => {
    charged += bytes;
    return charge(bytes);
  });
  for await (const chunk of stream) parts.push(chunk.slice());
  return { bytes: concat(...parts), charged, chunks: parts.map((p) => p.length) };
}

export { bytesSource };
