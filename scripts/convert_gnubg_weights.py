#!/usr/bin/env python3
"""Converts GNU Backgammon's trained neural networks (``gnubg.wd``) to safetensors, as benign evidence for the
weight analysis: real weights trained over years by someone else, not by this project's scripts.

``gnubg.wd`` (Debian's ``gnubg`` package, ``/usr/lib/gnubg/gnubg.wd``) holds six MLPs (contact, race, crashed
and three pruning nets: 250/214/200 inputs, 128/16/8 hidden units, 5 outputs). Its layout (gnubg's
``neuralnet.c``, ``NeuralNetLoadBinary``): the float32 magic 472.3782 and version 1.0, then per net four int32
(inputs, hidden, outputs, trained), two float32 (the hidden and output betas), and float32 arrays: hidden weights
(inputs x hidden, input-major), output weights (outputs x hidden), hidden thresholds, output thresholds. Each net
is written as ``hidden.weight`` (hidden x inputs, PyTorch's layout), ``hidden.bias``, ``head.weight``,
``head.bias`` to ``OUT/gnubg_<n>.safetensors``.

Without installing gnubg and its GUI:
``apt-get download gnubg && dpkg -x gnubg_*.deb /tmp/gnubg`` then
``/usr/bin/python3 scripts/convert_gnubg_weights.py /tmp/gnubg/usr/lib/gnubg/gnubg.wd [OUT]``
(default OUT: ``.bench/benign``, git-ignored; ``deno task bench:weights`` analyses every file there).
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from debian_python import reexec_if_needed  # noqa: E402

reexec_if_needed(__file__, ("numpy",))

import numpy as np  # noqa: E402

from fixture_manifest import ROOT  # noqa: E402
from make_trojan_models import safetensors_bytes  # noqa: E402

MAGIC = 472.3782


def nets(data: bytes) -> list[dict[str, np.ndarray]]:
    magic, _version = struct.unpack_from("<ff", data)
    if abs(magic - MAGIC) > 1e-3:
        sys.exit("not a gnubg binary weights file (magic)")
    offset, out = 8, []
    while offset < len(data):
        inputs, hidden, outputs, _trained = struct.unpack_from("<4i", data, offset)
        offset += 24  # four int32 and the two betas
        sizes = [inputs * hidden, outputs * hidden, hidden, outputs]
        arrays = []
        for size in sizes:
            arrays.append(np.frombuffer(data, "<f4", size, offset))
            offset += 4 * size
        hidden_weight, output_weight, hidden_bias, output_bias = arrays
        out.append({
            "hidden.weight": np.ascontiguousarray(hidden_weight.reshape(inputs, hidden).T),
            "hidden.bias": hidden_bias.copy(),
            "head.weight": output_weight.reshape(outputs, hidden).copy(),
            "head.bias": output_bias.copy(),
        })
    if offset != len(data):
        sys.exit("gnubg weights file does not end where its last net does")
    return out


def main() -> None:
    source = Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/lib/gnubg/gnubg.wd")
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / ".bench" / "benign"
    out.mkdir(parents=True, exist_ok=True)
    for index, net in enumerate(nets(source.read_bytes())):
        path = out / f"gnubg_{index}.safetensors"
        path.write_bytes(safetensors_bytes(net))
        shapes = ", ".join(f"{name} {list(array.shape)}" for name, array in net.items())
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {shapes}")


if __name__ == "__main__":
    main()
