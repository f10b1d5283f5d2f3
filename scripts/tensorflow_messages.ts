/**
 * TensorFlow messages as plain objects, encoded by protobufjs from the schema the scanner reads
 * (`scanners/tensorflow/protos.json`): what the bench's SavedModel and the tests' hostile graphs are
 * built from.
 *
 * @module
 */

import protobuf from "protobufjs";
import descriptor from "../scanners/tensorflow/protos.json" with { type: "json" };

const root = protobuf.Root.fromJSON(descriptor);

/**
 * `value` (a plain object with the .proto field names) encoded as the message `typeName`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encode } from "./tensorflow_messages.ts";
 * assert.deepEqual([...encode("tensorflow.NodeDef", { op: "Op" })], [0x12, 0x02, 0x4f, 0x70]); // field 2, "Op"
 * ```
 */
export function encode(typeName: string, value: Record<string, unknown>): Uint8Array {
  const type = root.lookupType(typeName);
  return type.encode(type.fromObject(value)).finish();
}

/**
 * A NodeDef as a plain object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { node } from "./tensorflow_messages.ts";
 * assert.equal(node("y", "Relu", ["x"]).op, "Relu");
 * ```
 */
export function node(name: string, op: string, input: string[] = [], attr: Record<string, unknown> = {}) {
  return { name, op, input, attr };
}

/**
 * A float Const whose tensor_content is `bytes` zero bytes, as a frozen graph stores weights.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { floatConst } from "./tensorflow_messages.ts";
 * assert.equal(floatConst("kernel", 4096).op, "Const");
 * ```
 */
export function floatConst(name: string, bytes: number) {
  return node(name, "Const", [], {
    dtype: { type: 1 },
    value: {
      tensor: {
        dtype: 1,
        tensor_shape: { dim: [{ size: bytes / 4 }] },
        tensor_content: new Uint8Array(bytes),
      },
    },
  });
}

/**
 * A string Const holding `values`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stringConst, utf8 } from "./tensorflow_messages.ts";
 * assert.equal(stringConst("path", utf8("vocab.txt")).name, "path");
 * ```
 */
export function stringConst(name: string, ...values: Uint8Array[]) {
  return node(name, "Const", [], { dtype: { type: 7 }, value: { tensor: { dtype: 7, string_val: values } } });
}

/**
 * UTF-8 of `text`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { utf8 } from "./tensorflow_messages.ts";
 * assert.deepEqual([...utf8("é")], [0xc3, 0xa9]);
 * ```
 */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
