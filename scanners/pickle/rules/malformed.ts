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
 * import { malformed } from "./malformed.ts";
 * import type { RuleContext } from "./context.ts";
 * declare const ctx: RuleContext;
 * const handlers = malformed(ctx);
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
