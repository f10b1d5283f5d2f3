/**
 * What the config value checks return: a finding without its location, which the caller
 * (a config scanner walking a document's values) adds as it reports it.
 *
 * @module
 */

import type { FindingReport } from "../../core/scanner.ts";

/**
 * One finding about one string value: the rule, its severity, a message that never prints a
 * secret whole, and machine-readable details (`provider`, `kind`, `preview`, `host`, ...).
 * Spread it into a {@linkcode FindingReport} with the value's key path and line.
 *
 * @example
 * ```ts
 * import type { FindingReport } from "../../core/scanner.ts";
 * import type { ValueFinding } from "./types.ts";
 * const found: ValueFinding = {
 *   rule: "MA542",
 *   severity: "critical",
 *   message: "A Hugging Face access token: hf_AbCd…EfGh (37 chars)",
 *   details: { provider: "huggingface", kind: "access-token", preview: "hf_AbCd…EfGh (37 chars)" },
 * };
 * const report: FindingReport = { ...found, keyPath: "$.hub.token", line: 12 };
 * ```
 */
export type ValueFinding = Required<Pick<FindingReport, "rule" | "severity" | "message" | "details">>;
