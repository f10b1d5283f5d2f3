// The PyTorch zip checkpoint and TorchScript archive profiles: which layouts they claim,
// how they plan each member of real torch.save / torch.jit.save output (the fixtures,
// read here with a tiny stored-zip reader), how they judge metadata records and storage
// references, and, end to end through the zip scanner, that tensor data is never read.
import assert from "node:assert/strict";
import type { ByteSource } from "../../../core/byte_source.ts";
import { bytesSource } from "../../../core/byte_source.ts";
import type { FindingReport, ScanContext } from "../../../core/scanner.ts";
import { scanSource } from "../../../engine/dispatch.ts";
import type { ArchiveEntry, MemberPlan } from "../../../scanners/archive/profile.ts";
import { ZIP_PROFILES } from "../../../scanners/archive/profiles.ts";
import {
  MAX_METADATA_RECORD_BYTES,
  torchScriptZipProfile,
  torchZipProfile,
} from "../../../scanners/pytorch/zip_checkpoint.ts";
import { Disassembler } from "../../../scanners/pickle/disassembler.ts";
import { buildZip } from "../zip/_zip.ts";
import { archiveEntries, memberBytes, storedMembers } from "./_zip.ts";
import { renderLocation } from "../../../report/location.ts";
import { CallablePolicy } from "../../../policy/callables.ts";

const FIXTURES = new URL("../../../fixtures/pytorch/", import.meta.url);
const fixture = (file: string) => Deno.readFile(new URL(file, FIXTURES));
const text = (value: string) => new TextEncoder().encode(value);

/** A context that records what a profile reports; profiles scan nothing themselves. */
function recorder(): { ctx: ScanContext; findings: FindingReport[] } {
  const findings: FindingReport[] = [];
  const ctx: ScanContext = {
    path: "t.pt",
    depth: 0,
    signal: new AbortController().signal,
    policy: CallablePolicy.standard(),
    openSibling: () => Promise.resolve({ ok: false, escape: false, reason: "no siblings in this test" }),
    report: (finding) => void findings.push(finding),
    matchBlacklist: () => undefined,
    scanNested: () => Promise.reject(new Error("a profile scans nothing")),
    scanMember: () => Promise.reject(new Error("a profile scans nothing")),
    identify: () => {},
  };
  return { ctx, findings };
}

/** An entry holding `content`. */
function entry(name: string, content: Uint8Array | string = new Uint8Array(0)): ArchiveEntry {
  const bytes = typeof content === "string" ? text(content) : content;
  return { name, size: bytes.length, directory: name.endsWith("/"), read: () => Promise.resolve(bytes) };
}

/** `entries` with member `name` replaced (or added when absent), or removed when `content` is null. */
function edited(entries: readonly ArchiveEntry[], name: string, content: Uint8Array | string | null) {
  const others = entries.filter((e) => e.name !== name);
  return content === null
    ? others
    : entries.some((e) => e.name === name)
    ? entries.map((e) => (e.name === name ? entry(name, content) : e))
    : [...others, entry(name, content)];
}

/** The profile that claims `entries`, its plans and its findings as `rule member (pos N)` lines. */
async function plan(entries: readonly ArchiveEntry[]) {
  const profile = ZIP_PROFILES.find((p) => p.matches(entries));
  assert.ok(profile, "no profile matches");
  const { ctx, findings } = recorder();
  const plans = await profile.plan(entries, ctx);
  const brief = findings.map((f) =>
    `${f.rule}${f.member === undefined ? "" : ` ${f.member}`}${
      f.position === undefined ? "" : ` (pos ${f.position})`
    }`
  );
  return { format: profile.format, plans, findings, brief };
}

/** Offsets of every `name` opcode of a pickle. */
function opcodePositions(pickle: Uint8Array, name: string): number[] {
  const dis = Disassembler.fromBytes(pickle);
  const found: number[] = [];
  for (let op = dis.next(); op; op = dis.next()) if (op.name === name) found.push(op.pos);
  return found;
}

const describe = (p: MemberPlan | undefined) =>
  p === undefined ? "content" : p.action === "skip" ? "skip" : `scan as ${p.loadAs}`;

Deno.test("claims torch's layouts by the first entry's folder and data.pkl, TorchScript by constants.pkl", () => {
  const names = (...list: string[]) => list.map((n) => entry(n));
  const cases: [ArchiveEntry[], string | undefined][] = [
    [names("archive/data.pkl", "archive/data/0", "archive/version"), "pytorch"],
    [names("resnet/data.pkl", "resnet/version"), "pytorch"],
    [names("archive/extra/notes.txt", "archive/data.pkl", "archive/constants.pkl"), "torchscript"],
    // torch reads the folder of the first entry only: data.pkl elsewhere is no checkpoint of its.
    [names("model/config.json", "archive/data.pkl", "archive/version"), undefined],
    [names("data.pkl", "version"), undefined],
    [names("archive/data.pkl/", "archive/version"), undefined],
    [names("archive/weights.npy"), undefined],
    [[], undefined],
  ];
  for (const [entries, format] of cases) {
    const claimed = [torchScriptZipProfile, torchZipProfile].filter((p) => p.matches(entries));
    assert.deepEqual(
      claimed.map((p) => p.format),
      format === undefined ? [] : [format],
      entries.map((e) => e.name).join(),
    );
  }
  assert.ok(ZIP_PROFILES.indexOf(torchScriptZipProfile) < ZIP_PROFILES.indexOf(torchZipProfile));
});

Deno.test("plans torch.save output: data.pkl as a pickle, storages and metadata skipped, only those two read", async () => {
  const reads: string[] = [];
  const entries = await archiveEntries(await fixture("benign/state_dict.pt"), reads);
  const { format, plans, brief } = await plan(entries);
  assert.equal(format, "pytorch");
  assert.deepEqual(brief, []);
  assert.deepEqual(Object.fromEntries(entries.map((e) => [e.name, describe(plans.get(e.name))])), {
    "archive/data.pkl": "scan as pickle",
    "archive/data/0": "skip",
    "archive/data/1": "skip",
    "archive/data/2": "skip",
    "archive/data/3": "skip",
    "archive/version": "skip",
  });
  assert.deepEqual(reads.sort(), ["archive/data.pkl", "archive/version"]);
});

Deno.test("records torch finds regardless of case are MA303 and planned as the record torch reads", async () => {
  const base = await archiveEntries(await fixture("benign/state_dict.pt"));
  const renamed = base.map((e) => {
    const name = { "archive/data.pkl": "archive/Data.pkl", "archive/data/2": "archive/DATA/2" }[e.name] ??
      e.name;
    return { ...e, name };
  });
  const { format, plans, brief, findings } = await plan(renamed);
  assert.equal(format, "pytorch");
  assert.deepEqual(brief, ["MA303 archive/Data.pkl", "MA303 archive/DATA/2"]);
  assert.deepEqual(findings.map((f) => f.details), [
    { record: "data.pkl", readAs: "archive/data.pkl", shadowsExactName: false },
    { record: "data/2", readAs: "archive/data/2", shadowsExactName: false },
  ]);
  assert.equal(describe(plans.get("archive/Data.pkl")), "scan as pickle");
  assert.equal(describe(plans.get("archive/DATA/2")), "skip");
  // A folder that differs in case from the first entry's is found the same way.
  const folder = base.map((e) => e.name === "archive/version" ? { ...e, name: "ARCHIVE/version" } : e);
  assert.deepEqual((await plan(folder)).brief, ["MA303 ARCHIVE/version"]);
});

Deno.test("a case variant torch does not read is MA300; a suffix in any case is scanned as what it names", async () => {
  const base = await archiveEntries(await fixture("benign/state_dict.pt"));
  const { plans, findings } = await plan([...base, entry("archive/DATA.PKL"), entry("archive/extra.PKL")]);
  assert.deepEqual(findings.map((f) => `${f.rule} ${f.member}: ${f.message}`), [
    "MA300 archive/DATA.PKL: torch.load reads archive/data.pkl when it asks for archive/data.pkl, not this entry",
    "MA300 archive/extra.PKL: torch.save does not write extra.PKL",
  ]);
  assert.equal(describe(plans.get("archive/DATA.PKL")), "scan as pickle");
  assert.equal(describe(plans.get("archive/extra.PKL")), "scan as pickle");
});

Deno.test("plans torch.jit.save output: pickles with TorchScript classes, code as TorchScript, extra files by content", async () => {
  const { format, plans, brief } = await plan(await archiveEntries(await fixture("benign/scripted.pt")));
  assert.equal(format, "torchscript");
  assert.deepEqual(brief, []);
  const byKind = (suffix: string) =>
    [...plans].filter(([n]) => n.endsWith(suffix)).map(([, p]) => describe(p));
  assert.deepEqual(new Set(byKind(".pkl")), new Set(["scan as torchscript-pickle"]));
  assert.deepEqual(new Set(byKind(".py")), new Set(["scan as torchscript"]));
  assert.equal(byKind(".py").length, 6);
  assert.equal(plans.get("archive/extra/notes.txt"), undefined);
  for (let i = 0; i < 5; i++) assert.equal(plans.get(`archive/data/${i}`)?.action, "skip");

  const traced = await plan(await archiveEntries(await fixture("benign/traced.pt")));
  assert.deepEqual(traced.brief, []);
  assert.equal(traced.plans.get("archive/constants/0")?.action, "skip");
  const lite = await plan(await archiveEntries(await fixture("benign/lite.ptl")));
  assert.deepEqual(lite.brief, []);
  assert.equal(describe(lite.plans.get("mobile/bytecode.pkl")), "scan as torchscript-pickle");
});

Deno.test("metadata records are what torch writes, or MA301 and scanned by content", async () => {
  const base = await archiveEntries(await fixture("benign/torch2_layout.pt"));
  assert.deepEqual((await plan(base)).brief, []);
  const cases: [string, string, boolean][] = [
    ["version", "1\n", true],
    ["version", "10\n", true],
    ["version", "3", true],
    ["version", "0\n", false],
    ["version", "11\n", false],
    ["version", "3\r\n", false],
    ["version", " 3\n", false],
    ["version", "3\n\n", false],
    ["version", "-1\n", false],
    ["version", "3abc\n", false],
    ["version", "", false],
    ["version", "3\u00a0", false],
    [".data/version", "6\n", true],
    [".data/version", "x\n", false],
    ["byteorder", "big", true],
    ["byteorder", "Little", false],
    ["byteorder", "little\n", false],
    [".data/serialization_id", "0".repeat(40), true],
    [".data/serialization_id", "18446744073709551615".repeat(2), true],
    [".data/serialization_id", "18446744073709551616" + "0".repeat(20), false],
    [".data/serialization_id", "0".repeat(39), false],
    [".format_version", "2", true],
    [".format_version", "one", false],
    [".storage_alignment", "4096", true],
    [".storage_alignment", "64 ", false],
  ];
  for (const [record, value, valid] of cases) {
    const name = `archive/${record}`;
    const { plans, brief, findings } = await plan(edited(base, name, value));
    assert.deepEqual(brief, valid ? [] : [`MA301 ${name}`], `${record} ${JSON.stringify(value)}`);
    assert.equal(plans.get(name)?.action, valid ? "skip" : undefined, `${record} ${JSON.stringify(value)}`);
    if (!valid) assert.equal(findings[0].details?.record, record);
  }
});

Deno.test("a metadata record too long to be torch's is MA301 unread; a missing version is MA301", async () => {
  const reads: string[] = [];
  const base = await archiveEntries(await fixture("benign/state_dict.pt"), reads);
  const long = edited(base, "archive/version", "3\n".padEnd(MAX_METADATA_RECORD_BYTES + 1, " "));
  const { plans, brief } = await plan(long);
  assert.deepEqual(brief, ["MA301 archive/version"]);
  assert.equal(plans.get("archive/version"), undefined);
  assert.deepEqual((await plan(edited(base, "archive/version", null))).brief, ["MA301"]);
  // .data/version stands in for version (torch 2.x writes it for versions >= 6).
  const dataVersion = edited(edited(base, "archive/version", null), "archive/.data/version", "6\n");
  assert.deepEqual((await plan(dataVersion)).brief, []);
});

Deno.test("storage references are checked by name and size; records nobody refers to are MA300", async () => {
  const zip = await fixture("benign/many_tensors.pt");
  const base = await archiveEntries(zip);
  assert.deepEqual((await plan(base)).brief, []);
  const dataPkl = await memberBytes(zip, "archive/data.pkl");
  const firstPersid = opcodePositions(dataPkl, "BINPERSID")[0]; // storage "0", a 2x2 float32 tensor

  const resized = edited(base, "archive/data/0", new Uint8Array(17));
  const found = await plan(resized);
  assert.deepEqual(found.brief, [`MA301 archive/data.pkl (pos ${firstPersid})`]);
  assert.deepEqual(found.findings[0].details, {
    storage: "0",
    record: "data/0",
    position: firstPersid,
    declaredBytes: 16,
    recordBytes: 17,
  });
  assert.deepEqual((await plan(edited(base, "archive/data/0", null))).brief, [
    `MA301 archive/data.pkl (pos ${firstPersid})`,
  ]);
  const extra = await plan(edited(base, "archive/data/9999", "x"));
  assert.deepEqual(extra.brief, ["MA300 archive/data/9999"]);
  assert.equal(extra.plans.get("archive/data/9999"), undefined);

  // A data.pkl whose storages cannot all be known: every data/ record is taken for a storage.
  const truncated = edited(edited(base, "archive/data/9999", "x"), "archive/data.pkl", dataPkl.slice(0, 200));
  const unknown = await plan(truncated);
  assert.deepEqual(unknown.brief, []);
  assert.equal(unknown.plans.get("archive/data/9999")?.action, "skip");
});

Deno.test("members torch does not write are MA300 and scanned by their content or as what they are", async () => {
  const checkpoint = await archiveEntries(await fixture("benign/state_dict.pt"));
  const withCode = await plan(edited(checkpoint, "archive/code/__torch__.py", "x = 1\n"));
  assert.deepEqual(withCode.brief, ["MA300 archive/code/__torch__.py"]);
  assert.equal(describe(withCode.plans.get("archive/code/__torch__.py")), "scan as torchscript");
  const withConstants = await plan(edited(checkpoint, "archive/constants/0", "x"));
  assert.deepEqual(withConstants.brief, ["MA300 archive/constants/0"]);
  const withDebug = await plan(edited(checkpoint, "archive/notes.debug_pkl", "x"));
  assert.deepEqual(withDebug.brief, ["MA300 archive/notes.debug_pkl"]);
  assert.equal(describe(withDebug.plans.get("archive/notes.debug_pkl")), "scan as pickle");
  const withDirectory = await plan([...checkpoint, entry("archive/data/")]);
  assert.deepEqual(withDirectory.brief, []);

  const script = await archiveEntries(await fixture("benign/scripted.pt"));
  const helper = await plan(edited(script, "archive/helper.py", "import os\n"));
  assert.deepEqual(helper.brief, ["MA300 archive/helper.py"]);
  assert.equal(describe(helper.plans.get("archive/helper.py")), "scan as torchscript");
  assert.deepEqual((await plan(edited(script, "archive/extra/more.bin", "x"))).brief, []);
  assert.deepEqual((await plan(edited(script, "archive/constants/7", "x"))).brief, [
    "MA300 archive/constants/7",
  ]);
  const outside = await plan(edited(script, "other/data.pkl", "x"));
  assert.deepEqual(outside.brief, ["MA300 other/data.pkl"]);
  assert.equal(outside.plans.get("other/data.pkl"), undefined);
});

/** A byte source that records every range read. */
function recording(bytes: Uint8Array): { source: ByteSource; reads: [number, number][] } {
  const inner = bytesSource(bytes);
  const reads: [number, number][] = [];
  return {
    reads,
    source: {
      size: inner.size,
      async read(offset, length) {
        const chunk = await inner.read(offset, length);
        reads.push([offset, offset + chunk.length]);
        return chunk;
      },
    },
  };
}

Deno.test("end to end, a checkpoint's tensor data is never read: no read starts in any of its 301 records", async () => {
  const zip = await fixture("benign/many_tensors.pt");
  const storages = (await storedMembers(zip)).filter((m) => m.name.startsWith("archive/data/") && m.size > 0);
  assert.equal(storages.length, 301); // 300 tensors, two views of one storage; the empty tensor's record is empty
  const { source, reads } = recording(zip);
  const started = performance.now();
  // Structure only: the weight analysis, on by default, reads values (tests/engine/weights_test.ts).
  const outcome = await scanSource(source, "many_tensors.pt", {
    scannerOptions: { weights: { enabled: 0 } },
  });
  const elapsed = performance.now() - started;
  assert.equal(outcome.format, "pytorch");
  assert.deepEqual(outcome.findings, []);
  // The zip scanner reads local headers through a window that may take in the data after them; no read
  // starts inside a record, so no record is ever read for its own sake.
  const starting = reads.filter(([from]) => storages.some((m) => from >= m.start && from < m.start + m.size));
  assert.deepEqual(starting, []);
  const overlap = (from: number, to: number) =>
    storages.reduce(
      (sum, m) => sum + Math.max(0, Math.min(to, m.start + m.size) - Math.max(from, m.start)),
      0,
    );
  const incidental = reads.reduce((sum, [from, to]) => sum + overlap(from, to), 0);
  const read = reads.reduce((sum, [from, to]) => sum + to - from, 0);
  const data = storages.reduce((sum, m) => sum + m.size, 0);
  console.log(
    `many_tensors.pt: ${zip.length} bytes, ${data} of them tensor data in ${storages.length} records; ` +
      `${reads.length} reads, ${read} bytes read, ${incidental} of them inside records, taken in by header ` +
      `reads (no read starts in a record); ${elapsed.toFixed(1)} ms`,
  );
});

Deno.test("a hand-built checkpoint with the torch 2.x records and a deflated data.pkl scans clean", async () => {
  const zip = await fixture("benign/state_dict.pt");
  const members = await Promise.all(
    (await storedMembers(zip)).map(async (m) => ({
      name: m.name,
      data: await memberBytes(zip, m.name),
      method: m.name.endsWith(".pkl") ? 8 : 0,
    })),
  );
  members.push({ name: "archive/byteorder", data: text("little"), method: 0 });
  const outcome = await scanSource(bytesSource(await buildZip(members)), "deflated.pt");
  assert.equal(outcome.format, "pytorch");
  assert.deepEqual(outcome.findings, []);
});

/**
 * Read by hand (zip.js, which the other tests use, fails on the 21-character folder): the first central
 * entry's name, its header's length, and the bytes between the directory and the classic end record.
 */
function directoryLayout(zip: Uint8Array) {
  const fields = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const end = zip.length - 22; // torch writes no archive comment
  assert.equal(fields.getUint32(end, true), 0x06054b50);
  const directory = fields.getUint32(end + 16, true);
  const firstHeader = 46 + fields.getUint16(directory + 28, true) + fields.getUint16(directory + 30, true) +
    fields.getUint16(directory + 32, true);
  const name = new TextDecoder().decode(
    zip.subarray(directory + 46, directory + 46 + fields.getUint16(directory + 28, true)),
  );
  return { name, firstHeader, zip64Records: end - (directory + fields.getUint32(end + 12, true)) };
}

Deno.test("torch.save under every base-name length from 1 to 64 is read as PyTorch, clean", async () => {
  const traps: number[] = [];
  for (let length = 1; length <= 64; length++) {
    const stem = "abcdefghijklmnopqrstuvwxyz".repeat(3).slice(0, length);
    const file = `name_lengths/${stem}.pt`;
    const zip = await fixture(file);
    const layout = directoryLayout(zip);
    assert.equal(layout.name, `${stem}/data.pkl`, file);
    if (layout.firstHeader === layout.zip64Records) traps.push(length);
    const outcome = await scanSource(bytesSource(zip), file);
    assert.equal(outcome.error, undefined, file);
    assert.equal(outcome.format, "pytorch", file);
    assert.deepEqual(outcome.findings, [], file);
  }
  // The one length whose first central header is as long as torch's zip64 end record and locator.
  assert.deepEqual(traps, [21]);
});

Deno.test("a payload in data.pkl of a 21-character folder is found where it is", async () => {
  const file = "malicious/folder_21_chars_os_system.pt";
  const zip = await fixture(file);
  const layout = directoryLayout(zip);
  assert.equal(layout.firstHeader, 76);
  assert.equal(layout.zip64Records, 76);
  const outcome = await scanSource(bytesSource(zip), file);
  assert.equal(outcome.format, "pytorch");
  assert.deepEqual(outcome.findings.map((f) => `${f.rule} ${f.severity} ${renderLocation(f.location)}`), [
    `MA100 critical ${file}:abcdefghijklmnopqrstu/data.pkl (pos 2)`,
    `MA101 critical ${file}:abcdefghijklmnopqrstu/data.pkl (pos 42)`,
  ]);
});

Deno.test("torch.jit.save at the folder length where its first central header matches the zip64 records", async () => {
  const stem = "abcdefghijklmnopqrstuvw";
  const file = `name_lengths/torchscript/${stem}.pt`;
  const zip = await fixture(file);
  const layout = directoryLayout(zip);
  assert.deepEqual([layout.name, layout.firstHeader, layout.zip64Records], [`${stem}/data/0`, 76, 76]);
  const outcome = await scanSource(bytesSource(zip), file);
  assert.equal(outcome.format, "torchscript");
  assert.deepEqual(outcome.findings, []);
});
