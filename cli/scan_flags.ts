/**
 * The flags of `modelaudit scan` as help shows them (`-o, --output <file>`), and
 * how the tokenizer reads each: a flag written with a `<value>` takes one. The
 * grammar (`args.ts`) declares its options with these strings, and `main.ts`
 * reads a command line with them before the CLI loads, to tell the paths to scan
 * from option values such as a config or baseline file. `inspect` takes a subset
 * of them, each read the same way.
 *
 * @module
 */

import type { ArgTokenOption } from "./arg_tokens.ts";

/**
 * Every flag of `scan`, keyed by its long name in camel case, in the order help lists them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SCAN_FLAGS } from "./scan_flags.ts";
 * assert.equal(SCAN_FLAGS.config, "-c, --config <file>");
 * ```
 */
export const SCAN_FLAGS = {
  format: "-f, --format <format>",
  output: "-o, --output <file>",
  maxFileSize: "--max-file-size <bytes>",
  timeout: "--timeout <seconds>",
  blacklist: "-b, --blacklist <pattern>",
  denyCallable: "--deny-callable <name>",
  allowCallable: "--allow-callable <name>",
  maxDepth: "--max-depth <n>",
  maxMembers: "--max-members <n>",
  maxDecompressedBytes: "--max-decompressed-bytes <bytes>",
  maxCompressionRatio: "--max-compression-ratio <ratio>",
  weights: "--weights",
  noWeights: "--no-weights",
  limit: "--limit <name=value>",
  verbose: "-v, --verbose",
  quiet: "-q, --quiet",
  failOn: "--fail-on <severity>",
  sbom: "--sbom <file>",
  select: "--select <rules>",
  ignore: "--ignore <rules>",
  config: "-c, --config <file>",
  baseline: "--baseline <file>",
  writeBaseline: "--write-baseline <file>",
} as const;

/**
 * The long form of a flag as help shows it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { longFlag } from "./scan_flags.ts";
 * assert.equal(longFlag("-o, --output <file>"), "--output");
 * ```
 */
export function longFlag(flags: string): string {
  // String steps, not a pattern: this runs for every flag before the first worker starts.
  const start = flags.indexOf("--");
  const end = flags.indexOf(" ", start);
  return flags.slice(start, end < 0 ? undefined : end);
}

/**
 * The letter of a flag's short form, if it has one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shortFlag } from "./scan_flags.ts";
 * assert.equal(shortFlag("-o, --output <file>"), "o");
 * assert.equal(shortFlag("--weights"), undefined);
 * ```
 */
export function shortFlag(flags: string): string | undefined {
  return flags[0] === "-" && flags[1] !== "-" && flags[2] === "," ? flags[1] : undefined;
}

/**
 * The tokenizer's table for these flags, keyed by long name without its dashes, with `-h, --help`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SCAN_FLAGS, tokenOptions } from "./scan_flags.ts";
 * const options = tokenOptions([SCAN_FLAGS.output, SCAN_FLAGS.quiet]);
 * assert.deepEqual(options.output, { type: "string", short: "o" });
 * assert.deepEqual(options.quiet, { type: "boolean", short: "q" });
 * ```
 */
export function tokenOptions(flagsList: readonly string[]): Record<string, ArgTokenOption> {
  const options: Record<string, ArgTokenOption> = {};
  for (const flags of flagsList) {
    const short = shortFlag(flags);
    options[longFlag(flags).slice(2)] = {
      type: flags.includes("<") ? "string" : "boolean",
      ...short ? { short } : {},
    };
  }
  options.help = { type: "boolean", short: "h" };
  return options;
}
