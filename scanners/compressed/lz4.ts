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

/**
 * The lz4 scanner for the registry: it only says that the content cannot be inspected.
 *
 * @example
 * ```ts
 * import { lz4Scanner } from "./lz4.ts";
 * typeof lz4Scanner.scan; // "function"
 * ```
 */
export const lz4Scanner: Scanner = compressedScanner({
  id: "lz4",
  open: () =>
    Promise.resolve({
      undecodable:
        "LZ4-compressed content (joblib's 'lz4' compressor) cannot be decoded by this version and was not inspected",
    }),
});
