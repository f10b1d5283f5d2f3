/**
 * The tar format as the registry knows it before loading the scanner.
 *
 * @module
 */

import { PRIORITY } from "../../core/detection.ts";
import type { ScannerDescriptor } from "../../core/scanner.ts";
import { isTarHeader } from "./header.ts";

/**
 * The tar scanner's registry entry. Detection takes a header a tar reader accepts
 * at the start of the file ({@linkcode isTarHeader}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tarDescriptor } from "./descriptor.ts";
 * assert.equal(tarDescriptor.detect(new Uint8Array(512), 512, "model.tar"), false); // an empty block is no header
 * ```
 */
export const tarDescriptor: ScannerDescriptor = {
  id: "tar",
  description: "tar archive (POSIX ustar and pax, GNU, v7)",
  // torch.save wrote legacy checkpoints as tars under model names; NeMo saves its models as tars (.nemo).
  extensions: [".tar", ".pt", ".pth", ".nemo"],
  // Above 7z: a tar header's checksum is a stronger test than a 6-byte signature in its name field.
  priority: PRIORITY.archive + 1,
  detect: (head) => isTarHeader(head),
  load: () => import("./scanner.ts").then((module) => module.tarScanner),
};
