// Toy formats for the engine's tests: a directory format (a folder holding `toy.json`,
// which names the files beside it) and a text format (`.toyini`, `key=value` lines).
// They exercise directory units, sibling access and name-hinted detection the way a
// SavedModel, a Hugging Face folder or a YAML scanner will, without their formats.
import { readAll } from "../../core/byte_source.ts";
import { PRIORITY } from "../../core/detection.ts";
import type {
  DirectoryDescriptor,
  MemberPlan,
  ReaderDescriptor,
  ScannerDescriptor,
} from "../../core/scanner.ts";
import { byPriority, READERS, type Registry, SCANNERS } from "../../scanners/registry.ts";

/** What `toy.json` holds: files read as pickles, raw files, and siblings its reader opens. */
interface ToyManifest {
  pickles?: string[];
  raw?: string[];
  open?: string[];
}

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Reads `toy.json` and opens every sibling it names, scanning what it may read. */
const toyManifestReader: ReaderDescriptor = {
  id: "toy-manifest",
  description: "toy.json, naming the files of a toy bundle",
  extensions: [".json"],
  load: () =>
    Promise.resolve({
      async scan(source, ctx) {
        const manifest = JSON.parse(decode(await readAll(source))) as ToyManifest;
        for (const name of manifest.open ?? []) {
          const sibling = await ctx.openSibling(name);
          if (sibling.ok) await ctx.scanNested(sibling.source, name);
        }
      },
    }),
};

/** A folder with a `toy.json`: the manifest is read as `toy-manifest`, its pickles as pickles, its raw files never. */
const toyBundle: DirectoryDescriptor = {
  id: "toy-bundle",
  description: "A toy bundle: toy.json and the files it names",
  priority: PRIORITY.model,
  matches: (names) => names.includes("toy.json"),
  load: () =>
    Promise.resolve({
      async plan(files) {
        const manifestFile = files.find((file) => file.path === "toy.json")!;
        const manifest = JSON.parse(decode(await manifestFile.read())) as ToyManifest;
        const plans = new Map<string, MemberPlan>([["toy.json", { action: "scan", loadAs: "toy-manifest" }]]);
        for (const name of manifest.pickles ?? []) plans.set(name, { action: "scan", loadAs: "pickle" });
        for (const name of manifest.raw ?? []) plans.set(name, { action: "skip", reason: "raw toy data" });
        return plans;
      },
    }),
};

/** `key=value` lines, nothing else: claimed by the `.toyini` name and a successful parse. */
const toyIni: ScannerDescriptor = {
  id: "toy-ini",
  description: "Toy INI (key=value lines)",
  extensions: [".toyini"],
  priority: PRIORITY.text,
  detect: (_head, _size, name) => name.endsWith(".toyini"),
  load: () =>
    Promise.resolve({
      confirm: async (_head, source) =>
        decode(await readAll(source)).split("\n").every((line) => line === "" || /^\w+=[^\n]*$/.test(line)),
      scan: () => Promise.resolve(),
    }),
};

/** The built-in registry with the toy formats added. */
export const TOY_REGISTRY: Registry = {
  scanners: byPriority([...SCANNERS, toyIni]),
  readers: [...READERS, toyManifestReader],
  directories: [toyBundle],
};
