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
 * import assert from "node:assert/strict";
 * import { Disassembler } from "../disassembler.ts";
 * import type { CallFact } from "../facts.ts";
 * import { PickleMachine, quietHooks } from "../machine.ts";
 * import { condemnsCall } from "./dangerous_call.ts";
 * const calls = (text: string) => {
 *   const found: CallFact[] = [];
 *   const machine = new PickleMachine(quietHooks({ fact: (fact) => fact.kind === "call" && found.push(fact) }));
 *   const dis = Disassembler.fromBytes(new TextEncoder().encode(text));
 *   for (let op = dis.next(); op; op = dis.next()) machine.step(op);
 *   return found;
 * };
 * assert.deepEqual(calls("cos\nsystem\n(S'echo pwned'\ntR.").map(condemnsCall), [true]);
 * assert.deepEqual(calls("cmypkg\nrun\n(tR.").map(condemnsCall), [false]); // an unknown call: MA103
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
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../../core/byte_source.ts";
 * import { recordingContext } from "../../../core/recording_context.ts";
 * import { scanPickle } from "../scanner.ts";
 * // scanPickle runs this rule with the other pickle rules: MA100 for the import, MA101 for the call.
 * const { ctx, findings } = recordingContext("model.pkl");
 * await scanPickle(bytesSource(new TextEncoder().encode("cos\nsystem\n(S'echo pwned'\ntR.")), ctx);
 * assert.deepEqual(findings.map((f) => [f.rule, f.position]), [["MA100", 0], ["MA101", 27]]);
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
