/**
 * A folder holding ONNX models, as a directory unit: each model's external data files are
 * raw tensor bytes that onnx and onnxruntime read as such, so the plan skips them instead
 * of routing them by content (where a `weights.bin` of floats would be "unrecognised
 * content"). A file is skipped only when no format recognises its first bytes: another
 * loader may read the same file (a model naming `pytorch_model.bin` as its data must not
 * hide that pickle from the scan). Everything else in the folder is scanned by its content,
 * the models included, whose scanner checks the same locations (escapes, links, missing or
 * short files).
 *
 * @module
 */

import type { DirectoryScanner, MemberPlan } from "../../core/scanner.ts";
import { HEAD_BYTES } from "../../core/detection.ts";
import { detectOnnx } from "./descriptor.ts";
import { externalDataLocations } from "./scanner.ts";

/** Models a folder's plan reads for their external data: beyond any real model folder. */
export const MAX_PLANNED_MODELS = 256;

/** `location`, relative to the folder of `model`, as a path below the unit's folder; `undefined` when it leaves it. */
function resolveBeside(model: string, location: string): string | undefined {
  const segments = model.split("/").slice(0, -1);
  for (const segment of location.split(/[/\\]/)) {
    if (segment === "" || segment === ".") continue;
    if (segment === ".." || segment.includes(":")) return undefined;
    segments.push(segment);
  }
  return segments.join("/");
}

/**
 * The ONNX folder's plan: external data files of the models it holds are skipped as raw data.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scan } from "../../engine/scan.ts";
 * // What onnx.save_model(..., save_as_external_data=True) writes: model.onnx and model.onnx.data.
 * const result = await scan(["fixtures/onnx/external/saved"], { sandbox: false });
 * assert.deepEqual(result.files.map((file) => [file.path.split("/").pop(), file.status, file.findings]), [
 *   ["model.onnx", "scanned", []],
 *   ["model.onnx.data", "skipped", []], // the plan: raw tensor data of model.onnx, not a format
 * ]);
 * ```
 */
export const onnxFolderScanner: DirectoryScanner = {
  async plan(files, ctx) {
    const plans = new Map<string, MemberPlan>();
    const listed = new Set(files.map((file) => file.path));
    const models = files.filter((file) => file.path.toLowerCase().endsWith(".onnx")).slice(
      0,
      MAX_PLANNED_MODELS,
    );
    for (const model of models) {
      // The model itself is opened through the sandbox, for random access: it may be gigabytes.
      const opened = await ctx.openSibling(model.path);
      if (!opened.ok) continue;
      const head = await opened.source.read(0, HEAD_BYTES);
      if (!detectOnnx(head, opened.source.size, model.path)) continue;
      for (const location of await externalDataLocations(opened.source, ctx.signal)) {
        const path = resolveBeside(model.path, location);
        if (path === undefined || !listed.has(path) || plans.has(path)) continue;
        const data = await ctx.openSibling(path);
        if (!data.ok || data.throughLink) continue;
        // Raw bytes, for any loader, when no format recognises them (a pickle named as the data is scanned).
        if (!ctx.recognises(await data.source.read(0, HEAD_BYTES), data.source.size, path)) {
          plans.set(path, {
            action: "skip",
            reason: `external tensor data of ${model.path}, read as raw bytes`,
          });
        }
      }
    }
    return plans;
  },
};
