/**
 * joblib's legacy z-file: how joblib before 0.10 wrote compressed pickles (and each array beside
 * them, as `NAME_01.npy.z`), which `joblib.load` still reads. `ZF`, the decoded length as a hex
 * string padded to 19 characters (one character wider in files from Python 2 and joblib 0.8.4 or
 * older), then one zlib stream. joblib checks the decoded length, so it is passed on as the
 * member's declared size.
 *
 * @module
 */

import { subSource } from "../../core/byte_source.ts";
import type { Scanner } from "../../core/scanner.ts";
import { compressedScanner } from "./codec.ts";
import { inflateStream } from "./inflate.ts";
import { readZfileHeader } from "./magic.ts";
import { detectZlib, ZLIB_FRAMING } from "./zlib.ts";

/**
 * The layout of a z-file starting with `head`, or `undefined` if it is not one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseZfileHeader } from "./joblib_zfile.ts";
 * const head = new TextEncoder().encode("ZF0x1f               ");
 * // A 31-byte claim (and an empty stream, but the layout is right).
 * const header = parseZfileHeader(new Uint8Array([...head, 0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]));
 * assert.deepEqual(header, { dataStart: 21, length: 31 });
 * ```
 */
export function parseZfileHeader(head: Uint8Array): { dataStart: number; length: number } | undefined {
  const header = readZfileHeader(head);
  return header && detectZlib(head.subarray(header.dataStart)) ? header : undefined;
}

/**
 * The joblib z-file scanner for the registry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { joblibZfileScanner } from "./joblib_zfile.ts";
 * const file = new Uint8Array([...new TextEncoder().encode("ZF0x5".padEnd(21)), ...Uint8Array.fromBase64("eJzLSM3JyQcABiwCFQ==")]);
 * const { ctx, members } = recordingContext("model.pkl.z");
 * await joblibZfileScanner.scan(bytesSource(file), ctx);
 * assert.deepEqual(members.map((m) => [m.name, m.content.kind === "encoded" && m.content.declaredSize]), [["model.pkl", 5]]);
 * ```
 */
export const joblibZfileScanner: Scanner = compressedScanner({
  id: "joblib-zfile",
  confirm: (head) => parseZfileHeader(head) !== undefined,
  async open(source) {
    const { dataStart, length } = parseZfileHeader(await source.read(0, 64 * 1024))!;
    const stream = subSource(source, dataStart, source.size - dataStart);
    return {
      declaredSize: Number.isSafeInteger(length) ? length : undefined,
      decode: (signal) => inflateStream(stream, ZLIB_FRAMING, signal),
    };
  },
});
