/**
 * The tensor storages a zip checkpoint's pickle refers to: every persistent id
 * `('storage', type, key, location, numel)` that `torch.load` (or the
 * TorchScript unpickler) resolves by reading the record `data/<key>` (or
 * `constants/<key>`) of the archive. Read with the symbolic pickle machine,
 * quietly (the pickle is scanned for what it runs separately), to check the
 * records against the references without reading a byte of tensor data.
 *
 * @module
 */

import { Disassembler } from "../pickle/disassembler.ts";
import { PickleMachine, quietHooks, STEP, type Value } from "../pickle/machine.ts";
import { DEFAULT_PICKLE_OPTIONS, DEFAULT_PYTORCH_OPTIONS, type PickleOptions } from "../option_catalog.ts";
import { STORAGE_ELEMENT_BYTES } from "./legacy.ts";
import type { TorchTensorCollector } from "./tensors.ts";

/** Opcodes between checks of the abort signal. */
const ABORT_CHECK_OPCODES = 1 << 16;

/** One storage a pickle refers to, as its first persistent id for the key declares it. */
export interface StorageReference {
  /** The record key, e.g. `"0"`: the record is `data/0`. */
  key: string;
  /** Offset of the PERSID/BINPERSID opcode in the pickle. */
  pos: number;
  /** The record's size in bytes that the reference implies, when its type and element count are known. */
  bytes?: bigint;
}

/** What a pickle refers to. */
export interface StorageIndex {
  /** References by key, first one winning (as torch loads each key once). */
  references: Map<string, StorageReference>;
  /**
   * Whether every persistent id was understood and the pickle read to its STOP: only then do
   * records that no reference names count as unreferenced.
   */
  complete: boolean;
}

const text = (value: Value | undefined) =>
  value?.kind === "str" && typeof value.value === "string" ? value.value : undefined;

/** Bytes of a storage of `type` holding `numel` elements, when both are known. */
function storageBytes(type: Value | undefined, numel: Value | undefined): bigint | undefined {
  if (type?.kind !== "global" || !type.resolved) return undefined;
  const element = STORAGE_ELEMENT_BYTES.get(type.name!.split(".").pop()!);
  if (element === undefined || numel?.kind !== "int") return undefined;
  const count = numel.value;
  return typeof count === "number" || typeof count === "bigint" ? BigInt(count) * BigInt(element) : undefined;
}

/**
 * Indexes the storages `pickle` refers to (its first pickle only, as torch reads it), and hands
 * the machine's facts to `tensors` when given (the tensors it rebuilds, in the same pass).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { indexStorages } from "./storage_refs.ts";
 * // A data.pkl's persistent id, as torch.save writes it: ("storage", FloatStorage, key "0", "cpu", 4 elements)
 * const dataPkl = new TextEncoder().encode("(S'storage'\nctorch\nFloatStorage\nS'0'\nS'cpu'\nI4\ntQ.");
 * const { references, complete } = indexStorages(dataPkl);
 * assert.deepEqual([...references.keys()], ["0"]);
 * assert.equal(complete, true);
 * ```
 */
export function indexStorages(
  pickle: Uint8Array,
  signal?: AbortSignal,
  limits: { maxStorages: number; pickle: Readonly<PickleOptions> } = {
    maxStorages: DEFAULT_PYTORCH_OPTIONS.maxIndexedStorages,
    pickle: DEFAULT_PICKLE_OPTIONS,
  },
  tensors?: TorchTensorCollector,
): StorageIndex {
  const references = new Map<string, StorageReference>();
  let complete = true;
  const machine = new PickleMachine(
    quietHooks({
      ...(tensors ? { fact: (fact) => tensors.fact(fact) } : {}),
      persistentId(pid, pos) {
        const [tag, type, key, , numel] = pid.kind === "tuple" ? pid.items : [];
        const name = text(key);
        if (text(tag) !== "storage" || name === undefined || references.size >= limits.maxStorages) {
          complete = false;
        } else if (!references.has(name)) {
          references.set(name, { key: name, pos, bytes: storageBytes(type, numel) });
        }
        return undefined;
      },
    }),
    limits.pickle,
  );
  const dis = Disassembler.fromBytes(pickle);
  for (let untilCheck = ABORT_CHECK_OPCODES;; untilCheck--) {
    if (untilCheck === 0) {
      untilCheck = ABORT_CHECK_OPCODES;
      signal?.throwIfAborted();
    }
    const op = dis.next();
    if (op === undefined) return { references, complete: false };
    const step = machine.step(op);
    if (step === STEP.STOP) return { references, complete };
    if (step !== STEP.CONTINUE) return { references, complete: false };
  }
}
