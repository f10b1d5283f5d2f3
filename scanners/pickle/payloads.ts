/**
 * Nested payloads of a pickle, scanned through the engine with `scanNested`:
 * the argument of a nested loader such as `pickle.loads` in earnest, a pickle
 * decoded from base64 or hex text and any other constant that merely starts
 * like a pickle opportunistically. The rules decide what is a payload
 * (`rules/calls.ts`, `rules/embedded_strings.ts`); this module only
 * schedules and runs the scans.
 *
 * @module
 */

import { type ByteSource, bytesSource, subSource } from "../../core/byte_source.ts";
import type { ScanContext } from "../../core/scanner.ts";
import type { CallValue, TextValue } from "./machine.ts";
import { HIGHEST_PROTOCOL, OP } from "./opcodes.ts";
import { scannerOptions } from "../options.ts";
import type { NestedPayloads } from "./rules/context.ts";

const utf8Encoder = new TextEncoder();

/** The first two bytes of `value`, as far as they are in memory. */
function leadingBytes(value: string | Uint8Array): [number, number] {
  return typeof value === "string" ? [value.charCodeAt(0), value.charCodeAt(1)] : [value[0], value[1]];
}

function startsLikePickle(first: number, second: number): boolean {
  return first === OP.PROTO && second >= 2 && second <= HIGHEST_PROTOCOL;
}

/** A str as the bytes a loader would see: Latin-1 when every code point fits (Python 2 strings), else UTF-8. */
function encodeText(text: string): Uint8Array {
  // deno-lint-ignore no-control-regex
  if (/^[\u0000-\u00ff]*$/.test(text)) return Uint8Array.from(text, (c) => c.charCodeAt(0));
  return utf8Encoder.encode(text);
}

/**
 * Schedules nested scans. The scanner hands it every string constant (`text`)
 * and the rules hand it payloads (`payload`, `decoded`), synchronously, while
 * an opcode runs; the scanner awaits `flush()` when `pending` and
 * `endOfPickle()` after each pickle.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { PayloadChecker } from "./payloads.ts";
 * const { ctx, nested } = recordingContext("model.pkl");
 * const checker = new PayloadChecker(bytesSource(new Uint8Array(0)), ctx);
 * checker.decoded(new Uint8Array([0x80, 4, 0x4e, 0x2e]), "<base64@0>"); // a rule found a pickle in a string
 * assert.equal(checker.pending, true);
 * if (checker.pending) await checker.flush();
 * assert.deepEqual(nested, ["<base64@0>"]);
 * ```
 */
export class PayloadChecker implements NestedPayloads {
  readonly #source: ByteSource;
  readonly #ctx: ScanContext;
  /** Constants that only look like pickles wait for their pickle's end; beyond this many, the oldest is scanned at once. */
  readonly #maxDeferred: number;
  #queue: (() => Promise<void>)[] = [];
  /** Constants that start like a pickle, with their content (the machine may drop it from the value). */
  #deferred: [TextValue, string | Uint8Array | undefined][] = [];

  /**
   * Creates a checker with nothing scheduled.
   *
   * @param source The source being scanned; payloads stored as is become views of it.
   * @param ctx Where findings and nested scans go, with the scan's limits.
   */
  constructor(source: ByteSource, ctx: ScanContext) {
    this.#source = source;
    this.#ctx = ctx;
    this.#maxDeferred = scannerOptions(ctx).pickle.maxDeferredPayloads;
  }

  /** Whether nested scans wait for {@linkcode flush}. */
  get pending(): boolean {
    return this.#queue.length > 0;
  }

  /** Notes a string or bytes constant as it is pushed: one that starts like a pickle waits for its pickle's end. */
  text(value: TextValue): void {
    const content = value.value;
    if (content === undefined) {
      // Too large to hold: only its head is checked, later, for a pickle signature.
      if (value.exact) this.#defer(value, undefined);
      return;
    }
    if (content.length > 0 && startsLikePickle(...leadingBytes(content))) this.#defer(value, content);
  }

  /** A pickle decoded from a string constant: scanned opportunistically, as `label`. */
  decoded(bytes: Uint8Array, label: string): void {
    this.#queue.push(() => this.#ctx.scanNested(bytesSource(bytes), label, { opportunistic: true }));
  }

  /** The first argument of a nested loader: scanned in earnest (integrity findings too). */
  payload(value: TextValue, _call: CallValue): void {
    const index = this.#deferred.findIndex(([deferred]) => deferred === value);
    const content = index >= 0 ? this.#deferred.splice(index, 1)[0][1] : value.value;
    const label = `<payload@${value.offset}>`;
    const source = this.#sourceOf(value, content);
    if (source === undefined) {
      // The loader unpickles it all the same: what cannot be looked into counts as what it could hold.
      this.#ctx.report({
        rule: "MA006",
        severity: "critical",
        message:
          `A ${value.length}-byte protocol-0 string handed to a loader is too large to decode and was not inspected`,
        position: value.pos,
        details: { format: "pickle", size: value.length, position: value.pos },
      });
      return;
    }
    this.#queue.push(() => this.#ctx.scanNested(source, label));
  }

  /** Runs the nested scans scheduled so far. */
  async flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const queue = this.#queue;
      this.#queue = [];
      for (const scan of queue) await scan();
    }
  }

  /** After a pickle ends: scans the constants that only look like pickles and no loader consumed. */
  async endOfPickle(): Promise<void> {
    const deferred = this.#deferred;
    this.#deferred = [];
    for (const [value, content] of deferred) await this.#scanOpportunistic(value, content);
    await this.flush();
  }

  #defer(value: TextValue, content: string | Uint8Array | undefined): void {
    this.#deferred.push([value, content]);
    if (this.#deferred.length > this.#maxDeferred) {
      const [oldest, oldestContent] = this.#deferred.shift()!;
      this.#queue.push(() => this.#scanOpportunistic(oldest, oldestContent));
    }
  }

  async #scanOpportunistic(value: TextValue, content: string | Uint8Array | undefined): Promise<void> {
    const source = this.#sourceOf(value, content);
    if (source === undefined) return;
    if (content === undefined && !startsLikePickle(...leadingBytes(await source.read(0, 2)))) return;
    await this.#ctx.scanNested(source, `<payload@${value.offset}>`, { opportunistic: true });
  }

  /** The bytes a loader would get from `value`: a view of the source where they are stored as is. */
  #sourceOf(value: TextValue, content: string | Uint8Array | undefined): ByteSource | undefined {
    if (value.exact) return subSource(this.#source, value.offset, value.length);
    if (content === undefined) return undefined;
    return bytesSource(typeof content === "string" ? encodeText(content) : content);
  }
}
