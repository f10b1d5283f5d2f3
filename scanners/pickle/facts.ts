/**
 * What the symbolic pickle machine establishes about a pickle, as a stream of
 * typed facts: every import it resolves, every call, BUILD and item added, every
 * string constant, every limit it reaches, and where the stream ends or breaks.
 * The machine judges nothing; the rule modules under `rules/` turn facts into
 * findings, as fickling separates its interpreter from its analyses.
 *
 * Facts refer to the machine's live symbolic values: a consumer reads them while
 * the fact is delivered (synchronously, during the opcode) and may keep them, but
 * must not change them, except for the one label meant for analyses
 * ({@linkcode ValueBase.code}).
 *
 * @module
 */

import type { PickleOp } from "./disassembler.ts";
import type { CallValue, ContainerValue, GlobalValue, TextValue, Value } from "./machine.ts";

/**
 * An import: GLOBAL, INST, STACK_GLOBAL or EXT1/2/4. `global.verdict` holds the
 * policy's verdict when module and name are constant strings.
 */
export interface ImportFact {
  /** Discriminant. */
  kind: "import";
  /** The opcode that imports. */
  op: PickleOp;
  /** What it resolved to. */
  global: GlobalValue;
  /** For EXT1/2/4: the copyreg extension code, which names no module. */
  extension?: number;
  /** Whether the machine was past a limit, no longer tracking the stack or calls. */
  sweeping: boolean;
}

/**
 * A call of `builtins.getattr(base, "attr")` on an imported `base` with a constant
 * identifier, which the machine resolved to the import `base.attr` instead of a call.
 */
export interface AttributeFact {
  /** Discriminant. */
  kind: "attribute";
  /** The REDUCE. */
  op: PickleOp;
  /** The getattr import that was called. */
  getter: GlobalValue;
  /** The import (or class of the instance) whose attribute was taken. */
  base: GlobalValue;
  /** `base.attr`, classified as an import of its own. */
  folded: GlobalValue;
}

/** A call: REDUCE, INST, OBJ, NEWOBJ or NEWOBJ_EX (a getattr the machine resolved is an {@linkcode AttributeFact}). */
export interface CallFact {
  /** Discriminant. */
  kind: "call";
  /** The call opcode. */
  op: PickleOp;
  /** What is called. */
  callee: Value;
  /** The positional arguments. */
  args: ContainerValue;
  /** NEWOBJ_EX's keyword arguments. */
  kwargs: Value | undefined;
  /** The value the call pushed. */
  result: CallValue;
}

/** A BUILD: `__setstate__(state)` or a `__dict__` update of `target`. */
export interface BuildFact {
  /** Discriminant. */
  kind: "build";
  /** The BUILD. */
  op: PickleOp;
  /** The object built (already holding `state`, when it is a call's result). */
  target: Value;
  /** The state given. */
  state: Value;
  /** For a call's result: the state an earlier BUILD gave it (a second BUILD of the same object). */
  previous: Value | undefined;
}

/**
 * Items put into a value: APPEND(S), SETITEM(S) and ADDITEMS on anything mutable,
 * and the items of a dict DICT creates (`target` is then the new dict).
 */
export interface ItemsFact {
  /** Discriminant. */
  kind: "items";
  /** The opcode. */
  op: PickleOp;
  /** What receives them. */
  target: Value;
  /** All the items added (dict keys and values alternating), not only those a container keeps. */
  items: Value[];
}

/** A str or bytes constant, as it is pushed (past a limit too). */
export interface TextFact {
  /** Discriminant. */
  kind: "text";
  /** The constant. */
  value: TextValue;
  /** Whether the machine was past a limit, no longer tracking where the constant goes. */
  sweeping: boolean;
}

/** The first value of the source that expands past `pickle.maxExpandedSize` objects (`../option_catalog.ts`). */
export interface ExpansionFact {
  /** Discriminant. */
  kind: "expansion";
  /** The opcode that made it grow past the limit. */
  op: PickleOp;
  /** The limit. */
  max: number;
}

/**
 * A limit of the machine reached, once per pickle. Past `memoEntries` later memo
 * entries are not stored; past any other the machine sweeps for imports only.
 */
export interface LimitFact {
  /** Discriminant. */
  kind: "limit";
  /** Which limit (expansion is an {@linkcode ExpansionFact}). */
  limit: "opcodes" | "memoEntries" | "stackDepth" | "markDepth";
  /** Its value. */
  max: number;
  /** Offset of the opcode that reached it. */
  pos: number;
}

/** A GET of a memo entry that was never stored (entries dropped past the memo limit excepted). */
export interface MissingMemoFact {
  /** Discriminant. */
  kind: "missing-memo";
  /** The GET. */
  op: PickleOp;
  /** The key, `undefined` when unreadable. */
  key: number | undefined;
}

/**
 * Where a loader stops reading: a stream error of the disassembler or the machine,
 * a truncated pickle, or data a loader would misread. Reported by the scanner.
 */
export interface StreamErrorFact {
  /** Discriminant. */
  kind: "stream-error";
  /** Offset where the stream breaks. */
  pos: number;
  /** Why. */
  reason: string;
}

/** A FRAME whose declared length disagrees with its opcodes. Reported by the scanner. */
export interface FrameMismatchFact {
  /** Discriminant. */
  kind: "frame-mismatch";
  /** Offset of the FRAME. */
  pos: number;
  /** Bytes the FRAME declares. */
  declared: number;
  /** Bytes its opcodes span. */
  actual: number;
  /** How they disagree. */
  reason: string;
}

/** The end of one pickle: its STOP, or where its stream ended or broke. May come twice for one pickle. */
export interface EndFact {
  /** Discriminant. */
  kind: "end";
}

/** Any fact about a pickle. */
export type PickleFact =
  | ImportFact
  | AttributeFact
  | CallFact
  | BuildFact
  | ItemsFact
  | TextFact
  | ExpansionFact
  | LimitFact
  | MissingMemoFact
  | StreamErrorFact
  | FrameMismatchFact
  | EndFact;

/** The kinds of {@linkcode PickleFact}. */
export type FactKind = PickleFact["kind"];

/** The fact of one kind. */
export type FactOf<K extends FactKind> = Extract<PickleFact, { kind: K }>;

/** What one analysis does with the facts it wants, by kind; each handler gets only its kind. */
export type FactHandlers = { [K in FactKind]?: (fact: FactOf<K>) => void };

/** Receives every fact, in the order the machine establishes them. */
export type FactSink = (fact: PickleFact) => void;

/**
 * One sink that hands each fact to the analyses that handle its kind, in the order
 * the analyses are given: the findings of one fact come out in that order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { factDispatcher } from "./facts.ts";
 * const seen: string[] = [];
 * const sink = factDispatcher([{ text: (fact) => seen.push(fact.kind) }, { end: () => seen.push("end") }]);
 * sink({ kind: "end" });
 * assert.deepEqual(seen, ["end"]); // only the analysis that handles `end` saw it
 * ```
 */
export function factDispatcher(analyses: readonly FactHandlers[]): FactSink {
  const on = <K extends FactKind>(kind: K): (fact: FactOf<K>) => void => {
    const handlers = analyses.flatMap((analysis) => analysis[kind] ?? []) as ((fact: FactOf<K>) => void)[];
    if (handlers.length === 0) return () => {};
    if (handlers.length === 1) return handlers[0];
    return (fact) => {
      for (let i = 0; i < handlers.length; i++) handlers[i](fact);
    };
  };
  const text = on("text");
  const items = on("items");
  const importFact = on("import");
  const call = on("call");
  const build = on("build");
  const attribute = on("attribute");
  const missingMemo = on("missing-memo");
  const end = on("end");
  const expansion = on("expansion");
  const limit = on("limit");
  const streamError = on("stream-error");
  const frameMismatch = on("frame-mismatch");
  // A switch over the kinds, most frequent first: a keyed lookup per fact costs more on hot opcodes.
  return (fact) => {
    switch (fact.kind) {
      case "text":
        return text(fact);
      case "items":
        return items(fact);
      case "import":
        return importFact(fact);
      case "call":
        return call(fact);
      case "build":
        return build(fact);
      case "attribute":
        return attribute(fact);
      case "missing-memo":
        return missingMemo(fact);
      case "end":
        return end(fact);
      case "expansion":
        return expansion(fact);
      case "limit":
        return limit(fact);
      case "stream-error":
        return streamError(fact);
      case "frame-mismatch":
        return frameMismatch(fact);
    }
  };
}
