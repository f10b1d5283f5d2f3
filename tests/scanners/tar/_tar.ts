// Assembles tar archives header by header for the tar tests: ustar, GNU and v7
// headers with correct checksums, pax records, and the end-of-archive blocks,
// so that tests can state exact offsets and break exactly one thing.
import { concat } from "../../_bytes.ts";

export { concat };

const encoder = new TextEncoder();

/** Fields of one header; unset ones take a regular file's defaults. */
export interface HeaderFields {
  name?: string;
  /** The type byte as a character: "0" file, "2" symlink, "x" pax, "L" GNU long name... or "\0". */
  type?: string;
  size?: number;
  linkname?: string;
  /** "ustar" (POSIX), "gnu" or "v7" (no magic). */
  format?: "ustar" | "gnu" | "v7";
  prefix?: string;
  /** Raw bytes for the size field (12 bytes), e.g. base-256. */
  sizeField?: Uint8Array;
  /** Breaks the checksum. */
  badChecksum?: boolean;
}

function put(block: Uint8Array, at: number, text: string): void {
  block.set(encoder.encode(text), at);
}

function octal(value: number, length: number): string {
  return value.toString(8).padStart(length - 1, "0") + "\0";
}

/** One 512-byte header block. */
export function header(fields: HeaderFields = {}): Uint8Array {
  const block = new Uint8Array(512);
  const format = fields.format ?? "ustar";
  put(block, 0, fields.name ?? "file.txt");
  put(block, 100, octal(0o644, 8));
  put(block, 108, octal(0, 8));
  put(block, 116, octal(0, 8));
  if (fields.sizeField) block.set(fields.sizeField, 124);
  else put(block, 124, octal(fields.size ?? 0, 12));
  put(block, 136, octal(1_700_000_000, 12));
  put(block, 156, fields.type ?? "0");
  put(block, 157, fields.linkname ?? "");
  if (format === "ustar") put(block, 257, "ustar\x0000");
  if (format === "gnu") put(block, 257, "ustar  \0");
  if (fields.prefix) put(block, 345, fields.prefix);
  return sealed(block, fields.badChecksum ? 1 : 0);
}

/** Writes the block's (unsigned) checksum into it, off by `error`; returns the block. */
export function sealed(block: Uint8Array, error = 0): Uint8Array {
  put(block, 148, "        ");
  const sum = block.reduce((a, b) => a + b, 0) + error;
  put(block, 148, sum.toString(8).padStart(6, "0") + "\0 ");
  return block;
}

/** `data` padded with NULs to whole blocks. */
export function padded(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / 512) * 512);
  out.set(data);
  return out;
}

/** A regular file entry: header and padded data. */
export function entry(name: string, data: Uint8Array | string, fields: HeaderFields = {}): Uint8Array {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  return concat(header({ name, size: bytes.length, ...fields }), padded(bytes));
}

/** One pax record, its length prefix computed. */
export function paxRecord(keyword: string, value: string): string {
  const body = ` ${keyword}=${value}\n`;
  const bytes = encoder.encode(body).length;
  let length = bytes + 1;
  while (String(length).length + bytes !== length) length = String(length).length + bytes;
  return `${length}${body}`;
}

/** A pax extended (`x`) or global (`g`) header with its records. */
export function pax(records: Record<string, string>, type: "x" | "g" = "x"): Uint8Array {
  const data = encoder.encode(Object.entries(records).map(([k, v]) => paxRecord(k, v)).join(""));
  return concat(header({ name: "PaxHeader", type, size: data.length }), padded(data));
}

/** A GNU long name (`L`) or long link (`K`) header. */
export function gnuLong(text: string, type: "L" | "K" = "L"): Uint8Array {
  const data = encoder.encode(text + "\0");
  return concat(header({ name: "././@LongLink", type, size: data.length, format: "gnu" }), padded(data));
}

/** The two end-of-archive blocks. */
export const END = new Uint8Array(1024);

/** `os.system("echo pwned")` as a protocol-2 pickle: GLOBAL at 2, REDUCE at 29. */
export const PAYLOAD = concat(
  new Uint8Array([0x80, 2]),
  encoder.encode("cos\nsystem\nX"),
  new Uint8Array([10, 0, 0, 0]),
  encoder.encode("echo pwned"),
  new Uint8Array([0x85]),
  encoder.encode("R."),
);

/** A pickle of None: clean. */
export const CLEAN = new Uint8Array([0x80, 2, 0x4e, 0x2e]);
