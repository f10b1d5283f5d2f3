/**
 * What TensorFlow's ops do that a model file should not make a loader do, by op name. The names
 * and input positions come from TensorFlow's op registry (`registered_ops.json`, written by
 * `scripts/make_tensorflow_descriptor.py` from the `ops.pbtxt` a TensorFlow release compiles): the
 * ops whose inputs or attrs name a file, a file pattern, a directory or a server address, sorted by
 * what they do with it. Ops TensorFlow does not register come from a custom op library.
 *
 * @module
 */

import registry from "./registered_ops.json" with { type: "json" };

/** What an op does with the path or address it is given. */
export type Access = "read" | "write" | "list" | "connect";

/**
 * Where an op takes its path or address from: input positions (the node's inputs in order, control
 * inputs aside) or an attr holding it as a string.
 *
 * @example
 * ```ts
 * import type { PathOp } from "./ops.ts";
 * const readFile: PathOp = { access: "read", inputs: [0] };
 * ```
 */
export interface PathOp {
  /** What the op does with it. */
  readonly access: Access;
  /** Inputs that carry the path (or address), by position. */
  readonly inputs?: readonly number[];
  /** The attr that holds it. */
  readonly attr?: string;
}

/**
 * Ops that run a Python function registered in the process that built the graph (`tf.py_function`,
 * `tf.numpy_function`, `tf.compat.v1.py_func`): whoever loads the model runs whatever Python that
 * `token` names there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PYTHON_OPS } from "./ops.ts";
 * assert.equal(PYTHON_OPS.has("EagerPyFunc"), true);
 * ```
 */
export const PYTHON_OPS: ReadonlySet<string> = new Set(["PyFunc", "PyFuncStateless", "EagerPyFunc"]);

/**
 * Ops through which the loader itself reads a SavedModel's variables and assets: a saver's
 * `SaveV2`/`RestoreV2`/`MergeV2Checkpoints` and a vocabulary table's initializer are in every real
 * model, and are harmless while their path is the one the loader feeds (the saver's filename
 * tensor, an asset tensor, a function argument). A path fixed in the graph reads or writes
 * whatever file it names.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LOADER_PATH_OPS } from "./ops.ts";
 * assert.deepEqual(LOADER_PATH_OPS.get("RestoreV2"), { access: "read", inputs: [0] }); // its prefix input
 * ```
 */
export const LOADER_PATH_OPS: ReadonlyMap<string, PathOp> = new Map<string, PathOp>([
  ["SaveV2", { access: "write", inputs: [0] }],
  ["Save", { access: "write", inputs: [0] }],
  ["SaveSlices", { access: "write", inputs: [0] }],
  ["MergeV2Checkpoints", { access: "write", inputs: [0, 1] }],
  ["RestoreV2", { access: "read", inputs: [0] }],
  ["Restore", { access: "read", inputs: [0] }],
  ["RestoreSlice", { access: "read", inputs: [0] }],
  ["DTensorRestoreV2", { access: "read", inputs: [0] }],
  ["InitializeTableFromTextFile", { access: "read", inputs: [1] }],
  ["InitializeTableFromTextFileV2", { access: "read", inputs: [1] }],
]);

const read = (...inputs: number[]): PathOp => ({ access: "read", inputs });
const write = (...inputs: number[]): PathOp => ({ access: "write", inputs });
const list = (...inputs: number[]): PathOp => ({ access: "list", inputs });

/**
 * Ops that read, write or list files (or talk to a server) that no loader asks for: whatever path
 * reaches them, a model that holds them touches the file system or the network of whoever runs it.
 * The reader ops (`WholeFileReader`, ...) take their file names from a queue.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FILE_OPS } from "./ops.ts";
 * assert.equal(FILE_OPS.get("WriteFile")?.access, "write");
 * ```
 */
export const FILE_OPS: ReadonlyMap<string, PathOp> = new Map<string, PathOp>([
  ["ReadFile", read(0)],
  ["WriteFile", write(0)],
  ["MatchingFiles", list(0)],
  ["ImmutableConst", { access: "read", attr: "memory_region_name" }],
  ["TFRecordDataset", read(0)],
  ["TFRecordDatasetV2", read(0)],
  ["TextLineDataset", read(0)],
  ["FixedLengthRecordDataset", read(0)],
  ["FixedLengthRecordDatasetV2", read(0)],
  ["CSVDataset", read(0)],
  ["CSVDatasetV2", read(0)],
  ["ExperimentalCSVDataset", read(0)],
  ["LMDBDataset", read(0)],
  ["ExperimentalLMDBDataset", read(0)],
  ["MatchingFilesDataset", list(0)],
  ["ExperimentalMatchingFilesDataset", list(0)],
  ["CacheDataset", write(1)],
  ["CacheDatasetV2", write(1)],
  ["SaveDataset", write(1)],
  ["SaveDatasetV2", write(1)],
  ["LoadDataset", read(0)],
  ["SnapshotDataset", write(1)],
  ["SnapshotDatasetV2", write(1)],
  ["SnapshotDatasetReader", read(0)],
  ["SnapshotChunkDataset", read(0)],
  ["ListSnapshotChunksDataset", list(0)],
  ["DatasetToTFRecord", write(1)],
  ["ExperimentalDatasetToTFRecord", write(1)],
  ["DistributedSave", write(1, 2)],
  ["SqlDataset", read(1)],
  ["ExperimentalSqlDataset", read(1)],
  ["CreateSummaryFileWriter", write(1)],
  ["CreateSummaryDbWriter", write(1)],
  ["LoadAndRemapMatrix", read(0)],
  ["GenerateVocabRemapping", read(0, 1)],
  ["FixedUnigramCandidateSampler", { access: "read", attr: "vocab_file" }],
  ["Skipgram", { access: "read", attr: "filename" }],
  ["RecordInput", { access: "read", attr: "file_pattern" }],
  ["WholeFileReader", read()],
  ["WholeFileReaderV2", read()],
  ["TextLineReader", read()],
  ["TextLineReaderV2", read()],
  ["TFRecordReader", read()],
  ["TFRecordReaderV2", read()],
  ["FixedLengthRecordReader", read()],
  ["FixedLengthRecordReaderV2", read()],
  ["LMDBReader", read()],
  ["DataServiceDataset", { access: "connect", inputs: [2] }],
  ["DataServiceDatasetV2", { access: "connect", inputs: [2] }],
  ["DataServiceDatasetV3", { access: "connect", inputs: [2] }],
  ["DataServiceDatasetV4", { access: "connect", inputs: [2] }],
  ["RegisterDataset", { access: "connect", inputs: [1] }],
  ["RegisterDatasetV2", { access: "connect", inputs: [1] }],
  // Ops of earlier releases (tf.contrib) that TensorFlow still keeps API definitions for.
  ["Rpc", { access: "connect", inputs: [0] }],
  ["TryRpc", { access: "connect", inputs: [0] }],
  ["KafkaDataset", { access: "connect", inputs: [1], attr: "servers" }],
  ["BigQueryReader", { access: "connect" }],
]);

/**
 * An op whose string attr decides what it touches.
 *
 * @example
 * ```ts
 * import type { AttrPathOp } from "./ops.ts";
 * const print: AttrPathOp = { attr: "output_stream", access: (v) => v.startsWith("file://") ? "write" : undefined };
 * ```
 */
export interface AttrPathOp {
  /** The attr holding the path or URL. */
  readonly attr: string;
  /** What the op does with `value`, `undefined` when it touches nothing. */
  access(value: string): Access | undefined;
}

/**
 * Ops whose string attr decides whether they touch a file or a server: `PrintV2` prints to a file
 * for `output_stream: "file://..."`, `DecodeProtoV2`/`EncodeProto` read a descriptor file unless
 * `descriptor_source` is `local://`, the debug ops write to `file://` and send to `grpc://` URLs.
 * `access` says what a given value does, `undefined` for the harmless ones.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ATTR_PATH_OPS } from "./ops.ts";
 * assert.equal(ATTR_PATH_OPS.get("PrintV2")?.access("file:///tmp/log"), "write");
 * assert.equal(ATTR_PATH_OPS.get("PrintV2")?.access("stderr"), undefined);
 * ```
 */
export const ATTR_PATH_OPS: ReadonlyMap<string, AttrPathOp> = new Map<string, AttrPathOp>([
  ["PrintV2", {
    attr: "output_stream",
    access: (value) => value.startsWith("file://") ? "write" : undefined,
  }],
  ["DecodeProtoV2", { attr: "descriptor_source", access: descriptorSource }],
  ["EncodeProto", { attr: "descriptor_source", access: descriptorSource }],
  ...["DebugIdentity", "DebugIdentityV2", "DebugIdentityV3", "DebugNanCount", "DebugNumericSummary"].map(
    (op): [string, AttrPathOp] => [op, { attr: "debug_urls", access: debugUrl }],
  ),
]);

function descriptorSource(value: string): Access | undefined {
  return value === "" || value === "local://" ? undefined : "read";
}

function debugUrl(value: string): Access | undefined {
  if (value.startsWith("file://")) return "write";
  return value === "" ? undefined : "connect";
}

/**
 * Every op TensorFlow registers, from its `ops.pbtxt` and its API definitions (the XLA ops of the
 * Python build, ops of earlier releases). Internal ops (`_Retval`, ...) are in neither.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { REGISTERED_OPS } from "./ops.ts";
 * assert.equal(REGISTERED_OPS.has("MatMul"), true);
 * assert.equal(REGISTERED_OPS.has("MyCustomOp"), false);
 * ```
 */
export const REGISTERED_OPS: ReadonlySet<string> = new Set(registry.ops);
