// The tar scanner through the engine, on archives assembled block by block:
// exact findings (rule, severity, location) for members, special entries,
// malformed and truncated archives, limits, and what lies past the end.
import assert from "node:assert/strict";
import { HEAD_BYTES } from "../../../core/detection.ts";
import { scanBytes, type SourceScanOptions } from "../../../engine/dispatch.ts";
import { bytesSource } from "../../../core/byte_source.ts";
import { detectFormat } from "../../../engine/detect.ts";
import { MAX_PROFILE_ENTRIES } from "../../../scanners/tar/scanner.ts";
import { checksumMatches } from "../../../scanners/tar/header.ts";
import { CLEAN, concat, END, entry, gnuLong, header, pax, PAYLOAD, sealed } from "./_tar.ts";
import { renderLocation } from "../../../report/location.ts";

/** Scans `bytes` as `name`; returns the format and `rule severity location` per finding. */
async function scan(bytes: Uint8Array, name = "t.tar", options: SourceScanOptions = {}) {
  const outcome = await scanBytes(bytes, name, options);
  assert.equal(outcome.error, undefined);
  return {
    format: outcome.format,
    findings: outcome.findings.map((f) => `${f.rule} ${f.severity} ${renderLocation(f.location)}`),
  };
}

Deno.test("detection: a tar comes before the pickle guess, whatever its first member holds", async () => {
  const tar = concat(entry("a.pkl", PAYLOAD), END);
  assert.equal(
    (await detectFormat(bytesSource(tar), tar.subarray(0, HEAD_BYTES), "a.pkl"))?.descriptor.id,
    "tar",
  );
});

Deno.test("members: scanned by content, located by name, tars in tars too", async () => {
  const inner = concat(entry("payload.pkl", PAYLOAD), END);
  const outer = concat(entry("README.txt", "hi"), entry("inner.tar", inner), entry("ok.pkl", CLEAN), END);
  assert.deepEqual(await scan(outer, "outer.tar"), {
    format: "tar",
    findings: [
      "MA100 critical outer.tar:inner.tar:payload.pkl (pos 2)",
      "MA101 critical outer.tar:inner.tar:payload.pkl (pos 29)",
    ],
  });
});

Deno.test("special entries: FIFOs and devices are warnings, escaping links critical", async () => {
  const bytes = concat(
    header({ name: "fifo", type: "6" }),
    header({ name: "tty", type: "3" }),
    header({ name: "up", type: "2", linkname: "a/../../x" }),
    header({ name: "d/ok", type: "2", linkname: "../README" }),
    END,
  );
  assert.deepEqual((await scan(bytes)).findings, [
    "MA205 warning t.tar:fifo",
    "MA205 warning t.tar:tty",
    "MA205 critical t.tar:up",
    "MA205 warning t.tar:d/ok",
  ]);
});

Deno.test("a bad header stops the listing; a valid header further on is scanned as other readers find it", async () => {
  const bytes = concat(entry("a.txt", "1"), header({ badChecksum: true }), entry("evil.pkl", PAYLOAD), END);
  assert.deepEqual((await scan(bytes)).findings, [
    "MA209 warning t.tar (pos 1024)",
    "MA100 critical t.tar:<resync@1536>:evil.pkl (pos 2)",
    "MA101 critical t.tar:<resync@1536>:evil.pkl (pos 29)",
  ]);
  const outcome = await scanBytes(bytes, "t.tar");
  assert.deepEqual(outcome.findings[0].details, { reason: "bad checksum", nextHeader: 1536, position: 1024 });
});

Deno.test("a truncated member is scanned as far as it goes, then reported", async () => {
  const cut = concat(header({ name: "evil.pkl", size: 2000 }), PAYLOAD);
  assert.deepEqual((await scan(cut)).findings, [
    "MA100 critical t.tar:evil.pkl (pos 2)",
    "MA101 critical t.tar:evil.pkl (pos 29)",
    "MA209 warning t.tar:evil.pkl",
  ]);
  assert.deepEqual((await scan(concat(entry("a", "1"), header().subarray(0, 100)))).findings, [
    "MA209 warning t.tar (pos 1024)",
  ]);
});

Deno.test("differentials: disagreeing names, data on a link, a global pax path", async () => {
  const names = concat(pax({ path: "shown.txt" }), gnuLong("loaded.pkl"), entry("x", PAYLOAD), END);
  assert.deepEqual((await scan(names)).findings, [
    "MA209 warning t.tar:shown.txt",
    "MA001 warning t.tar:shown.txt",
    "MA100 critical t.tar:shown.txt (pos 2)",
    "MA101 critical t.tar:shown.txt (pos 29)",
  ]);
  const linkData = concat(header({ name: "l", type: "2", size: 10, linkname: "a" }), END);
  assert.deepEqual((await scan(linkData)).findings, ["MA209 warning t.tar:l", "MA205 warning t.tar:l"]);
  const global = concat(pax({ path: "same.pkl" }, "g"), entry("a", CLEAN), entry("b", CLEAN), END);
  assert.deepEqual((await scan(global)).findings, ["MA211 critical t.tar:same.pkl"]);
});

Deno.test("sparse members are not inspected", async () => {
  const bytes = concat(pax({ "GNU.sparse.map": "0,4", "GNU.sparse.size": "4" }), entry("s.pkl", CLEAN), END);
  assert.deepEqual((await scan(bytes)).findings, ["MA212 warning t.tar:s.pkl"]);
});

Deno.test("limits: the engine's member limit stops the listing; scanner limits are MA210", async () => {
  const many = concat(
    ...Array.from({ length: 5 }, (_, i) => entry(`m${i}.pkl`, CLEAN)),
    entry("late.pkl", PAYLOAD),
    END,
  );
  assert.deepEqual((await scan(many, "t.tar", { limits: { maxMembers: 3 } })).findings, [
    "MA210 warning t.tar",
  ]);
  const chain = concat(...Array.from({ length: 17 }, () => pax({ path: "a" })), entry("a", "1"), END);
  assert.deepEqual((await scan(chain)).findings, ["MA210 warning t.tar (pos 0)"]);
});

Deno.test("what follows the end: zero padding is fine, anything else is scanned", async () => {
  const tar = concat(entry("a.pkl", CLEAN), END);
  assert.deepEqual((await scan(concat(tar, new Uint8Array(9000)))).findings, []);
  assert.deepEqual((await scan(entry("a.pkl", CLEAN))).findings, [], "no end blocks at all");
  const appended = concat(tar, new Uint8Array(100), PAYLOAD);
  assert.deepEqual((await scan(appended)).findings, [
    "MA207 warning t.tar (pos 2148)",
    "MA100 critical t.tar:<trailing@2148> (pos 2)",
    "MA101 critical t.tar:<trailing@2148> (pos 29)",
  ]);
  const junk = concat(tar, new TextEncoder().encode("not a pickle"));
  assert.deepEqual((await scan(junk)).findings, ["MA207 warning t.tar (pos 2048)"]);
});

Deno.test("long archives are scanned as listed, past the entries profiles look at", async () => {
  const entries = Array.from({ length: MAX_PROFILE_ENTRIES + 3 }, (_, i) => entry(`m${i}.txt`, "x"));
  const bytes = concat(
    ...entries,
    entry("pickle", PAYLOAD),
    entry("storages", CLEAN),
    entry("tensors", CLEAN),
    END,
  );
  const { format, findings } = await scan(bytes);
  assert.equal(format, "tar", "a legacy torch layout beyond the profiled entries is not recognised");
  assert.deepEqual(findings, ["MA100 critical t.tar:pickle (pos 2)", "MA101 critical t.tar:pickle (pos 29)"]);
});

Deno.test("every header field set to every awkward value, checksum kept valid: no exception, no hang", async () => {
  const fixtures = new URL("../../../fixtures/tar/", import.meta.url);
  const files = [
    "benign/model.tar",
    "benign/pax_long_name.tar",
    "benign/gnu_long_name.tar",
    "benign/legacy_torch.pt",
  ];
  // Size, type, name, link name, prefix and the GNU sparse fields; type bytes, digits, base-256 markers, NUL, '/'.
  const fields = [124, 125, 134, 135, 156, 0, 99, 157, 345, 482, 483];
  const values = [
    0x30,
    0x37,
    0x31,
    0x32,
    0x35,
    0x36,
    0x53,
    0x78,
    0x67,
    0x4c,
    0x4b,
    0x80,
    0xff,
    0x00,
    0x2f,
    0x2e,
  ];
  let scans = 0;
  for (const file of files) {
    const original = await Deno.readFile(new URL(file, fixtures));
    for (let block = 0; block + 512 <= original.length; block += 512) {
      if (!checksumMatches(original.subarray(block, block + 512))) continue;
      for (const field of fields) {
        for (const value of values) {
          const variant = original.slice();
          variant[block + field] = value;
          sealed(variant.subarray(block, block + 512));
          const outcome = await scanBytes(variant, file);
          const where = `${file}: byte ${block + field} = ${value}`;
          assert.equal(outcome.error, undefined, where);
          scans++;
        }
      }
    }
  }
  assert.equal(scans, 11 * 16 * 11, "11 header blocks in the four archives");
});

Deno.test("a zip checkpoint's layout in a tar is no checkpoint: every member is scanned by content", async () => {
  const bytes = concat(
    entry("archive/data.pkl", CLEAN),
    entry("archive/data/0", PAYLOAD),
    entry("archive/version", "3\n"),
    END,
  );
  assert.deepEqual(await scan(bytes), {
    format: "tar",
    findings: ["MA100 critical t.tar:archive/data/0 (pos 2)", "MA101 critical t.tar:archive/data/0 (pos 29)"],
  });
});
