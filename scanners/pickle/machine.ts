/**
 * The symbolic pickle machine: it runs the unpickler's stack, memo and marks
 * over symbolic values, without importing or calling anything, so that every
 * import (GLOBAL, INST, STACK_GLOBAL, EXT*) and every call (REDUCE, INST, OBJ,
 * NEWOBJ, NEWOBJ_EX, BUILD) is resolved to what it would import or call, even
 * when its operands come from the memo. It reports import and call findings,
 * expansion bombs and exhausted limits; what to do with string constants and
 * nested payloads it hands to its {@linkcode MachineHooks}.
 *
 * Memory stays bounded whatever the input: the stack, the memo and the mark
 * depth have limits, containers keep only their first few items, and the
 * references kept across values have a budget.
 *
 * @module
 */

import type { FindingReport } from "../../core/scanner.ts";
import { type GlobalName, LargeArg, latin1, type PickleOp, type StreamBreak } from "./disassembler.ts";
import { HIGHEST_PROTOCOL, OP, opcodeName } from "./opcodes.ts";
import {
  classifyImport,
  type ImportTier,
  type ImportVerdict,
  isAttributeGetter,
  isNestedLoader,
} from "./policy.ts";

/** Real models stay far below this; the benchmark needs 5 million. Opcodes per source. */
export const MAX_PICKLE_OPCODES = 50_000_000;
/** Memo entries per pickle: a model memoizes a few per tensor; beyond this is an attack or a dataset. */
export const MAX_MEMO_ENTRIES = 1_000_000;
/** Values on the stack: only a tuple or frozenset of this many items (pushed all at once) gets near it. */
export const MAX_STACK_DEPTH = 500_000;
/** Open MARKs: data nests only as deep as Python's recursion limit (1,000) allows the pickler to go. */
export const MAX_MARK_DEPTH = 10_000;
/** Objects in the fully expanded result (a "billion laughs"); shared references in real models stay far below. */
export const MAX_EXPANDED_SIZE = 2 ** 30;
/** Items a container keeps for later inspection (first argument of a call, names); the rest are only counted. */
export const MAX_KEPT_ITEMS = 8;
/** References kept across values (container items, parent links) per pickle, so hostile input cannot hoard memory. */
export const MAX_RETAINED_REFS = 1_000_000;
/** Containers a value remembers being inside of, to pass on growth that happens after it was added. */
export const MAX_PARENT_LINKS = 4;
/** Values visited when passing one growth on to enclosing containers; bounds the work per opcode. */
export const MAX_PROPAGATION_STEPS = 64;
/** getattr imports per pickle whose report waits for their calls; past it they are reported at once. */
export const MAX_DEFERRED_GETTERS = 1_024;
/** Strings up to this many characters keep their content whatever the budget: module and qualified names fit. */
export const ALWAYS_KEPT_TEXT_LENGTH = 256;
/**
 * Content of longer strings kept per pickle; past it, a constant keeps only its range in the source
 * (enough to scan it as a payload), so memoized strings cannot hoard memory.
 */
export const MAX_KEPT_TEXT_BYTES = 64 * 1024 * 1024;

/** The machine's limits; tests lower them to reach them quickly. */
export interface MachineLimits {
  /** Opcodes per source ({@linkcode MAX_PICKLE_OPCODES}). */
  opcodes: number;
  /** Memo entries per pickle ({@linkcode MAX_MEMO_ENTRIES}). */
  memoEntries: number;
  /** Values on the stack ({@linkcode MAX_STACK_DEPTH}). */
  stackDepth: number;
  /** Open MARKs ({@linkcode MAX_MARK_DEPTH}). */
  markDepth: number;
  /** Objects in an expanded value before it is an expansion bomb ({@linkcode MAX_EXPANDED_SIZE}). */
  expandedSize: number;
}

/**
 * The limits the scanner uses.
 *
 * @example
 * ```ts
 * import { DEFAULT_LIMITS } from "./machine.ts";
 * DEFAULT_LIMITS.opcodes; // 50_000_000
 * ```
 */
export const DEFAULT_LIMITS: Readonly<MachineLimits> = Object.freeze({
  opcodes: MAX_PICKLE_OPCODES,
  memoEntries: MAX_MEMO_ENTRIES,
  stackDepth: MAX_STACK_DEPTH,
  markDepth: MAX_MARK_DEPTH,
  expandedSize: MAX_EXPANDED_SIZE,
});

const LIMIT_NAMES: Record<keyof MachineLimits, string> = {
  opcodes: "MAX_PICKLE_OPCODES",
  memoEntries: "MAX_MEMO_ENTRIES",
  stackDepth: "MAX_STACK_DEPTH",
  markDepth: "MAX_MARK_DEPTH",
  expandedSize: "MAX_EXPANDED_SIZE",
};

/** What every value carries: its expanded size and the first denied import it involves. */
export interface ValueBase {
  /** Objects in the fully expanded value, saturating. */
  weight: number;
  /** `module.name` of a denied import this value was built from, if any. */
  danger: string | undefined;
}

/** A value that can change after creation (APPEND, SETITEM, BUILD) while already inside others. */
export interface MutableValueBase extends ValueBase {
  /** Enclosing values and how often each holds this one: `[value, times, value, times, ...]`. */
  parents: (Value | number)[] | undefined;
}

/** An int, float, bool or None constant. */
export interface ScalarValue extends ValueBase {
  /** Python type. */
  kind: "int" | "float" | "bool" | "none";
  /** `undefined` for an integer too long to decode. */
  value: number | bigint | boolean | undefined;
}

/** A str or bytes constant (the STRING family counts as str, as Python 3 loads it). */
export interface TextValue extends ValueBase {
  /** Python type. */
  kind: "str" | "bytes";
  /** The content; `undefined` when it was too large to copy (see `offset`/`length`). */
  value: string | Uint8Array | undefined;
  /** Offset of the opcode that pushed it. */
  pos: number;
  /** Offset of the argument's bytes in the source. */
  offset: number;
  /** Length of the argument's bytes in the source. */
  length: number;
  /** Whether `[offset, offset + length)` holds exactly the bytes a loader gets (not escaped text, not UTF-8 of a str). */
  exact: boolean;
}

/** What an import opcode resolved to. */
export interface GlobalValue extends MutableValueBase {
  /** Discriminant. */
  kind: "global";
  /** The module; `null` when not a constant string. */
  module: string | null;
  /** The (possibly dotted) name in the module; `null` when not a constant string. */
  name: string | null;
  /** Whether both module and name are constant strings. */
  resolved: boolean;
  /** The policy's verdict, for resolved imports. */
  verdict: ImportVerdict | undefined;
  /** Offset of the import opcode. */
  pos: number;
  /** Name of the import opcode. */
  opcode: string;
  /**
   * For `builtins.getattr`: its report waits until it is used. A call `getattr(Class, "name")` is
   * the import `Class.name` and is classified as that; any other call, or no call by the end of the
   * pickle, reports getattr itself.
   */
  getter?: { called: boolean; reported: boolean };
}

/** The result of calling something (REDUCE, INST, OBJ, NEWOBJ, NEWOBJ_EX). */
export interface CallValue extends MutableValueBase {
  /** Discriminant. */
  kind: "call";
  /** What was called. */
  callee: Value;
  /** The arguments, as a tuple. */
  args: ContainerValue;
  /** Offset of the call opcode. */
  pos: number;
  /** Name of the call opcode. */
  opcode: string;
  /**
   * What the last BUILD gave the result (`__setstate__`'s argument or a `__dict__` update), as
   * numpy dtypes and joblib's array wrappers need it; `unknown` when it could not be kept.
   */
  state: Value | undefined;
}

/** A list, tuple, dict, set or frozenset. */
export interface ContainerValue extends MutableValueBase {
  /** Python type. */
  kind: "list" | "tuple" | "dict" | "set" | "frozenset";
  /**
   * The first items (for a dict: keys and values alternating), at most {@linkcode MAX_KEPT_ITEMS}
   * (or what {@linkcode PickleMachine.keepItems} allows).
   */
  items: Value[];
  /** How many items (dict entries) it has in all. */
  count: number;
}

/** Whatever a loader's `persistent_load` returns for a PERSID/BINPERSID (torch: a storage). */
export interface PersistentValue extends MutableValueBase {
  /** Discriminant. */
  kind: "persid";
  /** The persistent id handed to `persistent_load`. */
  pid: Value;
}

/** A value the machine cannot know (an out-of-band buffer, a missing memo entry). */
export interface UnknownValue extends MutableValueBase {
  /** Discriminant. */
  kind: "unknown";
}

/** Any symbolic value on the stack or in the memo. */
export type Value =
  | ScalarValue
  | TextValue
  | GlobalValue
  | CallValue
  | ContainerValue
  | PersistentValue
  | UnknownValue;

/** Where the machine hands what it cannot decide on its own. */
export interface MachineHooks {
  /** Records a finding (positions are offsets in the scanned source). */
  report(finding: FindingReport): void;
  /** The user's blacklist pattern `text` contains, if any. */
  blacklist(text: string): string | undefined;
  /** Every str or bytes constant, as it is pushed. */
  text(value: TextValue): void;
  /** The first argument of a call to a nested loader (`pickle.loads` and the like), when it is a constant. */
  payload(value: TextValue, call: CallValue): void;
  /**
   * Every persistent id (the argument of PERSID/BINPERSID) as it is loaded, with the opcode's offset: what a
   * loader's `persistent_load` receives (torch: a storage reference). It may return what that loader's
   * `persistent_load` returns, when that is known (legacy torch: the class of a `'module'` id). Optional; the
   * pickle alone needs none.
   */
  persistentId?(pid: Value, pos: number): Value | undefined;
  /**
   * Every BUILD, once the built object holds its state ({@linkcode CallValue.state}): `joblib.load`
   * reads an array's data from the stream right after the BUILD of its wrapper. Optional.
   */
  built?(target: Value, op: PickleOp): void;
  /**
   * Classifies an import instead of {@linkcode classifyImport}, for loaders that resolve some
   * names their own way (TorchScript resolves `__torch__.*` from its archive's code). Optional.
   */
  classify?(module: string, name: string): ImportVerdict;
}

/** What {@linkcode PickleMachine.step} did. */
export const STEP = {
  /** Go on with the next opcode. */
  CONTINUE: 0,
  /** A STOP ended one pickle; the machine is ready for the next one in the same source. */
  STOP: 1,
  /** The stream broke (see {@linkcode PickleMachine.failure}); CPython would stop loading here. */
  BREAK: 2,
  /**
   * A limit was reached and reported. The machine goes on in sweep mode: it
   * reports every import (an attacker cannot pad a payload past the limit) but
   * no longer tracks the stack, until this pickle's STOP, or to the end of the
   * source once the opcode limit is spent.
   */
  LIMIT: 3,
} as const;

/** One of the {@linkcode STEP} results. */
export type StepResult = typeof STEP[keyof typeof STEP];

const NONE: ScalarValue = { kind: "none", value: undefined, weight: 1, danger: undefined };
const TRUE: ScalarValue = { kind: "bool", value: true, weight: 1, danger: undefined };
const FALSE: ScalarValue = { kind: "bool", value: false, weight: 1, danger: undefined };
const SMALL_INTS: ScalarValue[] = Array.from(
  { length: 256 },
  (_, value) => ({ kind: "int", value, weight: 1, danger: undefined }),
);

/** Length-prefix size of each string/bytes opcode, to locate its data. */
const PREFIX_BYTES: Record<number, number> = {
  [OP.SHORT_BINSTRING]: 1,
  [OP.SHORT_BINBYTES]: 1,
  [OP.SHORT_BINUNICODE]: 1,
  [OP.BINSTRING]: 4,
  [OP.BINBYTES]: 4,
  [OP.BINUNICODE]: 4,
  [OP.BINBYTES8]: 8,
  [OP.BINUNICODE8]: 8,
  [OP.BYTEARRAY8]: 8,
};

/** The items of every container until it keeps one: most containers are only counted. */
const NO_ITEMS: Value[] = [];

/** Saturation point of weights, far above any limit. */
const WEIGHT_CAP = 2 ** 52;

function isMutable(
  value: Value,
): value is GlobalValue | CallValue | ContainerValue | PersistentValue | UnknownValue {
  return value.kind !== "int" && value.kind !== "float" && value.kind !== "bool" && value.kind !== "none" &&
    value.kind !== "str" && value.kind !== "bytes";
}

function unknown(): UnknownValue {
  return { kind: "unknown", weight: 1, danger: undefined, parents: undefined };
}

function scalar(kind: "int" | "float", value: number | bigint | undefined): ScalarValue {
  return { kind, value, weight: 1, danger: undefined };
}

/** A value's content as a constant string, as STACK_GLOBAL requires its operands to be. */
/**
 * Calls that create an instance of their first argument without running its `__init__`, by the
 * policy's canonical names (`copy_reg` is `copyreg`).
 *
 * @example
 * ```ts
 * import { INSTANCE_CREATORS } from "./machine.ts";
 * INSTANCE_CREATORS.has("copyreg._reconstructor"); // true
 * ```
 */
export const INSTANCE_CREATORS: ReadonlySet<string> = new Set([
  "copyreg._reconstructor",
  "copyreg.__newobj__",
  "copyreg.__newobj_ex__",
]);

/** Opcodes that create an instance of the class they are given (REDUCE may call any function). */
const CLASS_OPCODES: ReadonlySet<string> = new Set(["NEWOBJ", "NEWOBJ_EX", "OBJ", "INST"]);

/**
 * The imported class a value is an instance of, when the pickle shows it for sure: the class
 * NEWOBJ, NEWOBJ_EX, OBJ or INST instantiated, or the first argument of a copyreg instance
 * creator. A REDUCE result is not known to be an instance of what it called.
 */
function classOf(value: Value): GlobalValue | undefined {
  if (value.kind !== "call" || value.callee.kind !== "global") return undefined;
  const callee = value.callee;
  const entry = callee.verdict?.tier === "safe" ? callee.verdict.entry : undefined;
  const cls = entry !== undefined && INSTANCE_CREATORS.has(entry)
    ? value.args.items[0]
    : CLASS_OPCODES.has(value.opcode)
    ? callee
    : undefined;
  return cls?.kind === "global" ? cls : undefined;
}

/** The container each building opcode makes, empty or from the items above a MARK. */
const CONTAINER_KIND: Readonly<Record<number, ContainerValue["kind"]>> = {
  [OP.EMPTY_LIST]: "list",
  [OP.EMPTY_TUPLE]: "tuple",
  [OP.EMPTY_DICT]: "dict",
  [OP.EMPTY_SET]: "set",
  [OP.LIST]: "list",
  [OP.TUPLE]: "tuple",
  [OP.DICT]: "dict",
  [OP.FROZENSET]: "frozenset",
};

/**
 * Opcodes that push a str or bytes constant.
 *
 * @example
 * ```ts
 * import { TEXT_OPCODES } from "./machine.ts";
 * TEXT_OPCODES.has(0x8c); // true: SHORT_BINUNICODE
 * ```
 */
export const TEXT_OPCODES: ReadonlySet<number> = new Set([
  OP.STRING,
  OP.BINSTRING,
  OP.SHORT_BINSTRING,
  OP.UNICODE,
  OP.BINUNICODE,
  OP.SHORT_BINUNICODE,
  OP.BINUNICODE8,
  OP.BINBYTES,
  OP.SHORT_BINBYTES,
  OP.BINBYTES8,
  OP.BYTEARRAY8,
]);

/**
 * Hooks that ignore everything but what `overrides` supplies: for callers that run the machine only
 * to learn one thing (whether a head is a pickle, what a BUILD built).
 *
 * @example
 * ```ts
 * import { PickleMachine, quietHooks } from "./machine.ts";
 * let broken = false;
 * const machine = new PickleMachine(quietHooks({ report: (f) => broken ||= f.rule === "MA105" }));
 * ```
 */
export function quietHooks(overrides: Partial<MachineHooks> = {}): MachineHooks {
  return { report: () => {}, blacklist: () => undefined, text: () => {}, payload: () => {}, ...overrides };
}

/** Severity order of the import tiers, for "worse than". */
const TIER_RANK: Readonly<Record<ImportTier, number>> = { safe: 0, unknown: 1, denied: 2 };

/** A Python identifier (ASCII): what getattr folding accepts as an attribute name. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function constantString(value: Value): string | null {
  return value.kind === "str" && typeof value.value === "string" ? value.value : null;
}

/**
 * The constant a value holds as bytes: a str or bytes constant, or the
 * `_codecs.encode(text, "latin1")` call that protocols 0-2 write bytes as.
 */
function constantBytes(value: Value | undefined): TextValue | undefined {
  if (value === undefined) return undefined;
  if (value.kind === "str" || value.kind === "bytes") return value;
  if (
    value.kind === "call" && value.callee.kind === "global" && value.callee.module === "_codecs" &&
    value.callee.name === "encode"
  ) {
    const [text, encoding] = value.args.items;
    const name = encoding?.kind === "str" ? encoding.value : undefined;
    if (text?.kind === "str" && (name === "latin1" || name === "latin-1")) return text;
  }
  return undefined;
}

function qualified(module: string | null, name: string | null): string {
  return `${module ?? "<unresolved>"}.${name ?? "<unresolved>"}`;
}

/** A line of the argument parsers scipy.stats generates from shape names (`parse_arg_template`). */
const SCIPY_TEMPLATE_DEF = /^def _parse_args(?:_rvs|_stats)?\(self, [\w ,=']*\):$/;
const SCIPY_TEMPLATE_RETURN = /^ {4}return (?:self\._argcheck_rvs\()?([\w ,=()']*)$/;

/**
 * Whether `value` is source that scipy.stats itself would have generated for a distribution's
 * `_parse_arg_template`: `def _parse_args...(self, <names and defaults>):` and `return` lines of
 * names, with no call but `self._argcheck_rvs(`. `rv_generic.__setstate__` execs this attribute.
 */
function isScipyArgTemplate(value: Value | undefined): boolean {
  const text = constantString(value ?? NONE);
  if (text === null) return false;
  return text.split("\n").every((line) => {
    if (line === "" || SCIPY_TEMPLATE_DEF.test(line)) return true;
    const tail = SCIPY_TEMPLATE_RETURN.exec(line)?.[1];
    return tail !== undefined && !/\w\s*\(|\)\s*\(/.test(tail);
  });
}

/**
 * Runs opcodes symbolically. Feed it every opcode of a source in order; it
 * resets itself after each STOP.
 *
 * @example
 * ```ts
 * import { Disassembler } from "./disassembler.ts";
 * import { PickleMachine, STEP } from "./machine.ts";
 * const found: string[] = [];
 * const machine = new PickleMachine({
 *   report: (f) => found.push(f.rule),
 *   blacklist: () => undefined,
 *   text: () => {},
 *   payload: () => {},
 * });
 * const dis = Disassembler.fromBytes(new TextEncoder().encode("cos\nsystem\n(S'id'\ntR."));
 * for (let op = dis.next(); op && machine.step(op) === STEP.CONTINUE; op = dis.next());
 * // found: ["MA100", "MA101"]
 * ```
 */
export class PickleMachine {
  /** Why the stream broke, after a {@linkcode STEP}.BREAK. */
  failure: StreamBreak | undefined;
  readonly #hooks: MachineHooks;
  readonly #limits: MachineLimits;
  #stack: Value[] = [];
  /** Stack heights at each open MARK (CPython's "fence"). */
  #marks: number[] = [];
  #memo = new Map<number, Value>();
  #retained = 0;
  #keptText = 0;
  #keptItems = MAX_KEPT_ITEMS;
  #opcodes = 0;
  #started = false;
  #result: Value | undefined;
  #missingMemoReported = false;
  #expansionReported = false;
  #memoLimitReported = false;
  /** getattr imports of this pickle whose report waits for their use. */
  #getters: GlobalValue[] = [];
  /** Sweeping for imports only, until this pickle's STOP. */
  #sweeping = false;

  /**
   * Creates a machine with an empty stack and memo.
   *
   * @param hooks Where findings, string constants and nested payloads go.
   * @param limits Resource limits; the defaults are the named constants.
   */
  constructor(hooks: MachineHooks, limits: MachineLimits = DEFAULT_LIMITS) {
    this.#hooks = hooks;
    this.#limits = limits;
  }

  /** Whether a pickle has begun since the last STOP (some opcode was fed after it). */
  get started(): boolean {
    return this.#started;
  }

  /** Opcodes fed so far, across all pickles of the source. */
  get opcodes(): number {
    return this.#opcodes;
  }

  /** What the last STOP returned (the value a loader gets), until the next pickle begins. */
  get result(): Value | undefined {
    return this.#result;
  }

  /**
   * Keeps up to `count` items of each container of the current pickle (instead of
   * {@linkcode MAX_KEPT_ITEMS}) until its STOP, for a caller that needs a whole value
   * (torch's list of storage keys). The references it keeps still count against
   * {@linkcode MAX_RETAINED_REFS}.
   */
  keepItems(count: number): void {
    this.#keptItems = count;
  }

  /** Executes one opcode symbolically. */
  step(op: PickleOp): StepResult {
    if (++this.#opcodes === this.#limits.opcodes + 1) {
      return this.#limit("opcodes", op.pos, `Pickle has more than ${this.#limits.opcodes} opcodes`);
    }
    if (this.#sweeping || this.#opcodes > this.#limits.opcodes) return this.#sweep(op);
    if (!this.#started) {
      this.#started = true;
      this.#result = undefined;
    }
    const stack = this.#stack;
    const fence = this.#marks.length === 0 ? 0 : this.#marks[this.#marks.length - 1];
    const code = op.code;
    switch (code) {
      case OP.MARK:
        if (this.#marks.length >= this.#limits.markDepth) {
          return this.#limit(
            "markDepth",
            op.pos,
            `Pickle opens more than ${this.#limits.markDepth} nested MARKs`,
          );
        }
        this.#marks.push(stack.length);
        break;
      case OP.STOP:
        if (stack.length <= fence) return this.#underflow(op, 1);
        this.#result = stack[stack.length - 1];
        this.#reset();
        return STEP.STOP;
      case OP.POP:
        if (stack.length > fence) stack.pop();
        else if (this.#marks.length > 0) this.#marks.pop();
        else return this.#underflow(op, 1);
        break;
      case OP.POP_MARK:
        if (this.#popMark(op) === undefined) return STEP.BREAK;
        break;
      case OP.DUP:
        if (stack.length <= fence) return this.#underflow(op, 1);
        stack.push(stack[stack.length - 1]);
        break;
      case OP.NONE:
        stack.push(NONE);
        break;
      case OP.NEWTRUE:
        stack.push(TRUE);
        break;
      case OP.NEWFALSE:
        stack.push(FALSE);
        break;
      case OP.INT:
        stack.push(typeof op.arg === "boolean" ? (op.arg ? TRUE : FALSE) : this.#int(op.arg));
        break;
      case OP.BININT:
      case OP.BININT1:
      case OP.BININT2:
      case OP.LONG:
      case OP.LONG1:
      case OP.LONG4:
        stack.push(this.#int(op.arg));
        break;
      case OP.FLOAT:
      case OP.BINFLOAT:
        stack.push(scalar("float", typeof op.arg === "number" ? op.arg : undefined));
        break;
      case OP.EMPTY_LIST:
      case OP.EMPTY_TUPLE:
      case OP.EMPTY_DICT:
      case OP.EMPTY_SET:
        stack.push(this.#container(CONTAINER_KIND[code], NO_ITEMS));
        break;
      case OP.LIST:
      case OP.TUPLE:
      case OP.DICT:
      case OP.FROZENSET: {
        const items = this.#popMark(op);
        if (items === undefined) return STEP.BREAK;
        const kind = CONTAINER_KIND[code];
        if (kind === "dict") this.#checkStateKeys(items, op);
        this.#push(this.#container(kind, items), op);
        break;
      }
      case OP.TUPLE1:
      case OP.TUPLE2:
      case OP.TUPLE3: {
        const n = code - OP.TUPLE1 + 1;
        if (stack.length - n < fence) return this.#underflow(op, n);
        this.#push(this.#container("tuple", stack.splice(stack.length - n, n)), op);
        break;
      }
      case OP.APPEND:
      case OP.SETITEM: {
        const n = code === OP.APPEND ? 1 : 2;
        if (stack.length - n - 1 < fence) return this.#underflow(op, n + 1);
        this.#addItems(stack[stack.length - n - 1], stack.splice(stack.length - n, n), op);
        break;
      }
      case OP.APPENDS:
      case OP.SETITEMS:
      case OP.ADDITEMS: {
        const items = this.#popMark(op);
        if (items === undefined) return STEP.BREAK;
        const below = this.#marks.length === 0 ? 0 : this.#marks[this.#marks.length - 1];
        if (stack.length <= below) return this.#underflow(op, 1);
        this.#addItems(stack[stack.length - 1], items, op);
        break;
      }
      case OP.GET:
      case OP.BINGET:
      case OP.LONG_BINGET:
        stack.push(this.#memoGet(op));
        break;
      case OP.PUT:
      case OP.BINPUT:
      case OP.LONG_BINPUT:
      case OP.MEMOIZE: {
        if (stack.length <= fence) return this.#underflow(op, 1);
        const result = this.#memoPut(op, stack[stack.length - 1]);
        if (result !== STEP.CONTINUE) return result;
        break;
      }
      case OP.GLOBAL:
      case OP.INST: {
        const arg = op.arg as GlobalName;
        const global = this.#global(op, arg.module, arg.name);
        if (code === OP.GLOBAL) {
          stack.push(global);
          break;
        }
        const items = this.#popMark(op);
        if (items === undefined) return STEP.BREAK;
        this.#call(op, global, this.#container("tuple", items));
        break;
      }
      case OP.STACK_GLOBAL: {
        if (stack.length - 2 < fence) return this.#underflow(op, 2);
        const name = stack.pop()!;
        const module = stack.pop()!;
        const global = this.#global(op, constantString(module), constantString(name));
        global.danger ??= module.danger ?? name.danger;
        stack.push(global);
        break;
      }
      case OP.EXT1:
      case OP.EXT2:
      case OP.EXT4: {
        const extensionCode = op.arg as number;
        if (extensionCode <= 0) return this.#break(op, `${op.name} code ${extensionCode} is not positive`);
        stack.push(this.#global(op, null, null, extensionCode));
        break;
      }
      case OP.REDUCE:
      case OP.NEWOBJ: {
        if (stack.length - 2 < fence) return this.#underflow(op, 2);
        const args = stack.pop()!;
        const callee = stack.pop()!;
        this.#call(op, callee, this.#asArgs(args));
        break;
      }
      case OP.NEWOBJ_EX: {
        if (stack.length - 3 < fence) return this.#underflow(op, 3);
        const kwargs = stack.pop()!;
        const args = this.#asArgs(stack.pop()!);
        const callee = stack.pop()!;
        this.#call(op, callee, args, kwargs);
        break;
      }
      case OP.OBJ: {
        const items = this.#popMark(op);
        if (items === undefined) return STEP.BREAK;
        if (items.length === 0) return this.#underflow(op, 1);
        const callee = items.shift()!;
        this.#call(op, callee, this.#container("tuple", items));
        break;
      }
      case OP.BUILD: {
        if (stack.length - 2 < fence) return this.#underflow(op, 2);
        const state = stack.pop()!;
        this.#build(op, stack[stack.length - 1], state);
        break;
      }
      case OP.PERSID:
        stack.push(this.#persistent(this.#text(op), op));
        break;
      case OP.BINPERSID:
        if (stack.length <= fence) return this.#underflow(op, 1);
        stack.push(this.#persistent(stack.pop()!, op));
        break;
      case OP.NEXT_BUFFER:
        stack.push(unknown());
        break;
      case OP.READONLY_BUFFER:
        if (stack.length <= fence) return this.#underflow(op, 1);
        break;
      case OP.PROTO:
        if ((op.arg as number) > HIGHEST_PROTOCOL) return this.#break(op, `unsupported protocol ${op.arg}`);
        break;
      case OP.FRAME:
        break;
      default:
        if (TEXT_OPCODES.has(code)) {
          stack.push(this.#text(op));
          break;
        }
        return this.#break(op, `opcode ${opcodeName(code)} is not handled`);
    }
    if (stack.length > this.#limits.stackDepth) {
      return this.#limit("stackDepth", op.pos, `Pickle stack grows past ${this.#limits.stackDepth} values`);
    }
    return STEP.CONTINUE;
  }

  /**
   * Reports what waits for the end of the pickle: getattr imports never called. The machine
   * calls it at STOP; a caller whose stream ends another way (a break, the end of the data)
   * calls it then.
   */
  endOfPickle(): void {
    for (const getter of this.#getters) if (!getter.getter!.called) this.#reportGetter(getter);
    this.#getters = [];
  }

  #reset(): void {
    this.endOfPickle();
    this.#stack = [];
    this.#marks = [];
    this.#memo = new Map();
    this.#retained = 0;
    this.#keptText = 0;
    this.#keptItems = MAX_KEPT_ITEMS;
    this.#started = false;
    this.#missingMemoReported = false;
    this.#memoLimitReported = false;
    this.#sweeping = false;
  }

  #break(op: PickleOp, reason: string): StepResult {
    this.failure = { pos: op.pos, reason };
    return STEP.BREAK;
  }

  #underflow(op: PickleOp, needed: number): StepResult {
    return this.#break(op, `stack underflow: ${op.name} needs ${needed} value${needed === 1 ? "" : "s"}`);
  }

  #limit(limit: keyof MachineLimits, pos: number, message: string): StepResult {
    this.#hooks.report({
      rule: "MA110",
      message: `${message}; past it only imports were checked`,
      position: pos,
      details: { limit: LIMIT_NAMES[limit], max: this.#limits[limit], position: pos },
    });
    this.#stack = [];
    this.#marks = [];
    this.#memo = new Map();
    this.#sweeping = true;
    return STEP.LIMIT;
  }

  /**
   * Past a limit: every import is still resolved and reported (GLOBAL and INST
   * carry their names; STACK_GLOBAL and EXT operands are no longer tracked, so
   * they are unresolved), and STOP still ends the pickle.
   */
  #sweep(op: PickleOp): StepResult {
    switch (op.code) {
      case OP.GLOBAL:
      case OP.INST: {
        const arg = op.arg as GlobalName;
        const global = this.#global(op, arg.module, arg.name);
        if (
          global.resolved && global.verdict?.tier !== "denied" && isNestedLoader(global.module!, global.name!)
        ) {
          // Its call is no longer tracked, so neither is the payload it unpickles.
          this.#reportAtImport(
            op,
            global,
            `Pickle imports the loader ${global.module}.${global.name} past a limit, where what it ` +
              "is given to unpickle is no longer tracked",
            "the payload of a loader called past a limit cannot be inspected",
          );
        }
        break;
      }
      case OP.STACK_GLOBAL:
        this.#global(op, null, null);
        break;
      case OP.EXT1:
      case OP.EXT2:
      case OP.EXT4:
        this.#global(op, null, null, op.arg as number);
        break;
      case OP.STOP:
        this.#result = unknown();
        this.#reset();
        return STEP.STOP;
      default:
        // Constants are still checked: a pickle, encoded pickle or source hidden in one shows wherever it is.
        if (TEXT_OPCODES.has(op.code)) this.#text(op);
    }
    return STEP.CONTINUE;
  }

  /** Pushes a value built from others, which may be the one that expands too far. */
  #push(value: Value, op: PickleOp): void {
    this.#stack.push(value);
    this.#checkWeight(value, op);
  }

  /** Pops everything above the topmost MARK, and the MARK; `undefined` (after recording the break) without one. */
  #popMark(op: PickleOp): Value[] | undefined {
    const mark = this.#marks.pop();
    if (mark === undefined) {
      this.#break(op, `${op.name} found no MARK`);
      return undefined;
    }
    return this.#stack.splice(mark);
  }

  #int(arg: unknown): ScalarValue {
    if (typeof arg === "number" && arg >= 0 && arg < 256 && Number.isInteger(arg)) return SMALL_INTS[arg];
    return scalar("int", typeof arg === "number" || typeof arg === "bigint" ? arg : undefined);
  }

  #text(op: PickleOp): TextValue {
    const arg = op.arg;
    const code = op.code;
    const isBytes = code === OP.BINBYTES || code === OP.SHORT_BINBYTES || code === OP.BINBYTES8 ||
      code === OP.BYTEARRAY8;
    const isStr8 = code === OP.BINSTRING || code === OP.SHORT_BINSTRING;
    let content: string | Uint8Array | undefined;
    let offset: number;
    let length: number;
    let exact: boolean;
    if (arg instanceof LargeArg) {
      content = undefined;
      offset = arg.offset;
      length = arg.length;
      exact = !arg.escaped;
    } else if (code === OP.STRING || code === OP.UNICODE || code === OP.PERSID) {
      // Protocol-0 text: the line after the opcode, minus the quotes of a STRING.
      const quoted = code === OP.STRING ? 1 : 0;
      offset = op.pos + 1 + quoted;
      length = op.end - 1 - quoted - offset;
      content = arg instanceof Uint8Array ? latin1(arg) : String(arg);
      exact = arg instanceof Uint8Array && arg.length === length;
    } else {
      offset = op.pos + 1 + PREFIX_BYTES[code];
      length = op.end - offset;
      content = isStr8 ? latin1(arg as Uint8Array) : arg as string | Uint8Array;
      exact = isBytes || isStr8;
    }
    const value: TextValue = {
      kind: isBytes ? "bytes" : "str",
      value: content,
      pos: op.pos,
      offset,
      length,
      exact,
      weight: 1,
      danger: undefined,
    };
    this.#hooks.text(value);
    if (content !== undefined && content.length > ALWAYS_KEPT_TEXT_LENGTH) {
      if (this.#keptText + content.length <= MAX_KEPT_TEXT_BYTES) this.#keptText += content.length;
      else value.value = undefined;
    }
    return value;
  }

  #container(kind: ContainerValue["kind"], items: Value[]): ContainerValue {
    const container: ContainerValue = {
      kind,
      items: NO_ITEMS,
      count: 0,
      weight: 1,
      danger: undefined,
      parents: undefined,
    };
    this.#fill(container, items);
    return container;
  }

  /** Adds items to a new or existing container without passing growth on (the caller does). */
  #fill(target: ContainerValue, items: Value[]): number {
    let added = 0;
    for (const item of items) {
      added += item.weight;
      target.danger ??= item.danger;
      if (target.items.length < this.#keptItems * (target.kind === "dict" ? 2 : 1) && this.#retain()) {
        if (target.items === NO_ITEMS) target.items = [];
        target.items.push(item);
      }
      if (isMutable(item)) this.#link(item, target);
    }
    target.count += target.kind === "dict" ? items.length >> 1 : items.length;
    target.weight = Math.min(WEIGHT_CAP, target.weight + added);
    return added;
  }

  #retain(): boolean {
    if (this.#retained >= MAX_RETAINED_REFS) return false;
    this.#retained++;
    return true;
  }

  /** Remembers that `parent` holds `child`, so later growth of `child` reaches `parent`. */
  #link(
    child: GlobalValue | CallValue | ContainerValue | PersistentValue | UnknownValue,
    parent: Value,
  ): void {
    const parents = child.parents;
    if (parents === undefined) {
      if (this.#retain()) child.parents = [parent, 1];
    } else if (parents[parents.length - 2] === parent) {
      (parents[parents.length - 1] as number)++;
    } else if (parents.length < 2 * MAX_PARENT_LINKS && this.#retain()) {
      parents.push(parent, 1);
    }
  }

  /** APPEND, APPENDS, SETITEM(S), ADDITEMS: `items` go into `target` (any object with such a method). */
  #addItems(target: Value, items: Value[], op: PickleOp): void {
    if (!isMutable(target)) return;
    if (op.code === OP.SETITEM || op.code === OP.SETITEMS) this.#checkStateKeys(items, op);
    if (target.kind === "global" && op.code !== OP.BUILD) this.#mutatesImport(op, target);
    let added: number;
    if (
      target.kind === "list" || target.kind === "tuple" || target.kind === "dict" || target.kind === "set" ||
      target.kind === "frozenset"
    ) {
      added = this.#fill(target, items);
    } else {
      added = 0;
      for (const item of items) {
        added += item.weight;
        target.danger ??= item.danger;
        if (isMutable(item)) this.#link(item, target);
      }
      target.weight = Math.min(WEIGHT_CAP, target.weight + added);
    }
    this.#checkWeight(target, op);
    this.#propagate(target, added, op);
  }

  /** Passes growth of `value` on to the values that already hold it (late-filled shared containers). */
  #propagate(value: Value, delta: number, op: PickleOp): void {
    if (!isMutable(value) || value.parents === undefined || delta === 0) return;
    const seen = new Set<Value>([value]);
    const work: [Value, number][] = [[value, delta]];
    let steps = 0;
    while (work.length > 0 && steps < MAX_PROPAGATION_STEPS) {
      const [current, grown] = work.pop()!;
      if (!isMutable(current) || current.parents === undefined) continue;
      const parents = current.parents;
      for (let i = 0; i < parents.length && steps < MAX_PROPAGATION_STEPS; i += 2, steps++) {
        const parent = parents[i] as Value;
        if (seen.has(parent)) continue;
        seen.add(parent);
        const increase = Math.min(WEIGHT_CAP, grown * (parents[i + 1] as number));
        parent.weight = Math.min(WEIGHT_CAP, parent.weight + increase);
        this.#checkWeight(parent, op);
        work.push([parent, increase]);
      }
    }
  }

  /** Reports an expansion bomb once; never stops the analysis. */
  #checkWeight(value: Value, op: PickleOp): void {
    if (value.weight > this.#limits.expandedSize && !this.#expansionReported) {
      this.#expansionReported = true;
      this.#hooks.report({
        rule: "MA109",
        message:
          `Pickle expands to more than ${this.#limits.expandedSize} objects through repeated references`,
        position: op.pos,
        details: { limit: LIMIT_NAMES.expandedSize, max: this.#limits.expandedSize, position: op.pos },
      });
    }
  }

  #memoKey(op: PickleOp): number | undefined {
    return typeof op.arg === "number" ? op.arg : undefined;
  }

  #memoGet(op: PickleOp): Value {
    const key = this.#memoKey(op);
    const found = key === undefined ? undefined : this.#memo.get(key);
    if (found !== undefined) return found;
    if (!this.#missingMemoReported && !this.#memoLimitReported) {
      this.#missingMemoReported = true;
      this.#hooks.report({
        rule: "MA105",
        message: `Pickle reads memo entry ${key ?? "(unreadable)"}, which was never stored`,
        position: op.pos,
        details: { reason: "memo key not found", position: op.pos },
      });
    }
    return unknown();
  }

  #memoPut(op: PickleOp, value: Value): StepResult {
    let key: number | undefined;
    if (op.code === OP.MEMOIZE) key = this.#memo.size;
    else {
      key = this.#memoKey(op);
      if (key === undefined) return STEP.CONTINUE;
      if (key < 0) return this.#break(op, "negative PUT argument");
    }
    if (!this.#memo.has(key) && this.#memo.size >= this.#limits.memoEntries) {
      // Past the limit entries are no longer stored: a later GET of one reads an unknown value,
      // so what it feeds (a STACK_GLOBAL, a call) is reported as unresolved, never as safe.
      if (!this.#memoLimitReported) {
        this.#memoLimitReported = true;
        this.#hooks.report({
          rule: "MA110",
          message:
            `Pickle stores more than ${this.#limits.memoEntries} memo entries; later ones are not tracked`,
          position: op.pos,
          details: { limit: LIMIT_NAMES.memoEntries, max: this.#limits.memoEntries, position: op.pos },
        });
      }
      return STEP.CONTINUE;
    }
    this.#memo.set(key, value);
    return STEP.CONTINUE;
  }

  /** Resolves and reports one import. */
  #global(op: PickleOp, module: string | null, name: string | null, extensionCode?: number): GlobalValue {
    const resolved = module !== null && name !== null;
    const verdict = resolved ? this.#classify(module, name) : undefined;
    const global: GlobalValue = {
      kind: "global",
      module,
      name,
      resolved,
      verdict,
      pos: op.pos,
      opcode: op.name,
      weight: 1,
      danger: verdict?.tier === "denied" ? `${module}.${name}` : undefined,
      parents: undefined,
    };
    const details = { module, function: name, position: op.pos, opcode: op.name };
    if (extensionCode !== undefined) {
      this.#hooks.report({
        rule: "MA104",
        message: `Pickle imports copyreg extension ${extensionCode} (${op.name}), which names no module`,
        position: op.pos,
        details: { ...details, extensionCode },
      });
    } else if (!resolved) {
      this.#hooks.report({
        rule: "MA104",
        message: `Pickle imports ${
          qualified(module, name)
        } (${op.name}), whose name is not a constant string`,
        position: op.pos,
        details,
      });
    } else if (
      verdict!.tier === "denied" && isAttributeGetter(module!, name!) &&
      this.#getters.length < MAX_DEFERRED_GETTERS
    ) {
      global.getter = { called: false, reported: false };
      this.#getters.push(global);
    } else if (verdict!.tier === "denied") {
      this.#reportDenied(global);
    } else if (verdict!.tier === "unknown") {
      this.#hooks.report({
        rule: "MA102",
        message: `Pickle imports unknown callable ${module}.${name}`,
        position: op.pos,
        details,
      });
    }
    if (resolved) {
      const pattern = this.#hooks.blacklist(`${module}.${name}`);
      if (pattern !== undefined) {
        this.#hooks.report({
          rule: "MA005",
          message: `Pickle imports ${module}.${name}, which matches the blacklist pattern "${pattern}"`,
          position: op.pos,
          details: { ...details, pattern },
        });
      }
    }
    return global;
  }

  #classify(module: string, name: string): ImportVerdict {
    return this.#hooks.classify?.(module, name) ?? classifyImport(module, name);
  }

  #reportDenied(global: GlobalValue): void {
    const verdict = global.verdict!;
    this.#hooks.report({
      rule: "MA100",
      message: `Pickle imports ${global.module}.${global.name}: ${verdict.reason ?? "on the denylist"}`,
      position: global.pos,
      details: {
        module: global.module,
        function: global.name,
        position: global.pos,
        opcode: global.opcode,
        reason: verdict.reason,
        entry: verdict.entry,
      },
    });
  }

  #reportGetter(getter: GlobalValue): void {
    if (getter.getter!.reported) return;
    getter.getter!.reported = true;
    this.#reportDenied(getter);
  }

  /**
   * `getattr(base, "attr")` with an imported `base` and a constant identifier: the import
   * `base.attr`, classified as such. Reported only where it is worse than `base` itself, which
   * was reported at its own import (an enum member of an unknown enum warns once).
   */
  #foldGetattr(op: PickleOp, base: GlobalValue, attr: string): GlobalValue {
    const module = base.module!;
    const name = `${base.name}.${attr}`;
    const verdict = this.#classify(module, name);
    const folded: GlobalValue = {
      kind: "global",
      module,
      name,
      resolved: true,
      verdict,
      pos: op.pos,
      opcode: op.name,
      weight: 1,
      danger: verdict.tier === "denied" ? `${module}.${name}` : base.danger,
      parents: undefined,
    };
    if (TIER_RANK[verdict.tier] > TIER_RANK[base.verdict!.tier]) {
      if (verdict.tier === "denied") {
        this.#reportDenied(folded);
      } else {
        this.#hooks.report({
          rule: "MA102",
          message: `Pickle reaches unknown callable ${module}.${name} through getattr`,
          position: op.pos,
          details: { module, function: name, position: op.pos, opcode: op.name },
        });
      }
    }
    return folded;
  }

  /** REDUCE's second operand as a tuple of arguments (anything else is kept as the only item). */
  #asArgs(args: Value): ContainerValue {
    if (args.kind === "tuple" || args.kind === "list") return args;
    return this.#container("tuple", [args]);
  }

  /** Reports a call, hands nested-loader payloads on, and pushes the result. `kwargs` only for NEWOBJ_EX. */
  #call(op: PickleOp, callee: Value, args: ContainerValue, kwargs?: Value): void {
    if (callee.kind === "global" && callee.getter !== undefined) {
      callee.getter.called = true;
      const [target, attr] = args.items;
      const name = attr === undefined ? null : constantString(attr);
      // A bound method (`getattr(instance, "method")`, how pickle writes one) is looked up on the
      // instance's class, unless the instance's own state holds something dangerous.
      const base = target?.kind === "global"
        ? target
        : target?.danger === undefined
        ? classOf(target)
        : undefined;
      const foldable = op.code === OP.REDUCE && args.count === 2 && base !== undefined && base.resolved &&
        base.getter === undefined && name !== null && IDENTIFIER.test(name);
      if (foldable) {
        this.#push(this.#foldGetattr(op, base, name!), op);
        return;
      }
      this.#reportGetter(callee);
    }
    const argsDanger = args.danger ?? kwargs?.danger;
    const details = {
      module: null as string | null,
      function: "<computed>",
      position: op.pos,
      opcode: op.name,
    };
    if (callee.kind === "global" && callee.resolved) {
      const target = `${callee.module}.${callee.name}`;
      const verdict = callee.verdict!;
      details.module = callee.module;
      details.function = callee.name!;
      if (verdict.tier === "denied") {
        this.#hooks.report({
          rule: "MA101",
          message: `Pickle calls ${target} when loaded (${op.name}): ${verdict.reason ?? "on the denylist"}`,
          position: op.pos,
          details: { ...details, reason: verdict.reason, entry: verdict.entry },
        });
      } else if (argsDanger !== undefined) {
        this.#dangerousArgument(op, target, argsDanger, details);
      } else if (verdict.tier === "unknown") {
        this.#hooks.report({
          rule: "MA103",
          message: `Pickle calls unknown callable ${target} when loaded (${op.name})`,
          position: op.pos,
          details,
        });
      }
    } else {
      const danger = callee.danger ?? argsDanger;
      if (danger !== undefined) {
        this.#hooks.report({
          rule: "MA101",
          message: `Pickle calls a computed callable built from ${danger} when loaded (${op.name})`,
          position: op.pos,
          details: { ...details, involves: danger },
        });
      } else {
        this.#hooks.report({
          rule: "MA103",
          message: `Pickle calls a callable computed while loading (${op.name}); what it calls is not known`,
          position: op.pos,
          details,
        });
      }
    }
    const result: CallValue = {
      kind: "call",
      callee,
      args,
      pos: op.pos,
      opcode: op.name,
      state: undefined,
      weight: Math.min(WEIGHT_CAP, 1 + args.weight + (kwargs?.weight ?? 0)),
      danger: callee.danger ?? argsDanger,
      parents: undefined,
    };
    this.#link(args, result);
    if (kwargs !== undefined && isMutable(kwargs)) this.#link(kwargs, result);
    if (callee.kind === "global" && callee.resolved && isNestedLoader(callee.module!, callee.name!)) {
      const payload = constantBytes(args.items[0]);
      if (payload !== undefined) this.#hooks.payload(payload, result);
      else if (callee.verdict?.tier !== "denied") {
        // A denied loader was reported above; a safe one (torch's _load_from_bytes) unpickles what it is given.
        this.#hooks.report({
          rule: "MA101",
          message:
            `Pickle calls ${callee.module}.${callee.name} (${op.name}) on a payload computed while loading, ` +
            "which it unpickles unseen",
          position: op.pos,
          details: { ...details, reason: "the payload is not a constant that can be inspected" },
        });
      }
    }
    this.#push(result, op);
  }

  #dangerousArgument(op: PickleOp, target: string, danger: string, details: Record<string, unknown>): void {
    this.#hooks.report({
      rule: "MA101",
      message: `Pickle calls ${target} with ${danger} among its arguments when loaded (${op.name})`,
      position: op.pos,
      details: { ...details, argument: danger },
    });
  }

  /** BUILD calls `__setstate__` (or updates `__dict__`) of the object its class created. */
  #build(op: PickleOp, target: Value, state: Value): void {
    const creator = target.kind === "call" ? target.callee : target;
    if (creator.kind === "global" && creator.resolved && creator.verdict?.tier === "denied") {
      this.#hooks.report({
        rule: "MA101",
        message: `Pickle calls __setstate__ of ${creator.module}.${creator.name} when loaded (BUILD): ${
          creator.verdict.reason ?? "on the denylist"
        }`,
        position: op.pos,
        details: {
          module: creator.module,
          function: creator.name,
          position: op.pos,
          opcode: op.name,
          reason: creator.verdict.reason,
          entry: creator.verdict.entry,
        },
      });
    } else if (target.kind === "global") {
      this.#mutatesImport(op, target);
    }
    if (target.kind === "call" && target.state !== undefined) {
      const built = creator.kind === "global" ? qualified(creator.module, creator.name) : "computed";
      this.#hooks.report({
        rule: "MA101",
        message:
          `Pickle builds the same ${built} object a second time (BUILD): the first state can install ` +
          "the __setstate__ that the second one calls",
        position: op.pos,
        details: {
          module: creator.kind === "global" ? creator.module : null,
          function: creator.kind === "global" ? creator.name : "<computed>",
          position: op.pos,
          opcode: op.name,
          reason: "an object is built once; a second BUILD calls whatever the first one stored",
        },
      });
    }
    if (target.kind === "call") target.state = this.#retain() ? state : unknown();
    this.#addItems(target, [state], op);
    this.#hooks.built?.(target, op);
  }

  /**
   * BUILD, APPEND(S), SETITEM(S) or ADDITEMS on what an import returned (a class, function, module or
   * module-level object) rather than on an object the pickle created: that monkeypatches shared state
   * (`sys.modules`, a class's `__setstate__`, a registry) for the whole process. Picklers never do it.
   */
  #mutatesImport(op: PickleOp, global: GlobalValue): void {
    this.#reportAtImport(
      op,
      global,
      `Pickle modifies the imported ${qualified(global.module, global.name)} itself when loaded ` +
        `(${op.name}), changing it for everything that uses it`,
      "a pickle only fills objects it created; this one rewrites an imported one",
    );
  }

  /** An MA101 finding about what `global` imports, at `op`, for `reason`. */
  #reportAtImport(op: PickleOp, global: GlobalValue, message: string, reason: string): void {
    this.#hooks.report({
      rule: "MA101",
      message,
      position: op.pos,
      details: { module: global.module, function: global.name, position: op.pos, opcode: op.name, reason },
    });
  }

  /**
   * Dict keys that turn the dict into code once it is an object's state: `__setstate__` (which
   * the next BUILD calls) and scipy.stats' `_parse_arg_template` (which `rv_generic.__setstate__`
   * execs) unless it holds the parser scipy generates. `items` alternate keys and values.
   */
  #checkStateKeys(items: Value[], op: PickleOp): void {
    for (let i = 0; i + 1 < items.length; i += 2) {
      const key = constantString(items[i]);
      if (key === "__setstate__") {
        this.#hooks.report({
          rule: "MA101",
          message: `Pickle puts a "__setstate__" entry in a dict (${op.name}): as an object's state it ` +
            "installs a callable that BUILD then calls",
          position: op.pos,
          details: { module: null, function: "<computed>", position: op.pos, opcode: op.name, key },
        });
      } else if (key === "_parse_arg_template" && !isScipyArgTemplate(items[i + 1])) {
        this.#hooks.report({
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
  }

  #persistent(pid: Value, op: PickleOp): Value {
    const loaded = this.#hooks.persistentId?.(pid, op.pos);
    if (loaded !== undefined) return loaded;
    const value: PersistentValue = {
      kind: "persid",
      pid,
      weight: Math.min(WEIGHT_CAP, 1 + pid.weight),
      danger: pid.danger,
      parents: undefined,
    };
    if (isMutable(pid)) this.#link(pid, value);
    return value;
  }
}
