/**
 * The TensorFlow scanner: a SavedModel's `saved_model.pb` (every MetaGraphDef's graph and function
 * library, its saver and asset references), `keras_metadata.pb` (the Keras objects' configs),
 * `fingerprint.pb`, and frozen GraphDefs (`*.pb`). Graphs are read by `graph.ts` and judged by
 * `analyze.ts`; a file that claims one of these formats and does not decode is MA434 (fail closed).
 *
 * @module
 */

import { type ByteSource, bytesSource } from "../../core/byte_source.ts";
import { DecodeError } from "../../core/decode_error.ts";
import type { ScanContext, Scanner } from "../../core/scanner.ts";
import { checkGraph, type GraphChecks } from "./analyze.ts";
import { SAVED_MODEL_FILES } from "./descriptor.ts";
import { type GraphModel, GraphReader, MAX_DECODED_MESSAGE_BYTES, type ReadLimits } from "./graph.ts";
import { checkKerasMetadata } from "./keras_metadata.ts";
import { decodeMessage, encodeFromText, fieldNumber } from "./schema.ts";
import { WIRE, type WireField } from "../protobuf/wire.ts";
import { scannerOptions } from "../options.ts";

const F = {
  metaGraphs: fieldNumber("tensorflow.SavedModel", "meta_graphs"),
  graphDef: fieldNumber("tensorflow.MetaGraphDef", "graph_def"),
  saverDef: fieldNumber("tensorflow.MetaGraphDef", "saver_def"),
  assetFileDef: fieldNumber("tensorflow.MetaGraphDef", "asset_file_def"),
};

/**
 * A `saved_model.pbtxt` in the binary format the rest of the scanner reads, with a context whose
 * findings drop their byte positions (those of the re-encoded bytes, not of the text).
 */
async function fromText(source: ByteSource, ctx: ScanContext): Promise<[ByteSource, ScanContext]> {
  const { maxTextBytes } = scannerOptions(ctx).tensorflow;
  if (source.size > maxTextBytes) {
    throw new DecodeError(
      "tensorflow",
      `a text SavedModel of ${source.size} bytes is over ${maxTextBytes} (tensorflow.maxTextBytes)`,
    );
  }
  const text = new TextDecoder().decode(await source.read(0, source.size));
  const binary = bytesSource(encodeFromText("tensorflow.SavedModel", text));
  const report = (finding: Parameters<ScanContext["report"]>[0]) =>
    ctx.report({ ...finding, position: undefined });
  return [binary, Object.assign(Object.create(ctx) as ScanContext, { report })];
}

function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"), path.lastIndexOf(":")) + 1);
}

/** The node a tensor name (`save/Const:0`) is an output of. */
function nodeOf(tensor: string): string {
  return tensor.replace(/^\^/, "").split(":")[0];
}

function checksFor(ctx: ScanContext, loaderFed: ReadonlySet<string>): GraphChecks {
  return {
    report: (finding) => ctx.report(finding),
    matchBlacklist: (text) => ctx.matchBlacklist(text),
    scanNested: (source, label, options) => ctx.scanNested(source, label, options),
    scanMember: (member) => ctx.scanMember(member),
    loaderFed,
  };
}

async function scanSavedModel(source: ByteSource, ctx: ScanContext, limits: ReadLimits): Promise<void> {
  const reader = new GraphReader(source, limits);
  let index = 0;
  for await (const field of reader.wire.fields(0, source.size)) {
    if (field.wire !== WIRE.len || field.number !== F.metaGraphs) continue;
    await scanMetaGraph(reader, field, `$.meta_graphs[${index++}]`, ctx);
  }
}

async function scanMetaGraph(reader: GraphReader, metaGraph: WireField, keyPath: string, ctx: ScanContext) {
  const loaderFed = new Set<string>();
  const graphs: GraphModel[] = [];
  for await (const field of reader.wire.fields(metaGraph.start, metaGraph.end)) {
    if (field.wire !== WIRE.len) continue;
    if (field.number === F.graphDef) {
      graphs.push(await reader.readGraphDef(field.start, field.end, `${keyPath}.graph_def`));
    } else if (field.number === F.saverDef) {
      const saver = decodeMessage<{ filename_tensor_name?: string }>(
        "tensorflow.SaverDef",
        await small(reader, field),
      );
      if (saver.filename_tensor_name) loaderFed.add(nodeOf(saver.filename_tensor_name));
    } else if (field.number === F.assetFileDef) {
      const asset = decodeMessage<{ tensor_info?: { name?: string }; filename?: string }>(
        "tensorflow.AssetFileDef",
        await small(reader, field),
      );
      if (asset.tensor_info?.name) loaderFed.add(nodeOf(asset.tensor_info.name));
      // The loader reads assets/<filename>: one that leads out of the folder is reported (MA010) and never read.
      if (asset.filename) await ctx.openSibling(`assets/${asset.filename}`);
    }
  }
  for (const graph of graphs) await checkGraph(graph, checksFor(ctx, loaderFed));
}

async function small(reader: GraphReader, field: WireField): Promise<Uint8Array> {
  if (field.end - field.start > MAX_DECODED_MESSAGE_BYTES) {
    throw new DecodeError("tensorflow", `a message of ${field.end - field.start} bytes at ${field.tag}`);
  }
  return await reader.wire.bytes(field.start, field.end);
}

async function scanGraphDef(source: ByteSource, ctx: ScanContext, limits: ReadLimits): Promise<void> {
  const graph = await new GraphReader(source, limits).readGraphDef(0, source.size, "$");
  await checkGraph(graph, checksFor(ctx, new Set()));
}

async function scanWhole(source: ByteSource, ctx: ScanContext, typeName: string): Promise<void> {
  if (source.size > MAX_DECODED_MESSAGE_BYTES * 64) {
    throw new DecodeError("tensorflow", `${source.size} bytes is too large for a ${typeName}`);
  }
  const bytes = await source.read(0, source.size);
  if (typeName === "tensorflow.FingerprintDef") decodeMessage(typeName, bytes);
  else await checkKerasMetadata(bytes, ctx);
}

/**
 * Scans `source` as the message `typeName` (a SavedModel file's, in text format when `text`), or as
 * a GraphDef when it is undefined; a file that does not decode is MA434, a limit reached MA435.
 */
async function scanAs(source: ByteSource, ctx: ScanContext, typeName: string | undefined, text: boolean) {
  const limits: ReadLimits = { nodes: 0, functions: 0, max: scannerOptions(ctx).tensorflow };
  try {
    if (text) await scanSavedModel(...await fromText(source, ctx), limits);
    else if (typeName === "tensorflow.SavedModel") await scanSavedModel(source, ctx, limits);
    else if (typeName === undefined) await scanGraphDef(source, ctx, limits);
    else await scanWhole(source, ctx, typeName);
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    const message = typeName ?? "tensorflow.GraphDef";
    ctx.report({
      rule: "MA434",
      message: `${
        baseName(ctx.path)
      } does not decode as ${message} (${error.reason}); TensorFlow cannot load it`,
      details: { reason: error.reason, message },
    });
  }
  if (limits.reached) {
    ctx.report({
      rule: "MA435",
      message: `Reading stopped after ${limits.reached}: the rest of the file was not inspected`,
      details: { limit: limits.reached, option: limits.option },
    });
  }
}

/**
 * Scans a SavedModel file or a GraphDef, by the file's name (see `descriptor.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { tensorflowScanner } from "./scanner.ts";
 * const rulesOf = async (name: string, path: string) => {
 *   const { ctx, findings } = recordingContext(name);
 *   await tensorflowScanner.scan(bytesSource(await Deno.readFile(path)), ctx);
 *   return findings.map((finding) => finding.rule);
 * };
 * assert.deepEqual(await rulesOf("frozen.pb", "fixtures/tensorflow/benign/conv_frozen.pb"), []);
 * // A TF1 SavedModel whose graph holds a PyFunc: it runs Python when the graph runs.
 * assert.deepEqual(await rulesOf("saved_model.pb", "fixtures/tensorflow/malicious/pyfunc/saved_model.pb"), ["MA430"]);
 * ```
 */
export const tensorflowScanner: Scanner = {
  async scan(source, ctx) {
    const name = baseName(ctx.path);
    const typeName = SAVED_MODEL_FILES.get(name);
    ctx.identify(
      typeName === undefined
        ? "tensorflow-graphdef"
        : `tensorflow-${name.replace(/\.pb(txt)?$/, "").replaceAll("_", "-")}`,
    );
    await scanAs(source, ctx, typeName, name.endsWith(".pbtxt"));
  },
};

/**
 * Scans a GraphDef serialized in another graph's string (a `DatasetFromGraph`'s input), which
 * the engine hands over as a member of that graph.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { nestedGraphScanner } from "./scanner.ts";
 * // A GraphDef whose ReadFile reads a constant absolute path, as it would sit in a DatasetFromGraph.
 * const graph = await Deno.readFile("fixtures/tensorflow/malicious/read_file_frozen.pb");
 * const { ctx, findings } = recordingContext("<graph>");
 * await nestedGraphScanner.scan(bytesSource(graph), ctx);
 * assert.deepEqual(findings.map((finding) => finding.rule), ["MA431"]);
 * ```
 */
export const nestedGraphScanner: Scanner = {
  scan: (source, ctx) => scanAs(source, ctx, undefined, false),
};
