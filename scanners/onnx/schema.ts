/**
 * Field numbers of the ONNX messages the scanner walks, from the official schema:
 * `onnx/onnx.proto3` of github.com/onnx/onnx at commit f7546912001bc31e92a238b17068a21b373d882e
 * (IR version 14). Only the fields that can hold code, names, strings or other messages are
 * listed; every other field (tensor payloads, shapes, types) is stepped over by its range.
 *
 * @module
 */

/**
 * `ModelProto`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MODEL } from "./schema.ts";
 * assert.equal(MODEL.graph, 7); // onnx.proto's field number
 * ```
 */
export const MODEL = {
  irVersion: 1,
  producerName: 2,
  producerVersion: 3,
  domain: 4,
  modelVersion: 5,
  docString: 6,
  graph: 7,
  opsetImport: 8,
  metadataProps: 14,
  trainingInfo: 20,
  functions: 25,
  configuration: 26,
} as const;

/**
 * `GraphProto`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GRAPH } from "./schema.ts";
 * assert.equal(GRAPH.node, 1); // onnx.proto's field number
 * ```
 */
export const GRAPH = {
  node: 1,
  name: 2,
  initializer: 5,
  docString: 10,
  sparseInitializer: 15,
  metadataProps: 16,
} as const;

/**
 * `NodeProto`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NODE } from "./schema.ts";
 * assert.equal(NODE.domain, 7); // onnx.proto's field number
 * ```
 */
export const NODE = {
  name: 3,
  opType: 4,
  attribute: 5,
  docString: 6,
  domain: 7,
  metadataProps: 9,
} as const;

/**
 * `AttributeProto`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ATTRIBUTE } from "./schema.ts";
 * assert.equal(ATTRIBUTE.graphs, 11); // onnx.proto's field number
 * ```
 */
export const ATTRIBUTE = {
  name: 1,
  s: 4,
  t: 5,
  g: 6,
  strings: 9,
  tensors: 10,
  graphs: 11,
  docString: 13,
  sparseTensor: 22,
  sparseTensors: 23,
} as const;

/**
 * `TensorProto` (and `SparseTensorProto`'s two tensors, `values` 1 and `indices` 2).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TENSOR } from "./schema.ts";
 * assert.equal(TENSOR.externalData, 13); // onnx.proto's field number
 * ```
 */
export const TENSOR = {
  dims: 1,
  dataType: 2,
  floatData: 4,
  stringData: 6,
  name: 8,
  rawData: 9,
  doubleData: 10,
  docString: 12,
  externalData: 13,
  dataLocation: 14,
  metadataProps: 16,
  /** `TensorProto.DataLocation.EXTERNAL`. */
  external: 1,
} as const;

/**
 * `OperatorSetIdProto`, what `ModelProto.opset_import` lists.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OPSET } from "./schema.ts";
 * assert.equal(OPSET.version, 2); // onnx.proto's field number
 * ```
 */
export const OPSET = { domain: 1, version: 2 } as const;

/**
 * `SparseTensorProto`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SPARSE_TENSOR } from "./schema.ts";
 * assert.equal(SPARSE_TENSOR.values, 1); // onnx.proto's field number
 * ```
 */
export const SPARSE_TENSOR = { values: 1, indices: 2 } as const;

/**
 * `FunctionProto`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FUNCTION } from "./schema.ts";
 * assert.equal(FUNCTION.node, 7); // onnx.proto's field number
 * ```
 */
export const FUNCTION = {
  name: 1,
  node: 7,
  docString: 8,
  domain: 10,
  attributeProto: 11,
  metadataProps: 14,
} as const;

/**
 * `TrainingInfoProto`: two graphs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TRAINING_INFO } from "./schema.ts";
 * assert.equal(TRAINING_INFO.algorithm, 2); // onnx.proto's field number
 * ```
 */
export const TRAINING_INFO = { initialization: 1, algorithm: 2 } as const;

/**
 * `StringStringEntryProto` (metadata_props, external_data) and `OperatorSetIdProto` share
 * their first field numbers: key or domain 1, value 2.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ENTRY } from "./schema.ts";
 * assert.equal(ENTRY.value, 2); // onnx.proto's field number
 * ```
 */
export const ENTRY = { key: 1, value: 2 } as const;

/**
 * The wire type of each `ModelProto` field, for detection: a file whose first field is not
 * one of these, with this wire type, is no ONNX model.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MODEL_FIELD_WIRE } from "./schema.ts";
 * import { WIRE } from "../protobuf/wire.ts";
 * assert.equal(MODEL_FIELD_WIRE.get(1), WIRE.varint); // ir_version
 * assert.equal(MODEL_FIELD_WIRE.get(7), WIRE.len); // graph, a message
 * ```
 */
export const MODEL_FIELD_WIRE: ReadonlyMap<number, number> = new Map([
  [MODEL.irVersion, 0],
  [MODEL.producerName, 2],
  [MODEL.producerVersion, 2],
  [MODEL.domain, 2],
  [MODEL.modelVersion, 0],
  [MODEL.docString, 2],
  [MODEL.graph, 2],
  [MODEL.opsetImport, 2],
  [MODEL.metadataProps, 2],
  [MODEL.trainingInfo, 2],
  [MODEL.functions, 2],
  [MODEL.configuration, 2],
]);
