/**
 * Git LFS pointers as the registry knows them before their scanner loads: a few lines of
 * text, under 1 KiB, that start `version https://`. Recognised by content under any name
 * (a `pytorch_model.bin` or `model.safetensors` of a repository cloned without git-lfs), and
 * a stand-in for the file it replaces, so its name is never taken for a disguise.
 *
 * @module
 */

import { PRIORITY } from "../../core/detection.ts";
import type { ScannerDescriptor } from "../../core/scanner.ts";
import { startsLikePointer } from "./pointer.ts";

/**
 * The registry entry of Git LFS pointer files.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lfsPointerDescriptor } from "./descriptor.ts";
 * const text = new TextEncoder().encode("version https://git-lfs.github.com/spec/v1\n");
 * assert.equal(lfsPointerDescriptor.detect(text, text.length, "pytorch_model.bin"), true);
 * ```
 */
export const lfsPointerDescriptor: ScannerDescriptor = {
  id: "git-lfs-pointer",
  description: "Git LFS pointer file (the file it stands for was not downloaded)",
  extensions: [],
  priority: PRIORITY.model,
  passive: true,
  standsIn: true,
  detect: (head, size) => startsLikePointer(head, size),
  load: () => import("./scanner.ts").then((module) => module.lfsPointerScanner),
};
