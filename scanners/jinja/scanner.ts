/**
 * The chat-template scanners: a `.jinja` file is one template; `tokenizer_config.json`
 * and `chat_template.json` hold one under `chat_template`, as a string or as a list
 * of `{name, template}` objects. Each template is analysed by `analyze.ts`.
 *
 * @module
 */

import type { ByteSource } from "../../core/byte_source.ts";
import type { ScanContext, Scanner } from "../../core/scanner.ts";
import { analyzeTemplate } from "./analyze.ts";
import { scannerOptions } from "../options.ts";
import { DEFAULT_JINJA_OPTIONS } from "../option_catalog.ts";
import { headIsText, utf8Text } from "../strings/utf8_text.ts";

/**
 * Scans a `.jinja` file as one chat template; findings are located by line and column.
 * Claimed when its content is UTF-8 text (a template that then fails to parse is MA503).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { jinjaScanner } from "./scanner.ts";
 * const bytes = new TextEncoder().encode("{% for m in messages %}{{ m.content }}{% endfor %}");
 * assert.equal(await jinjaScanner.confirm?.(bytes, bytesSource(bytes)), true);
 * ```
 */
export const jinjaScanner: Scanner = {
  confirm: headIsText,
  async scan(source: ByteSource, ctx: ScanContext) {
    if (source.size > scannerOptions(ctx).jinja.maxTemplateBytes) return _tooLarge(ctx, source.size);
    const text = utf8Text(await source.read(0, source.size));
    if (text === undefined) {
      ctx.report({ rule: "MA503", message: "Chat template is not UTF-8 text: not analysed", details: {} });
      return;
    }
    analyzeTemplate(text, (finding) => ctx.report(finding));
  },
};

/** Parsed JSON of sources confirmed, so that scanning does not parse them again. */
const parsed = new WeakMap<ByteSource, Record<string, unknown>>();

/** The JSON object in `source` if it has a `chat_template` key, else `undefined`; not read over `maxBytes`. */
async function _templateHolder(
  source: ByteSource,
  maxBytes: number,
): Promise<Record<string, unknown> | undefined> {
  const known = parsed.get(source);
  if (known || source.size > maxBytes) return known;
  const text = utf8Text(await source.read(0, source.size));
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== "object" || Array.isArray(value) || !Object.hasOwn(value, "chat_template")) {
    return undefined;
  }
  parsed.set(source, value as Record<string, unknown>);
  return value as Record<string, unknown>;
}

/**
 * Scans the `chat_template` of a `tokenizer_config.json` or `chat_template.json`: a string
 * (`$.chat_template`), or a list of named templates (`$.chat_template[1].template`).
 * Claimed only when the file parses as a JSON object with that key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { chatTemplateJsonScanner } from "./scanner.ts";
 * const config = new TextEncoder().encode('{"model_max_length": 2048}');
 * assert.equal(await chatTemplateJsonScanner.confirm?.(config, bytesSource(config)), false);
 * ```
 */
export const chatTemplateJsonScanner: Scanner = {
  // A file too large to parse at detection is claimed by its name: the scan, which knows the
  // scan's limit, then parses it or reports it unread (a padded config must not pass unseen).
  confirm: async (_head, source) =>
    source.size > DEFAULT_JINJA_OPTIONS.maxConfigBytes ||
    (await _templateHolder(source, DEFAULT_JINJA_OPTIONS.maxConfigBytes)) !== undefined,
  async scan(source: ByteSource, ctx: ScanContext) {
    const { maxConfigBytes } = scannerOptions(ctx).jinja;
    if (source.size > maxConfigBytes) {
      ctx.report({
        rule: "MA503",
        message:
          `Chat template file of ${source.size} bytes is larger than ${maxConfigBytes} bytes: not analysed`,
        details: { size: source.size, limit: maxConfigBytes, option: "jinja.maxConfigBytes" },
      });
      return;
    }
    const holder = await _templateHolder(source, maxConfigBytes);
    // confirm said yes before, so the source parses; without it, there is nothing to scan.
    if (!holder) return;
    const templates = holder.chat_template;
    if (typeof templates === "string") {
      _analyze(ctx, templates, "$.chat_template");
    } else if (Array.isArray(templates)) {
      templates.forEach((entry, index) => {
        const keyPath = `$.chat_template[${index}]`;
        if (entry && typeof entry === "object" && typeof entry.template === "string") {
          _analyze(ctx, entry.template, `${keyPath}.template`);
        } else {
          _malformed(ctx, keyPath, "a list entry is not a {name, template} object with a template string");
        }
      });
    } else if (templates !== null) {
      _malformed(
        ctx,
        "$.chat_template",
        `it is ${typeof templates === "object" ? "an object" : `a ${typeof templates}`}`,
      );
    }
  },
};

/** Analyses the template `text` at `keyPath`, unless it is longer than the analysis takes. */
function _analyze(ctx: ScanContext, text: string, keyPath: string): void {
  const size = new TextEncoder().encode(text).length;
  if (size > scannerOptions(ctx).jinja.maxTemplateBytes) return _tooLarge(ctx, size, keyPath);
  analyzeTemplate(text, (finding) => ctx.report(finding), { keyPath });
}

/** MA503 for a template of `size` bytes, more than the analysis takes (`jinja.maxTemplateBytes`). */
function _tooLarge(ctx: ScanContext, size: number, keyPath?: string): void {
  const { maxTemplateBytes } = scannerOptions(ctx).jinja;
  ctx.report({
    rule: "MA503",
    message: `Chat template of ${size} bytes is larger than ${maxTemplateBytes} bytes: not analysed`,
    keyPath,
    details: { size, limit: maxTemplateBytes, option: "jinja.maxTemplateBytes" },
  });
}

function _malformed(ctx: ScanContext, keyPath: string, why: string): void {
  ctx.report({
    rule: "MA505",
    message: `chat_template is neither a template string nor a list of named templates: ${why}`,
    keyPath,
    details: {},
  });
}
