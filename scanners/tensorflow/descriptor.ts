/**
 * TensorFlow's protobuf files as the registry knows them before the scanner loads. A `.pb` has no
 * magic bytes: `saved_model.pb` (or `.pbtxt`), `keras_metadata.pb` and `fingerprint.pb` are claimed by their
 * names (`tf.saved_model.load` reads them by name, whatever they hold, so one that does not
 * decode is a finding), any other `.pb` when its first fields read as a GraphDef's.
 *
 * @module
 */

import { PRIORITY } from "../../core/detection.ts";
import type { DirectoryDescriptor, ReaderDescriptor, ScannerDescriptor } from "../../core/scanner.ts";

/**
 * The files of a SavedModel that its loader reads by name, with the message each holds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SAVED_MODEL_FILES } from "./descriptor.ts";
 * assert.equal(SAVED_MODEL_FILES.get("saved_model.pb"), "tensorflow.SavedModel");
 * ```
 */
export const SAVED_MODEL_FILES: ReadonlyMap<string, string> = new Map([
  ["saved_model.pb", "tensorflow.SavedModel"],
  // tf.saved_model.load reads the text format when there is no saved_model.pb.
  ["saved_model.pbtxt", "tensorflow.SavedModel"],
  ["keras_metadata.pb", "third_party.py.tf_keras.protobuf.SavedMetadata"],
  ["fingerprint.pb", "tensorflow.FingerprintDef"],
]);

/**
 * Whether `head` starts like a serialized GraphDef: a node (field 1) or the library (field 2)
 * first, then well-formed fields as far as the head goes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startsLikeGraphDef } from "./descriptor.ts";
 * assert.equal(startsLikeGraphDef(Uint8Array.of(0x0a, 0x02, 0x12, 0x00), 4), true);
 * assert.equal(startsLikeGraphDef(new TextEncoder().encode("hello"), 5), false);
 * ```
 */
export function startsLikeGraphDef(head: Uint8Array, size: number): boolean {
  if (head[0] !== 0x0a && head[0] !== 0x12) return false;
  let offset = 0;
  let fields = 0;
  const varint = (): number | undefined => {
    let value = 0;
    for (let i = 0, scale = 1; i < 10 && offset < head.length; i++, scale *= 128) {
      const byte = head[offset++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
    }
    return undefined;
  };
  while (offset < head.length) {
    const tag = varint();
    if (tag === undefined) return head.length < size;
    const wireType = tag % 8;
    if (tag < 8 || wireType > 5) return false;
    // Groups (3, 4) have no length of their own: their fields follow, as TensorFlow's parser skips them.
    const length = wireType === 0
      ? (varint(), 0)
      : wireType === 1
      ? 8
      : wireType === 5
      ? 4
      : wireType === 2
      ? varint()
      : 0;
    if (length === undefined) return head.length < size;
    offset += length;
    // A file cut short after well-formed fields is still a GraphDef, one that does not decode (MA434).
    if (offset > size) return fields >= 2;
    fields++;
  }
  return true;
}

/**
 * The TensorFlow scanner's registry entry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tensorflowDescriptor } from "./descriptor.ts";
 * assert.equal(tensorflowDescriptor.detect(new Uint8Array(0), 0, "saved_model.pb"), true);
 * ```
 */
export const tensorflowDescriptor: ScannerDescriptor = {
  id: "tensorflow",
  description:
    "TensorFlow SavedModel (saved_model.pb, keras_metadata.pb, fingerprint.pb) and frozen GraphDef (.pb)",
  extensions: [".pb"],
  // No magic: claimed by name plus a parse, and only when no binary format's content matched.
  priority: PRIORITY.text,
  detect: (head, size, name) =>
    SAVED_MODEL_FILES.has(name) ||
    (name.toLowerCase().endsWith(".pb") && size > 0 && startsLikeGraphDef(head, size)),
  load: () => import("./scanner.ts").then((module) => module.tensorflowScanner),
};

/**
 * The SavedModel folder: one unit, whose checkpoint under `variables/` is raw data (see `saved_model_dir.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { savedModelDirectory } from "./descriptor.ts";
 * assert.equal(savedModelDirectory.matches(["assets/", "saved_model.pb", "variables/"]), true);
 * ```
 */
export const savedModelDirectory: DirectoryDescriptor = {
  id: "tensorflow-saved-model-folder",
  description: "TensorFlow SavedModel folder (saved_model.pb, variables/, assets/)",
  priority: PRIORITY.model,
  matches: (names) => names.includes("saved_model.pb") || names.includes("saved_model.pbtxt"),
  load: () => import("./saved_model_dir.ts").then((module) => module.savedModelFolder),
};

/**
 * The reader of a GraphDef serialized in a string of another graph (`DatasetFromGraph` imports it),
 * which the TensorFlow scanner hands to the engine as a member: nested graphs are followed within
 * the engine's depth and member limits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nestedGraphReader } from "./descriptor.ts";
 * assert.equal(nestedGraphReader.id, "tensorflow-graphdef");
 * ```
 */
export const nestedGraphReader: ReaderDescriptor = {
  id: "tensorflow-graphdef",
  description: "A TensorFlow GraphDef serialized in a string of another graph",
  extensions: [],
  load: () => import("./scanner.ts").then((module) => module.nestedGraphScanner),
};
