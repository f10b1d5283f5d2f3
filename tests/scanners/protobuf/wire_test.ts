// The shared protobuf wire reader on messages assembled byte by byte: fields by number, wire type and
// range, values never read unless asked; a budget of fields; copies that survive later reads; groups
// skipped as TensorFlow's C++ parser skips them, or refused for ONNX, whose writers never emit one.
import assert from "node:assert/strict";
import { bytesSource } from "../../../core/byte_source.ts";
import { DecodeError } from "../../../core/decode_error.ts";
import { FieldLimitError, WireError, type WireField, WireReader } from "../../../scanners/protobuf/wire.ts";

const ONNX = { format: "onnx" } as const;
const TENSORFLOW = { format: "tensorflow", groups: "skip" } as const;

async function list(reader: WireReader, start: number, end: number): Promise<WireField[]> {
  const out: WireField[] = [];
  for await (const field of reader.fields(start, end)) out.push(field);
  return out;
}

// ir_version 8 (varint), a fixed64 (field 3), "ab" as field 2, a fixed32 (field 4), then 300 as field 5.
const MESSAGE = Uint8Array.of(
  0x08,
  8,
  0x19,
  1,
  2,
  3,
  4,
  5,
  6,
  7,
  8,
  0x12,
  2,
  0x61,
  0x62,
  0x25,
  1,
  2,
  3,
  4,
  0x28,
  0xac,
  0x02,
);

Deno.test("wire: fields are listed with their wire types and ranges", async () => {
  const fields = await list(new WireReader(bytesSource(MESSAGE), ONNX), 0, MESSAGE.length);
  assert.deepEqual(fields, [
    { number: 1, wire: 0, tag: 0, start: 1, end: 2, value: 8 },
    { number: 3, wire: 1, tag: 2, start: 3, end: 11, value: 0 },
    { number: 2, wire: 2, tag: 11, start: 13, end: 15, value: 0 },
    { number: 4, wire: 5, tag: 15, start: 16, end: 20, value: 0 },
    { number: 5, wire: 0, tag: 20, start: 21, end: 23, value: 300 },
  ]);
});

Deno.test("wire: a string's bytes are read on demand, as many as asked, as a copy", async () => {
  const reader = new WireReader(bytesSource(MESSAGE), ONNX);
  const [, , text] = await list(reader, 0, MESSAGE.length);
  const whole = await reader.bytes(text.start, text.end);
  assert.deepEqual([...whole], [0x61, 0x62]);
  assert.deepEqual([...await reader.bytes(text.start, text.start + 1)], [0x61]);
  whole[0] = 0;
  assert.deepEqual([...await reader.bytes(text.start, text.end)], [0x61, 0x62]);
});

Deno.test("wire: a length past its message or the file is a WireError at the field's tag", async () => {
  // The string claims 5 bytes inside a message of 4, followed by another field.
  const bytes = Uint8Array.of(0x0a, 4, 0x12, 5, 0x61, 0x62, 0x18, 1);
  const reader = new WireReader(bytesSource(bytes), ONNX);
  const [outer] = await list(reader, 0, bytes.length);
  await assert.rejects(list(reader, outer.start, outer.end), (error: unknown) => {
    assert.ok(error instanceof WireError);
    assert.equal(error.position, 2);
    assert.match(error.message, /runs 3 bytes past the end of its message \(the file is malformed\)/);
    return true;
  });
  // At the end of the file, the same overrun says the file is cut short.
  const cut = bytes.subarray(0, 6);
  const [last] = await list(new WireReader(bytesSource(cut), ONNX), 0, cut.length);
  await assert.rejects(
    list(new WireReader(bytesSource(cut), ONNX), last.start, last.end),
    /\(the file is truncated\)/,
  );
});

Deno.test("wire: the reader stops with a FieldLimitError past its budget of fields", async () => {
  const reader = new WireReader(bytesSource(MESSAGE), { ...ONNX, maxFields: 3 });
  await assert.rejects(list(reader, 0, MESSAGE.length), (error: unknown) => {
    assert.ok(error instanceof FieldLimitError);
    assert.equal(error.limit, 3);
    assert.equal(error.position, 15);
    return true;
  });
});

async function fields(bytes: number[]): Promise<Pick<WireField, "number" | "wire" | "start" | "end">[]> {
  const out = [];
  for await (
    const { number, wire, start, end } of new WireReader(bytesSource(Uint8Array.from(bytes)), TENSORFLOW)
      .fields(
        0,
        bytes.length,
      )
  ) out.push({ number, wire, start, end });
  return out;
}

Deno.test("wire (groups skipped): the five wire types and groups, with their byte ranges", async () => {
  assert.deepEqual(await fields([0x08, 0x96, 0x01, 0x11, ...new Array(8).fill(0), 0x1a, 0x02, 0x61, 0x62]), [
    { number: 1, wire: 0, start: 1, end: 3 },
    { number: 2, wire: 1, start: 4, end: 12 },
    { number: 3, wire: 2, start: 14, end: 16 },
  ]);
  // Group 4 holding a fixed32 field, then field 5.
  assert.deepEqual(await fields([0x23, 0x0d, 1, 2, 3, 4, 0x24, 0x28, 0x00]), [
    { number: 4, wire: 3, start: 1, end: 7 },
    { number: 5, wire: 0, start: 8, end: 9 },
  ]);
});

Deno.test("wire (groups skipped): malformed input is a WireError, a DecodeError of the format", async () => {
  for (
    const bytes of [
      [0x0a, 0x05, 0x61], // a payload past the end
      [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // an 11-byte varint
      [0x0e], // wire type 6
      [0x00], // field number 0
      [0x24], // an end-group that closes nothing
      [0x23, 0x2c], // group 4 closed by 5
      [0x23, 0x08, 0x01], // group 4 never closed
    ]
  ) {
    await assert.rejects(fields(bytes), (error: unknown) => {
      assert.ok(error instanceof WireError && error instanceof DecodeError, JSON.stringify(bytes));
      assert.equal(error.format, "tensorflow");
      return true;
    });
  }
});

Deno.test("wire (groups refused): a group is a WireError at its tag, by default", async () => {
  // Field 1 (a varint), then group 4 holding a fixed32 field.
  const bytes = Uint8Array.of(0x08, 1, 0x23, 0x0d, 1, 2, 3, 4, 0x24);
  await assert.rejects(list(new WireReader(bytesSource(bytes), ONNX), 0, bytes.length), (error: unknown) => {
    assert.ok(error instanceof WireError);
    assert.deepEqual([error.position, error.reason], [
      2,
      "field 4 has wire type 3 (a group), which onnx never writes",
    ]);
    return true;
  });
});
