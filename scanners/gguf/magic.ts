/**
 * The magic bytes of GGUF and of its legacy predecessors: all the registry needs to detect
 * them, without loading their readers.
 *
 * @module
 */

/** The legacy magics as the bytes a file starts with (the u32 written little-endian). */
const MAGICS = { lmgg: "ggml", fmgg: "ggmf", tjgg: "ggjt", algg: "ggla" } as const;

/**
 * Whether `head` starts with GGUF's magic, `GGUF`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hasGgufMagic } from "./magic.ts";
 * assert.equal(hasGgufMagic(new TextEncoder().encode("GGUF")), true);
 * assert.equal(hasGgufMagic(new TextEncoder().encode("GGU")), false);
 * ```
 */
export function hasGgufMagic(head: Uint8Array): boolean {
  return head[0] === 0x47 && head[1] === 0x47 && head[2] === 0x55 && head[3] === 0x46;
}

/**
 * The legacy format `head` starts with (`ggml`, `ggmf`, `ggjt` or `ggla`), if any.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { legacyMagic } from "./magic.ts";
 * assert.equal(legacyMagic(new TextEncoder().encode("tjgg")), "ggjt"); // a little-endian u32
 * assert.equal(legacyMagic(new TextEncoder().encode("GGUF")), undefined);
 * ```
 */
export function legacyMagic(head: Uint8Array): string | undefined {
  if (head.length < 4) return undefined;
  const text = String.fromCharCode(head[0], head[1], head[2], head[3]);
  return Object.hasOwn(MAGICS, text) ? MAGICS[text as keyof typeof MAGICS] : undefined;
}
