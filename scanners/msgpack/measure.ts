/**
 * A walk over msgpack's type bytes that allocates nothing: how deep maps and arrays nest and
 * how many entries they declare, so that a file is refused before a decoder builds millions of
 * objects from it. It only measures: where the bytes end early or hold an invalid type byte it
 * stops, and the decoder that follows reports the error with its reason.
 *
 * @module
 */

/** What {@linkcode measureMsgpack} found, or the limit it stopped at. */
export type Measure =
  | { ok: true }
  | { ok: false; limit: "maxDepth" | "maxEntries"; at: number };

/** Bytes of the length field that follows type byte `type` for str, bin and ext (8, 16, 32 bits). */
const LENGTH_BYTES: Readonly<Record<number, number>> = {
  0xc4: 1,
  0xc5: 2,
  0xc6: 4, // bin
  0xc7: 1,
  0xc8: 2,
  0xc9: 4, // ext (plus its type byte)
  0xd9: 1,
  0xda: 2,
  0xdb: 4, // str
};

/** Bytes after the type byte of fixed-size values (floats, ints, fixext with their type byte). */
const FIXED_BYTES: Readonly<Record<number, number>> = {
  0xca: 4,
  0xcb: 8,
  0xcc: 1,
  0xcd: 2,
  0xce: 4,
  0xcf: 8,
  0xd0: 1,
  0xd1: 2,
  0xd2: 4,
  0xd3: 8,
  0xd4: 2,
  0xd5: 3,
  0xd6: 5,
  0xd7: 9,
  0xd8: 17,
};

function _uint(bytes: Uint8Array, at: number, size: number): number {
  let value = 0;
  for (let i = 0; i < size; i++) value = value * 256 + (bytes[at + i] ?? 0);
  return value;
}

/**
 * Measures the one value `bytes` hold against `maxDepth` and `maxEntries`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { measureMsgpack } from "./measure.ts";
 * const nested = new Uint8Array([0x91, 0x91, 0x91, 0x90]); // [[[[]]]]
 * assert.deepEqual(measureMsgpack(nested, { maxDepth: 8, maxEntries: 10 }), { ok: true });
 * assert.deepEqual(measureMsgpack(nested, { maxDepth: 2, maxEntries: 10 }), { ok: false, limit: "maxDepth", at: 2 });
 * ```
 */
export function measureMsgpack(
  bytes: Uint8Array,
  limits: { maxDepth: number; maxEntries: number },
): Measure {
  // Items still to read in each open map or array, innermost last.
  const open: number[] = [];
  let entries = 0;
  let pos = 0;
  while (pos < bytes.length) {
    const at = pos;
    const type = bytes[pos++];
    let items = 0;
    if (type <= 0x7f || type >= 0xe0 || type === 0xc0 || type === 0xc2 || type === 0xc3) {
      // a fixint, nil or a boolean: the type byte is the value
    } else if (type <= 0x8f) items = 2 * (type & 0x0f);
    else if (type <= 0x9f) items = type & 0x0f;
    else if (type <= 0xbf) pos += type & 0x1f;
    else if (type in LENGTH_BYTES) {
      const size = LENGTH_BYTES[type];
      pos += size + _uint(bytes, pos, size) + (type >= 0xc7 && type <= 0xc9 ? 1 : 0);
    } else if (type in FIXED_BYTES) pos += FIXED_BYTES[type];
    else if (type === 0xdc || type === 0xdd) {
      items = _uint(bytes, pos, type === 0xdc ? 2 : 4);
      pos += type === 0xdc ? 2 : 4;
    } else if (type === 0xde || type === 0xdf) {
      items = 2 * _uint(bytes, pos, type === 0xde ? 2 : 4);
      pos += type === 0xde ? 2 : 4;
    } else return { ok: true }; // 0xc1, never used: the decoder says so
    if (open.length > 0) open[open.length - 1]--;
    if (items > 0) {
      entries += items;
      if (entries > limits.maxEntries) return { ok: false, limit: "maxEntries", at };
      if (open.length + 1 > limits.maxDepth) return { ok: false, limit: "maxDepth", at };
      open.push(items);
    }
    while (open.length > 0 && open[open.length - 1] === 0) open.pop();
    if (open.length === 0) return { ok: true };
  }
  return { ok: true };
}
