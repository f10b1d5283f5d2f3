"""Writes the false-positive sweep: benign files made by the real libraries, one folder per family.

    /usr/bin/python3 scripts/sweep_benign.py [OUT]      # default .bench/sweep (git-ignored)
    deno task sweep                                     # writes them, then scans them (scripts/sweep.ts)

Every file is what a user's real training run writes: nothing here is crafted, and nothing is ever loaded.
A finding on any of them is a false alarm. The families:

  sklearn          LogisticRegression, RandomForest and a Pipeline, pickle protocols 0-5 and joblib.dump
  numpy            arrays of many dtypes, structured and object-free, pickle protocols 2-5
  stdlib           containers, records, dates, decimals, fractions, UUIDs, pickle protocols 0-5
  torch-state      state_dicts of torch.nn models, torch.save (zip) and pickle protocols 2 and 4
  torch-module     whole torch.nn models, torch.save
  optimizers       every torch.optim optimizer, whole, before and after a step, torch.save protocols 2 and 4
  lr-schedulers    every LR scheduler's state_dict() and every whole scheduler torch can pickle, after steps
  regex-flags      every re.RegexFlag member, unions of them, and compiled patterns, pickle protocols 2-5
  torchscript      torch.jit.script and torch.jit.trace of torch.nn models: code/, data.pkl, debug_pkl sources
  safetensors      state_dicts of torch.nn models in F32, F16 and BF16, in the reference writer's layout
                   (make_safetensors_fixtures.serialize), with and without metadata; also named .bin
  onnx             every model of onnx's own backend test cases (one per operator variant: subgraphs, local
                   functions, ai.onnx.ml, training and preview domains), and torch.onnx.export of torch.nn models
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from debian_python import reexec_if_needed  # noqa: E402

reexec_if_needed(__file__, ("torch", "numpy", "sklearn", "joblib", "onnx"))

import io  # noqa: E402
import itertools  # noqa: E402
import pickle  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import warnings  # noqa: E402

import joblib  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

import make_fixtures as mf  # noqa: E402
import make_pytorch_fixtures as mpf  # noqa: E402
import make_safetensors_fixtures as msf  # noqa: E402
from fixture_manifest import ROOT  # noqa: E402

PROTOCOLS = range(0, pickle.HIGHEST_PROTOCOL + 1)


def torch_saved(obj: object, protocol: int = 2) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf, pickle_protocol=protocol)
    return buf.getvalue()


def joblib_dumped(obj: object) -> bytes:
    buf = io.BytesIO()
    joblib.dump(obj, buf)
    return buf.getvalue()


def torch_models() -> dict[str, torch.nn.Module]:
    torch.manual_seed(0)
    return {
        "mlp": torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.GELU(), torch.nn.Dropout(0.1), torch.nn.Linear(8, 2)),
        "cnn": torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.ReLU(),
                                   torch.nn.MaxPool2d(2), torch.nn.Flatten()),
        "lstm": torch.nn.LSTM(3, 4, num_layers=2),
        "embedding": torch.nn.Embedding(10, 4),
        "transformer": torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(8, 2, 16), 1),
        "layernorm": torch.nn.LayerNorm(4),
    }


def jit_saved(module: torch.jit.ScriptModule) -> bytes:
    buf = io.BytesIO()
    torch.jit.save(module, buf)
    return buf.getvalue()


def torchscript_files() -> dict[str, bytes]:
    """Scripted and traced models: their code/ (TorchScript), data.pkl and debug_pkl (the original source)."""
    models = {**torch_models(), "gru": torch.nn.GRU(3, 4), "mha": torch.nn.MultiheadAttention(8, 2),
              "embedding_bag": torch.nn.EmbeddingBag(10, 3)}
    out = {f"{name}_scripted.pt": jit_saved(torch.jit.script(model)) for name, model in models.items()}
    inputs = {"mlp": torch.randn(2, 4), "cnn": torch.randn(1, 1, 6, 6), "lstm": torch.randn(2, 1, 3)}
    out.update({f"{name}_traced.pt": jit_saved(torch.jit.trace(models[name], x)) for name, x in inputs.items()})
    return out


def onnx_files() -> dict[str, bytes]:
    """onnx's backend test case models, and torch.onnx.export of the torch.nn models (opset 13)."""
    # onnx 1.12's test cases still use the numpy aliases numpy 1.24 removed; they mean the builtins.
    for alias, builtin in (("float", float), ("int", int), ("bool", bool), ("object", object)):
        setattr(np, alias, getattr(np, alias, builtin))
    from onnx.backend.test.case import node

    out = {f"{case.name}.onnx": case.model.SerializeToString() for case in node.collect_testcases(None)
           if case.model is not None}
    inputs = {"mlp": torch.randn(2, 4), "cnn": torch.randn(1, 1, 6, 6), "lstm": torch.randn(2, 1, 3),
              "embedding": torch.tensor([1, 2]), "transformer": torch.randn(3, 1, 8), "layernorm": torch.randn(2, 4)}
    for name, model in torch_models().items():
        buf = io.BytesIO()
        torch.onnx.export(model.eval(), inputs[name], buf, opset_version=13)
        out[f"torch_{name}.onnx"] = buf.getvalue()
    return out


def stepped(opt: torch.optim.Optimizer) -> torch.optim.Optimizer:
    """The optimizer after one step on a loss of its own parameters, so that its state holds tensors."""
    params = [p for group in opt.param_groups for p in group["params"]]

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = sum((p.to_dense() if p.is_sparse else p).sum() for p in params)
        loss.backward()
        return loss

    if any(p.grad is not None and p.grad.is_sparse for p in params) or isinstance(opt, torch.optim.SparseAdam):
        return opt  # a sparse step needs sparse gradients from an embedding lookup; the whole optimizer is enough
    opt.step(closure)
    return opt


def families() -> dict[str, dict[str, bytes]]:
    out: dict[str, dict[str, bytes]] = {}
    models = mf.sklearn_models()
    out["sklearn"] = {f"{name}_p{p}.pkl": pickle.dumps(model, protocol=p)
                      for name, model in models.items() for p in PROTOCOLS}
    out["sklearn"].update({f"{name}.joblib": joblib_dumped(model) for name, model in models.items()})

    arrays = {**mf.numpy_arrays(), **{str(dt): np.arange(6).astype(dt) for dt in
                                      ["int8", "uint16", "float16", "complex64", "bool", "datetime64[s]", "U3"]}}
    out["numpy"] = {f"{name.replace('[', '_').replace(']', '')}_p{p}.pkl": pickle.dumps(a, protocol=p)
                    for name, a in arrays.items() for p in range(2, pickle.HIGHEST_PROTOCOL + 1)}

    out["stdlib"] = {f"objects_p{p}.pkl": pickle.dumps(mf.stdlib_objects(), protocol=p) for p in PROTOCOLS}

    with mf.stable_torch_storage_keys():
        out["torch-state"] = {f"{name}_state.pt": torch_saved(model.state_dict())
                              for name, model in torch_models().items()}
        out["torch-state"].update({f"{name}_state_p{p}.pkl": pickle.dumps(model.state_dict(), protocol=p)
                                   for name, model in torch_models().items() for p in (2, 4)})
        out["torch-module"] = {f"{name}.pt": torch_saved(model) for name, model in torch_models().items()}

        out["optimizers"] = {}
        for p in (2, 4):
            for name, opt in mpf.optimizers():
                out["optimizers"][f"{name}_p{p}.pt"] = torch_saved(opt, p)
            for name, opt in mpf.optimizers():
                out["optimizers"][f"{name}_stepped_p{p}.pt"] = torch_saved(stepped(opt), p)

        out["lr-schedulers"] = {}
        for name, scheduler in mpf.lr_schedulers():
            for _ in range(3):
                scheduler.optimizer.step() if hasattr(scheduler, "optimizer") else None
                scheduler.step(0.5) if name == "ReduceLROnPlateau" else scheduler.step()
            if mpf.pickles(scheduler.state_dict()):
                out["lr-schedulers"][f"{name}_state.pt"] = torch_saved(scheduler.state_dict())
            if mpf.pickles(scheduler):
                out["lr-schedulers"][f"{name}.pt"] = torch_saved(scheduler)

    out["torchscript"] = torchscript_files()
    out["onnx"] = onnx_files()

    out["safetensors"] = {}
    for name, model in torch_models().items():
        for dtype in (torch.float32, torch.float16, torch.bfloat16):
            state = {key: (value.to(dtype) if value.is_floating_point() else value)
                     for key, value in model.state_dict().items()}
            tensors = {key: msf.from_torch(value) for key, value in state.items()}
            label = str(dtype).removeprefix("torch.")
            out["safetensors"][f"{name}_{label}.safetensors"] = msf.serialize(tensors, {"format": "pt"})
        out["safetensors"][f"{name}_no_metadata.bin"] = msf.serialize(
            {key: msf.from_torch(value) for key, value in model.state_dict().items()})

    members = list(re.RegexFlag.__members__.values())
    flags = {m.name: m for m in members}
    flags.update({f"{a.name}_{b.name}": a | b for a, b in itertools.combinations(members, 2)})
    compilable = re.IGNORECASE | re.MULTILINE | re.DOTALL | re.VERBOSE
    out["regex-flags"] = {f"{name}_p{p}.pkl": pickle.dumps({"flags": value, "pattern": re.compile("a+", value & compilable)},
                                                           protocol=p)
                          for name, value in flags.items() for p in range(2, pickle.HIGHEST_PROTOCOL + 1)}
    return out


def main() -> None:
    # Stepping schedulers past their optimizer warns about the order of calls; the files are what matters.
    warnings.simplefilter("ignore", UserWarning)
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / ".bench" / "sweep"
    if out.exists():
        shutil.rmtree(out)
    total = 0
    for family, files in families().items():
        folder = out / family
        folder.mkdir(parents=True)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        total += len(files)
        print(f"{family}: {len(files)} files")
    print(f"wrote {total} files under {out}")


if __name__ == "__main__":
    main()
