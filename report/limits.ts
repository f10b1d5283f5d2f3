/**
 * The text view of every limit for `modelaudit limits`: one line per limit, its
 * name as `--limit` takes it, its default, and what it bounds.
 *
 * @module
 */

/** A limit as listed: the shape of `LIMIT_INFO`'s entries. */
export interface ListedLimit {
  /** `engine.NAME` or `SCANNER.NAME`. */
  name: string;
  /** Its value when the user sets none. */
  default: number;
  /** What it bounds, and what happens past it. */
  summary: string;
}

const BINARY_UNITS: readonly [string, number][] = [["GiB", 2 ** 30], ["MiB", 2 ** 20], ["KiB", 2 ** 10]];

/**
 * A limit's default as a reader wants it: digits grouped, and a byte size (a name ending in
 * `Bytes`) that is a whole number of KiB, MiB or GiB also in that unit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatLimitValue } from "./limits.ts";
 * assert.equal(formatLimitValue("pickle.maxKeptTextBytes", 64 * 1024 * 1024), "67,108,864 (64 MiB)");
 * assert.equal(formatLimitValue("pickle.maxOpcodes", 50_000_000), "50,000,000");
 * ```
 */
export function formatLimitValue(name: string, value: number): string {
  const digits = value.toLocaleString("en-US");
  if (!name.endsWith("Bytes")) return digits;
  const unit = BINARY_UNITS.find(([, size]) => value >= size && value % size === 0);
  return unit === undefined ? digits : `${digits} (${value / unit[1]} ${unit[0]})`;
}

/**
 * One line per limit: name, default and summary, in columns.
 *
 * @example
 * ```ts
 * import { renderLimitList } from "./limits.ts";
 * console.log(renderLimitList([{ name: "tar.maxEntries", default: 1_000_000, summary: "Entries of one archive" }]));
 * ```
 */
export function renderLimitList(limits: readonly ListedLimit[]): string {
  const values = limits.map((limit) => formatLimitValue(limit.name, limit.default));
  const nameWidth = Math.max(0, ...limits.map((limit) => limit.name.length));
  const valueWidth = Math.max(0, ...values.map((value) => value.length));
  return limits.map((limit, i) =>
    `${limit.name.padEnd(nameWidth)}  ${values[i].padStart(valueWidth)}  ${limit.summary}\n`
  ).join("");
}
