/**
 * The msgpack scanner. msgpack cannot make its loader run code, so a file that decodes is clean:
 * the scan decodes it whole with `@msgpack/msgpack`, within limits measured first
 * (`measure.ts`), runs the shared string checks on its keys and strings (`--blacklist`, MA011,
 * MA012), and reports a file that does not decode (MA150), one past a limit (MA151), and
 * extension types no model loader knows (MA152), Flax's being checked down to their headers. The
 * payload of an unknown type is what a custom `ext_hook` reads: it is scanned on a guess, for what
 * it would run if that hook unpickled it.
 *
 * @module
 */

import { Decoder } from "@msgpack/msgpack";
import { bytesSource } from "../../core/byte_source.ts";
import type { ScanContext, Scanner } from "../../core/scanner.ts";
import { scannerOptions } from "../options.ts";
import { checkString } from "../strings/checks.ts";
import { FLAX_EXTENSIONS, flaxExtensionCheck } from "./flax.ts";
import { measureMsgpack } from "./measure.ts";
import { msgpackStrings } from "./strings.ts";

/** Map keys as Python's msgpack takes them by default (`strict_map_key`): strings and bytes. */
function _mapKey(key: unknown): string {
  if (typeof key === "string") return key;
  if (key instanceof Uint8Array) return new TextDecoder("latin1").decode(key);
  throw new Error(`a map key is ${typeof key}, which Python's msgpack refuses (strict_map_key)`);
}

function _reportLimit(ctx: ScanContext, limit: string, max: number, position?: number): void {
  ctx.report({
    rule: "MA151",
    message: `Past msgpack.${limit} (${max}): not decoded, so what it holds was not looked at`,
    position,
    details: { option: `msgpack.${limit}`, max },
  });
}

/**
 * Decodes a msgpack file and reports what keeps it from loading.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { msgpackScanner } from "./scanner.ts";
 * const { ctx, findings } = recordingContext("flax_model.msgpack");
 * await msgpackScanner.scan(bytesSource(new Uint8Array([0x81, 0xa1, 0x77])), ctx); // {"w": ... cut
 * assert.deepEqual(findings.map((f) => f.rule), ["MA150"]);
 * ```
 */
export const msgpackScanner: Scanner = {
  async scan(source, ctx) {
    const limits = scannerOptions(ctx).msgpack;
    if (source.size > limits.maxBytes) return _reportLimit(ctx, "maxBytes", limits.maxBytes);
    const bytes = await source.read(0, source.size);
    const measure = measureMsgpack(bytes, limits);
    if (!measure.ok) return _reportLimit(ctx, measure.limit, limits[measure.limit], measure.at);
    const { codec, report } = flaxExtensionCheck();
    const decoder = new Decoder({ extensionCodec: codec, mapKeyConverter: _mapKey });
    let document: unknown;
    try {
      document = decoder.decode(bytes);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      ctx.report({
        rule: "MA150",
        message: `Does not decode as msgpack (${reason}): a loader refuses it`,
        details: { reason },
      });
      return;
    }
    for (const problem of report.problems) {
      ctx.report({
        rule: "MA150",
        message: `A Flax ${problem}: flax.serialization cannot restore it`,
        details: { reason: problem },
      });
    }
    for (const [type, count] of report.unknown) {
      ctx.report({
        rule: "MA152",
        message: `${count} value(s) of extension type ${type}, which no model loader decodes (Flax knows ${
          Object.keys(FLAX_EXTENSIONS).join(", ")
        }): the program that reads this file decides what they become`,
        details: { extensionType: type, count },
      });
    }
    // Its keys and strings go through the shared checks: the user's --blacklist, second stages, code.
    for (const { text, keyPath } of msgpackStrings(document)) {
      await checkString(ctx, text, { what: `The msgpack string at ${keyPath}`, keyPath });
    }
    for (const [i, { type, data }] of report.payloads.entries()) {
      await ctx.scanNested(bytesSource(data), `<ext ${type} #${i}>`, { opportunistic: true });
    }
  },
};
