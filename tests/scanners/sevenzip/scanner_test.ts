// The 7z scanner: every member of the archives `7z a` and py7zr wrote decodes to the bytes they
// were given (fixtures/sevenzip/members.json); a solid folder is read forward, a member read out
// of order decodes anew, and what is decoded on the way to a member is charged to the budget;
// malformed archives (lying counts, sizes, CRCs, truncation) are findings, never a crash.
import assert from "node:assert/strict";
import { bytesSource } from "../../../core/byte_source.ts";
import { scanBytes } from "../../../engine/dispatch.ts";
import { renderLocation } from "../../../report/location.ts";
import type { ScannerOptionsInput } from "../../../scanners/options.ts";
import { detectSevenZip } from "../../../scanners/sevenzip/descriptor.ts";
import { scanSevenZip } from "../../../scanners/sevenzip/scanner.ts";
import { concat } from "../../_bytes.ts";
import { OS_SYSTEM } from "../compressed/_scan.ts";
import { readMember, recordingContext, signatureHeader, storedHeader, storedSevenZip } from "./_sevenzip.ts";

const FIXTURES = new URL("../../../fixtures/sevenzip/", import.meta.url);
const SIGNATURE = [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c];
/** The signature header of an empty 7z archive (version 0.4, no next header), as 7-Zip writes it. */
const EMPTY_7Z = new Uint8Array([...SIGNATURE, 0, 4, 0x8d, 0x9b, 0xd5, 0x0f, ...new Array(20).fill(0)]);
const text = (s: string) => new TextEncoder().encode(s);

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes.slice()));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function brief(bytes: Uint8Array, name = "t.7z", limits = {}): Promise<string[]> {
  const outcome = await scanBytes(bytes, name, { limits });
  assert.equal(outcome.error, undefined);
  return outcome.findings.map((f) => `${f.rule} ${f.severity} ${renderLocation(f.location)}`);
}

async function listed(file: string) {
  const { ctx, recorded } = recordingContext();
  await scanSevenZip(bytesSource(await Deno.readFile(new URL(file, FIXTURES))), ctx);
  return recorded;
}

Deno.test("detection: the six signature bytes, nothing less", () => {
  assert.ok(detectSevenZip(EMPTY_7Z));
  assert.ok(!detectSevenZip(EMPTY_7Z.subarray(0, 5)));
  assert.ok(!detectSevenZip(new Uint8Array([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1d])));
});

Deno.test("an empty 7z is clean; named .pt it is MA001 only", async () => {
  const plain = await scanBytes(EMPTY_7Z, "empty.7z");
  assert.equal(plain.format, "7z");
  assert.deepEqual(plain.findings, []);
  assert.deepEqual(await brief(EMPTY_7Z, "model.pt"), ["MA001 warning model.pt"]);
});

const members: Record<string, Record<string, string>> = JSON.parse(
  await Deno.readTextFile(new URL("members.json", FIXTURES)),
);
for (const [file, expected] of Object.entries(members)) {
  Deno.test(`${file}: every member decodes to the bytes the archiver was given`, async () => {
    const recorded = await listed(file);
    assert.deepEqual(recorded.findings, []);
    const actual: Record<string, string> = {};
    for (const member of recorded.members) {
      actual[member.name] = await sha256((await readMember(member)).bytes);
    }
    assert.deepEqual(actual, expected);
  });
}

Deno.test("a solid folder: members read in order cost nothing extra; out of order, the skipped bytes are charged", async () => {
  const recorded = await listed("benign/lzma2_solid.7z");
  assert.deepEqual(recorded.members.map((m) => m.content.kind), ["encoded", "encoded", "encoded", "encoded"]);
  const sizes = [];
  for (const member of recorded.members) {
    const read = await readMember(member);
    assert.equal(read.charged, 0);
    sizes.push(read.bytes.length);
  }
  // The last member, read again: the folder is decoded anew, and everything before it is charged.
  const last = await readMember(recorded.members[3]);
  assert.equal(last.charged, sizes[0] + sizes[1] + sizes[2]);
  // When the budget refuses those bytes, the member's stream ends there, empty.
  const refused = await readMember(recorded.members[3], () => false);
  assert.equal(refused.bytes.length, 0);
  // The first member needs no skipping.
  assert.equal((await readMember(recorded.members[0])).charged, 0);
});

Deno.test("a solid folder's members share its packed size in proportion: each has the folder's ratio", async () => {
  const recorded = await listed("benign/lzma2_solid.7z");
  const encoded = recorded.members.map((m) => m.content.kind === "encoded" ? m.content : undefined);
  const declared = encoded.map((c) => c!.declaredSize!);
  const shares = encoded.map((c) => c!.encodedSize);
  const ratio = declared.reduce((a, b) => a + b, 0) / shares.reduce((a, b) => a + b, 0);
  for (const [i, share] of shares.entries()) assert.ok(Math.abs(declared[i] / share - ratio) / ratio < 0.25);
});

Deno.test("the budget bounds a solid folder: where it runs out is MA210, the members after it are passed over", async () => {
  // 7z a orders the folder README.md, config.json, model.pkl (42 bytes), model.safetensors, pytorch_model.bin.
  const bytes = await Deno.readFile(new URL("malicious/pickle_lzma2.7z", FIXTURES));
  assert.deepEqual(await brief(bytes, "t.7z", { maxDecompressedBytes: 1000 }), [
    "MA100 critical t.7z:model.pkl (pos 2)",
    "MA101 critical t.7z:model.pkl (pos 38)",
    // The safetensors member is scanned as far as it was decoded: its tensors end past that prefix.
    "MA326 warning t.7z:model.safetensors (pos 63, key $.weight.data_offsets)",
    "MA210 warning t.7z:model.safetensors",
  ]);
});

Deno.test("the bomb fixture's member streams in chunks of at most 2 MiB (one LZMA2 chunk)", async () => {
  const recorded = await listed("suspicious/bomb.7z");
  const content = recorded.members[0].content;
  assert.equal(content.kind, "encoded");
  if (content.kind !== "encoded") return;
  const reader = content.decode(new AbortController().signal).getReader();
  let total = 0;
  for (let i = 0; i < 8; i++) {
    const { value } = await reader.read();
    assert.ok(value && value.length <= 2 * 1024 * 1024);
    total += value!.length;
  }
  await reader.cancel();
  assert.ok(total >= 8 * 64 * 1024);
});

Deno.test("assembled stored 7z: members handed over as views, payload found, names checked", async () => {
  const archive = storedSevenZip([
    { name: "README.md", data: text("# model\n") },
    { name: "..\\..\\evil.pkl", data: OS_SYSTEM },
  ]);
  assert.deepEqual(await brief(archive), [
    "MA204 critical t.7z:..\\..\\evil.pkl",
    "MA100 critical t.7z:..\\..\\evil.pkl (pos 2)",
    "MA101 critical t.7z:..\\..\\evil.pkl (pos 29)",
  ]);
});

Deno.test("duplicate names, with ./ and backslashes normalised, are MA211; a Windows reparse point is MA205", async () => {
  const archive = storedSevenZip([
    { name: "model/config.json", data: text("{}") },
    { name: "./model\\config.json", data: text("{}") },
    { name: "link", data: text("x"), attributes: 0x400 | 0x20 },
  ]);
  assert.deepEqual(await brief(archive), [
    "MA211 critical t.7z:./model\\config.json",
    "MA205 warning t.7z:link",
  ]);
});

Deno.test("a member whose data fails its CRC-32 is MA202 and is still scanned", async () => {
  const archive = storedSevenZip([{ name: "a.pkl", data: OS_SYSTEM }], { badCrcAt: 0 });
  assert.deepEqual(await brief(archive), [
    "MA202 warning t.7z:a.pkl",
    "MA100 critical t.7z:a.pkl (pos 2)",
    "MA101 critical t.7z:a.pkl (pos 29)",
  ]);
});

Deno.test("sevenzip options: a stored member over maxStoredCrcBytes is not checksummed; a header over maxHeaderBytes, or listing more than maxFiles, is not read", async () => {
  const archive = storedSevenZip([{ name: "a.pkl", data: OS_SYSTEM }], { badCrcAt: 0 });
  const rules = async (sevenzip: ScannerOptionsInput["sevenzip"]) =>
    (await scanBytes(archive, "t.7z", { scannerOptions: { sevenzip } })).findings.map((f) => f.rule);
  assert.deepEqual(await rules({ maxStoredCrcBytes: OS_SYSTEM.length }), ["MA202", "MA100", "MA101"]);
  assert.deepEqual(await rules({ maxStoredCrcBytes: OS_SYSTEM.length - 1 }), ["MA100", "MA101"]);
  // py7zr writes an encoded header: 23 bytes in the file, 233 once decoded, listing 1 packed stream.
  const copy = await Deno.readFile(new URL("benign/py7zr_copy.7z", FIXTURES));
  const headerAt = async (maxHeaderBytes: number) =>
    (await scanBytes(copy, "c.7z", { scannerOptions: { sevenzip: { maxHeaderBytes } } })).findings
      .map((f) => [f.rule, f.details]);
  assert.deepEqual(await headerAt(22), [["MA210", {
    limit: "MAX_HEADER_BYTES",
    option: "sevenzip.maxHeaderBytes",
    max: 22,
    size: 23,
  }]]);
  assert.deepEqual(await headerAt(232), [["MA210", {
    limit: "MAX_HEADER_BYTES",
    option: "sevenzip.maxHeaderBytes",
    max: 232,
    size: 233,
  }]]);
  assert.deepEqual(await headerAt(233), []);
  const files = await scanBytes(copy, "c.7z", { scannerOptions: { sevenzip: { maxFiles: 0 } } });
  assert.deepEqual(files.findings.map((f) => [f.rule, f.details.reason]), [
    ["MA209", "1 packed streams, more than the 0 allowed"],
  ]);
});

Deno.test("a compressed member whose data is corrupt: MA209 or MA202, what decoded before it still scanned", async () => {
  const bytes = await Deno.readFile(new URL("malicious/pickle_lzma2.7z", FIXTURES));
  const broken = bytes.slice();
  broken[200] ^= 0x55;
  const findings = await brief(broken);
  assert.ok(findings.some((f) => /^MA20[29] warning t\.7z:/.test(f)), findings.join("\n"));
});

Deno.test("a header that declares more files than its bytes can hold is MA209, nothing allocated", async () => {
  const archive = storedSevenZip([{ name: "a", data: text("a") }], { fileCount: 2 ** 40 });
  const outcome = await scanBytes(archive, "t.7z");
  assert.deepEqual(outcome.findings.map((f) => `${f.rule} ${renderLocation(f.location)}`), ["MA209 t.7z"]);
  assert.match(outcome.findings[0].message, /1099511627776 files declared, in \d+ bytes/);
});

Deno.test("a packed size past the end of the file is MA209; its member is read as far as it goes", async () => {
  const archive = storedSevenZip([{ name: "a.txt", data: text("hello") }], { packSize: 1 << 30 });
  const findings = await brief(archive);
  assert.ok(findings.includes("MA209 warning t.7z (pos 32)"), findings.join("\n"));
});

Deno.test("truncation: a short signature header, a header past the end; a damaged CRC is read anyway", async () => {
  assert.deepEqual(await brief(EMPTY_7Z.subarray(0, 20)), ["MA209 warning t.7z"]);
  const archive = storedSevenZip([{ name: "a.pkl", data: OS_SYSTEM }]);
  assert.deepEqual(await brief(archive.subarray(0, archive.length - 3)), ["MA209 warning t.7z"]);
  const header = storedHeader([{ name: "a.pkl", data: OS_SYSTEM }]);
  const lying = concat(signatureHeader(OS_SYSTEM.length, header), OS_SYSTEM, header);
  lying[lying.length - 3] ^= 0; // the header as written
  lying[28] ^= 0xff; // its CRC damaged
  assert.deepEqual(await brief(lying), [
    "MA209 warning t.7z (pos 8)",
    `MA209 warning t.7z (pos ${32 + OS_SYSTEM.length})`,
    "MA100 critical t.7z:a.pkl (pos 2)",
    "MA101 critical t.7z:a.pkl (pos 29)",
  ]);
});

Deno.test("bytes between the data and the header, and after it, are MA207 and scanned", async () => {
  const header = storedHeader([{ name: "a.txt", data: text("hi") }]);
  const gap = concat(text("hi"), OS_SYSTEM);
  const archive = concat(signatureHeader(gap.length, header), gap, header);
  assert.deepEqual(await brief(archive), [
    "MA207 warning t.7z (pos 34)",
    "MA100 critical t.7z:<extra@34> (pos 2)",
    "MA101 critical t.7z:<extra@34> (pos 29)",
  ]);
});

Deno.test("the member limit stops the listing", async () => {
  const archive = storedSevenZip(
    Array.from({ length: 5 }, (_, i) => ({ name: `f${i}.txt`, data: text(`${i}`) })),
  );
  const { ctx, recorded } = recordingContext(false);
  await scanSevenZip(bytesSource(archive), ctx);
  assert.equal(recorded.members.length, 1);
});

Deno.test("a member flagged a symbolic link is MA205, and its data is scanned all the same", async () => {
  const archive = storedSevenZip([
    { name: "README.md", data: text("# model\n") },
    { name: "weights", data: OS_SYSTEM, attributes: 0x8000 | (0o120777 << 16) },
  ]);
  const outcome = await scanBytes(archive, "t.7z");
  assert.deepEqual(outcome.findings.map((f) => `${f.rule} ${f.severity} ${renderLocation(f.location)}`), [
    "MA205 warning t.7z:weights",
    "MA100 critical t.7z:weights (pos 2)",
    "MA101 critical t.7z:weights (pos 29)",
  ]);
  assert.equal(outcome.findings[0].details.kind, "symbolic link");
});
