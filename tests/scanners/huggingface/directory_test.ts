// The Hugging Face fixtures (scripts/make_repo_fixtures.py: save_pretrained's layout) scanned as folders,
// the way a user scans a downloaded model: each finding exact (rule, severity, file and key path).
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { scan } from "../../../engine/scan.ts";
import { renderLocation } from "../../../report/location.ts";

const FIXTURES = fileURLToPath(new URL("../../../fixtures/huggingface/", import.meta.url));

async function findingsOf(root: string, options: Parameters<typeof scan>[1] = {}): Promise<string[]> {
  const result = await scan([root], { sandbox: false, ...options });
  assert.deepEqual(result.files.filter((file) => file.status === "error").map((file) => file.reason), []);
  return [...result.findings, ...result.files.flatMap((file) => file.findings)]
    .map((f) => `${f.rule} ${f.severity} ${renderLocation(f.location).slice(root.length + 1)}`);
}

const AT_CONFIG = "config.json (key $.auto_map.AutoConfig)";
const AT_MODEL = "config.json (key $.auto_map.AutoModelForCausalLM)";

const CASES: [string, string[]][] = [
  ["benign/plain", []],
  // Remote code is a warning by design, harmless or not: one per module imported.
  ["benign/remote_code", [`MA630 warning ${AT_CONFIG}`, `MA630 warning ${AT_MODEL}`]],
  // The module's own scan finds the call; the entry that makes transformers import it says so too.
  ["malicious/os_system_module", [
    `MA630 warning ${AT_CONFIG}`,
    `MA633 critical ${AT_MODEL}`,
    "MA600 critical modeling_tiny.py (line 9, col 1)",
  ]],
  ["malicious/other_repository", [`MA631 warning ${AT_CONFIG}`, `MA631 warning ${AT_MODEL}`]],
  ["malicious/missing_module", [
    `MA630 warning ${AT_CONFIG}`,
    `MA632 info ${AT_CONFIG}`,
    `MA630 warning ${AT_MODEL}`,
    `MA632 info ${AT_MODEL}`,
  ]],
  ["malicious/custom_pipeline", [
    'MA630 warning config.json (key $.custom_pipelines["pair-classification"].impl)',
  ]],
  ["malicious/tokenizer_auto_map", [
    "MA630 warning tokenizer_config.json (key $.auto_map.AutoTokenizer[0])",
    "MA632 info tokenizer_config.json (key $.auto_map.AutoTokenizer[0])",
  ]],
  ["malicious/malformed_auto_map", ["MA634 warning config.json (key $.auto_map.AutoModel)"]],
  // Pointers in place of the weights: said once each, and never a disguise of their names.
  ["malicious/lfs_pointers", ["MA635 info model.safetensors", "MA635 info pytorch_model.bin"]],
];

for (const [folder, expected] of CASES) {
  Deno.test(`huggingface folder: ${folder}`, async () => {
    assert.deepEqual(await findingsOf(`${FIXTURES}${folder}`), expected);
  });
}

Deno.test("huggingface folder: the scan names the unit's format, and reaches the tokenizer's chat template", async () => {
  const result = await scan([`${FIXTURES}benign/plain`], { sandbox: false });
  assert.ok(result.scannerNames.includes("huggingface-folder"));
  const formats = Object.fromEntries(result.files.map((file) => [file.path.split("/").pop(), file.format]));
  assert.equal(formats["tokenizer_config.json"], "chat-template-json");
  assert.equal(formats["model.safetensors"], "safetensors");
});

/** Writes `files` into a fresh folder `model/` of a temporary root, and returns the root. */
async function folder(files: Record<string, string>): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "modelaudit_hf_" });
  await Deno.mkdir(`${root}/model`);
  for (const [name, text] of Object.entries(files)) await Deno.writeTextFile(`${root}/model/${name}`, text);
  return root;
}

Deno.test("huggingface folder: a tokenizer's chat template escaping its sandbox is found through the folder", async () => {
  const root = await folder({
    "tokenizer_config.json": JSON.stringify({
      chat_template: "{{ cycler.__init__.__globals__.os.popen('id') }}",
    }),
  });
  try {
    const rules = (await findingsOf(`${root}/model`)).map((line) => line.split(" ")[0]);
    assert.ok(rules.includes("MA500"), JSON.stringify(rules));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("huggingface folder: a module path leaving the folder is refused (MA010), never read", async () => {
  const root = await folder({
    "config.json": JSON.stringify({ auto_map: { AutoModel: "/etc/passwd_x.Model" } }),
    "generation_config.json": "{}",
  });
  try {
    assert.deepEqual(await findingsOf(`${root}/model`), [
      "MA010 critical config.json (key $.auto_map.AutoModel)",
      "MA630 warning config.json (key $.auto_map.AutoModel)",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("huggingface folder: a config that does not parse, and one past the size limit, are said so", async () => {
  const root = await folder({
    "config.json": '{"auto_map": ',
    "tokenizer_config.json": JSON.stringify({ a: 1 }),
  });
  try {
    const limited = { scannerOptions: { huggingface: { maxConfigBytes: 4 } } };
    // The JSON scanner says where the text breaks (MA520); the folder, what that costs (MA634).
    assert.deepEqual(await findingsOf(`${root}/model`), [
      "MA634 warning config.json",
      "MA520 info config.json (pos 13, line 1, col 14)",
    ]);
    assert.deepEqual(await findingsOf(`${root}/model`, limited), [
      "MA638 info config.json",
      "MA520 info config.json (pos 13, line 1, col 14)",
      "MA638 info tokenizer_config.json",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("huggingface folder: an Optimum export keeps the ONNX plan (external data skipped as raw bytes)", async () => {
  const root = await Deno.makeTempDir({ prefix: "modelaudit_hf_" });
  try {
    await Deno.mkdir(`${root}/model`);
    for (const name of ["model.onnx", "model.onnx.data"]) {
      await Deno.copyFile(
        new URL(`../../../fixtures/onnx/external/saved/${name}`, import.meta.url),
        `${root}/model/${name}`,
      );
    }
    await Deno.copyFile(
      `${FIXTURES}benign/plain/tokenizer_config.json`,
      `${root}/model/tokenizer_config.json`,
    );
    await Deno.copyFile(`${FIXTURES}benign/plain/config.json`, `${root}/model/config.json`);
    const result = await scan([`${root}/model`], { sandbox: false });
    assert.deepEqual(
      result.files.map((file) => [file.path.split("/").pop(), file.status, file.findings.length]),
      [
        ["config.json", "scanned", 0],
        ["model.onnx", "scanned", 0],
        ["model.onnx.data", "skipped", 0],
        ["tokenizer_config.json", "scanned", 0],
      ],
    );
    const data = result.files.find((file) => file.path.endsWith("model.onnx.data"));
    assert.equal(data?.reason, "external tensor data of model.onnx, read as raw bytes");
    assert.ok(result.scannerNames.includes("huggingface-folder"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("huggingface folder: a call in a module the remote code imports relatively escalates its entry", async () => {
  const root = await folder({
    "config.json": JSON.stringify({ auto_map: { AutoModel: "modeling_x.XModel" } }),
    "modeling_x.py": "from .utils_x import prepare\n\n\nclass XModel:\n    pass\n",
    "utils_x.py":
      "import subprocess\n\nsubprocess.run(['sh', '-c', 'echo pwned'])\n\n\ndef prepare():\n    pass\n",
    "generation_config.json": "{}",
  });
  try {
    const result = await scan([`${root}/model`], { sandbox: false });
    const entry = result.files.flatMap((file) => file.findings).find((f) => f.rule === "MA633");
    assert.equal(entry?.severity, "critical");
    assert.equal(entry?.location.keyPath, "$.auto_map.AutoModel");
    assert.deepEqual(entry?.details.calls, [
      { file: "utils_x.py", callable: "subprocess.run", line: 3, column: 1, importTime: true },
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("huggingface folder: a call only inside a function makes the entry MA633 a warning", async () => {
  const root = await folder({
    "config.json": JSON.stringify({ auto_map: { AutoModel: "modeling_x.XModel" } }),
    "modeling_x.py": "import os\n\n\nclass XModel:\n    def setup(self):\n        os.system('echo pwned')\n",
    "generation_config.json": "{}",
  });
  try {
    assert.deepEqual(await findingsOf(`${root}/model`), [
      "MA633 warning config.json (key $.auto_map.AutoModel)",
      "MA601 warning modeling_x.py (line 6, col 9)",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("huggingface folder: the python scanner's benign transformers model stays MA630 only", async () => {
  const python = fileURLToPath(new URL("../../../fixtures/python/benign/", import.meta.url));
  const root = await folder({
    "config.json": JSON.stringify({
      auto_map: { AutoConfig: "configuration_tiny.TinyConfig", AutoModel: "modeling_tiny.TinyModel" },
    }),
    "configuration_tiny.py": await Deno.readTextFile(`${python}configuration_tiny.py`),
    "modeling_tiny.py": await Deno.readTextFile(`${python}modeling_tiny.py`),
    "generation_config.json": "{}",
  });
  try {
    assert.deepEqual(await findingsOf(`${root}/model`), [
      "MA630 warning config.json (key $.auto_map.AutoConfig)",
      "MA630 warning config.json (key $.auto_map.AutoModel)",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
