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
 * import { frameMismatch } from "./frame_mismatch.ts";
 * import type { RuleContext } from "./context.ts";
 * declare const ctx: RuleContext;
 * const handlers = frameMismatch(ctx);
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
