/**
 * The configuration scanners' limits (YAML, JSON, TOML, INI, XML): how large a
 * configuration file may be to be parsed, how deep its nesting may go, how many
 * values are walked, and how far YAML aliases or XML entities may multiply a
 * document before it counts as an expansion bomb. Set them per scan with `scannerOptions: { config: { ... } }`
 * or `--limit config.NAME=VALUE`.
 *
 * @module
 */

/**
 * Limits of the configuration scanners.
 *
 * @example
 * ```ts
 * import { type ConfigOptions, DEFAULT_CONFIG_OPTIONS } from "./options.ts";
 * const strict: ConfigOptions = { ...DEFAULT_CONFIG_OPTIONS, maxBytes: 1024 * 1024 };
 * ```
 */
export interface ConfigOptions {
  /**
   * Bytes of a configuration file parsed (default 64 MiB); a larger one is MA521, not inspected.
   * Real configs are kilobytes; a tokenizer's vocabulary in JSON runs to tens of megabytes.
   */
  maxBytes: number;
  /**
   * Nesting of maps and lists walked (default 256); deeper content is MA521, not inspected.
   * Hydra and NeMo configs nest a dozen levels at most.
   */
  maxDepth: number;
  /** Values of one file walked (default 2 Mi); past them the rest is MA521, not inspected. */
  maxValues: number;
  /**
   * Nodes a YAML document would hold once its aliases are expanded, or characters an XML entity
   * would expand to (default 1 Mi), before it is reported as an expansion bomb (MA527, MA529).
   * Nothing is ever expanded: the count is computed.
   */
  maxExpansion: number;
}

/**
 * The configuration scanners' limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_CONFIG_OPTIONS } from "./options.ts";
 * assert.equal(DEFAULT_CONFIG_OPTIONS.maxDepth, 256);
 * ```
 */
export const DEFAULT_CONFIG_OPTIONS: Readonly<ConfigOptions> = Object.freeze({
  maxBytes: 64 * 1024 * 1024,
  maxDepth: 256,
  maxValues: 2 * 1024 * 1024,
  maxExpansion: 1024 * 1024,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CONFIG_OPTION_SUMMARIES } from "./options.ts";
 * assert.match(CONFIG_OPTION_SUMMARIES.maxBytes, /^Bytes of a configuration file/);
 * ```
 */
export const CONFIG_OPTION_SUMMARIES: Readonly<Record<keyof ConfigOptions, string>> = {
  maxBytes: "Bytes of a configuration file (YAML, JSON, TOML, INI, XML) parsed; larger: MA521",
  maxDepth: "Nesting of maps and lists of a configuration file walked; deeper: MA521",
  maxValues: "Values of one configuration file walked; the rest: MA521",
  maxExpansion: "Nodes of YAML aliases, characters of XML entities expanded, before a bomb (MA527, MA529)",
};
