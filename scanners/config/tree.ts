/**
 * One tree for every configuration format: each parser's output (YAML's nodes,
 * the strict JSON reader's values, TOML tables, INI sections, XML elements) is
 * turned into maps, lists and strings with the place each came from, so that the
 * checks of values and of callables are written once. {@linkcode walkConfig}
 * visits the tree without recursion, within the scan's depth and value limits.
 *
 * @module
 */

import { keyPathOf } from "../safetensors/strict_json.ts";
import type { Place } from "../strings/line_index.ts";

/** One `key: value` of a map, in document order (a repeated key appears each time). */
export interface ConfigEntry {
  /** The key as text. */
  key: string;
  /** Its value. */
  value: ConfigNode;
}

/**
 * A value of a configuration file. `unread` stands for content deeper than the nesting
 * limit, which a converter did not descend into.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ConfigNode } from "./tree.ts";
 * const node: ConfigNode = { kind: "map", entries: [{ key: "lr", value: { kind: "other" } }], place: { line: 1 } };
 * assert.equal(node.kind === "map" && node.entries[0].key, "lr");
 * ```
 */
export type ConfigNode =
  | { kind: "map"; entries: ConfigEntry[]; place?: Place }
  | { kind: "list"; items: ConfigNode[]; place?: Place }
  | { kind: "string"; value: string; place?: Place }
  /** Anything else: a number, boolean or null (`value` set), or a date, an alias, an empty value. */
  | { kind: "other"; value?: number | boolean | null; place?: Place }
  | { kind: "unread"; place?: Place };

/** Why a walk stopped early, for the MA521 finding. */
export interface WalkLimit {
  /** The option reached, `config.maxDepth` or `config.maxValues`. */
  option: "config.maxDepth" | "config.maxValues";
  /** Its value. */
  max: number;
  /** Key path of the first value not inspected. */
  keyPath: string;
  /** Its place, when known. */
  place?: Place;
}

/** The bounds of one walk. */
export interface WalkBounds {
  /** Maps and lists nested deeper than this are not visited. */
  maxDepth: number;
  /** Values visited at most. */
  maxValues: number;
}

/**
 * What a walk calls for every node: the node, its key path (`$.model.optim.name`) and the last key or
 * index of that path (none for the root).
 */
export type ConfigVisit = (node: ConfigNode, keyPath: string, key?: string | number) => void | Promise<void>;

/**
 * Visits `root` and every node under it, parents before children and in document order, with its
 * key path; resolves to the limit that stopped it, if one did. Content deeper than `maxDepth`
 * (a converter's `unread`, or nesting the walk meets) and values past `maxValues` are not visited.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ConfigNode, walkConfig } from "./tree.ts";
 * const root: ConfigNode = {
 *   kind: "map",
 *   entries: [{ key: "optim", value: { kind: "map", entries: [{ key: "name", value: { kind: "string", value: "adam" } }] } }],
 * };
 * const paths: string[] = [];
 * await walkConfig(root, { maxDepth: 8, maxValues: 100 }, (node, keyPath) => void paths.push(`${keyPath}:${node.kind}`));
 * assert.deepEqual(paths, ["$:map", "$.optim:map", "$.optim.name:string"]);
 * ```
 */
export async function walkConfig(
  root: ConfigNode,
  bounds: WalkBounds,
  visit: ConfigVisit,
  rootPath = "$",
): Promise<WalkLimit | undefined> {
  const stack: { node: ConfigNode; keyPath: string; depth: number; key?: string | number }[] = [
    { node: root, keyPath: rootPath, depth: 0 },
  ];
  let visited = 0;
  while (stack.length > 0) {
    const { node, keyPath, depth, key } = stack.pop()!;
    if (node.kind === "unread" || depth > bounds.maxDepth) {
      return { option: "config.maxDepth", max: bounds.maxDepth, keyPath, place: node.place };
    }
    if (++visited > bounds.maxValues) {
      return { option: "config.maxValues", max: bounds.maxValues, keyPath, place: node.place };
    }
    await visit(node, keyPath, key);
    // Pushed in reverse, so that the stack pops them in document order.
    if (node.kind === "map") {
      for (let i = node.entries.length - 1; i >= 0; i--) {
        const { key, value } = node.entries[i];
        stack.push({ node: value, keyPath: keyPathOf(keyPath, key), depth: depth + 1, key });
      }
    } else if (node.kind === "list") {
      for (let i = node.items.length - 1; i >= 0; i--) {
        stack.push({ node: node.items[i], keyPath: keyPathOf(keyPath, i), depth: depth + 1, key: i });
      }
    }
  }
  return undefined;
}

/**
 * The tree of a plain parsed value (TOML's tables): objects as maps, arrays as lists, strings
 * as strings, everything else (numbers, dates, booleans) as `other`; no places. Built without
 * recursion; containers deeper than `maxDepth` become `unread`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { treeOfValue } from "./tree.ts";
 * assert.deepEqual(treeOfValue({ tool: ["x", 1] }, 8), {
 *   kind: "map",
 *   entries: [{ key: "tool", value: { kind: "list", items: [{ kind: "string", value: "x" }, { kind: "other", value: 1 }] } }],
 * });
 * ```
 */
export function treeOfValue(value: unknown, maxDepth: number): ConfigNode {
  const root: { node?: ConfigNode } = {};
  const work: { value: unknown; depth: number; put: (node: ConfigNode) => void }[] = [
    { value, depth: 0, put: (node) => root.node = node },
  ];
  while (work.length > 0) {
    const { value, depth, put } = work.pop()!;
    if (typeof value === "string") put({ kind: "string", value });
    else if (value === null || typeof value === "number" || typeof value === "boolean") {
      put({ kind: "other", value });
    } else if (typeof value !== "object" || value instanceof Date) put({ kind: "other" });
    else if (depth > maxDepth) put({ kind: "unread" });
    else if (Array.isArray(value)) {
      const items: ConfigNode[] = new Array(value.length);
      put({ kind: "list", items });
      value.forEach((item, i) =>
        work.push({ value: item, depth: depth + 1, put: (node) => items[i] = node })
      );
    } else if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) {
      put({ kind: "other" }); // a parser's own value type (TOML's dates)
    } else {
      const entries = Object.entries(value).map(([key]): ConfigEntry => ({ key, value: { kind: "other" } }));
      put({ kind: "map", entries });
      Object.values(value).forEach((item, i) =>
        work.push({ value: item, depth: depth + 1, put: (node) => entries[i].value = node })
      );
    }
  }
  return root.node!;
}
