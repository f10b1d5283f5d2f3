#!/usr/bin/env python3
"""Writes modelaudit's NumPy fixtures (.npy and .npz) and their manifest.

Run from anywhere: ``/usr/bin/python3 scripts/make_numpy_fixtures.py`` (Debian's python3 with
python3-numpy). The script re-executes itself with /usr/bin/python3 when the current interpreter
lacks numpy, and with PYTHONHASHSEED=0.

Outputs (deterministic: re-running gives byte-identical files):
  fixtures/numpy/benign/*        arrays written by np.save, np.savez and np.savez_compressed
  fixtures/numpy/malicious/*     object arrays whose pickle runs os.system, lying headers
  fixtures/numpy/expected.json   the exact findings each file must produce

This module also holds what the compressed-fixture generator shares with it (the expected-finding
helper, the malicious pickle, the area writer); both write their manifests with fixture_manifest.

SAFETY: nothing is ever unpickled or loaded with allow_pickle. The malicious pickle is assembled
byte by byte and checked only with ``pickletools.genops`` (which decodes opcodes without running
them); headers are checked with numpy's header reader, which never reads the data. The payload
command is the harmless ``echo pwned``.
"""

from __future__ import annotations

import sys

from debian_python import reexec_if_needed  # noqa: E402

if __name__ == "__main__":
    reexec_if_needed(__file__, ("numpy",))

# The imports below need the interpreter chosen above.
import contextlib  # noqa: E402
import io  # noqa: E402
import pickletools  # noqa: E402
import struct  # noqa: E402
import time  # noqa: E402
import zipfile  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from unittest import mock  # noqa: E402

import numpy as np  # noqa: E402

from fixture_manifest import (  # noqa: E402
    ROOT, ZIP_EARLIEST, build_manifest, expected_finding, python_version, write_fixtures,
)

OUT = ROOT / "fixtures" / "numpy"

# Fixtures stay tiny: each file well under 1 MB, each area ideally under 300 KB.
MAX_FIXTURE_BYTES = 64 * 1024
MAX_AREA_BYTES = 300 * 1024

CMD = "echo pwned"

# A fixed time for zip members: ZIP_EARLIEST (1980-01-01, the earliest a zip can store) in seconds.
ZIP_EPOCH = 315532800


def finding(rule: str, position: int | None = None, path: str = "", severity: str | None = None,
            **details) -> dict:
    """One expected finding; ``details`` is the subset of the finding's details that must match."""
    return expected_finding(rule, path, position, severity=severity, details=details)


@dataclass
class Payload:
    """The malicious pickle: ``os.system(CMD)`` at protocol 2, and where its opcodes are."""

    data: bytes
    global_at: int
    reduce_at: int

    def findings(self, base: int = 0, path: str = "") -> list[dict]:
        """Its findings when it starts at ``base`` in the source labelled ``path``."""
        return [
            finding("MA100", base + self.global_at, path, module="os", function="system", opcode="GLOBAL"),
            finding("MA101", base + self.reduce_at, path, opcode="REDUCE"),
        ]


def os_system_pickle(padding: bytes = b"") -> Payload:
    """PROTO 2, GLOBAL os.system, BINUNICODE CMD, TUPLE1, REDUCE, [padding opcodes], STOP."""
    cmd = CMD.encode()
    data = bytearray(b"\x80\x02")
    global_at = len(data)
    data += b"cos\nsystem\n"
    data += b"X" + struct.pack("<I", len(cmd)) + cmd + b"\x85"
    reduce_at = len(data)
    data += b"R" + padding + b"."
    payload = Payload(bytes(data), global_at, reduce_at)
    ops = {pos: op.name for op, _, pos in pickletools.genops(payload.data)}
    assert ops[global_at] == "GLOBAL" and ops[reduce_at] == "REDUCE", ops
    return payload


@dataclass
class Fixture:
    file: str
    kind: str  # malicious | suspicious | benign
    format: str
    technique: str
    data: bytes
    findings: list[dict]
    note: str | None = None


def versions() -> dict[str, str]:
    out = {"python": python_version(), "numpy": np.__version__}
    for name in ("joblib", "sklearn"):
        module = sys.modules.get(name)
        if module is not None:
            out[name] = module.__version__
    return out


def write_area(out: Path, generator: str, fixtures: list[Fixture], assumptions: list[str]) -> None:
    """Writes the fixtures and their manifest under ``out``, deleting stale files there."""
    for fx in fixtures:
        assert fx.kind != "benign" or not fx.findings, fx.file
    write_fixtures(out, fixtures, build_manifest(generator, versions(), assumptions, fixtures),
                   max_fixture_bytes=MAX_FIXTURE_BYTES, max_total_bytes=MAX_AREA_BYTES)


@contextlib.contextmanager
def fixed_clock():
    """zipfile stamps members with the current time: freeze it (with TZ=UTC, see reexec_if_needed)."""
    with mock.patch.object(time, "time", return_value=float(ZIP_EPOCH)):
        yield


# ---------------------------------------------------------------------------------------------
# .npy helpers


def npy(array: np.ndarray, **kwargs) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array, **kwargs)
    return buf.getvalue()


def write_array(array: np.ndarray, version: tuple[int, int]) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, array, version=version)
    return buf.getvalue()


def npy_header(descr, shape: tuple, fortran_order: bool = False) -> bytes:
    """A version 1.0 header as numpy writes it, for arrays assembled here."""
    buf = io.BytesIO()
    np.lib.format._write_array_header(buf, {"descr": descr, "fortran_order": fortran_order, "shape": shape},
                                      version=(1, 0))
    return buf.getvalue()


def raw_header(text: str) -> bytes:
    """A version 1.0 header around ``text`` exactly as given (numpy pads it), for headers numpy never writes."""
    return np.lib.format._wrap_header(text, (1, 0))


def header_info(data: bytes) -> tuple[np.dtype, tuple, int]:
    """The dtype, shape and data offset numpy's own reader sees (it reads the header only)."""
    f = io.BytesIO(data)
    version = np.lib.format.read_magic(f)
    shape, _, dtype = np.lib.format._read_array_header(f, version, max_header_size=2**64)
    return dtype, shape, f.tell()


def object_npy(payload: Payload, descr="|O", shape=(1,)) -> tuple[bytes, int]:
    """An object-array .npy whose data is ``payload``; returns it and where the pickle starts."""
    header = npy_header(descr, shape)
    data = header + payload.data
    dtype, _, offset = header_info(data)
    assert dtype.hasobject and offset == len(header)
    return data, offset


def npz(members: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> bytes:
    """A zip of ``members`` laid out as np.savez lays it out, with fixed timestamps."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=ZIP_EARLIEST), data, compress_type=compression)
    return buf.getvalue()


def savez(compressed: bool, **arrays: np.ndarray) -> bytes:
    buf = io.BytesIO()
    with fixed_clock():
        (np.savez_compressed if compressed else np.savez)(buf, **arrays)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------
# The fixtures

NUMPY = "numpy"
NPZ = "numpy-npz"


def benign() -> list[Fixture]:
    matrix = np.arange(12, dtype=np.float32).reshape(3, 4) / 4
    structured = np.array([(1, (0.5, 1.5), b"ab"), (2, (-1.0, 2.0), b"cd")],
                          dtype=[("id", "<i4"), ("w", "<f8", (2,)), ("tag", "S2")])
    dates = np.array(["2024-01-01T00:00:00"], dtype="datetime64[ns]")
    return [
        Fixture("benign/float32_2d.npy", "benign", NUMPY, "np.save of a 3x4 float32 array", npy(matrix), []),
        Fixture("benign/float32_2d.bin", "benign", NUMPY,
                "the same array named .bin, a name many formats use: no mismatch", npy(matrix), []),
        Fixture("benign/fortran_order.npy", "benign", NUMPY, "np.save of a Fortran-ordered int64 array",
                npy(np.asfortranarray(np.arange(6, dtype=np.int64).reshape(2, 3))), []),
        Fixture("benign/structured.npy", "benign", NUMPY,
                "np.save of a structured array (int32, a float64 (2,) subarray, 2-byte strings)", npy(structured), []),
        Fixture("benign/zero_size.npy", "benign", NUMPY, "np.save of an empty (0, 3) float64 array",
                npy(np.zeros((0, 3))), []),
        Fixture("benign/strings_dates.npz", "benign", NPZ, "np.savez of <U5 strings and datetime64[ns] values",
                savez(False, names=np.array(["alpha", "beta"]), dates=dates), []),
        Fixture("benign/version_2_0.npy", "benign", NUMPY,
                "format version 2.0 (4-byte header length), written by numpy's write_array",
                write_array(matrix, (2, 0)), []),
        Fixture("benign/version_3_0.npy", "benign", NUMPY,
                "format version 3.0 (UTF-8 header with a non-ASCII field name), written by numpy's write_array",
                write_array(np.zeros(2, dtype=[("größe", "<f4")]), (3, 0)), []),
        Fixture("benign/object_plain.npy", "benign", NUMPY,
                "np.save(allow_pickle=True) of an object array of ints and strings: a pickle of numpy's "
                "reconstruct helpers and plain values", npy(np.array([1, "two", 3], dtype=object), allow_pickle=True),
                []),
        Fixture("benign/arrays.npz", "benign", NPZ, "np.savez of two arrays (stored members)",
                savez(False, weights=matrix, bias=np.ones(4, dtype=np.float32)), []),
        Fixture("benign/arrays_compressed.npz", "benign", NPZ, "np.savez_compressed of two arrays (deflated members)",
                savez(True, weights=matrix, bias=np.ones(4, dtype=np.float32)), []),
    ]


def malicious() -> list[Fixture]:
    payload = os_system_pickle()
    obj, obj_at = object_npy(payload)
    structured, structured_at = object_npy(payload, descr=[("id", "<i4"), ("value", "|O")])
    duplicate = raw_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'descr': '|O', }") + payload.data
    dtype, _, duplicate_at = header_info(duplicate)
    assert dtype.hasobject
    lying = npy_header("<f4", (2,)) + np.array([1.0, 2.0], dtype="<f4").tobytes()
    _, _, lying_offset = header_info(lying)
    lying_end = len(lying)
    lying += payload.data
    truncated = npy(np.arange(100, dtype=np.float64))[:200]
    _, _, truncated_at = header_info(truncated)
    evil_npz = npz({"weights.npy": npy(np.ones(3, dtype=np.float32)), "evil.npy": obj})
    return [
        Fixture("malicious/object_os_system.npy", "malicious", NUMPY,
                "object array (descr |O) whose pickle runs os.system; np.load(allow_pickle=True) unpickles it",
                obj, payload.findings(obj_at)),
        Fixture("malicious/object_os_system.bin", "malicious", NUMPY,
                "the same object array named .bin (np.load reads it whatever its name)", obj,
                payload.findings(obj_at)),
        Fixture("malicious/structured_object_field.npy", "malicious", NUMPY,
                "structured dtype with an object field: the data is a pickle running os.system",
                structured, payload.findings(structured_at)),
        Fixture("malicious/duplicate_descr_key.npy", "malicious", NUMPY,
                "header dict with 'descr' twice: '<f4', then '|O' (the last wins, as in Python); the data "
                "is a pickle running os.system", duplicate, payload.findings(duplicate_at)),
        Fixture("malicious/shape_lie_trailing_pickle.npy", "malicious", NUMPY,
                "header declares 2 float32 values; a pickle running os.system hides after them (np.load "
                "ignores it)", lying,
                [finding("MA310", lying_end, trailingBytes=len(payload.data))]
                + payload.findings(0, f"<trailing@{lying_end}>")),
        Fixture("malicious/evil.npz", "malicious", NPZ,
                "npz whose evil.npy is an object array running os.system, next to a plain array",
                evil_npz, payload.findings(obj_at, "evil.npy")),
        Fixture("malicious/truncated.npy", "suspicious", NUMPY,
                "header declares 100 float64 values (800 bytes); the file ends after 200 bytes", truncated,
                [finding("MA310", truncated_at, dataBytes="800", remaining=len(truncated) - truncated_at)]),
        Fixture("malicious/float32_2d.pt", "suspicious", NUMPY,
                "a plain float32 array named .pt: a name that claims PyTorch, worth knowing (info); an array "
                "runs nothing (an object array's pickle is reported as what it is, whatever the name)",
                npy(np.arange(12, dtype="<f4").reshape(3, 4)),
                [finding("MA001", extension=".pt", detectedFormat=NUMPY, severity="info")]),
    ]


ASSUMPTIONS = [
    "Positions are byte offsets in the scanned source: for an object array's pickle, offsets in the .npy "
    "file (or .npz member); for <trailing@OFFSET>, offsets in the bytes after the array's data.",
    "An object dtype (|O, or a structured dtype with an object field) means the data is a pickle, scanned "
    "as one; any other dtype's data is never read, only sized (prod(shape) x itemsize).",
    "Bytes after a non-object array's data are one MA310 at their first byte, and are scanned "
    "opportunistically (security findings only) as <trailing@OFFSET>; too few bytes are one MA310 at the "
    "data's first byte.",
    "A .npy named otherwise (.bin) is MA001: np.load reads any name.",
    "npz members are read as .npy files (loadAs numpy); the archive's format is numpy-npz.",
]


def main() -> None:
    write_area(OUT, "scripts/make_numpy_fixtures.py", malicious() + benign(), ASSUMPTIONS)


if __name__ == "__main__":
    main()
