/**
 * MA005 in pickles: an import, or a string constant, matches a pattern of the
 * user's `--blacklist`.
 *
 * @module
 */

import { latin1 } from "../disassembler.ts";
import type { FactHandlers } from "../facts.ts";
import { callDetails, type RuleContext } from "./context.ts";

/**
 * The MA005 rule over one stream's facts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../../core/byte_source.ts";
 * import { recordingContext } from "../../../core/recording_context.ts";
 * import { scanPickle } from "../scanner.ts";
 * // scanPickle runs this rule with the other pickle rules; `--blacklist evil` flags the string.
 * const { ctx, findings } = recordingContext("model.pkl", ["evil"]);
 * await scanPickle(bytesSource(new TextEncoder().encode("S'evil payload'\n.")), ctx);
 * assert.deepEqual(findings.map((f) => [f.rule, f.position]), [["MA005", 0]]);
 * ```
 */
export function blacklist(ctx: RuleContext): FactHandlers {
  return {
    import({ op, global }) {
      if (!global.resolved) return;
      const path = `${global.module}.${global.name}`;
      const pattern = ctx.matchBlacklist(path);
      if (pattern === undefined) return;
      ctx.report({
        rule: "MA005",
        message: `Pickle imports ${path}, which matches the blacklist pattern "${pattern}"`,
        position: op.pos,
        details: { ...callDetails(global, op), pattern },
      });
    },
    text({ value }) {
      const content = value.value;
      if (content === undefined || content.length === 0) return;
      const pattern = ctx.matchBlacklist(typeof content === "string" ? content : latin1(content));
      if (pattern === undefined) return;
      ctx.report({
        rule: "MA005",
        message: `A string in the pickle matches the blacklist pattern "${pattern}"`,
        position: value.pos,
        details: { pattern, position: value.pos },
      });
    },
  };
}
