/**
 * What string constants hide ({@linkcode inspectEmbedded}): a pickle encoded as
 * base64 or hex (MA107, and the decoded pickle is scanned), and Python source
 * that calls dangerous functions. Source is code only when the pickle hands it
 * to something that evaluates or loads it: a call or BUILD of anything but a
 * callable the policy allows (`eval`, `exec`, `compile` and `runpy` are denied,
 * unknown and computed callables may do anything) or of a nested loader, or the
 * state key scipy.stats execs (`_parse_arg_template`). Such a
 * string is MA108 (critical); one nothing evaluates by the end of its pickle is
 * text, MA111 (info). Past a limit, where the machine no longer tracks calls,
 * source counts as evaluated.
 *
 * The machine labels every value that holds a source string (`ValueBase.code`), so a call sees at once whether one is among its
 * arguments, however deep or far past the items a container keeps; the strings
 * themselves are then found by a bounded walk, the labelled one always.
 *
 * @module
 */

import type { PickleOp } from "../disassembler.ts";
import { type EmbeddedFinding, inspectEmbedded } from "../embedded.ts";
import type { FactHandlers } from "../facts.ts";
import { constantString, type TextValue, type Value } from "../machine.ts";
import { OP } from "../opcodes.ts";
import { qualified, type RuleContext } from "./context.ts";
import { EXECUTED_STATE_KEY } from "./object_state.ts";

/** Values visited per call to find the source strings among its arguments; the labelled one is found regardless. */
export const MAX_WALKED_VALUES = 4_096;

/** Source found in a string, waiting to learn whether anything evaluates it. */
interface Source {
  value: TextValue;
  found: EmbeddedFinding[];
}

/** Who receives a source string: a call or BUILD, or nobody known past a limit. */
interface Receiver {
  /** What evaluates it, for the message: `builtins.eval`, `__setstate__ of x.Y`, ... */
  what: string;
  op: PickleOp;
}

/**
 * Whether calling `callee` (or its `__setstate__`) may evaluate or load a string: anything
 * but a callable the policy allows, and nested loaders among those. A str, bytes, number or
 * container is not callable (the load fails there).
 */
function evaluates(callee: Value): boolean {
  switch (callee.kind) {
    case "global":
      return !callee.resolved || callee.verdict!.tier !== "safe" || callee.loader;
    case "call":
    case "persid":
    case "unknown":
      return true;
    default:
      return false;
  }
}

/** The source strings labelled in `roots`, visiting at most {@linkcode MAX_WALKED_VALUES} labelled values. */
function labelledStrings(roots: (Value | undefined)[]): Set<TextValue> {
  const found = new Set<TextValue>();
  const seen = new Set<Value>();
  const work: Value[] = [];
  for (const root of roots) {
    if (root?.code === undefined) continue;
    found.add(root.code);
    work.push(root);
  }
  while (work.length > 0 && seen.size < MAX_WALKED_VALUES) {
    const value = work.pop()!;
    if (seen.has(value)) continue;
    seen.add(value);
    const next = (child: Value | undefined) => {
      if (child?.code !== undefined && !seen.has(child)) work.push(child);
    };
    switch (value.kind) {
      case "str":
      case "bytes":
        if (value.code === value) found.add(value);
        break;
      case "list":
      case "tuple":
      case "dict":
      case "set":
      case "frozenset":
        for (const item of value.items) next(item);
        break;
      case "call":
        next(value.args);
        next(value.state);
        break;
      case "persid":
        next(value.pid);
        break;
    }
  }
  return found;
}

function describe(found: EmbeddedFinding): { calls: string[]; how: string } {
  return { calls: found.calls ?? [], how: found.encoding === "plain" ? "" : ` (${found.encoding}-encoded)` };
}

/**
 * The embedded-strings rules (MA107, MA108, MA111) over one stream's facts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../../core/byte_source.ts";
 * import { recordingContext } from "../../../core/recording_context.ts";
 * import { scanPickle } from "../scanner.ts";
 * // scanPickle runs this rule with the other pickle rules: source handed to exec is MA108.
 * const exec = `cbuiltins\nexec\n(S'import os; os.system("echo pwned")'\ntR.`;
 * const { ctx, findings } = recordingContext("model.pkl");
 * await scanPickle(bytesSource(new TextEncoder().encode(exec)), ctx);
 * assert.deepEqual(findings.map((f) => [f.rule, f.position]), [["MA100", 0], ["MA101", 55], ["MA108", 16]]);
 * // Source text that nothing evaluates is only MA111 (info).
 * const data = recordingContext("data.pkl");
 * await scanPickle(bytesSource(new TextEncoder().encode(`S'import os; os.system("echo pwned")'\n.`)), data.ctx);
 * assert.deepEqual(data.findings.map((f) => f.rule), ["MA111"]);
 * ```
 */
export function embeddedStrings(ctx: RuleContext): FactHandlers {
  /** Source strings of this pickle nothing has evaluated yet, in order. */
  const pending = new Map<TextValue, Source>();

  const evaluated = (source: Source, receiver: Receiver | undefined) => {
    pending.delete(source.value);
    const { value } = source;
    for (const found of source.found) {
      const { calls, how } = describe(found);
      const handed = receiver === undefined
        ? ", past a limit where what evaluates it is no longer tracked"
        : `, which the pickle hands to ${receiver.what} (${receiver.op.name} at ${receiver.op.pos})`;
      ctx.report({
        rule: "MA108",
        message: `A string in the pickle is Python source calling ${calls.join(", ")}${how}${handed}`,
        position: value.pos,
        details: {
          encoding: found.encoding,
          calls,
          position: value.pos,
          evaluatedBy: receiver?.what ?? null,
          evaluatedAt: receiver?.op.pos ?? null,
        },
      });
    }
  };

  const handOver = (roots: (Value | undefined)[], receiver: Receiver) => {
    if (pending.size === 0) return;
    for (const value of labelledStrings(roots)) {
      const source = pending.get(value);
      if (source !== undefined) evaluated(source, receiver);
    }
  };

  return {
    text({ value, sweeping }) {
      const content = value.value;
      if (content === undefined || content.length === 0) return;
      const code: EmbeddedFinding[] = [];
      for (const found of inspectEmbedded(content, ctx.policy, ctx.limits)) {
        if (found.kind === "code") {
          code.push(found);
        } else if (found.encoding !== "plain" && found.decoded !== undefined) {
          ctx.report({
            rule: "MA107",
            message: `A string in the pickle is a ${found.encoding}-encoded pickle`,
            position: value.pos,
            details: { encoding: found.encoding, position: value.pos },
          });
          ctx.payloads.decoded(found.decoded, `<${found.encoding}@${value.pos}>`);
        }
      }
      if (code.length === 0) return;
      const source = { value, found: code };
      if (sweeping) {
        evaluated(source, undefined);
      } else {
        value.code = value;
        pending.set(value, source);
      }
    },
    call({ op, callee, args, kwargs }) {
      if (args.code === undefined && kwargs?.code === undefined) return;
      if (!evaluates(callee)) return;
      const what = callee.kind === "global"
        ? qualified(callee.module, callee.name)
        : "a callable computed while loading";
      handOver([args, kwargs], { what, op });
    },
    build({ op, target, state }) {
      if (state.code === undefined) return;
      const creator = target.kind === "call" ? target.callee : target;
      if (!evaluates(creator)) return;
      const of = creator.kind === "global"
        ? qualified(creator.module, creator.name)
        : "an object computed while loading";
      handOver([state], { what: `__setstate__ of ${of}`, op });
    },
    items({ op, items }) {
      if (pending.size === 0 || (op.code !== OP.DICT && op.code !== OP.SETITEM && op.code !== OP.SETITEMS)) {
        return;
      }
      for (let i = 0; i + 1 < items.length; i += 2) {
        if (items[i + 1].code !== undefined && constantString(items[i]) === EXECUTED_STATE_KEY) {
          handOver([items[i + 1]], { what: "the exec of scipy.stats' rv_generic.__setstate__", op });
        }
      }
    },
    limit({ limit }) {
      // Past this limit calls are not tracked: what was pushed before may still be evaluated.
      if (limit === "memoEntries") return;
      for (const source of [...pending.values()]) evaluated(source, undefined);
    },
    end() {
      for (const { value, found: all } of pending.values()) {
        for (const found of all) {
          const { calls, how } = describe(found);
          ctx.report({
            rule: "MA111",
            message: `A string in the pickle reads as Python source calling ${
              calls.join(", ")
            }${how}, but nothing in the pickle evaluates it`,
            position: value.pos,
            details: { encoding: found.encoding, calls, position: value.pos },
          });
        }
      }
      pending.clear();
    },
  };
}
