/**
 * YAML configuration files, parsed with `npm:yaml` into its document nodes and
 * read from there: nothing is ever constructed (no `toJS`), so tags stay text and
 * aliases stay references. Reported here: parse errors (MA520), repeated keys
 * (MA522; PyYAML keeps the last, `npm:yaml` would refuse), language object tags
 * (MA523 for Python, judged by the policy; MA524 for Ruby, Java, PHP), and
 * aliases that would expand the document past `config.maxExpansion` nodes
 * (MA527), a number computed from the nodes, never by expanding them.
 *
 * @module
 */

// Before the parser: it reads environment variables on every token (see node_env.ts).
import "../node_env.ts";
import { type Document, isAlias, isMap, isScalar, isSeq, type Node, parseAllDocuments } from "yaml";
import type { ScanContext } from "../../core/scanner.ts";
import type { ConfigOptions } from "../option_catalog.ts";
import { judgeDottedPath } from "./targets.ts";
import type { LineIndex } from "../strings/line_index.ts";
import type { ConfigEntry, ConfigNode } from "./tree.ts";
import { displayTag, objectTag } from "./yaml_tags.ts";

/** The YAML of `text` as one tree (a list of documents when it holds several), its problems reported to `ctx`. */
export function parseYamlConfig(
  ctx: ScanContext,
  text: string,
  lines: LineIndex,
  options: Readonly<ConfigOptions>,
): ConfigNode | undefined {
  const parsed = parseAllDocuments(text, { uniqueKeys: false, version: "1.1", prettyErrors: false });
  const documents = Array.isArray(parsed) ? parsed : [];
  const trees: ConfigNode[] = [];
  let reportedError = false;
  for (const document of documents) {
    const error = document.errors[0];
    if (error && !reportedError) {
      reportedError = true;
      ctx.report({
        rule: "MA520",
        message: `The YAML does not parse: ${error.message.split("\n")[0]}`,
        ...lines.place(error.pos[0]),
        details: { format: "yaml", code: error.code },
      });
    }
    if (document.contents === null) continue;
    _checkAliases(ctx, document, lines, options);
    trees.push(_convert(ctx, document.contents, lines, options));
  }
  if (trees.length === 0) return documents.length === 0 ? undefined : { kind: "other" };
  return trees.length === 1 ? trees[0] : { kind: "list", items: trees };
}

/** The tree of one document's `root`, built without recursion; tags and repeated keys reported on the way. */
function _convert(
  ctx: ScanContext,
  root: Node,
  lines: LineIndex,
  options: Readonly<ConfigOptions>,
): ConfigNode {
  const result: { node?: ConfigNode } = {};
  const work: { node: Node; depth: number; put: (converted: ConfigNode) => void }[] = [
    { node: root, depth: 0, put: (converted) => result.node = converted },
  ];
  while (work.length > 0) {
    const { node, depth, put } = work.pop()!;
    const place = node.range ? lines.place(node.range[0]) : undefined;
    if (node.tag !== undefined && !isAlias(node)) _checkTag(ctx, node.tag, place);
    if (isAlias(node)) put({ kind: "other", place });
    else if (isScalar(node)) {
      const value = node.value;
      if (typeof value === "string") put({ kind: "string", value, place });
      else if (value === null || typeof value === "number" || typeof value === "boolean") {
        put({ kind: "other", value, place });
      } else put({ kind: "other", place });
    } else if (depth > options.maxDepth) put({ kind: "unread", place });
    else if (isMap(node)) {
      const entries: ConfigEntry[] = [];
      const seen = new Map<string, number>();
      const pending: (() => void)[] = [];
      put({ kind: "map", entries, place });
      for (const pair of node.items) {
        const key = isScalar(pair.key)
          ? String(pair.key.value)
          : isAlias(pair.key)
          ? `*${pair.key.source}`
          : "?";
        const keyPlace = isScalar(pair.key) && pair.key.range ? lines.place(pair.key.range[0]) : place;
        if (isScalar(pair.key) && pair.key.tag !== undefined) _checkTag(ctx, pair.key.tag, keyPlace);
        // A collection as a key (`? [a, b]`) is constructed like any value: its tags are judged too.
        if (key === "?" && pair.key) {
          const complexKey = pair.key as Node;
          pending.push(() => work.push({ node: complexKey, depth: depth + 1, put: () => {} }));
        }
        const line = key === "?" ? undefined : seen.get(key);
        if (line !== undefined && key !== "<<") {
          ctx.report({
            rule: "MA522",
            message:
              `The key "${key}" appears twice in one YAML mapping (first on line ${line}): loaders keep different values`,
            ...keyPlace,
            details: { key, firstLine: line },
          });
        }
        seen.set(key, keyPlace?.line ?? 0);
        const entry: ConfigEntry = { key, value: { kind: "other" } };
        entries.push(entry);
        const value = pair.value;
        if (value) {
          pending.push(() =>
            work.push({ node: value as Node, depth: depth + 1, put: (v) => entry.value = v })
          );
        }
      }
      // The work is a stack: pushed last to first, the values are read (and their tags reported) in order.
      pending.reverse().forEach((push) => push());
    } else if (isSeq(node)) {
      const items: ConfigNode[] = new Array(node.items.length).fill({ kind: "other" });
      put({ kind: "list", items, place });
      for (let i = node.items.length - 1; i >= 0; i--) {
        const item = node.items[i];
        if (item) {
          work.push({
            node: item as Node,
            depth: depth + 1,
            put: (converted) => items[i] = converted,
          });
        }
      }
    } else put({ kind: "other", place });
  }
  return result.node!;
}

/** Reports a tag that makes a language's loader build an object. */
function _checkTag(
  ctx: ScanContext,
  tag: string,
  place: { line?: number; column?: number } | undefined,
): void {
  const object = objectTag(tag);
  if (!object) return;
  const details = {
    tag,
    language: object.language,
    kind: object.kind,
    ...(object.callable === undefined ? {} : { callable: object.callable }),
  };
  if (object.language === "python") {
    if (object.callable === undefined) {
      ctx.report({
        rule: "MA523",
        severity: "info",
        message: `The Python tag ${
          displayTag(tag)
        } builds a ${object.kind} only, but needs a loader beyond yaml.safe_load`,
        ...place,
        details,
      });
      return;
    }
    const verdict = judgeDottedPath(ctx.policy, object.callable);
    const denied = verdict.tier === "denied";
    ctx.report({
      rule: "MA523",
      severity: denied ? "critical" : "warning",
      message: `The Python tag !!python/${object.kind} makes an unsafe YAML loader ${
        object.kind === "module" ? "import" : "import and call"
      } ${verdict.name}${denied ? `: ${verdict.reason}` : ""}`,
      ...place,
      details: { ...details, tier: verdict.tier, ...(verdict.entry ? { entry: verdict.entry } : {}) },
    });
    return;
  }
  const what = object.callable ? `${object.callable}` : `a ${object.kind}`;
  ctx.report({
    rule: "MA524",
    severity: object.gadget ? "critical" : object.data ? "info" : "warning",
    message: `The ${object.language} tag ${displayTag(tag)} makes ${
      { ruby: "Ruby's Psych", java: "SnakeYAML", php: "Symfony YAML" }[object.language]
    } build ${what}${object.gadget ? ", a class known to run code when built" : ""}`,
    ...place,
    details: { ...details, ...(object.gadget ? { gadget: true } : {}) },
  });
}

/**
 * Reports MA527 when the document's aliases would expand it past `maxExpansion` nodes. Each
 * node's expanded size is computed once, from its children's; the sums saturate just past the limit.
 */
function _checkAliases(
  ctx: ScanContext,
  document: Document.Parsed,
  lines: LineIndex,
  options: Readonly<ConfigOptions>,
): void {
  const targets = _aliasTargets(document.contents!, options.maxDepth);
  if (targets.size === 0) return;
  const limit = options.maxExpansion;
  const sizes = new Map<Node, number>();
  const stack: { node: Node; expanded: boolean }[] = [{ node: document.contents!, expanded: false }];
  const open = new Set<Node>();
  let first: Node | undefined;
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (!top.expanded && sizes.has(top.node)) {
      stack.pop(); // pushed twice (two aliases of one anchor) and sized since
      continue;
    }
    const children = _children(top.node, targets);
    if (!top.expanded) {
      top.expanded = true;
      open.add(top.node);
      for (const child of children) {
        if (!sizes.has(child) && !open.has(child)) stack.push({ node: child, expanded: false });
      }
      continue;
    }
    stack.pop();
    open.delete(top.node);
    // A child without a size is an ancestor (an alias inside its own anchor): the cycle counts once.
    let size = isAlias(top.node) ? 0 : 1;
    for (const child of children) size = Math.min(limit + 1, size + (sizes.get(child) ?? 1));
    sizes.set(top.node, size);
    if (size > limit && first === undefined) first = top.node;
  }
  if ((sizes.get(document.contents!) ?? 0) > limit) {
    ctx.report({
      rule: "MA527",
      message:
        `YAML aliases would expand this document to more than ${limit} nodes: an alias bomb (not expanded)`,
      ...(first?.range ? lines.place(first.range[0]) : {}),
      details: { limit, option: "config.maxExpansion", aliases: targets.size },
    });
  }
}

/**
 * The node each alias of the tree under `root` refers to: the last node anchored with its name before it,
 * in document order (an anchor is defined where its node starts). Nodes deeper than `maxDepth` are not read.
 */
function _aliasTargets(root: Node, maxDepth: number): Map<Node, Node> {
  const anchors = new Map<string, Node>();
  const targets = new Map<Node, Node>();
  const stack: { node: Node; depth: number }[] = [{ node: root, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target) targets.set(node, target);
      continue;
    }
    if ("anchor" in node && typeof node.anchor === "string") anchors.set(node.anchor, node);
    if (depth >= maxDepth) continue;
    const children = _children(node, targets);
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i], depth: depth + 1 });
  }
  return targets;
}

/** The nodes under `node`: a collection's keys and values, an alias's target. */
function _children(node: Node, targets: ReadonlyMap<Node, Node>): Node[] {
  if (isAlias(node)) {
    const target = targets.get(node);
    return target ? [target] : [];
  }
  if (isMap(node)) {
    return node.items.flatMap((pair) =>
      [pair.key, pair.value].filter((n): n is Node => !!n && typeof n === "object")
    );
  }
  if (isSeq(node)) return node.items.filter((n): n is Node => !!n && typeof n === "object");
  return [];
}
