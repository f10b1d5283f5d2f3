/**
 * MA100: the pickle imports a callable the policy denies. `builtins.getattr` waits:
 * a call `getattr(Class, "name")` is the import `Class.name` (an enum member), which
 * the machine resolves and this rule judges as such; getattr itself is reported
 * when it is called any other way, or never called by the end of the pickle.
 *
 * @module
 */

import type { FactHandlers } from "../facts.ts";
import type { GlobalValue } from "../machine.ts";
import { type RuleContext, worsens } from "./context.ts";

/** getattr imports per pickle whose report waits for their calls; past it they are reported at once. */
export const MAX_DEFERRED_GETTERS = 1_024;

/**
 * The MA100 rule over one stream's facts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../../core/byte_source.ts";
 * import { recordingContext } from "../../../core/recording_context.ts";
 * import { scanPickle } from "../scanner.ts";
 * // scanPickle runs this rule with the other pickle rules; a denied import alone is MA100.
 * const { ctx, findings } = recordingContext("model.pkl");
 * await scanPickle(bytesSource(new TextEncoder().encode("cposix\nsystem\n.")), ctx);
 * assert.deepEqual(findings.map((f) => [f.rule, f.details?.module, f.details?.function]), [["MA100", "posix", "system"]]);
 * ```
 */
export function dangerousImport(ctx: RuleContext): FactHandlers {
  /** getattr imports not reported yet, in import order. */
  const deferred = new Set<GlobalValue>();
  /** Of those, the ones no call has used yet. */
  const uncalled = new Set<GlobalValue>();
  let deferredThisPickle = 0;

  const report = (global: GlobalValue) => {
    const verdict = global.verdict!;
    ctx.report({
      rule: "MA100",
      message: `Pickle imports ${global.module}.${global.name}: ${verdict.reason ?? "on the denylist"}`,
      position: global.pos,
      details: {
        module: global.module,
        function: global.name,
        position: global.pos,
        opcode: global.opcode,
        reason: verdict.reason,
        entry: verdict.entry,
        category: verdict.category,
      },
    });
  };
  const reportGetter = (getter: GlobalValue) => {
    if (!deferred.delete(getter)) return;
    uncalled.delete(getter);
    report(getter);
  };

  return {
    import({ global }) {
      if (global.verdict?.tier !== "denied") return;
      if (global.getter && deferredThisPickle < MAX_DEFERRED_GETTERS) {
        deferredThisPickle++;
        deferred.add(global);
        uncalled.add(global);
      } else {
        report(global);
      }
    },
    attribute({ getter, base, folded }) {
      uncalled.delete(getter);
      if (worsens(folded, base) === "denied") report(folded);
    },
    call({ callee }) {
      if (callee.kind === "global" && callee.getter) reportGetter(callee);
    },
    end() {
      for (const getter of uncalled) reportGetter(getter);
      deferred.clear();
      deferredThisPickle = 0;
    },
  };
}
