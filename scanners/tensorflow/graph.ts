/**
 * Reads the graphs of a SavedModel or a GraphDef into what the checks need: every node's name,
 * op, inputs, the strings its attrs hold and the functions they name, for the main graph and each
 * function of the library. A message small enough is decoded by protobufjs; a larger one (a
 * constant holding weights) is walked field by field, so that its tensor content is never read.
 *
 * @module
 */

import { type ByteSource, bytesSource } from "../../core/byte_source.ts";
import { DecodeError } from "../../core/decode_error.ts";
import {
  type AttrValueObject,
  type Bytes,
  decodeMessage,
  fieldNumber,
  type NameAttrListObject,
  type NodeDefObject,
  type TensorObject,
} from "./schema.ts";
import { WIRE, type WireField, WireReader, type WireReaderOptions } from "../protobuf/wire.ts";
import { DEFAULT_TENSORFLOW_OPTIONS, type TensorflowOptions } from "../option_catalog.ts";

/** TensorFlow is read as its C++ protobuf parser reads it: a group (which no TensorFlow message has) is skipped as an unknown field. */
const TENSORFLOW_WIRE: WireReaderOptions = { format: "tensorflow", groups: "skip" };

/** Messages up to this size are decoded whole; larger ones are walked, their big payloads left unread. */
export const MAX_DECODED_MESSAGE_BYTES = 1024 * 1024;

/** Strings up to this size are kept for the checks (paths, addresses, tokens). */
const MAX_SHORT_STRING_BYTES = 4096;

/**
 * One node of a graph or function body, as the checks see it.
 *
 * @example
 * ```ts
 * import type { GraphNode } from "./graph.ts";
 * const node: GraphNode = { name: "x", op: "ReadFile", inputs: ["path"], position: 12, strings: new Map(), calls: [] };
 * ```
 */
export interface GraphNode {
  name: string;
  op: string;
  /** Inputs as stored (`node:0`, `^control`, in functions `node:out:0` or an argument). */
  inputs: string[];
  /** Offset of the NodeDef in the source. */
  position: number;
  /** The strings each attr holds (a string, a list of strings, a string tensor's values). */
  strings: Map<string, Bytes[]>;
  /** Functions, or ops, that its attrs name (`f`, `then_branch`, `body`, ...), with the attr. */
  calls: { attr: string; name: string; token?: string }[];
}

/**
 * The nodes of the main graph or of one function, with where they sit.
 *
 * @example
 * ```ts
 * import type { GraphScope } from "./graph.ts";
 * const main: GraphScope = { keyPath: "$.node", args: new Set(), nodes: [] };
 * ```
 */
export interface GraphScope {
  /** Key path of the scope's node list, e.g. `$.meta_graphs[0].graph_def.library.function['f'].node_def`. */
  keyPath: string;
  /** The function's name; absent for a main graph. */
  function?: string;
  /** The function's argument names, which its nodes use as inputs. */
  args: Set<string>;
  nodes: GraphNode[];
}

/**
 * A graph with its function library.
 *
 * @example
 * ```ts
 * import type { GraphModel } from "./graph.ts";
 * const empty: GraphModel = { scopes: [], functions: new Set() };
 * ```
 */
export interface GraphModel {
  /** The main graph first, then each function. */
  scopes: GraphScope[];
  /** Names of the functions the library defines. */
  functions: Set<string>;
}

/** What reading stopped short of, reported once per file. */
export interface ReadLimits {
  nodes: number;
  functions: number;
  /** Set when a limit stopped the reading, with what it was. */
  reached?: string;
  /** The option whose limit stopped the reading (`tensorflow.maxNodes`). */
  option?: string;
  /** The bounds: the scan's options, the defaults when absent. */
  max?: Readonly<Pick<TensorflowOptions, "maxNodes" | "maxFunctions" | "maxNestedGraphBytes">>;
}

const F = {
  graphNode: fieldNumber("tensorflow.GraphDef", "node"),
  graphLibrary: fieldNumber("tensorflow.GraphDef", "library"),
  libraryFunction: fieldNumber("tensorflow.FunctionDefLibrary", "function"),
  functionSignature: fieldNumber("tensorflow.FunctionDef", "signature"),
  functionNode: fieldNumber("tensorflow.FunctionDef", "node_def"),
  nodeName: fieldNumber("tensorflow.NodeDef", "name"),
  nodeOp: fieldNumber("tensorflow.NodeDef", "op"),
  nodeInput: fieldNumber("tensorflow.NodeDef", "input"),
  nodeAttr: fieldNumber("tensorflow.NodeDef", "attr"),
  attrS: fieldNumber("tensorflow.AttrValue", "s"),
  attrTensor: fieldNumber("tensorflow.AttrValue", "tensor"),
  attrList: fieldNumber("tensorflow.AttrValue", "list"),
  attrFunc: fieldNumber("tensorflow.AttrValue", "func"),
  listS: fieldNumber("tensorflow.AttrValue.ListValue", "s"),
  listTensor: fieldNumber("tensorflow.AttrValue.ListValue", "tensor"),
  listFunc: fieldNumber("tensorflow.AttrValue.ListValue", "func"),
  tensorString: fieldNumber("tensorflow.TensorProto", "string_val"),
};

/** Where an AttrValue and a ListValue hold strings, tensors, functions and (AttrValue only) a list. */
const ATTR_VALUE_FIELDS = { s: F.attrS, tensor: F.attrTensor, func: F.attrFunc, list: F.attrList };
const LIST_VALUE_FIELDS = { s: F.listS, tensor: F.listTensor, func: F.listFunc, list: -1 };

const utf8 = new TextDecoder();

/** Stands for a string too long to keep that cannot be a graph: its index still counts. */
const NOT_KEPT = new Uint8Array(0);

/**
 * Reads graphs out of one source: the fields' byte ranges are walked with a {@linkcode WireReader},
 * small messages decoded whole.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { GraphReader } from "./graph.ts";
 * const reader = new GraphReader(bytesSource(new Uint8Array(0)), { nodes: 0, functions: 0 });
 * const model = await reader.readGraphDef(0, 0, "$");
 * assert.equal(model.scopes[0].nodes.length, 0);
 * ```
 */
export class GraphReader {
  #wire: WireReader;
  #limits: ReadLimits;

  /** A reader of `source`; `limits` counts what was read, across readers of one file. */
  constructor(source: ByteSource, limits: ReadLimits) {
    this.#wire = new WireReader(source, TENSORFLOW_WIRE);
    this.#limits = limits;
  }

  /** The bounds of this reading. */
  get #max(): Readonly<Pick<TensorflowOptions, "maxNodes" | "maxFunctions" | "maxNestedGraphBytes">> {
    return this.#limits.max ?? DEFAULT_TENSORFLOW_OPTIONS;
  }

  /** The wire reader, for messages around the graphs (a SavedModel's). */
  get wire(): WireReader {
    return this.#wire;
  }

  /** The GraphDef in `[start, end)`, whose node lists sit at `keyPath` + `.node` and `.library...`. */
  async readGraphDef(start: number, end: number, keyPath: string): Promise<GraphModel> {
    const main: GraphScope = { keyPath: `${keyPath}.node`, args: new Set(), nodes: [] };
    const model: GraphModel = { scopes: [main], functions: new Set() };
    for await (const field of this.#wire.fields(start, end)) {
      if (this.#limits.reached) break;
      if (!isLen(field)) continue;
      if (field.number === F.graphNode) {
        const node = await this.#node(field);
        if (node) main.nodes.push(node);
      } else if (field.number === F.graphLibrary) {
        await this.#library(field, `${keyPath}.library`, model);
      }
    }
    return model;
  }

  async #library(library: WireField, keyPath: string, model: GraphModel): Promise<void> {
    for await (const field of this.#wire.fields(library.start, library.end)) {
      if (this.#limits.reached) return;
      if (!isLen(field) || field.number !== F.libraryFunction) continue;
      const { maxFunctions } = this.#max;
      if (++this.#limits.functions > maxFunctions) {
        this.#limits.reached = `more than ${maxFunctions} functions`;
        this.#limits.option = "tensorflow.maxFunctions";
        return;
      }
      const scope: GraphScope = { keyPath: "", args: new Set(), nodes: [] };
      let name = "";
      for await (const part of this.#wire.fields(field.start, field.end)) {
        if (this.#limits.reached) break;
        if (!isLen(part)) continue;
        if (part.number === F.functionSignature) {
          const signature = await this.#decode<{ name?: string; input_arg?: { name?: string }[] }>(
            "tensorflow.OpDef",
            part,
          );
          name = signature.name ?? "";
          for (const arg of signature.input_arg ?? []) scope.args.add(arg.name ?? "");
        } else if (part.number === F.functionNode) {
          const node = await this.#node(part);
          if (node) scope.nodes.push(node);
        }
      }
      scope.function = name;
      scope.keyPath = `${keyPath}.function[${quote(name)}].node_def`;
      model.functions.add(name);
      model.scopes.push(scope);
    }
  }

  async #decode<T>(typeName: string, field: WireField): Promise<T> {
    if (field.end - field.start > MAX_DECODED_MESSAGE_BYTES) {
      throw new DecodeError(
        "tensorflow",
        `a ${typeName} of ${field.end - field.start} bytes at ${field.tag}`,
      );
    }
    return decodeMessage<T>(typeName, await this.#wire.bytes(field.start, field.end));
  }

  async #node(field: WireField): Promise<GraphNode | undefined> {
    const { maxNodes } = this.#max;
    if (++this.#limits.nodes > maxNodes) {
      this.#limits.reached = `more than ${maxNodes} nodes`;
      this.#limits.option = "tensorflow.maxNodes";
      return undefined;
    }
    if (field.end - field.start <= MAX_DECODED_MESSAGE_BYTES) {
      const decoded = decodeMessage<NodeDefObject>(
        "tensorflow.NodeDef",
        await this.#wire.bytes(field.start, field.end),
      );
      return nodeFromObject(decoded, field.tag, this.#max.maxNestedGraphBytes);
    }
    return await this.#walkNode(field);
  }

  /** A NodeDef too large to decode whole: its attrs' big payloads (tensor content) stay unread. */
  async #walkNode(nodeField: WireField): Promise<GraphNode> {
    const node: GraphNode = {
      name: "",
      op: "",
      inputs: [],
      position: nodeField.tag,
      strings: new Map(),
      calls: [],
    };
    for await (const field of this.#wire.fields(nodeField.start, nodeField.end)) {
      if (!isLen(field)) continue;
      if (field.number === F.nodeName) node.name = await this.#string(field);
      else if (field.number === F.nodeOp) node.op = await this.#string(field);
      else if (field.number === F.nodeInput) node.inputs.push(await this.#string(field));
      else if (field.number === F.nodeAttr) await this.#walkAttrEntry(field, node);
    }
    return node;
  }

  async #string(field: WireField): Promise<string> {
    if (field.end - field.start > MAX_SHORT_STRING_BYTES * 16) {
      throw new DecodeError("tensorflow", `a name of ${field.end - field.start} bytes at ${field.tag}`);
    }
    return utf8.decode(await this.#wire.bytes(field.start, field.end));
  }

  async #walkAttrEntry(entry: WireField, node: GraphNode): Promise<void> {
    let key = "";
    let value: WireField | undefined;
    for await (const field of this.#wire.fields(entry.start, entry.end)) {
      if (!isLen(field)) continue;
      if (field.number === 1) key = await this.#string(field);
      else if (field.number === 2) value = field;
    }
    if (!value) return;
    if (value.end - value.start <= MAX_DECODED_MESSAGE_BYTES) {
      addAttr(
        node,
        key,
        await this.#decode<AttrValueObject>("tensorflow.AttrValue", value),
        this.#max.maxNestedGraphBytes,
      );
      return;
    }
    const strings: Bytes[] = [];
    await this.#walkValue(value, ATTR_VALUE_FIELDS, node, key, strings);
    if (strings.length > 0) node.strings.set(key, strings);
  }

  /** An AttrValue, or its ListValue, too large to decode whole: its strings, tensors' strings and functions. */
  async #walkValue(
    value: WireField,
    fields: typeof ATTR_VALUE_FIELDS,
    node: GraphNode,
    key: string,
    strings: Bytes[],
  ): Promise<void> {
    for await (const field of this.#wire.fields(value.start, value.end)) {
      if (!isLen(field)) continue;
      if (field.number === fields.s) await this.#keepString(field, strings);
      else if (field.number === fields.tensor) await this.#walkTensor(field, strings);
      else if (field.number === fields.func) {
        addCalls(node, key, await this.#decode("tensorflow.NameAttrList", field));
      } else if (field.number === fields.list) {
        await this.#walkValue(field, LIST_VALUE_FIELDS, node, key, strings);
      }
    }
  }

  async #walkTensor(tensor: WireField, strings: Bytes[]): Promise<void> {
    for await (const field of this.#wire.fields(tensor.start, tensor.end)) {
      if (isLen(field) && field.number === F.tensorString) await this.#keepString(field, strings);
    }
  }

  /**
   * Keeps a string a check may need: a short one, or a long one that may be a serialized graph. Others
   * are kept as empty strings, so that each string keeps its index.
   */
  async #keepString(field: WireField, strings: Bytes[]): Promise<void> {
    const length = field.end - field.start;
    const kept = length <= MAX_SHORT_STRING_BYTES ||
      (length <= this.#max.maxNestedGraphBytes &&
        (await this.#wire.bytes(field.start, field.start + 1))[0] === 0x0a);
    strings.push(kept ? await this.#wire.bytes(field.start, field.end) : NOT_KEPT);
  }
}

function isLen(field: WireField): boolean {
  return field.wire === WIRE.len;
}

/**
 * A JSONPath-style quoted key: `'name'`, with `\` and `'` escaped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { quote } from "./graph.ts";
 * assert.equal(quote("a'b"), "'a\\'b'");
 * ```
 */
export function quote(name: string): string {
  return `'${name.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

function nodeFromObject(decoded: NodeDefObject, position: number, maxNestedGraphBytes: number): GraphNode {
  const node: GraphNode = {
    name: decoded.name ?? "",
    op: decoded.op ?? "",
    inputs: decoded.input ?? [],
    position,
    strings: new Map(),
    calls: [],
  };
  for (const [key, value] of Object.entries(decoded.attr ?? {})) {
    addAttr(node, key, value, maxNestedGraphBytes);
  }
  return node;
}

function tensorStrings(tensor: TensorObject | undefined): Bytes[] {
  return tensor?.string_val ?? [];
}

function addAttr(node: GraphNode, key: string, value: AttrValueObject, maxNestedGraphBytes: number): void {
  const strings = [
    ...(value.s && value.s.length > 0 ? [value.s] : []),
    ...tensorStrings(value.tensor),
    ...(value.list?.s ?? []),
    ...(value.list?.tensor ?? []).flatMap(tensorStrings),
  ].map((s) =>
    // A copy: the decoded bytes are views of the reader's window.
    s.length <= MAX_SHORT_STRING_BYTES || (s.length <= maxNestedGraphBytes && s[0] === 0x0a)
      ? s.slice()
      : NOT_KEPT
  );
  if (strings.length > 0) node.strings.set(key, strings);
  if (value.func) addCalls(node, key, value.func);
  for (const func of value.list?.func ?? []) addCalls(node, key, func);
}

/** The function a func attr names, and those named in its own attrs (a function passed to a function). */
function addCalls(node: GraphNode, attr: string, func: NameAttrListObject, depth = 0): void {
  // A func attr naming PyFunc carries the op's attrs, its token among them.
  const token = func.attr?.token?.s;
  if (func.name) node.calls.push({ attr, name: func.name, ...(token ? { token: utf8.decode(token) } : {}) });
  // protobufjs bounds the nesting it decodes; this bound only keeps the walk from following it all.
  if (depth > 16) return;
  for (const value of Object.values(func.attr ?? {})) {
    if (value.func) addCalls(node, attr, value.func, depth + 1);
    for (const inner of value.list?.func ?? []) addCalls(node, attr, inner, depth + 1);
  }
}

/** A node name TensorFlow accepts (`NodeDef.name`'s documented pattern); graph import rejects others. */
const NODE_NAME = /^[A-Za-z0-9.][A-Za-z0-9_>./-]*$/;

/** An op name TensorFlow accepts (`OpDef.name`, or a function's). */
const OP_NAME = /^[A-Za-z_][A-Za-z0-9_>.-]*$/;

/**
 * Whether `bytes` may be a serialized GraphDef that TensorFlow would import: a well-formed message
 * whose fields are nodes, a library or versions, with at least one node, every node named and
 * typed as TensorFlow requires. Other protobufs kept in strings (a SavedModel's object graph)
 * are not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mayBeGraphDef } from "./graph.ts";
 * assert.equal(await mayBeGraphDef(new TextEncoder().encode("/tmp/x")), false);
 * ```
 */
export async function mayBeGraphDef(bytes: Uint8Array): Promise<boolean> {
  if (bytes.length < 4 || bytes[0] !== 0x0a) return false;
  try {
    let nodes = 0;
    for await (const field of new WireReader(bytesSource(bytes), TENSORFLOW_WIRE).fields(0, bytes.length)) {
      if (field.number === F.graphNode && field.wire === WIRE.len) {
        const node = decodeMessage<NodeDefObject>(
          "tensorflow.NodeDef",
          bytes.subarray(field.start, field.end),
        );
        if (!NODE_NAME.test(node.name ?? "") || !OP_NAME.test(node.op ?? "")) return false;
        nodes++;
      } else if (!(field.number >= 2 && field.number <= 5)) return false;
    }
    return nodes > 0;
  } catch (error) {
    if (error instanceof DecodeError) return false;
    throw error;
  }
}
