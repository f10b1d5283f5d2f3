/**
 * POSIX pax extended headers: records `"%d %s=%s\n"` (the record's length in
 * decimal, a keyword, a value), parsed as Python's `tarfile` (3.11) parses them,
 * framing checks included. Only the keywords that change what an entry is or
 * where the next one starts are kept.
 *
 * @module
 */

/**
 * Keywords that decide an entry's name, link target, data size or sparseness;
 * the rest (times, owners, ACLs) change nothing a scanner needs.
 */
const KEPT_KEYWORDS: ReadonlySet<string> = new Set([
  "path",
  "linkpath",
  "size",
  "GNU.sparse.name",
  "GNU.sparse.size",
  "GNU.sparse.realsize",
  "GNU.sparse.map",
  "GNU.sparse.major",
  "GNU.sparse.minor",
]);

/** A record's length prefix: 1 to 20 digits and a space (Python's `_header_length_prefix_re`). */
const LENGTH_PREFIX = /^([0-9]{1,20}) /;

/** The shortest record, `"5 x=\n"`. */
const MIN_RECORD = 5;

const utf8 = new TextDecoder("utf-8");
const latin1 = new TextDecoder("latin1");

/**
 * The kept records of one pax header (later records of the same keyword win, as in
 * Python), or the reason Python rejects the header ("invalid header").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePax } from "./pax.ts";
 * const records = parsePax(new TextEncoder().encode("16 path=a/b.pkl\n"));
 * assert.equal((records as Map<string, string>).get("path"), "a/b.pkl");
 * assert.equal(typeof parsePax(new TextEncoder().encode("99 path=a\n")), "string"); // why it is malformed
 * ```
 */
export function parsePax(data: Uint8Array): Map<string, string> | string {
  // Values are decoded as UTF-8 whatever `hdrcharset` says: under BINARY, tarfile decodes names
  // with its own encoding, UTF-8 by default.
  const records = new Map<string, string>();
  let pos = 0;
  while (pos < data.length && data[pos] !== 0) {
    // The prefix is at most 21 ASCII bytes; decoding a few more keeps the regex anchored and cheap.
    const match = LENGTH_PREFIX.exec(latin1.decode(data.subarray(pos, pos + 22)));
    if (!match) return `malformed record at byte ${pos}`;
    const length = Number(match[1]);
    if (length < MIN_RECORD || pos + length > data.length) {
      return `record at byte ${pos} declares ${match[1]} bytes`;
    }
    const last = pos + length - 1;
    const body = data.subarray(pos + match[0].length, last);
    const equals = body.indexOf(0x3d);
    if (equals <= 0 || data[last] !== 0x0a) return `malformed record at byte ${pos}`;
    const keyword = utf8.decode(body.subarray(0, equals));
    const value = body.subarray(equals + 1);
    if (KEPT_KEYWORDS.has(keyword)) records.set(keyword, utf8.decode(value));
    pos += length;
  }
  return records;
}

/** What Python's `int()` accepts as a decimal: whitespace, a sign, digits with single underscores. */
const PY_DECIMAL = /^\s*([+-]?)([0-9](?:_?[0-9])*)\s*$/;

/**
 * A pax decimal number as Python's `int()` reads it; `undefined` when it does not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { paxNumber } from "./pax.ts";
 * assert.equal(paxNumber("1_024"), 1024);
 * assert.equal(paxNumber("12k"), undefined);
 * ```
 */
export function paxNumber(value: string): number | undefined {
  const match = PY_DECIMAL.exec(value);
  if (!match) return undefined;
  const n = Number(match[2].replaceAll("_", ""));
  return match[1] === "-" ? -n : n;
}
