/**
 * What the remote code a Hugging Face config names would run: the module's Python source, and the
 * modules of the folder it imports relatively (`from .configuration_x import XConfig`), which
 * transformers fetches and imports with it (`get_relative_imports` in `dynamic_module_utils.py`),
 * analysed by the Python source analysis (`scanners/python/analyze.ts`) for calls of callables that
 * run commands, code or payloads. Never imported or run.
 *
 * @module
 */

import type { PlanContext } from "../../core/scanner.ts";
import { scannerOptions } from "../options.ts";
import { analyzePythonSource, type PythonCall } from "../python/analyze.ts";
import { EXECUTION } from "../python/scanner.ts";
import { utf8Text } from "../strings/utf8_text.ts";

/** Modules followed from one module through relative imports: a real model has a handful. */
export const MAX_FOLLOWED_MODULES = 64;

/** A dangerous call of a remote code module, and the module's path in the folder. */
export interface RemoteCall {
  /** Path of the module below the folder, `/` between segments. */
  file: string;
  call: PythonCall;
}

/** The calls that run something in each module analysed so far, by path: a plan analyses a module once. */
export type RemoteCallCache = Map<string, Promise<{ calls: PythonCall[]; imports: string[] }>>;

/** The module a relative import names, as a path below the folder; `undefined` when it climbs out of `directory`. */
function _relativeModule(directory: string, module: string, name: string | undefined): string | undefined {
  const dots = /^\.+/.exec(module)?.[0].length ?? 0;
  // `..` climbs above the module's folder: transformers flattens remote code into one folder, where it fails.
  if (dots !== 1) return undefined;
  const rest = module.slice(1);
  const dotted = rest === "" ? name : rest;
  if (dotted === undefined || dotted === "*") return undefined;
  return `${directory}${dotted.split(".").join("/")}.py`;
}

/** The module at `path`, analysed; no calls when it cannot be read or is past `python.maxSourceBytes`. */
async function _analyse(path: string, ctx: PlanContext): Promise<{ calls: PythonCall[]; imports: string[] }> {
  const none = { calls: [], imports: [] };
  const opened = await ctx.openSibling(path);
  const options = scannerOptions(ctx).python;
  // The file itself is scanned as any .py file, which reports what keeps it from being analysed (MA603, MA604).
  if (!opened.ok || opened.source.size > options.maxSourceBytes) return none;
  const text = utf8Text(await opened.source.read(0, opened.source.size));
  if (text === undefined) return none;
  const analysis = analyzePythonSource(text, ctx.policy, options);
  const directory = path.slice(0, path.lastIndexOf("/") + 1);
  const imports = analysis.imports.flatMap((entry) => {
    const module = entry.module.startsWith(".")
      ? _relativeModule(directory, entry.module, entry.name)
      : undefined;
    return module === undefined ? [] : [module];
  });
  return { calls: analysis.calls.filter((call) => EXECUTION.has(call.category)), imports };
}

/**
 * The calls that run something in the module at `path` and in the modules of the folder it imports
 * relatively, import-time calls first, in the order the modules are reached.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { remoteCallsOf } from "./remote_calls.ts";
 * const files: Record<string, string> = {
 *   "modeling_x.py": "from .utils_x import helper\n",
 *   "utils_x.py": "import os\nos.system('echo pwned')\n",
 * };
 * const { ctx } = recordingContext("model");
 * const openSibling = (path: string) => {
 *   const text = files[path];
 *   return Promise.resolve(text === undefined
 *     ? { ok: false as const, reason: "missing", escape: false }
 *     : { ok: true as const, path, source: bytesSource(new TextEncoder().encode(text)) });
 * };
 * const calls = await remoteCallsOf("modeling_x.py", { ...ctx, openSibling, recognises: () => false }, new Map());
 * assert.deepEqual(calls.map((c) => [c.file, c.call.callable, c.call.line, c.call.importTime]), [
 *   ["utils_x.py", "os.system", 2, true],
 * ]);
 * ```
 */
export async function remoteCallsOf(
  path: string,
  ctx: PlanContext,
  cache: RemoteCallCache,
): Promise<RemoteCall[]> {
  const found: RemoteCall[] = [];
  const queue = [path];
  const seen = new Set(queue);
  for (let i = 0; i < queue.length; i++) {
    const file = queue[i];
    let analysis = cache.get(file);
    if (!analysis) cache.set(file, analysis = _analyse(file, ctx));
    const { calls, imports } = await analysis;
    found.push(...calls.map((call) => ({ file, call })));
    for (const module of imports) {
      if (seen.has(module) || seen.size >= MAX_FOLLOWED_MODULES) continue;
      seen.add(module);
      queue.push(module);
    }
  }
  // Stable: within each kind, the order the modules were reached and the calls stand in them.
  return [...found.filter((c) => c.call.importTime), ...found.filter((c) => !c.call.importTime)];
}
