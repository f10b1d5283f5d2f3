/**
 * Constant folding of Jinja expressions, so that a name spelled in pieces is
 * found as surely as a plain one: `'__glo' ~ 'bals__'`, `['__', 'globals', '__']|join`,
 * `'__slabolg__'[::-1]`, `'%c%cglobals%c%c'|format(95, 95, 95, 95)`,
 * `'{0}{0}globals{0}{0}'.format('_')`. Only expressions made of constants are
 * evaluated (and variables a `set` or a `for` over a constant list gave constant
 * values); nothing of the template is executed. Values are bounded in length and
 * number of alternatives.
 *
 * @module
 */

import type {
  BinaryNode,
  CallNode,
  FilterNode,
  JinjaNode,
  KeywordNode,
  MemberNode,
  SliceNode,
} from "./ast.ts";
import { isIdentifier } from "./ast.ts";

/** A constant a template expression may evaluate to. */
export type Constant = string | number | boolean | Constant[];

/** Longest string folded: attribute names are short, and a huge repetition must cost nothing. */
const MAX_STRING = 4096;
/** Most alternative values kept for one expression (a variable set in several places, a ternary). */
const MAX_ALTERNATIVES = 16;
/** Deepest expression folded: deeper ones are left unknown. */
const MAX_DEPTH = 64;

/** Jinja's boolean literals, which the parser leaves as identifiers. */
const BOOLEANS = new Map<string, Constant[]>([
  ["true", [true]],
  ["True", [true]],
  ["false", [false]],
  ["False", [false]],
]);

/** Variables with the constant values the template may give them. */
export type ConstantScope = Map<string, Constant[]>;

/**
 * The constant values `node` may evaluate to; empty when it is not constant.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parse, tokenize } from "@huggingface/jinja";
 * import type { JinjaNode } from "./ast.ts";
 * import { foldConstant } from "./fold.ts";
 * const expression = (parse(tokenize("{{ '__slabolg__'[::-1] }}")) as unknown as { body: JinjaNode[] }).body[0];
 * assert.deepEqual(foldConstant(expression, new Map()), ["__globals__"]);
 * ```
 */
export function foldConstant(node: JinjaNode, scope: ConstantScope, depth = 0): Constant[] {
  if (depth > MAX_DEPTH) return [];
  const fold = (child: JinjaNode | undefined) => child ? foldConstant(child, scope, depth + 1) : [];
  switch (node.type) {
    case "StringLiteral":
    case "IntegerLiteral":
    case "FloatLiteral":
      return [node.value as Constant];
    case "Identifier":
      return BOOLEANS.get(node.value as string) ?? scope.get(node.value as string) ?? [];
    case "ArrayLiteral":
    case "TupleLiteral": {
      const items = (node.value as JinjaNode[]).map(fold);
      return items.every((values) => values.length === 1) ? [items.map((values) => values[0])] : [];
    }
    case "Ternary":
      return _bounded([...fold(node.trueExpr as JinjaNode), ...fold(node.falseExpr as JinjaNode)]);
    case "BinaryExpression": {
      const { operator, left, right } = node as BinaryNode;
      return _combine(fold(left), fold(right), (a, b) => _binary(operator.value, a, b));
    }
    case "MemberExpression": {
      const { object, property, computed } = node as MemberNode;
      if (!computed) return [];
      const objects = fold(object);
      if (objects.length === 0) return [];
      if (property.type === "SliceExpression") {
        const slice = property as SliceNode;
        const bounds = [slice.start, slice.stop, slice.step].map((part) => part ? _single(fold(part)) : null);
        if (bounds.some((bound) => bound === undefined)) return [];
        return _bounded(objects.map((value) => _slice(value, bounds as (Constant | null)[])));
      }
      return _combine(objects, fold(property), _index);
    }
    case "FilterExpression": {
      const { operand, filter } = node as FilterNode;
      const call = filter.type === "CallExpression" ? filter as CallNode : undefined;
      const name = call ? call.callee : filter;
      if (!isIdentifier(name)) return [];
      const args = _arguments(call?.args ?? [], fold);
      return args ? _bounded(fold(operand).map((value) => _filter(name.value, value, args))) : [];
    }
    case "CallExpression": {
      const { callee, args } = node as CallNode;
      if (callee.type !== "MemberExpression" || (callee as MemberNode).computed) return [];
      const method = (callee as MemberNode).property;
      const folded = _arguments(args, fold);
      if (!isIdentifier(method) || !folded) return [];
      return _bounded(
        fold((callee as MemberNode).object).map((value) => _method(method.value, value, folded)),
      );
    }
    default:
      return [];
  }
}

/** A call's arguments folded (one value each), keyword ones by name; `undefined` when one is not constant. */
function _arguments(
  args: JinjaNode[],
  fold: (node: JinjaNode) => Constant[],
): { positional: Constant[]; keyword: Map<string, Constant> } | undefined {
  const positional: Constant[] = [];
  const keyword = new Map<string, Constant>();
  for (const arg of args) {
    const isKeyword = arg.type === "KeywordArgumentExpression";
    const value = _single(fold(isKeyword ? (arg as KeywordNode).value : arg));
    if (value === undefined) return undefined;
    if (isKeyword) keyword.set(String((arg as KeywordNode).key.value), value);
    else positional.push(value);
  }
  return { positional, keyword };
}

function _single(values: Constant[]): Constant | undefined {
  return values.length === 1 ? values[0] : undefined;
}

/** Drops `undefined` results and repeats, and caps the count of alternatives. */
function _bounded(values: (Constant | undefined)[]): Constant[] {
  const kept: Constant[] = [];
  for (const value of values) {
    if (value === undefined || (typeof value === "string" && value.length > MAX_STRING)) continue;
    if (!kept.some((other) => JSON.stringify(other) === JSON.stringify(value))) kept.push(value);
    if (kept.length >= MAX_ALTERNATIVES) break;
  }
  return kept;
}

function _combine(
  lefts: Constant[],
  rights: Constant[],
  operation: (a: Constant, b: Constant) => Constant | undefined,
): Constant[] {
  return _bounded(lefts.flatMap((a) => rights.map((b) => operation(a, b))));
}

/** Python's `str()` of a constant, as `~` and `join` write it. */
function _text(value: Constant): string {
  if (typeof value === "boolean") return value ? "True" : "False";
  if (Array.isArray(value)) {
    return `[${value.map((item) => typeof item === "string" ? `'${item}'` : _text(item)).join(", ")}]`;
  }
  return String(value);
}

function _binary(operator: string, a: Constant, b: Constant): Constant | undefined {
  switch (operator) {
    case "~":
      return _text(a) + _text(b);
    case "+":
      if (typeof a === "string" && typeof b === "string") return a + b;
      if (typeof a === "number" && typeof b === "number") return a + b;
      if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
      return undefined;
    case "*": {
      const [text, count] = typeof a === "string" ? [a, b] : [b, a];
      if (typeof text === "string" && typeof count === "number") {
        return text.length * count <= MAX_STRING ? text.repeat(Math.max(0, Math.trunc(count))) : undefined;
      }
      return typeof a === "number" && typeof b === "number" ? a * b : undefined;
    }
    case "%":
      return typeof a === "string" ? _percentFormat(a, Array.isArray(b) ? b : [b]) : undefined;
    default:
      return undefined;
  }
}

/** `value[index]` on a string or a list, negative indices from the end as in Python. */
function _index(value: Constant, index: Constant): Constant | undefined {
  if (typeof index !== "number" || !Number.isInteger(index)) return undefined;
  if (typeof value !== "string" && !Array.isArray(value)) return undefined;
  const items = typeof value === "string" ? [...value] : value;
  return items[index < 0 ? items.length + index : index];
}

/** Python's `value[start:stop:step]`. */
function _slice(value: Constant, [start, stop, step]: (Constant | null)[]): Constant | undefined {
  if (typeof value !== "string" && !Array.isArray(value)) return undefined;
  if ([start, stop, step].some((bound) => bound !== null && typeof bound !== "number")) return undefined;
  const items = typeof value === "string" ? [...value] : value;
  const length = items.length;
  const stride = (step as number | null) ?? 1;
  if (stride === 0 || !Number.isInteger(stride)) return undefined;
  const clamp = (bound: number | null, otherwise: number, low: number, high: number) => {
    if (bound === null) return otherwise;
    const index = bound < 0 ? bound + length : bound;
    return Math.min(Math.max(index, low), high);
  };
  const picked: Constant[] = [];
  if (stride > 0) {
    const from = clamp(start as number | null, 0, 0, length);
    const to = clamp(stop as number | null, length, 0, length);
    for (let i = from; i < to; i += stride) picked.push(items[i]);
  } else {
    const from = clamp(start as number | null, length - 1, -1, length - 1);
    const to = clamp(stop as number | null, -1, -1, length - 1);
    for (let i = from; i > to; i += stride) picked.push(items[i]);
  }
  return typeof value === "string" ? picked.join("") : picked;
}

/** Jinja filters that only reshape constants. */
function _filter(
  name: string,
  value: Constant,
  args: { positional: Constant[]; keyword: Map<string, Constant> },
): Constant | undefined {
  const [first, second] = args.positional;
  switch (name) {
    case "join": {
      if (!Array.isArray(value) && typeof value !== "string") return undefined;
      const items = typeof value === "string" ? [...value] : value;
      return items.map(_text).join(first === undefined ? "" : _text(first));
    }
    case "replace":
      return typeof value === "string" && typeof first === "string" && typeof second === "string"
        ? value.split(first).join(second)
        : undefined;
    case "reverse":
      return typeof value === "string"
        ? [...value].reverse().join("")
        : Array.isArray(value)
        ? [...value].reverse()
        : undefined;
    case "format":
      return typeof value === "string" ? _percentFormat(value, args.positional) : undefined;
    case "lower":
      return typeof value === "string" ? value.toLowerCase() : undefined;
    case "upper":
      return typeof value === "string" ? value.toUpperCase() : undefined;
    case "trim":
      return typeof value === "string" ? value.trim() : undefined;
    case "string":
      return _text(value);
    case "list":
      return typeof value === "string" ? [...value] : Array.isArray(value) ? value : undefined;
    case "first":
    case "last":
      return _index(value, name === "first" ? 0 : -1);
    default:
      return undefined;
  }
}

/** Python `str` methods a sandbox lets a template call on a constant. */
function _method(
  name: string,
  value: Constant,
  args: { positional: Constant[]; keyword: Map<string, Constant> },
): Constant | undefined {
  if (typeof value !== "string") return undefined;
  const [first, second] = args.positional;
  switch (name) {
    case "join":
      return Array.isArray(first) || typeof first === "string"
        ? (typeof first === "string" ? [...first] : first).map(_text).join(value)
        : undefined;
    case "format":
      return _braceFormat(value, args.positional, args.keyword);
    case "replace":
      return _filter("replace", value, { positional: [first, second], keyword: args.keyword });
    case "lower":
    case "upper":
      return _filter(name, value, args);
    case "strip":
      return value.trim();
    default:
      return undefined;
  }
}

/** Python's `text % values` for the conversions an attribute name can be spelled with. */
function _percentFormat(text: string, values: Constant[]): string | undefined {
  let next = 0;
  let failed = false;
  const result = text.replace(/%([sdicxXor%])/g, (_, conversion: string) => {
    if (conversion === "%") return "%";
    const value = values[next++];
    if (value === undefined) {
      failed = true;
      return "";
    }
    if (conversion === "c") {
      if (typeof value !== "number") return _text(value);
      if (Number.isInteger(value) && value >= 0 && value <= 0x10ffff) return String.fromCodePoint(value);
      failed = true;
      return "";
    }
    if (conversion === "s" || conversion === "r") return _text(value);
    if (typeof value !== "number") return _text(value);
    if (conversion === "x" || conversion === "X") {
      return conversion === "x" ? value.toString(16) : value.toString(16).toUpperCase();
    }
    if (conversion === "o") return value.toString(8);
    return String(Math.trunc(value));
  });
  return failed ? undefined : result;
}

/** Python's `text.format(...)` for plain `{}`, `{0}` and `{name}` fields. */
function _braceFormat(
  text: string,
  positional: Constant[],
  keyword: Map<string, Constant>,
): string | undefined {
  let next = 0;
  let failed = false;
  const result = text.replace(
    /\{\{|\}\}|\{([A-Za-z0-9_]*)(?:![rsa])?\}/g,
    (match, field: string | undefined) => {
      if (match === "{{") return "{";
      if (match === "}}") return "}";
      const value = field === "" || field === undefined
        ? positional[next++]
        : /^\d+$/.test(field)
        ? positional[Number(field)]
        : keyword.get(field);
      if (value === undefined) failed = true;
      return value === undefined ? "" : _text(value);
    },
  );
  return failed ? undefined : result;
}
