/**
 * Walks a tar archive entry by entry with random access: each header is read
 * where the previous entry's data ends, data is never read, so listing a tar
 * costs one small read per entry whatever its members weigh. Extension headers
 * (pax `x`/`g`, GNU long names `L`/`K`) are folded into the entry they precede
 * in the order Python's `tarfile` applies them (the outermost header wins),
 * including where the next header starts when a pax `size` overrides the
 * header's; readers that apply them otherwise are caught where it matters (two
 * overriding names that disagree).
 *
 * Hand-written on purpose: the npm tar readers (`tar-stream`, `tar`, and the
 * like) stream every data byte through, while a scanner needs views of members
 * it may never read.
 *
 * @module
 */

import { type ByteSource, readAll, subSource } from "../../core/byte_source.ts";
import {
  BLOCK_SIZE,
  blocksFor,
  carriesData,
  fieldText,
  isExtensionType,
  isZeroBlock,
  parseHeader,
  type TarHeader,
  TYPE,
} from "./header.ts";
import { DEFAULT_TAR_OPTIONS, type TarOptions } from "../option_catalog.ts";
import { parsePax, paxNumber } from "./pax.ts";

/** One entry of a tar archive, as Python's `tarfile` lists it. */
export interface TarEntry {
  /** The name a reader gives it (pax `path`, GNU long name or the header's). */
  name: string;
  /** Target of a link. */
  linkname: string;
  /** The type byte (see `TYPE`). */
  type: number;
  /** Bytes a reader gets when it reads the member (`TarInfo.size`). */
  size: number;
  /** Offset of its first header block (its first extension header's, when it has any). */
  headerOffset: number;
  /** Offset of its data. */
  dataOffset: number;
  /** Offset of the next entry's header. */
  nextOffset: number;
  /** Whether it is a GNU sparse file, whose stored bytes are not its content. */
  sparse: boolean;
  /** Ways other readers read it differently, one sentence each. */
  problems: string[];
}

/** What one step of the walk found. */
export type TarStep =
  /** The next entry. */
  | { kind: "entry"; entry: TarEntry }
  /** The end-of-archive block at `offset`: readers stop there. */
  | { kind: "end"; offset: number }
  /** The source ends at `offset`, between entries, without an end-of-archive block. */
  | { kind: "eof"; offset: number }
  /** The block at `offset` is not a header readers accept (or is cut short): they stop there. */
  | { kind: "malformed"; offset: number; reason: string }
  /** A scanner limit was reached at `offset`. */
  | { kind: "limit"; offset: number; limit: string; option: string; max: number; reason: string };

/** An extension header waiting for the entry it precedes. */
type Extension =
  /** A GNU long name. */
  | { kind: "name"; text: string }
  /** A GNU long link target. */
  | { kind: "link"; text: string }
  /** A pax header: the global records as they stood when it was read, overlaid with its own. */
  | { kind: "pax"; records: Map<string, string> };

/**
 * Bytes read at a time for headers: a tar of small files holds dozens of headers in this
 * much, and one read of it costs about what one read of a single block does.
 */
const READ_AHEAD_BYTES = 32 * 1024;

/** Offset of the `isextended` flag in an old GNU sparse extension block. */
const SPARSE_BLOCK_EXTENDED = 504;

function isDirectory(type: number): boolean {
  return type === TYPE.DIRECTORY;
}

/**
 * Applies pax records to an entry as `TarInfo._apply_pax_info` does; returns a
 * problem when a record cannot be applied the way every reader would.
 */
function applyPax(entry: TarEntry, records: Map<string, string>): string | undefined {
  for (const [keyword, value] of records) {
    if (keyword === "path") entry.name = value.replace(/\/+$/, "");
    else if (keyword === "GNU.sparse.name") entry.name = value;
    else if (keyword === "linkpath") entry.linkname = value;
    else if (keyword === "size") entry.size = Math.max(0, paxNumber(value) ?? 0);
    else if (keyword === "GNU.sparse.size" || keyword === "GNU.sparse.realsize") {
      const size = paxNumber(value);
      if (size === undefined || size < 0) return `its pax record ${keyword}=${value} is not a size`;
      entry.size = size;
    }
  }
  return undefined;
}

/** Whether pax records make the entry a GNU sparse file (formats 0.0, 0.1 and 1.0). */
function paxSparse(records: Map<string, string>): boolean {
  return records.has("GNU.sparse.map") || records.has("GNU.sparse.size") ||
    (records.get("GNU.sparse.major") === "1" && records.get("GNU.sparse.minor") === "0");
}

/**
 * Reads a tar archive's entries one at a time from a byte source.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { TarReader } from "./reader.ts";
 * const reader = new TarReader(bytesSource(new Uint8Array(1024)));
 * assert.equal((await reader.next()).kind, "end"); // two zero blocks end an archive
 * ```
 */
export class TarReader {
  readonly #source: ByteSource;
  readonly #options: Readonly<TarOptions>;
  /** The kept records of every global pax header so far. */
  readonly #global = new Map<string, string>();
  #offset = 0;
  /** The bytes last read ahead, and where they start. */
  #window = new Uint8Array();
  #windowStart = 0;

  /**
   * Prepares to walk `source` from its first header.
   *
   * @param source The whole archive; offsets in entries are offsets in it.
   * @param options Limits on extension headers and names (`maxEntries` is the scanner's business).
   */
  constructor(source: ByteSource, options: Readonly<TarOptions> = DEFAULT_TAR_OPTIONS) {
    this.#source = source;
    this.#options = options;
  }

  /** The block at `offset` (shorter at the end of the source), served from the read-ahead window. */
  async #block(offset: number): Promise<Uint8Array> {
    const at = offset - this.#windowStart;
    if (at < 0 || at + BLOCK_SIZE > this.#window.length) {
      // A copy: sources may hand out views they reuse on the next read.
      this.#window = (await this.#source.read(offset, READ_AHEAD_BYTES)).slice();
      this.#windowStart = offset;
      return this.#window.subarray(0, BLOCK_SIZE);
    }
    return this.#window.subarray(at, at + BLOCK_SIZE);
  }

  /** Reads the next entry, with the extension headers before it. */
  async next(): Promise<TarStep> {
    const start = this.#offset;
    const chain: Extension[] = [];
    let offset = start;
    for (;;) {
      const block = await this.#block(offset);
      if (block.length === 0 && chain.length === 0) return { kind: "eof", offset };
      if (block.length < BLOCK_SIZE) {
        if (chain.length === 0 && block.every((b) => b === 0)) return { kind: "eof", offset };
        return { kind: "malformed", offset, reason: "truncated: the archive ends inside a header" };
      }
      if (isZeroBlock(block)) {
        if (chain.length === 0) return { kind: "end", offset };
        return { kind: "malformed", offset, reason: "an end-of-archive block follows an extension header" };
      }
      const header = parseHeader(block);
      if (typeof header === "string") return { kind: "malformed", offset, reason: header };
      if (!isExtensionType(header.type)) return await this.#entry(start, offset, header, chain);
      const { maxExtensionHeaders } = this.#options;
      if (chain.length === maxExtensionHeaders) {
        return {
          kind: "limit",
          offset: start,
          limit: "MAX_EXTENSION_HEADERS",
          option: "tar.maxExtensionHeaders",
          max: maxExtensionHeaders,
          reason: `more than ${maxExtensionHeaders} extension headers precede one entry`,
        };
      }
      const problem = await this.#extension(offset, header, chain);
      if (problem !== undefined) return problem;
      offset += BLOCK_SIZE + blocksFor(header.size);
    }
  }

  /** Reads one extension header's data into `chain` (global pax records into the global set). */
  async #extension(offset: number, header: TarHeader, chain: Extension[]): Promise<TarStep | undefined> {
    const pax = header.type !== TYPE.GNU_LONG_NAME && header.type !== TYPE.GNU_LONG_LINK;
    const { maxPaxHeaderBytes, maxNameBytes } = this.#options;
    const [limit, option, max] = pax
      ? ["MAX_PAX_HEADER_BYTES", "tar.maxPaxHeaderBytes", maxPaxHeaderBytes] as const
      : ["MAX_NAME_BYTES", "tar.maxNameBytes", maxNameBytes] as const;
    if (header.size > max) {
      const what = pax ? "pax header" : "GNU long name";
      return { kind: "limit", offset, limit, option, max, reason: `a ${what} of ${header.size} bytes` };
    }
    // tarfile reads whole blocks and parses all of them, padding included.
    const data = await readAll(subSource(this.#source, offset + BLOCK_SIZE, blocksFor(header.size)));
    if (data.length < blocksFor(header.size)) {
      return { kind: "malformed", offset, reason: "truncated: the archive ends inside an extension header" };
    }
    if (!pax) {
      const text = fieldText(data);
      chain.push(header.type === TYPE.GNU_LONG_NAME ? { kind: "name", text } : { kind: "link", text });
      return undefined;
    }
    const records = parsePax(data);
    if (typeof records === "string") return { kind: "malformed", offset, reason: `pax header: ${records}` };
    for (const keyword of ["path", "linkpath"]) {
      const value = records.get(keyword);
      if (value !== undefined && value.length > maxNameBytes) {
        return {
          kind: "limit",
          offset,
          limit: "MAX_NAME_BYTES",
          option: "tar.maxNameBytes",
          max: maxNameBytes,
          reason: `a pax ${keyword} of ${value.length} characters`,
        };
      }
    }
    if (header.type === TYPE.PAX_GLOBAL) {
      for (const [keyword, value] of records) this.#global.set(keyword, value);
    } else {
      chain.push({ kind: "pax", records: new Map([...this.#global, ...records]) });
    }
    return undefined;
  }

  /** Builds the entry whose own header is at `offset`, preceded by `chain`. */
  async #entry(start: number, offset: number, header: TarHeader, chain: Extension[]): Promise<TarStep> {
    const entry: TarEntry = {
      name: header.name,
      linkname: header.linkname,
      type: header.type,
      size: header.size,
      headerOffset: start,
      dataOffset: offset + BLOCK_SIZE,
      nextOffset: offset + BLOCK_SIZE + (carriesData(header.type) ? blocksFor(header.size) : 0),
      sparse: header.sparse !== undefined,
      problems: [],
    };
    if (!carriesData(header.type) && header.size > 0) {
      entry.problems.push(
        `its header declares ${header.size} bytes of data for an entry that has none: readers disagree on where the next header starts (Python's tarfile reads it right after this one, GNU tar skips those bytes after a link)`,
      );
    }
    if (header.sparse) {
      let extended = header.sparse.extended;
      while (extended) {
        const block = await this.#block(entry.dataOffset);
        if (block.length < BLOCK_SIZE) {
          return { kind: "malformed", offset, reason: "truncated: the archive ends inside a sparse header" };
        }
        extended = block[SPARSE_BLOCK_EXTENDED] !== 0;
        entry.dataOffset += BLOCK_SIZE;
      }
      entry.nextOffset = entry.dataOffset + blocksFor(header.size);
      entry.size = header.sparse.realSize;
    } else {
      const problem = applyPax(entry, this.#global);
      if (problem !== undefined) return { kind: "malformed", offset, reason: problem };
      if (isDirectory(entry.type)) entry.name = entry.name.replace(/\/+$/, "");
    }
    const problem = this.#fold(entry, chain);
    if (problem !== undefined) return { kind: "malformed", offset: start, reason: problem };
    this.#offset = entry.nextOffset;
    return { kind: "entry", entry };
  }

  /** Applies the extension headers from the innermost out, as tarfile's recursion does. */
  #fold(entry: TarEntry, chain: Extension[]): string | undefined {
    const names = new Set<string>();
    for (let i = chain.length - 1; i >= 0; i--) {
      const extension = chain[i];
      if (extension.kind === "name") {
        entry.name = isDirectory(entry.type) && extension.text.endsWith("/")
          ? extension.text.slice(0, -1)
          : extension.text;
        names.add(entry.name);
      } else if (extension.kind === "link") {
        entry.linkname = extension.text;
      } else {
        const { records } = extension;
        if (paxSparse(records)) {
          if (records.has("size") && records.get("GNU.sparse.major") === "1") {
            return "a GNU sparse 1.0 entry with a pax size record, whose data offset only its sparse map gives";
          }
          entry.sparse = true;
        }
        const problem = applyPax(entry, records);
        if (problem !== undefined) return problem;
        if (records.has("path") || records.has("GNU.sparse.name")) names.add(entry.name);
        if (records.has("size")) {
          entry.nextOffset = entry.dataOffset + (carriesData(entry.type) ? blocksFor(entry.size) : 0);
        }
      }
    }
    if (names.size > 1) {
      const others = [...names].filter((name) => name !== entry.name).map((name) => JSON.stringify(name));
      entry.problems.push(
        `its extension headers also name it ${
          others.join(", ")
        }: tar readers disagree on which name applies (Python's tarfile takes the first header's, GNU tar the pax one)`,
      );
    }
    const stored = entry.nextOffset - entry.dataOffset;
    if (!entry.sparse && carriesData(entry.type) && blocksFor(entry.size) !== stored) {
      entry.problems.push(
        `readers read ${entry.size} bytes of it, but the archive skips ${stored} bytes to the next header`,
      );
    }
    return undefined;
  }
}
