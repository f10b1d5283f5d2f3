/**
 * TensorFlow's message types, from the descriptor `scripts/make_tensorflow_descriptor.py` wrote
 * out of TensorFlow's own compiled `.proto` files (`protos.json`; no `.proto` is read at run time).
 * protobufjs decodes the messages small enough to hold in memory; `../protobuf/wire.ts` walks the others.
 *
 * @module
 */

import protobuf from "protobufjs";
import textformat from "protobufjs/ext/textformat.js";
import descriptor from "./protos.json" with { type: "json" };
import { DecodeError } from "../../core/decode_error.ts";

// Type.fromText, protobuf's text format (a saved_model.pbtxt), is an extension protobufjs installs on demand.
textformat.install();
const root = protobuf.Root.fromJSON(descriptor);

/** A string-valued tensor or attr as decoded: bytes, which are UTF-8 text when they are paths. */
export type Bytes = Uint8Array;

/** `tensorflow.TensorProto`, the fields read here. */
export interface TensorObject {
  dtype?: number;
  string_val?: Bytes[];
}

/** `tensorflow.NameAttrList`: a function (or op) named with its attrs. */
export interface NameAttrListObject {
  name?: string;
  attr?: Record<string, AttrValueObject>;
}

/** `tensorflow.AttrValue`, the fields read here. */
export interface AttrValueObject {
  s?: Bytes;
  tensor?: TensorObject;
  func?: NameAttrListObject;
  list?: { s?: Bytes[]; tensor?: TensorObject[]; func?: NameAttrListObject[] };
}

/** `tensorflow.NodeDef`, the fields read here. */
export interface NodeDefObject {
  name?: string;
  op?: string;
  input?: string[];
  attr?: Record<string, AttrValueObject>;
}

/**
 * Decodes `bytes` as the message `typeName` (e.g. `tensorflow.NodeDef`) into a plain object whose
 * keys are the `.proto` field names; corrupt bytes are a `DecodeError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeMessage, type NodeDefObject } from "./schema.ts";
 * const node = decodeMessage<NodeDefObject>("tensorflow.NodeDef", Uint8Array.of(0x12, 0x02, 0x4f, 0x70));
 * assert.equal(node.op, "Op");
 * ```
 */
export function decodeMessage<T>(typeName: string, bytes: Uint8Array): T {
  const type = root.lookupType(typeName);
  try {
    return type.toObject(type.decode(bytes), { longs: Number, arrays: true, objects: true }) as T;
  } catch (error) {
    throw new DecodeError(
      "tensorflow",
      `not a valid ${typeName.split(".").pop()}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * The field number of `field` in the message `typeName`, as the descriptor declares it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fieldNumber } from "./schema.ts";
 * assert.equal(fieldNumber("tensorflow.GraphDef", "node"), 1);
 * ```
 */
export function fieldNumber(typeName: string, field: string): number {
  const found = root.lookupType(typeName).fields[field];
  if (!found) throw new Error(`${typeName} has no field ${field}`);
  return found.id;
}

/**
 * Parses `text`, protobuf text format of the message `typeName` (a `saved_model.pbtxt`), and encodes
 * it in the binary format, which the rest of the scanner reads; text that does not parse is a
 * `DecodeError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeFromText } from "./schema.ts";
 * assert.equal(encodeFromText("tensorflow.NodeDef", 'name: "x" op: "PyFunc"').length, 11);
 * ```
 */
export function encodeFromText(typeName: string, text: string): Uint8Array {
  const type = root.lookupType(typeName) as protobuf.Type & { fromText(text: string): protobuf.Message };
  try {
    return type.encode(type.fromText(text)).finish();
  } catch (error) {
    throw new DecodeError(
      "tensorflow",
      `not a valid ${typeName.split(".").pop()} in text format: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}
