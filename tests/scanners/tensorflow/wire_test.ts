// The wire walker on bytes assembled here: fields as TensorFlow's C++ parser reads them, payloads left unread,
// and every malformation a DecodeError rather than a crash or a wrong answer.
import assert from "node:assert/strict";
import { bytesSource } from "../../../core/byte_source.ts";
import { DecodeError } from "../../../core/decode_error.ts";
import { type WireField, WireReader } from "../../../scanners/tensorflow/wire.ts";

async function fields(bytes: number[]): Promise<Pick<WireField, "number" | "wireType" | "start" | "end">[]> {
  const out = [];
  for await (
    const { number, wireType, start, end } of new WireReader(bytesSource(Uint8Array.from(bytes)), "t").fields(
      0,
      bytes.length,
    )
  ) out.push({ number, wireType, start, end });
  return out;
}

Deno.test("wire: the five wire types and groups, with their byte ranges", async () => {
  assert.deepEqual(await fields([0x08, 0x96, 0x01, 0x11, ...new Array(8).fill(0), 0x1a, 0x02, 0x61, 0x62]), [
    { number: 1, wireType: 0, start: 1, end: 3 },
    { number: 2, wireType: 1, start: 4, end: 12 },
    { number: 3, wireType: 2, start: 14, end: 16 },
  ]);
  // Group 4 holding a fixed32 field, then field 5.
  assert.deepEqual(await fields([0x23, 0x0d, 1, 2, 3, 4, 0x24, 0x28, 0x00]), [
    { number: 4, wireType: 3, start: 1, end: 7 },
    { number: 5, wireType: 0, start: 8, end: 9 },
  ]);
});

Deno.test("wire: malformed input is a DecodeError", async () => {
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
    await assert.rejects(fields(bytes), DecodeError, JSON.stringify(bytes));
  }
});
