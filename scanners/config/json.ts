/**
 * JSON configuration files, read with the strict reader the safetensors scanner
 * uses (`../safetensors/strict_json.ts`): it keeps every repeated key, which
 * `JSON.parse` drops, and the byte offset of every value. A repeated key is
 * MA522: Python's `json` keeps the last value, other readers the first. A file
 * that does not parse is MA520, one with more values than `config.maxValues` MA521.
 *
 * @module
 */

import type { ScanContext } from "../../core/scanner.ts";
import { type JsonNode, keyPathOf, parseStrictJson } from "../safetensors/strict_json.ts";
import type { ConfigOptions } from "../option_catalog.ts";
import { LineIndex } from "../strings/line_index.ts";
import type { ConfigNode } from "./tree.ts";

/**
 * The JSON of `bytes` (UTF-8, its byte order mark already dropped; `base` bytes dropped before them) as
 * a tree with lines and columns (in bytes), its problems reported to `ctx`; `undefined` when it does not parse.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { parseJsonConfig } from "./json.ts";
 * import { DEFAULT_CONFIG_OPTIONS } from "../option_catalog.ts";
 * const { ctx, findings } = recordingContext("config.json");
 * const tree = parseJsonConfig(ctx, new TextEncoder().encode('{"a": "x",\n "a": "y"}'), DEFAULT_CONFIG_OPTIONS);
 * assert.equal(tree?.kind, "map");
 * assert.deepEqual(findings.map((f) => [f.rule, f.keyPath, f.line]), [["MA522", "$.a", 2]]);
 * ```
 */
export function parseJsonConfig(
  ctx: ScanContext,
  bytes: Uint8Array,
  options: Readonly<ConfigOptions>,
  base = 0,
): ConfigNode | undefined {
  const lines = new LineIndex(bytes);
  const result = parseStrictJson(bytes, 0, options.maxValues);
  if (!result.ok) {
    ctx.report(
      result.limit
        ? {
          rule: "MA521",
          message: `The JSON holds more than ${options.maxValues} values: not inspected`,
          ...lines.place(result.position),
          details: { option: "config.maxValues", max: options.maxValues },
        }
        : {
          rule: "MA520",
          message: `The JSON does not parse: ${result.reason}`,
          position: base + result.position,
          ...lines.place(result.position),
          details: { format: "json", reason: result.reason },
        },
    );
    return undefined;
  }
  for (const duplicate of result.duplicates) {
    const first = lines.place(duplicate.first);
    ctx.report({
      rule: "MA522",
      message:
        `The key "${duplicate.key}" appears twice in one JSON object (first on line ${first.line}): readers keep different values`,
      keyPath: keyPathOf(duplicate.objectPath, duplicate.key),
      position: base + duplicate.repeated,
      ...lines.place(duplicate.repeated),
      details: { key: duplicate.key, firstLine: first.line! },
    });
  }
  return _convert(result.value, lines);
}

/** The tree of a strict JSON value, built without recursion (the reader bounds its nesting at 128). */
function _convert(root: JsonNode, lines: LineIndex): ConfigNode {
  const out: { node?: ConfigNode } = {};
  const work: { node: JsonNode; put: (converted: ConfigNode) => void }[] = [{
    node: root,
    put: (c) => out.node = c,
  }];
  while (work.length > 0) {
    const { node, put } = work.pop()!;
    const place = lines.place(node.start);
    if (node.kind === "string") put({ kind: "string", value: node.value, place });
    else if (node.kind === "object") {
      const entries = node.entries.map((e) => ({ key: e.key, value: { kind: "other" } as ConfigNode }));
      put({ kind: "map", entries, place });
      node.entries.forEach((e, i) => work.push({ node: e.value, put: (c) => entries[i].value = c }));
    } else if (node.kind === "array") {
      const items: ConfigNode[] = node.items.map(() => ({ kind: "other" }));
      put({ kind: "list", items, place });
      node.items.forEach((item, i) => work.push({ node: item, put: (c) => items[i] = c }));
    } else if (node.kind === "literal") put({ kind: "other", value: node.value, place });
    else put({ kind: "other", value: Number(node.text), place });
  }
  return out.node!;
}
