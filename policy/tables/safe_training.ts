/**
 * Known-safe callables of the training stacks whose configurations name classes
 * for Hydra's `instantiate` (`_target_`), jsonargparse (`class_path`) and NeMo
 * (`target`) to build: NeMo's modules and models, Lightning, Hydra and OmegaConf's
 * own classes, torchvision's models and transforms, transformers' classes, and
 * the spellings configs use for PyTorch's layers, optimizers, schedulers and data
 * loaders (`torch.nn.Linear`, `torch.optim.lr_scheduler.CosineAnnealingLR`), which
 * pickles write under their defining modules instead.
 *
 * Classes only: a class builds an object from the config's keys, while functions
 * of the same packages (`hydra.utils.call`, `from_pretrained`) may load or run more.
 *
 * @module
 */

import type { SafeFamily, SafeTable } from "./safe.ts";

/** A family of the classes under `root`. */
const classes = (root: string): SafeFamily => ({ root, entry: `${root}.*`, names: "classes" });

/**
 * The classes a package re-exports at `root` itself, as configs spell them (`torch.nn.Linear`): the
 * defining modules under it (`torch.nn.modules.linear`, `transformers.models.*`) keep their own verdicts.
 */
const exported = (root: string): SafeFamily => ({
  root,
  entry: `${root}.*`,
  names: "classes",
  depth: root.split(".").length,
});

/**
 * Classes of NeMo, Lightning, Hydra, OmegaConf, torchvision, transformers and PyTorch that training
 * configurations name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallablePolicy } from "../callables.ts";
 * import { SAFE_TRAINING } from "./safe_training.ts";
 * assert.equal(SAFE_TRAINING.library, "training-configs");
 * const policy = CallablePolicy.standard();
 * assert.equal(policy.judge("nemo.collections.asr.modules", "ConvASREncoder").tier, "safe");
 * assert.equal(policy.judge("hydra.utils", "get_method").tier, "unknown"); // a function: it imports what it is given
 * ```
 */
export const SAFE_TRAINING: SafeTable = {
  library: "training-configs",
  families: [
    classes("nemo.collections"),
    classes("nemo.core"),
    classes("pytorch_lightning"),
    classes("lightning.pytorch"),
    classes("lightning.fabric"),
    classes("hydra"),
    classes("omegaconf"),
    classes("torchvision.models"),
    classes("torchvision.transforms"),
    classes("torchvision.ops"),
    exported("transformers"),
    exported("torch.nn"),
    exported("torch.utils.data"),
  ],
};
