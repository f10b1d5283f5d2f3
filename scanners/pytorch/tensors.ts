/**
 * The tensors a PyTorch pickle rebuilds, read from the calls the symbolic pickle machine sees:
 * `torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, ...)` (and the older
 * `_rebuild_tensor`), whose storage is a persistent id `('storage', type, key, location, numel)`,
 * named by the keys of the dicts (and `OrderedDict`s) they end up in, dotted from the outermost
 * (`model.fc.weight`); `_rebuild_parameter` wraps one without changing it. Nothing is called:
 * only the arguments the pickle spells out are read.
 *
 * @module
 */

import type { FactHandlers, PickleFact } from "../pickle/facts.ts";
import type { Value } from "../pickle/machine.ts";

/** Storage classes and the dtype (safetensors' spelling) of their elements. */
const STORAGE_DTYPES: ReadonlyMap<string, string> = new Map([
  ["DoubleStorage", "F64"],
  ["FloatStorage", "F32"],
  ["HalfStorage", "F16"],
  ["BFloat16Storage", "BF16"],
  ["LongStorage", "I64"],
  ["IntStorage", "I32"],
  ["ShortStorage", "I16"],
  ["CharStorage", "I8"],
  ["ByteStorage", "U8"],
  ["BoolStorage", "BOOL"],
  ["ComplexDoubleStorage", "C128"],
  ["ComplexFloatStorage", "C64"],
  ["Float8_e4m3fnStorage", "F8_E4M3"],
  ["Float8_e5m2Storage", "F8_E5M2"],
  ["UInt16Storage", "U16"],
  ["UInt32Storage", "U32"],
  ["UInt64Storage", "U64"],
]);

const REBUILD_TENSOR = new Set(["_rebuild_tensor_v2", "_rebuild_tensor"]);
const REBUILD_PARAMETER = new Set(["_rebuild_parameter", "_rebuild_parameter_with_state"]);
/** Dict levels a name is followed up through: state dicts nest a few deep. */
const MAX_NAME_DEPTH = 32;

/** A tensor a pickle rebuilds over a storage. */
export interface TorchTensor {
  /** Its key path in the loaded object, dotted (`model.fc.weight`), or `<tensor N>` when it is in no dict. */
  name: string;
  /** Element type, in safetensors' spelling; the storage class's name when it has none. */
  dtype: string;
  /** The storage's key (its record is `data/<key>`). */
  storage: string;
  /** The storage's class name (`FloatStorage`). */
  storageType: string;
  /** Dimensions, strides (in elements) and the storage offset (in elements). */
  shape: bigint[];
  strides: bigint[];
  offset: bigint;
  /** Offset of the rebuild call's opcode in the pickle. */
  pos: number;
}

function ints(value: Value | undefined): bigint[] | undefined {
  if (value?.kind !== "tuple" || value.items.length !== value.count) return undefined;
  const out: bigint[] = [];
  for (const item of value.items) {
    if (item.kind !== "int" || (typeof item.value !== "number" && typeof item.value !== "bigint")) {
      return undefined;
    }
    out.push(BigInt(item.value));
  }
  return out;
}

function keyOf(value: Value | undefined): string | undefined {
  if (value?.kind === "str" && typeof value.value === "string") return value.value;
  if (value?.kind === "int" && value.value !== undefined) return String(value.value);
  return undefined;
}

/**
 * Collects rebuilt tensors from the facts of a pickle machine (hand it {@linkcode fact} as the
 * machine's fact hook), and names them once the pickle is read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Disassembler } from "../pickle/disassembler.ts";
 * import { PickleMachine, quietHooks } from "../pickle/machine.ts";
 * import { TorchTensorCollector } from "./tensors.ts";
 * // {"w": _rebuild_tensor_v2(<storage "0": FloatStorage, 6>, 0, (2, 3), (3, 1), False, None)}
 * const pickle = new TextEncoder().encode(
 *   "(dS'w'\nctorch._utils\n_rebuild_tensor_v2\n((S'storage'\nctorch\nFloatStorage\nS'0'\nS'cpu'\nI6\ntQI0\n(I2\nI3\nt(I3\nI1\ntI00\nNtRs.",
 * );
 * const collector = new TorchTensorCollector();
 * const machine = new PickleMachine(quietHooks({ fact: (f) => collector.fact(f), persistentId: () => undefined }));
 * const ops = Disassembler.fromBytes(pickle);
 * for (let op = ops.next(); op; op = ops.next()) machine.step(op);
 * const [tensor] = collector.tensors();
 * assert.deepEqual([tensor.name, tensor.dtype, tensor.storage, tensor.shape, tensor.strides], ["w", "F32", "0", [2n, 3n], [3n, 1n]]);
 * ```
 */
export class TorchTensorCollector {
  readonly #tensors = new Map<Value, Omit<TorchTensor, "name">>();
  /** Where a value was put: the dict (or object with items) and its key, the first time. */
  readonly #placed = new Map<Value, { parent: Value; key: string }>();
  readonly #max: number;
  readonly #names: boolean;

  /**
   * @param max Tensors collected at most (the rest of the pickle is still read).
   * @param names Whether to follow where values are put, to name the tensors (`<tensor N>` otherwise):
   * only a listing needs names, and following every dict item costs a plain scan memory.
   */
  constructor(max = Infinity, names = true) {
    this.#max = max;
    this.#names = names;
  }

  /** The facts it reads, as handlers for a pickle scan's `facts` option. */
  handlers(): FactHandlers {
    const fact = (f: PickleFact) => this.fact(f);
    return { call: fact, items: fact, build: fact };
  }

  /** The machine's fact hook. */
  fact(fact: PickleFact): void {
    if (fact.kind === "call") this.#call(fact.callee, fact.args.items, fact.result);
    else if (!this.#names) return;
    // A pickled module's state: its `_parameters` and `_modules` are named from the module on.
    else if (fact.kind === "build" && !this.#placed.has(fact.state)) {
      this.#placed.set(fact.state, { parent: fact.target, key: "" });
    } else if (fact.kind === "items" && fact.target.kind !== "list" && fact.target.kind !== "set") {
      for (let i = 0; i + 1 < fact.items.length; i += 2) {
        const key = keyOf(fact.items[i]);
        const value = fact.items[i + 1];
        if (key !== undefined && !this.#placed.has(value)) {
          this.#placed.set(value, { parent: fact.target, key });
        }
      }
    }
  }

  #call(callee: Value, args: readonly Value[], result: Value): void {
    if (callee.kind !== "global" || callee.module !== "torch._utils" || callee.name === null) return;
    if (REBUILD_PARAMETER.has(callee.name)) {
      const tensor = args[0] && this.#tensors.get(args[0]);
      if (tensor) this.#tensors.set(result, tensor);
      return;
    }
    if (!REBUILD_TENSOR.has(callee.name) || this.#tensors.size >= this.#max) return;
    const [storage, offset, size, stride] = args;
    if (storage?.kind !== "persid" || storage.pid.kind !== "tuple") return;
    const [tag, type, key] = storage.pid.items;
    const storageKey = keyOf(key);
    if (keyOf(tag) !== "storage" || storageKey === undefined || type?.kind !== "global" || !type.name) return;
    const shape = ints(size);
    const strides = ints(stride);
    if (!shape || !strides || offset?.kind !== "int" || offset.value === undefined) return;
    const storageType = type.name.split(".").pop()!;
    this.#tensors.set(result, {
      dtype: STORAGE_DTYPES.get(storageType) ?? storageType,
      storage: storageKey,
      storageType,
      shape,
      strides,
      offset: BigInt(offset.value as number | bigint),
      pos: (result as { pos?: number }).pos ?? 0,
    });
  }

  /** Every tensor rebuilt, in the order of the calls, named by where it (or the parameter wrapping it) was put. */
  tensors(): TorchTensor[] {
    const holders = new Map<Omit<TorchTensor, "name">, Value>();
    for (const [value, tensor] of this.#tensors) {
      const held = holders.get(tensor);
      if (held === undefined || (!this.#placed.has(held) && this.#placed.has(value))) {
        holders.set(tensor, value);
      }
    }
    return [...holders].map(([tensor, value], index) => ({
      name: this.#nameOf(value) ?? `<tensor ${index}>`,
      ...tensor,
    }));
  }

  /** The keys from the outermost dict down to `value`, dotted; `undefined` when it is in none. */
  #nameOf(value: Value): string | undefined {
    const parts: string[] = [];
    for (let at: Value | undefined = value, depth = 0; at && depth < MAX_NAME_DEPTH; depth++) {
      const place = this.#placed.get(at);
      if (!place) break;
      if (place.key !== "") parts.unshift(place.key);
      at = place.parent;
    }
    return parts.length > 0 ? parts.join(".") : undefined;
  }
}
