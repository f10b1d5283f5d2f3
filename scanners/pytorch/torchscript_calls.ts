/**
 * What TorchScript code must not refer to, as the policy of Python callables
 * judges it: a dotted name whose head the source does not bind itself (the
 * scope analysis in `torchscript.ts` decides which heads those are) is denied
 * when the policy denies it. TorchScript adds only how its own code names
 * things: `ops.x` is `torch.ops.x`, `torch.ops.aten.save` is `torch.save`,
 * `__torch__.*` is the archive's own code, and a bare name is a builtin.
 *
 * @module
 */

import type { CallablePolicy, CallableVerdict } from "../../policy/callables.ts";

/** A dangerous name as written, and why it is dangerous. */
export interface Verdict {
  /** The name as written, dotted, e.g. `os.system`. */
  call: string;
  /** Why referring to it is dangerous. */
  reason: string;
}

/**
 * Builtins TorchScript itself writes to reach a submodule by name (`getattr(self.layers, "0")`):
 * `torchscript.ts` judges their targets instead (`getattr(torch, "save")`).
 */
const ATTRIBUTE_BUILTINS: ReadonlySet<string> = new Set(["getattr", "setattr", "delattr"]);

/** Names of dotted paths already judged, per file: code repeats a few names (`torch.add`) many times. */
const MAX_JUDGED = 16_384;

/**
 * Judges the names of one TorchScript source by a policy, remembering verdicts.
 *
 * Names are judged as source spells them ({@linkcode CallablePolicy.judge} with
 * one argument): dunders are everywhere in TorchScript's own code
 * (`torch.__isnot__`, `__annotations__`), and `torchscript.ts` judges the
 * attributes that reach interpreter internals (`__globals__`,
 * `__subclasses__`) by its own list.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallablePolicy } from "../../policy/callables.ts";
 * import { TorchScriptNames } from "./torchscript_calls.ts";
 * const names = new TorchScriptNames(CallablePolicy.standard());
 * assert.equal(names.reference(["torch", "save"])?.call, "torch.save");
 * assert.equal(names.reference(["ops", "aten", "save"])?.call, "ops.aten.save");
 * assert.equal(names.reference(["torch", "relu"]), undefined);
 * assert.notEqual(names.module(["subprocess"]), undefined);
 * ```
 */
export class TorchScriptNames {
  readonly #policy: CallablePolicy;
  readonly #judged = new Map<string, Verdict | null>();

  constructor(policy: CallablePolicy) {
    this.#policy = policy;
  }

  /**
   * Whether a dotted name (a head not bound in the source) is dangerous. A reference counts
   * without a call: `f = eval` is as bad as `eval(...)`, and TorchScript has no use for any of them.
   */
  reference(segments: readonly string[]): Verdict | undefined {
    const call = segments.join(".");
    const known = this.#judged.get(call);
    if (known !== undefined) return known ?? undefined;
    const verdict = this.#reference(segments, call);
    if (this.#judged.size < MAX_JUDGED) this.#judged.set(call, verdict ?? null);
    return verdict;
  }

  /** Why a module named by `import` or `from ... import` is dangerous to import, if it is. */
  module(segments: readonly string[]): string | undefined {
    return this.#denied(segments.join("."))?.reason;
  }

  #reference(segments: readonly string[], call: string): Verdict | undefined {
    if (segments[0] === "__torch__") return undefined;
    const path = torchPath(segments) ?? call;
    const verdict = this.#denied(path) ??
      (segments.length === 1 && !ATTRIBUTE_BUILTINS.has(call) ? this.#denied(`builtins.${call}`) : undefined);
    return verdict && { call, reason: verdict.reason ?? "the policy denies it" };
  }

  #denied(dotted: string): CallableVerdict | undefined {
    const verdict = this.#policy.judge(dotted);
    return verdict.tier === "denied" ? verdict : undefined;
  }
}

/** A torch path as TorchScript resolves it: `ops.x` is `torch.ops.x`, `torch.ops.aten.save` is `torch.save`. */
function torchPath(segments: readonly string[]): string | undefined {
  const path = segments[0] === "ops"
    ? ["torch", ...segments]
    : segments[0] === "torch"
    ? [...segments]
    : undefined;
  if (!path) return undefined;
  if (path[1] === "ops" && path[2] === "aten" && path.length > 3) path.splice(1, 2);
  return path.join(".");
}
