/**
 * The TorchServe model archive (`.mar`) profile: what `torch-model-archiver` writes, a zip with
 * `MAR-INF/MANIFEST.json` naming the model's `serializedFile` (weights or a TorchScript file),
 * its `modelFile` (the Python class of an eager model) and its `handler`. TorchServe imports the
 * handler when the model is registered (`ts/model_loader.py`): a module of the archive first,
 * which is on the import path, else one of its built-in handlers. So a handler that is not a
 * built-in one, or a built-in name the archive shadows with its own `.py`, is code of the
 * archive run by the server (MA636). A manifest that does not parse, lacks the handler, or names
 * files the archive lacks is MA637. Every member is then scanned by its content: the model
 * file as any checkpoint, the `.py` files as Python.
 *
 * @module
 */

import type { ArchiveEntry, ArchiveProfile } from "../archive/profile.ts";
import type { FindingDetails } from "../../core/types.ts";
import type { ScanContext } from "../../core/scanner.ts";
import { scannerOptions } from "../options.ts";

/** Where torch-model-archiver writes the manifest. */
export const MANIFEST = "MAR-INF/MANIFEST.json";

/** The handlers TorchServe ships (`ts/torch_handler/`), which an archive names without a file. */
export const BUILT_IN_HANDLERS: ReadonlySet<string> = new Set([
  "image_classifier",
  "image_segmenter",
  "object_detector",
  "text_classifier",
]);

/** What the manifest says, as far as the scan needs it. */
interface Manifest {
  handler: string;
  serializedFile?: string;
  modelFile?: string;
}

/** The manifest's `model` fields, or why it cannot be read. */
async function _readManifest(entry: ArchiveEntry, maxBytes: number): Promise<Manifest | string> {
  if (entry.size > maxBytes) {
    return `declares ${entry.size} bytes, more than the ${maxBytes} read (--limit zip.maxProfileReadBytes)`;
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(await entry.read()));
  } catch (error) {
    return `is not JSON (${error instanceof Error ? error.message : String(error)})`;
  }
  const model = (manifest as { model?: unknown } | null)?.model as Record<string, unknown> | undefined;
  if (
    typeof model !== "object" || model === null || typeof model.handler !== "string" || model.handler === ""
  ) {
    return "has no model.handler: TorchServe cannot serve the model";
  }
  const text = (value: unknown) => typeof value === "string" && value !== "" ? value : undefined;
  return {
    handler: model.handler,
    serializedFile: text(model.serializedFile),
    modelFile: text(model.modelFile),
  };
}

/** The handler's module as TorchServe imports it: `handler.py:function` and `handler:function` name `handler`. */
function _handlerModule(handler: string): string {
  const module = handler.split(":")[0];
  return module.endsWith(".py") ? module.slice(0, -3) : module;
}

function _malformed(ctx: ScanContext, message: string, details: FindingDetails = {}): void {
  ctx.report({ rule: "MA637", member: MANIFEST, message: `The TorchServe manifest ${message}`, details });
}

/**
 * The profile: matches a zip with `MAR-INF/MANIFEST.json`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { torchServeProfile } from "./archive.ts";
 * const entry = (name: string) => ({ name, size: 2, directory: false, read: () => Promise.resolve(new Uint8Array()) });
 * assert.equal(torchServeProfile.matches([entry("MAR-INF/MANIFEST.json"), entry("model.pt")]), true);
 * assert.equal(torchServeProfile.matches([entry("model.pt")]), false);
 * ```
 */
export const torchServeProfile: ArchiveProfile = {
  format: "torchserve-mar",
  matches: (entries) => entries.some((entry) => entry.name === MANIFEST && !entry.directory),
  async plan(entries, ctx) {
    const files = new Set(entries.filter((entry) => !entry.directory).map((entry) => entry.name));
    const manifest = await _readManifest(
      entries.find((entry) => entry.name === MANIFEST)!,
      scannerOptions(ctx).zip.maxProfileReadBytes,
    );
    if (typeof manifest === "string") {
      _malformed(ctx, manifest);
      return new Map();
    }
    for (const field of ["serializedFile", "modelFile"] as const) {
      const name = manifest[field];
      if (name !== undefined && !files.has(name)) {
        _malformed(ctx, `names ${name} as model.${field}, which the archive does not hold`, {
          field,
          file: name,
        });
      }
    }
    const module = _handlerModule(manifest.handler);
    const file = `${module}.py`;
    if (files.has(file)) {
      ctx.report({
        rule: "MA636",
        member: file,
        message: BUILT_IN_HANDLERS.has(module)
          ? `The archive's own ${file} shadows TorchServe's built-in ${module} handler: the server imports this code`
          : `TorchServe imports the custom handler ${file}${
            manifest.handler === file ? "" : ` (${manifest.handler})`
          } when the model is registered`,
        details: { handler: manifest.handler, file },
      });
    } else if (!BUILT_IN_HANDLERS.has(module)) {
      _malformed(ctx, `names the handler ${manifest.handler}, which is neither in the archive nor built in`, {
        field: "handler",
        file,
      });
    }
    // Every member, the manifest included, is scanned by its content.
    return new Map();
  },
};
