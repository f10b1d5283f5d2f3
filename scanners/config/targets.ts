/**
 * Callables a configuration makes its loader import: Hydra's `_target_` (which
 * `hydra.utils.instantiate` imports and calls with the node's other keys; NeMo,
 * Lightning and most Hydra training stacks build their models that way),
 * jsonargparse's `class_path` (LightningCLI), and the top-level `target` that
 * NeMo's `restore_from` imports to pick the model class. Each is judged by the
 * one policy of callables (`ctx.policy`): denied is MA525 (critical), unknown is
 * MA526 (warning), safe is silent. Hydra's own locators (`hydra.utils.get_method`,
 * `get_class`, `get_object`, `call`, `instantiate`) import the path they are given,
 * so that path is judged as a target too.
 *
 * @module
 */

import type { ScanContext } from "../../core/scanner.ts";
import type { CallableVerdict } from "../../policy/callables.ts";
import { keyPathOf } from "../safetensors/strict_json.ts";
import type { ConfigNode } from "./tree.ts";

/** Keys whose string value a loader imports as a callable, wherever they sit. */
const TARGET_KEYS: ReadonlySet<string> = new Set(["_target_", "class_path"]);

/** Hydra's functions that import the dotted path they are handed (as `path` or their first argument). */
const LOCATORS: ReadonlySet<string> = new Set(
  ["get_method", "get_class", "get_object", "call", "instantiate", "_locate"].flatMap((f) => [
    `hydra.utils.${f}`,
    `hydra._internal.utils.${f}`,
  ]),
);

/** A dotted Python path: identifiers joined by dots, at least two. */
const DOTTED = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$/;

/**
 * The policy's verdict on a dotted path as Hydra resolves it: the first segment imported, the rest
 * reached by attribute (so `pathlib.os.system` is `os.system`), and known-safe when the path names a
 * safe class of its module (`torch.optim.Adam`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallablePolicy } from "../../policy/callables.ts";
 * import { judgeDottedPath } from "./targets.ts";
 * const policy = CallablePolicy.standard();
 * assert.equal(judgeDottedPath(policy, "pathlib.os.system").tier, "denied");
 * assert.equal(judgeDottedPath(policy, "torch.optim.AdamW").tier, "safe");
 * assert.equal(judgeDottedPath(policy, "mypkg.build").tier, "unknown");
 * ```
 */
export function judgeDottedPath(policy: ScanContext["policy"], path: string): CallableVerdict {
  const first = path.indexOf(".");
  const last = path.lastIndexOf(".");
  if (first < 0) return policy.judge(path);
  const reached = policy.judge(path.slice(0, first), path.slice(first + 1));
  if (reached.tier === "denied") return reached;
  const named = policy.judge(path.slice(0, last), path.slice(last + 1));
  return named.tier === "unknown" ? reached : named;
}

/** The string value of `key` among a map's entries (the last one, as Python's loaders keep). */
function _stringAt(node: Extract<ConfigNode, { kind: "map" }>, key: string): ConfigNode | undefined {
  const entry = node.entries.findLast((e) => e.key === key);
  return entry?.value.kind === "string" ? entry.value : undefined;
}

/**
 * Judges the callables the map `node` at `keyPath` names for its loader (`_target_`, `class_path`, and
 * NeMo's `target` at the top level), reporting MA525 or MA526 for each that is not known-safe.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { checkTargets } from "./targets.ts";
 * const { ctx, findings } = recordingContext("model_config.yaml");
 * checkTargets(ctx, {
 *   kind: "map",
 *   entries: [{ key: "_target_", value: { kind: "string", value: "os.system", place: { line: 2, column: 13 } } }],
 * }, "$.model.encoder");
 * assert.deepEqual(findings.map((f) => [f.rule, f.keyPath, f.line]), [["MA525", "$.model.encoder._target_", 2]]);
 * ```
 */
export function checkTargets(ctx: ScanContext, node: ConfigNode, keyPath: string): void {
  if (node.kind !== "map") return;
  const keys = keyPath === "$" ? [...TARGET_KEYS, "target"] : [...TARGET_KEYS];
  for (const key of keys) {
    const target = _stringAt(node, key);
    if (target?.kind !== "string") continue;
    const value = target.value.trim();
    // NeMo's `target` is imported only when it is a dotted path; elsewhere `target` is often a label.
    if (key === "target" && !DOTTED.test(value)) continue;
    const partial = node.entries.some((e) =>
      e.key === "_partial_" && e.value.kind === "other" && e.value.value === true
    );
    const verdict = _judge(ctx, value, keyPathOf(keyPath, key), target, key, key === "_target_" && partial);
    if (key === "_target_" && LOCATORS.has(verdict.name)) _checkLocated(ctx, node, keyPath);
  }
}

/** The path a Hydra locator is handed, in `path` or as its first positional argument, judged as a target. */
function _checkLocated(ctx: ScanContext, node: Extract<ConfigNode, { kind: "map" }>, keyPath: string): void {
  const path = _stringAt(node, "path");
  if (path?.kind === "string") _judge(ctx, path.value.trim(), keyPathOf(keyPath, "path"), path, "path");
  const args = node.entries.findLast((e) => e.key === "_args_")?.value;
  const first = args?.kind === "list" ? args.items[0] : undefined;
  if (first?.kind === "string") {
    _judge(ctx, first.value.trim(), keyPathOf(keyPathOf(keyPath, "_args_"), 0), first, "_args_");
  }
}

/** Judges one named callable and reports it unless it is safe; returns the verdict. */
function _judge(
  ctx: ScanContext,
  value: string,
  keyPath: string,
  at: ConfigNode,
  key: string,
  partial = false,
): CallableVerdict {
  const interpolated = /\$\{/.test(value);
  const verdict: CallableVerdict = interpolated
    ? {
      tier: "unknown",
      name: value,
      reason: "it is computed by an interpolation when the config is resolved",
    }
    : judgeDottedPath(ctx.policy, value);
  if (verdict.tier === "safe") return verdict;
  const place = { keyPath, line: at.place?.line, column: at.place?.column };
  const details = {
    key,
    callable: verdict.name,
    tier: verdict.tier,
    ...(verdict.entry === undefined ? {} : { entry: verdict.entry }),
    ...(verdict.category === undefined ? {} : { category: verdict.category }),
    ...(partial ? { partial } : {}),
  };
  // `_partial_: true` builds functools.partial(target, ...): the call is only put off to the code that uses it.
  const when = partial ? "imports, and calls when the partial is used" : "imports and calls";
  if (verdict.tier === "denied") {
    ctx.report({
      rule: "MA525",
      message: `${key} names ${verdict.name}, which its loader ${when}: ${verdict.reason}`,
      ...place,
      details,
    });
  } else {
    ctx.report({
      rule: "MA526",
      message: `${key} names ${verdict.name}, which its loader ${when}, and which the policy does not know${
        verdict.reason ? ` (${verdict.reason})` : ""
      }`,
      ...place,
      details,
    });
  }
  return verdict;
}
