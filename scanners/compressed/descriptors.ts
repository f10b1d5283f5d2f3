/**
 * The compressed formats as the registry knows them before a decoder loads:
 * names, extensions, priorities and header checks. A file pays for a decoder
 * package (pako, seek-bzip, xz-decompress, lzma-purejs) only when its header
 * says it needs one.
 *
 * @module
 */

import { PRIORITY } from "../../core/detection.ts";
import type { ScannerDescriptor } from "../../core/scanner.ts";
import {
  detectBzip2,
  detectGzip,
  detectLz4,
  detectXz,
  isZlibHeader,
  parseLzmaAloneHeader,
  readZfileHeader,
} from "./magic.ts";

/**
 * gzip's registry entry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gzipDescriptor } from "./descriptors.ts";
 * assert.equal(gzipDescriptor.detect(Uint8Array.of(0x1f, 0x8b, 8, 0), 4, "model.joblib"), true);
 * ```
 */
export const gzipDescriptor: ScannerDescriptor = {
  id: "gzip",
  description: "gzip-compressed file (a single compressed member, possibly in several gzip members)",
  // joblib names its compressed dumps after the model (.joblib, .pkl) as often as after the codec.
  extensions: [".gz", ".gzip", ".tgz", ".joblib", ".pkl"],
  priority: PRIORITY.compressedMagic,
  detect: detectGzip,
  load: () => import("./gzip.ts").then((module) => module.gzipScanner),
};

/**
 * bzip2's registry entry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bzip2Descriptor } from "./descriptors.ts";
 * assert.equal(bzip2Descriptor.detect(new TextEncoder().encode("BZh91AY&SY"), 10, "model.bz2"), true);
 * ```
 */
export const bzip2Descriptor: ScannerDescriptor = {
  id: "bzip2",
  description: "bzip2-compressed file",
  extensions: [".bz2", ".bzip2", ".tbz2", ".joblib", ".pkl"],
  priority: PRIORITY.compressedMagic,
  detect: detectBzip2,
  load: () => import("./bzip2.ts").then((module) => module.bzip2Scanner),
};

/**
 * xz's registry entry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { xzDescriptor } from "./descriptors.ts";
 * assert.equal(xzDescriptor.detect(Uint8Array.of(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0, 0, 4), 8, "model.xz"), true);
 * ```
 */
export const xzDescriptor: ScannerDescriptor = {
  id: "xz",
  description: "xz-compressed file",
  extensions: [".xz", ".txz", ".joblib", ".pkl"],
  priority: PRIORITY.compressedMagic,
  detect: detectXz,
  load: () => import("./xz.ts").then((module) => module.xzScanner),
};

/**
 * LZ4 frames' registry entry: recognised, reported as not decodable.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lz4Descriptor } from "./descriptors.ts";
 * assert.equal(lz4Descriptor.detect(Uint8Array.of(0x04, 0x22, 0x4d, 0x18, 0x64, 0x40, 0xa7), 7, "m.lz4"), true);
 * ```
 */
export const lz4Descriptor: ScannerDescriptor = {
  id: "lz4",
  description: "LZ4 frame (not decoded by this version)",
  extensions: [".lz4", ".joblib", ".pkl"],
  priority: PRIORITY.compressedMagic,
  detect: detectLz4,
  load: () => import("./lz4.ts").then((module) => module.lz4Scanner),
};

/**
 * LZMA-alone's registry entry: a header liblzma accepts here, a trial decode in the scanner.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lzmaDescriptor } from "./descriptors.ts";
 * const file = Uint8Array.of(0x5d, 0, 0, 0x80, 0, ...new Array(8).fill(0xff), 0); // an LZMA-alone header
 * assert.equal(lzmaDescriptor.detect(file, file.length, "model.lzma"), true);
 * ```
 */
export const lzmaDescriptor: ScannerDescriptor = {
  id: "lzma",
  description: "LZMA-alone (.lzma) compressed file",
  extensions: [".lzma", ".joblib", ".pkl"],
  priority: PRIORITY.compressedTrial,
  detect: (head) => parseLzmaAloneHeader(head) !== undefined,
  load: () => import("./lzma.ts").then((module) => module.lzmaScanner),
};

/**
 * zlib's registry entry: a valid two-byte header here, a trial inflate in the scanner.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { zlibDescriptor } from "./descriptors.ts";
 * assert.equal(zlibDescriptor.detect(Uint8Array.of(0x78, 0x9c), 2, "model.z"), true); // the scanner's trial decides
 * ```
 */
export const zlibDescriptor: ScannerDescriptor = {
  id: "zlib",
  description: "zlib-compressed file (joblib's default compression)",
  // joblib names zlib dumps .z, or after the model (.joblib, .pkl); joblib 0.10 named them .gz.
  extensions: [".z", ".zlib", ".gz", ".joblib", ".pkl"],
  priority: PRIORITY.compressedTrial,
  detect: (head) => head.length >= 2 && isZlibHeader(head[0], head[1]),
  load: () => import("./zlib.ts").then((module) => module.zlibScanner),
};

/**
 * joblib z-files' registry entry: the `ZF` header here, the zlib stream after it in the scanner.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { joblibZfileDescriptor } from "./descriptors.ts";
 * const head = new TextEncoder().encode("ZF0x5                x\x9c");
 * assert.equal(joblibZfileDescriptor.detect(head, head.length, "model.pkl.z"), true);
 * ```
 */
export const joblibZfileDescriptor: ScannerDescriptor = {
  id: "joblib-zfile",
  description: "joblib z-file (compressed pickles and arrays of joblib before 0.10)",
  extensions: [".z", ".gz", ".joblib", ".pkl"],
  priority: PRIORITY.compressedTrial,
  detect: (head) => readZfileHeader(head) !== undefined,
  load: () => import("./joblib_zfile.ts").then((module) => module.joblibZfileScanner),
};
