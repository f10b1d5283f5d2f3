/**
 * MA101 for calls: the pickle calls a denied callable, calls anything with a
 * denied import among its arguments, or calls a callable computed from one.
 *
 * @module
 */

import type { CallFact, FactHandlers } from "../facts.ts";
import { callDetails, type RuleContext } from "./context.ts";

/**
 * Whether MA101 condemns the call: then it is not also an unknown call (MA103).
 *
 * @example
 * ```ts
 * import { condemnsCall } from "./dangerous_call.ts";
 * import type { CallFact } from "../facts.ts";
 * declare const fact: CallFact;
 * condemnsCall(fact); // true for os.system(...)
 * ```
 */
export function condemnsCall({ callee, args, kwargs }: CallFact): boolean {
  const argsDanger = args.danger ?? kwargs?.danger;
  if (callee.kind === "global" && callee.resolved) {
    return callee.verdict!.tier === "denied" || argsDanger !== undefined;
  }
  return (callee.danger ?? argsDanger) !== undefined;
}

/**
 * The MA101 rule for calls over one stream's facts.
 *
 * @example
 * ```ts
 * import { dangerousCall } from "./dangerous_call.ts";
 * import type { RuleContext } from "./context.ts";
 * declare const ctx: RuleContext;
 * const handlers = dangerousCall(ctx);
 * ```
 */
export function dangerousCall(ctx: RuleContext): FactHandlers {
  return {
    call({ op, callee, args, kwargs }) {
      const argsDanger = args.danger ?? kwargs?.danger;
      if (callee.kind === "global" && callee.resolved) {
        const target = `${callee.module}.${callee.name}`;
        const verdict = callee.verdict!;
        const details = callDetails(callee, op);
        if (verdict.tier === "denied") {
          ctx.report({
            rule: "MA101",
            message: `Pickle calls ${target} when loaded (${op.name}): ${
              verdict.reason ?? "on the denylist"
            }`,
            position: op.pos,
            details: { ...details, reason: verdict.reason, entry: verdict.entry, category: verdict.category },
          });
        } else if (argsDanger !== undefined) {
          ctx.report({
            rule: "MA101",
            message: `Pickle calls ${target} with ${argsDanger} among its arguments when loaded (${op.name})`,
            position: op.pos,
            details: { ...details, argument: argsDanger },
          });
        }
        return;
      }
      const danger = callee.danger ?? argsDanger;
      if (danger === undefined) return;
      ctx.report({
        rule: "MA101",
        message: `Pickle calls a computed callable built from ${danger} when loaded (${op.name})`,
        position: op.pos,
        details: { ...callDetails(undefined, op), involves: danger },
      });
    },
  };
}
