// The strict JSON parser against serde_json's rules, on bytes written here: what serde_json refuses
// (whitespace it does not know, lone surrogates, control characters, 128 nested containers, data after
// the value) is an error at its byte, and every repeated key is kept with both positions.
import assert from "node:assert/strict";
import { MAX_JSON_DEPTH, parseStrictJson } from "../../../scanners/safetensors/strict_json.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const error = (text: string) => {
  const result = parseStrictJson(bytes(text));
  assert.ok(!result.ok, text);
  return [result.position, result.reason];
};

Deno.test("strict JSON: values keep their byte offsets and numbers their literal text", () => {
  const result = parseStrictJson(
    bytes('{"é": [18446744073709551615, -0, 1.5e3, true, null, "a\\u00e9\\ud83d\\ude00"]}'),
    8,
  );
  assert.ok(result.ok);
  assert.equal(result.value.kind, "object");
  if (result.value.kind !== "object") return;
  const [entry] = result.value.entries;
  assert.equal(entry.key, "é");
  assert.equal(entry.keyStart, 9);
  assert.equal(entry.value.start, 15); // after the two-byte é
  assert.ok(entry.value.kind === "array");
  if (entry.value.kind !== "array") return;
  assert.deepEqual(entry.value.items.map((item) => item.kind === "number" ? item.text : null).slice(0, 3), [
    "18446744073709551615",
    "-0",
    "1.5e3",
  ]);
  assert.deepEqual(entry.value.items[5], { kind: "string", start: 61, value: "aé😀" });
});

Deno.test("strict JSON: repeated keys are reported with the path of their object", () => {
  const result = parseStrictJson(bytes('{"a": {"x": 1, "x": 2}, "b": [{"k": 0, "k": 1}], "a": 3}'));
  assert.ok(result.ok);
  assert.deepEqual(result.duplicates, [
    { objectPath: "$.a", key: "x", first: 7, repeated: 15 },
    { objectPath: "$.b[0]", key: "k", first: 31, repeated: 39 },
    { objectPath: "$", key: "a", first: 1, repeated: 49 },
  ]);
});

Deno.test("strict JSON: what serde_json refuses is an error at its byte", () => {
  assert.deepEqual(error('{"a": 1} x'), [9, "data after the JSON value"]);
  assert.deepEqual(error('{"a":\u00a01}'), [5, "expected a JSON value"]); // NBSP is not JSON whitespace
  assert.deepEqual(error('{"a": "\\ud800"}'), [7, "lone surrogate in a \\u escape"]);
  assert.deepEqual(error('{"a": "\\udc00"}'), [7, "lone surrogate in a \\u escape"]);
  assert.deepEqual(error('{"a": "x\ty"}'), [8, "control character in a string"]);
  assert.deepEqual(error('{"a": 01}'), [7, "expected `,` or a closing bracket"]);
  assert.deepEqual(error('{"a": 1.}'), [8, "invalid number"]);
  assert.deepEqual(error("{'a': 1}"), [1, "expected a string key"]);
  assert.deepEqual(error('{"a": 1,}'), [8, "expected a string key"]);
  assert.deepEqual(error('{"a": "x'), [6, "unterminated string"]);
  assert.deepEqual(error('{"a": [1, 2'), [11, "unexpected end of the header"]);
  assert.deepEqual(error('{"a": "\\x"}'), [7, "invalid escape in a string"]);
  assert.deepEqual(error(""), [0, "unexpected end of the header"]);
  const invalidUtf8 = parseStrictJson(Uint8Array.of(0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d));
  assert.deepEqual(invalidUtf8, { ok: false, position: 2, reason: "invalid UTF-8 in a string" });
});

Deno.test("strict JSON: 127 nested containers parse, the 128th is refused as serde_json does, without recursion", () => {
  const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
  assert.ok(parseStrictJson(bytes(nested(MAX_JSON_DEPTH - 1))).ok);
  assert.deepEqual(error(nested(MAX_JSON_DEPTH)), [127, "128 or more nested containers"]);
  assert.deepEqual(error("[".repeat(1_000_000)), [127, "128 or more nested containers"]);
});
