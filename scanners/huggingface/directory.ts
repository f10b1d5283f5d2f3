/**
 * The Hugging Face folder's plan: its configs are read for the code transformers would
 * import from them (`auto_map`, `custom_pipelines`), each module named is looked for beside
 * its config and analysed with the modules it imports relatively (a module that runs commands
 * or code makes its entry MA633), and every file is then scanned by its content as any file is (the weights,
 * the chat templates of `tokenizer_config.json`, the `.py` modules themselves). A folder
 * holding ONNX models (an Optimum export) is planned as the ONNX folder is too.
 *
 * @module
 */

import type { DirectoryFile, DirectoryScanner, MemberPlan, PlanContext } from "../../core/scanner.ts";
import { onnxFolderScanner } from "../onnx/directory.ts";
import { scannerOptions } from "../options.ts";
import { type RemoteCallCache, remoteCallsOf } from "./remote_calls.ts";
import { REMOTE_CODE_CONFIGS, type RemoteCodeEntry, remoteCodeOf } from "./remote_code.ts";

/** The config at `file`, parsed; `undefined` after reporting why it cannot be checked. */
async function _readConfig(
  file: DirectoryFile,
  ctx: PlanContext,
): Promise<Record<string, unknown> | undefined> {
  const { maxConfigBytes } = scannerOptions(ctx).huggingface;
  if (file.size > maxConfigBytes) {
    ctx.report({
      rule: "MA638",
      member: file.path,
      message:
        `${file.size} bytes, past huggingface.maxConfigBytes (${maxConfigBytes}): not checked for remote code`,
      details: { size: file.size, option: "huggingface.maxConfigBytes", max: maxConfigBytes },
    });
    return undefined;
  }
  // Through the sandbox, by random access: a plan's whole-file read is bounded by another limit.
  const opened = await ctx.openSibling(file.path);
  if (!opened.ok) return undefined;
  let config: unknown;
  try {
    config = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(await opened.source.read(0, file.size)),
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    ctx.report({
      rule: "MA634",
      member: file.path,
      message:
        `Does not parse as JSON (${reason}): transformers refuses it, and its auto_map was not checked`,
      details: { reason },
    });
    return undefined;
  }
  if (typeof config === "object" && config !== null && !Array.isArray(config)) {
    return config as Record<string, unknown>;
  }
  ctx.report({
    rule: "MA634",
    member: file.path,
    message: "Is not a JSON object: transformers refuses it",
    details: { reason: "not an object" },
  });
  return undefined;
}

/** The entries of one config grouped by the module they import (and the repository it comes from). */
function _byModule(entries: readonly RemoteCodeEntry[]): RemoteCodeEntry[][] {
  const groups = new Map<string, RemoteCodeEntry[]>();
  for (const entry of entries) {
    const key = `${entry.repository ?? ""}--${entry.module}`;
    groups.set(key, [...groups.get(key) ?? [], entry]);
  }
  return [...groups.values()];
}

/** Dangerous calls of a module listed in an MA633 finding's details: the first say what it does. */
const MAX_LISTED_CALLS = 8;

/** `roles` and `classes`, each once, in a sentence. */
const _list = (items: readonly string[]) => [...new Set(items)].join(", ");

/** Reports the remote code of the config at `file`; `cache` keeps the modules' analyses for the folder. */
async function _checkConfig(file: DirectoryFile, ctx: PlanContext, cache: RemoteCallCache): Promise<void> {
  const config = await _readConfig(file, ctx);
  if (!config) return;
  const slash = file.path.lastIndexOf("/");
  const directory = file.path.slice(0, slash + 1);
  const name = file.path.slice(slash + 1);
  const { entries, problems } = remoteCodeOf(config, name === "config.json");
  for (const { keyPath, problem } of problems) {
    ctx.report({
      rule: "MA634",
      member: file.path,
      keyPath,
      message: `Malformed remote code entry: ${problem}; transformers cannot load it`,
      details: { problem },
    });
  }
  for (const group of _byModule(entries)) {
    const [first] = group;
    const roles = _list(group.map((entry) => entry.role));
    const classes = _list(group.map((entry) => entry.className));
    const details = {
      module: first.module,
      classes: [...new Set(group.map((entry) => entry.className))],
      entries: group.map((entry) => ({
        keyPath: entry.keyPath,
        role: entry.role,
        reference: entry.reference,
      })),
    };
    if (first.repository !== undefined) {
      ctx.report({
        rule: "MA631",
        member: file.path,
        keyPath: first.keyPath,
        message:
          `${roles} loads ${classes} from ${first.module}.py of another repository, ${first.repository}: ` +
          "transformers downloads that code and runs it when the model is loaded with trust_remote_code=True",
        details: { ...details, repository: first.repository },
      });
      continue;
    }
    const modulePath = `${directory}${first.module}.py`;
    const opened = await ctx.openSibling(modulePath, { member: file.path, keyPath: first.keyPath });
    const calls = opened.ok ? await remoteCallsOf(modulePath, ctx, cache) : [];
    if (calls.length > 0) {
      const [{ file: where, call }] = calls;
      const when = call.importTime ? "when it is imported" : "when its function runs";
      ctx.report({
        rule: "MA633",
        member: file.path,
        keyPath: first.keyPath,
        message: `${roles} loads ${classes} from ${first.module}.py, whose code calls ${call.callable} ` +
          `(${where} line ${call.line}) ${when}: loading the model with trust_remote_code=True runs it`,
        // Calls only inside functions run when the model's code calls them, not for certain.
        ...(calls.some((c) => c.call.importTime) ? {} : { severity: "warning" as const }),
        details: {
          ...details,
          file: modulePath,
          calls: calls.slice(0, MAX_LISTED_CALLS).map(({ file, call }) => ({
            file,
            callable: call.callable,
            line: call.line,
            column: call.column,
            importTime: call.importTime,
          })),
        },
      });
      continue;
    }
    ctx.report({
      rule: "MA630",
      member: file.path,
      keyPath: first.keyPath,
      message: `${roles} loads ${classes} from ${first.module}.py: ` +
        "transformers imports that module, running its code, when the model is loaded with trust_remote_code=True",
      details: { ...details, file: modulePath },
    });
    if (!opened.ok && !opened.escape) {
      ctx.report({
        rule: "MA632",
        member: file.path,
        keyPath: first.keyPath,
        message: `${first.module}.py, which ${roles} loads, is not in the folder: ` +
          "the code that would run was not scanned (transformers would fetch it from the Hub)",
        details: { module: first.module, file: modulePath, reason: opened.reason },
      });
    }
  }
}

/**
 * Plans a Hugging Face folder: its configs' remote code is reported, its files scanned by their content.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scan } from "../../engine/scan.ts";
 * // A folder as save_pretrained writes it for a model with remote code: the auto_map is a warning.
 * const result = await scan(["fixtures/huggingface/benign/remote_code"], { sandbox: false });
 * const findings = result.files.flatMap((file) => file.findings.map((f) => [f.rule, f.location.keyPath]));
 * assert.deepEqual(findings, [["MA630", "$.auto_map.AutoConfig"], ["MA630", "$.auto_map.AutoModelForCausalLM"]]);
 * ```
 */
export const huggingFaceFolder: DirectoryScanner = {
  async plan(files, ctx) {
    const hasOnnx = files.some((file) => file.path.toLowerCase().endsWith(".onnx"));
    const plans: Map<string, MemberPlan> = hasOnnx ? await onnxFolderScanner.plan(files, ctx) : new Map();
    const cache: RemoteCallCache = new Map();
    for (const file of files) {
      const name = file.path.slice(file.path.lastIndexOf("/") + 1);
      if (REMOTE_CODE_CONFIGS.has(name)) await _checkConfig(file, ctx, cache);
    }
    return plans;
  },
};
