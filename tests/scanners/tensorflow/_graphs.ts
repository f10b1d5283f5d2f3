// TensorFlow messages encoded by protobufjs from the schema the scanner reads (scanners/tensorflow/protos.json),
// for tests that need shapes the fixtures cannot hold: megabytes of weights, hostile nesting, broken wire data.
import protobuf from "protobufjs";
import descriptor from "../../../scanners/tensorflow/protos.json" with { type: "json" };

const root = protobuf.Root.fromJSON(descriptor);

/** `value` (a plain object with the .proto field names) encoded as the message `typeName`. */
export function encode(typeName: string, value: Record<string, unknown>): Uint8Array {
  const type = root.lookupType(typeName);
  return type.encode(type.fromObject(value)).finish();
}

/** A NodeDef as a plain object. */
export function node(name: string, op: string, inputs: string[] = [], attr: Record<string, unknown> = {}) {
  return { name, op, input: inputs, attr };
}

/** A string Const holding `values`. */
export function stringConst(name: string, ...values: Uint8Array[]) {
  return node(name, "Const", [], { dtype: { type: 7 }, value: { tensor: { dtype: 7, string_val: values } } });
}

/** A float Const whose tensor_content is `bytes` zero bytes. */
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

/** A GraphDef of `nodes` (plain objects). */
export function graphDef(...nodes: Record<string, unknown>[]): Uint8Array {
  return encode("tensorflow.GraphDef", { node: nodes, versions: { producer: 1087 } });
}

/** UTF-8 of `text`. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** A length-delimited field: its tag byte `tag`, the length as a varint, then `payload`. */
export function lengthDelimited(tag: number, payload: Uint8Array): Uint8Array {
  const length: number[] = [];
  let rest = payload.length;
  while (rest >= 0x80) {
    length.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  length.push(rest);
  return new Uint8Array([tag, ...length, ...payload]);
}

/** Offset of the tag of the one-byte-tag field whose payload is `payload`, found exactly once in `bytes`. */
export function offsetOf(bytes: Uint8Array, payload: Uint8Array): number {
  const needle = lengthDelimited(0x0a, payload);
  let found = -1;
  for (let i = 0; i + needle.length <= bytes.length; i++) {
    if (needle.every((b, j) => bytes[i + j] === b)) {
      if (found >= 0) throw new Error("found twice");
      found = i;
    }
  }
  if (found < 0) throw new Error("not found");
  return found;
}
