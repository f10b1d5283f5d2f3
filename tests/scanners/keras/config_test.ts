// The Keras config check on configs written here, read as a .keras archive's config.json reads
// (the `keras-config` reader): each case is the smallest config that shows one decision.
import assert from "node:assert/strict";
import { scanBytes } from "../../../engine/dispatch.ts";
import { renderLocation } from "../../../report/location.ts";
import { DEFAULT_KERAS_OPTIONS } from "../../../scanners/option_catalog.ts";

const MAX_CONFIG_DEPTH = DEFAULT_KERAS_OPTIONS.maxConfigDepth;

async function findings(config: unknown, blacklist: string[] = []): Promise<string[]> {
  const bytes = new TextEncoder().encode(JSON.stringify(config));
  const outcome = await scanBytes(bytes, "config.json", { loadAs: "keras-config", blacklist });
  assert.equal(outcome.error, undefined);
  return outcome.findings.map((f) => `${f.rule} ${f.severity} ${renderLocation(f.location)}`);
}

const layer = (config: Record<string, unknown>) => ({
  module: "keras.layers",
  class_name: "Dense",
  config: { name: "dense", units: 2, ...config },
  registered_name: null,
});

Deno.test("functions named by module: Keras's own and builtins lookups are silent, a denied one is critical", async () => {
  const fn = (module: string, name: string) => ({
    module,
    class_name: "function",
    config: name,
    registered_name: name,
  });
  assert.deepEqual(await findings(layer({ activation: fn("keras.activations", "relu") })), []);
  assert.deepEqual(await findings(layer({ activation: fn("builtins", "relu") })), []);
  assert.deepEqual(await findings(layer({ activation: fn("builtins", "exec") })), [
    "MA403 critical config.json (key $.config.activation)",
  ]);
  assert.deepEqual(await findings(layer({ activation: fn("mypkg.ops", "gelu") })), [
    "MA404 warning config.json (key $.config.activation)",
  ]);
});

Deno.test("a registered name that spells a denied callable is critical; an ordinary one is not judged", async () => {
  assert.deepEqual(await findings({ ...layer({}), registered_name: "os>system" }), [
    "MA403 critical config.json (key $.registered_name)",
  ]);
  assert.deepEqual(await findings({ ...layer({}), registered_name: "MyPackage>Dense" }), []);
});

Deno.test("Keras 2 layers: TFOpLambda calls tf.<function>, a named Lambda function comes from its module", async () => {
  const op = (fn: string) => ({ class_name: "TFOpLambda", config: { name: "op", function: fn } });
  assert.deepEqual(await findings(op("math.add")), []);
  assert.deepEqual(await findings(op("io.write_file")), [
    "MA403 critical config.json (key $.config.function)",
  ]);
  const named = {
    class_name: "Lambda",
    config: { name: "l", function: "system", function_type: "function", module: "os" },
  };
  assert.deepEqual(await findings(named), ["MA403 critical config.json (key $.config.function)"]);
});

Deno.test("Lambda code and TorchModuleWrapper blobs are judged as code and payload, not as strings", async () => {
  const lambda = {
    module: "keras.layers",
    class_name: "Lambda",
    config: { function: { class_name: "__lambda__", config: { code: "bm90IG1hcnNoYWw=", defaults: null } } },
  };
  // The blacklist pattern is in the (undecodable) code: only the Lambda finding, at the __lambda__ object.
  assert.deepEqual(await findings(lambda, ["bm90IG1h"]), [
    "MA402 warning config.json (key $.config.function)",
  ]);
  assert.deepEqual(await findings(layer({ name: "my secret layer" }), ["SECRET"]), [
    "MA005 critical config.json (key $.config.name)",
  ]);
});

Deno.test("configs nested past the depth limit are reported as not inspected, once", async () => {
  let deep: unknown = "leaf";
  for (let i = 0; i < MAX_CONFIG_DEPTH + 10; i++) deep = [deep];
  assert.deepEqual(await findings({ class_name: "Sequential", config: { layers: deep } }), [
    `MA413 warning config.json (key $.config.layers${"[0]".repeat(MAX_CONFIG_DEPTH - 1)})`,
  ]);
});

Deno.test("a config.json that is not JSON or not UTF-8 is MA409", async () => {
  const outcome = await scanBytes(new TextEncoder().encode("{"), "config.json", { loadAs: "keras-config" });
  assert.deepEqual(outcome.findings.map((f) => f.rule), ["MA409"]);
  const latin = await scanBytes(Uint8Array.from([0x7b, 0xff, 0x7d]), "config.json", {
    loadAs: "keras-config",
  });
  assert.deepEqual(latin.findings.map((f) => f.rule), ["MA409"]);
});
