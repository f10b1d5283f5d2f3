/**
 * MA106: a FRAME's declared length disagrees with its opcodes, so scanners and
 * loaders may see different opcodes.
 *
 * @module
 */

import type { FactHandlers } from "../facts.ts";
import type { RuleContext } from "./context.ts";

/**
 * The MA106 rule over one stream's facts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../../core/byte_source.ts";
 * import { recordingContext } from "../../../core/recording_context.ts";
 * import { scanPickle } from "../scanner.ts";
 * // scanPickle runs this rule with the other pickle rules: the FRAME claims 5 bytes, 2 follow.
 * const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
 * const { ctx, findings } = recordingContext("model.pkl");
 * await scanPickle(bytesSource(latin1("\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00N.")), ctx);
 * assert.deepEqual(findings.map((f) => [f.rule, f.position]), [["MA106", 2]]);
 * ```
 */
export function frameMismatch(ctx: RuleContext): FactHandlers {
  return {
    "frame-mismatch"({ pos, declared, actual, reason }) {
      ctx.report({
        rule: "MA106",
        message: `FRAME declares ${declared} bytes but its opcodes span ${actual}: ${reason}`,
        position: pos,
        details: { declared, actual, reason, position: pos },
      });
    },
  };
}
