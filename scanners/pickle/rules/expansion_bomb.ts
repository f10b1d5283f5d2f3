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
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../../core/byte_source.ts";
 * import { recordingContext } from "../../../core/recording_context.ts";
 * import { scanPickle } from "../scanner.ts";
 * // scanPickle runs this rule with the other pickle rules. Ten lists of ten references each to the
 * // one before: a "billion laughs" that expands to more than 2^30 objects.
 * let laughs = "(lp0\n";
 * for (let k = 1; k <= 9; k++) laughs += `(${`g${k - 1}\n`.repeat(10)}lp${k}\n`;
 * const { ctx, findings } = recordingContext("model.pkl");
 * await scanPickle(bytesSource(new TextEncoder().encode(laughs + ".")), ctx);
 * assert.deepEqual(findings.map((f) => f.rule), ["MA109"]);
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
