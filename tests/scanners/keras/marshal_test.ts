import assert from "node:assert/strict";
import { DecodeError } from "../../../core/decode_error.ts";
import { CallablePolicy } from "../../../policy/callables.ts";
import { decodeLambdaCode, deniedReferences } from "../../../scanners/keras/lambda_code.ts";
import { disassemble } from "../../../scanners/keras/bytecode.ts";
import { readCodeFacts } from "../../../scanners/keras/marshal.ts";

const enc = new TextEncoder();
const i32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
const shortAscii = (text: string) => [0x7a, text.length, ...enc.encode(text)]; // 'z'
const bytesObject = (data: number[]) => [0x73, ...i32(data.length), ...data]; // 's'
const smallTuple = (...items: number[][]) => [0x29, items.length, ...items.flat()]; // ')'

/**
 * A code object in CPython 3.8-3.10's marshal layout, assembled field by field as
 * Python/marshal.c w_object writes it: `lambda x: os.system("echo pwned")`'s names and constants.
 */
function codePy310(): Uint8Array {
  return Uint8Array.from([
    0x63, // 'c'
    ...i32(1),
    ...i32(0),
    ...i32(0),
    ...i32(1),
    ...i32(3),
    ...i32(0x43), // argcount .. flags (with nlocals)
    ...bytesObject([0x74, 0, 0xa0, 1, 0x64, 1, 0xa1, 1, 0x53, 0]), // co_code
    ...smallTuple([0x4e], shortAscii("echo pwned")), // consts: None, "echo pwned"
    ...smallTuple(shortAscii("os"), shortAscii("system")), // names
    ...smallTuple(shortAscii("x")), // varnames
    ...smallTuple(), // freevars
    ...smallTuple(), // cellvars
    ...shortAscii("<stdin>"),
    ...shortAscii("<lambda>"),
    ...i32(1), // firstlineno
    ...bytesObject([]), // lnotab
  ]);
}

Deno.test("a CPython 3.8-3.10 code object is read in its own layout", () => {
  const facts = readCodeFacts(codePy310());
  assert.equal(facts.layout, "3.8-3.10");
  assert.deepEqual(facts.names, ["os", "system"]);
  assert.deepEqual(facts.strings, ["echo pwned"]);
  assert.equal(facts.name, "<lambda>");
  assert.deepEqual(deniedReferences(facts, CallablePolicy.standard()).map((v) => v.entry), ["os"]);
});

Deno.test("Lambda code is base64 as func_dump writes it (newlines every 76 characters), else raw", () => {
  const bytes = codePy310();
  const base64 = btoa(String.fromCharCode(...bytes)).replace(/(.{76})/g, "$1\n") + "\n";
  const decoded = decodeLambdaCode(base64);
  assert.ok(decoded.ok);
  assert.deepEqual(decoded.facts.names, ["os", "system"]);
  const raw = decodeLambdaCode(String.fromCharCode(...bytes));
  assert.ok(raw.ok && raw.facts.layout === "3.8-3.10");
});

Deno.test("every prefix of a code object fails as a DecodeError, never a crash or a hang", () => {
  const bytes = codePy310();
  for (let cut = 0; cut < bytes.length; cut++) {
    assert.throws(() => readCodeFacts(bytes.subarray(0, cut)), DecodeError, `cut at ${cut}`);
  }
  // Trailing bytes after the code object: not what marshal.dumps writes.
  assert.throws(() => readCodeFacts(Uint8Array.from([...bytes, 0x4e])), DecodeError);
});

Deno.test("hostile counts and nesting are refused by their bounds", () => {
  // A tuple declaring 2^31-1 items in a 6-byte stream.
  assert.throws(
    () => readCodeFacts(Uint8Array.from([0x28, 0xff, 0xff, 0xff, 0x7f, 0x4e])),
    /implausible count/,
  );
  // 10,000 nested one-item tuples.
  const deep = new Uint8Array(20_001);
  for (let i = 0; i < 10_000; i++) deep.set([0x29, 1], 2 * i);
  deep[20_000] = 0x4e;
  assert.throws(() => readCodeFacts(deep), /nesting deeper/);
  // A reference to an object that is not finished (itself).
  assert.throws(() => readCodeFacts(Uint8Array.from([0xa9, 1, 0x72, 0, 0, 0, 0])), /reference 0/);
});

/** `marshal.dumps` of CPython 3.11 (Debian's python3), base64: `lambda x: tf.signal.stft(x, 256, 128)`. */
const STFT_PY311 =
  "4wEAAAAAAAAAAAAAAAUAAAADAAAA80QAAACXAHQAAAAAAAAAAAAAAGoBAAAAAAAAAACgAgAAAAAAAAAAAAAAAAAAAAAAAAAAfABkAWQCpgMAAKsDAAAAAAAAAABTACkDTukAAQAA6YAAAAApA9oCdGbaBnNpZ25hbNoEc3RmdKkB2gF4cwEAAAAg+gg8c3RyaW5nPvoIPGxhbWJkYT5yCgAAAAMAAABzGAAAAIAAtQK0CbcOsg64ccAjwHPRMEvUMEuAAPMAAAAA";
/** The same, of `lambda x: [c for c in ().__class__.__base__.__subclasses__()]`. */
const SUBCLASSES_PY311 =
  "4wEAAAAAAAAAAAAAAAMAAAADAAAA81IAAACXAGQBhABkAmoAAAAAAAAAAABqAQAAAAAAAAAAoAIAAAAAAAAAAAAAAAAAAAAAAAAAAKYAAACrAAAAAAAAAAAARACmAAAAqwAAAAAAAAAAAFMAKQNOYwEAAAAAAAAAAAAAAAMAAAATAAAA8xIAAACXAGcAfABdBH0BfAGRAowFUwCpAHIDAAAAKQLaAi4w2gFjcwIAAAAgIPoIPHN0cmluZz76CjxsaXN0Y29tcD56HDxsYW1iZGE+Ljxsb2NhbHM+LjxsaXN0Y29tcD4EAAAAcxgAAACAANAwY9AwY9AwY7BxsBHQMGPQMGPQMGPzAAAAAHIDAAAAKQPaCV9fY2xhc3NfX9oIX19iYXNlX1/aDl9fc3ViY2xhc3Nlc19fqQHaAXhzAQAAACByBgAAAPoIPGxhbWJkYT5yDgAAAAQAAABzJgAAAIAA0DBj0DBjuEK8TNQ8Udc8YNI8YNE8YtQ8YtAwY9EwY9QwY4AAcggAAAA=";

Deno.test("references come from the instructions: tf.signal is TensorFlow's, not Python's signal module", () => {
  const decoded = decodeLambdaCode(STFT_PY311);
  assert.ok(decoded.ok);
  assert.equal(decoded.facts.python, "3.11");
  assert.deepEqual(decoded.facts.references, [["tf", "signal", "stft"]]);
  assert.deepEqual(deniedReferences(decoded.facts, CallablePolicy.standard()), []);
});

Deno.test("special attributes loaded from any object, in nested code objects too, are denied", () => {
  const decoded = decodeLambdaCode(SUBCLASSES_PY311);
  assert.ok(decoded.ok);
  assert.equal(decoded.facts.codeObjects, 2);
  const denied = deniedReferences(decoded.facts, CallablePolicy.standard());
  assert.deepEqual(denied.map((v) => v.category), ["internals", "internals", "internals"]);
});

Deno.test("CPython 3.13's renumbered opcodes: RESUME 149, LOAD_GLOBAL 91, LOAD_ATTR 82", () => {
  const code = {
    name: "<lambda>",
    names: ["os", "system"],
    consts: [],
    // RESUME 0, LOAD_GLOBAL (0 << 1) + CACHE x4, LOAD_ATTR (1 << 1 | 1) + CACHE x9, RETURN_VALUE
    bytecode: Uint8Array.from([
      149,
      0,
      91,
      0,
      ...new Array(8).fill(0),
      82,
      3,
      ...new Array(18).fill(0),
      36,
      0,
    ]),
  };
  assert.deepEqual(disassemble(code, true), { references: [["os", "system"]], python: "3.13" });
  // An index outside co_names is no CPython bytecode: no references, the caller falls back to names.
  assert.equal(disassemble({ ...code, names: ["os"] }, true), undefined);
});
