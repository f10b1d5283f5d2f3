/**
 * Git LFS pointer files, read as git-lfs reads them (its `spec.md`, and `DecodePointer` in
 * `lfs/pointer.go`): under 1 KiB of `key value` lines, each ending in a newline, the first
 * `version https://git-lfs.github.com/spec/v1` (or the pre-release hawser URL), then the keys
 * in order, among them `oid sha256:<64 hex digits>` and `size <bytes>`. Anything else, however
 * alike, is no pointer: git-lfs would hand it over as the file's content.
 *
 * @module
 */

/** Largest pointer git-lfs reads as one (`blobSizeCutoff`): a larger file is content. */
export const MAX_POINTER_BYTES = 1024;

const VERSIONS: ReadonlySet<string> = new Set([
  "https://git-lfs.github.com/spec/v1",
  "https://hawser.github.com/spec/v1",
]);

const VERSION_PREFIX = new TextEncoder().encode("version https://");

/** What a pointer says of the file it stands for. */
export interface LfsPointer {
  /** The spec URL of its `version` line. */
  version: string;
  /** SHA-256 of the file's content, 64 lower-case hex digits. */
  oid: string;
  /** Size of the file's content in bytes. */
  size: number;
}

/**
 * Whether `head` may start a pointer: its first bytes and the size alone, for detection.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startsLikePointer } from "./pointer.ts";
 * const text = new TextEncoder().encode("version https://git-lfs.github.com/spec/v1\n");
 * assert.equal(startsLikePointer(text, text.length), true);
 * assert.equal(startsLikePointer(text, 4096), false); // too large for a pointer
 * ```
 */
export function startsLikePointer(head: Uint8Array, size: number): boolean {
  return size <= MAX_POINTER_BYTES && head.length === size &&
    VERSION_PREFIX.every((byte, i) => head[i] === byte);
}

/**
 * The pointer `bytes` hold, or `undefined` when they are not one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLfsPointer } from "./pointer.ts";
 * const oid = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";
 * const text = `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize 12345\n`;
 * assert.deepEqual(parseLfsPointer(new TextEncoder().encode(text)), {
 *   version: "https://git-lfs.github.com/spec/v1",
 *   oid,
 *   size: 12345,
 * });
 * assert.equal(parseLfsPointer(new TextEncoder().encode(text.replace("size 12345", "size twelve"))), undefined);
 * ```
 */
export function parseLfsPointer(bytes: Uint8Array): LfsPointer | undefined {
  if (bytes.length > MAX_POINTER_BYTES) return undefined;
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
  if (!text.endsWith("\n")) return undefined;
  const values = new Map<string, string>();
  let previous = "";
  for (const [i, line] of text.slice(0, -1).split("\n").entries()) {
    const match = /^([a-z0-9.-]+) (\S.*)$/.exec(line);
    if (!match) return undefined;
    const [, key, value] = match;
    // The spec orders the keys after `version` alphabetically, each once.
    if ((i === 0) !== (key === "version") || (i > 1 && key <= previous)) return undefined;
    values.set(key, value);
    previous = key;
  }
  const version = values.get("version");
  const oid = /^sha256:([0-9a-f]{64})$/.exec(values.get("oid") ?? "")?.[1];
  const size = values.get("size") ?? "";
  if (version === undefined || !VERSIONS.has(version) || oid === undefined || !/^\d{1,15}$/.test(size)) {
    return undefined;
  }
  return { version, oid, size: Number(size) };
}
