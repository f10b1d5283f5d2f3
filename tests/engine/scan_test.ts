import assert from "node:assert/strict";
import { join } from "node:path";
import { scan, type ScanProgress } from "../../engine/scan.ts";
import { renderLocation } from "../../report/location.ts";

const encode = (text: string) => new TextEncoder().encode(text);
/** `os.system("echo modelaudit")` as a protocol-0 pickle: GLOBAL at 0, REDUCE at 40. */
const MALICIOUS = encode("cos\nsystem\n(S'echo modelaudit-fixture'\ntR.");
const BENIGN = encode("(lp0\nI1\naI2\na.");

async function models(): Promise<string> {
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(join(dir, "evil.pkl"), MALICIOUS);
  await Deno.writeFile(join(dir, "good.pkl"), BENIGN);
  await Deno.writeFile(join(dir, "disguised.safetensors"), MALICIOUS);
  await Deno.writeTextFile(join(dir, "README.md"), "# A model\n");
  await Deno.writeFile(join(dir, "huge.pkl"), new Uint8Array(4096));
  return dir;
}

function summary(result: Awaited<ReturnType<typeof scan>>) {
  return result.files.map((f) => ({
    path: f.path.split("/").pop(),
    status: f.status,
    format: f.format,
    findings: f.findings.map((x) => `${x.rule} ${x.severity} ${renderLocation(x.location).split("/").pop()}`),
  }));
}

const EXPECTED = [
  {
    path: "README.md",
    status: "skipped",
    format: null,
    findings: [],
  },
  {
    path: "disguised.safetensors",
    status: "scanned",
    format: "pickle",
    findings: [
      "MA001 warning disguised.safetensors",
      "MA100 critical disguised.safetensors (pos 0)",
      "MA101 critical disguised.safetensors (pos 40)",
    ],
  },
  {
    path: "evil.pkl",
    status: "scanned",
    format: "pickle",
    findings: ["MA100 critical evil.pkl (pos 0)", "MA101 critical evil.pkl (pos 40)"],
  },
  { path: "good.pkl", status: "scanned", format: "pickle", findings: [] },
  { path: "huge.pkl", status: "skipped", format: null, findings: ["MA003 info huge.pkl"] },
];

for (const sandbox of [true, false]) {
  Deno.test(`scan (sandbox ${sandbox}) detects by content, checks names, skips what it should`, async () => {
    const dir = await models();
    try {
      const events: ScanProgress[] = [];
      const result = await scan([dir], { sandbox, maxFileSize: 1024, onProgress: (e) => events.push(e) });
      assert.deepEqual(summary(result), EXPECTED);
      assert.deepEqual(result.scannerNames, ["pickle"]);
      assert.deepEqual(result.findings, []);
      assert.equal(result.files.find((f) => f.path.endsWith("evil.pkl"))!.bytesScanned, MALICIOUS.length);
      assert.deepEqual(events.map((e) => e.type === "file" ? e.done : -e.total), [-5, 1, 2, 3, 4, 5]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("blacklisted names are findings; missing paths are scan errors", async () => {
  const dir = await models();
  try {
    const result = await scan([join(dir, "evil.pkl"), join(dir, "missing.pkl")], { blacklist: ["EVIL"] });
    assert.deepEqual(result.files.map((f) => [f.path.split("/").pop(), f.status, f.reason]), [
      ["missing.pkl", "error", "no such file or directory"],
      ["evil.pkl", "scanned", undefined],
    ]);
    assert.deepEqual(result.files[1].findings.map((f) => f.rule), ["MA004", "MA100", "MA101"]);
    assert.deepEqual(result.files[1].findings[0].details, { pattern: "EVIL" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a scan whose time budget is spent reports the remaining files as errors", async () => {
  const dir = await models();
  try {
    const result = await scan([dir], { timeoutMs: 0 });
    assert.ok(result.files.every((f) => f.status === "error"));
    assert.equal(result.files[0].reason, "the scan's time budget ran out before this file");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bytes_scanned counts the bytes read, not the file size: a NumPy array's data is read only to analyse it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A 1 MiB float64 array: np.load reads the header and then the raw data, which holds no code.
    const dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (131072,), }";
    const header = dict.padEnd(128 - 10 - 1, " ") + "\n";
    const npy = new Uint8Array(128 + 131072 * 8);
    npy.set([0x93, ...encode("NUMPY"), 1, 0]);
    npy.set([header.length & 0xff, header.length >> 8], 8);
    npy.set(encode(header), 10);
    await Deno.writeFile(join(dir, "weights.npy"), npy);
    const result = await scan([dir], { sandbox: false, scannerOptions: { weights: { enabled: 0 } } });
    const [file] = result.files;
    assert.equal(file.format, "numpy");
    assert.deepEqual(file.findings, []);
    assert.equal(file.size, npy.length);
    // Only the head that detection reads (64 KiB, which holds the header) was read.
    assert.equal(file.bytesScanned, 64 * 1024);
    // The weight analysis (on by default) reads the values: every byte, and it finds them clean.
    const [analysed] = (await scan([dir], { sandbox: false })).files;
    assert.deepEqual(analysed.findings, []);
    assert.equal(analysed.bytesScanned, npy.length);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
