// The zip scanner through the engine (scanBytes), on archives assembled in the
// tests: exact findings (rule, severity, location) for each check, and hostile
// input that must end in a finding, never a crash or a hang.
import assert from "node:assert/strict";
import { scanBytes } from "../../../engine/dispatch.ts";
import { detectZip, zipDescriptor } from "../../../scanners/zip/descriptor.ts";
import { bytesSource } from "../../../core/byte_source.ts";
import { BENIGN, buildZip, crc32, deflate, latin1, PAYLOAD, PAYLOAD_REDUCE } from "./_zip.ts";
import type { Finding } from "../../../core/types.ts";
import { renderLocation } from "../../../report/location.ts";

type Brief = Pick<Finding, "rule" | "severity" | "location">;
const brief = (findings: Brief[]) =>
  findings.map((f) => `${f.rule} ${f.severity} ${renderLocation(f.location)}`);

async function scan(bytes: Uint8Array, name = "t.zip") {
  const outcome = await scanBytes(bytes, name);
  assert.equal(outcome.error, undefined);
  return outcome;
}

/** The pickle scanner's two findings for PAYLOAD at `where`. */
const payload = (where: string) => [
  `MA100 critical ${where} (pos 0)`,
  `MA101 critical ${where} (pos ${PAYLOAD_REDUCE})`,
];

Deno.test("detect: a local header or an empty archive's end record at offset 0", () => {
  assert.ok(detectZip(latin1("PK\x03\x04")));
  assert.ok(detectZip(latin1("PK\x05\x06")));
  assert.ok(!detectZip(latin1("PK\x01\x02")));
  assert.ok(!detectZip(latin1("PK")));
});

Deno.test("detectTrailing: a zip after other bytes, not the signature alone", async () => {
  const zip = await buildZip([{ name: "a.pkl", data: BENIGN }]);
  assert.ok(await zipDescriptor.detectTrailing!(bytesSource(new Uint8Array([...BENIGN, ...zip]))));
  const fake = new Uint8Array([
    ...BENIGN,
    ...latin1("PK\x05\x06"),
    0,
    0,
    0,
    0,
    1,
    0,
    1,
    0,
    46,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
  ]);
  assert.ok(!(await zipDescriptor.detectTrailing!(bytesSource(fake))));
  assert.ok(!(await zipDescriptor.detectTrailing!(bytesSource(BENIGN))));
});

Deno.test("members are scanned by content, stored or deflated, with positions inside the member", async () => {
  for (const method of [0, 8]) {
    const zip = await buildZip([{ name: "README", data: latin1("# hi\n"), method }, {
      name: "data.bin",
      data: PAYLOAD,
      method,
    }]);
    const { format, findings } = await scan(zip);
    assert.equal(format, "zip");
    assert.deepEqual(brief(findings), payload("t.zip:data.bin"));
  }
});

Deno.test("MA200: the local header names another file (CVE-2025-1944); the member is read by its central name", async () => {
  const zip = await buildZip([{ name: "data.pkl", data: PAYLOAD, local: { name: "data.txt" } }]);
  const { findings } = await scan(zip);
  assert.deepEqual(brief(findings), ["MA200 critical t.zip:data.pkl", ...payload("t.zip:data.pkl")]);
  assert.deepEqual(findings[0].details.localHeader, [{
    field: "name",
    local: "data.txt",
    central: "data.pkl",
  }]);
});

Deno.test("MA200: method, flags, CRC and sizes that disagree; zero local sizes only with a data descriptor", async () => {
  const cases: [string, Parameters<typeof buildZip>[0][0], string[]][] = [
    ["method", { name: "a", data: BENIGN, local: { method: 8 } }, ["method"]],
    ["flags", { name: "a", data: BENIGN, local: { flags: 0x0800 } }, ["flags"]],
    ["sizes", { name: "a", data: BENIGN, local: { size: 9 } }, ["size"]],
    ["zeros", { name: "a", data: BENIGN, local: { crc32: 0, size: 0, compressedSize: 0 } }, [
      "crc32",
      "compressedSize",
      "size",
    ]],
    ["descriptor", {
      name: "a",
      data: BENIGN,
      flags: 8,
      local: { crc32: 0, size: 0, compressedSize: 0 },
      descriptor: {},
    }, []],
    ["unsigned descriptor", {
      name: "a",
      data: BENIGN,
      flags: 8,
      local: { crc32: 0, size: 0, compressedSize: 0 },
      descriptor: { signature: false },
    }, []],
    ["lying descriptor", { name: "a", data: BENIGN, flags: 8, descriptor: { crc32: 1 } }, ["crc32"]],
  ];
  for (const [label, member, fields] of cases) {
    const { findings } = await scan(await buildZip([member]));
    const reported = findings.flatMap((f) =>
      f.rule === "MA200"
        ? [
          ...f.details.localHeader as { field: string }[],
          ...f.details.dataDescriptor as { field: string }[],
        ]
        : []
    );
    assert.deepEqual(reported.map((m) => m.field), fields, label);
    assert.deepEqual(findings.filter((f) => f.rule !== "MA200"), [], label);
  }
});

Deno.test("MA201: an encryption flag on plain data (CVE-2025-1945) is critical, and the member is scanned", async () => {
  for (const method of [0, 8]) {
    const { findings } = await scan(await buildZip([{ name: "a.pkl", data: PAYLOAD, method, flags: 1 }]));
    assert.deepEqual(brief(findings), ["MA201 critical t.zip:a.pkl", ...payload("t.zip:a.pkl")]);
  }
  const patched = await scan(await buildZip([{ name: "a.pkl", data: PAYLOAD, flags: 0x20 }]));
  assert.deepEqual(brief(patched.findings), ["MA201 critical t.zip:a.pkl", ...payload("t.zip:a.pkl")]);
  assert.deepEqual(patched.findings[0].details.unusualBits, [5]);
});

Deno.test("MA208: a really encrypted member is info only and is not read", async () => {
  const stored = await buildZip([{
    name: "a.pkl",
    data: PAYLOAD,
    flags: 1,
    raw: new Uint8Array(PAYLOAD.length + 12),
  }]);
  assert.deepEqual(brief((await scan(stored)).findings), ["MA208 info t.zip:a.pkl"]);
  const garbage = Uint8Array.from({ length: 64 }, (_, i) => (i * 97 + 13) & 0xff);
  const deflated = await buildZip([{ name: "a.pkl", data: PAYLOAD, flags: 1, method: 8, raw: garbage }]);
  assert.deepEqual(brief((await scan(deflated)).findings), ["MA208 info t.zip:a.pkl"]);
});

Deno.test("MA202: a CRC-32 mismatch, stored or deflated; the member is still scanned", async () => {
  for (const method of [0, 8]) {
    const { findings } = await scan(await buildZip([{ name: "a.pkl", data: PAYLOAD, method, crc32: 7 }]));
    assert.deepEqual(brief(findings).sort(), ["MA202 warning t.zip:a.pkl", ...payload("t.zip:a.pkl")].sort());
    assert.deepEqual(findings.find((f) => f.rule === "MA202")!.details, {
      declared: 7,
      actual: crc32(PAYLOAD),
    });
  }
});

Deno.test("deflate data after the end of the stream is ignored as zlib ignores it (MA209), not a blind spot", async () => {
  const raw = new Uint8Array([...await deflate(PAYLOAD), 0xff, 0xff]);
  const { findings } = await scan(await buildZip([{ name: "a.pkl", data: PAYLOAD, method: 8, raw }]));
  assert.deepEqual(brief(findings), ["MA209 warning t.zip:a.pkl", ...payload("t.zip:a.pkl")]);
  assert.equal(findings[0].details.deflateEnd, raw.length - 2);
});

Deno.test("MA203: members that share bytes; MA209: data past the central directory or the file", async () => {
  const shared = await buildZip([{ name: "a.pkl", data: BENIGN }, {
    name: "a.pkl",
    data: BENIGN,
    offset: 0,
  }]);
  assert.deepEqual(brief((await scan(shared)).findings), [
    "MA211 critical t.zip:a.pkl",
    "MA203 critical t.zip:a.pkl",
  ]);
  const long = await buildZip([{ name: "a", data: BENIGN, compressedSize: 30, size: 30, local: {} }]);
  const intoDirectory = await scan(long);
  assert.ok(brief(intoDirectory.findings).includes("MA209 warning t.zip:a"));
  assert.match(intoDirectory.findings[0].message, /runs past the central directory/);
  const pastEnd = await scan(await buildZip([{ name: "a", data: BENIGN, compressedSize: 999, size: 999 }]));
  assert.match(pastEnd.findings[0].message, /runs past the end of the file/);
});

Deno.test("MA204: names that escape the extraction directory", async () => {
  const names: [string, string][] = [
    ["../a.pkl", "a .. segment"],
    ["x/../../a.pkl", "a .. segment"],
    ["..\\a.pkl", "a .. segment"],
    ["/etc/a.pkl", "an absolute path"],
    ["\\a.pkl", "an absolute path"],
    ["C:/a.pkl", "a drive letter"],
    ["x\\a.pkl", "a backslash"],
  ];
  for (const [name, reason] of names) {
    const { findings } = await scan(await buildZip([{ name, data: BENIGN }]));
    assert.deepEqual(brief(findings), [`MA204 critical t.zip:${name}`], name);
    assert.equal(findings[0].details.reason, reason);
  }
  for (const name of ["a..b.pkl", "dir/..a", "./a.pkl", "a/b:c"]) {
    assert.deepEqual((await scan(await buildZip([{ name, data: BENIGN }]))).findings, [], name);
  }
});

Deno.test("MA205: a symbolic link member, with its target", async () => {
  const zip = await buildZip([{
    name: "link",
    data: latin1("../../etc/passwd"),
    externalAttributes: 0o120777 << 16,
  }]);
  const { findings } = await scan(zip);
  assert.deepEqual(brief(findings), ["MA205 warning t.zip:link"]);
  assert.equal(findings[0].details.target, "../../etc/passwd");
});

Deno.test("MA211: two members with one name; both are scanned", async () => {
  const zip = await buildZip([{ name: "m.pkl", data: BENIGN }, { name: "m.pkl", data: PAYLOAD }]);
  assert.deepEqual(brief((await scan(zip)).findings), [
    "MA211 critical t.zip:m.pkl",
    ...payload("t.zip:m.pkl"),
  ]);
});

Deno.test("MA212: methods modelaudit cannot decode are reported, not read", async () => {
  for (const [method, name] of [[93, "zstd"], [9, "deflate64"], [95, "xz"]] as const) {
    const { findings } = await scan(
      await buildZip([{ name: "a.pkl", data: PAYLOAD, method, raw: new Uint8Array(8) }]),
    );
    assert.deepEqual(brief(findings), ["MA212 warning t.zip:a.pkl"]);
    assert.equal(findings[0].details.methodName, name);
  }
});

Deno.test("MA207: data before the archive is scanned as <prefix>, unless another scanner read it first", async () => {
  const script = await buildZip([{ name: "a.pkl", data: BENIGN }], { prefix: latin1("#!/bin/sh\nexit 0\n") });
  const shell = await scan(script, "t.bin");
  assert.equal(shell.format, "zip");
  assert.deepEqual(brief(shell.findings), ["MA207 warning t.bin (pos 0)"]);
  const hidden = await buildZip([{ name: "a.pkl", data: BENIGN }], {
    prefix: new Uint8Array([...latin1("#!/bin/sh\n"), ...PAYLOAD]),
  });
  // The prefix does not start like a pickle: scanned as <prefix>, nothing is found in it (opportunistically).
  assert.deepEqual(brief((await scan(hidden, "t.bin")).findings), ["MA207 warning t.bin (pos 0)"]);
  const polyglot = await scan(
    await buildZip([{ name: "a.pkl", data: PAYLOAD }], { prefix: BENIGN }),
    "t.pkl",
  );
  assert.equal(polyglot.format, "pickle");
  assert.deepEqual(brief(polyglot.findings).filter((f) => !f.startsWith("MA105")), [
    "MA207 warning t.pkl (pos 0)",
    ...payload("t.pkl:a.pkl"),
  ]);
  assert.match(polyglot.findings.find((f) => f.rule === "MA207")!.message, /read as pickle/);
});

Deno.test("MA207: data after the end record is scanned as <trailing@N>", async () => {
  const zip = await buildZip([{ name: "a.pkl", data: BENIGN }]);
  const { findings } = await scan(new Uint8Array([...zip, ...PAYLOAD]));
  assert.deepEqual(brief(findings), [
    `MA207 warning t.zip (pos ${zip.length})`,
    ...payload(`t.zip:<trailing@${zip.length}>`),
  ]);
});

Deno.test("zip in zip in zip: locations name every level", async () => {
  const level2 = await buildZip([{ name: "payload.pkl", data: PAYLOAD, method: 8 }]);
  const level1 = await buildZip([{ name: "level2.zip", data: level2 }]);
  const nest = await buildZip([{ name: "level1.zip", data: level1, method: 8 }]);
  assert.deepEqual(
    brief((await scan(nest, "nest.zip")).findings),
    payload("nest.zip:level1.zip:level2.zip:payload.pkl"),
  );
});

Deno.test("directory entries are not members; an empty archive is clean", async () => {
  const zip = await buildZip([{ name: "d/", data: new Uint8Array(0) }, { name: "d/a.pkl", data: PAYLOAD }]);
  assert.deepEqual(brief((await scan(zip)).findings), payload("t.zip:d/a.pkl"));
  assert.deepEqual((await scan(await buildZip([]))).findings, []);
});

Deno.test("hostile: truncated archives are MA209, and the members their local headers declare are scanned", async () => {
  const zip = await buildZip([{ name: "a.pkl", data: PAYLOAD }, { name: "b", data: BENIGN }]);
  const cut = zip.subarray(0, 30 + 5 + PAYLOAD.length + 10);
  const { findings } = await scan(cut);
  assert.deepEqual(brief(findings), ["MA209 warning t.zip", ...payload("t.zip:a.pkl")]);
  assert.equal(findings[0].details.membersFound, 1);
  for (const length of [4, 10, 29, 30, 31]) {
    const outcome = await scan(zip.subarray(0, length));
    assert.equal(outcome.findings[0].rule, "MA209", `cut at ${length}`);
  }
});

Deno.test("hostile: offsets, counts and sizes that lie end in findings", async () => {
  const member = [{ name: "a.pkl", data: PAYLOAD }];
  const pastEnd = await scan(await buildZip(member, { directoryOffset: 0x7fffffff }));
  assert.deepEqual(brief(pastEnd.findings), ["MA209 warning t.zip", ...payload("t.zip:a.pkl")]);
  const count = await scan(await buildZip(member, { entries: 0xfffe }));
  assert.deepEqual(brief(count.findings), ["MA209 warning t.zip", ...payload("t.zip:a.pkl")]);
  assert.equal(count.findings[0].details.entriesRead, 1);
  const huge = await scan(await buildZip(member, { directorySize: 0xfffffff0 }));
  assert.deepEqual(brief(huge.findings), [
    "MA210 warning t.zip",
    "MA209 warning t.zip",
    ...payload("t.zip:a.pkl"),
  ]);
  const header = await scan(await buildZip([{ name: "a", data: BENIGN, offset: 0x10000000 }]));
  assert.deepEqual(brief(header.findings), ["MA209 warning t.zip:a"]);
});

Deno.test("hostile: a name length past the end of the file, random bytes after a signature", async () => {
  const zip = await buildZip([{ name: "a", data: BENIGN }]);
  zip[26] = 0xff;
  zip[27] = 0xff;
  assert.deepEqual(brief((await scan(zip)).findings), ["MA209 warning t.zip:a"]);
  let seed = 1;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
  for (let i = 0; i < 50; i++) {
    const bytes = new Uint8Array([...latin1("PK\x03\x04"), ...Array.from({ length: 200 }, random)]);
    const outcome = await scanBytes(bytes, "r.zip");
    assert.equal(outcome.error, undefined);
    assert.equal(outcome.findings[0]?.rule, "MA209");
  }
});

Deno.test("hostile: many end record signatures in the tail are searched in bounded time", async () => {
  const signatures = new Uint8Array(64 * 1024);
  for (let i = 0; i + 4 <= signatures.length; i += 4) signatures.set(latin1("PK\x05\x06"), i);
  const outcome = await scan(new Uint8Array([...latin1("PK\x03\x04"), ...signatures]));
  assert.equal(outcome.findings[0].rule, "MA209");
});

Deno.test("10,000 members are listed and scanned", async () => {
  const members = Array.from({ length: 10_000 }, (_, i) => ({ name: `m/${i}.txt`, data: latin1("x") }));
  const zip = await buildZip(members);
  const { findings } = await scan(zip);
  assert.deepEqual(findings, []);
});

Deno.test("a real torch.save checkpoint (64-byte aligned extra fields, data descriptors, zip64 end) is clean", async () => {
  const path = new URL("../../../fixtures/zip/reference/torch_linear_state_dict.pt", import.meta.url);
  const { findings } = await scan(await Deno.readFile(path), "linear.pt");
  assert.deepEqual(findings, []);
});

Deno.test("MA200: a classic end record that disagrees with the zip64 record it defers to", async () => {
  const path = new URL("../../../fixtures/zip/reference/torch_linear_state_dict.pt", import.meta.url);
  const bytes = await Deno.readFile(path);
  bytes[bytes.length - 22 + 10] = 3; // entries on this disk stay 4; the total says 3
  const { findings } = await scan(bytes, "linear.pt");
  const mine = findings.filter((f) => f.rule.startsWith("MA2"));
  assert.deepEqual(brief(mine), ["MA200 critical linear.pt"]);
  assert.deepEqual(mine[0].details.fields, ["entries"]);
});

Deno.test("sandboxed workers scan zips (deflate and the worker's exit need nothing more)", async () => {
  const { scan: scanPaths } = await import("../../../engine/scan.ts");
  const dir = await Deno.makeTempDir();
  try {
    const level1 = await buildZip([{ name: "payload.pkl", data: PAYLOAD, method: 8 }]);
    await Deno.writeFile(
      `${dir}/nest.zip`,
      await buildZip([{ name: "level1.zip", data: level1, method: 8 }]),
    );
    const result = await scanPaths([dir], { sandbox: true });
    const findings = result.files[0].findings.map((f) => ({
      ...f,
      location: { ...f.location, file: f.location.file.split("/").pop()! },
    }));
    assert.deepEqual(brief(findings), payload("nest.zip:level1.zip:payload.pkl"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
