/**
 * The ONNX scanner. It walks a `ModelProto` in its protobuf wire format (`../protobuf/wire.ts`, field
 * numbers in `schema.ts`) without decoding tensor payloads: `raw_data` and packed numbers are
 * stepped over as byte ranges, so a multi-gigabyte model costs a few reads per tensor. It visits
 * every node of the main graph, of the graphs nested in attributes (`If`, `Loop`, `Scan`, any
 * `GRAPH` or `GRAPHS` attribute), of training graphs and of model-local functions, and judges
 * each operator (`operators.ts`): Python operators are MA460, unknown domains MA461, contrib
 * operators their runtime does not ship MA462. Tensors stored as external data have their
 * location checked and their file opened through the sandbox (MA010, MA463, MA464, MA467).
 * Metadata, doc strings and string tensors go through the string checks (`strings.ts`).
 * Malformed encoding is MA465 where it is met; limits are MA466.
 *
 * @module
 */

import type { ByteSource } from "../../core/byte_source.ts";
import type { FindingReport, Inventory, ScanContext, Scanner, SiblingResult } from "../../core/scanner.ts";
import { CallablePolicy } from "../../policy/callables.ts";
import { classifyOperator } from "./operators.ts";
import {
  ATTRIBUTE,
  ENTRY,
  FUNCTION,
  GRAPH,
  MODEL,
  NODE,
  OPSET,
  SPARSE_TENSOR,
  TENSOR,
  TRAINING_INFO,
} from "./schema.ts";
import { inspectString } from "./strings.ts";
import { type InitializerData, listInitializer, packedVarints } from "./tensors.ts";
import { FieldLimitError, WIRE, WireError, type WireField, WireReader } from "../protobuf/wire.ts";
import { scannerOptions } from "../options.ts";
import type { OnnxOptions } from "../option_catalog.ts";

/** The option behind each limit a walk names (`details.limit`). */
const LIMIT_OPTIONS: Readonly<Record<string, keyof OnnxOptions>> = {
  nodes: "maxNodes",
  graphDepth: "maxGraphDepth",
};

/** Bytes of an operator type, domain or attribute name read: longer ones are shown cut. */
export const MAX_NAME_BYTES = 1024;

const utf8 = new TextDecoder();

/** One operator use whose judgement waits until the model's local functions are known. */
interface PendingOperator {
  domain: string;
  opType: string;
  name: string;
  keyPath: string;
  position: number;
  atenOperator?: string;
}

/** What a walk does with a tensor's external data entries (key to value), found at `position`. */
type ExternalDataHandler = (entries: Map<string, string>, position: number, keyPath: string) => Promise<void>;

/** The state of one model's walk. */
class Walk {
  readonly reader: WireReader;
  readonly source: ByteSource;
  readonly ctx: ScanContext;
  /** Whether free text goes through the string checks (not when only listing external data). */
  readonly checkStrings: boolean;
  readonly onExternalData: ExternalDataHandler;
  nodes = 0;
  stopped = false;
  readonly functions = new Set<string>();
  readonly operators: PendingOperator[] = [];
  readonly siblings = new Map<string, Promise<SiblingResult>>();
  readonly reported = new Set<string>();
  readonly strings = { inspected: 0 };
  /** The scan's ONNX limits. */
  readonly options: Readonly<OnnxOptions>;

  constructor(source: ByteSource, ctx: ScanContext, onExternalData?: ExternalDataHandler) {
    this.source = source;
    this.options = scannerOptions(ctx).onnx;
    this.reader = new WireReader(source, { format: "onnx", maxFields: this.options.maxFields });
    this.ctx = ctx;
    this.checkStrings = onExternalData === undefined;
    this.onExternalData = onExternalData ??
      ((entries, position, keyPath) => checkExternalData(this, entries, position, keyPath));
  }

  /** Reports `finding` the first time `key` is seen. */
  once(key: string, finding: FindingReport): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.ctx.report(finding);
  }

  /** Stops the walk at a limit, reporting it once. */
  limit(limit: string, message: string, position: number, keyPath: string): void {
    this.stopped = true;
    const option = `onnx.${LIMIT_OPTIONS[limit] ?? limit}`;
    this.once(`limit:${limit}`, { rule: "MA466", message, position, keyPath, details: { limit, option } });
  }

  async text(field: WireField, max = MAX_NAME_BYTES): Promise<string> {
    return field.wire === WIRE.len
      ? utf8.decode(await this.reader.bytes(field.start, Math.min(field.end, field.start + max)))
      : "";
  }

  /** The fields of a length-delimited `field`, none for a field of another wire type (protobuf skips it as unknown). */
  fields(field: WireField): AsyncGenerator<WireField> | WireField[] {
    return field.wire === WIRE.len ? this.reader.fields(field.start, field.end) : [];
  }
}

const functionKey = (domain: string, name: string) => `${domain}\u0000${name}`;

/** Walks `metadata_props` (or any StringStringEntryProto): both strings are checked. */
async function walkEntry(walk: Walk, field: WireField, keyPath: string): Promise<void> {
  for await (const part of walk.fields(field)) {
    if (part.wire !== WIRE.len) continue;
    if (part.number === ENTRY.key) await inspectString(walk, part, `${keyPath}.key`);
    if (part.number === ENTRY.value) await inspectString(walk, part, `${keyPath}.value`);
  }
}

/** Walks a TensorProto: strings, metadata and external data; payloads are never read. */
async function walkTensor(walk: Walk, field: WireField, keyPath: string, list = false): Promise<void> {
  const external = new Map<string, string>();
  let strings = 0;
  let metadata = 0;
  const declared = {
    name: "",
    dataType: 0,
    dims: [] as number[],
    data: undefined as InitializerData | undefined,
  };
  for await (const part of walk.fields(field)) {
    if (list) await declare(walk, part, declared);
    switch (part.number) {
      case TENSOR.stringData:
        if (part.wire === WIRE.len) await inspectString(walk, part, `${keyPath}.string_data[${strings++}]`);
        break;
      case TENSOR.docString:
        if (part.wire === WIRE.len) await inspectString(walk, part, `${keyPath}.doc_string`);
        break;
      case TENSOR.metadataProps:
        await walkEntry(walk, part, `${keyPath}.metadata_props[${metadata++}]`);
        break;
      case TENSOR.externalData: {
        let key = "";
        let value = "";
        for await (const entry of walk.fields(part)) {
          if (entry.number === ENTRY.key) key = await walk.text(entry);
          if (entry.number === ENTRY.value) value = await walk.text(entry, 64 * 1024);
        }
        external.set(key, value);
        break;
      }
    }
  }
  if (external.size > 0) await walk.onExternalData(external, field.tag, `${keyPath}.external_data`);
  if (list && walk.ctx.inventory) {
    const { name, dataType, dims } = declared;
    await listInitializer(
      {
        name,
        dataType,
        dims,
        data: external.size > 0 ? externalData(walk, external) : declared.data ?? { kind: "none" },
      },
      walk.source,
      walk.ctx.inventory,
    );
  }
}

/** Most dimensions of an initializer read: no ONNX runtime takes more than a few dozen. */
const MAX_LISTED_DIMS = 64;

/** Notes what one field of a TensorProto declares about the tensor, for the inventory. */
async function declare(
  walk: Walk,
  part: WireField,
  declared: { name: string; dataType: number; dims: number[]; data: InitializerData | undefined },
): Promise<void> {
  const inline = (field: string): InitializerData => ({
    kind: "inline",
    field,
    start: part.start,
    end: part.end,
  });
  switch (part.number) {
    case TENSOR.name:
      declared.name = await walk.text(part);
      break;
    case TENSOR.dataType:
      if (part.wire === WIRE.varint) declared.dataType = part.value;
      break;
    case TENSOR.dims:
      if (part.wire === WIRE.varint) declared.dims.push(part.value);
      else if (part.wire === WIRE.len && part.end - part.start <= MAX_LISTED_DIMS * 10) {
        declared.dims.push(...packedVarints(await walk.reader.bytes(part.start, part.end)));
      }
      break;
    case TENSOR.rawData:
      if (part.wire === WIRE.len) declared.data = inline("raw_data");
      break;
    case TENSOR.floatData:
      if (part.wire === WIRE.len) declared.data = inline("float_data");
      break;
    case TENSOR.doubleData:
      if (part.wire === WIRE.len) declared.data = inline("double_data");
      break;
  }
}

/** Where external data entries put a tensor's values: the file already opened for the check, if any. */
function externalData(walk: Walk, entries: Map<string, string>): InitializerData {
  const location = entries.get("location");
  const file = location === undefined ? undefined : walk.siblings.get(location);
  const count = (text: string | undefined) =>
    text !== undefined && /^\d{1,16}$/.test(text) ? Number(text) : undefined;
  const offset = entries.has("offset") ? count(entries.get("offset")) : 0;
  const length = count(entries.get("length"));
  if (!file || offset === undefined || (entries.has("length") && length === undefined)) {
    return { kind: "none" };
  }
  return { kind: "external", file, offset, ...(length === undefined ? {} : { length }) };
}

/** Walks a SparseTensorProto's two tensors. */
async function walkSparseTensor(walk: Walk, field: WireField, keyPath: string): Promise<void> {
  for await (const part of walk.fields(field)) {
    if (part.number === SPARSE_TENSOR.values) await walkTensor(walk, part, `${keyPath}.values`);
    if (part.number === SPARSE_TENSOR.indices) await walkTensor(walk, part, `${keyPath}.indices`);
  }
}

/** A URL scheme of two letters or more (one letter is a drive, which the sandbox refuses). */
const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]+:/;

/** Checks a tensor's external data: its location, its file, and that the file holds the bytes it names. */
async function checkExternalData(
  walk: Walk,
  entries: Map<string, string>,
  position: number,
  keyPath: string,
): Promise<void> {
  const { ctx } = walk;
  const location = entries.get("location");
  const details = { location, offset: entries.get("offset"), length: entries.get("length") };
  if (location === undefined) {
    ctx.report({
      rule: "MA464",
      message: "A tensor's external data has no location",
      position,
      keyPath,
      details,
    });
    return;
  }
  const shown = JSON.stringify(location);
  if (URL_SCHEME.test(location)) {
    walk.once(`url:${location}`, {
      rule: "MA463",
      message: `A tensor's external data location ${shown} is a URL, not a file beside the model`,
      position,
      keyPath,
      details: { ...details, scheme: location.slice(0, location.indexOf(":")).toLowerCase() },
    });
    return;
  }
  // Judged before the file is opened: a count that is no count is wrong whatever the file holds.
  const extent = byteExtent(entries);
  if (extent === undefined) {
    ctx.report({
      rule: "MA464",
      message: `A tensor's external data in ${shown} has an offset or length that is not a byte count`,
      position,
      keyPath,
      details,
    });
  }
  let opening = walk.siblings.get(location);
  if (!opening) {
    opening = ctx.openSibling(location, { position, keyPath });
    walk.siblings.set(location, opening);
  }
  const opened = await opening;
  if (!opened.ok) {
    // A reference leading out was reported by openSibling itself (MA010).
    if (opened.escape) return;
    if (opened.reason === "no such file") {
      walk.once(`missing:${location}`, {
        rule: "MA464",
        message: `A tensor's external data file ${shown} does not exist`,
        position,
        keyPath,
        details: { ...details, reason: opened.reason },
      });
    } else {
      walk.once("not-checked", {
        rule: "MA467",
        message: `The external data file ${shown} was not checked: ${opened.reason}`,
        position,
        keyPath,
        details: { ...details, reason: opened.reason },
      });
    }
    return;
  }
  if (opened.throughLink) {
    walk.once(`link:${location}`, {
      rule: "MA463",
      message: `A tensor's external data location ${shown} is a symbolic link`,
      position,
      keyPath,
      details: { ...details, path: opened.path },
    });
  }
  const size = opened.source.size;
  if (extent !== undefined && extent.end > size) {
    walk.once(`short:${location}`, {
      rule: "MA464",
      message: `A tensor's external data runs past the end of ${shown} (${extent.end} > ${size} bytes)`,
      position,
      keyPath,
      details: { ...details, size },
    });
  }
}

/**
 * Where a tensor's external data ends in its file, from its `offset` and `length` entries
 * (decimal byte counts, as onnx writes them; absent ones are 0 and "to the end"), or
 * `undefined` when either is no byte count (negative, a fraction, text, beyond 2^53).
 */
function byteExtent(entries: Map<string, string>): { end: number } | undefined {
  const count = (text: string | undefined) =>
    text === undefined
      ? 0
      : /^\d{1,16}$/.test(text) && Number.isSafeInteger(Number(text))
      ? Number(text)
      : NaN;
  const end = count(entries.get("offset")) + count(entries.get("length"));
  return Number.isNaN(end) ? undefined : { end };
}

/** What a node's attributes tell about the operator: the names its Python or ATen operators call. */
interface NodeAttributes {
  strings: Map<string, string>;
}

/** Walks an AttributeProto: nested graphs and tensors, and its strings. */
async function walkAttribute(
  walk: Walk,
  field: WireField,
  keyPath: string,
  depth: number,
  seen: NodeAttributes,
): Promise<void> {
  let name = "";
  let strings = 0;
  let tensors = 0;
  let graphs = 0;
  let sparse = 0;
  const g = graphCounts();
  for await (const part of walk.fields(field)) {
    if (walk.stopped) return;
    switch (part.number) {
      case ATTRIBUTE.name:
        name = await walk.text(part);
        break;
      case ATTRIBUTE.s:
        if (part.wire !== WIRE.len) break;
        seen.strings.set(name, await walk.text(part));
        await inspectString(walk, part, `${keyPath}.s`);
        break;
      case ATTRIBUTE.strings:
        if (part.wire === WIRE.len) await inspectString(walk, part, `${keyPath}.strings[${strings++}]`);
        break;
      case ATTRIBUTE.docString:
        if (part.wire === WIRE.len) await inspectString(walk, part, `${keyPath}.doc_string`);
        break;
      case ATTRIBUTE.t:
        await walkTensor(walk, part, `${keyPath}.t`);
        break;
      case ATTRIBUTE.tensors:
        await walkTensor(walk, part, `${keyPath}.tensors[${tensors++}]`);
        break;
      case ATTRIBUTE.sparseTensor:
        await walkSparseTensor(walk, part, `${keyPath}.sparse_tensor`);
        break;
      case ATTRIBUTE.sparseTensors:
        await walkSparseTensor(walk, part, `${keyPath}.sparse_tensors[${sparse++}]`);
        break;
      case ATTRIBUTE.g:
        await walkGraph(walk, part, `${keyPath}.g`, depth + 1, g);
        break;
      case ATTRIBUTE.graphs:
        await walkGraph(walk, part, `${keyPath}.graphs[${graphs++}]`, depth + 1);
        break;
    }
  }
}

/** Walks a NodeProto and records its operator for judgement. */
async function walkNode(walk: Walk, field: WireField, keyPath: string, depth: number): Promise<void> {
  if (++walk.nodes > walk.options.maxNodes) {
    const max = walk.options.maxNodes;
    walk.limit("nodes", `More than ${max} nodes; the rest were not inspected`, field.tag, keyPath);
    return;
  }
  walk.ctx.signal.throwIfAborted();
  let domain = "";
  let opType = "";
  let name = "";
  let attributes = 0;
  let metadata = 0;
  const seen: NodeAttributes = { strings: new Map() };
  for await (const part of walk.fields(field)) {
    if (walk.stopped) return;
    switch (part.number) {
      // Singular fields: protobuf keeps the last occurrence, and so does this walk.
      case NODE.opType:
        opType = await walk.text(part);
        break;
      case NODE.domain:
        domain = await walk.text(part);
        break;
      case NODE.name:
        name = await walk.text(part);
        break;
      case NODE.attribute:
        await walkAttribute(walk, part, `${keyPath}.attribute[${attributes++}]`, depth, seen);
        break;
      case NODE.docString:
        if (part.wire === WIRE.len) await inspectString(walk, part, `${keyPath}.doc_string`);
        break;
      case NODE.metadataProps:
        await walkEntry(walk, part, `${keyPath}.metadata_props[${metadata++}]`);
        break;
    }
  }
  const atenOperator = opType === "ATen" ? seen.strings.get("operator") : undefined;
  if (classifyOperator(domain, opType, false, atenOperator) === "python") {
    const named = ["module", "class_name", "compute", "func_name", "name"]
      .filter((key) => seen.strings.has(key))
      .map((key) => [key, seen.strings.get(key)!]);
    // The Python the operator imports (PyOp's module and class_name), judged as every callable a model names.
    const module = seen.strings.get("module");
    const verdict = module ? walk.ctx.policy.judge(module, seen.strings.get("class_name")) : undefined;
    walk.ctx.report({
      rule: "MA460",
      message: `Node ${JSON.stringify(name || opType)} runs Python: operator ${opType}${
        domain ? ` of domain ${domain}` : ""
      }${atenOperator ? ` falling back to ${atenOperator}` : ""}${
        named.length ? ` (${named.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", ")})` : ""
      }${verdict?.tier === "denied" ? `; ${verdict.name} is denied: ${verdict.reason}` : ""}`,
      position: field.tag,
      keyPath,
      details: {
        domain,
        opType,
        name,
        ...(atenOperator ? { operator: atenOperator } : {}),
        ...Object.fromEntries(named),
        ...(verdict ? { callable: verdict.name, tier: verdict.tier } : {}),
      },
    });
    return;
  }
  walk.operators.push({ domain, opType, name, keyPath, position: field.tag, atenOperator });
}

/** Counts of a graph's repeated fields, for their indices in key paths. */
interface GraphCounts {
  node: number;
  initializer: number;
  sparse: number;
  metadata: number;
}

const graphCounts = (): GraphCounts => ({ node: 0, initializer: 0, sparse: 0, metadata: 0 });

/**
 * Walks a GraphProto: nodes, initializers, strings. A singular message field written twice is
 * merged by protobuf (the second graph's nodes follow the first's): such fields share `count`,
 * so that indices are the ones the loader sees.
 */
async function walkGraph(
  walk: Walk,
  field: WireField,
  keyPath: string,
  depth: number,
  count: GraphCounts = graphCounts(),
): Promise<void> {
  if (depth > walk.options.maxGraphDepth) {
    walk.limit(
      "graphDepth",
      `Subgraphs nested more than ${walk.options.maxGraphDepth} deep; the deeper ones were not inspected`,
      field.tag,
      keyPath,
    );
    return;
  }
  for await (const part of walk.fields(field)) {
    if (walk.stopped) return;
    switch (part.number) {
      case GRAPH.node:
        await walkNode(walk, part, `${keyPath}.node[${count.node++}]`, depth);
        break;
      case GRAPH.initializer:
        // The main graph's initializers are the model's weights: what the inventory lists.
        await walkTensor(walk, part, `${keyPath}.initializer[${count.initializer++}]`, keyPath === "graph");
        break;
      case GRAPH.sparseInitializer:
        await walkSparseTensor(walk, part, `${keyPath}.sparse_initializer[${count.sparse++}]`);
        break;
      case GRAPH.docString:
        if (part.wire === WIRE.len) await inspectString(walk, part, `${keyPath}.doc_string`);
        break;
      case GRAPH.metadataProps:
        await walkEntry(walk, part, `${keyPath}.metadata_props[${count.metadata++}]`);
        break;
    }
  }
}

/** Walks a model-local FunctionProto: its body's nodes, attribute defaults and strings. */
async function walkFunction(walk: Walk, field: WireField, keyPath: string): Promise<void> {
  let name = "";
  let domain = "";
  const count = { node: 0, attribute: 0, metadata: 0 };
  const seen: NodeAttributes = { strings: new Map() };
  for await (const part of walk.fields(field)) {
    if (walk.stopped) return;
    switch (part.number) {
      case FUNCTION.name:
        name = await walk.text(part);
        break;
      case FUNCTION.domain:
        domain = await walk.text(part);
        break;
      case FUNCTION.node:
        await walkNode(walk, part, `${keyPath}.node[${count.node++}]`, 0);
        break;
      case FUNCTION.attributeProto:
        await walkAttribute(walk, part, `${keyPath}.attribute_proto[${count.attribute++}]`, 0, seen);
        break;
      case FUNCTION.docString:
        if (part.wire === WIRE.len) await inspectString(walk, part, `${keyPath}.doc_string`);
        break;
      case FUNCTION.metadataProps:
        await walkEntry(walk, part, `${keyPath}.metadata_props[${count.metadata++}]`);
        break;
    }
  }
  walk.functions.add(functionKey(domain, name));
}

/** Walks the ModelProto at the top of the source. Returns whether it has a graph. */
async function walkModel(walk: Walk): Promise<boolean> {
  let graphs = 0;
  const count = { metadata: 0, training: 0, functions: 0 };
  const graph = graphCounts();
  for await (const field of walk.reader.fields(0, walk.source.size)) {
    if (walk.stopped) break;
    switch (field.number) {
      case MODEL.graph:
        if (field.wire === WIRE.len) graphs++;
        await walkGraph(walk, field, "graph", 0, graph);
        break;
      case MODEL.docString:
        if (field.wire === WIRE.len) await inspectString(walk, field, "doc_string");
        break;
      case MODEL.irVersion:
      case MODEL.producerName:
      case MODEL.producerVersion:
      case MODEL.opsetImport:
        if (walk.ctx.inventory) await stateFact(walk, field, walk.ctx.inventory);
        break;
      case MODEL.metadataProps:
        await walkEntry(walk, field, `metadata_props[${count.metadata++}]`);
        if (walk.ctx.inventory) await metadataFact(walk, field, walk.ctx.inventory);
        break;
      case MODEL.functions:
        await walkFunction(walk, field, `functions[${count.functions++}]`);
        break;
      case MODEL.trainingInfo: {
        const at = `training_info[${count.training++}]`;
        const initialization = graphCounts();
        const algorithm = graphCounts();
        for await (const part of walk.fields(field)) {
          if (part.number === TRAINING_INFO.initialization) {
            await walkGraph(walk, part, `${at}.initialization`, 0, initialization);
          }
          if (part.number === TRAINING_INFO.algorithm) {
            await walkGraph(walk, part, `${at}.algorithm`, 0, algorithm);
          }
        }
        break;
      }
    }
  }
  return graphs > 0;
}

/** Lists one of the model's `metadata_props` as the fact `metadata.KEY`. */
async function metadataFact(walk: Walk, field: WireField, inventory: Inventory): Promise<void> {
  let key: string | undefined;
  let value = "";
  for await (const part of walk.fields(field)) {
    if (part.number === ENTRY.key) key = await walk.text(part);
    if (part.number === ENTRY.value) value = await walk.text(part);
  }
  if (key !== undefined) inventory.fact(`metadata.${key}`, value);
}

/** Lists a model field that says what made it and what it needs: producer, IR version, opsets. */
async function stateFact(walk: Walk, field: WireField, inventory: Inventory): Promise<void> {
  if (field.number === MODEL.irVersion && field.wire === WIRE.varint) {
    inventory.fact("onnx.ir_version", field.value);
  }
  if (field.number === MODEL.producerName) inventory.fact("onnx.producer_name", await walk.text(field));
  if (field.number === MODEL.producerVersion) inventory.fact("onnx.producer_version", await walk.text(field));
  if (field.number !== MODEL.opsetImport) return;
  let domain = "";
  let version: number | undefined;
  for await (const part of walk.fields(field)) {
    if (part.number === OPSET.domain) domain = await walk.text(part);
    if (part.number === OPSET.version && part.wire === WIRE.varint) version = part.value;
  }
  if (version !== undefined) inventory.fact(`onnx.opset.${domain || "ai.onnx"}`, version);
}

/** Judges the operators that do not run Python, now that the local functions are known. */
function judgeOperators(walk: Walk): void {
  for (const op of walk.operators) {
    const local = walk.functions.has(functionKey(op.domain, op.opType));
    const kind = classifyOperator(op.domain, op.opType, local, op.atenOperator);
    if (kind !== "custom" && kind !== "unlisted-contrib") continue;
    const what = `operator ${op.opType}${op.atenOperator ? ` (${op.atenOperator})` : ""}`;
    walk.once(`op:${op.domain}:${op.opType}:${op.atenOperator ?? ""}`, {
      rule: kind === "custom" ? "MA461" : "MA462",
      message: kind === "custom"
        ? `Node ${JSON.stringify(op.name || op.opType)} uses ${what} of domain ${
          JSON.stringify(op.domain)
        }, which is not an ONNX standard domain: a custom-op library must provide it`
        : `Node ${JSON.stringify(op.name || op.opType)} uses ${what} of domain ${
          JSON.stringify(op.domain || "ai.onnx")
        }, which its runtime does not ship: a library registered at run time must provide it`,
      position: op.position,
      keyPath: op.keyPath,
      details: {
        domain: op.domain,
        opType: op.opType,
        name: op.name,
        ...(op.atenOperator ? { operator: op.atenOperator } : {}),
      },
    });
  }
}

/**
 * The ONNX scanner.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { onnxScanner } from "./scanner.ts";
 * const rulesOf = async (path: string) => {
 *   const { ctx, findings } = recordingContext(path);
 *   await onnxScanner.scan(bytesSource(await Deno.readFile(path)), ctx);
 *   return findings.map((finding) => [finding.rule, finding.keyPath]);
 * };
 * assert.deepEqual(await rulesOf("fixtures/onnx/benign/mlp.onnx"), []);
 * // An onnxruntime-extensions PyOp: the node runs Python.
 * assert.deepEqual(await rulesOf("fixtures/onnx/malicious/pyop.onnx"), [["MA460", "graph.node[0]"]]);
 * ```
 */
export const onnxScanner: Scanner = {
  async scan(source, ctx) {
    const walk = new Walk(source, ctx);
    let hasGraph = false;
    let decoded = true;
    try {
      hasGraph = await walkModel(walk);
    } catch (error) {
      decoded = false;
      if (error instanceof WireError) {
        ctx.report({
          rule: "MA465",
          message: `The model does not decode: ${error.reason}; what follows was not inspected`,
          position: error.position,
          details: { reason: error.reason, position: error.position },
        });
      } else if (error instanceof FieldLimitError) {
        ctx.report({
          rule: "MA466",
          message: `More than ${error.limit} protobuf fields; the rest of the model was not inspected`,
          position: error.position,
          details: { limit: "fields", option: "onnx.maxFields" },
        });
      } else {
        throw error;
      }
    }
    judgeOperators(walk);
    if (decoded && !hasGraph) {
      ctx.report({ rule: "MA465", message: "The model has no graph", details: { reason: "no graph" } });
    }
  },
};

/**
 * The external data locations the model in `source` names, as written (a listing: nothing is
 * reported, and a model that does not decode lists what precedes the damage).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { externalDataLocations } from "./scanner.ts";
 * const { signal } = new AbortController();
 * assert.deepEqual(await externalDataLocations(bytesSource(Uint8Array.of(0x08, 8)), signal), []); // ir_version only
 * const model = await Deno.readFile("fixtures/onnx/external/traversal/model.onnx");
 * assert.deepEqual(await externalDataLocations(bytesSource(model), signal), ["../../etc/passwd"]); // as written
 * ```
 */
export async function externalDataLocations(source: ByteSource, signal: AbortSignal): Promise<string[]> {
  const locations = new Set<string>();
  const silent: ScanContext = {
    path: "",
    depth: 0,
    signal,
    policy: CallablePolicy.standard(),
    report: () => {},
    matchBlacklist: () => undefined,
    scanNested: () => Promise.resolve(),
    scanMember: () => Promise.resolve(false),
    identify: () => {},
    openSibling: () => Promise.resolve({ ok: false, escape: false, reason: "listing only" }),
  };
  const walk = new Walk(source, silent, (entries) => {
    const location = entries.get("location");
    if (location !== undefined) locations.add(location);
    return Promise.resolve();
  });
  try {
    await walkModel(walk);
  } catch (error) {
    if (!(error instanceof WireError) && !(error instanceof FieldLimitError)) throw error;
  }
  return [...locations];
}
