// The configuration scanners through the engine: which files they claim (by name and text, after the
// binary formats and the chat-template JSON), hostile shapes (bombs, nesting, size) that must end in a
// finding and never a crash or a hang, the sandbox (no environment), and the per-string hook's places.
import assert from "node:assert/strict";
import { scan } from "../../../engine/scan.ts";
import { SCANNERS } from "../../../scanners/registry.ts";
import { OS_SYSTEM, scanBrief } from "../compressed/_scan.ts";
import { scanBytes } from "../../../engine/dispatch.ts";

const text = (value: string) => new TextEncoder().encode(value);

Deno.test("config: the configuration scanners come last, each claiming its extensions", () => {
  assert.deepEqual(SCANNERS.slice(-5).map((s) => [s.id, s.extensions]), [
    ["ini", [".ini", ".cfg"]],
    ["json", [".json"]],
    ["toml", [".toml"]],
    ["xml", [".xml", ".pmml", ".config"]],
    ["yaml", [".yaml", ".yml"]],
  ]);
});

Deno.test("config: a tokenizer_config.json with a chat template is the chat-template scanner's, without one ours", async () => {
  const withTemplate = text(JSON.stringify({ chat_template: "{{ messages }}", pad_token: "<pad>" }));
  assert.deepEqual(await scanBrief(withTemplate, "tokenizer_config.json"), ["chat-template-json", []]);
  const without = text(JSON.stringify({ pad_token: "<pad>", _target_: "os.system" }));
  assert.deepEqual(await scanBrief(without, "tokenizer_config.json"), [
    "json",
    ["MA525 critical tokenizer_config.json (line 1, col 33, key $._target_)"],
  ]);
});

Deno.test("config: a pickle named config.yaml is a pickle with a disguise; binary junk named .json is no model", async () => {
  const [format, findings] = await scanBrief(OS_SYSTEM, "config.yaml");
  assert.equal(format, "pickle");
  assert.ok(findings.includes("MA001 warning config.yaml"), findings.join("\n"));
  // A configuration ships with a model without being one: unrecognised content so named is no MA007.
  assert.deepEqual(await scanBrief(Uint8Array.of(0xff, 0xfe, 0x00, 0x01), "config.json"), [null, []]);
});

Deno.test("config: text that stops being UTF-8 after the head is MA520, not inspected", async () => {
  const bytes = new Uint8Array([...text(`a: "${"x".repeat(70_000)}"\n`), 0xff, 0x0a]);
  assert.deepEqual(await scanBrief(bytes, "config.yaml"), ["yaml", ["MA520 info config.yaml"]]);
});

Deno.test("config: the YAML billion laughs is reported in milliseconds and never expanded", async () => {
  // 20 levels of 10 aliases: 10^20 nodes once expanded.
  const levels = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let i = 1; i < 20; i++) levels.push(`l${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(", ")}]`);
  const started = performance.now();
  const [format, findings] = await scanBrief(text(levels.join("\n") + "\n"), "config.yaml");
  const elapsed = performance.now() - started;
  assert.equal(format, "yaml");
  assert.deepEqual(findings, ["MA527 warning config.yaml (line 6, col 9)"]);
  assert.ok(elapsed < 2000, `${elapsed} ms`);
});

Deno.test("config: YAML anchors reused as configs reuse them stay clean; a lower maxExpansion catches them", async () => {
  const shared = `defaults: &defaults\n  lr: 0.001\n  betas: [0.9, 0.999]\n` +
    Array.from({ length: 20 }, (_, i) => `opt${i}:\n  <<: *defaults\n  name: adam${i}\n`).join("");
  assert.deepEqual(await scanBrief(text(shared), "optim.yaml"), ["yaml", []]);
  const outcome = await scanBytes(text(shared), "optim.yaml", {
    scannerOptions: { config: { maxExpansion: 50 } },
  });
  assert.deepEqual(outcome.findings.map((f) => f.rule), ["MA527"]);
});

Deno.test("config: nesting past the parsers' and the walk's depth ends in a finding, never a crash", async () => {
  const deep = 100_000;
  const cases: [string, string, string][] = [
    ["deep.yaml", "[".repeat(deep) + "]".repeat(deep), "yaml"],
    ["deep.json", "[".repeat(deep) + "]".repeat(deep), "json"],
    ["deep.toml", "a = " + "[".repeat(deep) + "]".repeat(deep), "toml"],
    ["deep.xml", "<a>".repeat(deep) + "</a>".repeat(deep), "xml"],
  ];
  for (const [name, content, format] of cases) {
    const outcome = await scanBytes(text(content), name);
    assert.equal(outcome.error, undefined, name);
    assert.equal(outcome.format, format, name);
    // The parser's refusal (MA520), its stack or the walk's depth limit (MA521): what reads no further.
    const rules = outcome.findings.map((f) => f.rule);
    assert.ok(
      rules.length > 0 && rules.every((rule) => rule === "MA520" || rule === "MA521"),
      `${name}: ${rules}`,
    );
  }
  // Block nesting the parser takes, deeper than config.maxDepth (256): the walk stops there.
  const block = Array.from({ length: 300 }, (_, i) => `${"  ".repeat(i)}k${i}:`).join("\n") + " leaf\n";
  const outcome = await scanBytes(text(block), "deep.yaml");
  assert.deepEqual(outcome.findings.map((f) => [f.rule, f.details.option]), [["MA521", "config.maxDepth"]]);
});

Deno.test("config: files over config.maxBytes and values past config.maxValues are MA521", async () => {
  const json = text(JSON.stringify({ a: ["x", "y", "z"], b: { _target_: "os.system" } }));
  const small = await scanBytes(json, "config.json", { scannerOptions: { config: { maxBytes: 10 } } });
  assert.deepEqual(small.findings.map((f) => [f.rule, f.details.option]), [["MA521", "config.maxBytes"]]);
  const few = await scanBytes(text("a: [x, y, z]\nb:\n  _target_: os.system\n"), "config.yaml", {
    scannerOptions: { config: { maxValues: 4 } },
  });
  assert.deepEqual(few.findings.map((f) => [f.rule, f.location.keyPath, f.details.option]), [
    ["MA521", "$.a[2]", "config.maxValues"], // $, $.a, $.a[0] and $.a[1] walked
  ]);
});

Deno.test("config: the per-string hook places --blacklist matches at the value's line, column and key path", async () => {
  const outcome = await scanBytes(text("model:\n  notes: see webhook.site for results\n"), "config.yaml", {
    blacklist: ["webhook.site"],
  });
  assert.deepEqual(
    outcome.findings.map((f) => [f.rule, f.location.line, f.location.column, f.location.keyPath]),
    [
      ["MA005", 2, 10, "$.model.notes"],
    ],
  );
});

Deno.test("config: YAML is scanned in the sandbox's workers, which grant no environment", async () => {
  const dir = await Deno.makeTempDir({ prefix: "modelaudit_config_" });
  try {
    await Deno.writeTextFile(`${dir}/model_config.yaml`, "model:\n  _target_: os.system\n");
    const result = await scan([dir]);
    assert.deepEqual(result.files.map((f) => [f.format, f.status]), [["yaml", "scanned"]]);
    assert.deepEqual(result.files[0].findings.map((f) => f.rule), ["MA525"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("config: a byte order mark is dropped, as Python's utf-8-sig and YAML loaders drop it", async () => {
  const bom = [0xef, 0xbb, 0xbf];
  const yaml = await scanBrief(new Uint8Array([...bom, ...text("_target_: os.system\n")]), "config.yaml");
  assert.deepEqual(yaml, ["yaml", ["MA525 critical config.yaml (line 1, col 11, key $._target_)"]]);
  const json = await scanBrief(new Uint8Array([...bom, ...text('{"_target_": "os.system"}')]), "config.json");
  assert.deepEqual(json, ["json", ["MA525 critical config.json (line 1, col 14, key $._target_)"]]);
});
