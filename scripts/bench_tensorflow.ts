/**
 * The input of `deno task bench`'s `savedmodel` case: a SavedModel folder whose `saved_model.pb` holds
 * a TF2-shaped graph of `nodes` nodes in all (half in the main graph, half in library functions of 100
 * nodes called through StatefulPartitionedCall), with weight constants of 4 KiB every tenth node and
 * the traced save and restore functions every SavedModel has. Encoded by protobufjs from the
 * scanner's schema; it must scan clean.
 *
 * @module
 */

import { join } from "node:path";
import { encode, floatConst, node, stringConst, utf8 } from "./tensorflow_messages.ts";

const FUNCTION_NODES = 100;
const WEIGHT_BYTES = 4096;

/** A chain of `count` nodes named with `prefix`: weights, MatMul, BiasAdd, Relu, reading from `first`. */
function chain(prefix: string, count: number, first: string, ref: (name: string) => string) {
  const nodes = [];
  let last = first;
  for (let i = 0; i < count; i++) {
    const name = `${prefix}${i}`;
    if (i % 10 === 0) {
      nodes.push(floatConst(name, WEIGHT_BYTES));
      continue;
    }
    const op = ["MatMul", "BiasAdd", "Relu", "Identity"][i % 4];
    nodes.push(
      node(name, op, op === "Relu" || op === "Identity" ? [last] : [last, ref(`${prefix}${i - (i % 10)}`)], {
        T: { type: 1 },
      }),
    );
    last = ref(name);
  }
  return { nodes, last };
}

function signature(name: string, args: [string, number][]) {
  return {
    name,
    input_arg: args.map(([arg, type]) => ({ name: arg, type })),
    output_arg: [{ name: "out", type: 1 }],
  };
}

function savedModel(nodes: number): Uint8Array {
  const functions = [];
  const calls = [];
  const functionCount = Math.floor(nodes / 2 / FUNCTION_NODES);
  for (let f = 0; f < functionCount; f++) {
    const name = `__inference_block_${f}`;
    const body = chain("n", FUNCTION_NODES - 1, "x", (n) => `${n}:output:0`);
    body.nodes.push(node("Identity_out", "Identity", [body.last]));
    functions.push({
      signature: signature(name, [["x", 1]]),
      node_def: body.nodes,
      ret: { out: "Identity_out:output:0" },
    });
    calls.push(node(`call_${f}`, "StatefulPartitionedCall", [f === 0 ? "input" : `call_${f - 1}`], {
      f: { func: { name } },
      Tin: { list: { type: [1] } },
      Tout: { list: { type: [1] } },
    }));
  }
  functions.push({
    signature: signature("__inference__traced_save_1", [["file_prefix", 7]]),
    node_def: [
      stringConst("Const", utf8("_temp/part")),
      node("StringJoin", "StringJoin", ["file_prefix", "Const:output:0"]),
      node("SaveV2", "SaveV2", ["StringJoin:output:0"]),
      node("MergeV2Checkpoints", "MergeV2Checkpoints", ["StringJoin:output:0", "file_prefix"]),
    ],
  }, {
    signature: signature("__inference__traced_restore_2", [["file_prefix", 7]]),
    node_def: [node("RestoreV2", "RestoreV2", ["file_prefix"])],
  });
  const main = chain(
    "main_",
    nodes - functionCount * (FUNCTION_NODES + 1) - 4,
    `call_${functionCount - 1}`,
    (n) => n,
  );
  const graph = {
    node: [
      node("input", "Placeholder", [], { dtype: { type: 1 } }),
      ...calls,
      ...main.nodes,
      node("saver_filename", "Placeholder", [], { dtype: { type: 7 } }),
      node("save", "StatefulPartitionedCall", ["saver_filename"], {
        f: { func: { name: "__inference__traced_save_1" } },
      }),
      node("restore", "StatefulPartitionedCall", ["saver_filename"], {
        f: { func: { name: "__inference__traced_restore_2" } },
      }),
    ],
    library: { function: functions },
    versions: { producer: 1087 },
  };
  return encode("tensorflow.SavedModel", {
    saved_model_schema_version: 1,
    meta_graphs: [{
      meta_info_def: { tags: ["serve"], tensorflow_version: "2.11.0" },
      graph_def: graph,
      saver_def: { filename_tensor_name: "saver_filename:0", restore_op_name: "restore", version: 2 },
    }],
  });
}

/**
 * Writes the folder `path` with a `saved_model.pb` of about `nodes` nodes; returns its size.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeSavedModel } from "./bench_tensorflow.ts";
 * const dir = await Deno.makeTempDir();
 * const bytes = await writeSavedModel(`${dir}/model`, 1000);
 * await Deno.remove(dir, { recursive: true });
 * assert.equal(bytes > 0, true);
 * ```
 */
export async function writeSavedModel(path: string, nodes: number): Promise<number> {
  await Deno.mkdir(path, { recursive: true });
  const bytes = savedModel(nodes);
  await Deno.writeFile(join(path, "saved_model.pb"), bytes);
  return bytes.length;
}

/** Bytes of one weight constant in the frozen-graph case. */
const FROZEN_CONST_BYTES = 128 * 1024 * 1024;

function varint(value: number): number[] {
  const out = [];
  for (; value >= 0x80; value = Math.floor(value / 128)) out.push((value % 128) | 0x80);
  out.push(value);
  return out;
}

/** A length-delimited field's tag and length, for a payload written after them. */
function fieldHead(tag: number, length: number): number[] {
  return [tag, ...varint(length)];
}

/**
 * Writes at `path` a frozen GraphDef of about `bytes` bytes, sparse: Const nodes of 128 MiB whose
 * tensor_content is a hole (zero weights, no disk space), then a PyFunc node the scan must find after
 * them. Returns the file's size.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeSparseFrozenGraph } from "./bench_tensorflow.ts";
 * const path = await Deno.makeTempFile({ suffix: ".pb" });
 * const size = await writeSparseFrozenGraph(path, 256 * 1024 * 1024);
 * await Deno.remove(path);
 * assert.equal(size > 256 * 1024 * 1024, true);
 * ```
 */
export async function writeSparseFrozenGraph(path: string, bytes: number): Promise<number> {
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  let offset = 0;
  const write = async (part: Uint8Array) => {
    await file.seek(offset, Deno.SeekMode.Start);
    for (let done = 0; done < part.length;) done += await file.write(part.subarray(done));
  };
  for (let i = 0; i < Math.max(1, Math.round(bytes / FROZEN_CONST_BYTES)); i++) {
    // NodeDef{name, op, attr{"value": AttrValue{tensor: TensorProto{dtype: DT_FLOAT, tensor_content}}}}
    const tensor = [0x08, 0x01, ...fieldHead(0x22, FROZEN_CONST_BYTES)];
    const value = fieldHead(0x42, tensor.length + FROZEN_CONST_BYTES);
    const entryLength = value.length + tensor.length + FROZEN_CONST_BYTES;
    const entry = [0x0a, 5, ...utf8("value"), ...fieldHead(0x12, entryLength)];
    const body = [
      ...encode("tensorflow.NodeDef", { name: `weights_${i}`, op: "Const" }),
      ...fieldHead(0x2a, entry.length + entryLength),
    ];
    const nodeLength = body.length + entry.length + entryLength;
    const head = new Uint8Array([...fieldHead(0x0a, nodeLength), ...body, ...entry, ...value, ...tensor]);
    await write(head);
    offset += head.length + FROZEN_CONST_BYTES;
  }
  const pyfunc = encode("tensorflow.NodeDef", node("py", "PyFunc", [], { token: { s: utf8("pyfunc_0") } }));
  await write(new Uint8Array([...fieldHead(0x0a, pyfunc.length), ...pyfunc]));
  return offset + 2 + pyfunc.length;
}
