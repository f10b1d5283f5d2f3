/**
 * MA104: the pickle imports something whose module or name is not a constant
 * string (computed while loading), or a copyreg extension code, which names none.
 *
 * @module
 */

import type { FactHandlers } from "../facts.ts";
import { callDetails, qualified, type RuleContext } from "./context.ts";

/**
 * The MA104 rule over one stream's facts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../../core/byte_source.ts";
 * import { recordingContext } from "../../../core/recording_context.ts";
 * import { scanPickle } from "../scanner.ts";
 * // scanPickle runs this rule with the other pickle rules: STACK_GLOBAL of None and "system".
 * const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
 * const { ctx, findings } = recordingContext("model.pkl");
 * await scanPickle(bytesSource(latin1("\x80\x04N\x8c\x06system\x93.")), ctx);
 * assert.deepEqual(findings.map((f) => [f.rule, f.position]), [["MA104", 11]]);
 * ```
 */
export function unresolvedImport(ctx: RuleContext): FactHandlers {
  return {
    import({ op, global, extension }) {
      if (extension !== undefined) {
        ctx.report({
          rule: "MA104",
          message: `Pickle imports copyreg extension ${extension} (${op.name}), which names no module`,
          position: op.pos,
          details: { ...callDetails(global, op), extensionCode: extension },
        });
      } else if (!global.resolved) {
        ctx.report({
          rule: "MA104",
          message: `Pickle imports ${
            qualified(global.module, global.name)
          } (${op.name}), whose name is not a constant string`,
          position: op.pos,
          details: callDetails(global, op),
        });
      }
    },
  };
}
