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
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../../core/byte_source.ts";
 * import { recordingContext } from "../../../core/recording_context.ts";
 * import { scanPickle } from "../scanner.ts";
 * // scanPickle runs this rule with the other pickle rules: a name the policy does not know is MA102.
 * const { ctx, findings } = recordingContext("model.pkl");
 * await scanPickle(bytesSource(new TextEncoder().encode("cmypkg.models\nNet\n.")), ctx);
 * assert.deepEqual(findings.map((f) => [f.rule, f.details?.module, f.details?.function]), [["MA102", "mypkg.models", "Net"]]);
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
