/**
 * What the pickle rules report to, and the helpers their findings share. Each rule
 * module turns the machine's facts (`../facts.ts`) into findings of one rule id;
 * `mod.ts` puts them together in a fixed order.
 *
 * @module
 */

import type { ScanContext } from "../../../core/scanner.ts";
import type { PickleOp } from "../disassembler.ts";
import type { CallValue, GlobalValue, TextValue } from "../machine.ts";
import type { CallableTier as ImportTier } from "../../../policy/callables.ts";
import type { PickleOptions } from "../../option_catalog.ts";

/** Where the nested content a rule finds goes: the payload checker of the stream. */
export interface NestedPayloads {
  /** The constant first argument of a nested loader: scanned in earnest. */
  payload(value: TextValue, call: CallValue): void;
  /** A pickle decoded from a string constant: scanned opportunistically as `label`. */
  decoded(bytes: Uint8Array, label: string): void;
}

/** What a pickle rule reports to and asks. */
export interface RuleContext extends Pick<ScanContext, "report" | "matchBlacklist" | "policy"> {
  /** Where nested payloads go. */
  payloads: NestedPayloads;
  /** The scan's pickle options (the bounds on inspecting string constants). */
  limits: Readonly<PickleOptions>;
}

/**
 * `module.name` of an import, `<unresolved>` for a part that is not a constant string.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { qualified } from "./context.ts";
 * assert.equal(qualified("os", null), "os.<unresolved>");
 * ```
 */
export function qualified(module: string | null, name: string | null): string {
  return `${module ?? "<unresolved>"}.${name ?? "<unresolved>"}`;
}

/**
 * The details every import and call finding carries: what is imported or called, where, by which opcode.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Disassembler } from "../disassembler.ts";
 * import { callDetails } from "./context.ts";
 * const op = Disassembler.fromBytes(new TextEncoder().encode("R")).next()!;
 * assert.deepEqual(callDetails(undefined, op), { module: null, function: "<computed>", position: 0, opcode: "REDUCE" });
 * ```
 */
export function callDetails(
  global: GlobalValue | undefined,
  op: PickleOp,
): { module: string | null; function: string | null; position: number; opcode: string } {
  return {
    module: global === undefined ? null : global.module,
    function: global === undefined ? "<computed>" : global.name,
    position: op.pos,
    opcode: op.name,
  };
}

/** Severity order of the import tiers, for "worse than". */
const TIER_RANK: Readonly<Record<ImportTier, number>> = { safe: 0, unknown: 1, denied: 2 };

/**
 * The tier of `folded` (what `getattr(base, "attr")` resolved to) where it is worse than
 * `base`'s, which was reported at its own import: an enum member of an unknown enum warns once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Disassembler } from "../disassembler.ts";
 * import type { AttributeFact } from "../facts.ts";
 * import { PickleMachine, quietHooks } from "../machine.ts";
 * import { worsens } from "./context.ts";
 * const attributes = (text: string) => {
 *   const found: AttributeFact[] = [];
 *   const machine = new PickleMachine(quietHooks({ fact: (fact) => fact.kind === "attribute" && found.push(fact) }));
 *   const dis = Disassembler.fromBytes(new TextEncoder().encode(text));
 *   for (let op = dis.next(); op; op = dis.next()) machine.step(op);
 *   return found.map(({ folded, base }) => worsens(folded, base));
 * };
 * // getattr(collections.OrderedDict, "__class__"): a safe class, a denied attribute
 * assert.deepEqual(attributes("cbuiltins\ngetattr\n(ccollections\nOrderedDict\nS'__class__'\ntR."), ["denied"]);
 * // getattr(mypkg.Mode, "A"): an unknown enum's member is no worse than the enum
 * assert.deepEqual(attributes("cbuiltins\ngetattr\n(cmypkg\nMode\nS'A'\ntR."), [undefined]);
 * ```
 */
export function worsens(folded: GlobalValue, base: GlobalValue): ImportTier | undefined {
  const tier = folded.verdict!.tier;
  return TIER_RANK[tier] > TIER_RANK[base.verdict!.tier] ? tier : undefined;
}
