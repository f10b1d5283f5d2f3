/**
 * The GGUF scanner and the legacy GGML-family scanner. A GGUF file runs no code by design:
 * attacks go through its parsers (counts, lengths, types and offsets that make loaders
 * allocate terabytes, read out of bounds or disagree) and through its chat templates, the
 * one part that is code (every inference server renders them with Jinja). The header is read
 * through a bounded window ({@linkcode readGgufHeader}), the tensor table checked against the
 * file ({@linkcode checkTensorTable}); tensor data is never read.
 *
 * Every chat template (`tokenizer.chat_template`, `tokenizer.chat_template.<name>`) is analysed
 * as code by the Jinja analysis, located by its key path and first byte. Every metadata string
 * (templates included) and tensor name goes through the shared string checks, as safetensors
 * metadata does; the vocabulary's tokens and merges, which run to hundreds of thousands of
 * short strings, and legacy vocabularies are checked against the user's `--blacklist` (MA005) only.
 *
 * @module
 */

import { type ByteSource, subSource } from "../../core/byte_source.ts";
import type { ScanContext, Scanner } from "../../core/scanner.ts";
import { analyzeTemplate } from "../jinja/analyze.ts";
import { scannerOptions } from "../options.ts";
import { checkString } from "../strings/checks.ts";
import { metadataKeyPath, readGgufHeader, tensorKeyPath } from "./header.ts";
import { readLegacyGgml } from "./legacy.ts";
import { checkTensorTable } from "./tensors.ts";
import { listGgufTensors } from "./inventory.ts";

/**
 * Metadata arrays that hold the vocabulary (llama.cpp's `tokenizer.ggml.tokens` and `.merges`):
 * up to hundreds of thousands of short strings each, which the loader turns into token ids and
 * never into prompts or commands.
 */
const VOCABULARY_KEYS: ReadonlySet<string> = new Set(["tokenizer.ggml.tokens", "tokenizer.ggml.merges"]);

/** How a tensor name's key path starts (`tensors["output.weight"]`); a metadata key's starts with `$`. */
const TENSOR_KEY_PATH_PREFIX = tensorKeyPath("").slice(0, -2);

/**
 * Whether metadata key `key` holds a chat template: `tokenizer.chat_template`, or a named one
 * (`tokenizer.chat_template.<name>`, as llama.cpp's `llama_model_chat_template` looks them up).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isChatTemplateKey } from "./scanner.ts";
 * assert.equal(isChatTemplateKey("tokenizer.chat_template"), true);
 * assert.equal(isChatTemplateKey("tokenizer.chat_template.rag"), true);
 * assert.equal(isChatTemplateKey("tokenizer.chat_templates"), false); // the list of names
 * ```
 */
export function isChatTemplateKey(key: string): boolean {
  return key === "tokenizer.chat_template" || key.startsWith("tokenizer.chat_template.");
}

/** MA005 for a string that matches a `--blacklist` pattern. */
function checkBlacklist(
  ctx: ScanContext,
  text: string,
  what: string,
  position: number,
  keyPath?: string,
): void {
  const pattern = ctx.matchBlacklist(text);
  if (pattern === undefined) return;
  ctx.report({
    rule: "MA005",
    message: `${what} matches the blacklist pattern "${pattern}"`,
    position,
    keyPath,
    details: { pattern },
  });
}

/**
 * Analyses the chat template `text` of metadata key `key` as code, or names it as not inspected
 * (MA348) when it is longer than any template the analysis takes.
 */
function analyseTemplate(
  ctx: ScanContext,
  text: string,
  key: string,
  keyPath: string,
  position: number,
): void {
  const bytes = new TextEncoder().encode(text).length;
  const { maxTemplateBytes } = scannerOptions(ctx).jinja;
  if (bytes > maxTemplateBytes) {
    ctx.report({
      rule: "MA348",
      message:
        `The chat template ${key} (${bytes} bytes) is longer than the ${maxTemplateBytes} bytes the template analysis takes and was not analysed; inference servers render it`,
      position,
      keyPath,
      details: { key, length: bytes, limit: maxTemplateBytes, option: "jinja.maxTemplateBytes" },
    });
    return;
  }
  analyzeTemplate(text, (finding) => ctx.report(finding), { keyPath, position });
}

/** Metadata strings listed as facts of the file: what model it is. */
const FACT_KEYS = new Set([
  "general.architecture",
  "general.name",
  "general.basename",
  "general.size_label",
  "general.organization",
  "general.license",
  "tokenizer.ggml.model",
]);

/**
 * What the scanner does with each string the header holds: a chat template is analysed as code
 * and, like every other metadata string and tensor name, goes through the shared string checks;
 * a vocabulary entry is checked against `--blacklist` only, without a promise to wait for (there
 * are hundreds of thousands).
 */
function checkHeaderString(
  ctx: ScanContext,
  text: string,
  key: string,
  keyPath: string,
  position: number,
): Promise<void> | undefined {
  const isMetadata = !keyPath.startsWith(TENSOR_KEY_PATH_PREFIX);
  if (isMetadata && VOCABULARY_KEYS.has(key)) {
    checkBlacklist(ctx, text, `The vocabulary entry at ${keyPath}`, position, keyPath);
    return undefined;
  }
  ctx.signal.throwIfAborted();
  const template = isMetadata && isChatTemplateKey(key) && keyPath === metadataKeyPath(key);
  if (template) analyseTemplate(ctx, text, key, keyPath, position);
  if (ctx.inventory && isMetadata && keyPath === metadataKeyPath(key)) {
    if (template) ctx.inventory.fact("chat_template", key);
    else if (FACT_KEYS.has(key)) ctx.inventory.fact(key, text);
  }
  const what = template
    ? `The chat template ${key}`
    : isMetadata
    ? `The GGUF metadata string at ${keyPath}`
    : `The GGUF tensor name at ${keyPath}`;
  return checkString(ctx, text, { what, position, keyPath });
}

/**
 * Bytes after the last tensor's padded data: no GGUF reader reads them, so they are a place to
 * carry a payload for another loader (a pickle that `torch.load` would read from offset 0 is
 * the engine's concern; one appended here is scanned as what its content is).
 */
async function scanTrailing(source: ByteSource, end: number, ctx: ScanContext): Promise<void> {
  const trailing = source.size - end;
  ctx.report({
    rule: "MA349",
    message: `${trailing} bytes follow the last tensor's data; no GGUF reader reads them`,
    position: end,
    details: { trailingBytes: trailing },
  });
  await ctx.scanNested(subSource(source, end, trailing), `<trailing@${end}>`, { opportunistic: true });
}

/**
 * Scans a GGUF file: its header as llama.cpp's reader checks it, its tensor table against the
 * file, its strings and its chat templates.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { scanGguf } from "./scanner.ts";
 * // A gguf-py file with a pickle that runs os.system appended after the last tensor's data.
 * const gguf = await Deno.readFile("fixtures/gguf/malicious/trailing_pickle.gguf");
 * const { ctx, findings, nested } = recordingContext("model.gguf");
 * await scanGguf(bytesSource(gguf), ctx);
 * assert.deepEqual(findings.map((finding) => finding.rule), ["MA349"]); // the bytes after the tensors
 * assert.deepEqual(nested, ["<trailing@8256>"]); // the trailing bytes are scanned as a payload of their own
 * ```
 */
export async function scanGguf(source: ByteSource, ctx: ScanContext): Promise<void> {
  const header = await readGgufHeader(source, {
    report: (finding) => ctx.report(finding),
    string: (text, key, keyPath, position) => checkHeaderString(ctx, text, key, keyPath, position),
    signal: ctx.signal,
  }, scannerOptions(ctx).gguf);
  const end = header && checkTensorTable(header, source.size, (finding) => ctx.report(finding));
  if (header && ctx.inventory) {
    ctx.inventory.fact("gguf.version", header.version);
    await listGgufTensors(header, source, ctx.inventory);
  }
  if (end !== undefined && end < source.size) await scanTrailing(source, end, ctx);
}

/**
 * The GGUF scanner, loaded by its registry entry (`ggufDescriptor` in `descriptor.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { ggufScanner } from "./scanner.ts";
 * const { ctx, findings } = recordingContext("vocab.gguf");
 * await ggufScanner.scan(bytesSource(await Deno.readFile("fixtures/gguf/benign/vocab_only_v3.gguf")), ctx);
 * assert.deepEqual(findings, []);
 * ```
 */
export const ggufScanner: Scanner = { scan: scanGguf };

/**
 * The legacy GGML-family scanner (`ggml`, `ggmf`, `ggjt`, `ggla`), loaded by `ggmlDescriptor`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { ggmlScanner } from "./scanner.ts";
 * const { ctx, findings } = recordingContext("llama.bin");
 * await ggmlScanner.scan(bytesSource(await Deno.readFile("fixtures/gguf/benign/llama_ggjt_v3.bin")), ctx);
 * assert.deepEqual(findings.map((finding) => finding.rule), ["MA346"]); // a legacy format, read in part
 * ```
 */
export const ggmlScanner: Scanner = {
  scan: (source, ctx) =>
    readLegacyGgml(source, {
      report: (finding) => ctx.report(finding),
      token: (text, index, position) =>
        checkBlacklist(ctx, text, `Vocabulary token ${index}`, position, `vocab[${index}]`),
      signal: ctx.signal,
    }, scannerOptions(ctx).gguf),
};
