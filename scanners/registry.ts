/**
 * The scanner registry: every format registers a small descriptor here (its id,
 * extensions, priority and a cheap detection), and the engine imports a scanner's
 * module only when a file needs it. Scanning one pickle loads no decompressor.
 *
 * @module
 */

import type { DirectoryDescriptor, ReaderDescriptor, ScannerDescriptor } from "../core/scanner.ts";
import {
  bzip2Descriptor,
  gzipDescriptor,
  joblibZfileDescriptor,
  lz4Descriptor,
  lzmaDescriptor,
  xzDescriptor,
  zlibDescriptor,
} from "./compressed/descriptors.ts";
import {
  iniDescriptor,
  jsonDescriptor,
  tomlDescriptor,
  xmlDescriptor,
  yamlDescriptor,
} from "./config/descriptor.ts";
import { chatTemplateJsonDescriptor, jinjaDescriptor } from "./jinja/descriptor.ts";
import { pythonDescriptor } from "./python/descriptor.ts";
import { ggmlDescriptor, ggufDescriptor } from "./gguf/descriptor.ts";
import { hdf5Descriptor } from "./hdf5/descriptor.ts";
import { kerasConfigReader } from "./keras/descriptor.ts";
import { DIRECTORIES } from "./directories.ts";
import { lfsPointerDescriptor } from "./lfs/descriptor.ts";
import { msgpackDescriptor } from "./msgpack/descriptor.ts";
import { numpyDescriptor } from "./numpy/descriptor.ts";
import { onnxDescriptor } from "./onnx/descriptor.ts";
import { pickleDescriptor } from "./pickle/descriptor.ts";
import { byPriority } from "./priority.ts";
import {
  legacyStoragesReader,
  legacyTensorsReader,
  legacyTorchDescriptor,
  torchScriptPickleReader,
  torchscriptReader,
} from "./pytorch/descriptors.ts";
import { safetensorsDescriptor } from "./safetensors/descriptor.ts";
import { sevenZipDescriptor } from "./sevenzip/descriptor.ts";
import { tarDescriptor } from "./tar/descriptor.ts";
import { nestedGraphReader, tensorflowDescriptor } from "./tensorflow/descriptor.ts";
import { zipDescriptor } from "./zip/descriptor.ts";

/**
 * What the engine scans with: the formats it detects, the readers containers name,
 * and the directory formats. Tests build their own to add toy formats.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scanBytes } from "../engine/dispatch.ts";
 * import { REGISTRY, type Registry } from "./registry.ts";
 * const withoutPickle: Registry = { ...REGISTRY, scanners: REGISTRY.scanners.filter((s) => s.id !== "pickle") };
 * const bytes = new Uint8Array([0x80, 0x04, 0x4e, 0x2e]);
 * assert.equal((await scanBytes(bytes, "model.pkl")).format, "pickle");
 * assert.equal((await scanBytes(bytes, "model.pkl", { registry: withoutPickle })).format, null);
 * ```
 */
export interface Registry {
  /** Formats detected by content (or, for text formats, by name and a parse), highest priority first. */
  readonly scanners: readonly ScannerDescriptor[];
  /** Readers reached only through a container's `loadAs`, never chosen by content. */
  readonly readers: readonly ReaderDescriptor[];
  /** Directory formats, highest priority first. */
  readonly directories: readonly DirectoryDescriptor[];
}

/** Detection order of descriptors (see `priority.ts`); tests order their toy formats with it. */
export { byPriority };

/**
 * The formats detected by content, in detection order (see `PRIORITY` in `core/scanner.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SCANNERS } from "./registry.ts";
 * assert.deepEqual(SCANNERS.map((s) => s.id), [
 *   "zip", "tar", "7z", "bzip2", "gzip", "lz4", "xz", "joblib-zfile", "lzma", "zlib", "ggml", "gguf", "git-lfs-pointer", "hdf5", "numpy",
 *   "onnx", "pytorch-legacy", "safetensors", "pickle", "chat-template-json", "jinja", "msgpack", "python", "tensorflow", "ini",
 *   "json", "toml", "xml", "yaml",
 * ]);
 * ```
 */
export const SCANNERS: readonly ScannerDescriptor[] = byPriority([
  zipDescriptor,
  tarDescriptor,
  sevenZipDescriptor,
  gzipDescriptor,
  bzip2Descriptor,
  xzDescriptor,
  lz4Descriptor,
  lzmaDescriptor,
  zlibDescriptor,
  joblibZfileDescriptor,
  ggufDescriptor,
  ggmlDescriptor,
  hdf5Descriptor,
  lfsPointerDescriptor,
  numpyDescriptor,
  safetensorsDescriptor,
  onnxDescriptor,
  legacyTorchDescriptor,
  pickleDescriptor,
  chatTemplateJsonDescriptor,
  jinjaDescriptor,
  msgpackDescriptor,
  pythonDescriptor,
  tensorflowDescriptor,
  yamlDescriptor,
  jsonDescriptor,
  tomlDescriptor,
  iniDescriptor,
  xmlDescriptor,
]);

/**
 * The load-only readers: what a loader amounts to for a member its container names
 * (a legacy tar's records, a TorchScript archive's code and pickles).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { READERS } from "./registry.ts";
 * assert.ok(READERS.map((r) => r.id).includes("torchscript"));
 * ```
 */
export const READERS: readonly ReaderDescriptor[] = [
  legacyStoragesReader,
  legacyTensorsReader,
  torchscriptReader,
  torchScriptPickleReader,
  nestedGraphReader,
  kerasConfigReader,
];

/**
 * The directory formats, highest priority first (kept in `directories.ts`, which the
 * CLI's thread loads without the file formats).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DIRECTORIES } from "./registry.ts";
 * assert.deepEqual(DIRECTORIES.map((d) => d.id), [
 *   "huggingface-folder",
 *   "onnx-folder",
 *   "tensorflow-saved-model-folder",
 * ]);
 * ```
 */
export { DIRECTORIES };

/**
 * The registry the engine uses unless told otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { READERS, REGISTRY, SCANNERS } from "./registry.ts";
 * assert.equal(REGISTRY.scanners, SCANNERS);
 * assert.equal(REGISTRY.readers, READERS);
 * ```
 */
export const REGISTRY: Registry = { scanners: SCANNERS, readers: READERS, directories: DIRECTORIES };

/**
 * The descriptor with id `id`, detecting or load-only: how a container names the loader of a member.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { descriptorById } from "./registry.ts";
 * assert.equal(descriptorById("pickle")?.description, "Python pickle (protocols 0 to 5)");
 * ```
 */
export function descriptorById(id: string, registry: Registry = REGISTRY): ReaderDescriptor | undefined {
  return registry.scanners.find((scanner) => scanner.id === id) ??
    registry.readers.find((reader) => reader.id === id);
}
