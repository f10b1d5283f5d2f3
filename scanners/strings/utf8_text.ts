/**
 * Text formats (chat templates, Python source) are claimed by name and confirmed
 * by their content being text: UTF-8 without NUL bytes. A head is cut at a byte
 * count, so a sequence cut at its end does not count against it.
 *
 * @module
 */

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The UTF-8 text of `bytes`, or `undefined` when they are not UTF-8 text (or hold NUL bytes, as no text does).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { utf8Text } from "./utf8_text.ts";
 * assert.equal(utf8Text(new TextEncoder().encode("import os")), "import os");
 * assert.equal(utf8Text(Uint8Array.of(0x80, 0x02)), undefined);
 * assert.equal(utf8Text(Uint8Array.of(0x61, 0x00)), undefined);
 * ```
 */
export function utf8Text(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Whether a file's first bytes are UTF-8 text, a multi-byte sequence cut at the end of `head` allowed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { headIsText } from "./utf8_text.ts";
 * const text = new TextEncoder().encode("name = 'é'");
 * assert.equal(headIsText(text.subarray(0, text.length - 2)), true); // 'é' cut after its first byte
 * assert.equal(headIsText(Uint8Array.of(0x89, 0x00, 0xff)), false);
 * ```
 */
export function headIsText(head: Uint8Array): boolean {
  return utf8Text(head.subarray(0, _completeLength(head))) !== undefined;
}

/** The length of `head` without a UTF-8 sequence cut at its end. */
function _completeLength(head: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, head.length); back++) {
    const byte = head[head.length - back];
    if ((byte & 0xc0) !== 0x80) {
      const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
      return needed > back ? head.length - back : head.length;
    }
  }
  return head.length;
}
