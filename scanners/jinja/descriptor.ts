/**
 * The chat-template files as the registry knows them before their scanner loads:
 * Jinja files (`chat_template.jinja`, `additional_chat_templates/*.jinja`), and the
 * JSON files transformers reads templates from (`tokenizer_config.json`,
 * `chat_template.json`). Text has no magic bytes: these are claimed by name, and
 * the scanner confirms by decoding (and, for JSON, parsing) the content.
 *
 * @module
 */

import { PRIORITY } from "../../core/detection.ts";
import type { ScannerDescriptor } from "../../core/scanner.ts";

/** JSON files whose `chat_template` transformers loads, by lower-case name. */
export const TEMPLATE_JSON_NAMES: ReadonlySet<string> = new Set([
  "tokenizer_config.json",
  "chat_template.json",
]);

/** Whether `head` starts with `{` after white space (and a UTF-8 byte order mark). */
function _startsLikeObject(head: Uint8Array): boolean {
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x09 || head[i] === 0x0a || head[i] === 0x0d)) {
    i++;
  }
  return head[i] === 0x7b;
}

/**
 * The registry entry of Jinja template files.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jinjaDescriptor } from "./descriptor.ts";
 * const text = new TextEncoder().encode("{{ messages }}");
 * assert.equal(jinjaDescriptor.detect(text, text.length, "chat_template.jinja"), true);
 * assert.equal(jinjaDescriptor.detect(text, text.length, "notes.txt"), false);
 * ```
 */
export const jinjaDescriptor: ScannerDescriptor = {
  id: "jinja",
  description: "Jinja chat template (chat_template.jinja, additional_chat_templates/*.jinja)",
  extensions: [".jinja"],
  priority: PRIORITY.text,
  detect: (_head, _size, name) => name.toLowerCase().endsWith(".jinja"),
  load: () => import("./scanner.ts").then((module) => module.jinjaScanner),
};

/**
 * The registry entry of the JSON files that hold chat templates. A `tokenizer_config.json`
 * without a `chat_template` key is not claimed: it is a plain JSON config.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chatTemplateJsonDescriptor } from "./descriptor.ts";
 * const text = new TextEncoder().encode('{"chat_template": "{{ messages }}"}');
 * assert.equal(chatTemplateJsonDescriptor.detect(text, text.length, "tokenizer_config.json"), true);
 * assert.equal(chatTemplateJsonDescriptor.detect(text, text.length, "config.json"), false);
 * ```
 */
export const chatTemplateJsonDescriptor: ScannerDescriptor = {
  id: "chat-template-json",
  description: "Chat templates in tokenizer_config.json or chat_template.json",
  extensions: [".json"],
  priority: PRIORITY.text,
  partial: true,
  detect: (head, _size, name) => TEMPLATE_JSON_NAMES.has(name.toLowerCase()) && _startsLikeObject(head),
  load: () => import("./scanner.ts").then((module) => module.chatTemplateJsonScanner),
};
