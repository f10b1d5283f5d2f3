// Reads real checkpoints with zip.js (not with the zip scanner under test): member names,
// sizes and where each member's data lies, and archive entries for the profiles. zip.js cannot list
// torch's archives whose folder has 21 characters (see scanners/zip/directory.ts); the name-length
// sweep reads those by hand.
import { configure, type Entry, Uint8ArrayReader, Uint8ArrayWriter, ZipReader } from "@zip.js/zip.js";
import type { ArchiveEntry } from "../../../scanners/archive/profile.ts";

configure({ useWebWorkers: false });

/** One member of a zip. */
export interface StoredMember {
  name: string;
  /** Offset of its (compressed) data in the archive: past its local header's name and extra field. */
  start: number;
  /** Its decoded size. */
  size: number;
  /** 0 (stored) or 8 (deflated). */
  method: number;
  compressedSize: number;
  entry: Entry;
}

/** The members of `zip` in central directory order. */
export async function storedMembers(zip: Uint8Array): Promise<StoredMember[]> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const entries = await new ZipReader(new Uint8ArrayReader(zip)).getEntries();
  return entries.map((entry) => ({
    name: entry.filename,
    start: entry.offset + 30 + view.getUint16(entry.offset + 26, true) +
      view.getUint16(entry.offset + 28, true),
    size: entry.uncompressedSize,
    method: entry.compressionMethod,
    compressedSize: entry.compressedSize,
    entry,
  }));
}

/** The decoded bytes of `member`. */
function decoded(member: StoredMember): Promise<Uint8Array> {
  if (member.entry.directory) return Promise.resolve(new Uint8Array(0));
  return member.entry.getData(new Uint8ArrayWriter());
}

/** Archive entries over a zip's members, recording the names profiles read. */
export async function archiveEntries(zip: Uint8Array, reads: string[] = []): Promise<ArchiveEntry[]> {
  return (await storedMembers(zip)).map((member) => ({
    name: member.name,
    size: member.size,
    directory: member.entry.directory,
    read: () => {
      reads.push(member.name);
      return decoded(member);
    },
  }));
}

/** The decoded bytes of member `name`. */
export async function memberBytes(zip: Uint8Array, name: string): Promise<Uint8Array> {
  const found = (await storedMembers(zip)).find((m) => m.name === name);
  if (!found) throw new Error(`no member ${name}`);
  return decoded(found);
}
