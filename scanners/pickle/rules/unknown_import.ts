/**
 * MA102: the pickle imports a callable the policy neither allows nor denies, or
 * reaches one through `getattr` on an import it allows.
 *
 * @module
 */

import type { FactHandlers } from "../facts.ts";
import { callDetails, type RuleContext, worsens } from "./context.ts";

/**
 * The MA102 rule over one stream's facts.
 *
 * @example
 * ```ts
 * import { unknownImport } from "./unknown_import.ts";
 * import type { RuleContext } from "./context.ts";
 * declare const ctx: RuleContext;
 * const handlers = unknownImport(ctx);
 * ```
 */
export function unknownImport(ctx: RuleContext): FactHandlers {
  return {
    import({ op, global }) {
      if (global.verdict?.tier !== "unknown") return;
      ctx.report({
        rule: "MA102",
        message: `Pickle imports unknown callable ${global.module}.${global.name}`,
        position: op.pos,
        details: callDetails(global, op),
      });
    },
    attribute({ op, base, folded }) {
      if (worsens(folded, base) !== "unknown") return;
      ctx.report({
        rule: "MA102",
        message: `Pickle reaches unknown callable ${folded.module}.${folded.name} through getattr`,
        position: op.pos,
        details: callDetails(folded, op),
      });
    },
  };
}
