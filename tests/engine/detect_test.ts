import assert from "node:assert/strict";
import { join } from "node:path";
import { extensionOf, formatsClaimedBy, nameClaimsScannedFormat } from "../../engine/detect.ts";
import { scanWith } from "../../engine/scan.ts";
import { descriptorById, READERS, SCANNERS } from "../../scanners/registry.ts";
import { TOY_REGISTRY } from "./_toy_formats.ts";
import { tempDir } from "../_cli_helpers.ts";

Deno.test("extensions are the last segment's, lower-cased, dot files have none", () => {
  assert.equal(extensionOf("models/Model.PT"), ".pt");
  assert.equal(extensionOf("bundle.zip:archive/data.pkl"), ".pkl");
  assert.equal(extensionOf(".bashrc"), "");
  assert.equal(extensionOf("archive/.data/serialization_id"), "");
});

Deno.test("a name claims every format that may carry its extension", () => {
  assert.deepEqual(formatsClaimedBy("model.npz").sort(), ["zip"]);
  assert.ok(formatsClaimedBy("model.pt").includes("pickle"));
  assert.ok(formatsClaimedBy("model.pt").includes("zip"));
  // A TorchScript archive's code/*.py is legitimately TorchScript source.
  assert.ok(formatsClaimedBy("code/__torch__/m.py").includes("torchscript"));
  assert.deepEqual(formatsClaimedBy("README"), []);
});

Deno.test("generic names claim nothing: .bin, .dat, .data, .model and .weights are every format's", () => {
  for (const name of ["w.bin", "w.DAT", "x.data", "tokenizer.model", "yolo.weights"]) {
    assert.deepEqual(formatsClaimedBy(name), [], name);
  }
  // A generic name still says "model file": unrecognised content under it is MA007.
  assert.equal(nameClaimsScannedFormat("w.bin"), true);
});

Deno.test("only scanners that detect content make a name look like a model file", () => {
  assert.equal(nameClaimsScannedFormat("weights.pkl"), true);
  assert.equal(nameClaimsScannedFormat("model.npy"), true);
  // Scanners reached only through a container's loadAs do not: a .toml file on disk is no model. A .py file
  // is Python source, which the python scanner reads (trust_remote_code imports it).
  assert.equal(nameClaimsScannedFormat("pyproject.toml"), false);
  assert.equal(nameClaimsScannedFormat("setup.py"), true);
  assert.equal(nameClaimsScannedFormat("notes.md"), false);
  // Nor do formats that take only some files so named: any .json is not a chat-template file, and a
  // configuration file (.json, .yaml, ...) ships with a model without being one.
  assert.equal(nameClaimsScannedFormat("config.json"), false);
  assert.equal(nameClaimsScannedFormat("model_config.yaml"), false);
  assert.equal(nameClaimsScannedFormat("chat_template.jinja"), true);
});

Deno.test("detection order comes from declared priorities: containers, compressors, models, pickle", () => {
  const ids = SCANNERS.map((s) => s.id);
  assert.deepEqual(ids, [
    "zip",
    "tar",
    "7z",
    "bzip2",
    "gzip",
    "lz4",
    "xz",
    "joblib-zfile",
    "lzma",
    "zlib",
    "ggml",
    "gguf",
    "git-lfs-pointer",
    "hdf5",
    "numpy",
    "onnx",
    "pytorch-legacy",
    "safetensors",
    "pickle",
    "chat-template-json",
    "jinja",
    "msgpack",
    "python",
    "tensorflow",
    "ini",
    "json",
    "toml",
    "xml",
    "yaml",
  ]);
  // Load-only readers are no public scanners, but name their formats for containers.
  assert.deepEqual(READERS.map((r) => r.id).filter((id) => ids.includes(id)), []);
  assert.equal(descriptorById("torchscript-pickle")?.id, "torchscript-pickle");
});

Deno.test("a text format claims a file by its name and a successful parse; content still comes first", async () => {
  const dir = await tempDir("modelaudit_detect_");
  await Deno.writeTextFile(join(dir, "good.toyini"), "a=1\nb=two\n");
  await Deno.writeTextFile(join(dir, "bad.toyini"), "[section]\na=1\n");
  await Deno.writeFile(join(dir, "evil.toyini"), new TextEncoder().encode("cos\nsystem\n(S'echo hi'\ntR."));
  // The same text under another name is no toy INI: the name is what a text format goes by.
  await Deno.writeTextFile(join(dir, "good.txt"), "a=1\nb=two\n");
  const result = await scanWith([dir], { sandbox: false }, { registry: TOY_REGISTRY });
  assert.deepEqual(
    result.files.map((f) => [f.path.slice(dir.length + 1), f.format, f.findings.map((x) => x.rule)]),
    [
      // A name that claims the format, content that does not parse: fail closed.
      ["bad.toyini", null, ["MA007"]],
      // Binary content decides before any name: a pickle named .toyini is a pickle, and a lie.
      ["evil.toyini", "pickle", ["MA001", "MA100", "MA101"]],
      ["good.toyini", "toy-ini", []],
      ["good.txt", null, []],
    ],
  );
});

/** Modules `entry` imports, from `deno info`; dynamic `import()`s followed only if `dynamic`. */
async function moduleGraph(entry: string, dynamic = false): Promise<string[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: new URL("../../", import.meta.url),
  }).output();
  const graph = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    roots: string[];
    modules: { specifier: string; dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[] }[];
  };
  const bySpecifier = new Map(graph.modules.map((module) => [module.specifier, module]));
  const seen = new Set<string>();
  const visit = (specifier: string) => {
    if (seen.has(specifier)) return;
    seen.add(specifier);
    for (const dependency of bySpecifier.get(specifier)?.dependencies ?? []) {
      if ((dynamic || !dependency.isDynamic) && dependency.code) visit(dependency.code.specifier);
    }
  };
  graph.roots.forEach(visit);
  return [...seen];
}

Deno.test("a scan worker loads no scanner and no npm package until a file needs it", async () => {
  const modules = await moduleGraph("engine/worker.ts");
  assert.deepEqual(modules.filter((m) => m.startsWith("npm:")), []);
  const scannerModules = modules.filter((m) =>
    /\/scanners\/.*\/(scanner|gzip|bzip2|xz|lzma|zlib|legacy|torchscript)\.ts$/.test(m)
  );
  assert.deepEqual(scannerModules, []);
  // Nor the decoders of compressed members: they load with a file's first one.
  assert.ok(!modules.some((m) => m.endsWith("/engine/decoded_source.ts")));
  // Every load() is a string-literal import deno can follow, so deno compile bundles each scanner.
  const all = await moduleGraph("engine/worker.ts", true);
  for (
    const scanner of ["zip/scanner.ts", "compressed/xz.ts", "pytorch/torchscript.ts", "pickle/scanner.ts"]
  ) {
    assert.ok(all.some((m) => m.endsWith(`/scanners/${scanner}`)), scanner);
  }
});

Deno.test("the modules a one-pickle scan loads are ASCII, which V8 copies as one-byte strings", async () => {
  // Any other character makes V8 decode a module's UTF-8, and one above U+00FF makes the whole
  // source a two-byte string: twice the memory in a worker's young heap and a slower start for
  // every scan (0.3 to 0.6 ms measured). Write such characters as `\u` escapes in these modules.
  const modules = new Set([
    ...await moduleGraph("engine/worker.ts"),
    ...await moduleGraph("scanners/pickle/scanner.ts"),
  ]);
  const nonAscii = [];
  for (const module of modules) {
    if (!module.startsWith("file:")) continue;
    const text = await Deno.readTextFile(new URL(module));
    const line = text.split("\n").findIndex((l) => /[^\t-~]/.test(l));
    if (line >= 0) {
      nonAscii.push(`${module.slice(new URL("../../", import.meta.url).href.length)}:${line + 1}`);
    }
  }
  assert.ok(modules.size > 50, `${modules.size} modules`);
  assert.deepEqual(nonAscii, []);
});
