/**
 * MA103: the pickle calls a callable the policy does not know, or one computed
 * while loading, when nothing dangerous is involved (that is MA101).
 *
 * @module
 */

import type { FactHandlers } from "../facts.ts";
import { callDetails, type RuleContext } from "./context.ts";
import { condemnsCall } from "./dangerous_call.ts";

/**
 * The MA103 rule over one stream's facts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../../core/byte_source.ts";
 * import { recordingContext } from "../../../core/recording_context.ts";
 * import { scanPickle } from "../scanner.ts";
 * // scanPickle runs this rule with the other pickle rules: a call of an unknown callable is MA103.
 * const { ctx, findings } = recordingContext("model.pkl");
 * await scanPickle(bytesSource(new TextEncoder().encode("cmypkg\nrun\n(tR.")), ctx);
 * assert.deepEqual(findings.map((f) => [f.rule, f.position]), [["MA102", 0], ["MA103", 13]]);
 * ```
 */
export function unknownCall(ctx: RuleContext): FactHandlers {
  return {
    call(fact) {
      const { op, callee } = fact;
      if (condemnsCall(fact)) return;
      if (callee.kind === "global" && callee.resolved) {
        if (callee.verdict!.tier !== "unknown") return;
        ctx.report({
          rule: "MA103",
          message: `Pickle calls unknown callable ${callee.module}.${callee.name} when loaded (${op.name})`,
          position: op.pos,
          details: callDetails(callee, op),
        });
      } else {
        ctx.report({
          rule: "MA103",
          message: `Pickle calls a callable computed while loading (${op.name}); what it calls is not known`,
          position: op.pos,
          details: callDetails(undefined, op),
        });
      }
    },
  };
}
