// The legacy torch tar: the profile that recognises it, and the storages and
// tensors members read as torch.load reads them (pickles scanned, records
// skipped by their declared sizes, what does not add up reported where it is).
import assert from "node:assert/strict";
import { scanBytes } from "../../../engine/dispatch.ts";
import { legacyTorchTarProfile } from "../../../scanners/pytorch/legacy_tar.ts";
import { DEFAULT_PYTORCH_OPTIONS } from "../../../scanners/option_catalog.ts";

const { maxLegacyStorages: MAX_LEGACY_STORAGES, maxLegacyTensors: MAX_LEGACY_TENSORS } =
  DEFAULT_PYTORCH_OPTIONS;
import { bu, Builder, bytes, global, le, type Part } from "../pickle/_bytes.ts";
import { concat, END, entry, header, PAYLOAD } from "../tar/_tar.ts";
import { renderLocation } from "../../../report/location.ts";

/** A protocol-2 pickle of `parts` (opcodes) followed by STOP. */
const pickle2 = (...parts: Part[]) => bytes(0x80, 2, ...parts, ".");
/** BININT of `n`. */
const int = (n: number) => bytes("J", le(n, 4));
/** A little-endian int64. */
function i64(value: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, BigInt(value), true);
  return out;
}

/** `(key, 'cpu', torch.<type>)`, as torch pickled each storage's header. */
const storageHeader = (key: number, type = "FloatStorage", module = "torch") =>
  pickle2(int(key), bu("cpu"), global(module, type), 0x87);
/** `(key, storage_key, torch.FloatTensor)`, as torch pickled each tensor's header. */
const tensorHeader = (key: number, storage: number) =>
  pickle2(int(key), int(storage), global("torch", "FloatTensor"), 0x87);
/** A tensor's metadata: ndim (int32 and 4 skipped bytes), sizes, strides, storage offset. */
function tensorRecord(sizes: number[], ndim = sizes.length): Uint8Array {
  const strides = sizes.map((_, i) => sizes.slice(i + 1).reduce((a, b) => a * b, 1));
  return concat(i64(ndim), ...sizes.map(i64), ...strides.map(i64), i64(0));
}

/** A `storages` member with one float storage of `count` elements (and `data` bytes of it). */
function storages(count = 2, data = count * 4): Builder {
  const b = new Builder();
  b.add(pickle2(int(1)), storageHeader(1001), i64(count), new Uint8Array(data), pickle2("]"));
  return b;
}

const PICKLE = pickle2("}");
const TENSORS = concat(pickle2(int(1)), tensorHeader(1, 1001), tensorRecord([2]));

/** A legacy torch tar of these members, in torch's order. */
function legacyTar(members: { pickle?: Uint8Array; tensors?: Uint8Array; storages?: Uint8Array } = {}) {
  return concat(
    entry("sys_info", pickle2("}")),
    entry("pickle", members.pickle ?? PICKLE),
    entry("tensors", members.tensors ?? TENSORS),
    entry("storages", members.storages ?? storages().build()),
    END,
  );
}

async function scan(bytes: Uint8Array) {
  const outcome = await scanBytes(bytes, "t.pt");
  assert.equal(outcome.error, undefined);
  return {
    format: outcome.format,
    findings: outcome.findings.map((f) => `${f.rule} ${f.severity} ${renderLocation(f.location)}`),
  };
}

Deno.test("a well-formed legacy torch tar is recognised and clean", async () => {
  assert.deepEqual(await scan(legacyTar()), { format: "pytorch-legacy-tar", findings: [] });
});

Deno.test("profile: the three members torch reads make the layout; others are reported", async () => {
  const entryOf = (name: string) => ({
    name,
    size: 0,
    directory: false,
    read: () => Promise.resolve(new Uint8Array()),
  });
  assert.ok(legacyTorchTarProfile.matches(["pickle", "storages", "tensors"].map(entryOf)));
  assert.ok(!legacyTorchTarProfile.matches(["sys_info", "pickle", "storages"].map(entryOf)));
  assert.ok(
    !legacyTorchTarProfile.matches(["./pickle", "./storages", "./tensors"].map(entryOf)),
    "tarfile names are exact",
  );
  const extra = concat(legacyTar().subarray(0, -1024), entry("notes.txt", "hello"), END);
  assert.deepEqual((await scan(extra)).findings, ["MA300 warning t.pt:notes.txt"]);
});

Deno.test("profile: links among the members torch extracts are critical", async () => {
  const linked = concat(
    entry("pickle", PICKLE),
    entry("tensors", TENSORS),
    header({ name: "storages", type: "1", linkname: "tensors" }),
    END,
  );
  assert.deepEqual(await scan(linked), {
    format: "pytorch-legacy-tar",
    findings: ["MA205 critical t.pt:storages"],
  });
});

Deno.test("storages: payloads in the storage pickles and after the last one", async () => {
  const b = new Builder();
  b.add(pickle2(int(1)));
  const evil = b.add(0x80, 2, int(1001));
  const call = b.add(global("os", "system"), bu("echo pwned"), 0x85);
  const reduce = b.add("R");
  b.add(global("torch", "FloatStorage"), 0x87, ".", i64(1), new Uint8Array(4), pickle2("]"));
  const after = b.add(PAYLOAD);
  assert.equal(evil + 7, call);
  assert.deepEqual((await scan(legacyTar({ storages: b.build() }))).findings, [
    `MA100 critical t.pt:storages (pos ${call})`,
    `MA101 critical t.pt:storages (pos ${reduce})`,
    `MA105 warning t.pt:storages (pos ${after})`,
    `MA100 critical t.pt:storages (pos ${after + 2})`,
    `MA101 critical t.pt:storages (pos ${after + 29})`,
  ]);
});

Deno.test("storages: records that do not add up are reported where they are", async () => {
  const short = storages(1000, 8);
  assert.deepEqual((await scan(legacyTar({ storages: short.build().subarray(0, -4) }))).findings, [
    `MA105 warning t.pt:storages (pos ${short.size - 8 - 8 - 4})`,
  ]);
  const untypedHeader = storageHeader(1001, "OrderedDict", "collections");
  const record = pickle2(int(1)).length + untypedHeader.length;
  const untypedStorages = concat(pickle2(int(1)), untypedHeader, i64(1), new Uint8Array(8), pickle2("]"));
  const untyped = await scanBytes(legacyTar({ storages: untypedStorages }), "t.pt");
  assert.deepEqual(untyped.findings.map((f) => `${f.rule} ${renderLocation(f.location)}`), [
    `MA105 t.pt:storages (pos ${record})`,
  ]);
  assert.match(untyped.findings[0].message, /storage 0 cannot be sized/);
  const missing = concat(pickle2(int(2)), storageHeader(1001), i64(0), pickle2("]"));
  assert.deepEqual((await scan(legacyTar({ storages: missing }))).findings, [
    // The views pickle is read as storage 1's header: a list is no (key, location, type).
    `MA105 warning t.pt:storages (pos ${missing.length})`,
  ]);
  const notCount = concat(pickle2(bu("two")), pickle2("]"));
  assert.deepEqual((await scan(legacyTar({ storages: notCount }))).findings, [
    "MA105 warning t.pt:storages (pos 0)",
  ]);
  const tooMany = concat(pickle2(int(MAX_LEGACY_STORAGES + 1)), pickle2("]"));
  assert.deepEqual((await scan(legacyTar({ storages: tooMany }))).findings, [
    "MA110 warning t.pt:storages (pos 0)",
  ]);
  const negative = concat(pickle2(int(1)), storageHeader(1001), i64(-1), pickle2("]"));
  assert.deepEqual((await scan(legacyTar({ storages: negative }))).findings, [
    `MA105 warning t.pt:storages (pos ${negative.length - 12})`,
  ]);
});

Deno.test("tensors: metadata records sized by their dimension count", async () => {
  const two = concat(
    pickle2(int(2)),
    tensorHeader(1, 1001),
    tensorRecord([2, 3]),
    tensorHeader(2, 1001),
    tensorRecord([]),
  );
  assert.deepEqual((await scan(legacyTar({ tensors: two }))).findings, []);
  const head = concat(pickle2(int(1)), tensorHeader(1, 1001));
  const negative = concat(head, tensorRecord([2], -1));
  assert.deepEqual((await scan(legacyTar({ tensors: negative }))).findings, [
    `MA105 warning t.pt:tensors (pos ${head.length})`,
  ]);
  const huge = concat(head, tensorRecord([2], 1 << 30));
  assert.deepEqual((await scan(legacyTar({ tensors: huge }))).findings, [
    `MA105 warning t.pt:tensors (pos ${head.length})`,
  ]);
  const tooMany = pickle2(int(MAX_LEGACY_TENSORS + 1));
  assert.deepEqual((await scan(legacyTar({ tensors: tooMany }))).findings, [
    "MA110 warning t.pt:tensors (pos 0)",
  ]);
  const trailing = concat(TENSORS, PAYLOAD);
  assert.deepEqual((await scan(legacyTar({ tensors: trailing }))).findings, [
    `MA105 warning t.pt:tensors (pos ${TENSORS.length})`,
    `MA100 critical t.pt:tensors (pos ${TENSORS.length + 2})`,
    `MA101 critical t.pt:tensors (pos ${TENSORS.length + 29})`,
  ]);
});
