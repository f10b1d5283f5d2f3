/**
 * The scanner registry: every format scanner registers here, and the engine
 * asks the registry, in order, which scanner a file's content belongs to.
 *
 * @module
 */

import type { Scanner } from "../core/scanner.ts";
import { bzip2Scanner } from "./compressed/bzip2.ts";
import { gzipScanner } from "./compressed/gzip.ts";
import { joblibZfileScanner } from "./compressed/joblib_zfile.ts";
import { lz4Scanner } from "./compressed/lz4.ts";
import { lzmaScanner } from "./compressed/lzma.ts";
import { xzScanner } from "./compressed/xz.ts";
import { zlibScanner } from "./compressed/zlib.ts";
import { numpyScanner } from "./numpy/scanner.ts";
import { pickleScanner } from "./pickle/scanner.ts";
import { legacyTorchScanner } from "./pytorch/legacy.ts";
import { legacyStoragesScanner, legacyTensorsScanner } from "./pytorch/legacy_tar_records.ts";
import { torchscriptScanner } from "./pytorch/torchscript.ts";
import { torchScriptPickleScanner } from "./pytorch/torchscript_pickle.ts";
import { sevenZipScanner } from "./sevenzip/scanner.ts";
import { tarScanner } from "./tar/scanner.ts";
import { zipScanner } from "./zip/scanner.ts";

/**
 * All scanners, most specific first: a container format must come before
 * pickle so that the container, not a guess, decides (a legacy torch stream
 * starts with a pickle, but its raw records are not opcodes).
 *
 * @example
 * ```ts
 * import { SCANNERS } from "./registry.ts";
 * SCANNERS.map((s) => s.id); // ["zip", "tar", "7z", "gzip", "bzip2", ..., "numpy", "pytorch-legacy", "pickle", ...]
 * ```
 */
export const SCANNERS: readonly Scanner[] = [
  zipScanner,
  tarScanner,
  sevenZipScanner,
  gzipScanner,
  bzip2Scanner,
  xzScanner,
  lzmaScanner,
  zlibScanner,
  joblibZfileScanner,
  lz4Scanner,
  numpyScanner,
  legacyTorchScanner,
  pickleScanner,
  legacyStoragesScanner,
  legacyTensorsScanner,
  torchscriptScanner,
  torchScriptPickleScanner,
];

/**
 * The first scanner whose `detect` accepts `head`, if any.
 *
 * @example
 * ```ts
 * import { scannerFor } from "./registry.ts";
 * scannerFor(new Uint8Array([0x80, 0x04, 0x4e, 0x2e]), 4)?.id; // "pickle"
 * ```
 */
export function scannerFor(head: Uint8Array, size: number): Scanner | undefined {
  return SCANNERS.find((scanner) => scanner.detect(head, size));
}

/**
 * The scanner with id `id`, if any: how a container names the loader of a member.
 *
 * @example
 * ```ts
 * import { scannerById } from "./registry.ts";
 * scannerById("pickle")?.description; // "Python pickle (protocols 0 to 5)"
 * ```
 */
export function scannerById(id: string): Scanner | undefined {
  return SCANNERS.find((scanner) => scanner.id === id);
}
