/**
 * The PyTorch formats as the registry knows them before their scanners load: the
 * legacy torch stream, found by content, and the readers torch.load amounts to for
 * members a container names (`loadAs`), which are never chosen by content.
 *
 * @module
 */

import { PRIORITY } from "../../core/detection.ts";
import type { ReaderDescriptor, ScannerDescriptor } from "../../core/scanner.ts";
import { startsWithProto } from "../pickle/descriptor.ts";
import { OP } from "../pickle/opcodes.ts";

/** How protocols 0 and 1 write the magic number's LONG: `L` and its digits. */
const TEXT_LONG = 0x4c;
/** Where the first opcode after PROTO starts, and the bytes a FRAME (opcode and 8-byte length) takes. */
const AFTER_PROTO = 2;
const FRAME_BYTES = 9;
/** The magic number's length in bytes, the argument LONG1 writes before it. */
const MAGIC_BYTES = 10;

/**
 * Whether `head` may start a legacy torch stream: PROTO 2 to 5, an optional FRAME, then
 * a LONG1 of the magic number's length; or the text LONG of protocols 0 and 1. Only the
 * scanner reads the number itself, but a pickle that starts with anything else is not
 * torch's, so its scanner is not loaded to say so.
 */
function mayStartLegacyTorch(head: Uint8Array): boolean {
  if (head[0] === TEXT_LONG) return true;
  if (!startsWithProto(head)) return false;
  const first = head[AFTER_PROTO] === OP.FRAME ? AFTER_PROTO + FRAME_BYTES : AFTER_PROTO;
  return head[first] === OP.LONG1 && head[first + 1] === MAGIC_BYTES;
}

/**
 * The legacy torch stream's registry entry: a pickle whose first object is torch's magic
 * number. It ranks above pickle, which would read the raw records as opcodes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { legacyTorchDescriptor } from "./descriptors.ts";
 * assert.equal(legacyTorchDescriptor.detect(new Uint8Array([0x80, 2, 0x8a, 10]), 4, "model.pt"), true); // the scanner confirms
 * assert.equal(legacyTorchDescriptor.detect(new Uint8Array([0x80, 4, 0x95, 0, 0, 0, 0, 0, 0, 0, 0, 0x8a, 10]), 13, "a.pt"), true);
 * assert.equal(legacyTorchDescriptor.detect(new Uint8Array([0x80, 2, 0x7d, 0x71]), 4, "model.pt"), false); // a plain pickle
 * ```
 */
export const legacyTorchDescriptor: ScannerDescriptor = {
  id: "pytorch-legacy",
  description: "PyTorch legacy (non-zip) torch.save stream: five pickles and raw storage records",
  extensions: [".pt", ".pth", ".bin", ".ckpt", ".pkl", ".pickle"],
  priority: PRIORITY.model,
  detect: mayStartLegacyTorch,
  load: () => import("./legacy.ts").then((module) => module.legacyTorchScanner),
};

/**
 * The reader for a legacy tar's `storages` member.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TAR_PROFILES } from "../archive/profiles.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { legacyStoragesReader } from "./descriptors.ts";
 * // The legacy tar profile has torch.load's reading of `storages` done by this reader.
 * const entries = ["sys_info", "pickle", "tensors", "storages"].map((name) => ({
 *   name, size: 0, directory: false, read: () => Promise.resolve(new Uint8Array()),
 * }));
 * const plans = await TAR_PROFILES[0].plan(entries, recordingContext("model.tar").ctx);
 * assert.deepEqual(plans.get("storages"), { action: "scan", loadAs: legacyStoragesReader.id });
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
 * import assert from "node:assert/strict";
 * import { TAR_PROFILES } from "../archive/profiles.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { legacyTensorsReader } from "./descriptors.ts";
 * // The legacy tar profile has torch.load's reading of `tensors` done by this reader.
 * const entries = ["sys_info", "pickle", "tensors", "storages"].map((name) => ({
 *   name, size: 0, directory: false, read: () => Promise.resolve(new Uint8Array()),
 * }));
 * const plans = await TAR_PROFILES[0].plan(entries, recordingContext("model.tar").ctx);
 * assert.deepEqual(plans.get("tensors"), { action: "scan", loadAs: legacyTensorsReader.id });
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
 * import assert from "node:assert/strict";
 * import { torchscriptReader } from "./descriptors.ts";
 * assert.deepEqual(torchscriptReader.extensions, [".py"]);
 * assert.equal(torchscriptReader.id, "torchscript");
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
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { torchScriptPickleReader } from "./descriptors.ts";
 * const scanner = await torchScriptPickleReader.load();
 * const { ctx, findings } = recordingContext("model.pt:m/data.pkl");
 * await scanner.scan(bytesSource(new TextEncoder().encode("c__torch__.m\nNet\n)R.")), ctx);
 * assert.equal(findings.length, 0); // __torch__ classes are the archive's own code
 * ```
 */
export const torchScriptPickleReader: ReaderDescriptor = {
  id: "torchscript-pickle",
  description:
    "Pickle of a TorchScript archive (torch.jit.save), whose __torch__ classes come from its code/",
  extensions: [".pkl", ".debug_pkl"],
  load: () => import("./torchscript_pickle.ts").then((module) => module.torchScriptPickleScanner),
};
