/**
 * The tensor types of ggml (`enum ggml_type` in llama.cpp's `ggml/include/ggml.h`) with the
 * block size and bytes per block of each (`type_traits` in `ggml/src/ggml.c`, also
 * `GGML_QUANT_SIZES` in gguf-py), as gguf.cpp uses them to size a tensor's data.
 *
 * @module
 */

/** A ggml tensor type: its name, how many elements a block holds and how many bytes a block takes. */
export interface GgmlType {
  /** ggml's name for it, e.g. `Q4_0`. */
  readonly name: string;
  /** Elements per block (1 for unquantised types). */
  readonly blockSize: number;
  /** Bytes per block. */
  readonly typeSize: number;
}

/**
 * The types a GGUF file may declare, by id. Ids 4 and 5 (Q4_2, Q4_3) were removed from ggml
 * before GGUF existed; 31–33 and 36–38 are {@linkcode RETIRED_GGML_TYPES}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GGML_TYPES } from "./ggml_types.ts";
 * assert.deepEqual(GGML_TYPES.get(8), { name: "Q8_0", blockSize: 32, typeSize: 34 });
 * assert.equal(GGML_TYPES.get(4), undefined); // Q4_2, removed
 * ```
 */
export const GGML_TYPES: ReadonlyMap<number, GgmlType> = new Map(
  ([
    [0, "F32", 1, 4],
    [1, "F16", 1, 2],
    [2, "Q4_0", 32, 18],
    [3, "Q4_1", 32, 20],
    [6, "Q5_0", 32, 22],
    [7, "Q5_1", 32, 24],
    [8, "Q8_0", 32, 34],
    [9, "Q8_1", 32, 40],
    [10, "Q2_K", 256, 84],
    [11, "Q3_K", 256, 110],
    [12, "Q4_K", 256, 144],
    [13, "Q5_K", 256, 176],
    [14, "Q6_K", 256, 210],
    [15, "Q8_K", 256, 292],
    [16, "IQ2_XXS", 256, 66],
    [17, "IQ2_XS", 256, 74],
    [18, "IQ3_XXS", 256, 98],
    [19, "IQ1_S", 256, 50],
    [20, "IQ4_NL", 32, 18],
    [21, "IQ3_S", 256, 110],
    [22, "IQ2_S", 256, 82],
    [23, "IQ4_XS", 256, 136],
    [24, "I8", 1, 1],
    [25, "I16", 1, 2],
    [26, "I32", 1, 4],
    [27, "I64", 1, 8],
    [28, "F64", 1, 8],
    [29, "IQ1_M", 256, 56],
    [30, "BF16", 1, 2],
    [34, "TQ1_0", 256, 54],
    [35, "TQ2_0", 256, 66],
    [39, "MXFP4", 32, 17],
    [40, "NVFP4", 64, 36],
    [41, "Q1_0", 128, 18],
  ] as const).map(([id, name, blockSize, typeSize]) => [id, { name, blockSize, typeSize }]),
);

/**
 * The ARM-repacked types llama.cpp wrote into GGUF files in late 2024 and retired since (they are
 * repacked at load time now): real models on the hub still carry them, so they are sized like
 * their siblings (Q4_0's and IQ4_NL's blocks, rearranged) but current llama.cpp refuses them
 * (block size 0 in its type table).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GGML_TYPES, RETIRED_GGML_TYPES } from "./ggml_types.ts";
 * assert.equal(RETIRED_GGML_TYPES.get(31)?.name, "Q4_0_4_4");
 * assert.equal(RETIRED_GGML_TYPES.get(31)?.typeSize, GGML_TYPES.get(2)?.typeSize); // Q4_0's blocks, repacked
 * ```
 */
export const RETIRED_GGML_TYPES: ReadonlyMap<number, GgmlType> = new Map(
  ([
    [31, "Q4_0_4_4"],
    [32, "Q4_0_4_8"],
    [33, "Q4_0_8_8"],
    [36, "IQ4_NL_4_4"],
    [37, "IQ4_NL_4_8"],
    [38, "IQ4_NL_8_8"],
  ] as const).map(([id, name]) => [id, { name, blockSize: 32, typeSize: 18 }]),
);

/** Ids below this in neither table were removed from ggml. */
const FIRST_UNKNOWN_ID = 42;

/**
 * Ids from {@linkcode FIRST_UNKNOWN_ID} up to this one may be types a newer llama.cpp added
 * (it adds them one by one at the end of the enum); anything beyond is no type at all.
 */
const LAST_PLAUSIBLE_ID = 63;

/**
 * What a declared ggml type id is: a known type, a retired one (sized, but refused by current
 * llama.cpp), one ggml removed, one a newer llama.cpp may have added, or a value no ggml ever
 * had (negative, or far past the end of the enum).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classifyGgmlType } from "./ggml_types.ts";
 * assert.equal(classifyGgmlType(2).kind, "known"); // Q4_0
 * assert.equal(classifyGgmlType(-1).kind, "invalid");
 * ```
 */
export function classifyGgmlType(
  id: number,
): { kind: "known" | "retired"; type: GgmlType } | { kind: "removed" | "newer" | "invalid" } {
  const type = GGML_TYPES.get(id);
  if (type) return { kind: "known", type };
  const retired = RETIRED_GGML_TYPES.get(id);
  if (retired) return { kind: "retired", type: retired };
  if (id >= 0 && id < FIRST_UNKNOWN_ID) return { kind: "removed" };
  if (id >= FIRST_UNKNOWN_ID && id <= LAST_PLAUSIBLE_ID) return { kind: "newer" };
  return { kind: "invalid" };
}
