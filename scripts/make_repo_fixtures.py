#!/usr/bin/env python3
"""Writes the model-repository fixtures: Hugging Face folders (``fixtures/huggingface/``) as transformers'
``save_pretrained`` lays them out, Git LFS pointers in their place, TorchServe ``.mar`` archives
(``fixtures/torchserve/``) and Flax msgpack checkpoints (``fixtures/msgpack/``).

transformers, torch-model-archiver and flax are not installed: their layouts are written as their code
writes them (``PretrainedConfig.to_json_string``: ``indent=2, sort_keys=True``; torch-model-archiver's
``MAR-INF/MANIFEST.json``; ``flax.serialization.to_bytes``' ext types), the weights by torch and numpy.
The Python modules are harmless text, never imported; the malicious ones' payload is ``echo pwned``.
Re-running gives byte-identical files.
"""

from __future__ import annotations

from debian_python import reexec_if_needed  # noqa: E402

if __name__ == "__main__":
    reexec_if_needed(__file__, ("numpy", "torch", "msgpack"))

import hashlib  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import zipfile  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

import msgpack  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from fixture_manifest import (  # noqa: E402
    ROOT, ZIP_EARLIEST, build_manifest, expected_finding, python_version, write_json)
from make_safetensors_fixtures import from_torch, serialize  # noqa: E402

MAX_FIXTURE_BYTES = 64 * 1024


def config_json(values: dict) -> str:
    """A config as ``PretrainedConfig.to_json_string`` writes it."""
    return json.dumps(values, indent=2, sort_keys=True) + "\n"


def tiny_weights(seed: int) -> bytes:
    """A two-tensor safetensors file, as ``save_pretrained(safe_serialization=True)`` writes a tiny model."""
    torch.manual_seed(seed)
    tensors = {"lm_head.weight": torch.randn(16, 8), "embed.weight": torch.randn(16, 8)}
    return serialize({name: from_torch(t) for name, t in tensors.items()}, {"format": "pt"})


def lfs_pointer(content: bytes) -> bytes:
    """The pointer ``git lfs`` leaves for ``content`` in a clone made without it."""
    oid = hashlib.sha256(content).hexdigest()
    return f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {len(content)}\n".encode()


GPT2_CONFIG = {
    "_name_or_path": "tiny-gpt2",
    "activation_function": "gelu_new",
    "architectures": ["GPT2LMHeadModel"],
    "bos_token_id": 0,
    "eos_token_id": 0,
    "model_type": "gpt2",
    "n_embd": 8,
    "n_head": 2,
    "n_layer": 1,
    "n_positions": 64,
    "torch_dtype": "float32",
    "transformers_version": "4.44.2",
    "vocab_size": 16,
}

CHATML = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + "
          "'<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")

TOKENIZER_CONFIG = {
    "add_prefix_space": False,
    "added_tokens_decoder": {"0": {"content": "<|endoftext|>", "lstrip": False, "normalized": True,
                                   "rstrip": False, "single_word": False, "special": True}},
    "bos_token": "<|endoftext|>",
    "chat_template": CHATML,
    "clean_up_tokenization_spaces": True,
    "eos_token": "<|endoftext|>",
    "model_max_length": 64,
    "tokenizer_class": "GPT2Tokenizer",
    "unk_token": "<|endoftext|>",
}

TOKENIZER_JSON = {
    "version": "1.0",
    "truncation": None,
    "padding": None,
    "added_tokens": [{"id": 0, "content": "<|endoftext|>", "single_word": False, "lstrip": False,
                      "rstrip": False, "normalized": True, "special": True}],
    "normalizer": None,
    "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
    "post_processor": None,
    "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
    "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
              "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
              "vocab": {"<|endoftext|>": 0, "a": 1, "b": 2, "ab": 3}, "merges": ["a b"]},
}

MODEL_CARD = """---
license: mit
library_name: transformers
---

# tiny-gpt2

A one-layer GPT-2 of eight dimensions, for tests.
"""

CONFIGURATION_PY = '''from transformers import PretrainedConfig


class TinyConfig(PretrainedConfig):
    model_type = "tiny"

    def __init__(self, hidden_size=8, vocab_size=16, **kwargs):
        self.hidden_size = hidden_size
        self.vocab_size = vocab_size
        super().__init__(**kwargs)
'''

MODELING_PY = '''import torch
from torch import nn
from transformers import PreTrainedModel

from .configuration_tiny import TinyConfig


class TinyForCausalLM(PreTrainedModel):
    config_class = TinyConfig

    def __init__(self, config):
        super().__init__(config)
        self.embed = nn.Embedding(config.vocab_size, config.hidden_size)
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)

    def forward(self, input_ids):
        return self.lm_head(torch.tanh(self.embed(input_ids)))
'''

# The payload runs when transformers imports the module, before any class is used.
MODELING_OS_SYSTEM_PY = '''import os

import torch
from torch import nn
from transformers import PreTrainedModel

from .configuration_tiny import TinyConfig

os.system("echo pwned")


class TinyForCausalLM(PreTrainedModel):
    config_class = TinyConfig

    def __init__(self, config):
        super().__init__(config)
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)

    def forward(self, input_ids):
        return self.lm_head(torch.zeros(input_ids.shape + (8,)))
'''

TINY_CONFIG = {
    "architectures": ["TinyForCausalLM"],
    "auto_map": {"AutoConfig": "configuration_tiny.TinyConfig", "AutoModelForCausalLM": "modeling_tiny.TinyForCausalLM"},
    "hidden_size": 8,
    "model_type": "tiny",
    "torch_dtype": "float32",
    "transformers_version": "4.44.2",
    "vocab_size": 16,
}


def plain_folder() -> dict[str, bytes | str]:
    """What ``save_pretrained`` of a GPT-2 and its tokenizer writes, with the Hub's model card."""
    return {
        "README.md": MODEL_CARD,
        "config.json": config_json(GPT2_CONFIG),
        "generation_config.json": config_json({"_from_model_config": True, "bos_token_id": 0, "eos_token_id": 0,
                                               "transformers_version": "4.44.2"}),
        "model.safetensors": tiny_weights(0),
        "special_tokens_map.json": json.dumps({"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>",
                                               "unk_token": "<|endoftext|>"}, indent=2) + "\n",
        "tokenizer.json": json.dumps(TOKENIZER_JSON, indent=2, ensure_ascii=False) + "\n",
        "tokenizer_config.json": json.dumps(TOKENIZER_CONFIG, indent=2, ensure_ascii=False) + "\n",
    }


def remote_code_folder(modeling: str = MODELING_PY, config: dict | None = None) -> dict[str, bytes | str]:
    """A model with remote code as ``save_pretrained`` writes it after ``register_for_auto_class``."""
    return {
        "config.json": config_json(config or TINY_CONFIG),
        "configuration_tiny.py": CONFIGURATION_PY,
        "modeling_tiny.py": modeling,
        "model.safetensors": tiny_weights(1),
        "generation_config.json": config_json({"_from_model_config": True, "transformers_version": "4.44.2"}),
    }


def huggingface() -> dict[str, dict[str, bytes | str]]:
    remote = remote_code_folder()
    other_repo = dict(TINY_CONFIG, auto_map={
        "AutoConfig": "someone/tiny-remote--configuration_tiny.TinyConfig",
        "AutoModelForCausalLM": "someone/tiny-remote--modeling_tiny.TinyForCausalLM",
    })
    missing = dict(TINY_CONFIG)
    pipeline_config = dict(GPT2_CONFIG, custom_pipelines={"pair-classification": {
        "impl": "pair_classification.PairClassificationPipeline", "pt": ["AutoModelForSequenceClassification"],
        "tf": [], "type": "text"}})
    weights = tiny_weights(0)
    return {
        "benign/plain": plain_folder(),
        "benign/remote_code": remote,
        "malicious/os_system_module": remote_code_folder(MODELING_OS_SYSTEM_PY),
        "malicious/other_repository": {"config.json": config_json(other_repo), "model.safetensors": tiny_weights(2)},
        "malicious/missing_module": {"config.json": config_json(missing), "model.safetensors": tiny_weights(3)},
        "malicious/custom_pipeline": {
            "config.json": config_json(pipeline_config),
            "model.safetensors": tiny_weights(4),
            "pair_classification.py": "from transformers import TextClassificationPipeline\n\n\n"
                                      "class PairClassificationPipeline(TextClassificationPipeline):\n    pass\n",
        },
        "malicious/tokenizer_auto_map": {
            **plain_folder(),
            "tokenizer_config.json": json.dumps(dict(TOKENIZER_CONFIG, auto_map={
                "AutoTokenizer": ["tokenization_tiny.TinyTokenizer", None]}), indent=2) + "\n",
        },
        "malicious/malformed_auto_map": {
            "config.json": config_json(dict(TINY_CONFIG, auto_map={"AutoModel": 42})),
            "model.safetensors": tiny_weights(5),
        },
        "malicious/lfs_pointers": {
            "config.json": config_json(GPT2_CONFIG),
            "pytorch_model.bin": lfs_pointer(torch_checkpoint()),
            "model.safetensors": lfs_pointer(weights),
        },
    }


def torch_checkpoint() -> bytes:
    """``torch.save`` of a tiny state dict, as ``pytorch_model.bin``."""
    torch.manual_seed(0)
    buffer = io.BytesIO()
    torch.save({"lm_head.weight": torch.randn(4, 4)}, buffer)
    return buffer.getvalue()


@dataclass
class Entry:
    """A file of an area listed in its ``expected.json``: what scanning its bytes alone must find."""
    file: str
    kind: str
    format: str | None
    technique: str
    findings: list[dict] = field(default_factory=list)
    data: bytes = b""


VERSIONS = {"python": python_version(), "numpy": np.__version__, "torch": torch.__version__,
            "msgpack": ".".join(map(str, msgpack.version))}


def write_area(area: str, folders: dict[str, dict[str, bytes | str]], readme: str, entries: list[Entry],
               assumptions: list[str]) -> None:
    """Writes the area's folders, README and manifest, deleting what an earlier run left."""
    out = ROOT / "fixtures" / area
    shutil.rmtree(out, ignore_errors=True)
    for folder, files in folders.items():
        for name, content in files.items():
            path = out / folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            data = content.encode() if isinstance(content, str) else content
            if len(data) > MAX_FIXTURE_BYTES:
                raise SystemExit(f"{path}: {len(data)} bytes, over {MAX_FIXTURE_BYTES}")
            path.write_bytes(data)
    (out / "README.md").write_text(readme)
    for entry in entries:
        entry.data = (out / entry.file).read_bytes()
    write_json(out / "expected.json", build_manifest("scripts/make_repo_fixtures.py", VERSIONS, assumptions, entries))


HUGGINGFACE_README = """# Hugging Face folder fixtures

Written by `scripts/make_repo_fixtures.py` in the layout transformers' `save_pretrained` writes (configs by
`PretrainedConfig.to_json_string`, weights as safetensors from torch tensors); the `.py` modules are text,
never imported. Expected findings: `tests/scanners/huggingface/`.

- `benign/plain`: a GPT-2 with its tokenizer, generation config and model card: clean.
- `benign/remote_code`: a model with remote code (`auto_map` to `configuration_tiny.py`, `modeling_tiny.py`,
  both harmless): MA630 by design, one per module.
- `malicious/os_system_module`: the same, whose `modeling_tiny.py` runs `os.system("echo pwned")` on import
  (MA633 critical at the `auto_map` entry, MA600 in the module).
- `malicious/other_repository`: `auto_map` entries `someone/tiny-remote--module.Class` (MA631).
- `malicious/missing_module`: `auto_map` to modules the folder lacks (MA630, MA632).
- `malicious/custom_pipeline`: `custom_pipelines` with an `impl` (MA630).
- `malicious/tokenizer_auto_map`: `tokenizer_config.json` `auto_map` `[slow, null]` (MA630, MA632).
- `malicious/malformed_auto_map`: an `auto_map` entry that is a number (MA634).
- `malicious/lfs_pointers`: `pytorch_model.bin` and `model.safetensors` that are Git LFS pointers (MA635).
"""


HUGGINGFACE_ENTRIES = [
    Entry("benign/plain/model.safetensors", "benign", "safetensors", "save_pretrained's weights of a tiny GPT-2"),
    Entry("benign/plain/tokenizer_config.json", "benign", "chat-template-json",
          "a GPT-2 tokenizer config with a ChatML chat template"),
    Entry("malicious/lfs_pointers/pytorch_model.bin", "malicious", "git-lfs-pointer",
          "a torch.save checkpoint replaced by its Git LFS pointer: nothing of it can be scanned",
          [expected_finding("MA635")]),
    Entry("malicious/lfs_pointers/model.safetensors", "malicious", "git-lfs-pointer",
          "safetensors weights replaced by their Git LFS pointer, under the safetensors name (no MA001)",
          [expected_finding("MA635")]),
]

HUGGINGFACE_ASSUMPTIONS = [
    "Scanned as bytes, a folder's files are only what they hold; the folder findings (auto_map, "
    "custom_pipelines: MA630-MA634) need the folder, and are asserted in tests/scanners/huggingface/.",
]


def _ndarray_to_bytes(array: np.ndarray) -> bytes:
    """flax.serialization._ndarray_to_bytes: the msgpack of (shape, dtype name, C-order bytes)."""
    return msgpack.packb((array.shape, array.dtype.name, array.tobytes("C")), use_bin_type=True)


def _msgpack_ext_pack(x):
    """flax.serialization._msgpack_ext_pack: ndarrays as ext 1, NumPy scalars as ext 3, complex as ext 2."""
    if isinstance(x, np.ndarray):
        return msgpack.ExtType(1, _ndarray_to_bytes(x))
    if np.issctype(type(x)):
        return msgpack.ExtType(3, _ndarray_to_bytes(np.asarray(x)))
    if isinstance(x, complex):
        return msgpack.ExtType(2, msgpack.packb((x.real, x.imag)))
    return x


def to_bytes(state: dict) -> bytes:
    """flax.serialization.to_bytes of a state dict (msgpack_serialize: packb with the ext hook, strict types)."""
    return msgpack.packb(state, default=_msgpack_ext_pack, strict_types=True)


def flax_state() -> dict:
    """A Flax train state as to_state_dict gives it: a Dense layer and a LayerNorm's params, the step."""
    torch.manual_seed(2)
    kernel = torch.randn(4, 3).numpy()
    return {
        "params": {
            "Dense_0": {"bias": np.zeros(3, np.float32), "kernel": kernel},
            "LayerNorm_0": {"bias": np.zeros(3, np.float32), "scale": np.ones(3, np.float32)},
        },
        "opt_state": {"count": np.int32(7), "scale": complex(1.0, -0.5)},
        "step": np.int64(100),
    }


def msgpack_fixtures() -> tuple[dict[str, dict[str, bytes]], list[Entry]]:
    good = to_bytes(flax_state())
    wrong_size = msgpack.packb({"params": {"kernel": msgpack.ExtType(1, msgpack.packb(
        ((4, 3), "float32", b"\0" * 8), use_bin_type=True))}}, strict_types=True)
    # A loader whose ext_hook unpickles type 42 would run this; msgpack and Flax never do.
    pickled = b"cos\nsystem\n(S'echo pwned'\ntR."
    unknown = msgpack.packb({"params": {"kernel": msgpack.ExtType(42, pickled)}}, strict_types=True)
    # Python's packer stops at 511 levels: the nesting is assembled byte by byte (fixarray of one, 600 times).
    deep = b"\x91" * 600 + b"\x90"
    files = {
        "benign": {"flax_model.msgpack": good},
        "malicious": {
            "truncated.msgpack": good[:len(good) // 2],
            "trailing.msgpack": good + b"\xc0",
            "wrong_size.msgpack": wrong_size,
            "unknown_ext.msgpack": unknown,
            "deep.msgpack": deep,
        },
    }
    entries = [
        Entry("benign/flax_model.msgpack", "benign", "msgpack",
              "flax.serialization.to_bytes of params, a NumPy scalar step and a complex (ext types 1, 2, 3)"),
        Entry("malicious/truncated.msgpack", "malicious", "msgpack", "a Flax checkpoint cut in half",
              [expected_finding("MA150")]),
        Entry("malicious/trailing.msgpack", "malicious", "msgpack", "a Flax checkpoint with a byte after its object",
              [expected_finding("MA150")]),
        Entry("malicious/wrong_size.msgpack", "malicious", "msgpack",
              "an ndarray ext whose shape needs 48 bytes and holds 8", [expected_finding("MA150")]),
        Entry("malicious/unknown_ext.msgpack", "malicious", "msgpack",
              "an ext type 42 holding a pickle, for a loader whose ext_hook unpickles",
              [expected_finding("MA152", details={"extensionType": 42, "count": 1}),
               # The payload scanned on a guess, as an ext_hook that unpickles would read it.
               expected_finding("MA100", "<ext 42 #0>", 0), expected_finding("MA101", "<ext 42 #0>", 27)]),
        Entry("malicious/deep.msgpack", "malicious", "msgpack", "arrays nested 600 deep, past msgpack.maxDepth",
              [expected_finding("MA151", position=512, details={"option": "msgpack.maxDepth"})]),
    ]
    return files, entries


def mar(manifest_model: dict, members: dict[str, bytes | str]) -> bytes:
    """A .mar as torch-model-archiver writes it: the files, then MAR-INF/MANIFEST.json
    (ModelExportUtils.generate_manifest_json, indent 2), deflated, at a fixed date."""
    manifest = {"createdOn": "07/12/2026 14:00:00", "runtime": "python",
                "model": {"modelName": "tiny", **manifest_model, "modelVersion": "1.0"}, "archiverVersion": "0.9.0"}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in [*members.items(), ("MAR-INF/MANIFEST.json", json.dumps(manifest, indent=2))]:
            info = zipfile.ZipInfo(name, ZIP_EARLIEST)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()


CUSTOM_HANDLER_PY = '''import os

from ts.torch_handler.base_handler import BaseHandler

os.system("echo pwned")


class TinyHandler(BaseHandler):
    def postprocess(self, data):
        return data.argmax(1).tolist()
'''


def torchserve_fixtures() -> tuple[dict[str, dict[str, bytes]], list[Entry]]:
    weights = torch_checkpoint()
    model_py = "from torch import nn\n\n\nclass Tiny(nn.Linear):\n    def __init__(self):\n        super().__init__(4, 4)\n"
    labels = json.dumps({"0": "cat", "1": "dog"})
    files = {
        "benign": {
            "image_classifier.mar": mar({"serializedFile": "model.pt", "handler": "image_classifier",
                                         "modelFile": "model.py"},
                                        {"model.pt": weights, "model.py": model_py, "index_to_name.json": labels}),
        },
        "malicious": {
            "custom_handler.mar": mar({"serializedFile": "model.pt", "handler": "custom_handler.py"},
                                      {"model.pt": weights, "custom_handler.py": CUSTOM_HANDLER_PY}),
            "shadowed_handler.mar": mar({"serializedFile": "model.pt", "handler": "image_classifier"},
                                        {"model.pt": weights, "image_classifier.py": CUSTOM_HANDLER_PY}),
            "missing_model.mar": mar({"serializedFile": "model.pt", "handler": "text_classifier"},
                                     {"index_to_name.json": labels}),
        },
    }
    entries = [
        Entry("benign/image_classifier.mar", "benign", "torchserve-mar",
              "torch-model-archiver's layout: an eager model (model.py, a torch.save model.pt), a built-in handler"),
        Entry("malicious/custom_handler.mar", "malicious", "torchserve-mar",
              "a custom handler that runs os.system when TorchServe imports it",
              [expected_finding("MA636", "custom_handler.py", details={"handler": "custom_handler.py"}),
               expected_finding("MA600", "custom_handler.py", line=5, column=1, details={"callable": "os.system"})]),
        Entry("malicious/shadowed_handler.mar", "malicious", "torchserve-mar",
              "an image_classifier.py in the archive, which TorchServe imports instead of its built-in handler",
              [expected_finding("MA636", "image_classifier.py"),
               expected_finding("MA600", "image_classifier.py", line=5, column=1, details={"callable": "os.system"})]),
        Entry("malicious/missing_model.mar", "malicious", "torchserve-mar",
              "a manifest naming a serializedFile the archive lacks",
              [expected_finding("MA637", "MAR-INF/MANIFEST.json", details={"field": "serializedFile"})]),
    ]
    return files, entries


TORCHSERVE_README = """# TorchServe fixtures

`.mar` archives written by `scripts/make_repo_fixtures.py` in torch-model-archiver's layout (not installed:
`MAR-INF/MANIFEST.json` as `ModelExportUtils.generate_manifest_json` writes it, deflated members), the model
weights by `torch.save`. The handlers are text, never imported; each `.py` member is scanned as Python source. Expected findings:
`expected.json`.
"""


MSGPACK_README = """# msgpack fixtures

Written by `scripts/make_repo_fixtures.py` with Python's msgpack, in the layout of Flax's
`flax.serialization.to_bytes` (ext 1 ndarray and ext 3 NumPy scalar as the msgpack of `(shape, dtype,
bytes)`, ext 2 complex); flax itself is not installed. Expected findings: `expected.json`.
"""


def main() -> None:
    write_area("huggingface", huggingface(), HUGGINGFACE_README, HUGGINGFACE_ENTRIES, HUGGINGFACE_ASSUMPTIONS)
    files, entries = torchserve_fixtures()
    write_area("torchserve", files, TORCHSERVE_README, entries,
               ["TorchServe imports a handler of the archive before its built-in one of that name (ts/model_loader.py)."])
    files, entries = msgpack_fixtures()
    write_area("msgpack", files, MSGPACK_README, entries,
               ["msgpack runs no code: a Flax checkpoint that decodes is clean, whatever its values."])


if __name__ == "__main__":
    main()
