/**
 * How loaders find a record by name among an archive's entries, so that a
 * profile scans the entry a loader would read under each name it asks for.
 *
 * torch's `PyTorchStreamReader` opens a zip with miniz, which sorts the
 * central directory by name and finds records by binary search, comparing
 * bytes with ASCII letters folded to lower case and nothing else: no `./` or
 * `\` is normalised, and of names equal but for case (or equal outright) the
 * one the search meets first is read, whichever the directory order. The
 * folder every record is under is the first entry's name up to its first `/`.
 * Checked against torch 1.13's `torch._C.PyTorchFileReader`: `DATA.PKL` is
 * read for `data.pkl` (even beside an exact `data.pkl` the search meets
 * later), `./data.pkl` and `data\data.pkl` are not, and the picks among
 * duplicates in the tests follow this emulation of miniz 2.1's heap sort and
 * search.
 *
 * Python's zipfile (`np.load` of an `.npz`, `joblib`) keeps a dict of names:
 * exact, case-sensitive, the last of duplicates wins. Its profiles scan every
 * member the same way whatever its name, so they need no lookup.
 *
 * @module
 */

import type { ArchiveEntry } from "./profile.ts";

/**
 * The entry a loader reads for a name (as the bytes it compares), if any.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { minizLookup, type RecordLookup } from "./record_lookup.ts";
 * const entry = { name: "archive/data.pkl", size: 0, directory: false, read: () => Promise.resolve(new Uint8Array()) };
 * const lookup: RecordLookup = minizLookup([entry]);
 * assert.equal(lookup(new TextEncoder().encode("ARCHIVE/DATA.PKL"))?.name, "archive/data.pkl");
 * ```
 */
export type RecordLookup = (name: Uint8Array) => ArchiveEntry | undefined;

/**
 * How torch reads an archive: its folder (with the slash) and how it finds each record under it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type TorchArchive, torchArchive } from "./record_lookup.ts";
 * const entry = { name: "archive/DATA.PKL", size: 0, directory: false, read: () => Promise.resolve(new Uint8Array()) };
 * const archive: TorchArchive | undefined = torchArchive([entry]);
 * const pickle = archive?.locate("data.pkl");
 * assert.equal(pickle?.name, "archive/DATA.PKL"); // torch reads it under another name than `${archive?.prefix}data.pkl`
 * ```
 */
export interface TorchArchive {
  /** The folder, decoded as the entry names are, e.g. `archive/`. */
  readonly prefix: string;
  /** The entry torch reads for a record name under the folder (`data.pkl`, `data/0`, ...). */
  locate(record: string): ArchiveEntry | undefined;
}

const encoder = new TextEncoder();

function rawName(entry: ArchiveEntry): Uint8Array {
  return entry.rawName ?? encoder.encode(entry.name);
}

/** `MZ_TOLOWER`: only ASCII capitals fold. */
function fold(byte: number): number {
  return byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte;
}

/** miniz's `mz_zip_filename_compare`: folded bytes, then the shorter name first. */
function compareNames(a: Uint8Array, b: Uint8Array): number {
  const shorter = Math.min(a.length, b.length);
  for (let i = 0; i < shorter; i++) {
    const difference = fold(a[i]) - fold(b[i]);
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

/**
 * `name` with ASCII capitals in lower case, as miniz compares names (every other character as it is).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { foldAsciiCase } from "./record_lookup.ts";
 * assert.equal(foldAsciiCase("Archive/DATA.PKL"), "archive/data.pkl");
 * assert.equal(foldAsciiCase("É"), "É");
 * ```
 */
export function foldAsciiCase(name: string): string {
  return name.replace(/[A-Z]+/g, (capitals) => capitals.toLowerCase());
}

/** A key equal for names miniz finds each other by. */
function foldedKey(name: Uint8Array): string {
  let key = "";
  for (const byte of name) key += String.fromCharCode(fold(byte));
  return key;
}

/** Entry indices in the order of miniz's heap sort (`mz_zip_reader_sort_central_dir_offsets_by_filename`). */
function minizSortedOrder(names: readonly Uint8Array[]): number[] {
  const order = names.map((_, i) => i);
  const less = (a: number, b: number) => compareNames(names[order[a]], names[order[b]]) < 0;
  const siftDown = (root: number, end: number) => {
    for (let child = 2 * root + 1; child < end; child = 2 * root + 1) {
      if (child + 1 < end && less(child, child + 1)) child++;
      if (!less(root, child)) return;
      [order[root], order[child]] = [order[child], order[root]];
      root = child;
    }
  };
  for (let start = (names.length - 2) >> 1; start >= 0; start--) siftDown(start, names.length);
  for (let end = names.length - 1; end > 0; end--) {
    [order[end], order[0]] = [order[0], order[end]];
    siftDown(0, end);
  }
  return order;
}

/** miniz's `mz_zip_locate_file_binary_search` over the sorted order. */
function binarySearch(names: readonly Uint8Array[], order: readonly number[], wanted: Uint8Array): number {
  let low = 0;
  let high = order.length - 1;
  while (low <= high) {
    const middle = low + ((high - low) >> 1);
    const comparison = compareNames(names[order[middle]], wanted);
    if (comparison === 0) return order[middle];
    if (comparison < 0) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

/**
 * How miniz (without `MZ_ZIP_FLAG_CASE_SENSITIVE`, as torch opens archives) finds a name among
 * `entries`, all of them in central directory order. The sort is made only when a name has
 * several case-folded matches; a unique match is found by a map.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { minizLookup } from "./record_lookup.ts";
 * const entry = (name: string) => ({ name, size: 0, directory: false, read: () => Promise.resolve(new Uint8Array()) });
 * const lookup = minizLookup([entry("archive/DATA.PKL")]);
 * assert.equal(lookup(new TextEncoder().encode("archive/data.pkl"))?.name, "archive/DATA.PKL");
 * ```
 */
export function minizLookup(entries: readonly ArchiveEntry[]): RecordLookup {
  const names = entries.map(rawName);
  const matches = new Map<string, number[]>();
  names.forEach((name, index) => {
    const key = foldedKey(name);
    const found = matches.get(key);
    if (found) found.push(index);
    else matches.set(key, [index]);
  });
  let order: number[] | undefined;
  return (wanted) => {
    const candidates = matches.get(foldedKey(wanted));
    if (!candidates) return undefined;
    if (candidates.length === 1) return entries[candidates[0]];
    order ??= minizSortedOrder(names);
    return entries[binarySearch(names, order, wanted)];
  };
}

/**
 * The archive as torch reads it: the folder of the first entry (up to its first `/`, which torch
 * requires) and miniz's lookup of records under it; `undefined` when torch would refuse the layout.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { torchArchive } from "./record_lookup.ts";
 * const entry = (name: string) => ({ name, size: 0, directory: false, read: () => Promise.resolve(new Uint8Array()) });
 * const archive = torchArchive([entry("model/data.pkl"), entry("model/Version")]);
 * assert.equal(archive?.prefix, "model/");
 * assert.equal(archive?.locate("version")?.name, "model/Version");
 * ```
 */
export function torchArchive(entries: readonly ArchiveEntry[]): TorchArchive | undefined {
  const first = entries[0];
  const slash = first?.name.indexOf("/") ?? -1;
  if (slash < 0) return undefined;
  const prefix = first.name.slice(0, slash + 1);
  const lookup = minizLookup(entries);
  const firstName = rawName(first);
  const folder = firstName.subarray(0, firstName.indexOf(0x2f) + 1);
  return {
    prefix,
    locate(record) {
      // torch joins the folder's own bytes and the record's name; a NUL ends the C string miniz is given.
      const name = new Uint8Array([...folder, ...encoder.encode(record)]);
      const nul = name.indexOf(0);
      return lookup(nul < 0 ? name : name.subarray(0, nul));
    },
  };
}
