/**
 * `keras_metadata.pb`, the Keras half of a SavedModel written by `model.save()` in TF-Keras: one
 * JSON config per Keras object (`SavedMetadata.nodes[].metadata`). `tf.keras.models.load_model`
 * rebuilds the model from these configs, so a `Lambda` layer's function runs on load, and the
 * `module`/`class_name` an object names is imported. Each `Lambda` is MA436; each Python callable a
 * config names outside Keras and TensorFlow is judged by the shared policy of callables (MA437).
 *
 * @module
 */

import { DecodeError } from "../../core/decode_error.ts";
import type { ScanContext } from "../../core/scanner.ts";
import { checkString } from "../strings/checks.ts";
import { quote } from "./graph.ts";
import { decodeMessage } from "./schema.ts";

/** JSON nesting followed in one config: deeper than any real model's. */
const MAX_CONFIG_DEPTH = 64;

/** Modules whose objects Keras itself defines: an unknown name in them is Keras's, not an import to check. */
const KERAS_MODULES = ["keras", "tf_keras", "tensorflow"];

interface SavedObject {
  node_path?: string;
  identifier?: string;
  metadata?: string;
}

function isKerasModule(module: string): boolean {
  return KERAS_MODULES.some((root) => module === root || module.startsWith(`${root}.`));
}

/**
 * Checks the decoded `keras_metadata.pb` in `bytes`; a file that does not decode throws a `DecodeError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { checkKerasMetadata } from "./keras_metadata.ts";
 * const rulesOf = async (bytes: Uint8Array) => {
 *   const { ctx, findings } = recordingContext("keras_metadata.pb");
 *   await checkKerasMetadata(bytes, ctx);
 *   return new Set(findings.map((finding) => finding.rule));
 * };
 * assert.deepEqual(await rulesOf(new Uint8Array(0)), new Set()); // an empty SavedMetadata: nothing to report
 * // As Keras saved it for a Dense model; then with a Lambda layer and an activation naming os.system.
 * assert.deepEqual(await rulesOf(await Deno.readFile("fixtures/tensorflow/benign/keras_dense/keras_metadata.pb")), new Set());
 * const lambda = await Deno.readFile("fixtures/tensorflow/malicious/keras_lambda/keras_metadata.pb");
 * assert.deepEqual(await rulesOf(lambda), new Set(["MA436", "MA437"]));
 * ```
 */
export async function checkKerasMetadata(bytes: Uint8Array, ctx: ScanContext): Promise<void> {
  const metadata = decodeMessage<{ nodes?: SavedObject[] }>(
    "third_party.py.tf_keras.protobuf.SavedMetadata",
    bytes,
  );
  for (const [index, node] of (metadata.nodes ?? []).entries()) {
    if (!node.metadata) continue;
    let config: unknown;
    try {
      config = JSON.parse(node.metadata);
    } catch (error) {
      throw new DecodeError(
        "tensorflow",
        `node ${index}'s metadata is not JSON: ${(error as Error).message}`,
      );
    }
    const texts: { text: string; keyPath: string }[] = [];
    walk(config, `$.nodes[${index}].metadata`, node.node_path ?? "", ctx, 0, texts);
    for (const { text, keyPath } of texts) {
      await checkString(ctx, text, { what: `The Keras config value at ${keyPath}`, keyPath });
    }
  }
}

/** Walks one config, judging Lambdas and callables, and collects its strings into `texts` for the string checks. */
function walk(
  value: unknown,
  keyPath: string,
  nodePath: string,
  ctx: ScanContext,
  depth: number,
  texts: { text: string; keyPath: string }[],
): void {
  if (typeof value === "string") texts.push({ text: value, keyPath });
  if (depth > MAX_CONFIG_DEPTH || value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, `${keyPath}[${i}]`, nodePath, ctx, depth + 1, texts));
    return;
  }
  const object = value as Record<string, unknown>;
  if (object.class_name === "Lambda" && typeof object.config === "object" && object.config !== null) {
    checkLambda(object.config as Record<string, unknown>, `${keyPath}['config']`, nodePath, ctx);
  }
  if (typeof object.module === "string" && typeof object.class_name === "string") {
    judge(object.module, object.class_name, keyPath, nodePath, ctx);
  }
  for (const [key, inner] of Object.entries(object)) {
    // A Lambda's bytecode is reported as the Lambda (MA436); it is no text to search.
    if (key === "function" && object.function_type === "lambda") continue;
    walk(inner, `${keyPath}[${quote(key)}]`, nodePath, ctx, depth + 1, texts);
  }
}

function checkLambda(
  config: Record<string, unknown>,
  keyPath: string,
  nodePath: string,
  ctx: ScanContext,
): void {
  const layer = typeof config.name === "string" ? config.name : "";
  const type = typeof config.function_type === "string" ? config.function_type : "lambda";
  const module = typeof config.module === "string" ? config.module : "";
  // function_type "lambda": marshalled bytecode (a list, or a base64 string); "function": a name Keras imports.
  if (type === "function" && typeof config.function === "string" && module) {
    judge(module, config.function, `${keyPath}['function']`, nodePath, ctx);
  }
  ctx.report({
    rule: "MA436",
    message: `Lambda layer '${layer}' (${nodePath || "model"}) holds a Python ${
      type === "function" ? `function ${module}.${config.function}` : "lambda's bytecode"
    } that Keras runs when it loads the model`,
    keyPath: `${keyPath}['function']`,
    details: { layer, nodePath, functionType: type, module },
  });
}

function judge(module: string, name: string, keyPath: string, nodePath: string, ctx: ScanContext): void {
  const verdict = ctx.policy.judge(module, name);
  // Keras's own objects are built from its registry; a name the policy denies is reported wherever it is.
  if (verdict.tier === "safe" || (verdict.tier === "unknown" && isKerasModule(module))) return;
  const denied = verdict.tier === "denied";
  ctx.report({
    rule: "MA437",
    severity: denied ? "critical" : undefined,
    message: `Keras config (${nodePath || "model"}) makes the loader import ${verdict.name}${
      denied ? `: ${verdict.reason}` : ", which is neither Keras's nor known safe"
    }`,
    keyPath,
    details: {
      module,
      name,
      nodePath,
      tier: verdict.tier,
      ...(verdict.reason ? { reason: verdict.reason } : {}),
      ...(verdict.entry ? { entry: verdict.entry } : {}),
      ...(verdict.category ? { category: verdict.category } : {}),
    },
  });
}
