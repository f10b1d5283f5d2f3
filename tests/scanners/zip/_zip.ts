// Zip archives assembled byte by byte for the zip scanner's tests: every header
// field can be set on its own, so that local headers, the central directory and
// the end record can be made to disagree.
import { Crc32 } from "../../../scanners/zip/crc32.ts";

/** Latin-1: one byte per character. */
export const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** os.system('echo pwned') at protocol 0: GLOBAL at 0, REDUCE at 27. */
export const PAYLOAD = latin1("cos\nsystem\n(S'echo pwned'\ntR.");
export const PAYLOAD_REDUCE = 27;
/** A pickle of None. */
export const BENIGN = new Uint8Array([0x80, 0x02, 0x4e, 0x2e]);

/** One member; unset fields are what a correct writer would write. */
export interface TestMember {
  name: string;
  /** The decoded content. */
  data: Uint8Array;
  /** 0 (stored, default) or 8 (deflated: `data` is deflated here). */
  method?: number;
  flags?: number;
  /** Central directory overrides. */
  crc32?: number;
  size?: number;
  compressedSize?: number;
  externalAttributes?: number;
  /** The central header's extra field. */
  centralExtra?: Uint8Array;
  /** Local header overrides. */
  local?: {
    name?: string;
    flags?: number;
    method?: number;
    crc32?: number;
    size?: number;
    compressedSize?: number;
  };
  /** A data descriptor after the data (set flag bit 3 too); its fields default to the central ones. */
  descriptor?: { signature?: boolean; crc32?: number; compressedSize?: number; size?: number };
  /** The bytes written after the local header instead of the (compressed) data. */
  raw?: Uint8Array;
  /** Writes no local header: the central entry points at this offset instead. */
  offset?: number;
}

/** Options for the archive as a whole. */
export interface ZipOptions {
  prefix?: Uint8Array;
  suffix?: Uint8Array;
  /** Entry count in the end record, overriding the true one. */
  entries?: number;
  /** Central directory offset in the end record, overriding the true one. */
  directoryOffset?: number;
  /** Central directory size in the end record, overriding the true one. */
  directorySize?: number;
  /**
   * A zip64 end record and locator before the end record, as miniz (torch.save) writes them: the classic
   * record keeps its own values, which the zip64 one repeats.
   */
  zip64EndRecord?: boolean;
}

export function crc32(bytes: Uint8Array): number {
  const crc = new Crc32();
  crc.update(bytes);
  return crc.value;
}

/** Raw deflate of `bytes`. */
export async function deflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes.slice()]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

class Writer {
  bytes: number[] = [];
  u16(value: number) {
    this.bytes.push(value & 0xff, (value >>> 8) & 0xff);
  }
  u32(value: number) {
    this.u16(value & 0xffff);
    this.u16((value >>> 16) & 0xffff);
  }
  u64(value: number) {
    this.u32(value >>> 0);
    this.u32(Math.floor(value / 2 ** 32));
  }
  raw(data: Uint8Array) {
    for (const byte of data) this.bytes.push(byte);
  }
  get length() {
    return this.bytes.length;
  }
}

/** Assembles an archive: local headers and data in order, the central directory, the end record. */
export async function buildZip(members: TestMember[], options: ZipOptions = {}): Promise<Uint8Array> {
  const out = new Writer();
  const prefix = options.prefix ?? new Uint8Array(0);
  const central = new Writer();
  for (const member of members) {
    const method = member.method ?? 0;
    const stored = member.raw ?? (method === 8 ? await deflate(member.data) : member.data);
    const flags = member.flags ?? 0;
    const crc = member.crc32 ?? crc32(member.data);
    const size = member.size ?? member.data.length;
    const compressedSize = member.compressedSize ?? stored.length;
    const name = latin1(member.name);
    const offset = member.offset ?? out.length;
    if (member.offset === undefined) {
      const local = member.local ?? {};
      const localName = local.name === undefined ? name : latin1(local.name);
      out.u32(0x04034b50);
      out.u16(20);
      out.u16(local.flags ?? flags);
      out.u16(local.method ?? method);
      out.u32(0);
      out.u32(local.crc32 ?? crc);
      out.u32(local.compressedSize ?? compressedSize);
      out.u32(local.size ?? size);
      out.u16(localName.length);
      out.u16(0);
      out.raw(localName);
      out.raw(stored);
      const descriptor = member.descriptor;
      if (descriptor) {
        if (descriptor.signature ?? true) out.u32(0x08074b50);
        out.u32(descriptor.crc32 ?? crc);
        out.u32(descriptor.compressedSize ?? compressedSize);
        out.u32(descriptor.size ?? size);
      }
    }
    central.u32(0x02014b50);
    central.u16(0x031e);
    central.u16(20);
    central.u16(flags);
    central.u16(method);
    central.u32(0);
    central.u32(crc);
    central.u32(compressedSize);
    central.u32(size);
    const extra = member.centralExtra ?? new Uint8Array(0);
    central.u16(name.length);
    central.u16(extra.length);
    central.u16(0);
    central.u16(0);
    central.u16(0);
    central.u32(member.externalAttributes ?? 0o100644 << 16);
    central.u32(offset);
    central.raw(name);
    central.raw(extra);
  }
  const directoryOffset = out.length;
  out.raw(new Uint8Array(central.bytes));
  if (options.zip64EndRecord) {
    const zip64At = out.length;
    out.u32(0x06064b50);
    out.u64(44); // the bytes that follow
    out.u16(45); // version made by
    out.u16(45); // version needed
    out.u32(0); // this disk
    out.u32(0); // the directory's disk
    out.u64(members.length); // entries on this disk
    out.u64(members.length);
    out.u64(central.length);
    out.u64(directoryOffset);
    out.u32(0x07064b50);
    out.u32(0); // the zip64 record's disk
    out.u64(zip64At);
    out.u32(1); // disks
  }
  out.u32(0x06054b50);
  out.u16(0);
  out.u16(0);
  out.u16(options.entries ?? members.length);
  out.u16(options.entries ?? members.length);
  out.u32(options.directorySize ?? central.length);
  out.u32(options.directoryOffset ?? directoryOffset);
  out.u16(0);
  return new Uint8Array([...prefix, ...out.bytes, ...(options.suffix ?? [])]);
}
