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
 * import { unresolvedImport } from "./unresolved_import.ts";
 * import type { RuleContext } from "./context.ts";
 * declare const ctx: RuleContext;
 * const handlers = unresolvedImport(ctx);
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
