import assert from "node:assert/strict";
import { scanBytes, scanSource } from "../../engine/dispatch.ts";
import { COLLECT_AFTER_DECODED_BYTES } from "../../engine/decode_budget.ts";
import { DEFAULT_SCAN_LIMITS } from "../../engine/limits.ts";
import { concat, END, entry } from "../scanners/tar/_tar.ts";
import type { Finding } from "../../core/types.ts";
import { renderLocation } from "../../report/location.ts";

const MAX_NESTING_DEPTH = DEFAULT_SCAN_LIMITS.maxDepth;

/** Latin-1: one byte per character, so "\x80" is the byte 0x80. */
const encode = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const MALICIOUS = encode("cos\nsystem\n(S'echo modelaudit-fixture'\ntR.");

/** `pickle.loads(inner)` at protocol 3: GLOBAL at 2, BINBYTES at 16, payload at 21, REDUCE after it. */
function loadsOf(inner: Uint8Array): Uint8Array {
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, inner.length, true);
  return Uint8Array.from([
    ...encode("\x80\x03cpickle\nloads\nB"),
    ...length,
    ...inner,
    ...encode("\x85R."),
  ]);
}

const brief = (findings: Pick<Finding, "rule" | "severity" | "location">[]) =>
  findings.map((f) => `${f.rule} ${f.severity} ${renderLocation(f.location)}`);

Deno.test("a payload handed to pickle.loads is scanned where it lies, with its location", async () => {
  const outer = loadsOf(MALICIOUS);
  const { format, findings, error } = await scanBytes(outer, "m.pkl");
  assert.equal(format, "pickle");
  assert.equal(error, undefined);
  const reduce = 21 + MALICIOUS.length + 1;
  assert.deepEqual(brief(findings), [
    "MA100 critical m.pkl (pos 2)",
    `MA101 critical m.pkl (pos ${reduce})`,
    "MA100 critical m.pkl:<payload@21> (pos 0)",
    "MA101 critical m.pkl:<payload@21> (pos 40)",
  ]);
  // The location is a structure; the strings above are its rendering.
  assert.deepEqual(findings[2].location, { file: "m.pkl", members: ["<payload@21>"], position: 0 });
});

Deno.test("nesting deeper than the limit is reported, not followed", async () => {
  let payload: Uint8Array = MALICIOUS;
  for (let i = 0; i <= MAX_NESTING_DEPTH; i++) payload = loadsOf(payload);
  const { findings } = await scanBytes(payload, "deep.pkl");
  const tooDeep = findings.filter((f) => f.rule === "MA006");
  assert.deepEqual(brief(tooDeep), [
    `MA006 critical deep.pkl${":<payload@21>".repeat(MAX_NESTING_DEPTH + 1)}`,
  ]);
  assert.equal(findings.filter((f) => f.rule === "MA100").length, MAX_NESTING_DEPTH + 1);
});

/**
 * An HDF5 signature and nothing after it. HDF5 was the last format that could hold code (Keras Lambda
 * layers) with no scanner; it is scanned now, and a file that claims it and does not decode is MA410.
 */
const HDF5 = Uint8Array.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, ...new Uint8Array(40)]);

Deno.test("a payload handed to a loader is scanned by its format, and one that cannot be looked into is reported", async () => {
  assert.deepEqual(brief((await scanBytes(loadsOf(HDF5), "m.pkl")).findings), [
    "MA100 critical m.pkl (pos 2)",
    "MA101 critical m.pkl (pos 70)",
    "MA410 warning m.pkl:<payload@21>",
  ]);
  assert.deepEqual(brief((await scanBytes(loadsOf(encode("plain text")), "m.pkl")).findings).slice(2), [
    "MA006 warning m.pkl:<payload@21>",
  ]);
});

Deno.test("the name never decides the format; a mismatch is a finding", async () => {
  assert.deepEqual(brief((await scanBytes(HDF5, "weights.safetensors")).findings), [
    "MA001 warning weights.safetensors",
    "MA410 warning weights.safetensors",
  ]);
  // A file that claims a format and does not decode is said so, never passed over in silence.
  assert.deepEqual(brief((await scanBytes(HDF5, "model.h5")).findings), ["MA410 warning model.h5"]);
  // A PNG holds no code: under its own name nothing, under a model's name an informational mismatch.
  const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.deepEqual((await scanBytes(png, "diagram.png")).findings, []);
  assert.deepEqual(brief((await scanBytes(png, "model.pt")).findings), ["MA001 info model.pt"]);
  assert.deepEqual(brief((await scanBytes(MALICIOUS, "notes.txt")).findings), [
    "MA001 warning notes.txt",
    "MA100 critical notes.txt (pos 0)",
    "MA101 critical notes.txt (pos 40)",
  ]);
  assert.deepEqual(brief((await scanBytes(MALICIOUS, "noextension")).findings).length, 2);
  const garbage = await scanBytes(encode("just some text, not a model"), "model.pkl");
  assert.equal(garbage.format, null);
  assert.deepEqual(brief(garbage.findings), ["MA007 info model.pkl"]);
  assert.deepEqual((await scanBytes(encode("# readme\n"), "README.md")).findings, []);
});

Deno.test("blacklisted strings inside a pickle are findings at their opcode", async () => {
  const { findings } = await scanBytes(encode("(S'my secret token'\nlp0\n."), "data.pkl", {
    blacklist: ["SECRET"],
  });
  assert.deepEqual(brief(findings), ["MA005 critical data.pkl (pos 1)"]);
  assert.equal(findings[0].details.pattern, "SECRET");
});

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A zip of `members`, stored unless `level` says otherwise, laid out as Python's zipfile writes one. */
async function zipOf(members: Record<string, Uint8Array>, level = 0): Promise<Uint8Array> {
  const { BlobWriter, configure, Uint8ArrayReader, ZipWriter } = await import("@zip.js/zip.js");
  configure({ useWebWorkers: false });
  const writer = new ZipWriter(new BlobWriter(), { level, dataDescriptor: false });
  for (const [name, data] of Object.entries(members)) await writer.add(name, new Uint8ArrayReader(data));
  return new Uint8Array(await (await writer.close()).arrayBuffer());
}

Deno.test("members are scanned like files, with the full path through their containers", async () => {
  const inner = await zipOf({ "model/data.txt": MALICIOUS, "README.md": encode("# a model\n") });
  const outer = await gzip(await zipOf({ "bundle/inner.zip": inner }));
  const { format, findings } = await scanBytes(outer, "release.zip.gz");
  assert.equal(format, "gzip");
  assert.deepEqual(brief(findings), [
    // A pickle named .txt is still a pickle, and the name that hides it is a finding.
    "MA001 warning release.zip.gz:release.zip:bundle/inner.zip:model/data.txt",
    "MA100 critical release.zip.gz:release.zip:bundle/inner.zip:model/data.txt (pos 0)",
    "MA101 critical release.zip.gz:release.zip:bundle/inner.zip:model/data.txt (pos 40)",
  ]);
});

Deno.test("containers nested deeper than --max-depth are reported once, not opened", async () => {
  let bytes: Uint8Array = MALICIOUS;
  for (let i = 0; i < 4; i++) bytes = await gzip(bytes);
  const deep = await scanBytes(bytes, "m.pkl.gz.gz.gz.gz", { limits: { maxDepth: 2 } });
  assert.deepEqual(brief(deep.findings), ["MA210 warning m.pkl.gz.gz.gz.gz:m.pkl.gz.gz.gz:m.pkl.gz.gz"]);
  assert.deepEqual(deep.findings[0].details, {
    limit: "maxDepth",
    option: "engine.maxDepth",
    max: 2,
    member: "m.pkl.gz",
  });
  const allowed = await scanBytes(bytes, "m.pkl.gz.gz.gz.gz", { limits: { maxDepth: 4 } });
  assert.deepEqual(brief(allowed.findings).map((f) => f.split(" ")[0]), ["MA100", "MA101"]);
});

Deno.test("members past --max-members are not scanned, and that is said once", async () => {
  const zip = await zipOf({ "a.pkl": MALICIOUS, "b.pkl": MALICIOUS, "c.pkl": MALICIOUS, "d.pkl": MALICIOUS });
  const { findings } = await scanBytes(zip, "many.zip", { limits: { maxMembers: 2 } });
  assert.deepEqual(brief(findings), [
    "MA100 critical many.zip:a.pkl (pos 0)",
    "MA101 critical many.zip:a.pkl (pos 40)",
    "MA100 critical many.zip:b.pkl (pos 0)",
    "MA101 critical many.zip:b.pkl (pos 40)",
    "MA210 warning many.zip",
  ]);
  assert.equal(findings[4].details.limit, "maxMembers");
});

Deno.test("decompression stops at --max-decompressed-bytes; what was decoded is scanned", async () => {
  // The call comes first, then a megabyte of padding the budget does not reach.
  const padded = new Uint8Array(MALICIOUS.length - 1 + 1_000_000);
  padded.set(MALICIOUS.subarray(0, MALICIOUS.length - 1));
  padded.fill(0x4e, MALICIOUS.length - 1); // NONE opcodes: a valid, long pickle tail
  const { findings } = await scanBytes(await gzip(padded), "big.pkl.gz", {
    limits: { maxDecompressedBytes: 100_000 },
  });
  const rules = brief(findings);
  assert.ok(rules.includes("MA100 critical big.pkl.gz:big.pkl (pos 0)"), rules.join("\n"));
  assert.ok(rules.includes("MA101 critical big.pkl.gz:big.pkl (pos 40)"), rules.join("\n"));
  const limit = findings.find((f) => f.rule === "MA210")!;
  assert.deepEqual(limit.location, { file: "big.pkl.gz", members: ["big.pkl"] });
  assert.deepEqual(limit.details, {
    limit: "maxDecompressedBytes",
    option: "engine.maxDecompressedBytes",
    max: 100_000,
    decodedBytes: 100_000,
  });
});

Deno.test("a zip is scanned as appended only when it starts after the content read first", async () => {
  const zip = await zipOf({ "archive/data.pkl": MALICIOUS, "archive/version": encode("3\n") });
  // After a pickle's STOP: a polyglot, read both ways.
  const appended = await scanBytes(Uint8Array.from([...encode("N."), ...zip]), "poly.pkl");
  assert.ok(brief(appended.findings).includes("MA100 critical poly.pkl:archive/data.pkl (pos 0)"));
  assert.ok(appended.findings.some((f) => f.rule === "MA207"));
  // Inside a tar's last member, or inside a pickle's bytes: that container's to read, not a polyglot.
  const tar = concat(entry("model/weights.pt", zip), END);
  assert.deepEqual(brief((await scanBytes(tar, "model.tar")).findings), [
    "MA100 critical model.tar:model/weights.pt:archive/data.pkl (pos 0)",
    "MA101 critical model.tar:model/weights.pt:archive/data.pkl (pos 40)",
  ]);
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, zip.length, true);
  // A pickle of the zip's bytes (BINBYTES), which nothing loads: data, like any other.
  const carried = Uint8Array.from([...encode("\x80\x03B"), ...length, ...zip, ...encode("q\x00.")]);
  assert.deepEqual((await scanBytes(carried, "x.pkl")).findings, []);
});

Deno.test("once the decompression budget is spent, compressed members are passed over without noise", async () => {
  const padded = new Uint8Array(100_000).fill(0x4e); // NONE opcodes...
  padded[padded.length - 1] = 0x2e; // ...then STOP: a valid pickle of 100 kB
  const zip = await zipOf({ "a.pkl": padded, "b.pkl": padded, "c.pkl": padded, "d.pkl": MALICIOUS }, 6);
  const { findings } = await scanBytes(zip, "m.zip", { limits: { maxDecompressedBytes: 150_000 } });
  // b.pkl is cut short (what was decoded is scanned: a pickle without its STOP); c.pkl and d.pkl are not read.
  assert.deepEqual(brief(findings), ["MA007 info m.zip:b.pkl", "MA210 warning m.zip:b.pkl"]);
  assert.deepEqual(findings.find((f) => f.rule === "MA210")!.details, {
    limit: "maxDecompressedBytes",
    option: "engine.maxDecompressedBytes",
    max: 150_000,
    decodedBytes: 50_000,
  });
});

Deno.test("a large member is a bomb past the compression ratio limit, and not below it", async () => {
  const zeros = await gzip(new Uint8Array(65 * 1024 * 1024));
  const bomb = await scanBytes(zeros, "zeros.dat.gz");
  assert.deepEqual(brief(bomb.findings), ["MA206 warning zeros.dat.gz:zeros.dat"]);
  const ratio = bomb.findings[0].details.ratio as number;
  assert.ok(ratio > 1000, `${ratio}`);
  assert.deepEqual(
    (await scanBytes(zeros, "zeros.dat.gz", { limits: { maxCompressionRatio: Math.ceil(ratio) } })).findings,
    [],
  );
});

Deno.test("members that declare more than --max-decompressed-bytes in all are a bomb, once", async () => {
  const member = new Uint8Array(40 * 1024 * 1024);
  const zip = await zipOf({ "a.dat": member, "b.dat": member, "c.dat": member }, 6);
  const MIB = 1024 * 1024;
  const within = await scanBytes(zip, "z.zip", {
    limits: { maxCompressionRatio: 1e6, maxDecompressedBytes: 130 * MIB },
  });
  assert.deepEqual(within.findings, []);
  const beyond = await scanBytes(zip, "z.zip", {
    limits: { maxCompressionRatio: 1e6, maxDecompressedBytes: 70 * MIB },
  });
  // The declared sizes pass the limit at b.dat. Reading the members' heads decodes a few MiB of each,
  // not their 40 MiB, so the budget itself is not spent: no MA210.
  assert.deepEqual(brief(beyond.findings), ["MA206 warning z.zip:b.dat"]);
  assert.deepEqual(beyond.findings[0].details, { decodedSizes: 80 * MIB, maxDecompressedBytes: 70 * MIB });
});

Deno.test("a source that fails to read is a scan error with its stack, not a finding", async () => {
  const head = new TextEncoder().encode("\x80\x04\x95");
  const failing = {
    size: 1_000_000,
    read(offset: number, length: number): Promise<Uint8Array> {
      if (offset === 0) return Promise.resolve(head.subarray(0, length));
      return Promise.reject(new TypeError("read failed"));
    },
  };
  const outcome = await scanSource(failing, "m.pkl");
  assert.equal(outcome.error, "read failed");
  assert.match(outcome.stack ?? "", /^TypeError: read failed\n\s+at /);
  assert.ok(
    !outcome.findings.some((f) => f.rule === "MA209" || f.rule === "MA105"),
    brief(outcome.findings).join(),
  );
});

Deno.test("a member that decoded 8 MiB or more is collected as soon as it is scanned, a small one is not", async () => {
  /** A protocol-4 pickle of one BINBYTES8 of `size` zeros. */
  const pickleOf = (size: number) => {
    const bytes = new Uint8Array(11 + size + 1);
    bytes.set([0x80, 0x04, 0x8e]);
    new DataView(bytes.buffer).setBigUint64(3, BigInt(size), true);
    bytes[bytes.length - 1] = 0x2e;
    return bytes;
  };
  const scope = globalThis as { gc?: (options: { type: string }) => void };
  const saved = scope.gc;
  // Full collections; the minor ones every 32 MiB decoded in this thread depend on what other tests decoded.
  let collections = 0;
  scope.gc = (options) => void (options.type === "major" && collections++);
  try {
    const large = await scanBytes(await gzip(pickleOf(COLLECT_AFTER_DECODED_BYTES)), "large.pkl.gz");
    assert.deepEqual([large.format, large.findings, collections], ["gzip", [], 1]);
    const small = await scanBytes(await gzip(pickleOf(1024)), "small.pkl.gz");
    assert.deepEqual([small.format, small.findings, collections], ["gzip", [], 1]);
  } finally {
    scope.gc = saved;
  }
});

Deno.test("a zip appended to a member is looked for when the member was decoded into memory, not when streamed", async () => {
  // A harmless pickle (one BINBYTES of 1 MiB), then a zip whose pickle calls os.system: pickle.load
  // stops at the STOP, zipfile finds the zip at the end.
  const harmless = new Uint8Array(8 + (1 << 20) + 1);
  harmless.set([0x80, 0x03, 0x42]);
  new DataView(harmless.buffer).setUint32(3, 1 << 20, true);
  harmless[harmless.length - 1] = 0x2e;
  const polyglot = await gzip(concat(harmless, await zipOf({ "data.pkl": MALICIOUS })));
  const inMemory = await scanBytes(polyglot, "model.pkl.gz");
  assert.deepEqual(brief(inMemory.findings).filter((f) => f.startsWith("MA100")), [
    "MA100 critical model.pkl.gz:model.pkl:data.pkl (pos 0)",
  ]);
  // Decoded on demand, the member's tail would cost decoding all of it: its trailer is not looked for.
  const streamed = await scanBytes(polyglot, "model.pkl.gz", {
    limits: { maxInMemoryDecodeBytes: 256 * 1024 },
  });
  assert.deepEqual(brief(streamed.findings).filter((f) => f.startsWith("MA100")), []);
});
