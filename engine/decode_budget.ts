/**
 * The budget of decoded bytes one file on disk may cost, shared by all its
 * members. Every scan keeps one; the decoders that charge it
 * (`decoded_source.ts`) load only with a file's first compressed member.
 *
 * @module
 */

/**
 * Decoded bytes allowed for one file on disk, shared by all its members.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DecodeBudget } from "./decode_budget.ts";
 * const budget = new DecodeBudget(100);
 * assert.equal(budget.take(60), 60);
 * assert.equal(budget.take(60), 40); // only what is left
 * ```
 */
export class DecodeBudget {
  #used = 0;

  /** @param max Bytes that may be decoded in all. */
  constructor(readonly max: number) {}

  /** Bytes decoded so far. */
  get used(): number {
    return this.#used;
  }

  /** Whether nothing is left. */
  get exhausted(): boolean {
    return this.#used >= this.max;
  }

  /** Takes up to `bytes` from the budget; returns how many were granted. */
  take(bytes: number): number {
    const granted = Math.max(0, Math.min(bytes, this.max - this.#used));
    this.#used += granted;
    return granted;
  }
}

/**
 * A member that decoded at least this many bytes (re-reads and nested members included) is
 * garbage worth collecting at once when it has been scanned.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { COLLECT_AFTER_DECODED_BYTES, DecodeBudget } from "./decode_budget.ts";
 * const budget = new DecodeBudget(1 << 30);
 * const before = budget.used; // as the engine notes it before a member
 * budget.take(COLLECT_AFTER_DECODED_BYTES); // what decoding the member charged
 * assert.ok(budget.used - before >= COLLECT_AFTER_DECODED_BYTES); // collect now
 * ```
 */
export const COLLECT_AFTER_DECODED_BYTES = 8 * 1024 * 1024;
