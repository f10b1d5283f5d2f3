import assert from "node:assert/strict";
import { bytesSource } from "../../../core/byte_source.ts";
import type { CentralEntry } from "../../../scanners/zip/directory.ts";
import { memberContent, readEntry, readsAsPlain, sourceCrc } from "../../../scanners/zip/members.ts";
import { DEFAULT_ZIP_OPTIONS } from "../../../scanners/option_catalog.ts";
import { BENIGN, crc32, deflate, latin1 } from "./_zip.ts";

function located(data: Uint8Array, entry: Partial<CentralEntry>) {
  const full: CentralEntry = {
    index: 0,
    name: "m",
    rawName: latin1("m"),
    flags: 0,
    method: 0,
    crc32: 0,
    compressedSize: data.length,
    size: data.length,
    headerOffset: 0,
    externalAttributes: 0,
    ...entry,
  };
  return { source: bytesSource(data), member: { entry: full, dataOffset: 0 } };
}

Deno.test("readsAsPlain: stored with equal sizes, deflated that inflates to its size", async () => {
  const stored = located(BENIGN, { flags: 1 });
  assert.ok(await readsAsPlain(stored.source, stored.member));
  const header = located(new Uint8Array(16), { flags: 1, size: 4 });
  assert.ok(!(await readsAsPlain(header.source, header.member)));
  const text = latin1("plain text ".repeat(20_000));
  const deflated = await deflate(text);
  const plain = located(deflated, { flags: 1, method: 8, size: text.length });
  assert.ok(await readsAsPlain(plain.source, plain.member));
  const short = located(deflated, { flags: 1, method: 8, size: 10 });
  assert.ok(await readsAsPlain(short.source, short.member), "inflates cleanly as far as declared");
  const long = located(await deflate(BENIGN), { flags: 1, method: 8, size: 100 });
  assert.ok(!(await readsAsPlain(long.source, long.member)), "ends short of its declared size");
  const other = located(BENIGN, { flags: 1, method: 99 });
  assert.ok(!(await readsAsPlain(other.source, other.member)));
});

Deno.test("readEntry: bounded, decoded, and empty for what cannot be decoded", async () => {
  const deflated = await deflate(BENIGN);
  const member = located(deflated, { method: 8, size: BENIGN.length });
  assert.deepEqual(await readEntry(member.source, member.member, true), BENIGN);
  assert.deepEqual(await readEntry(member.source, member.member, false), new Uint8Array(0));
  const big = located(BENIGN, { size: DEFAULT_ZIP_OPTIONS.maxProfileReadBytes + 1 });
  await assert.rejects(() => readEntry(big.source, big.member, true), /more than/);
  // Lowered (zip.maxProfileReadBytes), the bound is exact: its size is read, one byte more is refused.
  assert.deepEqual(await readEntry(member.source, member.member, true, BENIGN.length), BENIGN);
  await assert.rejects(
    () => readEntry(member.source, member.member, true, BENIGN.length - 1),
    new RegExp(`declares ${BENIGN.length} bytes, more than ${BENIGN.length - 1} a profile may read`),
  );
});

Deno.test("memberContent: a view for stored members, a CRC-checking decoder for deflated ones", async () => {
  const stored = located(BENIGN, { crc32: crc32(BENIGN) });
  const hooks = { onCrcMismatch: () => assert.fail("no mismatch"), onTrailing: () => assert.fail("no junk") };
  const view = memberContent(stored.source, stored.member, hooks);
  assert.equal(view.kind, "stored");
  const deflated = await deflate(BENIGN);
  const mismatches: number[] = [];
  const member = located(deflated, { method: 8, size: BENIGN.length, crc32: 1 });
  const content = memberContent(member.source, member.member, {
    onCrcMismatch: (actual) => mismatches.push(actual),
    onTrailing: () => {},
  });
  assert.ok(content.kind === "encoded");
  assert.equal(content.declaredSize, BENIGN.length);
  const decoded = new Uint8Array(
    await new Response(content.decode(new AbortController().signal)).arrayBuffer(),
  );
  assert.deepEqual(decoded, BENIGN);
  assert.deepEqual(mismatches, [crc32(BENIGN)]);
  assert.equal(await sourceCrc(bytesSource(BENIGN)), crc32(BENIGN));
});
