// The chat-template scanners through the engine: which files they claim (by name, then by content),
// how they give way to binary formats and leave other JSON alone, where their findings are, and
// what oversized or undecodable templates give.
import assert from "node:assert/strict";
import { BlobWriter, TextReader, ZipWriter } from "@zip.js/zip.js";
import { SCANNERS } from "../../../scanners/registry.ts";
import { OS_SYSTEM, osSystemFindings, scanBrief } from "../compressed/_scan.ts";

const encoder = new TextEncoder();
const PAYLOAD = "{{ lipsum.__globals__.os.popen('echo pwned').read() }}";
const PAYLOAD_FINDINGS = (location: string) => [
  `MA502 critical ${location} (line 1, col 4)`,
  `MA500 critical ${location} (line 1, col 11)`,
  `MA501 critical ${location} (line 1, col 23)`,
  `MA501 critical ${location} (line 1, col 26)`,
];

Deno.test("chat templates: text scanners come last, after every binary format", () => {
  // TensorFlow's .pb files, msgpack and Python have no magic either: claimed by name and content, at the text
  // formats' priority. The configuration scanners (YAML, JSON, ...) follow, so that a tokenizer_config.json
  // with a template is ours.
  assert.deepEqual(SCANNERS.slice(-10, -5).map((s) => s.id), [
    "chat-template-json",
    "jinja",
    "msgpack",
    "python",
    "tensorflow",
  ]);
});

Deno.test("chat templates: a .jinja file is claimed by its name and its text", async () => {
  assert.deepEqual(await scanBrief(encoder.encode(PAYLOAD), "chat_template.jinja"), [
    "jinja",
    PAYLOAD_FINDINGS("chat_template.jinja"),
  ]);
  assert.deepEqual(await scanBrief(encoder.encode(PAYLOAD), "additional_chat_templates/tool_use.jinja"), [
    "jinja",
    PAYLOAD_FINDINGS("additional_chat_templates/tool_use.jinja"),
  ]);
  // The same text under another name is not a template: nothing claims it.
  assert.deepEqual(await scanBrief(encoder.encode(PAYLOAD), "notes.txt"), [null, []]);
});

Deno.test("chat templates: binary content named .jinja is not a template; a pickle is still a pickle", async () => {
  // Fail closed: the name claims a template, the content is none.
  assert.deepEqual(await scanBrief(Uint8Array.of(0x89, 0x00, 0xff, 0xfe), "chat_template.jinja"), [
    null,
    ["MA007 info chat_template.jinja"],
  ]);
  const [format, findings] = await scanBrief(OS_SYSTEM, "chat_template.jinja");
  assert.equal(format, "pickle");
  assert.deepEqual(findings, [
    "MA001 warning chat_template.jinja",
    ...osSystemFindings("chat_template.jinja"),
  ]);
});

Deno.test("chat templates: JSON files by name, only with a chat_template key", async () => {
  const config = (template: unknown) => encoder.encode(JSON.stringify({ chat_template: template }));
  assert.deepEqual(await scanBrief(config(PAYLOAD), "chat_template.json"), [
    "chat-template-json",
    [
      "MA502 critical chat_template.json (key $.chat_template)",
      "MA500 critical chat_template.json (key $.chat_template)",
      "MA501 critical chat_template.json (key $.chat_template)",
      "MA501 critical chat_template.json (key $.chat_template)",
    ],
  ]);
  assert.deepEqual(await scanBrief(config(null), "tokenizer_config.json"), ["chat-template-json", []]);
  // Other JSON files, and tokenizer configs without a template, are not this scanner's: the JSON one reads them.
  assert.deepEqual(await scanBrief(config(PAYLOAD), "config.json"), ["json", []]);
  assert.deepEqual(await scanBrief(encoder.encode('{"model_max_length": 8}'), "tokenizer_config.json"), [
    "json",
    [],
  ]);
  // A tokenizer config cut short is no template holder; the JSON scanner says it does not parse.
  assert.deepEqual(await scanBrief(encoder.encode('{"chat_template": "x"'), "tokenizer_config.json"), [
    "json",
    ["MA520 info tokenizer_config.json (pos 21, line 1, col 22)"],
  ]);
  assert.deepEqual(await scanBrief(encoder.encode('["chat_template"]'), "tokenizer_config.json"), [
    "json",
    [],
  ]);
});

Deno.test("chat templates: each named template is located by its key path", async () => {
  const templates = [
    { name: "default", template: "{{ messages }}" },
    { name: "tool_use", template: "{{ x.__class__ }}" },
    { name: "rag" },
    "{{ x }}",
  ];
  const [, findings] = await scanBrief(
    encoder.encode(JSON.stringify({ chat_template: templates })),
    "tokenizer_config.json",
  );
  assert.deepEqual(findings, [
    "MA500 critical tokenizer_config.json (key $.chat_template[1].template)",
    "MA505 warning tokenizer_config.json (key $.chat_template[2])",
    "MA505 warning tokenizer_config.json (key $.chat_template[3])",
  ]);
});

Deno.test("chat templates: a template inside an archive is located through it", async () => {
  const writer = new ZipWriter(new BlobWriter());
  await writer.add("model/chat_template.jinja", new TextReader(PAYLOAD));
  const zip = new Uint8Array(await (await writer.close()).arrayBuffer());
  const [format, findings] = await scanBrief(zip, "model.zip");
  assert.equal(format, "zip");
  assert.deepEqual(findings, PAYLOAD_FINDINGS("model.zip:model/chat_template.jinja"));
});

Deno.test("chat templates: oversized or undecodable templates are MA503, not silence", async () => {
  const huge = new Uint8Array(8 * 1024 * 1024 + 1).fill(0x20);
  assert.deepEqual(await scanBrief(huge, "chat_template.jinja"), [
    "jinja",
    ["MA503 warning chat_template.jinja"],
  ]);
  // The same inside a tokenizer_config.json: located by its key path.
  const config = encoder.encode(
    JSON.stringify({ chat_template: [{ name: "big", template: " ".repeat(8 << 20) + "x" }] }),
  );
  assert.deepEqual(await scanBrief(config, "tokenizer_config.json"), [
    "chat-template-json",
    ["MA503 warning tokenizer_config.json (key $.chat_template[0].template)"],
  ]);
  // Valid text at the head, a byte no UTF-8 decoder accepts further on.
  const broken = new Uint8Array(100 * 1024).fill(0x20);
  broken[90 * 1024] = 0xff;
  assert.deepEqual(await scanBrief(broken, "chat_template.jinja"), ["jinja", [
    "MA503 warning chat_template.jinja",
  ]]);
});
