/**
 * TOML configuration files (`pyproject.toml`-like training configs), parsed with
 * `smol-toml`, which follows TOML 1.0 strictly (a repeated key or table is an
 * error there, as in Python's `tomllib`: MA520). TOML values carry no places,
 * so findings in them carry key paths only.
 *
 * @module
 */

import { parse, TomlError } from "smol-toml";
import type { ScanContext } from "../../core/scanner.ts";
import type { ConfigOptions } from "../option_catalog.ts";
import { type ConfigNode, treeOfValue } from "./tree.ts";

/**
 * The TOML of `text` as a tree, or `undefined` (reported as MA520) when it does not parse.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { DEFAULT_CONFIG_OPTIONS } from "../option_catalog.ts";
 * import { parseTomlConfig } from "./toml.ts";
 * const { ctx, findings } = recordingContext("train.toml");
 * assert.equal(parseTomlConfig(ctx, '[optim]\nname = "adam"\n', DEFAULT_CONFIG_OPTIONS)?.kind, "map");
 * assert.equal(parseTomlConfig(ctx, "a = 1\na = 2\n", DEFAULT_CONFIG_OPTIONS), undefined);
 * assert.deepEqual(findings.map((f) => [f.rule, f.line]), [["MA520", 2]]);
 * ```
 */
export function parseTomlConfig(
  ctx: ScanContext,
  text: string,
  options: Readonly<ConfigOptions>,
): ConfigNode | undefined {
  let value: unknown;
  try {
    value = parse(text, { maxDepth: options.maxDepth, unsafeKeyBehaviour: "keep" });
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    ctx.report({
      rule: "MA520",
      message: `The TOML does not parse: ${error.message.split("\n")[0]}`,
      line: error.line,
      column: error.column,
      details: { format: "toml" },
    });
    return undefined;
  }
  return treeOfValue(value, options.maxDepth);
}
