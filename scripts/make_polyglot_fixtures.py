#!/usr/bin/env python3
"""Writes modelaudit's polyglot fixtures (bytes that two loaders read as two formats) and their manifest.

Run from anywhere: ``/usr/bin/python3 scripts/make_polyglot_fixtures.py`` (Debian's python3 with
python3-torch, python3-numpy, python3-sklearn and python3-joblib). The script re-executes itself with
/usr/bin/python3 when the current interpreter lacks them, and with PYTHONHASHSEED=0.

Outputs (deterministic: re-running gives byte-identical files):
  fixtures/polyglot/malicious/*    zlib streams and a tar that are also pickles running os.system, the
                                   same wrapped in gzip, xz and bzip2 (as joblib.load decompresses them),
                                   and handed to torch.storage._load_from_bytes inside a pickle
  fixtures/polyglot/benign/*       real zlib streams whose header is the same MARK FROZENSET, a real tar of
                                   a pickle, their gzip/xz/bzip2 wrappers, real joblib dumps and a pickled
                                   torch storage (what _load_from_bytes really receives)
  fixtures/polyglot/expected.json  the exact findings each file must produce

How the polyglots work. A zlib header is two bytes, CMF and FLG: ``(`` (0x28: deflate, 1 KiB window) and
0x91 (FLEVEL 2, what zlib writes at its default level, and a valid check) is one, and reads as MARK,
FROZENSET. A stored deflate block then starts with a byte whose low three bits are BFINAL/BTYPE (0x29,
``)``, is a final stored block and EMPTY_TUPLE), and its LEN/NLEN fields are the next four bytes:

- through: LEN's low byte is ``J`` (BININT), which swallows the rest of LEN, NLEN and the block's first
  byte; the pickle goes on in the block's data, where ``os.system("echo pwned")`` sits. The inflated bytes
  start with that swallowed 0x00 and are no pickle at all.
- jump: LEN's low byte is ``C`` (SHORT_BINBYTES) and its high byte the length it skips: the pickle lands
  seven bytes into the block's data, inside the inflated bytes' own (benign) pickle, a BINBYTES constant
  whose content (no PROTO, so not "starts like a pickle") is the payload.

A USTAR header whose name field starts with PROTO 2, ``B`` (BINBYTES) and the length 517 (the name's next
two bytes, the field's NUL padding giving the high bytes) is a pickle whose first constant swallows the rest
of the header and the first 12 bytes of the member's data, where the payload follows.

pickle.load, torch.load's legacy path (a file that is no zip and no torch tar is unpickled from byte 0),
np.load(allow_pickle=True) and joblib.load (which decompresses only the zlib it recognises by 0x78, and
gzip, bzip2, xz, lzma, then unpickles the result) all run these payloads; torch.storage._load_from_bytes is
torch.load of a BytesIO, which tries no tar and no zlib: it unpickles them too.

SAFETY: nothing is ever unpickled, decompressed into a loader or loaded. The polyglots are assembled byte by
byte and checked with ``pickletools.genops`` (which decodes opcodes without running them), ``zlib``,
``tarfile``, ``gzip``, ``lzma`` and ``bz2`` (which never unpickle). The payload command is ``echo pwned``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from debian_python import reexec_if_needed  # noqa: E402

if __name__ == "__main__":
    reexec_if_needed(__file__, ("torch", "numpy", "sklearn", "joblib"))

import bz2  # noqa: E402
import gzip  # noqa: E402
import io  # noqa: E402
import lzma  # noqa: E402
import pickle  # noqa: E402
import pickletools  # noqa: E402
import struct  # noqa: E402
import tarfile  # noqa: E402
import zlib  # noqa: E402

import joblib  # noqa: E402
import numpy as np  # noqa: E402
import sklearn  # noqa: E402
import torch  # noqa: E402
import torch.storage  # noqa: E402

import make_fixtures as mf  # noqa: E402  (stable legacy storage keys)
from fixture_manifest import ROOT, build_manifest, python_version, write_fixtures  # noqa: E402
from make_compressed_fixtures import gzip_member, joblib_bytes, model  # noqa: E402
from make_numpy_fixtures import Fixture, Payload, finding, os_system_pickle  # noqa: E402

OUT = ROOT / "fixtures" / "polyglot"
GENERATOR = "scripts/make_polyglot_fixtures.py"

MAX_FIXTURE_BYTES = 64 * 1024
MAX_AREA_BYTES = 200 * 1024

# joblib's default level, used for every wrapper here.
LEVEL = 3

# zlib header bytes: deflate with a 1 KiB window (CMF) at FLEVEL 2 (FLG); as pickle opcodes, MARK and FROZENSET.
ZLIB_MARK_FROZENSET = b"(\x91"
# A final stored block's first byte (BFINAL 1, BTYPE 00, the rest ignored); as an opcode, EMPTY_TUPLE.
STORED_FINAL_EMPTY_TUPLE = 0x29
# The jump variant's SHORT_BINBYTES length: it lands past the inflated pickle's PROTO 3, BINBYTES and length.
JUMP = 9
# The tar variant's BINBYTES length: from the header's byte 7 to the member data's byte 12.
TAR_JUMP = 517
# What the tar member's data starts with, before the payload the pickle reading lands on.
TAR_MEMBER_TEXT = b"hello world\n"
TAR_MEMBER_NAME = "\udc80\x02B" + chr(TAR_JUMP & 0xFF) + chr(TAR_JUMP >> 8)

WRAPPERS = {
    # extension: (format id, compress, decompress), as joblib.dump writes them and joblib.load decompresses them
    "gz": ("gzip", gzip_member, gzip.decompress),
    "xz": ("xz", lambda data: lzma.compress(data, preset=LEVEL), lzma.decompress),
    "bz2": ("bzip2", lambda data: bz2.compress(data, LEVEL), bz2.decompress),
}


def wrapped(data: bytes, ext: str) -> bytes:
    """``data`` compressed with the wrapper ``ext``, checked by decompressing it with Python's own module."""
    _, compress, decompress = WRAPPERS[ext]
    out = compress(data)
    assert decompress(out) == data
    return out

# The name modelaudit gives a compressed payload's content (scanners/compressed/codec.ts DEFAULT_MEMBER_NAME).
DECOMPRESSED = "<decompressed>"

# The call a pickled torch storage makes: torch.load of a BytesIO.
LOAD_FROM_BYTES = "torch.storage._load_from_bytes"

# The loaders that unpickle from byte 0 a file of each format, as MA009's details list them (engine/readings.ts):
# torch.load reads a tar as its legacy tar format (and fails on any other), joblib.load knows zlib only by 0x78.
FILE_PICKLE_LOADERS = {
    "zlib": ["pickle.load", "torch.load", "joblib.load", "numpy.load(allow_pickle=True)"],
    "tar": ["pickle.load", "joblib.load", "numpy.load(allow_pickle=True)"],
}
# The loaders that unpickle a nested payload from byte 0: torch.load of a BytesIO tries neither tar nor zlib.
PAYLOAD_PICKLE_LOADERS = ["pickle.loads", "torch.load(BytesIO)"]


def bare_payload() -> Payload:
    """os.system("echo pwned") without its PROTO: what a polyglot's pickle reading lands on mid-stream."""
    full = os_system_pickle()
    return Payload(full.data[2:], full.global_at - 2, full.reduce_at - 2)


def opcodes(data: bytes) -> dict[int, str]:
    """Position -> opcode name of the first pickle in ``data``, up to its STOP (decoded, never run)."""
    return {pos: op.name for op, _, pos in pickletools.genops(data)}


def stored_block(data: bytes) -> bytes:
    """A zlib stream of one final stored block holding ``data``, under the MARK FROZENSET header."""
    size = len(data)
    out = ZLIB_MARK_FROZENSET + bytes([STORED_FINAL_EMPTY_TUPLE]) + struct.pack("<HH", size, size ^ 0xFFFF)
    out += data + struct.pack(">I", zlib.adler32(data))
    assert zlib.decompress(out) == data
    return out


def zlib_through(payload: Payload) -> tuple[bytes, int]:
    """The through variant, and where its payload starts."""
    # LEN = 0x004A: its low byte is BININT, which swallows LEN's high byte, NLEN and the data's first byte.
    size = ord("J")
    at = 8
    data = b"\x00" + payload.data
    data += bytes(size - len(data))
    out = stored_block(data)
    ops = opcodes(out)
    assert ops[0] == "MARK" and ops[1] == "FROZENSET" and ops[2] == "EMPTY_TUPLE" and ops[3] == "BININT", ops
    assert ops[at + payload.global_at] == "GLOBAL" and ops[at + payload.reduce_at] == "REDUCE", ops
    return out, at


def zlib_jump(payload: Payload) -> tuple[bytes, int, bytes]:
    """The jump variant, where its payload starts, and the benign pickle it inflates to."""
    size = JUMP * 256 + ord("C")
    # The inflated bytes: PROTO 3, BINBYTES(<payload, zeros>), STOP. Their content starts at 7 = JUMP - 2.
    content_size = size - 8
    content = payload.data + bytes(content_size - len(payload.data))
    inflated = b"\x80\x03B" + struct.pack("<I", content_size) + content + b"."
    assert len(inflated) == size and opcodes(inflated) == {0: "PROTO", 2: "BINBYTES", size - 1: "STOP"}
    out = stored_block(inflated)
    at = 7 + JUMP - 2
    ops = opcodes(out)
    assert ops[3] == "SHORT_BINBYTES" and ops[at + payload.global_at] == "GLOBAL", ops
    assert ops[at + payload.reduce_at] == "REDUCE", ops
    return out, at, inflated


def tar_binbytes(payload: Payload) -> tuple[bytes, int]:
    """The tar variant (a USTAR member whose name starts with PROTO 2, BINBYTES(517)), and where its payload starts."""
    buf = io.BytesIO()
    data = TAR_MEMBER_TEXT + payload.data
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        info = tarfile.TarInfo(TAR_MEMBER_NAME)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    out = buf.getvalue()
    assert out[:7] == b"\x80\x02B" + struct.pack("<I", TAR_JUMP)
    with tarfile.open(fileobj=io.BytesIO(out)) as tar:
        [member] = tar.getmembers()
        assert member.name == TAR_MEMBER_NAME and tar.extractfile(member).read() == data
    at = 7 + TAR_JUMP
    assert at == 512 + len(TAR_MEMBER_TEXT)
    ops = opcodes(out)
    assert ops[at + payload.global_at] == "GLOBAL" and ops[at + payload.reduce_at] == "REDUCE", ops
    return out, at


class LoadFromBytes:
    """Pickles as torch.storage._load_from_bytes(blob), as a pickled torch storage does (never unpickled)."""

    def __init__(self, blob: bytes) -> None:
        self.blob = blob

    def __reduce__(self):
        return torch.storage._load_from_bytes, (self.blob,)


def load_from_bytes(blob: bytes) -> tuple[bytes, int]:
    """A protocol-4 pickle (pickle.dumps) handing ``blob`` to _load_from_bytes, and where blob's bytes start."""
    data = pickle.dumps(LoadFromBytes(blob), protocol=4)
    starts = [pos + 1 + (1 if op.name == "SHORT_BINBYTES" else 4)
              for op, arg, pos in pickletools.genops(data) if op.name in ("SHORT_BINBYTES", "BINBYTES") and arg == blob]
    assert len(starts) == 1, starts
    assert data[starts[0]:starts[0] + len(blob)] == blob
    return data, starts[0]


def polyglot_findings(path: str, format: str, loaders: list[str], payload: Payload, at: int) -> list[dict]:
    """What a polyglot whose pickle reading runs ``payload`` from ``at`` must give at ``path``."""
    return [
        finding("MA009", None, path, "critical", formats=[format, "pickle"], loaders=loaders),
        *payload.findings(at, path),
    ]


def member(file: str) -> str:
    """The member name modelaudit gives a compressed file without a stored name: the base name minus its extension."""
    base = file.rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[0]


def malicious() -> list[Fixture]:
    payload = bare_payload()
    through, through_at = zlib_through(payload)
    jump, jump_at, _ = zlib_jump(payload)
    tar, tar_at = tar_binbytes(payload)
    polyglots = [
        ("zlib_through.pkl", "zlib", through, through_at,
         "zlib stream (MARK FROZENSET header, one stored block) whose LEN reads as BININT: the pickle reading runs "
         "on into the block's data, where os.system runs; the inflated bytes are no pickle"),
        ("zlib_jump.pkl", "zlib", jump, jump_at,
         "zlib stream (MARK FROZENSET header, one stored block) whose LEN reads as SHORT_BINBYTES(9): the pickle "
         "reading jumps into the block's data, where os.system runs; the inflated bytes are a benign pickle"),
        ("tar_binbytes.tar", "tar", tar, tar_at,
         "USTAR tar whose member name starts with PROTO 2, BINBYTES(517): the pickle reading skips the header "
         "and lands 12 bytes into the member's data, where os.system runs"),
    ]
    out = []
    for name, fmt, data, at, technique in polyglots:
        file = f"malicious/{name}"
        out.append(Fixture(file, "malicious", fmt, technique, data,
                           polyglot_findings("", fmt, FILE_PICKLE_LOADERS[fmt], payload, at)))
    for name, fmt, data, at, technique in polyglots:
        for ext, (wrapper, _, _) in WRAPPERS.items():
            file = f"malicious/{name}.{ext}"
            out.append(Fixture(file, "malicious", wrapper,
                               f"{technique}; in {wrapper}, which joblib.load decompresses before unpickling",
                               wrapped(data, ext),
                               polyglot_findings(member(file), fmt, FILE_PICKLE_LOADERS[fmt], payload, at)))
    for name, fmt, data, at, technique in polyglots:
        outer, blob_at = load_from_bytes(data)
        file = f"malicious/load_from_bytes_{name.rsplit('.', 1)[0]}.pkl"
        out.append(Fixture(file, "malicious", "pickle",
                           f"pickle.dumps of {LOAD_FROM_BYTES}(<{name}>) (torch.load of a BytesIO unpickles it): "
                           f"{technique}", outer,
                           polyglot_findings(f"<payload@{blob_at}>", fmt, PAYLOAD_PICKLE_LOADERS, payload, at)))
        # Wrapped: torch.load of the bytes would not decompress them, but the scan follows the content, and
        # what the wrapper holds is a file once decompressed (the member of a payload is named <decompressed>).
        for ext, (wrapper, _, _) in WRAPPERS.items():
            outer, blob_at = load_from_bytes(wrapped(data, ext))
            file = f"malicious/load_from_bytes_{name.rsplit('.', 1)[0]}_{ext}.pkl"
            out.append(Fixture(file, "malicious", "pickle",
                               f"pickle.dumps of {LOAD_FROM_BYTES}(<{name}.{ext}>), scanned through its {wrapper} "
                               f"wrapper: {technique}", outer,
                               polyglot_findings(f"<payload@{blob_at}>:{DECOMPRESSED}", fmt, FILE_PICKLE_LOADERS[fmt],
                                                 payload, at)))
    return out


def window_1k_zlib(data: bytes, sync_first: bool = False) -> bytes:
    """What zlib writes at its default level with a 1 KiB window: the MARK FROZENSET header. With
    ``sync_first``, a sync flush before the data (as a streaming writer may do) writes an empty stored block."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, 10)
    out = compressor.flush(zlib.Z_SYNC_FLUSH) if sync_first else b""
    out += compressor.compress(data) + compressor.flush()
    assert out[:2] == ZLIB_MARK_FROZENSET and zlib.decompress(out) == data
    return out


def benign() -> list[Fixture]:
    clf = model()
    pickled = pickle.dumps(clf, protocol=4)
    huffman = window_1k_zlib(pickled)
    # A sync flush first: the same header, then an empty stored block (00, LEN 0000, NLEN FFFF).
    stored = window_1k_zlib(pickled, sync_first=True)
    assert stored[2:7] == b"\x00\x00\x00\xff\xff", stored[:8]
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        info = tarfile.TarInfo("model.pkl")
        info.size = len(pickled)
        tar.addfile(info, io.BytesIO(pickled))
    tarred = buf.getvalue()
    originals = [
        ("zlib_window_1k.pkl", "zlib", huffman,
         "zlib.compressobj(level 6, wbits 10) of a LogisticRegression pickle: the same MARK FROZENSET header, "
         "then Huffman-coded data"),
        ("zlib_window_1k_stored.pkl", "zlib", stored,
         "zlib.compressobj(level 6, wbits 10) of the same pickle after a sync flush: the same header, then an "
         "empty stored block"),
        ("model.tar", "tar", tarred, "tarfile (USTAR) of a LogisticRegression pickle"),
    ]
    out = [Fixture(f"benign/{name}", "benign", fmt, technique, data, []) for name, fmt, data, technique in originals]
    for name, fmt, data, technique in originals:
        for ext, (wrapper, _, _) in WRAPPERS.items():
            out.append(Fixture(f"benign/{name}.{ext}", "benign", wrapper, f"{technique}; in {wrapper}",
                               wrapped(data, ext), []))
    for codec, fmt in (("zlib", "zlib"), ("gzip", "gzip"), ("xz", "xz"), ("bz2", "bzip2")):
        out.append(Fixture(f"benign/model_{codec}.joblib", "benign", fmt,
                           f"joblib.dump(LogisticRegression, compress=('{codec}', {LEVEL}))",
                           joblib_bytes(clf, codec), []))
    with mf.stable_torch_storage_keys():
        storage = pickle.dumps(torch.arange(6, dtype=torch.float32).storage(), protocol=4)
    out.append(Fixture("benign/pickled_torch_storage.pkl", "benign", "pickle",
                       f"pickle.dumps of a torch storage: {LOAD_FROM_BYTES}(<a legacy torch stream>)", storage, []))
    for name, fmt, data, _ in originals:
        outer, _ = load_from_bytes(data)
        out.append(Fixture(f"benign/load_from_bytes_{name.rsplit('.', 1)[0]}.pkl", "benign", "pickle",
                           f"pickle.dumps of {LOAD_FROM_BYTES}(<{name}>)", outer, []))
        for ext, (wrapper, _, _) in WRAPPERS.items():
            outer, _ = load_from_bytes(wrapped(data, ext))
            out.append(Fixture(f"benign/load_from_bytes_{name.rsplit('.', 1)[0]}_{ext}.pkl", "benign", "pickle",
                               f"pickle.dumps of {LOAD_FROM_BYTES}(<{name}.{ext}>)", outer, []))
    return out


ASSUMPTIONS = [
    "Every source a pickle loader may receive (a file, a compressed file's content, a payload handed to a "
    "loader) is also read as a pickle from byte 0, whatever format its content is detected as.",
    "That pickle reading is silent when it is no pickle a loader gets through: it stops at an invalid opcode "
    "before any STOP, with no finding. Its malformed-stream findings (MA105) are never reported.",
    "A source whose pickle reading is real (it reaches a STOP or makes a finding) and that is also another "
    "format gives MA009 at the source, critical when a reading carries a critical finding; details.formats "
    "names the two readings, details.loaders the loaders that unpickle it from byte 0.",
    "The pickle reading's findings carry positions in the source, like the pickle scanner's.",
    "A compressed file's member is named after the file minus its last extension (x.tar.gz -> x.tar).",
]


def main() -> None:
    fixtures = malicious() + benign()
    for fx in fixtures:
        assert fx.kind != "benign" or not fx.findings, fx.file
    versions = {"python": python_version(), "torch": torch.__version__, "numpy": np.__version__,
                "joblib": joblib.__version__, "sklearn": sklearn.__version__}
    manifest = build_manifest(GENERATOR, versions, ASSUMPTIONS, fixtures)
    write_fixtures(OUT, fixtures, manifest, max_fixture_bytes=MAX_FIXTURE_BYTES, max_total_bytes=MAX_AREA_BYTES)


if __name__ == "__main__":
    main()
