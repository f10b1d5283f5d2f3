/**
 * The Keras 3 `.keras` archive profile: what `keras.saving.save_model` writes (`saving_lib`), a
 * zip of `config.json` (the model config `load_model` rebuilds the model from), `metadata.json`
 * (the Keras version and save date), `model.weights.h5` or `model.weights.npz` (the variables,
 * read with h5py or `np.load`) and `assets/` (files layers saved, such as vocabularies).
 *
 * `config.json` is read as the Keras config it is (`keras-config`), the weights as HDF5 whatever
 * their content, `metadata.json` is checked here; members Keras does not write are reported
 * (MA408) and scanned by their content.
 *
 * @module
 */

import type { FindingReport } from "../../core/scanner.ts";
import type { ArchiveEntry, ArchiveProfile, MemberPlan } from "../archive/profile.ts";
import { scannerOptions } from "../options.ts";

/** The record Keras rebuilds the model from. */
export const CONFIG_RECORD = "config.json";
/** The record of the Keras version. */
export const METADATA_RECORD = "metadata.json";

/** What Keras does with each record it writes. */
const RECORDS: ReadonlyMap<string, MemberPlan> = new Map<string, MemberPlan>([
  [CONFIG_RECORD, { action: "scan", loadAs: "keras-config" }],
  ["model.weights.h5", { action: "scan", loadAs: "hdf5" }],
  ["model.weights.npz", { action: "scan" }],
]);

const files = (entries: readonly ArchiveEntry[]) => entries.filter((entry) => !entry.directory);

/** Checks `metadata.json`, read whole up to `maxBytes` (`keras.maxMetadataBytes`): Keras writes a few dozen. */
async function checkMetadata(
  entry: ArchiveEntry | undefined,
  maxBytes: number,
  report: (message: string, details?: FindingReport["details"]) => void,
): Promise<void> {
  if (!entry) return report(`${METADATA_RECORD} is missing: Keras writes it with every model`);
  if (entry.size > maxBytes) {
    return report(
      `${METADATA_RECORD} declares ${entry.size} bytes, more than the ${maxBytes} read (--limit keras.maxMetadataBytes)`,
      { size: entry.size, limit: maxBytes, option: "keras.maxMetadataBytes" },
    );
  }
  let metadata: unknown;
  try {
    metadata = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(await entry.read()));
  } catch (error) {
    return report(`${METADATA_RECORD} is not JSON (${(error as Error).message})`);
  }
  const version = (metadata as { keras_version?: unknown } | null)?.keras_version;
  if (
    typeof metadata !== "object" || metadata === null || Array.isArray(metadata) ||
    typeof version !== "string"
  ) {
    report(`${METADATA_RECORD} is not an object with a keras_version string`);
  }
}

/**
 * The profile: matches an archive with `config.json` and one of `metadata.json` or
 * `model.weights.h5`/`.npz` at its root.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kerasProfile } from "./archive.ts";
 * const entry = (name: string) => ({ name, size: 2, directory: false, read: () => Promise.resolve(new Uint8Array()) });
 * assert.equal(kerasProfile.matches([entry("config.json"), entry("metadata.json")]), true);
 * assert.equal(kerasProfile.matches([entry("config.json")]), false);
 * ```
 */
export const kerasProfile: ArchiveProfile = {
  format: "keras",
  matches(entries) {
    const names = new Set(files(entries).map((entry) => entry.name));
    return names.has(CONFIG_RECORD) &&
      (names.has(METADATA_RECORD) || names.has("model.weights.h5") || names.has("model.weights.npz"));
  },
  async plan(entries, ctx) {
    const members = files(entries);
    const metadata = members.find((entry) => entry.name === METADATA_RECORD);
    await checkMetadata(
      metadata,
      scannerOptions(ctx).keras.maxMetadataBytes,
      (message, details) =>
        ctx.report({
          rule: "MA409",
          member: METADATA_RECORD,
          message: `The .keras archive's ${message}`,
          ...(details ? { details } : {}),
        }),
    );
    const plans = new Map<string, MemberPlan>();
    for (const entry of members) {
      const known = RECORDS.get(entry.name);
      if (known) plans.set(entry.name, known);
      else if (entry.name === METADATA_RECORD) {
        plans.set(entry.name, {
          action: "skip",
          reason: "read by the profile: Keras only reads its version",
        });
      } else if (!entry.name.startsWith("assets/")) {
        ctx.report({
          rule: "MA408",
          member: entry.name,
          message:
            `The .keras archive holds ${entry.name}, which Keras does not write; it is scanned by its content`,
          details: { member: entry.name },
        });
      }
    }
    return plans;
  },
};
