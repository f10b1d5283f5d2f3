// The legacy torch scanner on real torch.save output (the fixtures) and on streams
// assembled here: five pickles scanned like any pickle, raw records skipped by their
// declared sizes and checked against them, bytes after the records scanned as pickles.
import assert from "node:assert/strict";
import { HEAD_BYTES } from "../../../core/detection.ts";
import type { Finding } from "../../../core/types.ts";
import { scanBytes } from "../../../engine/dispatch.ts";
import {
  detectLegacyTorch,
  LEGACY_MAGIC_NUMBER,
  STORAGE_ELEMENT_BYTES,
} from "../../../scanners/pytorch/legacy.ts";
import { legacyTorchDescriptor } from "../../../scanners/pytorch/descriptors.ts";
import { DEFAULT_PYTORCH_OPTIONS } from "../../../scanners/option_catalog.ts";
import type { ScannerOptionsInput } from "../../../scanners/options.ts";
import { bytesSource } from "../../../core/byte_source.ts";
import { detectFormat } from "../../../engine/detect.ts";
import { binBytes, bu, Builder, bytes, global, le, type Part } from "../pickle/_bytes.ts";
import { renderLocation } from "../../../report/location.ts";

const FIXTURES = new URL("../../../fixtures/pickle/", import.meta.url);
const fixture = (file: string) => Deno.readFile(new URL(file, FIXTURES));

/** torch's magic number as LONG1 data: 10 little-endian bytes. */
const MAGIC = Array.from({ length: 10 }, (_, i) => Number((LEGACY_MAGIC_NUMBER >> BigInt(8 * i)) & 0xffn));
const MAGIC_PICKLE = bytes(0x80, 2, 0x8a, 10, MAGIC, ".");
/** The first three pickles: magic number, protocol version 1001, a (here empty) sys_info dict. */
const HEADER = bytes(MAGIC_PICKLE, 0x80, 2, "M", le(1001, 2), ".", 0x80, 2, "}.");
const OS_SYSTEM = bytes(0x80, 2, global("os", "system"), bu("echo hi"), 0x85, "R.");

/** A little-endian int64. */
function i64(value: bigint | number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, BigInt(value), true);
  return out;
}

/** BININT for counts that fit, LONG1 (8 bytes) for the rest. */
function int(value: bigint | number): Uint8Array {
  const n = BigInt(value);
  return n >= 0n && n < 2n ** 31n ? bytes("J", le(Number(n), 4)) : bytes(0x8a, 8, i64(n));
}

/** `('storage', module.type, key, 'cpu', numel, None)` loaded with BINPERSID, as torch pickles a storage. */
function storage(key: string, numel: bigint | number, type = "FloatStorage", module = "torch"): Uint8Array {
  return bytes("(", bu("storage"), global(module, type), bu(key), bu("cpu"), int(numel), "Nt", "Q");
}

/** A protocol-2 pickle of a list built by APPEND: what the object and key-list pickles look like here. */
function list(...items: Part[]): Uint8Array {
  return bytes(0x80, 2, "]", ...items.flatMap((item) => [item, "a"]), ".");
}

/** One raw record: the element count, then `bytes` bytes of data. */
function record(count: bigint | number, bytes: number): Uint8Array {
  const out = new Uint8Array(8 + bytes);
  out.set(i64(count));
  return out;
}

/** A legacy stream; returns it with the offset where its records start. */
function stream(objects: Uint8Array, keys: readonly string[], ...records: Uint8Array[]) {
  const b = new Builder();
  b.add(HEADER, objects, list(...keys.map(bu)));
  const recordsAt = b.size;
  for (const r of records) b.add(r);
  return { data: b.build(), recordsAt };
}

async function scan(data: Uint8Array, path = "m.pt", scannerOptions?: ScannerOptionsInput) {
  const outcome = await scanBytes(data, path, { scannerOptions });
  assert.equal(outcome.error, undefined);
  return outcome;
}

const brief = (findings: Finding[]) =>
  findings.map((f) => `${f.rule} ${f.severity} ${renderLocation(f.location)}`);

Deno.test("detect: the magic-number pickle at every protocol torch writes, and nothing else", async () => {
  // The registry's cheap test must take every head the scanner takes; it turns down plain pickles
  // without loading the scanner.
  const yes = (head: Uint8Array) => {
    const scanner = detectLegacyTorch(head, head.length);
    if (scanner) assert.equal(legacyTorchDescriptor.detect(head, head.length, "m.pt"), true);
    return scanner;
  };
  assert.equal(yes(MAGIC_PICKLE), true);
  assert.equal(yes(bytes(0x80, 3, 0x8a, 10, MAGIC, ".")), true);
  assert.equal(yes(bytes(0x80, 5, 0x95, le(13, 8), 0x8a, 10, MAGIC, ".")), true);
  assert.equal(yes(bytes(`L${LEGACY_MAGIC_NUMBER}L\n.`)), true);
  for (
    const file of [
      "torch_state_dict_legacy.pt",
      "torch_state_dict_legacy_p1.pt",
      "torch_state_dict_legacy_p4.pt",
    ]
  ) {
    const data = await fixture(`benign/${file}`);
    assert.equal(detectLegacyTorch(data.subarray(0, 64), data.length), true, file);
    assert.equal(
      (await detectFormat(bytesSource(data), data.subarray(0, HEAD_BYTES), file))?.descriptor.id,
      "pytorch-legacy",
      file,
    );
  }
  assert.equal(yes(bytes(0x80, 2, 0x8a, 10, MAGIC.map((b, i) => i === 0 ? b ^ 1 : b), ".")), false);
  assert.equal(yes(bytes(0x80, 1, 0x8a, 10, MAGIC, ".")), false); // PROTO 1 does not exist
  assert.equal(yes(bytes(0x80, 2, 0x8a, 10, MAGIC, "N.")), false); // more than the number
  assert.equal(yes(bytes(0x80, 2, 0x8a, 10, MAGIC)), false); // no STOP in the whole file
  assert.equal(yes(bytes(`L${LEGACY_MAGIC_NUMBER + 1n}L\n.`)), false);
  assert.equal(yes(bytes(0x80, 2, "N.")), false);
  assert.equal(yes(new Uint8Array(0)), false);
  const pickle = await fixture("benign/torch_state_dict_p2.pkl");
  assert.equal(legacyTorchDescriptor.detect(pickle.subarray(0, HEAD_BYTES), pickle.length, "p.pkl"), false);
  assert.equal(
    (await detectFormat(bytesSource(pickle), pickle.subarray(0, HEAD_BYTES), "p.pkl"))?.descriptor.id,
    "pickle",
  );
});

Deno.test("torch.save's legacy files at protocols 1, 2 and 4 are clean", async () => {
  for (
    const file of [
      "torch_state_dict_legacy.pt",
      "torch_state_dict_legacy_p1.pt",
      "torch_state_dict_legacy_p4.pt",
    ]
  ) {
    const outcome = await scan(await fixture(`benign/${file}`), file);
    assert.equal(outcome.format, "pytorch-legacy", file);
    assert.deepEqual(outcome.findings, [], file);
  }
});

Deno.test("pickled tensors are clean: their _load_from_bytes payloads are legacy streams", async () => {
  for (
    const file of [
      "torch_tensors_p0.pkl",
      "torch_tensors_p2.pkl",
      "torch_tensors_p4.pkl",
      "torch_state_dict_p5.pkl",
    ]
  ) {
    const outcome = await scan(await fixture(`benign/${file}`), file);
    assert.equal(outcome.format, "pickle", file);
    assert.deepEqual(outcome.findings, [], file);
  }
});

Deno.test("fixture: a record count that disagrees with numel is malformed; the pickles' findings stand", async () => {
  const file = "malicious/legacy_torch_count_mismatch.pt";
  const outcome = await scan(await fixture(file), file);
  assert.equal(outcome.format, "pytorch-legacy");
  assert.deepEqual(brief(outcome.findings), [
    `MA100 critical ${file} (pos 124)`,
    `MA101 critical ${file} (pos 164)`,
    `MA105 warning ${file} (pos 230)`,
  ]);
  assert.deepEqual(outcome.findings[2].details, {
    reason: 'record of storage "0" declares 3 elements, its persistent id (pos 216) 2',
    position: 230,
    storage: "0",
  });
});

Deno.test("fixture: a pickle after the last record is reported and scanned where it lies", async () => {
  const file = "malicious/legacy_torch_appended_pickle.pt";
  const outcome = await scan(await fixture(file), file);
  assert.equal(outcome.format, "pytorch-legacy");
  assert.deepEqual(brief(outcome.findings), [
    `MA105 warning ${file} (pos 216)`,
    `MA100 critical ${file} (pos 218)`,
    `MA101 critical ${file} (pos 258)`,
  ]);
  assert.equal(
    outcome.findings[0].details.reason,
    "44 bytes follow the last storage record; torch.load ignores them",
  );
  assert.deepEqual(
    [outcome.findings[1].details.module, outcome.findings[1].details.function],
    ["os", "system"],
  );
});

Deno.test("fixture: os.system hidden in the object pickle of a _load_from_bytes payload", async () => {
  const file = "malicious/nested_legacy_torch_hidden_p3.pkl";
  const outcome = await scan(await fixture(file), file);
  assert.equal(outcome.format, "pickle");
  assert.deepEqual(brief(outcome.findings), [
    `MA100 critical ${file}:<payload@39> (pos 123)`,
    `MA101 critical ${file}:<payload@39> (pos 163)`,
    `MA105 warning ${file}:<payload@39> (pos 176)`,
  ]);
  assert.equal(outcome.findings[2].details.reason, 'record of storage "0", which no persistent id declares');
});

Deno.test("records of every storage type are skipped by their sizes; first declarations win, 'module' ids are ignored", async () => {
  const types = [...STORAGE_ELEMENT_BYTES.keys()];
  const keys = types.map((_, i) => `${i}`).sort();
  const objects = list(
    ...types.map((type, i) => storage(`${i}`, i + 1, type)),
    storage("0", 1000, "DoubleStorage"), // a second reference to storage 0: torch keeps the first
    bytes("(", bu("module"), global("torch.nn.modules.linear", "Linear"), "NNtQ"),
  );
  const records = keys.map((key) => {
    const i = Number(key);
    return record(i + 1, (i + 1) * STORAGE_ELEMENT_BYTES.get(types[i])!);
  });
  const { data } = stream(objects, keys, ...records);
  const outcome = await scan(data);
  assert.equal(outcome.format, "pytorch-legacy");
  assert.deepEqual(outcome.findings, []);
  assert.deepEqual(
    [...STORAGE_ELEMENT_BYTES].filter(([, size]) => size !== 1).sort(),
    [
      ["BFloat16Storage", 2],
      ["ComplexDoubleStorage", 16],
      ["ComplexFloatStorage", 8],
      ["DoubleStorage", 8],
      ["FloatStorage", 4],
      ["HalfStorage", 2],
      ["IntStorage", 4],
      ["LongStorage", 8],
      ["QInt32Storage", 4],
      ["ShortStorage", 2],
    ],
  );
});

/** Where the object pickle of `stream(list(first, ...))` puts `first`'s opening MARK. */
const FIRST_STORAGE = HEADER.length + 3;

/** Scans a one-storage stream ('0', FloatStorage of `numel`) whose records are `records`. */
async function oneStorage(numel: bigint | number, ...records: Uint8Array[]) {
  const pid = storage("0", numel);
  const { data, recordsAt } = stream(list(pid), ["0"], ...records);
  const outcome = await scan(data);
  return { findings: outcome.findings, recordsAt, binpersid: FIRST_STORAGE + pid.length - 1 };
}

Deno.test("a truncated record is malformed at its first byte", async () => {
  const cut = await oneStorage(4, record(4, 12));
  assert.deepEqual(brief(cut.findings), [`MA105 warning m.pt (pos ${cut.recordsAt})`]);
  assert.equal(cut.findings[0].details.reason, 'truncated: record of storage "0" needs 24 bytes, 20 remain');
  const header = await oneStorage(4, bytes(4, 0, 0));
  assert.deepEqual(brief(header.findings), [`MA105 warning m.pt (pos ${header.recordsAt})`]);
  assert.equal(
    header.findings[0].details.reason,
    'truncated: record of storage "0" needs 8 bytes of element count, 3 remain',
  );
  const missing = await oneStorage(4);
  assert.equal(
    missing.findings[0].details.reason,
    'truncated: record of storage "0" needs 8 bytes of element count, 0 remain',
  );
});

Deno.test("a record whose key no persistent id declares is malformed", async () => {
  const { data, recordsAt } = stream(list(storage("0", 1)), ["0", "7"], record(1, 4), record(1, 4));
  const { findings } = await scan(data);
  assert.deepEqual(brief(findings), [`MA105 warning m.pt (pos ${recordsAt + 12})`]);
  assert.deepEqual(findings[0].details, {
    reason: 'record of storage "7", which no persistent id declares',
    position: recordsAt + 12,
    storage: "7",
  });
});

Deno.test("only the object pickle declares storages: a persistent id elsewhere sizes no record", async () => {
  const b = new Builder();
  b.add(MAGIC_PICKLE, 0x80, 2, "M", le(1001, 2), ".", list(storage("0", 1)), list(), list(bu("0")));
  const recordsAt = b.add(record(1, 4));
  const { findings } = await scan(b.build());
  assert.deepEqual(brief(findings), [`MA105 warning m.pt (pos ${recordsAt})`]);
});

Deno.test("huge declared counts are compared, never allocated or trusted", async () => {
  const mismatch = await oneStorage(2, record(2n ** 62n, 8));
  assert.deepEqual(brief(mismatch.findings), [`MA105 warning m.pt (pos ${mismatch.recordsAt})`]);
  assert.equal(
    mismatch.findings[0].details.reason,
    `record of storage "0" declares 4611686018427387904 elements, its persistent id (pos ${mismatch.binpersid}) 2`,
  );
  const huge = await oneStorage(2n ** 62n, record(2n ** 62n, 8));
  assert.deepEqual(brief(huge.findings), [`MA105 warning m.pt (pos ${huge.recordsAt})`]);
  assert.equal(
    huge.findings[0].details.reason,
    'truncated: record of storage "0" needs 18446744073709551624 bytes, 16 remain',
  );
  const negative = await oneStorage(-1, record(-1, 0));
  assert.equal(
    negative.findings[0].details.reason,
    'record of storage "0" declares a negative element count (-1)',
  );
});

Deno.test("a storage type without a known element size stops the records where its record starts", async () => {
  const pid = storage("0", 1, "Float8Storage");
  const { data, recordsAt } = stream(list(pid), ["0"], record(1, 1));
  const { findings } = await scan(data);
  const globalAt = FIRST_STORAGE + 1 + bu("storage").length;
  assert.deepEqual(brief(findings), [
    `MA102 warning m.pt (pos ${globalAt})`,
    `MA105 warning m.pt (pos ${recordsAt})`,
  ]);
  assert.equal(
    findings[1].details.reason,
    `record of storage "0" cannot be sized: its storage type torch.Float8Storage (persistent id at ${
      FIRST_STORAGE + pid.length - 1
    }) has no known element size`,
  );
});

Deno.test("more storages than pytorch.maxLegacyStorages: one MA110, the pickles still scanned", async () => {
  // Lowered from its default (100,000), so that the stream past it is small.
  const MAX_LEGACY_STORAGES = 1_000;
  assert.ok(MAX_LEGACY_STORAGES < DEFAULT_PYTORCH_OPTIONS.maxLegacyStorages);
  const limits = { pytorch: { maxLegacyStorages: MAX_LEGACY_STORAGES } };
  const b = new Builder();
  b.add(HEADER, 0x80, 2, "]");
  let overflow = -1;
  for (let i = 0; i <= MAX_LEGACY_STORAGES; i++) {
    // torch memoizes the tag and the type once and fetches them for every other storage.
    const head = i === 0
      ? bytes(bu("storage"), "q", 0, global("torch", "FloatStorage"), "q", 1)
      : bytes("h", 0, "h", 1);
    b.add("(", head, bu(`${i}`), "K", 1, "Nt");
    if (i === MAX_LEGACY_STORAGES) overflow = b.size;
    b.add("Qa");
  }
  b.add(".", OS_SYSTEM, list());
  const data = b.build();
  const { findings } = await scan(data, "m.pt", limits);
  const tail = data.length - OS_SYSTEM.length - list().length;
  assert.deepEqual(brief(findings), [
    `MA110 warning m.pt (pos ${overflow})`,
    `MA100 critical m.pt (pos ${tail + 2})`,
    `MA101 critical m.pt (pos ${tail + OS_SYSTEM.length - 2})`,
  ]);
  assert.deepEqual(findings[0].details, {
    limit: "MAX_LEGACY_STORAGES",
    option: "pytorch.maxLegacyStorages",
    max: MAX_LEGACY_STORAGES,
    position: overflow,
  });

  const keys = new Builder();
  keys.add(HEADER, list(storage("0", 1)), 0x80, 2, "]");
  for (let i = 0; i <= MAX_LEGACY_STORAGES; i++) {
    keys.add(i === 0 ? bytes(bu("0"), "q", 0) : bytes("h", 0), "a");
  }
  const recordsAt = keys.add(".");
  const many = await scan(keys.build(), "m.pt", limits);
  assert.deepEqual(brief(many.findings), [`MA110 warning m.pt (pos ${recordsAt + 1})`]);
});

Deno.test("a stream that ends before its fifth pickle, or whose fifth is no key list, is malformed", async () => {
  const short = bytes(HEADER, list(storage("0", 1)));
  assert.deepEqual(brief((await scan(short)).findings), [`MA105 warning m.pt (pos ${short.length})`]);
  assert.equal(
    (await scan(short)).findings[0].details.reason,
    "truncated: the stream ends after 4 of its 5 pickles",
  );
  const notList = bytes(HEADER, list(), 0x80, 2, "N.");
  const { findings } = await scan(notList);
  assert.deepEqual(brief(findings), [`MA105 warning m.pt (pos ${notList.length})`]);
  assert.equal(
    findings[0].details.reason,
    "the fifth pickle is not the list of storage keys the raw records follow",
  );
});

Deno.test("bytes after the last record are reported, then scanned as pickles (junk breaks that scan)", async () => {
  const { data, recordsAt } = stream(list(storage("0", 1)), ["0"], record(1, 4), bytes(0xff, "junk"));
  const { findings } = await scan(data);
  const after = recordsAt + 12;
  assert.deepEqual(brief(findings), [
    `MA105 warning m.pt (pos ${after})`,
    `MA105 warning m.pt (pos ${after})`,
  ]);
  assert.deepEqual(findings.map((f) => f.details.reason), [
    "5 bytes follow the last storage record; torch.load ignores them",
    "invalid opcode 0xff",
  ]);
});

Deno.test("a _load_from_bytes payload is routed to the legacy scanner, findings inside it in its own offsets", async () => {
  const { data: payload, recordsAt } = stream(list(storage("0", 1)), ["0"], record(1, 4), OS_SYSTEM);
  const call = bytes(0x80, 3, global("torch.storage", "_load_from_bytes"));
  const outer = bytes(call, binBytes(payload), 0x85, "R.");
  const at = call.length + (payload.length < 256 ? 2 : 5); // SHORT_BINBYTES or BINBYTES header
  const outcome = await scan(outer, "t.pkl");
  assert.equal(outcome.format, "pickle");
  const after = recordsAt + 12;
  assert.deepEqual(brief(outcome.findings), [
    `MA105 warning t.pkl:<payload@${at}> (pos ${after})`,
    `MA100 critical t.pkl:<payload@${at}> (pos ${after + 2})`,
    `MA101 critical t.pkl:<payload@${at}> (pos ${after + OS_SYSTEM.length - 2})`,
  ]);
});
