/**
 * What the weight analysis reports: a finding without a location, which its caller (the scanner of
 * the format the tensors came from) adds.
 *
 * @module
 */

import type { RuleId } from "../../core/rules.ts";
import type { Severity } from "../../core/types.ts";

/** The rules the weight analysis reports (a subset of the catalog's ids). */
export type WeightRuleId = Extract<RuleId, "MA390" | "MA391" | "MA392" | "MA393" | "MA394" | "MA399">;

/**
 * One finding of the weight analysis: rule, severity, message and the facts behind it. `details`
 * always names the tensor (`tensor`); a statistical finding adds the `statistic` measured and the
 * `threshold` it passed, a head finding the output `unit`.
 *
 * @example
 * ```ts
 * import type { WeightFinding } from "./finding.ts";
 * const finding: WeightFinding = {
 *   rule: "MA392",
 *   severity: "warning",
 *   message: "Output unit 3 of the classification head fc.weight ...",
 *   details: { tensor: "fc.weight", unit: 3, statistic: 14.2, threshold: 12 },
 * };
 * ```
 */
export interface WeightFinding {
  /** The rule, MA390–MA399. */
  rule: WeightRuleId;
  /** Its severity: a statistical signal is a warning at most. */
  severity: Severity;
  /** One sentence a user understands. */
  message: string;
  /** Machine-readable facts: `tensor` always; `unit`, `statistic`, `threshold` where they apply. */
  details: { tensor: string } & Record<string, unknown>;
}

/**
 * A number as findings show it: 4 significant digits, so that details stay readable and stable.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rounded } from "./finding.ts";
 * assert.equal(rounded(14.23456), 14.23);
 * assert.equal(rounded(Infinity), Infinity);
 * ```
 */
export function rounded(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(4)) : value;
}
