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
 * import { hasGgufMagic } from "./magic.ts";
 * hasGgufMagic(new TextEncoder().encode("GGUF")); // true
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
 * import { legacyMagic } from "./magic.ts";
 * legacyMagic(new TextEncoder().encode("tjgg")); // "ggjt"
 * ```
 */
export function legacyMagic(head: Uint8Array): string | undefined {
  if (head.length < 4) return undefined;
  const text = String.fromCharCode(head[0], head[1], head[2], head[3]);
  return Object.hasOwn(MAGICS, text) ? MAGICS[text as keyof typeof MAGICS] : undefined;
}
