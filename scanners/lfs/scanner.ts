/**
 * The Git LFS pointer scanner: a pointer holds nothing to inspect, and the file it stands for
 * was not downloaded, so the scan says so once (MA635), with the oid and size to fetch it by.
 *
 * @module
 */

import type { Scanner } from "../../core/scanner.ts";
import { parseLfsPointer } from "./pointer.ts";

/**
 * Reports the file a pointer stands for as not scanned; text that only starts like a pointer is not one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { lfsPointerScanner } from "./scanner.ts";
 * const oid = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";
 * const text = `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize 548118077\n`;
 * const { ctx, findings } = recordingContext("pytorch_model.bin");
 * assert.equal(await lfsPointerScanner.confirm!(new Uint8Array(), bytesSource(new TextEncoder().encode(text))), true);
 * await lfsPointerScanner.scan(bytesSource(new TextEncoder().encode(text)), ctx);
 * assert.deepEqual(findings.map((f) => f.rule), ["MA635"]);
 * ```
 */
export const lfsPointerScanner: Scanner = {
  async confirm(_head, source) {
    return parseLfsPointer(await source.read(0, source.size)) !== undefined;
  },
  async scan(source, ctx) {
    const pointer = parseLfsPointer(await source.read(0, source.size));
    // confirm() parsed the same bytes: only a scanner named by a container's loadAs gets here without it.
    if (!pointer) return;
    ctx.report({
      rule: "MA635",
      message: `A Git LFS pointer to ${pointer.size} bytes (sha256 ${pointer.oid.slice(0, 12)}…), ` +
        "not the file itself: it was not downloaded, so nothing of it was scanned",
      details: { oid: `sha256:${pointer.oid}`, size: pointer.size, version: pointer.version },
    });
  },
};
