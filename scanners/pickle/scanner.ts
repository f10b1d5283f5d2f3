/**
 * The pickle scanner: detects pickles by content and wires the disassembler,
 * the frame check, the symbolic machine and the payload checks together over
 * a whole source, pickle after pickle until its end.
 *
 * @module
 */

import type { ByteSource } from "../../core/byte_source.ts";
import type { ScanContext, Scanner } from "../../core/scanner.ts";
import { Disassembler, FrameTracker } from "./disassembler.ts";
import { DEFAULT_LIMITS, type MachineLimits, PickleMachine, STEP } from "./machine.ts";
import { HIGHEST_PROTOCOL, OP } from "./opcodes.ts";
import { PayloadChecker } from "./payloads.ts";

/** Opcodes between checks of the abort signal: often enough to stop within milliseconds, rare enough to cost nothing. */
export const ABORT_CHECK_INTERVAL = 1 << 16;

/** Opcodes a protocol 0 or 1 pickle (which has no PROTO) can plausibly start with. */
const PLAUSIBLE_FIRST_OPCODES: ReadonlySet<number> = new Set([
  OP.PROTO,
  OP.MARK,
  OP.GLOBAL,
  OP.PERSID,
  OP.NONE,
  OP.INT,
  OP.LONG,
  OP.FLOAT,
  OP.STRING,
  OP.UNICODE,
  OP.BININT,
  OP.BININT1,
  OP.BININT2,
  OP.BINFLOAT,
  OP.BINSTRING,
  OP.SHORT_BINSTRING,
  OP.BINUNICODE,
  OP.EMPTY_LIST,
  OP.EMPTY_DICT,
  OP.EMPTY_TUPLE,
]);

/**
 * Whether `head` (the first bytes of a source of `size` bytes) is a pickle:
 * PROTO 2 to 5, or a protocol 0/1 stream that starts plausibly and runs
 * cleanly on the symbolic machine up to its STOP or the end of the head.
 *
 * @example
 * ```ts
 * import { detectPickle } from "./scanner.ts";
 * const bytes = new TextEncoder().encode("cos\nsystem\n(S'id'\ntR.");
 * detectPickle(bytes, bytes.length); // true
 * detectPickle(new TextEncoder().encode("# README\n"), 9); // false
 * ```
 */
export function detectPickle(head: Uint8Array, size: number): boolean {
  if (head.length >= 2 && head[0] === OP.PROTO && head[1] >= 2 && head[1] <= HIGHEST_PROTOCOL) return true;
  if (head.length === 0 || !PLAUSIBLE_FIRST_OPCODES.has(head[0])) return false;
  let malformed = false;
  const machine = new PickleMachine({
    report: (finding) => {
      if (finding.rule === "MA105") malformed = true;
    },
    blacklist: () => undefined,
    text: () => {},
    payload: () => {},
  });
  const dis = Disassembler.fromBytes(head, size);
  for (;;) {
    const op = dis.next();
    if (op === undefined) return dis.status === "more" && machine.opcodes > 0 && !malformed;
    const result = machine.step(op);
    if (malformed || result === STEP.BREAK || result === STEP.LIMIT) return false;
    if (result === STEP.STOP) return true;
  }
}

/** Options of {@linkcode scanPickle}. */
export interface PickleScanOptions {
  /** The machine's limits; tests lower them. */
  limits?: MachineLimits;
}

/**
 * Scans every pickle in `source`, reporting to `ctx`.
 *
 * @example
 * ```ts
 * import { bytesSource } from "../../core/byte_source.ts";
 * import type { ScanContext } from "../../core/scanner.ts";
 * import { scanPickle } from "./scanner.ts";
 * declare const ctx: ScanContext;
 * await scanPickle(bytesSource(new TextEncoder().encode("cos\nsystem\n(S'id'\ntR.")), ctx);
 * ```
 */
export async function scanPickle(
  source: ByteSource,
  ctx: ScanContext,
  options: PickleScanOptions = {},
): Promise<void> {
  const payloads = new PayloadChecker(source, ctx);
  const machine = new PickleMachine({
    report: (finding) => ctx.report(finding),
    blacklist: (text) => ctx.matchBlacklist(text),
    text: (value) => payloads.text(value),
    payload: (value, call) => payloads.payload(value, call),
  }, options.limits ?? DEFAULT_LIMITS);
  const dis = new Disassembler(source);
  const frames = new FrameTracker(source.size);
  let untilAbortCheck = ABORT_CHECK_INTERVAL;
  for (;;) {
    const op = dis.next();
    if (op === undefined) {
      if (dis.status === "more") {
        await dis.fill();
        continue;
      }
      if (dis.status === "break") malformed(ctx, dis.failure!.pos, dis.failure!.reason);
      else if (machine.started) malformed(ctx, dis.size, "truncated: the pickle ends without STOP");
      break;
    }
    const mismatch = frames.observe(op);
    if (mismatch !== undefined) {
      ctx.report({
        rule: "MA106",
        message:
          `FRAME declares ${mismatch.declared} bytes but its opcodes span ${mismatch.actual}: ${mismatch.reason}`,
        position: mismatch.pos,
        details: {
          declared: mismatch.declared,
          actual: mismatch.actual,
          reason: mismatch.reason,
          position: mismatch.pos,
        },
      });
    }
    const result = machine.step(op);
    if (payloads.pending) await payloads.flush();
    if (result === STEP.STOP) {
      await payloads.endOfPickle();
    } else if (result === STEP.BREAK) {
      malformed(ctx, machine.failure!.pos, machine.failure!.reason);
      break;
    } else if (result === STEP.LIMIT) {
      break;
    }
    if (--untilAbortCheck === 0) {
      untilAbortCheck = ABORT_CHECK_INTERVAL;
      ctx.signal.throwIfAborted();
    }
  }
  await payloads.endOfPickle();
}

function malformed(ctx: ScanContext, pos: number, reason: string): void {
  ctx.report({
    rule: "MA105",
    message: `Pickle stream is malformed at ${pos}: ${reason}`,
    position: pos,
    details: { reason, position: pos },
  });
}

/**
 * The pickle scanner for the registry.
 *
 * @example
 * ```ts
 * import { pickleScanner } from "./scanner.ts";
 * pickleScanner.detect(new Uint8Array([0x80, 0x04, 0x4e, 0x2e]), 4); // true
 * ```
 */
export const pickleScanner: Scanner = {
  id: "pickle",
  description: "Python pickle (protocols 0 to 5)",
  extensions: [".pkl", ".pickle", ".pt", ".pth", ".bin", ".ckpt", ".joblib", ".dill", ".p", ".data"],
  detect: detectPickle,
  scan: (source, ctx) => scanPickle(source, ctx),
};
