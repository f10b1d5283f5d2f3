// The GGUF tensors and facts a scan lists (inspect, the weight analysis), on the committed
// gguf-py fixtures: shapes outermost first, quantized types listed only, the big-endian file's
// values equal to the little-endian one's, and the model's facts and template names.
import assert from "node:assert/strict";
import { listed, rows } from "../tensors/_inventory.ts";

const DIR = "fixtures/gguf/benign";

const TABLE = [
  ["token_embd.weight", "F32", [16, 8], 512, true],
  ["blk.0.attn_q.weight", "Q4_0", [4, 32], 72, false],
  ["blk.0.ffn_down.weight", "Q8_0", [2, 64], 136, false],
  ["output_norm.weight", "F16", [8], 16, true],
  ["output.weight", "F32", [8, 8], 256, true],
];

Deno.test("llama3_v3.gguf: the tensor table, readable plain types, the model's facts", async () => {
  const { tensors, facts, values, rules } = await listed(`${DIR}/llama3_v3.gguf`, 2);
  assert.deepEqual(rules, []);
  assert.deepEqual(rows(tensors), TABLE);
  assert.deepEqual(values.get("output_norm.weight"), [0.1201171875, 0.256591796875]);
  assert.deepEqual(facts.map((fact) => [fact.name, fact.value]), [
    ["general.architecture", "llama"],
    ["general.name", "tiny-llama-fixture"],
    ["tokenizer.ggml.model", "llama"],
    ["chat_template", "tokenizer.chat_template"],
    ["gguf.version", 3],
  ]);
});

Deno.test("a big-endian GGUF reads the same values as its little-endian twin", async () => {
  const little = await listed(`${DIR}/llama3_v3.gguf`, 128);
  const big = await listed(`${DIR}/llama_big_endian_v3.gguf`, 128);
  assert.deepEqual(rows(big.tensors), TABLE);
  assert.deepEqual([...big.values.keys()], ["token_embd.weight", "output_norm.weight", "output.weight"]);
  for (const [name, values] of little.values) assert.deepEqual(big.values.get(name), values, name);
});

Deno.test("named chat templates are listed by their keys", async () => {
  const { facts } = await listed(`${DIR}/chatml_named_templates_v2.gguf`);
  assert.deepEqual(facts.filter((fact) => fact.name === "chat_template").map((fact) => fact.value), [
    "tokenizer.chat_template.tool_use",
    "tokenizer.chat_template",
  ]);
});
