/**
 * The rules on what a pickle calls:
 * - MA101: it calls a denied callable, calls anything with a denied import among
 *   its arguments, or calls a callable computed from one;
 * - MA103: it calls a callable the policy does not know, or one computed while
 *   loading, when nothing dangerous is involved (that is MA101);
 * - nested loaders (`pickle.loads`, `torch.storage._load_from_bytes` and the
 *   like): the constant payload a pickle hands one is scanned in earnest as the
 *   pickle it is; a payload that cannot be inspected (computed while loading, or
 *   handed over past a limit) is MA101, for a loader the policy otherwise allows too.
 *
 * @module
 */

import type { CallFact, FactHandlers } from "../facts.ts";
import { constantBytes } from "../machine.ts";
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
 * import { condemnsCall } from "./calls.ts";
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

/**
 * The MA103 rule over one stream's facts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../../core/byte_source.ts";
 * import { recordingContext } from "../../../core/recording_context.ts";
 * import { scanPickle } from "../scanner.ts";
 * // scanPickle runs this rule with the other pickle rules: a call of an unknown callable is MA103.
 * const { ctx, findings } = recordingContext("model.pkl");
 * await scanPickle(bytesSource(new TextEncoder().encode("cmypkg\nrun\n(tR.")), ctx);
 * assert.deepEqual(findings.map((f) => [f.rule, f.position]), [["MA102", 0], ["MA103", 13]]);
 * ```
 */
export function unknownCall(ctx: RuleContext): FactHandlers {
  return {
    call(fact) {
      const { op, callee } = fact;
      if (condemnsCall(fact)) return;
      if (callee.kind === "global" && callee.resolved) {
        if (callee.verdict!.tier !== "unknown") return;
        ctx.report({
          rule: "MA103",
          message: `Pickle calls unknown callable ${callee.module}.${callee.name} when loaded (${op.name})`,
          position: op.pos,
          details: callDetails(callee, op),
        });
      } else {
        ctx.report({
          rule: "MA103",
          message: `Pickle calls a callable computed while loading (${op.name}); what it calls is not known`,
          position: op.pos,
          details: callDetails(undefined, op),
        });
      }
    },
  };
}

/**
 * The nested-loader rule over one stream's facts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../../core/byte_source.ts";
 * import { recordingContext } from "../../../core/recording_context.ts";
 * import { scanPickle } from "../scanner.ts";
 * // scanPickle runs this rule with the other pickle rules: pickle.loads of a constant is MA101,
 * // and the constant is scanned as a payload (here, the context only lists it).
 * const inner = String.raw`cos\nsystem\n(S\'echo pwned\'\ntR.`;
 * const { ctx, findings, nested } = recordingContext("model.pkl");
 * await scanPickle(bytesSource(new TextEncoder().encode(`c_pickle\nloads\n(S'${inner}'\ntR.`)), ctx);
 * assert.deepEqual(findings.map((f) => [f.rule, f.position]), [["MA100", 0], ["MA101", 55]]);
 * assert.deepEqual(nested, ["<payload@18>"]);
 * ```
 */
export function nestedLoader(ctx: RuleContext): FactHandlers {
  return {
    import({ op, global, sweeping }) {
      // Past a limit its call is no longer tracked, so neither is the payload it unpickles.
      if (!sweeping || !global.loader || global.verdict?.tier === "denied") return;
      ctx.report({
        rule: "MA101",
        message: `Pickle imports the loader ${global.module}.${global.name} past a limit, where what it ` +
          "is given to unpickle is no longer tracked",
        position: op.pos,
        details: {
          ...callDetails(global, op),
          reason: "the payload of a loader called past a limit cannot be inspected",
        },
      });
    },
    call({ op, callee, args, result }) {
      if (callee.kind !== "global" || !callee.loader) return;
      const payload = constantBytes(args.items[0]);
      if (payload !== undefined) ctx.payloads.payload(payload, result);
      else if (callee.verdict!.tier !== "denied") {
        // A denied loader is MA101 already; a safe one (torch's _load_from_bytes) unpickles what it is given.
        ctx.report({
          rule: "MA101",
          message:
            `Pickle calls ${callee.module}.${callee.name} (${op.name}) on a payload computed while loading, ` +
            "which it unpickles unseen",
          position: op.pos,
          details: {
            ...callDetails(callee, op),
            reason: "the payload is not a constant that can be inspected",
          },
        });
      }
    },
  };
}
