/**
 * The `.npz` archive profile: what `np.savez` and `np.savez_compressed` write, a zip of `.npy`
 * members. `np.load` reads a member whose name ends in `.npy` with `format.read_array` (the
 * `.npy` reader, which unpickles object arrays when pickles are allowed), so every member is
 * planned to be read as the `numpy` scanner reads a `.npy` file, whatever its content.
 *
 * @module
 */

import type { ArchiveEntry, ArchiveProfile } from "../archive/profile.ts";

/** The suffix np.load looks for, case included. */
const NPY_SUFFIX = ".npy";

function files(entries: readonly ArchiveEntry[]): ArchiveEntry[] {
  return entries.filter((entry) => !entry.directory);
}

/**
 * The profile: matches an archive whose every file is named `*.npy`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { npzProfile } from "./npz.ts";
 * const entry = { name: "arr_0.npy", size: 128, directory: false, read: () => Promise.resolve(new Uint8Array()) };
 * assert.equal(npzProfile.matches([entry]), true);
 * ```
 */
export const npzProfile: ArchiveProfile = {
  format: "numpy-npz",
  matches(entries) {
    const members = files(entries);
    return members.length > 0 && members.every((entry) => entry.name.endsWith(NPY_SUFFIX));
  },
  plan(entries) {
    return Promise.resolve(
      new Map(files(entries).map((entry) => [entry.name, { action: "scan", loadAs: "numpy" }])),
    );
  },
};
