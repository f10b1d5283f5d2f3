#!/usr/bin/env python3
"""Writes modelaudit's compressed-file fixtures (gzip, zlib, bzip2, xz, LZMA-alone, lz4) and their manifest.

Run from anywhere: ``/usr/bin/python3 scripts/make_compressed_fixtures.py`` (Debian's python3 with
python3-numpy, python3-sklearn, python3-joblib and python3-lz4). The script re-executes itself with
/usr/bin/python3 when the current interpreter lacks them, and with PYTHONHASHSEED=0. It shares its
helpers with scripts/make_numpy_fixtures.py.

Outputs (deterministic: gzip headers carry mtime 0, and re-running gives byte-identical files):
  fixtures/compressed/benign/*       a real pickle and real joblib.dump(compress=...) files
  fixtures/compressed/malicious/*    the same compressions of a pickle running os.system, and
                                     damaged, nested, concatenated and disguised variants
  fixtures/compressed/expected.json  the exact findings each file must produce

SAFETY: nothing is ever unpickled or loaded. The malicious pickle is assembled byte by byte (see
make_numpy_fixtures.os_system_pickle); its payload command is the harmless ``echo pwned``. Every
compressed file is checked by decompressing it with Python's own modules, which never unpickle.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from debian_python import reexec_if_needed  # noqa: E402

if __name__ == "__main__":
    reexec_if_needed(__file__, ("numpy", "sklearn", "joblib", "lz4"))

import bz2  # noqa: E402
import gzip  # noqa: E402
import hashlib  # noqa: E402
import io  # noqa: E402
import lzma  # noqa: E402
import pickle  # noqa: E402
import pickletools  # noqa: E402
import struct  # noqa: E402
import zlib  # noqa: E402

import joblib  # noqa: E402
import joblib.compressor  # noqa: E402
import joblib.numpy_pickle_compat  # noqa: E402
import numpy as np  # noqa: E402
import sklearn  # noqa: E402, F401  (its version goes into the manifest)
from sklearn.linear_model import LogisticRegression  # noqa: E402

from fixture_manifest import ROOT  # noqa: E402
from make_numpy_fixtures import Fixture, Payload, finding, os_system_pickle, write_area  # noqa: E402

OUT = ROOT / "fixtures" / "compressed"

# joblib's default level, used for every codec here.
LEVEL = 3

# Decoded size of the xz fixture's padding: large enough that the decoder's last output step holds
# the payload, which a decoder that drops a failing step's output would lose.
XZ_PADDING_BYTES = 2 * 1024 * 1024

# Decoded size of the nested-xz fixture's padding: past what the engine decodes into memory (32 MiB).
NESTED_XZ_PADDING_BYTES = 33 * 1024 * 1024

# Bytes of pseudo-random text padding the truncated gzip's pickle, so that the cut lands inside it.
TRUNCATED_PADDING_CHARS = 4000


def model() -> LogisticRegression:
    x = np.array([[0.0, 1.0], [1.0, 0.5], [2.0, 2.5], [3.0, 1.5], [4.0, 3.0], [5.0, 4.5]])
    y = np.array([0, 0, 0, 1, 1, 1])
    return LogisticRegression().fit(x, y)


def joblib_bytes(obj: object, codec: str) -> bytes:
    """What joblib.dump(obj, f, compress=(codec, LEVEL)) writes."""
    buf = io.BytesIO()
    joblib.dump(obj, buf, compress=(codec, LEVEL))
    return buf.getvalue()


def joblib_stream(data: bytes, codec: str) -> bytes:
    """``data`` written through the file object joblib compresses with, as joblib.dump would write a pickle."""
    buf = io.BytesIO()
    with joblib.compressor._COMPRESSORS[codec].compressor_file(buf, compresslevel=LEVEL) as f:
        f.write(data)
    return buf.getvalue()


def zfile(data: bytes) -> bytes:
    """A z-file, as joblib before 0.10 wrote compressed pickles (joblib still reads them)."""
    buf = io.BytesIO()
    joblib.numpy_pickle_compat.write_zfile(buf, data, compress=LEVEL)
    return buf.getvalue()


def gzip_member(data: bytes, name: str | None = None) -> bytes:
    """A gzip member with mtime 0; with ``name``, its header stores it as FNAME (as gzip.open writes)."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename=name or "", mode="wb", fileobj=buf, mtime=0) as f:
        f.write(data)
    return buf.getvalue()


CODECS = {
    # extension: (format id, compress function)
    "gz": ("gzip", lambda data: gzip_member(data)),
    "z": ("zlib", lambda data: zlib.compress(data, LEVEL)),
    "bz2": ("bzip2", lambda data: bz2.compress(data, LEVEL)),
    "xz": ("xz", lambda data: lzma.compress(data, preset=LEVEL)),
    "lzma": ("lzma", lambda data: lzma.compress(data, format=lzma.FORMAT_ALONE, preset=LEVEL)),
}

# Format id of joblib's legacy z-files.
ZFILE = "joblib-zfile"

JOBLIB_CODECS = {"zlib": "zlib", "gzip": "gzip", "bz2": "bzip2", "lzma": "lzma", "xz": "xz"}


def decompress(data: bytes, fmt: str) -> bytes:
    """Python's own reading of a fixture (multi-member and multi-stream, as its file readers do)."""
    if fmt == "gzip":
        return gzip.decompress(data)
    if fmt == "zlib":
        return zlib.decompress(data)
    if fmt == "bzip2":
        return bz2.decompress(data)
    return lzma.decompress(data, format=lzma.FORMAT_ALONE if fmt == "lzma" else lzma.FORMAT_XZ)


def member(file: str) -> str:
    """The member name modelaudit gives a compressed file without a stored name: the base name minus its extension."""
    base = file.rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[0]


def checked(fx: Fixture, decoded: bytes | None = None) -> Fixture:
    """Asserts that Python decompresses the fixture to ``decoded`` (when given)."""
    if decoded is not None:
        assert decompress(fx.data, fx.format) == decoded, fx.file
    return fx


def benign() -> list[Fixture]:
    clf = model()
    pickled = pickle.dumps(clf, protocol=4)
    out = []
    for ext, (fmt, compress) in CODECS.items():
        file = f"benign/sklearn_logreg.pkl.{ext}"
        out.append(checked(Fixture(file, "benign", fmt, f"sklearn LogisticRegression pickle (protocol 4), {fmt}",
                                   compress(pickled), []), pickled))
    for codec, fmt in JOBLIB_CODECS.items():
        data = joblib_bytes(clf, codec)
        out.append(checked(Fixture(f"benign/model_{codec}.joblib", "benign", fmt,
                                   f"joblib.dump(LogisticRegression, compress=('{codec}', {LEVEL}))", data, [])))
    out.append(checked(Fixture("benign/sklearn_logreg_sha256.pkl.xz", "suspicious", "xz",
                               "xz of the pickle with a SHA-256 integrity check, which xz-embedded lacks",
                               lzma.compress(pickled, preset=LEVEL, check=lzma.CHECK_SHA256),
                               [finding("MA212", format="xz")]), pickled))
    out.append(Fixture("benign/sklearn_logreg_zfile.pkl", "benign", ZFILE,
                       "the pickle in a z-file, joblib's compressed format before 0.10 (write_zfile)", zfile(pickled),
                       []))
    lz4_file = "benign/model_lz4.joblib"
    out.append(Fixture(lz4_file, "suspicious", "lz4",
                       f"joblib.dump(LogisticRegression, compress=('lz4', {LEVEL})): an LZ4 frame, not decoded",
                       joblib_bytes(clf, "lz4"), [finding("MA212", format="lz4")]))
    return out


def malicious() -> list[Fixture]:
    payload = os_system_pickle()
    evil = payload.data
    out = []
    for ext, (fmt, compress) in CODECS.items():
        file = f"malicious/os_system.pkl.{ext}"
        out.append(checked(Fixture(file, "malicious", fmt, f"pickle running os.system, {fmt}", compress(evil),
                                   payload.findings(0, member(file))), evil))
    for codec, fmt in JOBLIB_CODECS.items():
        file = f"malicious/model_{codec}.joblib"
        out.append(checked(Fixture(file, "malicious", fmt,
                                   f"pickle running os.system written through joblib's '{codec}' compressor",
                                   joblib_stream(evil, codec), payload.findings(0, member(file))), evil))
    file = "malicious/os_system_zfile.pkl"
    out.append(Fixture(file, "malicious", ZFILE, "pickle running os.system in a joblib z-file (joblib.load reads it)",
                       zfile(evil), payload.findings(0, member(file))))
    out += damaged(payload)
    return out


def pseudo_random_text(chars: int) -> str:
    """Deterministic text that deflate cannot shrink much (hex digits of a hash chain)."""
    out, block = [], b"modelaudit"
    while sum(map(len, out)) < chars:
        block = hashlib.sha256(block).digest()
        out.append(block.hex())
    return "".join(out)[:chars]


def damaged(payload: Payload) -> list[Fixture]:
    evil = payload.data
    out = []

    # Truncated: the member stops inside a long string that follows the payload's REDUCE.
    text = pseudo_random_text(TRUNCATED_PADDING_CHARS).encode()
    padded = os_system_pickle(b"X" + struct.pack("<I", len(text)) + text + b"0")
    padding_at = padded.reduce_at + 1
    whole = gzip_member(padded.data)
    cut = whole[: len(whole) // 2]
    prefix = zlib.decompressobj(31).decompress(cut)
    assert padding_at + 5 < len(prefix) < padding_at + 5 + len(text), len(prefix)
    file = "malicious/truncated.pkl.gz"
    name = member(file)
    out.append(Fixture(file, "malicious", "gzip",
                       "gzip member cut in half: the pickle's os.system call decodes, its padding string is cut short",
                       cut, padded.findings(0, name) + [
                           finding("MA105", padding_at, name),
                           finding("MA209", path=name, decodedBytes=len(prefix)),
                       ]))

    # Nested: a gzip of a gzip whose header names its member (FNAME).
    inner = gzip_member(evil, "payload.pkl.gz")
    assert gzip.decompress(inner) == evil
    file = "malicious/nested.pkl.gz.gz"
    out.append(checked(Fixture(file, "malicious", "gzip",
                               "gzip of a gzip (FNAME 'payload.pkl') of a pickle running os.system",
                               gzip_member(inner), payload.findings(0, f"{member(file)}:payload.pkl")), inner))

    # A gzip named like a PyTorch checkpoint.
    file = "malicious/gzipped_pickle.pt"
    out.append(checked(Fixture(file, "malicious", "gzip", "gzip of a pickle running os.system, named .pt",
                               gzip_member(evil), payload.findings(0, member(file)) + [
                                   finding("MA001", extension=".pt", detectedFormat="gzip"),
                               ]), evil))

    # Two members with zero padding between them; the payload's REDUCE is in the second.
    split = payload.global_at + 4
    file = "malicious/multimember.pkl.gz"
    out.append(checked(Fixture(file, "malicious", "gzip",
                               "pickle split over two gzip members with zero padding between them (gzip.open reads "
                               "both; the os.system call is completed in the second)",
                               gzip_member(evil[:split]) + bytes(16) + gzip_member(evil[split:]),
                               payload.findings(0, member(file))), evil))

    # Garbage after the member: Python never reads it, modelaudit reports it.
    file = "malicious/trailing_garbage.pkl.gz"
    garbage = b"not a gzip member"
    data = gzip_member(evil)
    out.append(Fixture(file, "malicious", "gzip", "gzip of a pickle running os.system, then bytes that are no member",
                       data + garbage, payload.findings(0, member(file)) + [
                           finding("MA209", path=member(file), decodedBytes=len(evil)),
                       ]))

    # xz with garbage after the stream, the payload at the very end of a long decoded pickle.
    big = os_system_pickle()
    padding = b"B" + struct.pack("<I", XZ_PADDING_BYTES) + bytes(XZ_PADDING_BYTES) + b"0"
    big_data = b"\x80\x02" + padding + big.data[2:]
    shift = len(padding)
    file = "malicious/trailing_garbage_large.pkl.xz"
    xz_data = lzma.compress(big_data, preset=LEVEL)
    assert lzma.decompress(xz_data) == big_data
    out.append(Fixture(file, "malicious", "xz",
                       f"xz of a {len(big_data)}-byte pickle whose os.system call comes last, then 64 bytes that are "
                       "no xz stream", xz_data + bytes(range(1, 65)),
                       big.findings(shift, member(file)) + [
                           finding("MA209", path=member(file), decodedBytes=len(big_data)),
                       ]))
    out.append(nested_xz_in_large_xz())
    return out


def nested_xz_in_large_xz() -> Fixture:
    """xz of a pickle over 32 MiB that hands an xz payload to torch.storage._load_from_bytes."""
    inner = lzma.compress(os_system_pickle().data, preset=LEVEL)
    head = b"\x80\x02" + b"B" + struct.pack("<I", NESTED_XZ_PADDING_BYTES) + bytes(NESTED_XZ_PADDING_BYTES) + b"0"
    call = b"ctorch.storage\n_load_from_bytes\n"
    payload_at = len(head) + len(call) + 5
    data = head + call + b"B" + struct.pack("<I", len(inner)) + inner + b"\x85R."
    ops = {pos: op.name for op, _, pos in pickletools.genops(data)}
    assert ops[payload_at - 5] == "BINBYTES", ops
    file = "malicious/nested_xz_in_large_xz.pkl.xz"
    compressed = lzma.compress(data, preset=LEVEL)
    assert lzma.decompress(compressed) == data
    return Fixture(file, "suspicious", "xz",
                   "xz of a pickle over 32 MiB that passes an xz stream to torch.storage._load_from_bytes: the "
                   "inner stream cannot be decoded while the outer one is being read",
                   compressed, [finding("MA212", path=f"{member(file)}:<payload@{payload_at}>", format="xz")])


ASSUMPTIONS = [
    "A compressed file is a container of one member: its decompressed bytes, scanned like a file. The member "
    "is named by gzip's FNAME when the header has one, else by the file's base name without its last "
    "extension (model_zlib.joblib -> model_zlib, x.pkl.gz -> x.pkl).",
    "Positions of the member's findings are offsets in the decompressed bytes.",
    "gzip members follow one another (gzip.open and joblib read on into the next), with zero padding between "
    "or after them skipped; zlib streams likewise; bzip2 and xz streams likewise.",
    "Bytes after the last member that are not another member are one MA209 on the member (details.decodedBytes "
    "= bytes decoded before them): Python never reads them, modelaudit reports them. A truncated stream is "
    "one MA209 too; what decoded before the damage is scanned.",
    ".joblib and .pkl are extensions of every codec joblib writes; .pt is not (MA001).",
    "LZ4 frames are recognised but not decoded: one MA212.",
]


def main() -> None:
    write_area(OUT, "scripts/make_compressed_fixtures.py", malicious() + benign(), ASSUMPTIONS)


if __name__ == "__main__":
    main()
