// The header walk on archives assembled block by block: extension headers
// folded as tarfile folds them, where the next header starts, and every way
// a walk stops (end, end of file, malformed, limit).
import assert from "node:assert/strict";
import { bytesSource } from "../../../core/byte_source.ts";
import { DEFAULT_TAR_OPTIONS } from "../../../scanners/option_catalog.ts";
import { type TarEntry, TarReader, type TarStep } from "../../../scanners/tar/reader.ts";
import { concat, END, entry, gnuLong, header, padded, pax, sealed } from "./_tar.ts";

const {
  maxExtensionHeaders: MAX_EXTENSION_HEADERS,
  maxNameBytes: MAX_NAME_BYTES,
  maxPaxHeaderBytes: MAX_PAX_HEADER_BYTES,
} = DEFAULT_TAR_OPTIONS;

/** Every step of a walk, the last one the stop. */
async function walk(bytes: Uint8Array): Promise<{ entries: TarEntry[]; stop: TarStep }> {
  const reader = new TarReader(bytesSource(bytes));
  const entries: TarEntry[] = [];
  for (;;) {
    const step = await reader.next();
    if (step.kind !== "entry") return { entries, stop: step };
    entries.push(step.entry);
  }
}

const names = (entries: TarEntry[]) => entries.map((e) => e.name);

Deno.test("walk: entries, data offsets and the end block", async () => {
  const { entries, stop } = await walk(
    concat(entry("a.txt", "hello"), entry("b/c.pkl", "x".repeat(600)), END),
  );
  assert.deepEqual(names(entries), ["a.txt", "b/c.pkl"]);
  assert.deepEqual(entries.map((e) => [e.headerOffset, e.dataOffset, e.size, e.nextOffset]), [
    [0, 512, 5, 1024],
    [1024, 1536, 600, 2560],
  ]);
  assert.deepEqual(stop, { kind: "end", offset: 2560 });
});

Deno.test("walk: a file ending between entries, or in a partial zero block, just ends", async () => {
  assert.deepEqual((await walk(entry("a", "x"))).stop, { kind: "eof", offset: 1024 });
  assert.deepEqual((await walk(concat(entry("a", "x"), new Uint8Array(100)))).stop, {
    kind: "eof",
    offset: 1024,
  });
});

Deno.test("walk: pax path, linkpath and size override the header; size moves the next header", async () => {
  const data = "y".repeat(700);
  const bytes = concat(
    pax({ path: "long/name.pkl", size: "700" }),
    header({ name: "short", size: 0 }),
    padded(new TextEncoder().encode(data)),
    pax({ linkpath: "target/file" }),
    header({ name: "link", type: "2", linkname: "t" }),
    END,
  );
  const { entries, stop } = await walk(bytes);
  assert.deepEqual(entries.map((e) => [e.name, e.size, e.dataOffset, e.nextOffset, e.linkname]), [
    ["long/name.pkl", 700, 1536, 2560, ""],
    ["link", 0, 4096, 4096, "target/file"],
  ]);
  assert.equal(entries[0].headerOffset, 0);
  assert.deepEqual(stop, { kind: "end", offset: 4096 });
  assert.deepEqual(entries.flatMap((e) => e.problems), []);
});

Deno.test("walk: GNU long names and links; directories lose one trailing slash", async () => {
  const { entries } = await walk(concat(
    gnuLong("d/".repeat(80) + "x.pkl"),
    entry("x", "1"),
    gnuLong("target/" + "t".repeat(120), "K"),
    header({ name: "l", type: "1" }),
    gnuLong("dir/"),
    header({ name: "dir", type: "5" }),
    END,
  ));
  assert.deepEqual(names(entries), ["d/".repeat(80) + "x.pkl", "l", "dir"]);
  assert.equal(entries[1].linkname, "target/" + "t".repeat(120));
});

Deno.test("walk: the outermost extension header wins, and disagreeing names are a problem", async () => {
  const { entries } = await walk(
    concat(pax({ path: "shown.txt" }), gnuLong("loaded.pkl"), entry("x", "1"), END),
  );
  assert.equal(entries[0].name, "shown.txt");
  assert.deepEqual(entries[0].problems, [
    "its extension headers also name it \"loaded.pkl\": tar readers disagree on which name applies (Python's tarfile takes the first header's, GNU tar the pax one)",
  ]);
});

Deno.test("walk: global pax records apply to every later entry", async () => {
  const { entries } = await walk(
    concat(pax({ path: "same.pkl" }, "g"), entry("a", "1"), entry("b", "2"), END),
  );
  assert.deepEqual(names(entries), ["same.pkl", "same.pkl"]);
});

Deno.test("walk: a global size changes what readers read, not where they skip to", async () => {
  const { entries } = await walk(concat(pax({ size: "3000" }, "g"), entry("a", "1"), END));
  assert.equal(entries[0].size, 3000);
  assert.deepEqual(entries[0].problems, [
    "readers read 3000 bytes of it, but the archive skips 512 bytes to the next header",
  ]);
});

Deno.test("walk: links and directories carry no data, whatever their size field says", async () => {
  const { entries, stop } = await walk(
    concat(header({ name: "l", type: "2", size: 512, linkname: "a" }), entry("a", "1"), END),
  );
  assert.deepEqual(names(entries), ["l", "a"]);
  assert.equal(entries[0].nextOffset, 512);
  assert.match(entries[0].problems[0], /declares 512 bytes of data for an entry that has none/);
  assert.equal(stop.kind, "end");
});

Deno.test("walk: old GNU sparse files skip their extension blocks and report their real size", async () => {
  const sparse = header({ name: "s", type: "S", size: 512, format: "gnu" });
  sparse[482] = 1;
  sparse.set(new TextEncoder().encode("00000010000\0"), 483);
  const extension = new Uint8Array(512);
  const { entries, stop } = await walk(
    concat(sealed(sparse), extension, new Uint8Array(512), entry("a", "1"), END),
  );
  assert.deepEqual(entries.map((e) => [e.name, e.sparse, e.size, e.dataOffset, e.nextOffset]), [
    ["s", true, 4096, 1024, 1536],
    ["a", false, 1, 2048, 2560],
  ]);
  assert.equal(stop.kind, "end");
});

Deno.test("walk: pax GNU sparse records mark the entry sparse", async () => {
  const { entries } = await walk(
    concat(pax({ "GNU.sparse.map": "0,1", "GNU.sparse.size": "9" }), entry("s", "1"), END),
  );
  assert.deepEqual([entries[0].sparse, entries[0].size], [true, 9]);
});

Deno.test("walk: malformed headers stop it where they are", async () => {
  const bad = await walk(concat(entry("a", "1"), header({ badChecksum: true }), END));
  assert.deepEqual(bad.stop, { kind: "malformed", offset: 1024, reason: "bad checksum" });
  const cut = await walk(concat(entry("a", "1"), header().subarray(0, 300)));
  assert.deepEqual(cut.stop, {
    kind: "malformed",
    offset: 1024,
    reason: "truncated: the archive ends inside a header",
  });
  const ended = await walk(concat(pax({ path: "x" }), END));
  assert.deepEqual(ended.stop, {
    kind: "malformed",
    offset: 1024,
    reason: "an end-of-archive block follows an extension header",
  });
  const badPax = await walk(
    concat(header({ type: "x", size: 6 }), padded(new TextEncoder().encode("6 a=b\n\n")), END),
  );
  assert.deepEqual(badPax.stop, {
    kind: "malformed",
    offset: 0,
    reason: "pax header: malformed record at byte 6",
  });
  const badNumber = header({ name: "a" });
  badNumber.set(new TextEncoder().encode("0000009\0"), 100);
  assert.deepEqual((await walk(sealed(badNumber))).stop, {
    kind: "malformed",
    offset: 0,
    reason: "invalid mode field",
  });
  const cutLong = await walk(header({ type: "L", size: 100, format: "gnu" }));
  assert.equal(cutLong.stop.kind, "malformed");
});

Deno.test("walk: limits on extension headers, pax sizes and long names", async () => {
  const chain = await walk(
    concat(...Array.from({ length: MAX_EXTENSION_HEADERS + 1 }, () => pax({ path: "a" })), entry("a", "1")),
  );
  assert.deepEqual(chain.stop, {
    kind: "limit",
    offset: 0,
    limit: "MAX_EXTENSION_HEADERS",
    option: "tar.maxExtensionHeaders",
    max: MAX_EXTENSION_HEADERS,
    reason: `more than ${MAX_EXTENSION_HEADERS} extension headers precede one entry`,
  });
  const huge = await walk(header({ type: "x", size: MAX_PAX_HEADER_BYTES + 1 }));
  assert.deepEqual(huge.stop.kind === "limit" && [huge.stop.limit, huge.stop.reason], [
    "MAX_PAX_HEADER_BYTES",
    `a pax header of ${MAX_PAX_HEADER_BYTES + 1} bytes`,
  ]);
  const long = await walk(header({ type: "L", size: MAX_NAME_BYTES + 1, format: "gnu" }));
  assert.deepEqual(long.stop.kind === "limit" && long.stop.limit, "MAX_NAME_BYTES");
  const paxName = await walk(concat(pax({ path: "p".repeat(MAX_NAME_BYTES + 1) }), entry("a", "1")));
  assert.deepEqual(
    paxName.stop.kind === "limit" && paxName.stop.reason,
    `a pax path of ${MAX_NAME_BYTES + 1} characters`,
  );
});
