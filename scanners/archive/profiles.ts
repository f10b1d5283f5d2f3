/**
 * The archive profiles of each container format, most specific first: the zip
 * and tar scanners use the first whose layout matches. A layout belongs to the
 * container its loader reads it from: torch.load reads a checkpoint's layout
 * only from a zip, and the legacy layout only from a tar.
 *
 * @module
 */

import { kerasProfile } from "../keras/archive.ts";
import { npzProfile } from "../numpy/npz.ts";
import { torchServeProfile } from "../torchserve/archive.ts";
import { legacyTorchTarProfile } from "../pytorch/legacy_tar.ts";
import { torchScriptZipProfile, torchZipProfile } from "../pytorch/zip_checkpoint.ts";
import type { ArchiveProfile } from "./profile.ts";

/**
 * The layouts a loader reads from a zip: TorchServe model archives (`.mar`), TorchScript archives
 * (tried before plain checkpoints, whose layout they extend), PyTorch checkpoints, NumPy `.npz` and
 * Keras 3 `.keras`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ZIP_PROFILES } from "./profiles.ts";
 * assert.deepEqual(ZIP_PROFILES.map((p) => p.format), ["torchserve-mar", "torchscript", "pytorch", "numpy-npz", "keras"]);
 * ```
 */
export const ZIP_PROFILES: readonly ArchiveProfile[] = [
  // First: its manifest settles it, and a model archive may hold files another layout has at its root.
  torchServeProfile,
  torchScriptZipProfile,
  torchZipProfile,
  npzProfile,
  kerasProfile,
];

/**
 * The layouts a loader reads from a tar: only the legacy torch tar (a tar holding
 * a zip checkpoint's layout is no checkpoint, and its data members must not be skipped).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TAR_PROFILES } from "./profiles.ts";
 * assert.deepEqual(TAR_PROFILES.map((p) => p.format), ["pytorch-legacy-tar"]);
 * ```
 */
export const TAR_PROFILES: readonly ArchiveProfile[] = [legacyTorchTarProfile];
