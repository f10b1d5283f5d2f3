/**
 * MA105: the pickle stream breaks, ends without STOP, or reads a memo entry it
 * never stored (once per pickle).
 *
 * @module
 */

import type { FactHandlers } from "../facts.ts";
import type { RuleContext } from "./context.ts";

/**
 * The MA105 rule over one stream's facts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../../core/byte_source.ts";
 * import { recordingContext } from "../../../core/recording_context.ts";
 * import { scanPickle } from "../scanner.ts";
 * // scanPickle runs this rule with the other pickle rules: the stream ends without STOP.
 * const { ctx, findings } = recordingContext("model.pkl");
 * await scanPickle(bytesSource(new TextEncoder().encode("cos\nsystem\n")), ctx);
 * assert.deepEqual(findings.map((f) => [f.rule, f.position]), [["MA100", 0], ["MA105", 11]]);
 * ```
 */
export function malformed(ctx: RuleContext): FactHandlers {
  let missingMemoReported = false;
  return {
    "missing-memo"({ op, key }) {
      if (missingMemoReported) return;
      missingMemoReported = true;
      ctx.report({
        rule: "MA105",
        message: `Pickle reads memo entry ${key ?? "(unreadable)"}, which was never stored`,
        position: op.pos,
        details: { reason: "memo key not found", position: op.pos },
      });
    },
    "stream-error"({ pos, reason }) {
      ctx.report({
        rule: "MA105",
        message: `Pickle stream is malformed at ${pos}: ${reason}`,
        position: pos,
        details: { reason, position: pos },
      });
    },
    end() {
      missingMemoReported = false;
    },
  };
}
