/**
 * SHA-256 of scanned files for the ML-BOM, read by the main thread (which may read the scan targets)
 * in 1 MiB chunks, so a file of many gigabytes is hashed in constant memory.
 *
 * @module
 */

import { createHash } from "node:crypto";

const CHUNK_BYTES = 1024 * 1024;

/**
 * The SHA-256 (hex) of each of `paths` that can be read; a file that has vanished or cannot be read
 * since the scan is left out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sha256Files } from "./file_hashes.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "abc");
 * const hashes = await sha256Files([path, `${path}.gone`]);
 * await Deno.remove(path);
 * assert.deepEqual([...hashes], [[path, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"]]); // the unreadable one is left out
 * ```
 */
export async function sha256Files(paths: readonly string[]): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  const buffer = new Uint8Array(CHUNK_BYTES);
  for (const path of paths) {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { read: true });
    } catch {
      continue;
    }
    try {
      const hash = createHash("sha256");
      for (let read = await file.read(buffer); read !== null; read = await file.read(buffer)) {
        hash.update(buffer.subarray(0, read));
      }
      hashes.set(path, hash.digest("hex"));
    } catch {
      // Unreadable after the scan: the component goes without a hash.
    } finally {
      file.close();
    }
  }
  return hashes;
}
