/**
 * The pickle scanner: detects pickles by content and wires the disassembler,
 * the frame check, the symbolic machine and the payload checks together over
 * a stream of pickles ({@linkcode PickleStream}), pickle after pickle until
 * the source ends or the stream breaks. Files are read as `joblib.load` reads
 * them too: the array data joblib writes after each array wrapper is skipped
 * (or, for object arrays, scanned as the pickle it is).
 *
 * @module
 */

import { type ByteSource, subSource } from "../../core/byte_source.ts";
import type { ScanContext, ScanExtent, Scanner } from "../../core/scanner.ts";
import { startsWithProto } from "./descriptor.ts";
import { Disassembler, FrameTracker, type GlobalName, type PickleOp } from "./disassembler.ts";
import { factDispatcher, type FactHandlers, type FactSink } from "./facts.ts";
import { type ArrayData, arrayData, isArrayWrapper } from "./joblib.ts";
import { type CallValue, type MachineHooks, PickleMachine, quietHooks, STEP, type Value } from "./machine.ts";
import { scannerOptions } from "../options.ts";
import { FIRST_OPCODES, OP, OPCODE_BY_CODE } from "./opcodes.ts";
import { PayloadChecker } from "./payloads.ts";
import { CallablePolicy } from "../../policy/callables.ts";
import { isDottedIdentifier } from "../../policy/dotted.ts";
import { pickleRules } from "./rules/mod.ts";

/** Opcodes between checks of the abort signal: often enough to stop within milliseconds, rare enough to cost nothing. */
export const ABORT_CHECK_INTERVAL = 1 << 16;

/**
 * Whether `op` imports something a loader could really import: GLOBAL and INST
 * with identifier paths (a text file's lines rarely are) and STACK_GLOBAL (whose
 * operands the machine has checked). EXT does not count: the extension registry
 * is empty unless code registered something, so EXT alone imports nothing.
 */
function importsCode(op: PickleOp): boolean {
  if (op.code === OP.GLOBAL || op.code === OP.INST) {
    const arg = op.arg as GlobalName;
    return arg.module !== null && arg.name !== null && isDottedIdentifier(arg.module) &&
      isDottedIdentifier(arg.name);
  }
  return op.code === OP.STACK_GLOBAL;
}

/**
 * Whether `head` (the first bytes of a source of `size` bytes) is a pickle, as
 * a loader would see it. PROTO 2 to 5 says so outright. Otherwise the stream
 * must start with an opcode a loader accepts first, and then either import
 * something importable before it breaks (a loader acts on everything up to a
 * break, so that is a pickle whatever follows), or consist of nothing but
 * clean pickles up to the end of the source or of the head. Text that merely
 * starts like a pickle (`G` and eight bytes and `.` is a float) fails the
 * second test at its first stray byte.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { detectPickle } from "./scanner.ts";
 * const bytes = new TextEncoder().encode("cos\nsystem\n(S'id'\ntR.");
 * assert.equal(detectPickle(bytes, bytes.length), true);
 * assert.equal(detectPickle(new TextEncoder().encode("# README\n"), 9), false);
 * ```
 */
export function detectPickle(head: Uint8Array, size: number): boolean {
  if (startsWithProto(head)) return true;
  if (head.length === 0 || !FIRST_OPCODES.has(head[0])) return false;
  const { machine, malformed } = quietMachine();
  const dis = Disassembler.fromBytes(head, size);
  for (;;) {
    const op = dis.next();
    if (op === undefined) {
      const clean = dis.status === "more" || (dis.status === "end" && !machine.started);
      return clean && machine.opcodes > 0 && !malformed();
    }
    const result = machine.step(op);
    if (result !== STEP.BREAK && importsCode(op)) return true;
    if (malformed() || result === STEP.BREAK || result === STEP.LIMIT) return false;
  }
}

/**
 * How far a loader gets unpickling a source whose first bytes are `head`, for a
 * source that another format has claimed (a zlib stream, a tar) but that a pickle
 * loader may still be handed. `undefined` when it gets nowhere: the first pickle
 * breaks before a STOP having imported nothing, as bytes that are merely another
 * format do within their first opcodes. Else the end of what to read: the first
 * pickle's first persistent id (PERSID, BINPERSID), where every loader raises (even
 * torch.load reads a legacy file's first pickle without `persistent_load`), or its
 * first import of a name that is no dotted identifier (random bytes make such
 * names), which no loader can import, or the source's size. A stream still clean where the head ends, or cut short by a
 * machine limit, is not judged on its head: it is read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unpickleReach } from "./scanner.ts";
 * assert.equal(unpickleReach(new Uint8Array([0x28, 0x91, 0x4e, 0x2e, 0x00]), 5), 5); // MARK, FROZENSET, NONE, STOP
 * assert.equal(unpickleReach(new TextEncoder().encode("PK\x03\x04\n"), 5), undefined); // PERSID raises at once
 * assert.equal(unpickleReach(new Uint8Array([0x78, 0x9c, 0x4b, 0x4c]), 4), undefined); // 0x78 is no opcode
 * ```
 */
export function unpickleReach(head: Uint8Array, size: number): number | undefined {
  if (head.length === 0 || !FIRST_OPCODES.has(head[0])) return undefined;
  let imports = false;
  let unimportable = false;
  const { machine, malformed } = quietMachine({
    classify(module, name) {
      if (isDottedIdentifier(module) && isDottedIdentifier(name)) imports = true;
      else unimportable = true;
      return CallablePolicy.standard().judge(module, name);
    },
  });
  const dis = Disassembler.fromBytes(head, size);
  for (;;) {
    const op = dis.next();
    if (op === undefined) return dis.status === "more" || imports ? size : undefined;
    if (op.code === OP.PERSID || op.code === OP.BINPERSID) return imports ? op.pos : undefined;
    const result = machine.step(op);
    // find_class cannot import a name that is no dotted identifier: the loader raises there.
    if (unimportable) return imports ? op.pos : undefined;
    if (malformed() || result === STEP.BREAK) return imports ? size : undefined;
    if (result === STEP.STOP || result === STEP.LIMIT) return size;
  }
}

/** A machine that reports nothing, for trials of a head; `malformed()` tells whether the stream was. */
function quietMachine(
  hooks: Partial<MachineHooks> = {},
): { machine: PickleMachine; malformed: () => boolean } {
  let malformed = false;
  const machine = new PickleMachine(quietHooks({
    fact: (fact) => {
      if (fact.kind === "missing-memo") malformed = true;
    },
    ...hooks,
  }));
  return { machine, malformed: () => malformed };
}

/** Options of {@linkcode scanPickle} and {@linkcode PickleStream}. */
export interface PickleScanOptions {
  /** Offset of the first opcode (default 0): where a pickle stream begins inside a larger format. */
  start?: number;
  /**
   * Receives every persistent id as it is loaded, with the offset of its PERSID/BINPERSID, for formats
   * whose loader resolves them (torch's storages). Called synchronously, while its pickle is scanned.
   */
  persistentId?: (pid: Value, pos: number) => Value | undefined;
  /**
   * Reads the stream as `joblib.load` does (default false: as a plain unpickler does): after the
   * BUILD of each joblib array wrapper, the array's data is skipped, or scanned as the pickle it
   * is for object arrays, and the outer pickle goes on after it. A plain unpickler's view of the
   * first array is scanned too (see {@linkcode PickleStream}).
   */
  joblibArrays?: boolean;
  /**
   * Classifies imports in place of the scan's policy (`ctx.policy`), for a loader that resolves some
   * names its own way (see {@linkcode MachineHooks.classify}); payloads nested in the pickle keep the
   * scan's policy.
   */
  classify?: MachineHooks["classify"];
  /**
   * More analyses of the machine's facts, beside the rules: what a format reads from the objects
   * a pickle builds (the tensors a torch pickle rebuilds). Called synchronously, in order.
   */
  facts?: FactHandlers;
  /**
   * For {@linkcode scanPickle}: read only the first pickle, as `pickle.load` does (default false:
   * every pickle up to where the stream ends, as a legacy torch file's loader reads them).
   */
  firstOnly?: boolean;
}

/** Options of one {@linkcode PickleStream.next}. */
export interface NextPickleOptions {
  /** Items each container of this pickle keeps (see {@linkcode PickleMachine.keepItems}). */
  keepItems?: number;
}

/**
 * How a pickle ended: `stop` (a STOP ended it; another may follow), `end` (the source
 * ended where the next pickle would begin), `broken` (the stream broke or a limit was hit,
 * already reported: nothing after it can be read as pickle).
 */
export type PickleEnd = "stop" | "end" | "broken";

/** One pickle, as {@linkcode PickleStream.next} scanned it. */
export interface PickleOutcome {
  /** How it ended. */
  end: PickleEnd;
  /** Just past its STOP; for `end` the end of the source, for `broken` where parsing stopped. */
  offset: number;
  /** What its STOP returned (for `stop`): the value a loader gets. */
  value: Value | undefined;
}

/**
 * Scans a source pickle by pickle, reporting to a context: the disassembler, the
 * frame check, the symbolic machine and the payload checks over one stream. Formats
 * that embed pickles among other data (legacy torch files) read what each pickle
 * returned and where it ended; {@linkcode scanPickle} just scans them all.
 *
 * With `joblibArrays`, the data after each joblib array wrapper's BUILD is read as
 * `joblib.load` reads it ({@linkcode arrayData}). A plain `pickle.load` of the same
 * file parses that data as opcodes instead, so the first array (where the two
 * loaders part) is also where a plain loader's view is checked: data that starts
 * with joblib's padding-length byte (1 to 16, none of them an opcode) stops a
 * plain loader there, but data without one (joblib before 1.2, a stream that was
 * not seekable, a crafted wrapper) may be a payload only a plain loader runs, so
 * it is scanned opportunistically from its first byte to the end of the source,
 * as `<raw@OFFSET>`. Past the first array the plain loader is on that path, not
 * on ours, so later arrays need no such scan.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { PickleStream } from "./scanner.ts";
 * const { ctx } = recordingContext("model.pkl");
 * const stream = new PickleStream(bytesSource(new Uint8Array([0x80, 2, 0x4e, 0x2e, 0x4e, 0x2e])), ctx);
 * assert.equal((await stream.next()).offset, 4); // the first pickle ends there
 * assert.equal((await stream.next()).end, "stop");
 * assert.equal((await stream.next()).end, "end");
 * ```
 */
export class PickleStream {
  readonly #source: ByteSource;
  readonly #ctx: ScanContext;
  readonly #classify: MachineHooks["classify"];
  readonly #payloads: PayloadChecker;
  /** Where the machine's facts, and the stream's own (breaks, frame mismatches), go: the rules. */
  readonly #facts: FactSink;
  readonly #machine: PickleMachine;
  readonly #dis: Disassembler;
  readonly #frames: FrameTracker;
  #untilAbortCheck = ABORT_CHECK_INTERVAL;
  /** Set once the stream can yield no more pickles. */
  #finished: PickleOutcome | undefined;
  /** The joblib array wrapper the last BUILD built, whose data comes next. */
  #wrapper: CallValue | undefined;
  /** Wrappers whose data was read: building one again would read again, with merged attributes. */
  readonly #readWrappers = new WeakSet<CallValue>();
  /** Whether a plain unpickler's path has left this one (at the first joblib array). */
  #diverged = false;

  /**
   * Prepares to scan `source` from `options.start`.
   *
   * @param source The bytes to scan; findings carry offsets in it.
   * @param ctx Where findings and nested payloads go.
   * @param options Start offset, persistent-id receiver and joblib arrays; the limits come from `ctx`.
   */
  constructor(source: ByteSource, ctx: ScanContext, options: PickleScanOptions = {}) {
    this.#source = source;
    this.#ctx = ctx;
    this.#classify = options.classify;
    const limits = scannerOptions(ctx).pickle;
    const payloads = new PayloadChecker(source, ctx);
    this.#payloads = payloads;
    this.#facts = factDispatcher([
      { text: ({ value }) => payloads.text(value) },
      ...pickleRules({
        report: (f) => ctx.report(f),
        matchBlacklist: (t) => ctx.matchBlacklist(t),
        policy: ctx.policy,
        payloads,
        limits,
      }),
      options.facts ?? {},
      options.joblibArrays
        ? {
          build: ({ target }) => {
            if (isArrayWrapper(target)) this.#wrapper = target;
          },
        }
        : {},
    ]);
    this.#machine = new PickleMachine({
      fact: this.#facts,
      persistentId: options.persistentId,
      classify: options.classify ?? ((module, name) => ctx.policy.judge(module, name)),
    }, limits);
    this.#dis = new Disassembler(source, options.start ?? 0, limits.maxTextLineBytes);
    this.#frames = new FrameTracker(source.size);
  }

  /** Scans the next pickle, with its nested payloads, up to its STOP or to where the stream ends or breaks. */
  async next(options: NextPickleOptions = {}): Promise<PickleOutcome> {
    if (this.#finished) return this.#finished;
    const ctx = this.#ctx;
    const dis = this.#dis;
    const machine = this.#machine;
    if (options.keepItems !== undefined) machine.keepItems(options.keepItems);
    for (;;) {
      const op = dis.next();
      if (op === undefined) {
        if (dis.status === "more") {
          await dis.fill();
          continue;
        }
        if (dis.status === "break") {
          return await this.#finish("broken", dis.failure!.pos, dis.failure!.reason);
        }
        if (machine.started) {
          return await this.#finish("broken", dis.size, "truncated: the pickle ends without STOP");
        }
        return await this.#finish("end", dis.size);
      }
      const mismatch = this.#frames.observe(op);
      if (mismatch !== undefined) this.#facts({ kind: "frame-mismatch", ...mismatch });
      const result = machine.step(op);
      if (this.#payloads.pending) await this.#payloads.flush();
      if (result === STEP.BREAK) {
        return await this.#finish("broken", machine.failure!.pos, machine.failure!.reason);
      }
      if (this.#wrapper !== undefined) {
        const broken = await this.#readArray(op);
        if (broken !== undefined) return broken;
      }
      if (--this.#untilAbortCheck === 0) {
        this.#untilAbortCheck = ABORT_CHECK_INTERVAL;
        ctx.signal.throwIfAborted();
      }
      if (result === STEP.STOP) {
        await this.#payloads.endOfPickle();
        return { end: "stop", offset: op.end, value: machine.result };
      }
    }
  }

  /**
   * Reads the data of the array whose wrapper `build` built, as `joblib.load` does, and goes on
   * after it; returns the end of the stream when that cannot be done.
   */
  async #readArray(build: PickleOp): Promise<PickleOutcome | undefined> {
    const wrapper = this.#wrapper!;
    this.#wrapper = undefined;
    const start = build.end;
    const size = this.#dis.size;
    let data: ArrayData;
    if (this.#readWrappers.has(wrapper)) {
      data = { kind: "unknown", reason: "the wrapper is built a second time, its attributes merged" };
    } else if (this.#frames.inFrame) {
      // joblib's (pure-Python) unpickler has read the whole frame ahead; the data would come after it.
      data = { kind: "unknown", reason: "its BUILD is inside a FRAME that goes on after it" };
    } else {
      data = arrayData(wrapper);
    }
    this.#readWrappers.add(wrapper);
    const first: number | undefined = (await this.#source.read(start, 1))[0];
    if (!this.#diverged) {
      this.#diverged = true;
      // An object array's pickle is scanned below from this same byte.
      if (data.kind !== "pickle" && first !== undefined && OPCODE_BY_CODE[first] !== undefined) {
        await this.#ctx.scanNested(subSource(this.#source, start, size - start), `<raw@${start}>`, {
          opportunistic: true,
        });
      }
    }
    const what = `the data of the joblib array wrapper built at ${build.pos}`;
    if (data.kind === "unknown") {
      return await this.#finish("broken", start, `${what} cannot be sized: ${data.reason}`);
    }
    if (data.kind === "pickle") {
      const inline = await new PickleStream(this.#source, this.#ctx, {
        classify: this.#classify,
        start,
      }).next();
      if (inline.end === "stop") {
        this.#dis.seek(inline.offset);
        return undefined;
      }
      // A broken pickle was reported where it broke.
      return await this.#finish(
        "broken",
        inline.offset,
        inline.end === "end" ? `truncated: ${what} (a pickle) is missing` : undefined,
      );
    }
    let offset = start;
    if (data.padded) {
      if (first === undefined) {
        return await this.#finish("broken", start, `truncated: ${what} has no padding byte`);
      }
      offset += 1 + first;
    }
    const end = BigInt(offset) + data.bytes;
    if (end > BigInt(size)) {
      return await this.#finish(
        "broken",
        start,
        `truncated: ${what} needs ${end - BigInt(start)} bytes, ${size - start} remain`,
      );
    }
    this.#dis.seek(Number(end));
    return undefined;
  }

  /** Ends the stream: reports why it broke (when `reason` is given) and scans what payloads wait. */
  async #finish(end: PickleEnd, offset: number, reason?: string): Promise<PickleOutcome> {
    if (reason !== undefined) this.#facts({ kind: "stream-error", pos: offset, reason });
    this.#machine.endOfPickle();
    await this.#payloads.endOfPickle();
    this.#finished = { end, offset, value: undefined };
    return this.#finished;
  }
}

/**
 * Scans every pickle in `source` (from `options.start`), reporting to `ctx`;
 * resolves to where the last complete pickle ends (anything after it is not
 * pickle content a loader reads).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { scanPickle } from "./scanner.ts";
 * const { ctx, findings } = recordingContext("model.pkl");
 * await scanPickle(bytesSource(new TextEncoder().encode("cos\nsystem\n(S'id'\ntR.")), ctx);
 * assert.deepEqual(findings.map((f) => [f.rule, f.position]), [["MA100", 0], ["MA101", 19]]);
 * ```
 */
export async function scanPickle(
  source: ByteSource,
  ctx: ScanContext,
  options: PickleScanOptions = {},
): Promise<ScanExtent> {
  const stream = new PickleStream(source, ctx, options);
  let end = options.start ?? 0;
  for (let outcome = await stream.next(); outcome.end === "stop"; outcome = await stream.next()) {
    end = outcome.offset;
    if (options.firstOnly) break;
  }
  return { end };
}

/**
 * The pickle scanner, loaded by its registry entry (`pickleDescriptor` in `descriptor.ts`),
 * which checks the first opcode; {@linkcode detectPickle} runs the opcodes to confirm.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { pickleScanner } from "./scanner.ts";
 * const { ctx, findings } = recordingContext("model.pkl");
 * await pickleScanner.scan(bytesSource(new TextEncoder().encode("cos\nsystem\n(S'echo pwned'\ntR.")), ctx);
 * assert.deepEqual(findings.map((f) => [f.rule, f.details?.module, f.details?.function]), [
 *   ["MA100", "os", "system"],
 *   ["MA101", "os", "system"],
 * ]);
 * ```
 */
export const pickleScanner: Scanner = {
  confirm: (head, source) => detectPickle(head, source.size),
  scan: (source, ctx) => scanPickle(source, ctx, { joblibArrays: true }),
};
