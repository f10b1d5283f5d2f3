/**
 * The pickles of a TorchScript archive (`data.pkl`, `constants.pkl`, `bytecode.pkl`,
 * `code/*.debug_pkl`), read as `torch.jit.load` reads them. Its unpickler is
 * TorchScript's own: a `__torch__.*` global is a class compiled from the
 * archive's `code/` (which the TorchScript code scanner checks), never a Python
 * import, and Python cannot import `__torch__` either. So those globals are safe
 * here; every other import is judged by the pickle policy, as any pickle's.
 *
 * @module
 */

import type { Scanner } from "../../core/scanner.ts";
import { CallablePolicy, type CallableVerdict } from "../../policy/callables.ts";
import { scanPickle } from "../pickle/scanner.ts";

/** A TorchScript qualified name: `__torch__` and dotted identifiers under it. */
const TORCHSCRIPT_MODULE = /^__torch__(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const DOTTED_NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
/** A special attribute (`__class__`) among the segments: torch.jit.save never names one; the policy judges it. */
const DUNDER_SEGMENT = /(?:^|\.)__\w*__(?:\.|$)/;

/**
 * Classifies an import of a TorchScript pickle: `__torch__.*` classes are the archive's own code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classifyTorchScriptImport } from "./torchscript_pickle.ts";
 * assert.equal(classifyTorchScriptImport("__torch__.torch.nn.modules.linear", "Linear").tier, "safe");
 * assert.equal(classifyTorchScriptImport("os", "system").tier, "denied");
 * ```
 */
export function classifyTorchScriptImport(
  module: string,
  name: string,
  policy: CallablePolicy = CallablePolicy.standard(),
): CallableVerdict {
  const qualified = `${module.slice("__torch__".length)}.${name}`;
  if (TORCHSCRIPT_MODULE.test(module) && DOTTED_NAME.test(name) && !DUNDER_SEGMENT.test(qualified)) {
    return { tier: "safe", name: `${module}.${name}`, entry: "__torch__.*" };
  }
  return policy.judge(module, name);
}

/**
 * The TorchScript pickle scanner: reached only through archives, which name it for the
 * pickles of a TorchScript archive (`loadAs`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { torchScriptPickleScanner } from "./torchscript_pickle.ts";
 * const pickle = new TextEncoder().encode("c__torch__.m\nNet\n)Rcos\nsystem\n.");
 * const { ctx, findings } = recordingContext("model.pt:m/data.pkl");
 * await torchScriptPickleScanner.scan(bytesSource(pickle), ctx);
 * assert.deepEqual(findings.map((f) => f.rule), ["MA100"]); // the archive's own class passes; os.system does not
 * ```
 */
export const torchScriptPickleScanner: Scanner = {
  scan: (source, ctx) =>
    scanPickle(source, ctx, {
      classify: (module, name) => classifyTorchScriptImport(module, name, ctx.policy),
    }),
};
