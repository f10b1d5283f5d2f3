/**
 * Readings: how the Python loaders that may be handed some bytes read them.
 * The engine scans a source the way its content calls for (a zlib stream is
 * inflated, a tar is unpacked); this table lists the loaders that unpickle
 * from byte 0 whatever they do not recognise: which sources each receives,
 * which formats it recognises by which leading bytes, and whether it reads one
 * pickle or a stream of them. Where one loader would unpickle a source
 * that the content's scanner reads as something else, the engine scans that
 * pickle reading too: one table decides it for every scanner.
 *
 * @module
 */

/**
 * Where bytes reach a loader: `file` for a file, and for what a container holds that
 * becomes a file once unpacked or decompressed (what `joblib.load` unpickles after it
 * decompresses); `payload` for bytes a model hands to a nested loader
 * (`torch.storage._load_from_bytes`, `pickle.loads`) or the part of a file a loader
 * reads as a pickle on its own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Arrival, pickleLoadersOf } from "./readings.ts";
 * const decompressed: Arrival = "file"; // joblib.load unpickles what it decompresses
 * const unpicklers = pickleLoadersOf(decompressed, "pickle", new Uint8Array([0x80, 4]));
 * assert.deepEqual(unpicklers, []); // a pickle is read as itself: no other reading
 * const payload = pickleLoadersOf("payload", "zip", new Uint8Array([0x50, 0x4b, 3, 4]));
 * assert.deepEqual(payload.map((loader) => loader.call), ["pickle.loads"]); // torch.load(BytesIO) reads the zip
 * ```
 */
export type Arrival = "file" | "payload";

/**
 * A format a loader recognises, by the scanner id that reads it, and the leading bytes it looks for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LOADERS, type Recognised } from "./readings.ts";
 * const gzip: Recognised = { format: "gzip", magic: [0x1f, 0x8b] };
 * const joblibLoad = LOADERS.find((loader) => loader.call === "joblib.load");
 * assert.ok(joblibLoad?.recognises.some((r) => r.format === gzip.format && r.magic?.join() === gzip.magic?.join()));
 * ```
 */
export interface Recognised {
  /** Scanner id, e.g. `zip`. */
  format: string;
  /**
   * The bytes the loader compares the start with; without it, the format's own structure decides
   * (`tarfile.open` checks a header's checksum, not a magic number).
   */
  magic?: readonly number[];
}

/**
 * A Python loader that unpickles from byte 0 whatever bytes it recognises as no
 * other format, as far as routing needs it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LOADERS, type Loader } from "./readings.ts";
 * const load: Loader = { call: "pickle.load", receives: ["file"], recognises: [], pickles: "first" };
 * assert.deepEqual(LOADERS.find((loader) => loader.call === load.call), load);
 * ```
 */
export interface Loader {
  /** How it is called, as findings name it. */
  readonly call: string;
  /** Where it is handed bytes. */
  readonly receives: readonly Arrival[];
  /** Formats it reads as themselves, before it unpickles. */
  readonly recognises: readonly Recognised[];
  /**
   * What it unpickles: the `first` pickle, or a `stream` of them one after another (a legacy
   * torch file holds five; torch.load goes on while each returns what it expects).
   */
  readonly pickles: "first" | "stream";
}

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

/** `PK\x03\x04`: how torch.load and np.load tell a zip (`zipfile.is_zipfile` would also take an end record). */
const ZIP_LOCAL_HEADER = [0x50, 0x4b, 0x03, 0x04];

/**
 * Every loader that unpickles what it does not recognise (np.load with `allow_pickle=True`,
 * which models saved with object arrays need). Those that never unpickle (tarfile, zipfile,
 * an npz member's reader) need no entry. torch.load tries the legacy tar format only
 * on a real file (`_should_read_directly`), so `torch.storage._load_from_bytes` (torch.load of
 * a `BytesIO`) unpickles a tar; joblib knows a zlib stream only by 0x78, so a zlib stream
 * with another window size is unpickled as it stands.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LOADERS } from "./readings.ts";
 * assert.ok(LOADERS.map((loader) => loader.call).includes("joblib.load"));
 * ```
 */
export const LOADERS: readonly Loader[] = [
  { call: "pickle.load", receives: ["file"], recognises: [], pickles: "first" },
  {
    call: "torch.load",
    receives: ["file"],
    recognises: [{ format: "zip", magic: ZIP_LOCAL_HEADER }, { format: "tar" }],
    pickles: "stream",
  },
  {
    call: "joblib.load",
    receives: ["file"],
    recognises: [
      { format: "zlib", magic: [0x78] },
      { format: "gzip", magic: [0x1f, 0x8b] },
      { format: "bzip2", magic: ascii("BZh") },
      { format: "xz", magic: [0xfd, ...ascii("7zXZ")] },
      { format: "lzma", magic: [0x5d, 0x00] },
      { format: "lz4", magic: [0x04, 0x22, 0x4d, 0x18] },
      { format: "joblib-zfile", magic: ascii("ZF") },
    ],
    pickles: "first",
  },
  {
    call: "numpy.load(allow_pickle=True)",
    receives: ["file"],
    recognises: [{ format: "numpy", magic: [0x93, ...ascii("NUMPY")] }, {
      format: "zip",
      magic: ZIP_LOCAL_HEADER,
    }],
    pickles: "first",
  },
  { call: "pickle.loads", receives: ["payload"], recognises: [], pickles: "first" },
  {
    call: "torch.load(BytesIO)",
    receives: ["payload"],
    recognises: [{ format: "zip", magic: ZIP_LOCAL_HEADER }],
    pickles: "stream",
  },
];

/**
 * Scanners whose own reading of a source is already the pickle reading from byte 0
 * (a legacy torch stream starts with the pickles `pickle.load` would run).
 */
const PICKLE_READINGS: ReadonlySet<string> = new Set(["pickle", "pytorch-legacy", "torchscript-pickle"]);

function recognises(loader: Loader, format: string, head: Uint8Array): boolean {
  return loader.recognises.some((known) =>
    known.format === format && (known.magic ?? []).every((byte, i) => head[i] === byte)
  );
}

/**
 * The loaders that would unpickle from byte 0 a source arriving as `arrival`, which
 * the scanner `format` claimed from its first bytes `head`: none when that scanner
 * reads it as a pickle already. A non-empty answer asks for the pickle reading.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pickleLoadersOf } from "./readings.ts";
 * const calls = (format: string, head: number[]) =>
 *   pickleLoadersOf("file", format, new Uint8Array(head)).map((loader) => loader.call);
 * assert.deepEqual(calls("zlib", [0x78, 0x9c]), ["pickle.load", "torch.load", "numpy.load(allow_pickle=True)"]);
 * assert.deepEqual(calls("zip", [0x50, 0x4b, 3, 4]), ["pickle.load", "joblib.load"]);
 * assert.deepEqual(calls("pickle", [0x80, 4]), []);
 * ```
 */
export function pickleLoadersOf(arrival: Arrival, format: string, head: Uint8Array): Loader[] {
  if (PICKLE_READINGS.has(format)) return [];
  return LOADERS.filter((loader) => loader.receives.includes(arrival) && !recognises(loader, format, head));
}
