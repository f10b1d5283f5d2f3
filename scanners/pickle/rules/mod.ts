/**
 * The pickle rules: each module turns the machine's facts into the findings of
 * one rule, and {@linkcode pickleRules} puts them together, in the order their
 * findings come for one fact (an import's MA104, MA100, MA102, MA005; a call's
 * MA100 for a getattr, MA101, MA103, nested payload, MA108).
 *
 * | module | rule |
 * |---|---|
 * | `unresolved_import.ts` | MA104 |
 * | `dangerous_import.ts` | MA100 |
 * | `unknown_import.ts` | MA102 |
 * | `blacklist.ts` | MA005 |
 * | `dangerous_call.ts` | MA101 (calls) |
 * | `unknown_call.ts` | MA103 |
 * | `nested_loader.ts` | MA101 (loader payloads), nested scans |
 * | `object_state.ts` | MA101 (BUILD, state keys, changed imports) |
 * | `embedded_strings.ts` | MA107, MA108, MA111 |
 * | `expansion_bomb.ts` | MA109 |
 * | `resource_limit.ts` | MA110 |
 * | `malformed.ts` | MA105 |
 * | `frame_mismatch.ts` | MA106 |
 *
 * @module
 */

import type { FactHandlers } from "../facts.ts";
import { blacklist } from "./blacklist.ts";
import type { RuleContext } from "./context.ts";
import { dangerousCall } from "./dangerous_call.ts";
import { dangerousImport } from "./dangerous_import.ts";
import { embeddedStrings } from "./embedded_strings.ts";
import { expansionBomb } from "./expansion_bomb.ts";
import { frameMismatch } from "./frame_mismatch.ts";
import { malformed } from "./malformed.ts";
import { nestedLoader } from "./nested_loader.ts";
import { objectState } from "./object_state.ts";
import { resourceLimit } from "./resource_limit.ts";
import { unknownCall } from "./unknown_call.ts";
import { unknownImport } from "./unknown_import.ts";
import { unresolvedImport } from "./unresolved_import.ts";

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
