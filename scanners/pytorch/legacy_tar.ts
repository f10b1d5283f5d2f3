/**
 * The legacy torch tar: what `torch.save` wrote before PyTorch 0.1.10 (a tar made
 * by Python's `tarfile` with members `sys_info`, `pickle`, `tensors` and
 * `storages`), and what `torch.load` (1.13: `_legacy_load` → `legacy_load`) still
 * reads from any file that opens as a tar. It extracts `storages` and `tensors`
 * by name into a temporary folder and unpickles them there, then unpickles the
 * `pickle` member with the storages as persistent ids; `sys_info` is never read.
 *
 * The profile recognises the layout by the three members torch reads; anything
 * else in the archive is reported, since torch never loads it. The tar scanner
 * treats links and special files in a profiled archive as critical: torch
 * extracts by name, so a `storages` link makes it read (or write) outside.
 *
 * @module
 */

import type { ArchiveEntry, ArchiveProfile, MemberPlan } from "../archive/profile.ts";
import { legacyStoragesReader, legacyTensorsReader } from "./descriptors.ts";

/** The format name a legacy torch tar is reported as. */
export const LEGACY_TORCH_TAR_FORMAT = "pytorch-legacy-tar";

/** How `legacy_load` reads each member it reads, by name (tarfile matches names exactly). */
const LOADED: ReadonlyMap<string, MemberPlan> = new Map([
  ["pickle", { action: "scan", loadAs: "pickle" }],
  ["storages", { action: "scan", loadAs: legacyStoragesReader.id }],
  ["tensors", { action: "scan", loadAs: legacyTensorsReader.id }],
]);

/** What torch's writer also put in: system information, a pickle torch itself never loads. */
const SYS_INFO = "sys_info";

/**
 * The legacy torch tar profile: matches an archive holding the members `torch.load`
 * reads from a tar (`pickle`, `storages`, `tensors`), plans each as torch reads it,
 * and reports members torch's writer never wrote (MA300).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { legacyTorchTarProfile } from "./legacy_tar.ts";
 * const entry = (name: string) => ({ name, size: 0, directory: false, read: () => Promise.resolve(new Uint8Array()) });
 * assert.equal(legacyTorchTarProfile.matches(["sys_info", "pickle", "tensors", "storages"].map(entry)), true);
 * assert.equal(legacyTorchTarProfile.matches(["model.pkl"].map(entry)), false);
 * ```
 */
export const legacyTorchTarProfile: ArchiveProfile = {
  format: LEGACY_TORCH_TAR_FORMAT,
  // Present, not exclusive: one extra member must not make the archive a plain tar to the scanner.
  matches: (entries) => [...LOADED.keys()].every((name) => entries.some((entry) => entry.name === name)),
  plan(entries: readonly ArchiveEntry[], ctx) {
    const plans = new Map<string, MemberPlan>(LOADED);
    // torch never reads it, but it is a pickle, and whoever unpacks the archive may load it.
    plans.set(SYS_INFO, { action: "scan", loadAs: "pickle" });
    for (const entry of entries) {
      if (plans.has(entry.name)) continue;
      ctx.report({
        rule: "MA300",
        member: entry.name,
        message:
          `Legacy torch tar holds "${entry.name}", which torch.save does not write and torch.load does not read`,
        details: { member: entry.name },
      });
    }
    return Promise.resolve(plans);
  },
};
