/**
 * MA110: the pickle reaches one of the machine's limits (opcodes, memo entries,
 * stack depth, MARK nesting); past it the machine tracks less, which the message says.
 *
 * @module
 */

import type { FactHandlers, LimitFact } from "../facts.ts";
import type { RuleContext } from "./context.ts";

/**
 * Each limit's name in findings (`details.limit`, stable since the limits were constants), the
 * option that sets it (`details.option`) and what reaching it means.
 */
const LIMITS: Record<LimitFact["limit"], { name: string; option: string; says: (max: number) => string }> = {
  opcodes: {
    name: "MAX_PICKLE_OPCODES",
    option: "pickle.maxOpcodes",
    says: (max) => `Pickle has more than ${max} opcodes; past it only imports were checked`,
  },
  memoEntries: {
    name: "MAX_MEMO_ENTRIES",
    option: "pickle.maxMemoEntries",
    says: (max) => `Pickle stores more than ${max} memo entries; later ones are not tracked`,
  },
  stackDepth: {
    name: "MAX_STACK_DEPTH",
    option: "pickle.maxStackDepth",
    says: (max) => `Pickle stack grows past ${max} values; past it only imports were checked`,
  },
  markDepth: {
    name: "MAX_MARK_DEPTH",
    option: "pickle.maxMarkDepth",
    says: (max) => `Pickle opens more than ${max} nested MARKs; past it only imports were checked`,
  },
};

/**
 * The MA110 rule over one stream's facts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../../core/byte_source.ts";
 * import { recordingContext } from "../../../core/recording_context.ts";
 * import { scanPickle } from "../scanner.ts";
 * // scanPickle runs this rule with the other pickle rules: 10,001 nested MARKs pass the mark limit.
 * const { ctx, findings } = recordingContext("model.pkl");
 * await scanPickle(bytesSource(new TextEncoder().encode("(".repeat(10_001) + ".")), ctx);
 * assert.deepEqual(findings.map((f) => [f.rule, f.position]), [["MA110", 10_000]]);
 * ```
 */
export function resourceLimit(ctx: RuleContext): FactHandlers {
  return {
    limit({ limit, max, pos }) {
      const { name, option, says } = LIMITS[limit];
      ctx.report({
        rule: "MA110",
        message: says(max),
        position: pos,
        details: { limit: name, option, max, position: pos },
      });
    },
  };
}
