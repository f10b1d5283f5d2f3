/**
 * The SavedModel folder as `tf.saved_model.load` reads it: `saved_model.pb` (or `.pbtxt`),
 * `keras_metadata.pb` and `fingerprint.pb` are parsed (and scanned by their names), `assets/` are
 * files the graph reads as data (scanned by their content), and the checkpoint under `variables/`
 * is raw data: `RestoreV2` reads tensor bytes from the `.data-*` shards at the offsets the
 * `.index` table gives, and parses nothing else of them. Those are never read here either.
 *
 * @module
 */

import type { DirectoryScanner, MemberPlan } from "../../core/scanner.ts";

/** The checkpoint files of a SavedModel's `variables/`: the index table and the data shards. */
const CHECKPOINT = /^variables\/variables\.(index|data-\d{5}-of-\d{5})$/;

/**
 * Plans a SavedModel folder: its checkpoint is skipped as raw data, the rest scanned by name and content.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { savedModelFolder } from "./saved_model_dir.ts";
 * const file = (path: string) => ({ path, size: 8, read: () => Promise.resolve(new Uint8Array(8)) });
 * const plan = await savedModelFolder.plan(
 *   [file("variables/variables.data-00000-of-00001"), file("saved_model.pb")],
 *   { ...recordingContext("model").ctx, recognises: () => false }, // no format claims these bytes
 * );
 * assert.equal(plan.get("variables/variables.data-00000-of-00001")?.action, "skip"); // raw checkpoint bytes
 * assert.equal(plan.get("saved_model.pb"), undefined); // scanned by its name and content
 * ```
 */
export const savedModelFolder: DirectoryScanner = {
  plan(files) {
    const plans = new Map<string, MemberPlan>();
    for (const file of files) {
      const match = CHECKPOINT.exec(file.path);
      if (!match) continue;
      plans.set(file.path, {
        action: "skip",
        reason: match[1] === "index"
          ? "the checkpoint's index: a table of tensor names, shapes and offsets, which RestoreV2 reads as data"
          : "a checkpoint shard: raw tensor bytes, which RestoreV2 copies at the offsets its index gives",
      });
    }
    return Promise.resolve(plans);
  },
};
