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
import type { WireField, WireReader } from "./wire.ts";
import type { OnnxOptions } from "./options.ts";

/** Shorter strings hold no payload worth a scan (the smallest pickle that imports and calls is longer). */
const MIN_PAYLOAD_BYTES = 16;

const utf8 = new TextDecoder();

/**
 * What the string checks need of a model's walk.
 *
 * @example
 * ```ts
 * import type { StringWalk } from "./strings.ts";
 * const counted = (walk: StringWalk) => walk.strings.inspected;
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
 * import { inspectString, type StringWalk } from "./strings.ts";
 * declare const walk: StringWalk;
 * declare const field: import("./wire.ts").WireField;
 * await inspectString(walk, field, "metadata_props[0].value");
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
  const bytes = await walk.reader.bytes(field, maxStringBytes);
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
