/**
 * The PyTorch formats as the registry knows them before their scanners load: the
 * legacy torch stream, found by content, and the readers torch.load amounts to for
 * members a container names (`loadAs`), which are never chosen by content.
 *
 * @module
 */

import { PRIORITY, type ReaderDescriptor, type ScannerDescriptor } from "../../core/scanner.ts";
import { startsWithProto } from "../pickle/descriptor.ts";

/** How protocols 0 and 1 write the magic number's LONG: `L` and its digits. */
const TEXT_LONG = 0x4c;

/**
 * The legacy torch stream's registry entry: a pickle whose first object is torch's magic
 * number. It ranks above pickle, which would read the raw records as opcodes.
 *
 * @example
 * ```ts
 * import { legacyTorchDescriptor } from "./descriptors.ts";
 * legacyTorchDescriptor.detect(new Uint8Array([0x80, 2, 0x8a, 10]), 4, "model.pt"); // true: the scanner confirms
 * ```
 */
export const legacyTorchDescriptor: ScannerDescriptor = {
  id: "pytorch-legacy",
  description: "PyTorch legacy (non-zip) torch.save stream: five pickles and raw storage records",
  extensions: [".pt", ".pth", ".bin", ".ckpt", ".pkl", ".pickle"],
  priority: PRIORITY.model,
  detect: (head) => startsWithProto(head) || head[0] === TEXT_LONG,
  load: () => import("./legacy.ts").then((module) => module.legacyTorchScanner),
};

/**
 * The reader for a legacy tar's `storages` member.
 *
 * @example
 * ```ts
 * import { legacyStoragesReader } from "./descriptors.ts";
 * legacyStoragesReader.id; // "pytorch-legacy-storages"
 * ```
 */
export const legacyStoragesReader: ReaderDescriptor = {
  id: "pytorch-legacy-storages",
  description: "The storages member of a legacy torch tar: pickles and raw storage records",
  extensions: [],
  load: () => import("./legacy_tar_records.ts").then((module) => module.legacyStoragesScanner),
};

/**
 * The reader for a legacy tar's `tensors` member.
 *
 * @example
 * ```ts
 * import { legacyTensorsReader } from "./descriptors.ts";
 * legacyTensorsReader.id; // "pytorch-legacy-tensors"
 * ```
 */
export const legacyTensorsReader: ReaderDescriptor = {
  id: "pytorch-legacy-tensors",
  description: "The tensors member of a legacy torch tar: pickles and raw tensor metadata records",
  extensions: [],
  load: () => import("./legacy_tar_records.ts").then((module) => module.legacyTensorsScanner),
};

/**
 * The reader for a TorchScript archive's `code/` sources; `.py`, so that such a member's
 * name is not an extension mismatch.
 *
 * @example
 * ```ts
 * import { torchscriptReader } from "./descriptors.ts";
 * torchscriptReader.extensions; // [".py"]
 * ```
 */
export const torchscriptReader: ReaderDescriptor = {
  id: "torchscript",
  description: "TorchScript source (code/ of a torch.jit.save archive)",
  extensions: [".py"],
  load: () => import("./torchscript.ts").then((module) => module.torchscriptScanner),
};

/**
 * The reader for the pickles of a TorchScript archive, whose `__torch__` classes come from its code.
 *
 * @example
 * ```ts
 * import { torchScriptPickleReader } from "./descriptors.ts";
 * torchScriptPickleReader.id; // "torchscript-pickle"
 * ```
 */
export const torchScriptPickleReader: ReaderDescriptor = {
  id: "torchscript-pickle",
  description:
    "Pickle of a TorchScript archive (torch.jit.save), whose __torch__ classes come from its code/",
  extensions: [".pkl", ".debug_pkl"],
  load: () => import("./torchscript_pickle.ts").then((module) => module.torchScriptPickleScanner),
};
