// TensorFlow messages for tests that need shapes the fixtures cannot hold (megabytes of weights, hostile
// nesting, broken wire data): protobufjs encodings from the scanner's schema, and raw wire bytes.
import { encode, type node } from "../../../scripts/tensorflow_messages.ts";
export { encode, floatConst, node, stringConst, utf8 } from "../../../scripts/tensorflow_messages.ts";

/** A GraphDef of `nodes` (plain objects). */
export function graphDef(...nodes: ReturnType<typeof node>[]): Uint8Array {
  return encode("tensorflow.GraphDef", { node: nodes, versions: { producer: 1087 } });
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
