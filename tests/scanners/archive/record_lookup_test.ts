// How torch (miniz) and its folder rule find records. The picks among duplicates were observed with
// torch 1.13's torch._C.PyTorchFileReader(path).get_record("data.pkl") (raw bytes, nothing unpickled)
// on torch.save output re-zipped with these entries.
import assert from "node:assert/strict";
import type { ArchiveEntry } from "../../../scanners/archive/profile.ts";
import { minizLookup, torchArchive } from "../../../scanners/archive/record_lookup.ts";

const entry = (name: string, rawName?: Uint8Array): ArchiveEntry => ({
  name,
  rawName,
  size: 0,
  directory: name.endsWith("/"),
  read: () => Promise.resolve(new Uint8Array()),
});
const bytes = (name: string) => new TextEncoder().encode(name);

/** The index of the entry torch reads for `record` among `names`. */
function pick(names: string[], record: string): number {
  const entries = names.map((name) => entry(name));
  const found = torchArchive(entries)!.locate(record);
  return found === undefined ? -1 : entries.indexOf(found);
}

Deno.test("torch finds records regardless of ASCII letter case, and normalises nothing else", () => {
  const rest = ["archive/data/0", "archive/version"];
  assert.equal(pick(["archive/DATA.PKL", ...rest], "data.pkl"), 0);
  assert.equal(pick(["archive/Data.Pkl", ...rest], "DATA.PKL"), 0);
  assert.equal(pick(["archive/./data.pkl", ...rest], "data.pkl"), -1);
  assert.equal(pick(["archive/data.pkl", "archive\\data\\0", "archive/version"], "data/0"), -1);
  assert.equal(pick(["Archive/data.pkl", ...rest], "version"), 2); // the folder is matched the same way
  // Only A-Z fold: "É" and "é" are different bytes to miniz.
  assert.equal(pick(["archive/É.pkl", "archive/data.pkl"], "é.pkl"), -1);
});

Deno.test("of duplicates, torch reads the one miniz's heap sort and binary search meet", () => {
  const rest = ["archive/data/0", "archive/version"];
  const dups = (count: number) => Array.from({ length: count }, () => "archive/data.pkl");
  const observed: [string[], number][] = [
    [[...dups(2), ...rest], 1],
    [[...dups(3), ...rest], 0],
    [[...dups(4), ...rest], 3],
    [[...dups(5), ...rest], 4],
    [[...rest, ...dups(2)], 2],
    [[...rest, ...dups(3)], 3],
    [[...rest, ...dups(4)], 3],
    [[...rest, ...dups(5)], 4],
    [["archive/data.pkl", "archive/DATA.PKL", ...rest], 1],
    [["archive/DATA.PKL", "archive/data.pkl", ...rest], 1],
  ];
  for (const [names, index] of observed) assert.equal(pick(names, "data.pkl"), index, names.join(" "));
});

Deno.test("the folder is the first entry's up to its first slash; torch refuses a first entry without one", () => {
  assert.equal(torchArchive([entry("a/b/data.pkl")])?.prefix, "a/");
  assert.equal(torchArchive([entry("data.pkl"), entry("a/data.pkl")]), undefined);
  assert.equal(torchArchive([]), undefined);
});

Deno.test("names compare as their stored bytes, cut at a NUL as C strings are", () => {
  // A name without the UTF-8 flag decodes as code page 437; miniz compares the bytes.
  const raw = new Uint8Array([0x82, 0x2f, ...bytes("data.pkl")]);
  const archive = torchArchive([entry("é/data.pkl", raw)])!;
  assert.equal(archive.prefix, "é/");
  assert.equal(archive.locate("data.pkl")?.name, "é/data.pkl");
  const lookup = minizLookup([entry("a")]);
  assert.equal(lookup(bytes("A"))?.name, "a");
  assert.equal(torchArchive([entry("a/x"), entry("a/")])!.locate("\0data.pkl")?.name, "a/");
});
