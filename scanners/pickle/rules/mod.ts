/**
 * The pickle rules: each turns the machine's facts into the findings of one rule,
 * and {@linkcode pickleRules} puts them together, in the order their findings come
 * for one fact (an import's MA104, MA100, MA102, MA005; a call's MA100 for a
 * getattr, MA101, MA103, nested payload, MA108). Rules that judge the same facts
 * share a module: a one-pickle scan loads every rule, and each module Deno loads
 * costs every scan's start (eight modules fewer: 0.4 to 0.6 ms, 80 interleaved runs).
 *
 * | module | rule |
 * |---|---|
 * | `imports.ts` | MA104, MA100, MA102, MA005 |
 * | `calls.ts` | MA101 (calls), MA103, MA101 (loader payloads) and nested scans |
 * | `object_state.ts` | MA101 (BUILD, state keys, changed imports) |
 * | `embedded_strings.ts` | MA107, MA108, MA111 |
 * | `stream.ts` | MA109, MA110, MA105, MA106 |
 *
 * @module
 */

import type { FactHandlers } from "../facts.ts";
import { blacklist, dangerousImport, unknownImport, unresolvedImport } from "./imports.ts";
import { dangerousCall, nestedLoader, unknownCall } from "./calls.ts";
import { expansionBomb, frameMismatch, malformed, resourceLimit } from "./stream.ts";
import type { RuleContext } from "./context.ts";
import { embeddedStrings } from "./embedded_strings.ts";
import { objectState } from "./object_state.ts";

export type { NestedPayloads, RuleContext } from "./context.ts";

/**
 * Every pickle rule, fresh for one stream (some keep state until their pickle ends).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordingContext } from "../../../core/recording_context.ts";
 * import { Disassembler } from "../disassembler.ts";
 * import { factDispatcher } from "../facts.ts";
 * import { PickleMachine } from "../machine.ts";
 * import { DEFAULT_PICKLE_OPTIONS } from "../../option_catalog.ts";
 * import { pickleRules, type RuleContext } from "./mod.ts";
 * const { ctx, findings } = recordingContext("model.pkl");
 * const payloads = { payload() {}, decoded() {} }; // nested payloads: ignored here
 * const rules: RuleContext = { ...ctx, payloads, limits: DEFAULT_PICKLE_OPTIONS };
 * const machine = new PickleMachine({ fact: factDispatcher(pickleRules(rules)) });
 * const dis = Disassembler.fromBytes(new TextEncoder().encode("cos\nsystem\n(S'echo pwned'\ntR."));
 * for (let op = dis.next(); op; op = dis.next()) machine.step(op);
 * assert.deepEqual(findings.map((f) => [f.rule, f.position]), [["MA100", 0], ["MA101", 27]]);
 * ```
 */
export function pickleRules(ctx: RuleContext): FactHandlers[] {
  return [
    unresolvedImport(ctx),
    dangerousImport(ctx),
    unknownImport(ctx),
    blacklist(ctx),
    dangerousCall(ctx),
    unknownCall(ctx),
    nestedLoader(ctx),
    objectState(ctx),
    embeddedStrings(ctx),
    expansionBomb(ctx),
    resourceLimit(ctx),
    malformed(ctx),
    frameMismatch(ctx),
  ];
}
