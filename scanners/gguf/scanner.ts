/**
 * The GGUF scanner and the legacy GGML-family scanner. A GGUF file runs no code by design:
 * attacks go through its parsers (counts, lengths, types and offsets that make loaders
 * allocate terabytes, read out of bounds or disagree) and through its chat templates, the
 * one part that is code (every inference server renders them with Jinja). The header is read
 * through a bounded window ({@linkcode readGgufHeader}), the tensor table checked against the
 * file ({@linkcode checkTensorTable}); tensor data is never read.
 *
 * Every chat template (`tokenizer.chat_template`, `tokenizer.chat_template.<name>`) is
 * collected with its key path and position; other strings (metadata values, array elements,
 * tensor names, legacy vocabularies) are checked against the user's `--blacklist` (MA005).
 *
 * @module
 */

import { type ByteSource, subSource } from "../../core/byte_source.ts";
import type { ScanContext, Scanner } from "../../core/scanner.ts";
import { metadataKeyPath, readGgufHeader } from "./header.ts";
import { readLegacyGgml } from "./legacy.ts";
import { checkTensorTable } from "./tensors.ts";

/** A chat template found in a GGUF's metadata. */
export interface ChatTemplate {
  /** Its metadata key, e.g. `tokenizer.chat_template.tool_use`. */
  readonly key: string;
  /** Its key path, e.g. `$["tokenizer.chat_template"]`. */
  readonly keyPath: string;
  /** Offset of its first byte in the file. */
  readonly position: number;
  /** The template's source text. */
  readonly text: string;
}

/**
 * Whether metadata key `key` holds a chat template: `tokenizer.chat_template`, or a named one
 * (`tokenizer.chat_template.<name>`, as llama.cpp's `llama_model_chat_template` looks them up).
 *
 * @example
 * ```ts
 * import { isChatTemplateKey } from "./scanner.ts";
 * isChatTemplateKey("tokenizer.chat_template.rag"); // true
 * isChatTemplateKey("tokenizer.chat_templates"); // false (the list of names)
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
 * Hands the templates to the template analysis. Until that analysis is part of modelaudit,
 * each template is named as not inspected (MA348), never passed in silence.
 */
function analyseTemplates(templates: readonly ChatTemplate[], ctx: ScanContext): void {
  for (const { key, keyPath, position, text } of templates) {
    checkBlacklist(ctx, text, `The chat template ${key}`, position, keyPath);
    ctx.report({
      rule: "MA348",
      message:
        `The chat template ${key} (${text.length} characters) is rendered by inference servers and was not analysed: this version has no template analysis`,
      position,
      keyPath,
      details: { key, length: text.length },
    });
  }
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
 * import { bytesSource } from "../../core/byte_source.ts";
 * import type { ScanContext } from "../../core/scanner.ts";
 * import { scanGguf } from "./scanner.ts";
 * declare const ctx: ScanContext;
 * declare const gguf: Uint8Array;
 * await scanGguf(bytesSource(gguf), ctx);
 * ```
 */
export async function scanGguf(source: ByteSource, ctx: ScanContext): Promise<void> {
  const templates: ChatTemplate[] = [];
  const header = await readGgufHeader(source, {
    report: (finding) => ctx.report(finding),
    string(text, key, keyPath, position) {
      if (isChatTemplateKey(key) && keyPath === metadataKeyPath(key)) {
        templates.push({ key, keyPath, position, text });
      } else {
        checkBlacklist(ctx, text, `The metadata string at ${keyPath}`, position, keyPath);
      }
    },
    signal: ctx.signal,
  });
  const end = header && checkTensorTable(header, source.size, (finding) => ctx.report(finding));
  analyseTemplates(templates, ctx);
  if (end !== undefined && end < source.size) await scanTrailing(source, end, ctx);
}

/**
 * The GGUF scanner, loaded by its registry entry (`ggufDescriptor` in `descriptor.ts`).
 *
 * @example
 * ```ts
 * import { ggufScanner } from "./scanner.ts";
 * typeof ggufScanner.scan; // "function"
 * ```
 */
export const ggufScanner: Scanner = { scan: scanGguf };

/**
 * The legacy GGML-family scanner (`ggml`, `ggmf`, `ggjt`, `ggla`), loaded by `ggmlDescriptor`.
 *
 * @example
 * ```ts
 * import { ggmlScanner } from "./scanner.ts";
 * typeof ggmlScanner.scan; // "function"
 * ```
 */
export const ggmlScanner: Scanner = {
  scan: (source, ctx) =>
    readLegacyGgml(source, {
      report: (finding) => ctx.report(finding),
      token: (text, index, position) =>
        checkBlacklist(ctx, text, `Vocabulary token ${index}`, position, `vocab[${index}]`),
      signal: ctx.signal,
    }),
};
