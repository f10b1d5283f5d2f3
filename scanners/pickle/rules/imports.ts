/**
 * The rules on what a pickle imports, in the order their findings come for one
 * import:
 * - MA104: the module or name is not a constant string (computed while loading),
 *   or a copyreg extension code, which names none;
 * - MA100: the policy denies the callable. `builtins.getattr` waits: a call
 *   `getattr(Class, "name")` is the import `Class.name` (an enum member), which the
 *   machine resolves and MA100 judges as such; getattr itself is reported when it
 *   is called any other way, or never called by the end of the pickle;
 * - MA102: the policy neither allows nor denies the callable, or the pickle reaches
 *   one through `getattr` on an import it allows;
 * - MA005: an import, or a string constant, matches a pattern of the user's
 *   `--blacklist`.
 *
 * @module
 */

import { latin1 } from "../disassembler.ts";
import type { FactHandlers } from "../facts.ts";
import type { GlobalValue } from "../machine.ts";
import { callDetails, qualified, type RuleContext, worsens } from "./context.ts";

/**
 * The MA104 rule over one stream's facts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../../core/byte_source.ts";
 * import { recordingContext } from "../../../core/recording_context.ts";
 * import { scanPickle } from "../scanner.ts";
 * // scanPickle runs this rule with the other pickle rules: STACK_GLOBAL of None and "system".
 * const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
 * const { ctx, findings } = recordingContext("model.pkl");
 * await scanPickle(bytesSource(latin1("\x80\x04N\x8c\x06system\x93.")), ctx);
 * assert.deepEqual(findings.map((f) => [f.rule, f.position]), [["MA104", 11]]);
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
