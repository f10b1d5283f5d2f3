/**
 * The strings of a decoded msgpack document (map keys and string values, with their key paths), for
 * the shared string checks: the user's `--blacklist` applies to every string a scan reads, and a
 * msgpack file's strings are what a program that loads it may hand on.
 *
 * @module
 */

import { keyPathOf } from "../safetensors/strict_json.ts";

/** A string of the document and where it is: `$.params.Dense_0.kernel`, or the key itself for a key. */
export interface MsgpackString {
  text: string;
  keyPath: string;
}

/**
 * Every string of `root`, keys first, in document order, walked without recursion. The decoder has
 * already been held to the file's measured depth and entry limits, so the walk is bounded by them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { msgpackStrings } from "./strings.ts";
 * const strings = [...msgpackStrings({ params: { "Dense_0": { kernel: new Uint8Array(4) } }, note: ["a b"] })];
 * assert.deepEqual(strings.map((s) => `${s.keyPath}=${s.text}`), [
 *   "$.params=params",
 *   "$.params.Dense_0=Dense_0",
 *   "$.params.Dense_0.kernel=kernel",
 *   "$.note=note",
 *   "$.note[0]=a b",
 * ]);
 * ```
 */
export function* msgpackStrings(root: unknown): Generator<MsgpackString> {
  const stack: [value: unknown, keyPath: string][] = [[root, "$"]];
  while (stack.length > 0) {
    const [value, keyPath] = stack.pop()!;
    if (typeof value === "string") yield { text: value, keyPath };
    else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], keyPathOf(keyPath, i)]);
    } else if (value !== null && typeof value === "object" && !ArrayBuffer.isView(value)) {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i];
        const path = keyPathOf(keyPath, key);
        stack.push([child, path], [key, path]);
      }
    }
  }
}
