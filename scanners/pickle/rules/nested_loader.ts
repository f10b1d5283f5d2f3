/**
 * Nested loaders (`pickle.loads`, `torch.storage._load_from_bytes` and the like):
 * the constant payload a pickle hands one is scanned in earnest as the pickle it
 * is; a payload that cannot be inspected (computed while loading, or handed over
 * past a limit) is MA101, for a loader the policy otherwise allows too.
 *
 * @module
 */

import type { FactHandlers } from "../facts.ts";
import { constantBytes } from "../machine.ts";
import { callDetails, type RuleContext } from "./context.ts";

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
