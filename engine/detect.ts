/**
 * Format detection. Content decides first: binary formats are tried by their
 * bytes, in the registry's priority order, whatever the name says. Text formats
 * have no magic bytes, so the name is a hint they may use, and a text scanner
 * claims a file only when its parse succeeds. A name that claims another format
 * than the content has is reported.
 *
 * @module
 */

import type { ByteSource } from "../core/byte_source.ts";
import type { ReaderDescriptor, Scanner, ScannerDescriptor } from "../core/scanner.ts";
import { KNOWN_FORMATS } from "../scanners/known_formats.ts";
import { descriptorById, REGISTRY, type Registry } from "../scanners/registry.ts";

/**
 * The last segment of a path, after any `/`, `\` or container `:`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { baseName } from "./detect.ts";
 * assert.equal(baseName("bundle.zip:archive/data.pkl"), "data.pkl");
 * ```
 */
export function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"), path.lastIndexOf(":")) + 1);
}

/**
 * The lower-case extension of the last path segment, with the dot, or `""`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { extensionOf } from "./detect.ts";
 * assert.equal(extensionOf("models/Model.PT"), ".pt");
 * assert.equal(extensionOf(".bashrc"), "");
 * ```
 */
export function extensionOf(path: string): string {
  const base = path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(dot).toLowerCase() : "";
}

/**
 * Extensions that name no format: PyTorch, GGML, raw arrays, Darknet and sentencepiece files all
 * use them, so no content can contradict them (a NumPy array named `.bin` is no disguise).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatsClaimedBy, GENERIC_EXTENSIONS } from "./detect.ts";
 * assert.ok(GENERIC_EXTENSIONS.has(".bin"));
 * assert.deepEqual(formatsClaimedBy("weights.bin"), []); // so a .bin claims no format
 * ```
 */
export const GENERIC_EXTENSIONS: ReadonlySet<string> = new Set([
  ".bin",
  ".dat",
  ".data",
  ".model",
  ".weights",
]);

/**
 * Format ids that may legitimately carry the extension of `path`: those of the
 * scanners, of the load-only readers and of the known-but-unscanned formats.
 * Empty when the name claims nothing: no extension, or a generic one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatsClaimedBy } from "./detect.ts";
 * assert.deepEqual(formatsClaimedBy("model.safetensors"), ["safetensors"]);
 * ```
 */
export function formatsClaimedBy(path: string, registry: Registry = REGISTRY): string[] {
  const extension = extensionOf(path);
  if (!extension || GENERIC_EXTENSIONS.has(extension)) return [];
  return [...registry.scanners, ...registry.readers, ...KNOWN_FORMATS]
    .filter((format) => format.extensions.includes(extension))
    .map((format) => format.id);
}

/**
 * Whether a detecting scanner claims the extension of `path`, i.e. the name says "model file".
 * Load-only readers do not: a `.py` file on disk is no TorchScript archive's code. Nor do scanners
 * that take only some of the files so named (`partial`): a `.json` without a chat template is no model.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nameClaimsScannedFormat } from "./detect.ts";
 * assert.equal(nameClaimsScannedFormat("model.pkl"), true);
 * assert.equal(nameClaimsScannedFormat("README.md"), false);
 * ```
 */
export function nameClaimsScannedFormat(path: string, registry: Registry = REGISTRY): boolean {
  const extension = extensionOf(path);
  return registry.scanners.some((scanner) => !scanner.partial && scanner.extensions.includes(extension));
}

/**
 * A format chosen for a source, with its scanner loaded.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../core/byte_source.ts";
 * import { type Detected, detectFormat } from "./detect.ts";
 * function formatOf(detected: Detected | undefined): string | null {
 *   return detected?.descriptor.id ?? null;
 * }
 * const text = new TextEncoder().encode("# README\n");
 * assert.equal(formatOf(await detectFormat(bytesSource(text), text, "README.md")), null);
 * ```
 */
export interface Detected {
  /** The registry entry that matched. */
  descriptor: ReaderDescriptor;
  /** Its scanner, loaded. */
  scanner: Scanner;
}

/**
 * Loads the scanner of `descriptor` and asks it to confirm the cheap detection.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../core/byte_source.ts";
 * import { pickleDescriptor } from "../scanners/pickle/descriptor.ts";
 * import { confirmed } from "./detect.ts";
 * const bytes = new Uint8Array([0x80, 0x04, 0x4e, 0x2e]);
 * assert.equal((await confirmed(pickleDescriptor, bytes, bytesSource(bytes)))?.descriptor.id, "pickle");
 * ```
 */
export async function confirmed(
  descriptor: ScannerDescriptor,
  head: Uint8Array,
  source: ByteSource,
): Promise<Detected | undefined> {
  const scanner = await descriptor.load();
  if (scanner.confirm && !(await scanner.confirm(head, source))) return undefined;
  return { descriptor, scanner };
}

/**
 * The format of `source`: the first scanner, by priority, whose cheap `detect`
 * accepts the head (with the base name as a hint) and whose scanner confirms it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../core/byte_source.ts";
 * import { detectFormat } from "./detect.ts";
 * const bytes = new Uint8Array([0x80, 0x04, 0x4e, 0x2e]);
 * assert.equal((await detectFormat(bytesSource(bytes), bytes, "model.bin"))?.descriptor.id, "pickle");
 * ```
 */
export async function detectFormat(
  source: ByteSource,
  head: Uint8Array,
  path: string,
  registry: Registry = REGISTRY,
): Promise<Detected | undefined> {
  const name = baseName(path);
  for (const descriptor of registry.scanners) {
    if (!descriptor.detect(head, source.size, name)) continue;
    const detected = await confirmed(descriptor, head, source);
    if (detected) return detected;
  }
  return undefined;
}

/**
 * The reader a container names for a member (`loadAs`), loaded; `undefined` for an unknown id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadReader } from "./detect.ts";
 * assert.deepEqual((await loadReader("torchscript"))?.descriptor.extensions, [".py"]);
 * ```
 */
export async function loadReader(id: string, registry: Registry = REGISTRY): Promise<Detected | undefined> {
  const descriptor = descriptorById(id, registry);
  return descriptor && { descriptor, scanner: await descriptor.load() };
}
