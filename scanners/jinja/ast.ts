/**
 * The shapes of `@huggingface/jinja`'s syntax tree that the analysis reads. The
 * package exports its parser but not its node classes, so they are described here
 * by their fields, and {@linkcode childrenOf} lists a node's children in source order.
 *
 * @module
 */

/** Any node of the tree: its `type` names its class (`MemberExpression`, `For`...). */
export interface JinjaNode {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** A lexer token, as binary and unary expressions keep their operator. */
interface OperatorToken {
  readonly value: string;
}

/** A `.name`, `[key]` or `[a:b:c]` access. */
export interface MemberNode extends JinjaNode {
  readonly object: JinjaNode;
  readonly property: JinjaNode;
  readonly computed: boolean;
}

/** `callee(args)`. */
export interface CallNode extends JinjaNode {
  readonly callee: JinjaNode;
  readonly args: JinjaNode[];
}

/** `operand | filter` or `operand | filter(args)`. */
export interface FilterNode extends JinjaNode {
  readonly operand: JinjaNode;
  readonly filter: JinjaNode;
}

/** `left op right`. */
export interface BinaryNode extends JinjaNode {
  readonly operator: OperatorToken;
  readonly left: JinjaNode;
  readonly right: JinjaNode;
}

/** `{% set assignee = value %}`. */
export interface SetNode extends JinjaNode {
  readonly assignee: JinjaNode;
  readonly value: JinjaNode | null;
}

/** `{% for loopvar in iterable %}`. */
export interface ForNode extends JinjaNode {
  readonly loopvar: JinjaNode;
  readonly iterable: JinjaNode;
}

/** `key=value` in a call. */
export interface KeywordNode extends JinjaNode {
  readonly key: JinjaNode;
  readonly value: JinjaNode;
}

/** `[start:stop:step]`. */
export interface SliceNode extends JinjaNode {
  readonly start?: JinjaNode;
  readonly stop?: JinjaNode;
  readonly step?: JinjaNode;
}

/** A literal or an identifier: its value. */
export interface ValueNode extends JinjaNode {
  readonly value: unknown;
}

/**
 * Whether `node` is an identifier, optionally one named `name`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isIdentifier } from "./ast.ts";
 * assert.equal(isIdentifier({ type: "Identifier", value: "x" }, "x"), true);
 * assert.equal(isIdentifier({ type: "StringLiteral", value: "x" }), false);
 * ```
 */
export function isIdentifier(node: unknown, name?: string): node is ValueNode & { value: string } {
  const candidate = node as JinjaNode | undefined;
  return candidate?.type === "Identifier" && (name === undefined || candidate.value === name);
}

/** The fields of each node type that hold children, in the order they appear in the source. */
const CHILD_FIELDS: Record<string, readonly string[]> = {
  Program: ["body"],
  If: ["test", "body", "alternate"],
  For: ["loopvar", "iterable", "body", "defaultBlock"],
  Set: ["assignee", "value", "body"],
  Macro: ["name", "args", "body"],
  MemberExpression: ["object", "property"],
  CallExpression: ["callee", "args"],
  ArrayLiteral: ["value"],
  TupleLiteral: ["value"],
  BinaryExpression: ["left", "right"],
  FilterExpression: ["operand", "filter"],
  FilterStatement: ["filter", "body"],
  SelectExpression: ["lhs", "test"],
  TestExpression: ["operand", "test"],
  UnaryExpression: ["argument"],
  SliceExpression: ["start", "stop", "step"],
  KeywordArgumentExpression: ["key", "value"],
  SpreadExpression: ["argument"],
  KeywordSpreadExpression: ["argument"],
  CallStatement: ["callerArgs", "call", "body"],
  Ternary: ["trueExpr", "condition", "falseExpr"],
};

/**
 * The children of `node`, in the order they appear in the template.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parse, tokenize } from "@huggingface/jinja";
 * import { childrenOf, type JinjaNode } from "./ast.ts";
 * const program = parse(tokenize("{{ a.b }}")) as unknown as JinjaNode;
 * const [member] = childrenOf(program);
 * assert.deepEqual(childrenOf(member).map((n) => n.value), ["a", "b"]);
 * ```
 */
export function childrenOf(node: JinjaNode): JinjaNode[] {
  if (node.type === "ObjectLiteral") {
    return [...(node.value as Map<JinjaNode, JinjaNode>)].flat();
  }
  const children: JinjaNode[] = [];
  for (const field of CHILD_FIELDS[node.type] ?? []) {
    const value = node[field];
    if (Array.isArray(value)) children.push(...(value as JinjaNode[]));
    else if (value && typeof value === "object") children.push(value as JinjaNode);
  }
  return children;
}
