import assert from "node:assert/strict";
import { bytesSource } from "../../../core/byte_source.ts";
import type { FindingReport, ScanContext } from "../../../core/scanner.ts";
import { listEntries } from "../../../scanners/zip/directory.ts";
import { findEndRecord } from "../../../scanners/zip/end_record.ts";
import { checkLayout, checkNames, locateMembers } from "../../../scanners/zip/entries.ts";
import { BENIGN, buildZip, PAYLOAD } from "./_zip.ts";

/** A context that only records reports. */
function recorder(): { ctx: ScanContext; reports: FindingReport[] } {
  const reports: FindingReport[] = [];
  const ctx = {
    path: "t.zip",
    depth: 0,
    signal: new AbortController().signal,
    report: (finding: FindingReport) => reports.push(finding),
  } as unknown as ScanContext; // the checks only report
  return { ctx, reports };
}

async function entriesOf(zip: Uint8Array) {
  const source = bytesSource(zip);
  const record = (await findEndRecord(source))!;
  const listing = await listEntries(source, record, new AbortController().signal);
  return { source, entries: listing.entries, directoryOffset: record.directoryOffset };
}

Deno.test("locateMembers: data offsets from local headers; what cannot be read is not decodable", async () => {
  const zip = await buildZip([
    { name: "a.pkl", data: PAYLOAD },
    { name: "d/", data: new Uint8Array(0) },
    { name: "gone", data: BENIGN, offset: 9999 },
    { name: "enc", data: BENIGN, flags: 1, raw: new Uint8Array(16) },
  ]);
  const { source, entries } = await entriesOf(zip);
  const { ctx, reports } = recorder();
  const members = await locateMembers(source, entries, ctx, true);
  assert.deepEqual(members.map((m) => [m.entry.name, m.dataOffset, m.decodable, m.directory]), [
    ["a.pkl", 35, true, false],
    ["d/", 35 + PAYLOAD.length + 32, true, true],
    ["gone", -1, false, false],
    ["enc", 35 + PAYLOAD.length + 32 + 33, false, false],
  ]);
  assert.deepEqual(reports.map((r) => `${r.rule} ${r.member}`), ["MA209 gone", "MA208 enc"]);
});

Deno.test("checkNames and checkLayout report by member name", async () => {
  const zip = await buildZip([
    { name: "../x", data: BENIGN },
    { name: "../x", data: BENIGN, offset: 0 },
    { name: "l", data: BENIGN, externalAttributes: 0o120777 << 16 },
  ]);
  const { source, entries, directoryOffset } = await entriesOf(zip);
  const { ctx, reports } = recorder();
  const members = await locateMembers(source, entries, ctx, false);
  await checkNames(source, members, ctx);
  checkLayout(source, members, ctx, directoryOffset);
  assert.deepEqual(reports.map((r) => `${r.rule} ${r.member}`), [
    "MA204 ../x",
    "MA204 ../x",
    "MA211 ../x",
    "MA205 l",
    "MA203 ../x",
  ]);
});
