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
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { lz4Scanner } from "./lz4.ts";
 * const { ctx, findings } = recordingContext("model.joblib");
 * await lz4Scanner.scan(bytesSource(Uint8Array.of(0x04, 0x22, 0x4d, 0x18, 0x64, 0x40, 0xa7)), ctx);
 * assert.deepEqual(findings.map((f) => f.rule), ["MA212"]); // not decodable, so not inspected
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
