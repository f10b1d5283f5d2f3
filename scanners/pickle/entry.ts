/**
 * What the registry's pickle entry loads (`pickleDescriptor` in `descriptor.ts`):
 * the pickle scanner, re-exported.
 *
 * The registry imports this module rather than `scanner.ts` itself. Measured with
 * Deno 2.9 (`deno task bench --only files`, 10 runs each, three times): when
 * `scanner.ts` was the module the registry's `import()` named, a scan of 10,000
 * small pickles peaked at 133 to 139 MiB; through this re-export it peaks at 122 to
 * 127 MiB, as it did when the legacy torch entry loaded the scanner as one of its
 * own imports. V8 compiles and optimizes the same functions either way (its function
 * events match), and with `--no-code-cache` both peak alike, so the difference lies
 * in how Deno keeps a lazily imported module; it is measured, not explained.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pickleScanner } from "./entry.ts";
 * assert.equal(typeof pickleScanner.scan, "function");
 * ```
 *
 * @module
 */

export { pickleScanner } from "./scanner.ts";
