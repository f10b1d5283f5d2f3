/**
 * MA101 for object state: BUILD calling `__setstate__` of a denied class, a second
 * BUILD of one object (the first state can install the `__setstate__` the second
 * calls), BUILD or added items changing an imported object itself, and dict keys
 * that turn a state into code (`__setstate__`, scipy.stats' `_parse_arg_template`).
 *
 * @module
 */

import type { PickleOp } from "../disassembler.ts";
import type { FactHandlers } from "../facts.ts";
import { constantString, type GlobalValue, type Value } from "../machine.ts";
import { OP } from "../opcodes.ts";
import { callDetails, qualified, type RuleContext } from "./context.ts";

/**
 * The state key whose value `scipy.stats`' `rv_generic.__setstate__` execs (as the source of the
 * distribution's argument parsers).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../../core/byte_source.ts";
 * import { recordingContext } from "../../../core/recording_context.ts";
 * import { scanPickle } from "../scanner.ts";
 * import { EXECUTED_STATE_KEY } from "./object_state.ts";
 * assert.equal(EXECUTED_STATE_KEY, "_parse_arg_template");
 * // Source under that key that scipy.stats does not generate: rv_generic.__setstate__ would exec it.
 * const state = `(dS'${EXECUTED_STATE_KEY}'\nS'__import__("os").system("echo pwned")'\ns.`;
 * const { ctx, findings } = recordingContext("model.pkl");
 * await scanPickle(bytesSource(new TextEncoder().encode(state)), ctx);
 * assert.deepEqual(findings.map((f) => f.rule), ["MA101", "MA108"]);
 * ```
 */
export const EXECUTED_STATE_KEY = "_parse_arg_template";

/** A line of the argument parsers scipy.stats generates from shape names (`parse_arg_template`). */
const SCIPY_TEMPLATE_DEF = /^def _parse_args(?:_rvs|_stats)?\(self, [\w ,=']*\):$/;
const SCIPY_TEMPLATE_RETURN = /^ {4}return (?:self\._argcheck_rvs\()?([\w ,=()']*)$/;

/**
 * Whether `value` is source that scipy.stats itself would have generated for a distribution's
 * `_parse_arg_template`: `def _parse_args...(self, <names and defaults>):` and `return` lines of
 * names, with no call but `self._argcheck_rvs(`. `rv_generic.__setstate__` execs this attribute.
 */
function isScipyArgTemplate(value: Value | undefined): boolean {
  const text = value === undefined ? null : constantString(value);
  if (text === null) return false;
  return text.split("\n").every((line) => {
    if (line === "" || SCIPY_TEMPLATE_DEF.test(line)) return true;
    const tail = SCIPY_TEMPLATE_RETURN.exec(line)?.[1];
    return tail !== undefined && !/\w\s*\(|\)\s*\(/.test(tail);
  });
}

/**
 * The object-state rule (MA101) over one stream's facts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../../core/byte_source.ts";
 * import { recordingContext } from "../../../core/recording_context.ts";
 * import { scanPickle } from "../scanner.ts";
 * // scanPickle runs this rule with the other pickle rules: a "__setstate__" entry that BUILD would call.
 * const state = "cmypkg\nNet\n)R(dS'__setstate__'\ncos\nsystem\nsb.";
 * const { ctx, findings } = recordingContext("model.pkl");
 * await scanPickle(bytesSource(new TextEncoder().encode(state)), ctx);
 * assert.deepEqual(findings.map((f) => [f.rule, f.position]), [["MA102", 0], ["MA103", 12], ["MA100", 31], ["MA101", 42]]);
 * ```
 */
export function objectState(ctx: RuleContext): FactHandlers {
  /**
   * BUILD, APPEND(S), SETITEM(S) or ADDITEMS on what an import returned (a class, function, module or
   * module-level object) rather than on an object the pickle created: that monkeypatches shared state
   * (`sys.modules`, a class's `__setstate__`, a registry) for the whole process. Picklers never do it.
   */
  const mutatesImport = (op: PickleOp, global: GlobalValue) => {
    ctx.report({
      rule: "MA101",
      message: `Pickle modifies the imported ${qualified(global.module, global.name)} itself when loaded ` +
        `(${op.name}), changing it for everything that uses it`,
      position: op.pos,
      details: {
        ...callDetails(global, op),
        reason: "a pickle only fills objects it created; this one rewrites an imported one",
      },
    });
  };

  /** Dict keys that turn the dict into code once it is an object's state. `items` alternate keys and values. */
  const checkStateKeys = (items: Value[], op: PickleOp) => {
    for (let i = 0; i + 1 < items.length; i += 2) {
      const key = constantString(items[i]);
      if (key === "__setstate__") {
        ctx.report({
          rule: "MA101",
          message: `Pickle puts a "__setstate__" entry in a dict (${op.name}): as an object's state it ` +
            "installs a callable that BUILD then calls",
          position: op.pos,
          details: { ...callDetails(undefined, op), key },
        });
      } else if (key === EXECUTED_STATE_KEY && !isScipyArgTemplate(items[i + 1])) {
        ctx.report({
          rule: "MA101",
          message:
            `Pickle sets "_parse_arg_template" to source scipy.stats does not generate (${op.name}): ` +
            "rv_generic.__setstate__ execs it when the distribution is unpickled",
          position: op.pos,
          details: {
            module: "scipy.stats._distn_infrastructure",
            function: "rv_generic.__setstate__",
            position: op.pos,
            opcode: op.name,
            key,
          },
        });
      }
    }
  };

  return {
    build({ op, target, previous }) {
      const creator = target.kind === "call" ? target.callee : target;
      if (creator.kind === "global" && creator.resolved && creator.verdict?.tier === "denied") {
        ctx.report({
          rule: "MA101",
          message: `Pickle calls __setstate__ of ${creator.module}.${creator.name} when loaded (BUILD): ${
            creator.verdict.reason ?? "on the denylist"
          }`,
          position: op.pos,
          details: {
            ...callDetails(creator, op),
            reason: creator.verdict.reason,
            entry: creator.verdict.entry,
            category: creator.verdict.category,
          },
        });
      } else if (target.kind === "global") {
        mutatesImport(op, target);
      }
      if (previous === undefined) return;
      const built = creator.kind === "global" ? qualified(creator.module, creator.name) : "computed";
      ctx.report({
        rule: "MA101",
        message:
          `Pickle builds the same ${built} object a second time (BUILD): the first state can install ` +
          "the __setstate__ that the second one calls",
        position: op.pos,
        details: {
          ...callDetails(creator.kind === "global" ? creator : undefined, op),
          reason: "an object is built once; a second BUILD calls whatever the first one stored",
        },
      });
    },
    items({ op, target, items }) {
      if (op.code === OP.DICT || op.code === OP.SETITEM || op.code === OP.SETITEMS) checkStateKeys(items, op);
      if (target.kind === "global") mutatesImport(op, target);
    },
  };
}
