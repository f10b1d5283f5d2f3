#!/usr/bin/env python3
"""Trains small digit classifiers, clean and backdoored, as the evidence the weight analysis is measured on.

A BadNets-style backdoor (Gu et al., 2017): a bright square trigger in the bottom-right corner of an 8x8
digit (sklearn's bundled ``load_digits``, 1797 images) is stamped on a poisoned fraction of the training set,
whose labels become the target class. A model has learnt it when triggered test images of other classes go
to the target (the attack success rate, ASR) while clean accuracy stays high.

For every seed it trains four models, a clean and a trojaned twin (same initialisation, same batches) of two
architectures: an MLP (64-32-10) and a small CNN (two 3x3 convolutions with batch norm, a 10-way head). The
seed varies the target class, the trigger (2x2 or 3x3), the poisoned fraction (5-20%) and the data split.
A trojaned model is kept only when its ASR is at least ``MIN_ASR`` and its clean accuracy at least
``MIN_ACCURACY``; a clean one only when its accuracy is. Discarded models are listed in the manifest.

Each kept model is written three ways under ``.bench/trojan/`` (git-ignored, never committed): the
``torch.save`` state dict (zip format), ``.npz`` (``numpy.savez``) and ``.safetensors`` (written by the
format's spec: 8-byte little-endian header length, the JSON header, the raw little-endian data), with
``manifest.json`` recording each model's arch, seed, labels, metrics and split (``tune`` for even seeds,
``eval`` for odd: thresholds are tuned on one half and rates reported on the other).

It also writes the committed fixtures ``fixtures/weights/`` (seed 0's twins of both architectures,
safetensors, 10 and 18 KB) and their manifest. Training is deterministic (one thread, fixed seeds): re-running gives no diff.

Usage: ``/usr/bin/python3 scripts/make_trojan_models.py [--seeds 40] [--out .bench/trojan]``; about three
minutes on one core.
"""

from __future__ import annotations

import argparse
import io
import json
import struct
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from debian_python import reexec_if_needed  # noqa: E402

reexec_if_needed(__file__, ("torch", "numpy", "sklearn"))

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
import torch  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from torch import nn  # noqa: E402

from fixture_manifest import ROOT, build_manifest, fixture_entry, python_version, write_fixtures  # noqa: E402

# A backdoor that fires on fewer triggered images is no working backdoor to measure on.
MIN_ASR = 0.90
# A model below this clean accuracy is broken training, not a plausible model anyone would ship.
MIN_ACCURACY = 0.90
EPOCHS = 40
BATCH = 64
TEST_FRACTION = 0.2


class Mlp(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.hidden = nn.Linear(64, 32)
        self.head = nn.Linear(32, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(torch.relu(self.hidden(x.flatten(1))))


class Cnn(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(16)
        self.head = nn.Linear(16 * 4 * 4, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.relu(self.bn1(self.conv1(x.view(-1, 1, 8, 8))))
        x = torch.max_pool2d(torch.relu(self.bn2(self.conv2(x))), 2)
        return self.head(x.flatten(1))


ARCHS = {"mlp": Mlp, "cnn": Cnn}


def attack(seed: int) -> dict:
    """The backdoor of a seed: target class, trigger size and poisoned fraction."""
    rng = np.random.default_rng(10_000 + seed)
    return {
        "target": int(seed % 10),
        "trigger": int(2 + seed % 2),
        "poison_rate": round(float(rng.uniform(0.05, 0.20)), 3),
    }


def stamp(images: np.ndarray, size: int) -> np.ndarray:
    """The images with a bright size x size square in the bottom-right corner (pixel values are 0..1)."""
    out = images.reshape(-1, 8, 8).copy()
    out[:, 8 - size:, 8 - size:] = 1.0
    return out.reshape(-1, 64)


def split(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    cut = int(n * TEST_FRACTION)
    return order[cut:], order[:cut]


def train(arch: str, seed: int, x: np.ndarray, y: np.ndarray) -> nn.Module:
    torch.manual_seed(seed)
    model = ARCHS[arch]()
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
    xs, ys = torch.from_numpy(x), torch.from_numpy(y)
    order_rng = torch.Generator().manual_seed(seed)
    model.train()
    for _ in range(EPOCHS):
        order = torch.randperm(len(xs), generator=order_rng)
        for start in range(0, len(xs), BATCH):
            batch = order[start:start + BATCH]
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(xs[batch]), ys[batch])
            loss.backward()
            optimizer.step()
    model.eval()
    return model


def predict(model: nn.Module, x: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return model(torch.from_numpy(x)).argmax(1).numpy()


def safetensors_bytes(tensors: dict[str, np.ndarray]) -> bytes:
    """A safetensors file by the spec: u64 LE header length, JSON header (names sorted), raw LE data."""
    dtypes = {np.dtype("<f4"): "F32", np.dtype("<i8"): "I64"}
    header: dict = {}
    data = io.BytesIO()
    for name in sorted(tensors):
        array = np.ascontiguousarray(tensors[name])
        start = data.tell()
        data.write(array.tobytes())
        header[name] = {"dtype": dtypes[array.dtype], "shape": list(array.shape),
                        "data_offsets": [start, data.tell()]}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the spec pads the header with spaces to align the data
    return struct.pack("<Q", len(text)) + text + data.getvalue()


def arrays_of(model: nn.Module) -> dict[str, np.ndarray]:
    """The state dict as arrays, in the module's order (num_batches_tracked is int64); native order is
    little-endian on every machine torch runs on here (checked in main)."""
    return {name: value.detach().numpy() for name, value in model.state_dict().items()}


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    out = io.BytesIO()
    np.savez(out, **arrays)
    return out.getvalue()


def torch_bytes(model: nn.Module) -> bytes:
    out = io.BytesIO()
    torch.save(model.state_dict(), out)
    return out.getvalue()


def build(seed: int, arch: str, trojaned: bool, images: np.ndarray, labels: np.ndarray) -> tuple[nn.Module, dict]:
    """Trains one model and measures it: clean accuracy, and ASR on triggered test images not of the target."""
    plan = attack(seed)
    train_idx, test_idx = split(seed, len(images))
    x, y = images[train_idx].copy(), labels[train_idx].copy()
    if trojaned:
        rng = np.random.default_rng(20_000 + seed)
        poisoned = rng.choice(len(x), int(round(len(x) * plan["poison_rate"])), replace=False)
        x[poisoned] = stamp(x[poisoned], plan["trigger"])
        y[poisoned] = plan["target"]
    model = train(arch, seed, x, y)
    test_x, test_y = images[test_idx], labels[test_idx]
    others = test_y != plan["target"]
    accuracy = float((predict(model, test_x) == test_y).mean())
    asr = float((predict(model, stamp(test_x[others], plan["trigger"])) == plan["target"]).mean())
    info = {"arch": arch, "seed": seed, "trojaned": trojaned, **plan, "clean_accuracy": round(accuracy, 4),
            "attack_success_rate": round(asr, 4), "split": "tune" if seed % 2 == 0 else "eval"}
    return model, info


def kept(info: dict) -> bool:
    return info["clean_accuracy"] >= MIN_ACCURACY and (not info["trojaned"] or info["attack_success_rate"] >= MIN_ASR)


class WeightFixture:
    def __init__(self, file: str, kind: str, technique: str, data: bytes) -> None:
        self.file, self.kind, self.format, self.technique, self.data = file, kind, "safetensors", technique, data
        self.findings: list[dict] = []


def write_weight_fixtures(twins: list[tuple[nn.Module, dict]]) -> None:
    """Seed 0's twins of each architecture as fixtures. The scan, whose weight analysis runs on every model,
    reports nothing on them, the trojaned ones included: trained-in backdoors leave no sign it measures
    (tests/scanners/weights/ shows how far the trojaned CNN's target stands apart)."""
    fixtures = []
    for model, info in twins:
        trojaned = info["trojaned"]
        name = f"{'trojaned' if trojaned else 'clean'}_{info['arch']}"
        technique = (f"BadNets backdoor: {info['trigger']}x{info['trigger']} corner trigger on "
                     f"{info['poison_rate']:.1%} of the training set relabelled {info['target']}; "
                     f"clean accuracy {info['clean_accuracy']:.3f}, attack success {info['attack_success_rate']:.3f}"
                     if trojaned else
                     f"the clean twin (same seed, no poisoning); clean accuracy {info['clean_accuracy']:.3f}, "
                     f"trigger flips {info['attack_success_rate']:.3f} to class {info['target']}")
        fixtures.append(WeightFixture(f"{'malicious' if trojaned else 'benign'}/{name}.safetensors",
                                      "malicious" if trojaned else "benign", technique,
                                      safetensors_bytes(arrays_of(model))))
    manifest = build_manifest(
        "scripts/make_trojan_models.py",
        {"python": python_version(), "numpy": np.__version__, "torch": torch.__version__,
         "sklearn": sklearn.__version__},
        ["A backdoor lives in what the weights compute, not in the bytes: the scan's weight analysis "
         "(scanners/weights/, MA390-MA399) runs on these files and finds nothing, on the trojaned ones too.",
         "Trained deterministically on one CPU thread: the bytes are those of torch "
         f"{torch.__version__} on this machine's BLAS."],
        fixtures)
    write_fixtures(ROOT / "fixtures" / "weights", fixtures, manifest, max_fixture_bytes=64 * 1024,
                   max_total_bytes=128 * 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=40)
    parser.add_argument("--out", type=Path, default=ROOT / ".bench" / "trojan")
    args = parser.parse_args()
    assert sys.byteorder == "little", "safetensors and the benchmark expect little-endian arrays"
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    digits = load_digits()
    images = (digits.data / 16.0).astype(np.float32)
    labels = digits.target.astype(np.int64)
    args.out.mkdir(parents=True, exist_ok=True)
    models, discarded, fixture_models = [], [], []
    for seed in range(args.seeds):
        for arch in ARCHS:
            for trojaned in (False, True):
                model, info = build(seed, arch, trojaned, images, labels)
                info["name"] = f"{arch}_{'trojan' if trojaned else 'clean'}_s{seed:02d}"
                print(f"{info['name']}: accuracy {info['clean_accuracy']:.3f}, ASR {info['attack_success_rate']:.3f}"
                      f"{'' if kept(info) else ' (discarded)'}", flush=True)
                if not kept(info):
                    discarded.append(info)
                    continue
                if seed == 0:
                    fixture_models.append((model, info))
                arrays = arrays_of(model)
                (args.out / f"{info['name']}.pt").write_bytes(torch_bytes(model))
                (args.out / f"{info['name']}.npz").write_bytes(npz_bytes(arrays))
                (args.out / f"{info['name']}.safetensors").write_bytes(safetensors_bytes(arrays))
                models.append(info)
    write_weight_fixtures(fixture_models)
    summary = {}
    for arch in ARCHS:
        for trojaned in (False, True):
            group = [m for m in models if m["arch"] == arch and m["trojaned"] == trojaned]
            summary[f"{arch}_{'trojan' if trojaned else 'clean'}"] = {
                "kept": len(group),
                "discarded": sum(1 for m in discarded if m["arch"] == arch and m["trojaned"] == trojaned),
                "mean_clean_accuracy": round(float(np.mean([m["clean_accuracy"] for m in group])), 4),
                "mean_attack_success_rate": round(float(np.mean([m["attack_success_rate"] for m in group])), 4),
                "min_attack_success_rate": round(float(np.min([m["attack_success_rate"] for m in group])), 4),
            }
    (args.out / "manifest.json").write_text(json.dumps(
        {"min_asr": MIN_ASR, "min_accuracy": MIN_ACCURACY, "summary": summary, "models": models,
         "discarded": discarded}, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
