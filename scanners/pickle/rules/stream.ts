/**
 * The rules on the stream itself rather than on what it imports or calls:
 * - MA109: repeated references make the pickle expand past the machine's limit of
 *   objects (a "billion laughs"); the machine tells of the first such value;
 * - MA110: the pickle reaches one of the machine's limits (opcodes, memo entries,
 *   stack depth, MARK nesting); past it the machine tracks less, which the message says;
 * - MA105: the stream breaks, ends without STOP, or reads a memo entry it never
 *   stored (once per pickle);
 * - MA106: a FRAME's declared length disagrees with its opcodes, so scanners and
 *   loaders may see different opcodes.
 *
 * @module
 */

import type { FactHandlers, LimitFact } from "../facts.ts";
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

/**
 * The MA106 rule over one stream's facts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../../core/byte_source.ts";
 * import { recordingContext } from "../../../core/recording_context.ts";
 * import { scanPickle } from "../scanner.ts";
 * // scanPickle runs this rule with the other pickle rules: the FRAME claims 5 bytes, 2 follow.
 * const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
 * const { ctx, findings } = recordingContext("model.pkl");
 * await scanPickle(bytesSource(latin1("\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00N.")), ctx);
 * assert.deepEqual(findings.map((f) => [f.rule, f.position]), [["MA106", 2]]);
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
