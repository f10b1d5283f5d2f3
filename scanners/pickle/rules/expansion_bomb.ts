/**
 * MA109: repeated references make the pickle expand past the machine's limit of
 * objects (a "billion laughs"); the machine tells of the first such value.
 *
 * @module
 */

import type { FactHandlers } from "../facts.ts";
import type { RuleContext } from "./context.ts";

/**
 * The MA109 rule over one stream's facts.
 *
 * @example
 * ```ts
 * import { expansionBomb } from "./expansion_bomb.ts";
 * import type { RuleContext } from "./context.ts";
 * declare const ctx: RuleContext;
 * const handlers = expansionBomb(ctx);
 * ```
 */
export function expansionBomb(ctx: RuleContext): FactHandlers {
  return {
    expansion({ op, max }) {
      ctx.report({
        rule: "MA109",
        message: `Pickle expands to more than ${max} objects through repeated references`,
        position: op.pos,
        details: { limit: "MAX_EXPANDED_SIZE", option: "pickle.maxExpandedSize", max, position: op.pos },
      });
    },
  };
}
