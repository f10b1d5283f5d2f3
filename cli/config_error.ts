/**
 * The error of a config file or a baseline that cannot be used, apart from their readers so that
 * catching it loads neither the TOML parser nor the baseline code.
 *
 * @module
 */

/**
 * A config file or baseline that cannot be used: the message names the file and, for a config
 * file, the key path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigError } from "./config_error.ts";
 * import { parseConfig } from "./config.ts";
 * assert.throws(() => parseConfig('rules.severity = { MA102 = "loud" }\n', "modelaudit.toml"), (error) => {
 *   assert.ok(error instanceof ConfigError);
 *   assert.match(error.message, /^modelaudit\.toml: \$\.rules\.severity\.MA102: /);
 *   return true;
 * });
 * ```
 */
export class ConfigError extends Error {
  override name = "ConfigError";
}
