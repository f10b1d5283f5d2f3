/**
 * 7z archives: recognised by their signature and reported as content this scan
 * cannot look into. No loader of a model format opens a 7z itself, but a model
 * shipped inside one (a 7z-wrapped PyTorch file is a known way past scanners) is
 * unpacked by a person or a script and then loaded.
 *
 * Why no decoder: `7z-wasm` (7-Zip 24.09 compiled to 32-bit WebAssembly) does
 * list and extract inside the sandboxed worker once its `.wasm` is imported as
 * a module (`import source`) rather than read by path, but it needs the whole
 * archive copied into its in-memory file system and decodes synchronously,
 * with no byte budget, into that same memory (4 GiB at most): a large or
 * hostile archive would exhaust the worker before any engine limit applies.
 *
 * @module
 */

import type { ByteSource } from "../../core/byte_source.ts";
import type { ScanContext, Scanner } from "../../core/scanner.ts";

/**
 * Reports a 7z archive as content that cannot be inspected (MA212).
 *
 * @example
 * ```ts
 * import { bytesSource } from "../../core/byte_source.ts";
 * import type { ScanContext } from "../../core/scanner.ts";
 * import { scanSevenZip } from "./scanner.ts";
 * declare const ctx: ScanContext;
 * await scanSevenZip(bytesSource(new Uint8Array([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])), ctx);
 * ```
 */
export function scanSevenZip(source: ByteSource, ctx: ScanContext): Promise<void> {
  ctx.report({
    rule: "MA212",
    message: "7z archive: its content cannot be inspected; a 7z-wrapped PyTorch file is a known attack",
    details: { format: "7z", size: source.size },
  });
  return Promise.resolve();
}

/**
 * The 7z scanner, loaded by its registry entry (`sevenZipDescriptor` in `descriptor.ts`).
 *
 * @example
 * ```ts
 * import { sevenZipScanner } from "./scanner.ts";
 * typeof sevenZipScanner.scan; // "function"
 * ```
 */
export const sevenZipScanner: Scanner = { scan: scanSevenZip };
