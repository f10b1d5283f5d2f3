/**
 * The catalog of every scanner's options, one section per scanner, as
 * `core/rules.ts` is of the rules: each section holds the scanner's typed
 * options (every field documents its default and why), the frozen defaults,
 * and a one-line summary of each option for `modelaudit limits`.
 * `scanners/options.ts` assembles them into the table a scan carries and
 * resolves it; a scanner reads its own part with `scannerOptions(ctx)` and
 * imports its defaults and types from here.
 *
 * They share one module because Deno's loading of each module costs every
 * scan's start: as twenty modules, they took a one-file scan about 2 ms longer
 * (README, "Architecture", "Limits are options").
 *
 * @module
 */

// ---- pickle/ ----------------------------------------------------------------------------------------------
// The pickle scanner's limits: how much work and memory one pickle may cost
// before the scanner stops tracking something and says so (MA109, MA110). Set
// them per scan with `scannerOptions: { pickle: { ... } }` or
// `--limit pickle.NAME=VALUE`; the scanner reads them from its context.
/**
 * Limits of the pickle scanner. Every field is a count or a size in bytes; the
 * defaults ({@linkcode DEFAULT_PICKLE_OPTIONS}) sit far above any real model.
 *
 * @example
 * ```ts
 * import { DEFAULT_PICKLE_OPTIONS, type PickleOptions } from "./option_catalog.ts";
 * const quick: PickleOptions = { ...DEFAULT_PICKLE_OPTIONS, maxOpcodes: 1_000_000 };
 * ```
 */
export interface PickleOptions {
  /**
   * Opcodes interpreted per source before MA110 (default 50,000,000): real models stay far
   * below (the largest checkpoints need a few million); past it only imports are checked.
   */
  maxOpcodes: number;
  /**
   * Memo entries per pickle before MA110 (default 1,000,000): a model memoizes a few per tensor;
   * later entries are not stored, so what reads them is reported as unresolved, never as safe.
   */
  maxMemoEntries: number;
  /**
   * Values on the stack before MA110 (default 500,000): only a tuple or frozenset of that many
   * items, pushed all at once, gets near it; past it only imports are checked.
   */
  maxStackDepth: number;
  /**
   * Open MARKs before MA110 (default 10,000): the pickler nests data only as deep as Python's
   * recursion limit (1,000) lets it; past it only imports are checked.
   */
  maxMarkDepth: number;
  /**
   * Objects in a fully expanded value before MA109, an expansion bomb (default 2^30): shared
   * references in real models stay far below a billion.
   */
  maxExpandedSize: number;
  /**
   * Content of long strings kept per pickle, in bytes (default 64 MiB): past it a string keeps
   * only its range in the source (enough to scan it as a payload), so memoized strings cannot
   * hoard memory.
   */
  maxKeptTextBytes: number;
  /**
   * References kept across values (container items, parent links) per pickle (default
   * 1,000,000): bounds the memory hostile input can make the machine hold.
   */
  maxRetainedRefs: number;
  /**
   * Bytes of a numeric or name line (INT, GET, GLOBAL, PERSID, ...) decoded (default 64 KiB):
   * longer lines are skipped, not decoded; a module name is never that long.
   */
  maxTextLineBytes: number;
  /**
   * String constants that look like pickles held until their pickle ends (default 64): the
   * oldest is then scanned at once, so a pickle full of them cannot hoard memory.
   */
  maxDeferredPayloads: number;
  /**
   * Characters of a string constant inspected for encoded pickles and Python source (default
   * 32 MiB): a longer one is data, not inspected, which bounds memory and time per constant.
   */
  maxEmbeddedChars: number;
  /**
   * Characters of source text scanned for dangerous calls (default 4 MiB), the literals handed to
   * exec/eval inside it included: the import that would exec a longer string is flagged anyway.
   */
  maxCodeScanChars: number;
  /**
   * Encoding layers peeled off a string constant (base64 of hex of base64 ...) before giving up
   * (default 3): real data is encoded once.
   */
  maxDecodeDepth: number;
}

/**
 * The pickle scanner's limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_PICKLE_OPTIONS } from "./option_catalog.ts";
 * assert.equal(DEFAULT_PICKLE_OPTIONS.maxOpcodes, 50_000_000);
 * ```
 */
export const DEFAULT_PICKLE_OPTIONS: Readonly<PickleOptions> = Object.freeze({
  maxOpcodes: 50_000_000,
  maxMemoEntries: 1_000_000,
  maxStackDepth: 500_000,
  maxMarkDepth: 10_000,
  maxExpandedSize: 2 ** 30,
  maxKeptTextBytes: 64 * 1024 * 1024,
  maxRetainedRefs: 1_000_000,
  maxTextLineBytes: 64 * 1024,
  maxDeferredPayloads: 64,
  maxEmbeddedChars: 32 * 1024 * 1024,
  maxCodeScanChars: 4 * 1024 * 1024,
  maxDecodeDepth: 3,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PICKLE_OPTION_SUMMARIES } from "./option_catalog.ts";
 * assert.ok(PICKLE_OPTION_SUMMARIES.maxOpcodes?.startsWith("Opcodes interpreted per source before MA110;"));
 * ```
 */
export const PICKLE_OPTION_SUMMARIES: Readonly<Record<keyof PickleOptions, string>> = {
  maxOpcodes: "Opcodes interpreted per source before MA110; past it only imports are checked",
  maxMemoEntries: "Memo entries per pickle before MA110; later ones are not stored",
  maxStackDepth: "Values on the stack before MA110; past it only imports are checked",
  maxMarkDepth: "Open MARKs before MA110; past it only imports are checked",
  maxExpandedSize: "Objects in a fully expanded value before MA109 (expansion bomb)",
  maxKeptTextBytes: "Bytes of long strings kept per pickle; past it a string keeps only its range",
  maxRetainedRefs: "References kept across values per pickle (container items, parent links)",
  maxTextLineBytes: "Bytes of a numeric or name line decoded; longer lines are skipped",
  maxDeferredPayloads: "Pickle-like strings held until their pickle ends; the oldest is then scanned",
  maxEmbeddedChars:
    "Characters of a string constant inspected for encoded pickles and source; longer is data",
  maxCodeScanChars: "Characters of source text (in a string constant) scanned for dangerous calls",
  maxDecodeDepth: "Encoding layers (base64, hex) peeled off a string constant before giving up",
};

// ---- numpy/ -----------------------------------------------------------------------------------------------
// The .npy scanner's limits: how much of a header it reads and how deep the
// header's Python literal may nest. Set them per scan with
// `scannerOptions: { numpy: { ... } }` or `--limit numpy.NAME=VALUE`.
/**
 * Limits of the .npy scanner.
 *
 * @example
 * ```ts
 * import { DEFAULT_NUMPY_OPTIONS, type NumpyOptions } from "./option_catalog.ts";
 * const strict: NumpyOptions = { ...DEFAULT_NUMPY_OPTIONS, maxHeaderBytes: 10_000 };
 * ```
 */
export interface NumpyOptions {
  /**
   * Header bytes parsed before MA310 (default 1 MiB): `np.save` writes well under 1 KiB even for
   * wide structured dtypes, and `np.load` itself refuses more than 10,000 characters unless
   * pickles are allowed.
   */
  maxHeaderBytes: number;
  /**
   * Containers nested in the header's Python literal before it is refused (default 100):
   * CPython's parser refuses a few hundred levels too, and no dtype nests that deep.
   */
  maxLiteralDepth: number;
}

/**
 * The .npy scanner's limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_NUMPY_OPTIONS } from "./option_catalog.ts";
 * assert.equal(DEFAULT_NUMPY_OPTIONS.maxHeaderBytes, 1_048_576);
 * ```
 */
export const DEFAULT_NUMPY_OPTIONS: Readonly<NumpyOptions> = Object.freeze({
  maxHeaderBytes: 1024 * 1024,
  maxLiteralDepth: 100,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NUMPY_OPTION_SUMMARIES } from "./option_catalog.ts";
 * assert.equal(NUMPY_OPTION_SUMMARIES.maxHeaderBytes, "Header bytes parsed before MA310");
 * ```
 */
export const NUMPY_OPTION_SUMMARIES: Readonly<Record<keyof NumpyOptions, string>> = {
  maxHeaderBytes: "Header bytes parsed before MA310",
  maxLiteralDepth: "Containers nested in the header's Python literal before it is refused (MA310)",
};

// ---- tar/ -------------------------------------------------------------------------------------------------
// The tar scanner's limits: how many entries one archive may list and how large
// its extension headers may be. Set them per scan with
// `scannerOptions: { tar: { ... } }` or `--limit tar.NAME=VALUE`.
/**
 * Limits of the tar scanner.
 *
 * @example
 * ```ts
 * import { DEFAULT_TAR_OPTIONS, type TarOptions } from "./option_catalog.ts";
 * const small: TarOptions = { ...DEFAULT_TAR_OPTIONS, maxEntries: 10_000 };
 * ```
 */
export interface TarOptions {
  /**
   * Entries of one archive, members or not, before MA210 (default 1,000,000): ten times the
   * engine's default member limit; directories and links are not members, but each costs memory
   * for the name-collision check.
   */
  maxEntries: number;
  /**
   * Bytes a pax extended header may hold before MA210 (default 1 MiB): Go's `archive/tar` allows
   * 1 MiB too; real ones hold a few hundred.
   */
  maxPaxHeaderBytes: number;
  /**
   * Bytes a member name or link target may have before MA210 (default 32 KiB): far beyond any
   * file system's path limit (Windows: 32,767).
   */
  maxNameBytes: number;
  /**
   * Extension headers before one entry before MA210 (default 16): writers emit at most a pax
   * header, a long name and a long link.
   */
  maxExtensionHeaders: number;
}

/**
 * The tar scanner's limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_TAR_OPTIONS } from "./option_catalog.ts";
 * assert.equal(DEFAULT_TAR_OPTIONS.maxEntries, 1_000_000);
 * ```
 */
export const DEFAULT_TAR_OPTIONS: Readonly<TarOptions> = Object.freeze({
  maxEntries: 1_000_000,
  maxPaxHeaderBytes: 1024 * 1024,
  maxNameBytes: 32 * 1024,
  maxExtensionHeaders: 16,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TAR_OPTION_SUMMARIES } from "./option_catalog.ts";
 * assert.ok(TAR_OPTION_SUMMARIES.maxEntries?.startsWith("Entries of one archive"));
 * ```
 */
export const TAR_OPTION_SUMMARIES: Readonly<Record<keyof TarOptions, string>> = {
  maxEntries: "Entries of one archive, members or not, before MA210; the rest are not inspected",
  maxPaxHeaderBytes: "Bytes of one pax extended header before MA210",
  maxNameBytes: "Bytes of a member name or link target before MA210",
  maxExtensionHeaders: "Extension headers (pax, GNU long name or link) in front of one entry before MA210",
};

// ---- zip/ -------------------------------------------------------------------------------------------------
// The zip scanner's limits: how many entries and how large a central directory
// one archive may have, and which stored members get their checksum verified.
// Set them per scan with `scannerOptions: { zip: { ... } }` or
// `--limit zip.NAME=VALUE`.
/**
 * Limits of the zip scanner (PyTorch checkpoints, `.npz` and `.keras` archives are zips too).
 *
 * @example
 * ```ts
 * import { DEFAULT_ZIP_OPTIONS, type ZipOptions } from "./option_catalog.ts";
 * const small: ZipOptions = { ...DEFAULT_ZIP_OPTIONS, maxEntries: 10_000 };
 * ```
 */
export interface ZipOptions {
  /**
   * Entries listed per archive before MA210 (default 500,000): five times the engine's default
   * member limit (a checkpoint holds one member per tensor); each costs a few hundred bytes, so
   * the cap bounds memory to a few hundred MB.
   */
  maxEntries: number;
  /**
   * Bytes of central directory read (default 256 MiB): far above the directory of `maxEntries`
   * entries; a larger declared size is refused (MA210) before any entry is read.
   */
  maxDirectoryBytes: number;
  /**
   * Stored members up to this size have their CRC-32 verified before they are scanned (default
   * 32 MiB): one extra read, worth it for the pickles and metadata that matter, not for
   * gigabytes of weights.
   */
  maxStoredCrcBytes: number;
  /**
   * Bytes of one entry an archive profile may read whole to plan the members (default 16 MiB):
   * the metadata records it reads (a checkpoint's `version`, `byteorder`) are far smaller.
   */
  maxProfileReadBytes: number;
}

/**
 * The zip scanner's limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_ZIP_OPTIONS } from "./option_catalog.ts";
 * assert.equal(DEFAULT_ZIP_OPTIONS.maxEntries, 500_000);
 * ```
 */
export const DEFAULT_ZIP_OPTIONS: Readonly<ZipOptions> = Object.freeze({
  maxEntries: 500_000,
  maxDirectoryBytes: 256 * 1024 * 1024,
  maxStoredCrcBytes: 32 * 1024 * 1024,
  maxProfileReadBytes: 16 * 1024 * 1024,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ZIP_OPTION_SUMMARIES } from "./option_catalog.ts";
 * assert.ok(ZIP_OPTION_SUMMARIES.maxEntries?.startsWith("Entries listed per archive before MA210"));
 * ```
 */
export const ZIP_OPTION_SUMMARIES: Readonly<Record<keyof ZipOptions, string>> = {
  maxEntries: "Entries listed per archive before MA210; the rest are not listed",
  maxDirectoryBytes: "Bytes of central directory read; a larger one is not read (MA210)",
  maxStoredCrcBytes:
    "Stored members up to this size have their CRC-32 verified (MA202) before they are scanned",
  maxProfileReadBytes: "Bytes of one entry an archive profile (a PyTorch checkpoint's) may read whole",
};

// ---- pytorch/ ---------------------------------------------------------------------------------------------
// The PyTorch scanners' limits: how many storages and tensors a checkpoint may
// declare, and how large a pickle is read whole to index the storages it refers
// to. Set them per scan with `scannerOptions: { pytorch: { ... } }` or
// `--limit pytorch.NAME=VALUE`; the pickles themselves are bound by the pickle
// scanner's options.
/**
 * Limits of the PyTorch scanners (zip checkpoints, legacy streams and legacy tars).
 *
 * @example
 * ```ts
 * import { DEFAULT_PYTORCH_OPTIONS, type PytorchOptions } from "./option_catalog.ts";
 * const small: PytorchOptions = { ...DEFAULT_PYTORCH_OPTIONS, maxLegacyStorages: 1_000 };
 * ```
 */
export interface PytorchOptions {
  /**
   * Storages a legacy torch stream or tar may declare before MA110 (default 100,000): a
   * checkpoint holds one per tensor, far fewer; past it the storage records are not analysed.
   */
  maxLegacyStorages: number;
  /**
   * Tensors of a legacy tar's `tensors` member before MA110 (default 100,000): checkpoints hold one
   * per parameter, far fewer; more is an attack on the scanner.
   */
  maxLegacyTensors: number;
  /**
   * Storages of a zip checkpoint's pickle indexed to check the `data/` records against
   * (default 1,000,000): a checkpoint holds one per tensor, tens of thousands at most; past it
   * the index is incomplete and records are not judged unreferenced.
   */
  maxIndexedStorages: number;
  /**
   * Bytes of a zip checkpoint's pickle read whole to index its storages (default 16 MiB): real
   * ones are far smaller; a larger one is still scanned, but not indexed.
   */
  maxIndexedPickleBytes: number;
  /**
   * Bytes of one TorchScript source file (`code/*.py`) read (default 16 MiB): real code files are
   * kilobytes, a traced giant stays far below; the rest is not inspected (MA006).
   */
  maxTorchScriptSourceBytes: number;
  /**
   * Local names recorded per TorchScript source file (default 1,000,000), so hostile input cannot
   * hoard memory; past it names are not taken as local, which only adds findings.
   */
  maxTorchScriptBindings: number;
}

/**
 * The PyTorch scanners' limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_PYTORCH_OPTIONS } from "./option_catalog.ts";
 * assert.equal(DEFAULT_PYTORCH_OPTIONS.maxLegacyStorages, 100_000);
 * ```
 */
export const DEFAULT_PYTORCH_OPTIONS: Readonly<PytorchOptions> = Object.freeze({
  maxLegacyStorages: 100_000,
  maxLegacyTensors: 100_000,
  maxIndexedStorages: 1_000_000,
  maxIndexedPickleBytes: 16 * 1024 * 1024,
  maxTorchScriptSourceBytes: 16 * 1024 * 1024,
  maxTorchScriptBindings: 1_000_000,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PYTORCH_OPTION_SUMMARIES } from "./option_catalog.ts";
 * assert.ok(PYTORCH_OPTION_SUMMARIES.maxLegacyStorages?.startsWith("Storages a legacy torch file may declare"));
 * ```
 */
export const PYTORCH_OPTION_SUMMARIES: Readonly<Record<keyof PytorchOptions, string>> = {
  maxLegacyStorages:
    "Storages a legacy torch file may declare before MA110; past it records are not analysed",
  maxLegacyTensors: "Tensors of a legacy torch tar's tensors member before MA110",
  maxIndexedStorages: "Storages of a zip checkpoint's pickle indexed to check its data/ records against",
  maxIndexedPickleBytes: "Bytes of a zip checkpoint's pickle read whole to index its storages",
  maxTorchScriptSourceBytes: "Bytes of one TorchScript source file inspected; the rest is not (MA006)",
  maxTorchScriptBindings: "Local names recorded per TorchScript source; past it names count as global",
};

// ---- sevenzip/ --------------------------------------------------------------------------------------------
// The 7z scanner's limits: how many files one archive may list, how large its
// header may be, and which stored members get their checksum verified. Set them
// per scan with `scannerOptions: { sevenzip: { ... } }` or
// `--limit sevenzip.NAME=VALUE`; LZMA dictionaries are bound by `lzma.maxDictionaryBytes`.
/**
 * Limits of the 7z scanner.
 *
 * @example
 * ```ts
 * import { DEFAULT_SEVENZIP_OPTIONS, type SevenZipOptions } from "./option_catalog.ts";
 * const small: SevenZipOptions = { ...DEFAULT_SEVENZIP_OPTIONS, maxFiles: 10_000 };
 * ```
 */
export interface SevenZipOptions {
  /**
   * Files, folders and packed streams one archive may list (default 1,000,000): ten times the
   * engine's default member limit; a header that lists more is not read (MA209).
   */
  maxFiles: number;
  /**
   * Bytes of header read, decoded headers included, before MA210 (default 64 MiB): a million
   * files take about 60 MB of names and sizes, and the header is decoded into memory whole, as
   * 7-Zip does.
   */
  maxHeaderBytes: number;
  /**
   * Members stored without compression up to this size have their CRC-32 verified (MA202) before
   * they are scanned (default 32 MiB, as for zip): one extra read, worth it for pickles and
   * metadata, not for gigabytes of weights.
   */
  maxStoredCrcBytes: number;
}

/**
 * The 7z scanner's limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_SEVENZIP_OPTIONS } from "./option_catalog.ts";
 * assert.equal(DEFAULT_SEVENZIP_OPTIONS.maxFiles, 1_000_000);
 * ```
 */
export const DEFAULT_SEVENZIP_OPTIONS: Readonly<SevenZipOptions> = Object.freeze({
  maxFiles: 1_000_000,
  maxHeaderBytes: 64 * 1024 * 1024,
  maxStoredCrcBytes: DEFAULT_ZIP_OPTIONS.maxStoredCrcBytes,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SEVENZIP_OPTION_SUMMARIES } from "./option_catalog.ts";
 * assert.ok(SEVENZIP_OPTION_SUMMARIES.maxFiles?.startsWith("Files, folders and packed streams"));
 * ```
 */
export const SEVENZIP_OPTION_SUMMARIES: Readonly<Record<keyof SevenZipOptions, string>> = {
  maxFiles:
    "Files, folders and packed streams one archive may list; a header listing more is not read (MA209)",
  maxHeaderBytes: "Bytes of header read, decoded headers included; a larger one is not read (MA210)",
  maxStoredCrcBytes: "Members stored uncompressed up to this size have their CRC-32 verified (MA202)",
};

// ---- compressed/ ------------------------------------------------------------------------------------------
// Limits of the compressed-file scanners that need one beyond the engine's
// (decompressed bytes, compression ratio): the LZMA decoder, which holds what it
// decodes in memory. Set them per scan with `scannerOptions: { lzma: { ... } }`
// or `--limit lzma.NAME=VALUE`.
/**
 * Limits of the LZMA-alone scanner.
 *
 * @example
 * ```ts
 * import { DEFAULT_LZMA_OPTIONS, type LzmaOptions } from "./option_catalog.ts";
 * const small: LzmaOptions = { ...DEFAULT_LZMA_OPTIONS, maxDecodedBytes: 16 * 1024 * 1024 };
 * ```
 */
export interface LzmaOptions {
  /**
   * Decoded bytes kept for one member before MA212 (default 256 MiB): the decoder runs
   * synchronously and all its output stays in memory while the member is scanned, so this
   * bounds the memory and the time one file costs.
   */
  maxDecodedBytes: number;
  /**
   * Largest dictionary decoded, in `.lzma` files and in 7z folders (default 256 MiB; `xz -9` uses
   * 64 MiB): the decoder allocates it, so a larger one is reported as undecodable (MA212) instead.
   */
  maxDictionaryBytes: number;
}

/**
 * The LZMA scanner's limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_LZMA_OPTIONS } from "./option_catalog.ts";
 * assert.equal(DEFAULT_LZMA_OPTIONS.maxDecodedBytes, 268_435_456);
 * ```
 */
export const DEFAULT_LZMA_OPTIONS: Readonly<LzmaOptions> = Object.freeze({
  maxDecodedBytes: 256 * 1024 * 1024,
  maxDictionaryBytes: 256 * 1024 * 1024,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LZMA_OPTION_SUMMARIES } from "./option_catalog.ts";
 * assert.ok(LZMA_OPTION_SUMMARIES.maxDecodedBytes?.startsWith("Decoded bytes kept in memory"));
 * ```
 */
export const LZMA_OPTION_SUMMARIES: Readonly<Record<keyof LzmaOptions, string>> = {
  maxDecodedBytes:
    "Decoded bytes kept in memory per LZMA stream (.lzma file or zip member); the rest is not decoded",
  maxDictionaryBytes: "Largest LZMA dictionary allocated (.lzma files, 7z folders); a larger one is MA212",
};

// ---- safetensors/ -----------------------------------------------------------------------------------------
// The safetensors scanner's limits: how many JSON values of a header it parses
// and how many gaps between tensors it scans as payloads. Set them per scan with
// `scannerOptions: { safetensors: { ... } }` or `--limit safetensors.NAME=VALUE`.
/**
 * Limits of the safetensors scanner.
 *
 * @example
 * ```ts
 * import { DEFAULT_SAFETENSORS_OPTIONS, type SafetensorsOptions } from "./option_catalog.ts";
 * const strict: SafetensorsOptions = { ...DEFAULT_SAFETENSORS_OPTIONS, maxHeaderValues: 100_000 };
 * ```
 */
export interface SafetensorsOptions {
  /**
   * JSON values of a header parsed before MA330 (default 1,000,000): bounds memory and time on a
   * hostile header, which the reference loader's 100 MB cap alone leaves at gigabytes. Real headers
   * hold about eight values per tensor; a shard of 100,000 tensors needs 800,000.
   */
  maxHeaderValues: number;
  /**
   * Gaps between tensors whose bytes are scanned as payloads (default 16); further gaps are
   * reported (MA325) but not scanned. A real file has none.
   */
  maxScannedGaps: number;
}

/**
 * The safetensors scanner's limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_SAFETENSORS_OPTIONS } from "./option_catalog.ts";
 * assert.equal(DEFAULT_SAFETENSORS_OPTIONS.maxHeaderValues, 1_000_000);
 * ```
 */
export const DEFAULT_SAFETENSORS_OPTIONS: Readonly<SafetensorsOptions> = Object.freeze({
  maxHeaderValues: 1_000_000,
  maxScannedGaps: 16,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SAFETENSORS_OPTION_SUMMARIES } from "./option_catalog.ts";
 * assert.match(SAFETENSORS_OPTION_SUMMARIES.maxScannedGaps, /^Gaps between tensors/);
 * ```
 */
export const SAFETENSORS_OPTION_SUMMARIES: Readonly<Record<keyof SafetensorsOptions, string>> = {
  maxHeaderValues: "JSON values of a header parsed before MA330; past it the header is not inspected",
  maxScannedGaps: "Gaps between tensors scanned as payloads; further gaps are only reported (MA325)",
};

// ---- strings/ ---------------------------------------------------------------------------------------------
// The limits of the string checks every format shares for the strings a model
// carries as data (safetensors metadata today). Set them per scan with
// `scannerOptions: { strings: { ... } }` or `--limit strings.NAME=VALUE`.
/**
 * Limits of the shared string checks.
 *
 * @example
 * ```ts
 * import { DEFAULT_STRING_OPTIONS, type StringOptions } from "./option_catalog.ts";
 * const wider: StringOptions = { ...DEFAULT_STRING_OPTIONS, maxCheckedChars: 16 * 1024 * 1024 };
 * ```
 */
export interface StringOptions {
  /**
   * Characters of one string searched for signs of a second stage (MA011; default 1 Mi): a
   * command or URL is never that far into a real value, and the search stays linear in it.
   */
  maxCheckedChars: number;
}

/**
 * The string checks' limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_STRING_OPTIONS } from "./option_catalog.ts";
 * assert.equal(DEFAULT_STRING_OPTIONS.maxCheckedChars, 1024 * 1024);
 * ```
 */
export const DEFAULT_STRING_OPTIONS: Readonly<StringOptions> = Object.freeze({
  maxCheckedChars: 1024 * 1024,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { STRING_OPTION_SUMMARIES } from "./option_catalog.ts";
 * assert.match(STRING_OPTION_SUMMARIES.maxCheckedChars, /^Characters of one string/);
 * ```
 */
export const STRING_OPTION_SUMMARIES: Readonly<Record<keyof StringOptions, string>> = {
  maxCheckedChars: "Characters of one string (metadata value) searched for signs of a second stage (MA011)",
};

// ---- jinja/ -----------------------------------------------------------------------------------------------
// The chat-template scanners' limits: how large a template file and a JSON file
// holding templates may be to be analysed. Set them per scan with
// `scannerOptions: { jinja: { ... } }` or `--limit jinja.NAME=VALUE`.
/**
 * Limits of the chat-template scanners.
 *
 * @example
 * ```ts
 * import { DEFAULT_JINJA_OPTIONS, type JinjaOptions } from "./option_catalog.ts";
 * const strict: JinjaOptions = { ...DEFAULT_JINJA_OPTIONS, maxTemplateBytes: 1024 * 1024 };
 * ```
 */
export interface JinjaOptions {
  /**
   * Bytes of a chat template analysed (default 8 MiB), wherever it is: a `.jinja` file, a template
   * in a `tokenizer_config.json` (MA503) or in a GGUF file's metadata (MA348); a larger one is not
   * analysed. Real templates are a few kilobytes, the largest tens.
   */
  maxTemplateBytes: number;
  /**
   * Bytes of a `tokenizer_config.json` or `chat_template.json` parsed (default 64 MiB); a larger one
   * is MA503, not analysed. Tokenizer configs with their added tokens run to a few megabytes.
   */
  maxConfigBytes: number;
}

/**
 * The chat-template scanners' limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_JINJA_OPTIONS } from "./option_catalog.ts";
 * assert.equal(DEFAULT_JINJA_OPTIONS.maxTemplateBytes, 8 * 1024 * 1024);
 * ```
 */
export const DEFAULT_JINJA_OPTIONS: Readonly<JinjaOptions> = Object.freeze({
  maxTemplateBytes: 8 * 1024 * 1024,
  maxConfigBytes: 64 * 1024 * 1024,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JINJA_OPTION_SUMMARIES } from "./option_catalog.ts";
 * assert.match(JINJA_OPTION_SUMMARIES.maxTemplateBytes, /^Bytes of a chat template/);
 * ```
 */
export const JINJA_OPTION_SUMMARIES: Readonly<Record<keyof JinjaOptions, string>> = {
  maxTemplateBytes:
    "Bytes of a chat template analysed (.jinja, tokenizer config, GGUF); larger: MA503, MA348",
  maxConfigBytes: "Bytes of a tokenizer_config.json or chat_template.json parsed; larger: MA503",
};

// ---- config/ ----------------------------------------------------------------------------------------------
// The configuration scanners' limits (YAML, JSON, TOML, INI, XML): how large a
// configuration file may be to be parsed, how deep its nesting may go, how many
// values are walked, and how far YAML aliases or XML entities may multiply a
// document before it counts as an expansion bomb. Set them per scan with `scannerOptions: { config: { ... } }`
// or `--limit config.NAME=VALUE`.
/**
 * Limits of the configuration scanners.
 *
 * @example
 * ```ts
 * import { type ConfigOptions, DEFAULT_CONFIG_OPTIONS } from "./option_catalog.ts";
 * const strict: ConfigOptions = { ...DEFAULT_CONFIG_OPTIONS, maxBytes: 1024 * 1024 };
 * ```
 */
export interface ConfigOptions {
  /**
   * Bytes of a configuration file parsed (default 64 MiB); a larger one is MA521, not inspected.
   * Real configs are kilobytes; a tokenizer's vocabulary in JSON runs to tens of megabytes.
   */
  maxBytes: number;
  /**
   * Nesting of maps and lists walked (default 256); deeper content is MA521, not inspected.
   * Hydra and NeMo configs nest a dozen levels at most.
   */
  maxDepth: number;
  /** Values of one file walked (default 2 Mi); past them the rest is MA521, not inspected. */
  maxValues: number;
  /**
   * Nodes a YAML document would hold once its aliases are expanded, or characters an XML entity
   * would expand to (default 1 Mi), before it is reported as an expansion bomb (MA527, MA529).
   * Nothing is ever expanded: the count is computed.
   */
  maxExpansion: number;
}

/**
 * The configuration scanners' limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_CONFIG_OPTIONS } from "./option_catalog.ts";
 * assert.equal(DEFAULT_CONFIG_OPTIONS.maxDepth, 256);
 * ```
 */
export const DEFAULT_CONFIG_OPTIONS: Readonly<ConfigOptions> = Object.freeze({
  maxBytes: 64 * 1024 * 1024,
  maxDepth: 256,
  maxValues: 2 * 1024 * 1024,
  maxExpansion: 1024 * 1024,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CONFIG_OPTION_SUMMARIES } from "./option_catalog.ts";
 * assert.match(CONFIG_OPTION_SUMMARIES.maxBytes, /^Bytes of a configuration file/);
 * ```
 */
export const CONFIG_OPTION_SUMMARIES: Readonly<Record<keyof ConfigOptions, string>> = {
  maxBytes: "Bytes of a configuration file (YAML, JSON, TOML, INI, XML) parsed; larger: MA521",
  maxDepth: "Nesting of maps and lists of a configuration file walked; deeper: MA521",
  maxValues: "Values of one configuration file walked; the rest: MA521",
  maxExpansion: "Nodes of YAML aliases, characters of XML entities expanded, before a bomb (MA527, MA529)",
};

// ---- gguf/ ------------------------------------------------------------------------------------------------
// The GGUF and legacy GGML scanners' limits: how long a metadata string or a
// vocabulary token may be to be read. Set them per scan with
// `scannerOptions: { gguf: { ... } }` or `--limit gguf.NAME=VALUE`.
/**
 * Limits of the GGUF and legacy GGML scanners.
 *
 * @example
 * ```ts
 * import { DEFAULT_GGUF_OPTIONS, type GgufOptions } from "./option_catalog.ts";
 * const strict: GgufOptions = { ...DEFAULT_GGUF_OPTIONS, maxStringBytes: 1024 * 1024 };
 * ```
 */
export interface GgufOptions {
  /**
   * Bytes of one GGUF metadata string read (default 64 MiB); a longer one is stepped over unread
   * (MA348). Real metadata strings are at most a few hundred kilobytes (the longest chat templates).
   */
  maxStringBytes: number;
  /**
   * Bytes of one legacy GGML vocabulary token read (default 1 MiB); a longer one is MA347 and
   * stepped over unread. Real vocabularies' longest tokens are a few hundred bytes.
   */
  maxLegacyTokenBytes: number;
}

/**
 * The GGUF scanners' limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_GGUF_OPTIONS } from "./option_catalog.ts";
 * assert.equal(DEFAULT_GGUF_OPTIONS.maxStringBytes, 64 * 1024 * 1024);
 * ```
 */
export const DEFAULT_GGUF_OPTIONS: Readonly<GgufOptions> = Object.freeze({
  maxStringBytes: 64 * 1024 * 1024,
  maxLegacyTokenBytes: 1024 * 1024,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GGUF_OPTION_SUMMARIES } from "./option_catalog.ts";
 * assert.match(GGUF_OPTION_SUMMARIES.maxStringBytes, /^Bytes of one GGUF metadata string/);
 * ```
 */
export const GGUF_OPTION_SUMMARIES: Readonly<Record<keyof GgufOptions, string>> = {
  maxStringBytes: "Bytes of one GGUF metadata string read; a longer one is stepped over unread (MA348)",
  maxLegacyTokenBytes: "Bytes of one legacy GGML vocabulary token read; a longer one is MA347, unread",
};

// ---- onnx/ ------------------------------------------------------------------------------------------------
// The ONNX scanner's limits: how much of a model's protobuf it walks. Set them
// per scan with `scannerOptions: { onnx: { ... } }` or `--limit onnx.NAME=VALUE`.
/**
 * Limits of the ONNX scanner.
 *
 * @example
 * ```ts
 * import { DEFAULT_ONNX_OPTIONS, type OnnxOptions } from "./option_catalog.ts";
 * const strict: OnnxOptions = { ...DEFAULT_ONNX_OPTIONS, maxNodes: 100_000 };
 * ```
 */
export interface OnnxOptions {
  /**
   * Subgraphs nested in attributes walked (default 32); deeper ones are MA466, not inspected. Real
   * models nest a few (a Loop in an If).
   */
  maxGraphDepth: number;
  /** Nodes walked per model, subgraphs and functions included (default 2,000,000); the rest: MA466. */
  maxNodes: number;
  /**
   * Protobuf fields read per model (default 50,000,000): a model of a million nodes has about ten
   * million, and 50 million take seconds; the rest: MA466.
   */
  maxFields: number;
  /** Strings of a model inspected by the string checks (default 2,000,000); the rest: MA466. */
  maxStrings: number;
  /** Bytes of one string inspected by the string checks (default 1 MiB); the rest is not searched. */
  maxStringBytes: number;
}

/**
 * The ONNX scanner's limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_ONNX_OPTIONS } from "./option_catalog.ts";
 * assert.equal(DEFAULT_ONNX_OPTIONS.maxGraphDepth, 32);
 * ```
 */
export const DEFAULT_ONNX_OPTIONS: Readonly<OnnxOptions> = Object.freeze({
  maxGraphDepth: 32,
  maxNodes: 2_000_000,
  maxFields: 50_000_000,
  maxStrings: 2_000_000,
  maxStringBytes: 1024 * 1024,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ONNX_OPTION_SUMMARIES } from "./option_catalog.ts";
 * assert.match(ONNX_OPTION_SUMMARIES.maxNodes, /^Nodes walked per model/);
 * ```
 */
export const ONNX_OPTION_SUMMARIES: Readonly<Record<keyof OnnxOptions, string>> = {
  maxGraphDepth: "Subgraphs nested in attributes walked; deeper ones are MA466, not inspected",
  maxNodes: "Nodes walked per model, subgraphs and functions included; the rest: MA466",
  maxFields: "Protobuf fields read per model; the rest of the model: MA466",
  maxStrings: "Strings of a model inspected by the string checks; the rest: MA466",
  maxStringBytes: "Bytes of one ONNX string inspected by the string checks; the rest is not searched",
};

// ---- tensorflow/ ------------------------------------------------------------------------------------------
// The TensorFlow scanner's limits: how large a text SavedModel it parses, how many
// nodes and functions it reads, and how large a string it keeps as a possible
// serialized graph. Set them per scan with `scannerOptions: { tensorflow: { ... } }`
// or `--limit tensorflow.NAME=VALUE`.
/**
 * Limits of the TensorFlow scanner.
 *
 * @example
 * ```ts
 * import { DEFAULT_TENSORFLOW_OPTIONS, type TensorflowOptions } from "./option_catalog.ts";
 * const strict: TensorflowOptions = { ...DEFAULT_TENSORFLOW_OPTIONS, maxNodes: 100_000 };
 * ```
 */
export interface TensorflowOptions {
  /**
   * Bytes of a `saved_model.pbtxt` parsed (default 256 MiB): its constants are text, so it is far
   * larger than its binary twin; a larger one is MA434, not inspected.
   */
  maxTextBytes: number;
  /** Nodes read per file, all graphs together (default 2,000,000); the rest: MA435. */
  maxNodes: number;
  /** Functions read per file (default 200,000); the rest: MA435. */
  maxFunctions: number;
  /**
   * Bytes of a string constant kept to be checked as a serialized graph (default 16 MiB); a longer
   * one is not looked into.
   */
  maxNestedGraphBytes: number;
}

/**
 * The TensorFlow scanner's limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_TENSORFLOW_OPTIONS } from "./option_catalog.ts";
 * assert.equal(DEFAULT_TENSORFLOW_OPTIONS.maxNodes, 2_000_000);
 * ```
 */
export const DEFAULT_TENSORFLOW_OPTIONS: Readonly<TensorflowOptions> = Object.freeze({
  maxTextBytes: 256 * 1024 * 1024,
  maxNodes: 2_000_000,
  maxFunctions: 200_000,
  maxNestedGraphBytes: 16 * 1024 * 1024,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TENSORFLOW_OPTION_SUMMARIES } from "./option_catalog.ts";
 * assert.match(TENSORFLOW_OPTION_SUMMARIES.maxNodes, /^Nodes read per file/);
 * ```
 */
export const TENSORFLOW_OPTION_SUMMARIES: Readonly<Record<keyof TensorflowOptions, string>> = {
  maxTextBytes: "Bytes of a saved_model.pbtxt parsed; a larger one is MA434, not inspected",
  maxNodes: "Nodes read per file, all graphs together; the rest: MA435",
  maxFunctions: "Functions read per file; the rest: MA435",
  maxNestedGraphBytes: "Bytes of a string constant kept to be checked as a serialized graph",
};

// ---- keras/ -----------------------------------------------------------------------------------------------
// The Keras scanners' limits: how much of a `.keras` archive's records, a model
// config and a Lambda's code is read. They apply to the configs of legacy HDF5
// models too. Set them per scan with `scannerOptions: { keras: { ... } }` or
// `--limit keras.NAME=VALUE`.
/**
 * Limits of the Keras scanners.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_KERAS_OPTIONS, type KerasOptions } from "./option_catalog.ts";
 * const strict: KerasOptions = { ...DEFAULT_KERAS_OPTIONS, maxConfigNodes: 100_000 };
 * assert.equal(strict.maxConfigDepth, 512);
 * ```
 */
export interface KerasOptions {
  /**
   * Bytes of a `.keras` archive's `config.json` read (default 256 MiB); a larger one is MA413, not
   * inspected. The config of a model with 100,000 layers is tens of MiB.
   */
  maxConfigBytes: number;
  /** Nesting of a model config walked (default 512); deeper values are MA413. Real configs nest a few dozen. */
  maxConfigDepth: number;
  /**
   * Values of one model config visited (default 5,000,000); the rest is MA413. A model with tens of
   * thousands of layers stays well below.
   */
  maxConfigNodes: number;
  /**
   * Characters of a Lambda's code string decoded (default 4 Mi); a longer one is MA402, undecoded.
   * Real lambdas marshal to a few hundred bytes.
   */
  maxLambdaCodeChars: number;
  /**
   * Objects read from one Lambda's marshal stream (default 200,000); past it the code is MA402,
   * undecoded. Real lambdas hold a few dozen.
   */
  maxMarshalObjects: number;
  /**
   * Characters of a TorchModuleWrapper's base64 blob decoded and scanned as a pickle (default 256 Mi);
   * a longer one is reported (MA407) but not scanned.
   */
  maxTorchModuleChars: number;
  /**
   * Bytes of a `.keras` archive's `metadata.json` read (default 64 KiB); a larger one is MA409.
   * Keras writes a few dozen bytes.
   */
  maxMetadataBytes: number;
}

/**
 * The Keras scanners' limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_KERAS_OPTIONS } from "./option_catalog.ts";
 * assert.equal(DEFAULT_KERAS_OPTIONS.maxConfigBytes, 256 * 1024 * 1024);
 * ```
 */
export const DEFAULT_KERAS_OPTIONS: Readonly<KerasOptions> = Object.freeze({
  maxConfigBytes: 256 * 1024 * 1024,
  maxConfigDepth: 512,
  maxConfigNodes: 5_000_000,
  maxLambdaCodeChars: 4 * 1024 * 1024,
  maxMarshalObjects: 200_000,
  maxTorchModuleChars: 256 * 1024 * 1024,
  maxMetadataBytes: 64 * 1024,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KERAS_OPTION_SUMMARIES } from "./option_catalog.ts";
 * assert.match(KERAS_OPTION_SUMMARIES.maxConfigNodes, /^Values of one Keras model config/);
 * ```
 */
export const KERAS_OPTION_SUMMARIES: Readonly<Record<keyof KerasOptions, string>> = {
  maxConfigBytes: "Bytes of a .keras archive's config.json read; a larger one is MA413, not inspected",
  maxConfigDepth: "Nesting of a Keras model config walked (.keras, HDF5); deeper values: MA413",
  maxConfigNodes: "Values of one Keras model config visited (.keras, HDF5); the rest: MA413",
  maxLambdaCodeChars: "Characters of a Lambda layer's code string decoded; a longer one is MA402",
  maxMarshalObjects: "Objects read from a Lambda layer's marshalled code; past it the code is MA402",
  maxTorchModuleChars: "Characters of a TorchModuleWrapper's base64 blob scanned; a longer one: MA407 only",
  maxMetadataBytes: "Bytes of a .keras archive's metadata.json read; a larger one is MA409",
};

// ---- hdf5/ ------------------------------------------------------------------------------------------------
// The HDF5 scanner's limits: how much of a file's object headers, attributes,
// heaps and groups is read. Set them per scan with `scannerOptions: { hdf5: { ... } }`
// or `--limit hdf5.NAME=VALUE`. A limit reached is MA413, naming the option.
/**
 * Limits of the HDF5 scanner.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_HDF5_OPTIONS, type Hdf5Options } from "./option_catalog.ts";
 * const strict: Hdf5Options = { ...DEFAULT_HDF5_OPTIONS, maxObjects: 10_000 };
 * assert.equal(strict.maxGroupNodes, 200_000);
 * ```
 */
export interface Hdf5Options {
  /**
   * Object headers visited per file (default 200,000); the rest are not inspected for external
   * references (MA413). A Keras model of 10,000 layers has some 30,000 objects.
   */
  maxObjects: number;
  /** B-tree and symbol table nodes of groups read per file (default 200,000); the rest: MA413. */
  maxGroupNodes: number;
  /**
   * Records read from one dense-storage B-tree (default 65,536); more: MA413. Far more attributes
   * or links than any object has.
   */
  maxDenseRecords: number;
  /** Bytes of one object header block read (default 4 MiB); a larger one is MA413. Real ones are a few KiB. */
  maxHeaderChunkBytes: number;
  /** Continuation blocks followed per object header (default 1,024); more: MA413. */
  maxHeaderChunks: number;
  /**
   * Messages read per object header (default 65,535, what a version 1 header can count); more: MA413.
   */
  maxHeaderMessages: number;
  /**
   * Bytes of one attribute value read (default 64 MiB); a larger one is MA413. A Keras model config
   * of a very large model is a few MiB.
   */
  maxAttributeBytes: number;
  /** Objects walked in a global heap collection to find one (default 1,000,000); past it: MA413. */
  maxHeapObjects: number;
}

/**
 * The HDF5 scanner's limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_HDF5_OPTIONS } from "./option_catalog.ts";
 * assert.equal(DEFAULT_HDF5_OPTIONS.maxAttributeBytes, 64 * 1024 * 1024);
 * ```
 */
export const DEFAULT_HDF5_OPTIONS: Readonly<Hdf5Options> = Object.freeze({
  maxObjects: 200_000,
  maxGroupNodes: 200_000,
  maxDenseRecords: 65_536,
  maxHeaderChunkBytes: 4 * 1024 * 1024,
  maxHeaderChunks: 1024,
  maxHeaderMessages: 65_535,
  maxAttributeBytes: 64 * 1024 * 1024,
  maxHeapObjects: 1_000_000,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HDF5_OPTION_SUMMARIES } from "./option_catalog.ts";
 * assert.match(HDF5_OPTION_SUMMARIES.maxObjects, /^Object headers visited/);
 * ```
 */
export const HDF5_OPTION_SUMMARIES: Readonly<Record<keyof Hdf5Options, string>> = {
  maxObjects: "Object headers visited per file for external references; the rest: MA413",
  maxGroupNodes: "B-tree and symbol table nodes of groups read per file; the rest: MA413",
  maxDenseRecords: "Records read from one dense-storage B-tree (attributes, links); more: MA413",
  maxHeaderChunkBytes: "Bytes of one object header block read; a larger one is MA413",
  maxHeaderChunks: "Continuation blocks followed per object header; more: MA413",
  maxHeaderMessages: "Messages read per object header; more: MA413",
  maxAttributeBytes: "Bytes of one attribute value read (a Keras model_config); a larger one is MA413",
  maxHeapObjects: "Objects walked in a global heap collection to find one; past it: MA413",
};

// ---- python/ ----------------------------------------------------------------------------------------------
// The Python source scanner's limits: how large a `.py` file is parsed, how many
// syntax nodes its analysis visits, and how many dangerous calls one file reports.
// Set them per scan with `scannerOptions: { python: { ... } }` or
// `--limit python.NAME=VALUE`.
/**
 * Limits of the Python source analysis.
 *
 * @example
 * ```ts
 * import { DEFAULT_PYTHON_OPTIONS, type PythonOptions } from "./option_catalog.ts";
 * const strict: PythonOptions = { ...DEFAULT_PYTHON_OPTIONS, maxSourceBytes: 1024 * 1024 };
 * ```
 */
export interface PythonOptions {
  /**
   * Bytes of a `.py` file parsed (default 16 MiB); a larger one is MA604, not analysed. The largest
   * `modeling_*.py` files transformers generates are a few hundred kilobytes.
   */
  maxSourceBytes: number;
  /**
   * Syntax nodes of one file visited (default 5,000,000); past it the rest of the file is not analysed
   * (MA604). A megabyte of real Python is about 300,000 nodes.
   */
  maxSyntaxNodes: number;
  /** Dangerous calls reported per file (default 1,000); the rest are counted in the last finding's details. */
  maxReportedCalls: number;
}

/**
 * The Python source scanner's limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_PYTHON_OPTIONS } from "./option_catalog.ts";
 * assert.equal(DEFAULT_PYTHON_OPTIONS.maxSourceBytes, 16 * 1024 * 1024);
 * ```
 */
export const DEFAULT_PYTHON_OPTIONS: Readonly<PythonOptions> = Object.freeze({
  maxSourceBytes: 16 * 1024 * 1024,
  maxSyntaxNodes: 5_000_000,
  maxReportedCalls: 1_000,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PYTHON_OPTION_SUMMARIES } from "./option_catalog.ts";
 * assert.match(PYTHON_OPTION_SUMMARIES.maxSourceBytes, /^Bytes of a \.py file/);
 * ```
 */
export const PYTHON_OPTION_SUMMARIES: Readonly<Record<keyof PythonOptions, string>> = {
  maxSourceBytes: "Bytes of a .py file parsed; larger: MA604, not analysed",
  maxSyntaxNodes: "Syntax nodes of one .py file analysed; past it: MA604, the rest not analysed",
  maxReportedCalls: "Dangerous calls reported per .py file; the rest are counted",
};

// ---- weights/ ---------------------------------------------------------------------------------------------
// The weight analysis's options: whether it runs, its thresholds and its read budget. Set them per
// scan with `scannerOptions: { weights: { ... } }` or `--limit weights.NAME=VALUE`; `--weights` and
// `--no-weights` set {@linkcode WeightsOptions.enabled}.
// Thresholds are in median absolute deviations (MADs, scaled by 1.4826 so that one MAD is one
// standard deviation of normal data): a robust scale the outlier being looked for cannot inflate.
// The defaults were tuned on the even seeds of `scripts/make_trojan_models.py`'s models and measured
// on the odd ones (`deno task bench:weights`); see the rules MA390 to MA399 for what they found.
/** `enabled`: the analysis does not run. */
export const WEIGHTS_OFF = 0;
/**
 * `enabled`: every check, except on a large language model, whose values are not read at all (its
 * scan costs no more than its header; `--weights` reads them).
 */
export const WEIGHTS_AUTO = 1;
/** `enabled`: every check on every model, large language models included. */
export const WEIGHTS_ON = 2;

/**
 * Options of the weight analysis.
 *
 * @example
 * ```ts
 * import { DEFAULT_WEIGHTS_OPTIONS, WEIGHTS_ON, type WeightsOptions } from "./option_catalog.ts";
 * const full: WeightsOptions = { ...DEFAULT_WEIGHTS_OPTIONS, enabled: WEIGHTS_ON };
 * ```
 */
export interface WeightsOptions {
  /**
   * 0 off, 1 auto (default: all checks, but no value of a large language model read: its gigabytes
   * would cost seconds, and its trained weights have outliers by design), 2 on (all checks on every
   * model, NaN/Inf in a large language model included).
   */
  enabled: number;
  /**
   * A value of a weight matrix farther than this many MADs from its median is MA391 (default 1,000).
   * Real trained weights are heavy-tailed: GNU Backgammon's networks reach 89 MADs.
   */
  magnitudeMads: number;
  /** An output unit of a classification head whose weight norm is this many MADs from the median is MA392 (default 12). */
  headNormMads: number;
  /**
   * An output unit whose similarity to its nearest other unit (cosine) is this many MADs below the
   * units' median nearest-unit similarity is MA393 (default 12).
   */
  headCosineMads: number;
  /** Output units a head may have (default 1,000); a 2-D weight with more is no classification head. */
  maxHeadUnits: number;
  /** Elements of a head held in memory (default 4,194,304, 16 MiB as float32); a larger head is not analysed. */
  maxHeadElements: number;
  /** Elements a tensor needs for its distribution to be judged (MA391) or its constancy (MA394) (default 256). */
  minTensorElements: number;
  /** A 2-D tensor with a dimension this large is vocabulary-sized (default 30,000): a sign of a language model. */
  llmVocabulary: number;
  /** Parameters that, with a vocabulary-sized tensor, make a model a large language model (default 50,000,000). */
  llmParameters: number;
  /** Elements of a tensor sampled for its median and MAD (default 65,536). */
  sampleElements: number;
  /** Elements read at once (default 1,048,576, 4 MiB as float32): the memory one read may take. */
  chunkElements: number;
  /**
   * Elements read per model in all (default 268,435,456: 1 GiB of float32, about a second); past it the
   * rest is not read (MA399). The classification head is read first, so the budget never skips it.
   */
  maxReadElements: number;
  /**
   * Elements of compressed archive members' tensors kept in memory for their model's analysis (default
   * 16,777,216: 64 MiB of float32); an `.npz`'s arrays past it are left out (MA399).
   */
  maxCopiedElements: number;
}

/**
 * The weight analysis's options when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_WEIGHTS_OPTIONS, WEIGHTS_AUTO } from "./option_catalog.ts";
 * assert.equal(DEFAULT_WEIGHTS_OPTIONS.enabled, WEIGHTS_AUTO);
 * ```
 */
export const DEFAULT_WEIGHTS_OPTIONS: Readonly<WeightsOptions> = Object.freeze({
  enabled: WEIGHTS_AUTO,
  magnitudeMads: 1_000,
  headNormMads: 12,
  headCosineMads: 12,
  maxHeadUnits: 1_000,
  maxHeadElements: 4 * 1024 * 1024,
  minTensorElements: 256,
  llmVocabulary: 30_000,
  llmParameters: 50_000_000,
  sampleElements: 65_536,
  chunkElements: 1024 * 1024,
  maxReadElements: 256 * 1024 * 1024,
  maxCopiedElements: 16 * 1024 * 1024,
});

/**
 * What each option sets, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WEIGHTS_OPTION_SUMMARIES } from "./option_catalog.ts";
 * assert.match(WEIGHTS_OPTION_SUMMARIES.enabled, /^0 off/);
 * ```
 */
export const WEIGHTS_OPTION_SUMMARIES: Readonly<Record<keyof WeightsOptions, string>> = {
  enabled: "0 off, 1 auto (a large language model's values are not read), 2 on (every model, LLMs too)",
  magnitudeMads: "MADs from its weight matrix's median a value may be; farther: MA391",
  headNormMads: "MADs from the median a head unit's weight norm may be; farther: MA392",
  headCosineMads: "MADs below the median nearest-unit cosine a head unit may be; farther: MA393",
  maxHeadUnits: "Output units of a classification head; a 2-D weight with more is no head",
  maxHeadElements: "Elements of a classification head held in memory; a larger head is not analysed",
  minTensorElements: "Elements a tensor needs to be judged by MA391 and MA394",
  llmVocabulary: "A 2-D dimension this large is vocabulary-sized (a sign of a language model)",
  llmParameters: "Parameters that, with a vocabulary-sized tensor, make a large language model",
  sampleElements: "Elements of a tensor sampled for its median and MAD",
  chunkElements: "Elements read at once",
  maxReadElements: "Elements read per model; past it the rest is not analysed: MA399",
  maxCopiedElements:
    "Elements of compressed members' tensors held for their model's analysis; past it: MA399",
};

// ---- huggingface/ -----------------------------------------------------------------------------------------
// The Hugging Face folder's limits: how large a config may be to be checked for remote
// code. Set them per scan with `scannerOptions: { huggingface: { ... } }` or
// `--limit huggingface.NAME=VALUE`.
/**
 * Limits of the Hugging Face folder's plan.
 *
 * @example
 * ```ts
 * import { DEFAULT_HUGGINGFACE_OPTIONS, type HuggingFaceOptions } from "./option_catalog.ts";
 * const strict: HuggingFaceOptions = { ...DEFAULT_HUGGINGFACE_OPTIONS, maxConfigBytes: 1024 * 1024 };
 * ```
 */
export interface HuggingFaceOptions {
  /**
   * Bytes of a `config.json`, `tokenizer_config.json` or processor config parsed for its `auto_map`
   * (default 64 MiB); a larger one is MA638, not checked. Configs are kilobytes; tokenizer configs
   * with their added tokens run to a few megabytes.
   */
  maxConfigBytes: number;
}

/**
 * The Hugging Face folder's limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_HUGGINGFACE_OPTIONS } from "./option_catalog.ts";
 * assert.equal(DEFAULT_HUGGINGFACE_OPTIONS.maxConfigBytes, 64 * 1024 * 1024);
 * ```
 */
export const DEFAULT_HUGGINGFACE_OPTIONS: Readonly<HuggingFaceOptions> = Object.freeze({
  maxConfigBytes: 64 * 1024 * 1024,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HUGGINGFACE_OPTION_SUMMARIES } from "./option_catalog.ts";
 * assert.match(HUGGINGFACE_OPTION_SUMMARIES.maxConfigBytes, /^Bytes of a Hugging Face config/);
 * ```
 */
export const HUGGINGFACE_OPTION_SUMMARIES: Readonly<Record<keyof HuggingFaceOptions, string>> = {
  maxConfigBytes: "Bytes of a Hugging Face config parsed for auto_map and custom_pipelines; larger: MA638",
};

// ---- msgpack/ ---------------------------------------------------------------------------------------------
// The msgpack scanner's limits: how large, how deep and how many entries a msgpack file may
// have to be decoded. Set them per scan with `scannerOptions: { msgpack: { ... } }` or
// `--limit msgpack.NAME=VALUE`.
/**
 * Limits of the msgpack scanner.
 *
 * @example
 * ```ts
 * import { DEFAULT_MSGPACK_OPTIONS, type MsgpackOptions } from "./option_catalog.ts";
 * const strict: MsgpackOptions = { ...DEFAULT_MSGPACK_OPTIONS, maxBytes: 64 * 1024 * 1024 };
 * ```
 */
export interface MsgpackOptions {
  /**
   * Bytes of a msgpack file decoded (default 1 GiB): the decoder holds the whole file in memory.
   * A larger one is MA151, not decoded. Flax checkpoints of base-size models are a few hundred MiB.
   */
  maxBytes: number;
  /** Maps and arrays nested in one another (default 512); deeper is MA151. Flax nests a dozen. */
  maxDepth: number;
  /** Map entries and array items in all (default 10,000,000); more is MA151. */
  maxEntries: number;
}

/**
 * The msgpack scanner's limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_MSGPACK_OPTIONS } from "./option_catalog.ts";
 * assert.equal(DEFAULT_MSGPACK_OPTIONS.maxDepth, 512);
 * ```
 */
export const DEFAULT_MSGPACK_OPTIONS: Readonly<MsgpackOptions> = Object.freeze({
  maxBytes: 1024 * 1024 * 1024,
  maxDepth: 512,
  maxEntries: 10_000_000,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MSGPACK_OPTION_SUMMARIES } from "./option_catalog.ts";
 * assert.match(MSGPACK_OPTION_SUMMARIES.maxBytes, /^Bytes of a msgpack file/);
 * ```
 */
export const MSGPACK_OPTION_SUMMARIES: Readonly<Record<keyof MsgpackOptions, string>> = {
  maxBytes: "Bytes of a msgpack file decoded (held in memory); a larger one is MA151, not decoded",
  maxDepth: "Maps and arrays nested in one another in a msgpack file; deeper: MA151",
  maxEntries: "Map entries and array items decoded per msgpack file; more: MA151",
};
