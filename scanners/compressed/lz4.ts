/**
 * LZ4 frames: what `joblib.dump(..., compress="lz4")` writes (through the `lz4` package's
 * `lz4.frame`). No maintained npm package decodes LZ4 frames as a stream: lz4js (last released
 * in 2017) decodes a whole frame held in memory into one buffer sized by the frame's own claims.
 * So the format is recognised, and reported as not decodable (MA212) rather than left unrecognised.
 *
 * @module
 */

import type { Scanner } from "../../core/scanner.ts";
import { compressedScanner } from "./codec.ts";

/** The frame magic number, 0x184D2204 little-endian. */
const LZ4_FRAME_MAGIC = [0x04, 0x22, 0x4d, 0x18];

/** The frame descriptor's version bits (FLG bits 7-6), which must be 01. */
const FRAME_VERSION = 0x40;

/**
 * The lz4 scanner for the registry: it only says that the content cannot be inspected.
 *
 * @example
 * ```ts
 * import { lz4Scanner } from "./lz4.ts";
 * lz4Scanner.detect(Uint8Array.of(0x04, 0x22, 0x4d, 0x18, 0x64, 0x40, 0xa7), 7); // true
 * ```
 */
export const lz4Scanner: Scanner = compressedScanner({
  id: "lz4",
  description: "LZ4 frame (not decoded by this version)",
  extensions: [".lz4", ".joblib", ".pkl"],
  detect: (head) =>
    LZ4_FRAME_MAGIC.every((byte, i) => head[i] === byte) && (head[4] & 0xc0) === FRAME_VERSION,
  open: () =>
    Promise.resolve({
      undecodable:
        "LZ4-compressed content (joblib's 'lz4' compressor) cannot be decoded by this version and was not inspected",
    }),
});
