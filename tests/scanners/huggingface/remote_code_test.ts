import assert from "node:assert/strict";
import { remoteCodeOf } from "../../../scanners/huggingface/remote_code.ts";
import { isHuggingFaceListing } from "../../../scanners/huggingface/descriptor.ts";

const summary = (config: Record<string, unknown>, pipelines = true) => {
  const { entries, problems } = remoteCodeOf(config, pipelines);
  return {
    entries: entries.map((e) => `${e.keyPath} ${e.role} ${e.repository ?? "-"} ${e.module}.${e.className}`),
    problems: problems.map((p) => p.keyPath),
  };
};

Deno.test("auto_map: THUDM/chatglm's layout, tokenizer pairs with nulls, and the legacy list form", () => {
  assert.deepEqual(
    summary({
      auto_map: {
        AutoConfig: "configuration_chatglm.ChatGLMConfig",
        AutoModel: "modeling_chatglm.ChatGLMForConditionalGeneration",
        AutoTokenizer: ["tokenization_chatglm.ChatGLMTokenizer", null],
      },
    }).entries,
    [
      "$.auto_map.AutoConfig AutoConfig - configuration_chatglm.ChatGLMConfig",
      "$.auto_map.AutoModel AutoModel - modeling_chatglm.ChatGLMForConditionalGeneration",
      "$.auto_map.AutoTokenizer[0] AutoTokenizer - tokenization_chatglm.ChatGLMTokenizer",
    ],
  );
  assert.deepEqual(summary({ auto_map: [null, "tokenization_x_fast.XTokenizerFast"] }).entries, [
    "$.auto_map[1] AutoTokenizer - tokenization_x_fast.XTokenizerFast",
  ]);
});

Deno.test("auto_map: another repository's code is named by its repository", () => {
  assert.deepEqual(
    summary({ auto_map: { AutoConfig: "mosaicml/mpt-7b--configuration_mpt.MPTConfig" } }).entries,
    [
      "$.auto_map.AutoConfig AutoConfig mosaicml/mpt-7b configuration_mpt.MPTConfig",
    ],
  );
});

Deno.test("auto_map: entries transformers cannot split are problems, not entries", () => {
  const result = summary({
    auto_map: {
      A: "modeling.x.Model", // two dots: transformers' unpacking fails
      B: "a--b--modeling.Model",
      C: "--modeling.Model",
      D: "nodot",
      E: null, // a null outside a tokenizer pair is no entry either
      F: { nested: "modeling.Model" },
    },
  });
  assert.deepEqual(result.entries, []);
  assert.deepEqual(result.problems, [
    "$.auto_map.A",
    "$.auto_map.B",
    "$.auto_map.C",
    "$.auto_map.D",
    "$.auto_map.E",
    "$.auto_map.F",
  ]);
  assert.deepEqual(summary({ auto_map: "modeling.Model" }).problems, ["$.auto_map"]);
});

Deno.test("custom_pipelines: read from config.json only", () => {
  const config = { custom_pipelines: { "my-task": { impl: "pipe.MyPipeline", pt: [] }, bad: 3 } };
  assert.deepEqual(summary(config), {
    entries: ['$.custom_pipelines["my-task"].impl pipeline "my-task" - pipe.MyPipeline'],
    problems: ["$.custom_pipelines.bad"],
  });
  assert.deepEqual(summary(config, false), { entries: [], problems: [] });
});

Deno.test("a Hugging Face folder is recognised by transformers' own files, not by a config.json alone", () => {
  assert.equal(isHuggingFaceListing(["config.json", "model-00001-of-00002.safetensors"]), true);
  assert.equal(isHuggingFaceListing(["config.json", "pytorch_model.bin.index.json"]), true);
  assert.equal(isHuggingFaceListing(["config.json", "modeling_phi.py"]), true);
  assert.equal(isHuggingFaceListing(["preprocessor_config.json", "README.md"]), true);
  assert.equal(isHuggingFaceListing(["config.json", "data/", "train.py"]), false);
  assert.equal(isHuggingFaceListing(["model.safetensors"]), false);
});
