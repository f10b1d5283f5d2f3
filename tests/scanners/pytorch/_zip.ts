// A tiny zip reader (what torch.save and torch.jit.save write, and the re-zipped fixtures),
// for building archive entries from real checkpoints without the zip scanner: names, sizes
// and where each member's data lies. Small archives only (no zip64 counts); stored and
// deflated members.
import type { ArchiveEntry } from "../../../scanners/archive/profile.ts";

/** One member of a zip. */
export interface StoredMember {
  name: string;
  /** Offset of its (compressed) data in the archive. */
  start: number;
  /** Its decoded size. */
  size: number;
  /** 0 (stored) or 8 (deflated). */
  method: number;
  compressedSize: number;
}

/** The members of `zip` in central directory order. */
export function storedMembers(zip: Uint8Array): StoredMember[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let end = zip.length - 22;
  while (end >= 0 && view.getUint32(end, true) !== 0x06054b50) end--;
  if (end < 0) throw new Error("no end of central directory record");
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const decoder = new TextDecoder();
  const members: StoredMember[] = [];
  for (let i = 0; i < count; i++) {
    const method = view.getUint16(at + 10, true);
    if (method !== 0 && method !== 8) throw new Error(`method ${method} is not supported`);
    const compressedSize = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const name = decoder.decode(zip.subarray(at + 46, at + 46 + nameLength));
    const local = view.getUint32(at + 42, true);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    members.push({ name, start, size, method, compressedSize });
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return members;
}

/** The decoded bytes of `member`. */
async function decoded(zip: Uint8Array, member: StoredMember): Promise<Uint8Array> {
  const raw = zip.slice(member.start, member.start + member.compressedSize);
  if (member.method === 0) return raw;
  const stream = new Blob([raw]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Archive entries over a zip's members, recording the names profiles read. */
export function archiveEntries(zip: Uint8Array, reads: string[] = []): ArchiveEntry[] {
  return storedMembers(zip).map((member) => ({
    name: member.name,
    size: member.size,
    directory: member.name.endsWith("/"),
    read: () => {
      reads.push(member.name);
      return decoded(zip, member);
    },
  }));
}

/** The decoded bytes of member `name`. */
export function memberBytes(zip: Uint8Array, name: string): Promise<Uint8Array> {
  const found = storedMembers(zip).find((m) => m.name === name);
  if (!found) throw new Error(`no member ${name}`);
  return decoded(zip, found);
}
