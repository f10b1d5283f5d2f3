/**
 * The scanner registry: every format scanner registers here, and the engine
 * asks the registry, in order, which scanner a file's content belongs to.
 *
 * @module
 */

import type { Scanner } from "../core/scanner.ts";
import { pickleScanner } from "./pickle/scanner.ts";
import { legacyTorchScanner } from "./pytorch/legacy.ts";

/**
 * All scanners, most specific first: a container format must come before
 * pickle so that the container, not a guess, decides (a legacy torch stream
 * starts with a pickle, but its raw records are not opcodes).
 *
 * @example
 * ```ts
 * import { SCANNERS } from "./registry.ts";
 * SCANNERS.map((s) => s.id); // ["pytorch-legacy", "pickle"]
 * ```
 */
export const SCANNERS: readonly Scanner[] = [legacyTorchScanner, pickleScanner];

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
