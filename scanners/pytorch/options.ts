/**
 * The PyTorch scanners' limits: how many storages and tensors a checkpoint may
 * declare, and how large a pickle is read whole to index the storages it refers
 * to. Set them per scan with `scannerOptions: { pytorch: { ... } }` or
 * `--limit pytorch.NAME=VALUE`; the pickles themselves are bound by the pickle
 * scanner's options.
 *
 * @module
 */

/**
 * Limits of the PyTorch scanners (zip checkpoints, legacy streams and legacy tars).
 *
 * @example
 * ```ts
 * import { DEFAULT_PYTORCH_OPTIONS, type PytorchOptions } from "./options.ts";
 * const small: PytorchOptions = { ...DEFAULT_PYTORCH_OPTIONS, maxLegacyStorages: 1_000 };
 * ```
 */
export interface PytorchOptions {
  /**
   * Storages a legacy torch stream or tar may declare before MA110 (default 100,000): a
   * checkpoint holds one per tensor, far fewer; past it the storage records are not analysed.
   */
  maxLegacyStorages: number;
  /**
   * Tensors of a legacy tar's `tensors` member before MA110 (default 100,000): checkpoints hold one
   * per parameter, far fewer; more is an attack on the scanner.
   */
  maxLegacyTensors: number;
  /**
   * Storages of a zip checkpoint's pickle indexed to check the `data/` records against
   * (default 1,000,000): a checkpoint holds one per tensor, tens of thousands at most; past it
   * the index is incomplete and records are not judged unreferenced.
   */
  maxIndexedStorages: number;
  /**
   * Bytes of a zip checkpoint's pickle read whole to index its storages (default 16 MiB): real
   * ones are far smaller; a larger one is still scanned, but not indexed.
   */
  maxIndexedPickleBytes: number;
  /**
   * Bytes of one TorchScript source file (`code/*.py`) read (default 16 MiB): real code files are
   * kilobytes, a traced giant stays far below; the rest is not inspected (MA006).
   */
  maxTorchScriptSourceBytes: number;
  /**
   * Local names recorded per TorchScript source file (default 1,000,000), so hostile input cannot
   * hoard memory; past it names are not taken as local, which only adds findings.
   */
  maxTorchScriptBindings: number;
}

/**
 * The PyTorch scanners' limits when none is set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_PYTORCH_OPTIONS } from "./options.ts";
 * assert.equal(DEFAULT_PYTORCH_OPTIONS.maxLegacyStorages, 100_000);
 * ```
 */
export const DEFAULT_PYTORCH_OPTIONS: Readonly<PytorchOptions> = Object.freeze({
  maxLegacyStorages: 100_000,
  maxLegacyTensors: 100_000,
  maxIndexedStorages: 1_000_000,
  maxIndexedPickleBytes: 16 * 1024 * 1024,
  maxTorchScriptSourceBytes: 16 * 1024 * 1024,
  maxTorchScriptBindings: 1_000_000,
});

/**
 * What each limit bounds, in one line, for `modelaudit limits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PYTORCH_OPTION_SUMMARIES } from "./options.ts";
 * assert.ok(PYTORCH_OPTION_SUMMARIES.maxLegacyStorages?.startsWith("Storages a legacy torch file may declare"));
 * ```
 */
export const PYTORCH_OPTION_SUMMARIES: Readonly<Record<keyof PytorchOptions, string>> = {
  maxLegacyStorages:
    "Storages a legacy torch file may declare before MA110; past it records are not analysed",
  maxLegacyTensors: "Tensors of a legacy torch tar's tensors member before MA110",
  maxIndexedStorages: "Storages of a zip checkpoint's pickle indexed to check its data/ records against",
  maxIndexedPickleBytes: "Bytes of a zip checkpoint's pickle read whole to index its storages",
  maxTorchScriptSourceBytes: "Bytes of one TorchScript source file inspected; the rest is not (MA006)",
  maxTorchScriptBindings: "Local names recorded per TorchScript source; past it names count as global",
};
