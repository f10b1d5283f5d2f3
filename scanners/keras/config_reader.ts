/**
 * The reader of a `.keras` archive's `config.json`: parses it as Keras's `json.loads` does and
 * checks the model config (`config.ts`). A record that is not JSON is MA409, never a silent pass.
 *
 * @module
 */

import { readAll } from "../../core/byte_source.ts";
import type { Inventory, Scanner } from "../../core/scanner.ts";
import { scannerOptions } from "../options.ts";
import { checkKerasConfig } from "./config.ts";

/**
 * Parses Keras config text, or says why it is not JSON.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseKerasJson } from "./config_reader.ts";
 * assert.equal(parseKerasJson('{"class_name": "Sequential"}').ok, true);
 * assert.equal(parseKerasJson("{").ok, false);
 * ```
 */
export function parseKerasJson(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

/**
 * The scanner of a `config.json` member.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kerasConfigScanner } from "./config_reader.ts";
 * assert.equal(typeof kerasConfigScanner.scan, "function");
 * ```
 */
export const kerasConfigScanner: Scanner = {
  async scan(source, ctx) {
    ctx.identify("keras-config");
    const { maxConfigBytes } = scannerOptions(ctx).keras;
    if (source.size > maxConfigBytes) {
      ctx.report({
        rule: "MA413",
        message:
          `The Keras config is ${source.size} bytes, more than the ${maxConfigBytes} read: it was not inspected (--limit keras.maxConfigBytes)`,
        details: { size: source.size, limit: maxConfigBytes, option: "keras.maxConfigBytes" },
      });
      return;
    }
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(await readAll(source));
    } catch {
      ctx.report({ rule: "MA409", message: "The Keras config is not UTF-8 text" });
      return;
    }
    const parsed = parseKerasJson(text);
    if (!parsed.ok) {
      ctx.report({ rule: "MA409", message: `The Keras config is not JSON (${parsed.reason})` });
      return;
    }
    if (ctx.inventory) listModelSummary(parsed.value, ctx.inventory);
    await checkKerasConfig(parsed.value, "$", ctx);
  },
};

/**
 * States what a Keras model config says the model is, as facts: its class (`Sequential`,
 * `Functional`), its name, and how many layers it lists.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listModelSummary } from "./config_reader.ts";
 * const facts: [string, unknown][] = [];
 * const config = { class_name: "Sequential", config: { name: "mlp", layers: [{}, {}] } };
 * listModelSummary(config, { tensor: () => Promise.resolve(), fact: (name, value) => void facts.push([name, value]) });
 * assert.deepEqual(facts, [["keras.model_class", "Sequential"], ["keras.model_name", "mlp"], ["keras.layers", 2]]);
 * ```
 */
export function listModelSummary(config: unknown, inventory: Inventory): void {
  if (typeof config !== "object" || config === null) return;
  const { class_name: className, config: inner } = config as { class_name?: unknown; config?: unknown };
  if (typeof className === "string") inventory.fact("keras.model_class", className);
  if (typeof inner !== "object" || inner === null) return;
  const { name, layers } = inner as { name?: unknown; layers?: unknown };
  if (typeof name === "string") inventory.fact("keras.model_name", name);
  if (Array.isArray(layers)) inventory.fact("keras.layers", layers.length);
}
