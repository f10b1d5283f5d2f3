#!/usr/bin/env python3
"""Writes modelaudit's tar, legacy torch tar and 7z fixtures and their manifest.

Run from anywhere: ``/usr/bin/python3 scripts/make_tar_fixtures.py`` (Debian's python3 with
python3-torch). The script re-executes itself with /usr/bin/python3 when the current interpreter
lacks torch.

Outputs (deterministic: fixed mtime, uid, gid, user and group names, gzip header time):
  fixtures/tar/benign/*      archives written by Python's tarfile (and gzip), a legacy torch
                             tar in torch's own layout, and a v7 tar (a format tarfile reads
                             but does not write) assembled field by field
  fixtures/tar/malicious/*   the same made hostile: payloads, escaping names, links,
                             duplicates, trailing data, a 7z-wrapped pickle named .pt
  fixtures/tar/suspicious/*  warnings only
  fixtures/tar/expected.json the exact findings each file must produce

SAFETY: nothing malicious is ever unpickled or extracted. The one file this script loads is the
benign legacy torch tar it has just written, with torch.load, to prove its layout is torch's.
Payload commands are harmless strings (``echo pwned``).
"""

from __future__ import annotations

from debian_python import reexec_if_needed  # noqa: E402

reexec_if_needed(__file__, ("torch",))

import collections  # noqa: E402
import gzip  # noqa: E402
import io  # noqa: E402
import pickle  # noqa: E402
import shutil  # noqa: E402
import struct  # noqa: E402
import subprocess  # noqa: E402
import tarfile  # noqa: E402
import tempfile  # noqa: E402
import zlib  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import torch  # noqa: E402

from fixture_manifest import (  # noqa: E402
    ROOT, Finding, Fixture, build_manifest, findings_entry, python_version, write_fixtures,
)

OUT = ROOT / "fixtures" / "tar"

# Fixed metadata so that re-running gives byte-identical archives.
MTIME = 1_700_000_000
CMD = "echo pwned"
MAX_FIXTURE_BYTES = 64 * 1024
MAX_TOTAL_BYTES = 300 * 1024

# Scanner ids and formats (scanners/registry.ts, scanners/pytorch/legacy_tar.ts).
TAR = "tar"
GZIP = "gzip"
SEVEN_ZIP = "7z"
LEGACY_TAR = "pytorch-legacy-tar"


# ---------------------------------------------------------------------------------------------
# Pickles


def benign_pickle() -> bytes:
    """A plain model-like pickle written by the real pickle module: no imports at all."""
    return pickle.dumps({"name": "demo", "weights": [0.5, 1.5, 2.5]}, protocol=4)


def binunicode(text: str) -> bytes:
    data = text.encode()
    return b"X" + struct.pack("<I", len(data)) + data


class Payload:
    """``os.system(CMD)`` as protocol-2 opcodes, with the offsets of its GLOBAL and REDUCE."""

    def __init__(self, prefix: bytes = b"\x80\x02") -> None:
        self.global_at = len(prefix)
        body = prefix + b"cos\nsystem\n" + binunicode(CMD) + b"\x85"
        self.reduce_at = len(body)
        self.call = body + b"R"

    @property
    def pickle(self) -> bytes:
        return self.call + b"."

    def findings(self, path: str, base: int = 0) -> list[Finding]:
        """The two findings the payload gives at ``path``, its opcodes at ``base`` + their offsets."""
        function = {"module": "os", "function": "system"}
        return [
            Finding("MA100", path, base + self.global_at, details={**function, "opcode": "GLOBAL"}),
            Finding("MA101", path, base + self.reduce_at, details={**function, "opcode": "REDUCE"}),
        ]


# ---------------------------------------------------------------------------------------------
# Tar assembly with Python's tarfile


def tar_info(name: str, size: int = 0, type_: bytes = tarfile.REGTYPE, linkname: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.type, info.linkname = size, type_, linkname
    info.mtime, info.mode = MTIME, 0o755 if type_ == tarfile.DIRTYPE else 0o644
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info


def make_tar(members: list[tuple[tarfile.TarInfo, bytes]], format_: int = tarfile.PAX_FORMAT) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:", format=format_) as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return buf.getvalue()


def file(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
    return tar_info(name, len(data)), data


def link(name: str, target: str, type_: bytes) -> tuple[tarfile.TarInfo, bytes]:
    return tar_info(name, 0, type_, target), b""


def gzip_of(data: bytes, fname: str) -> bytes:
    """gzip as Python writes it, with FNAME = ``fname`` and a zero header time."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename=fname, mode="wb", fileobj=buf, mtime=0) as gz:
        gz.write(data)
    return buf.getvalue()


def v7_tar(name: str, data: bytes) -> bytes:
    """One v7 entry (no magic; tarfile reads it, writes only ustar, GNU and pax), then end blocks."""
    header = bytearray(512)
    header[0:len(name)] = name.encode()
    for at, length, value in ((100, 8, 0o644), (108, 8, 0), (116, 8, 0), (124, 12, len(data)), (136, 12, MTIME)):
        header[at:at + length] = b"%0*o\0" % (length - 1, value)
    header[156] = ord("0")
    header[148:156] = b" " * 8
    header[148:156] = b"%06o\0 " % sum(header)
    body = data + b"\0" * (-len(data) % 512)
    return bytes(header) + body + b"\0" * 1024


def check_listing(data: bytes, names: list[str]) -> None:
    """tarfile lists exactly ``names``: what every expectation about paths rests on."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
        listed = tar.getnames()
    assert listed == names, (listed, names)


# ---------------------------------------------------------------------------------------------
# The legacy torch tar (torch.load -> _legacy_load -> legacy_load in torch/serialization.py)

SYS_INFO = {"protocol_version": 1001, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 8}}
# torch keeps storages and tensors in one dict keyed by these (they were _cdata pointers).
STORAGE_KEYS = (1001, 1002)
TENSOR_KEYS = (1, 2)


def _state() -> collections.OrderedDict:
    return collections.OrderedDict(
        weight=torch.arange(6, dtype=torch.float32).reshape(2, 3),
        bias=torch.tensor([0.5, -0.5], dtype=torch.float32),
    )


@dataclass
class LegacyParts:
    """The four members of a legacy torch tar, with where each storage pickle starts."""

    sys_info: bytes
    pickle: bytes
    tensors: bytes
    storages: bytes
    storage_pickles: list[int]


def legacy_parts(state: collections.OrderedDict) -> LegacyParts:
    """Writes each member the way torch's old ``_save`` did (protocol 2, keys as persistent ids)."""
    tensors = list(state.values())
    keys = {id(t): k for t, k in zip(tensors, TENSOR_KEYS)}

    obj = io.BytesIO()
    pickler = pickle.Pickler(obj, protocol=2)
    pickler.persistent_id = lambda o: str(keys[id(o)]) if torch.is_tensor(o) else None
    pickler.dump(state)

    tens = io.BytesIO()
    pickle.dump(len(tensors), tens, protocol=2)
    for tensor, key, storage_key in zip(tensors, TENSOR_KEYS, STORAGE_KEYS):
        pickle.dump((key, storage_key, torch.FloatTensor), tens, protocol=2)
        # ndim was written as an int64; legacy_load reads an int32 and skips 4 bytes.
        tens.write(struct.pack("<q", tensor.dim()))
        tens.write(struct.pack(f"<{tensor.dim()}q", *tensor.size()))
        tens.write(struct.pack(f"<{tensor.dim()}q", *tensor.stride()))
        tens.write(struct.pack("<q", tensor.storage_offset()))

    stor = io.BytesIO()
    starts = []
    pickle.dump(len(tensors), stor, protocol=2)
    for tensor, key in zip(tensors, STORAGE_KEYS):
        starts.append(stor.tell())
        pickle.dump((key, "cpu", torch.FloatStorage), stor, protocol=2)
        tensor.storage()._write_file(stor, False, True, torch._utils._element_size(tensor.dtype))
    pickle.dump([], stor, protocol=2)  # storage views
    return LegacyParts(pickle.dumps(SYS_INFO, protocol=2), obj.getvalue(), tens.getvalue(), stor.getvalue(), starts)


def legacy_tar(parts: LegacyParts, storages: tuple[tarfile.TarInfo, bytes] | None = None) -> bytes:
    """The archive, members in the order torch wrote them."""
    return make_tar([
        file("sys_info", parts.sys_info),
        file("pickle", parts.pickle),
        file("tensors", parts.tensors),
        storages or file("storages", parts.storages),
    ])


def prove_legacy(data: bytes, state: collections.OrderedDict) -> None:
    """torch.load reads the benign file through its tar path and gets the tensors back."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "legacy.pt"
        path.write_bytes(data)
        loaded = torch.load(path)
    assert list(loaded) == list(state) and all(torch.equal(loaded[k], state[k]) for k in state), loaded


def storage_payload_parts(parts: LegacyParts) -> tuple[bytes, Payload]:
    """The ``storages`` member with storage 0's pickle ``(key, os.system(CMD), FloatStorage)``."""
    start = parts.storage_pickles[0]
    end = parts.storage_pickles[0] + len(pickle.dumps((STORAGE_KEYS[0], "cpu", torch.FloatStorage), protocol=2))
    key = b"M" + struct.pack("<H", STORAGE_KEYS[0])
    payload = Payload(b"\x80\x02" + key)
    evil = payload.call + b"ctorch\nFloatStorage\n\x87."
    return parts.storages[:start] + evil + parts.storages[end:], payload


# ---------------------------------------------------------------------------------------------
# 7z, assembled: signature header, one stored ("Copy" coder) stream, and its header


def _7z_number(n: int) -> bytes:
    """7z's variable-length NUMBER: leading one bits of the first byte count the extra bytes."""
    for extra in range(9):
        if extra == 8 or n < 1 << (7 * (extra + 1)):
            break
    if extra == 8:
        return b"\xff" + n.to_bytes(8, "little")
    high = n >> (8 * extra)
    first = (0xFF << (8 - extra)) & 0xFF | high
    return bytes([first]) + (n & ((1 << (8 * extra)) - 1)).to_bytes(extra, "little")


def seven_zip(name: str, data: bytes) -> bytes:
    num = _7z_number
    names = name.encode("utf-16-le") + b"\0\0"
    header = b"".join([
        b"\x01",  # Header
        b"\x04",  # MainStreamsInfo
        b"\x06", num(0), num(1), b"\x09", num(len(data)), b"\x00",  # PackInfo: pos 0, 1 stream, size
        b"\x07", b"\x0b", num(1), b"\x00",  # UnpackInfo: 1 folder, not external
        num(1), b"\x01\x00",  # 1 coder: 1-byte id 00 (Copy), simple
        b"\x0c", num(len(data)), b"\x00",  # unpack size
        b"\x08", b"\x0a", b"\x01", struct.pack("<I", zlib.crc32(data)), b"\x00",  # SubStreamsInfo: CRC
        b"\x00",
        b"\x05", num(1), b"\x11", num(len(names) + 1), b"\x00", names, b"\x00",  # FilesInfo: the name
        b"\x00",
    ])
    tail = struct.pack("<QQI", len(data), len(header), zlib.crc32(header))
    start = b"7z\xbc\xaf\x27\x1c\x00\x04" + struct.pack("<I", zlib.crc32(tail)) + tail
    archive = start + data + header
    if shutil.which("7zz"):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "a.7z"
            path.write_bytes(archive)
            listing = subprocess.run(["7zz", "t", str(path)], capture_output=True, text=True, check=True).stdout
            assert "Everything is Ok" in listing, listing
    return archive


# ---------------------------------------------------------------------------------------------
# The fixtures


def fixtures() -> list[Fixture]:
    out: list[Fixture] = []
    pkl = benign_pickle()
    readme = b"A demo model.\n"
    config = b'{"layers": 2}\n'
    payload = Payload()

    model = make_tar([file("README.txt", readme), file("config.json", config), file("model.pkl", pkl)])
    check_listing(model, ["README.txt", "config.json", "model.pkl"])
    out.append(Fixture("benign/model.tar", "benign", TAR, "tar of a plain pickle and text files", model))
    out.append(Fixture(
        "benign/model.tar.gz", "benign", GZIP, "the same tar, gzipped (FNAME model.tar)", gzip_of(model, "model.tar"),
    ))

    long_dir = "checkpoints/" + "/".join(f"stage-{i:02d}-of-a-deeply-nested-experiment" for i in range(3))
    long_name = f"{long_dir}/weights.pkl"
    assert len(long_name) > 100
    pax = make_tar([file(long_name, pkl)], tarfile.PAX_FORMAT)
    check_listing(pax, [long_name])
    out.append(Fixture("benign/pax_long_name.tar", "benign", TAR, "pax header (path record) with a long name", pax))
    gnu = make_tar([file(long_name, pkl)], tarfile.GNU_FORMAT)
    check_listing(gnu, [long_name])
    out.append(Fixture("benign/gnu_long_name.tar", "benign", TAR, "GNU long name ('L' header)", gnu))
    v7 = v7_tar("model.pkl", pkl)
    check_listing(v7, ["model.pkl"])
    out.append(Fixture("benign/v7.tar", "benign", TAR, "old v7 header: no magic, checksum only", v7))

    state = _state()
    parts = legacy_parts(state)
    legacy = legacy_tar(parts)
    check_listing(legacy, ["sys_info", "pickle", "tensors", "storages"])
    prove_legacy(legacy, state)
    out.append(Fixture(
        "benign/legacy_torch.pt", "benign", LEGACY_TAR,
        "legacy torch tar (sys_info, pickle, tensors, storages) that torch.load reads", legacy,
    ))

    evil = make_tar([file("README.txt", readme), file("payload.pkl", payload.pickle)])
    out.append(Fixture(
        "malicious/payload.tar", "malicious", TAR, "os.system pickle as a tar member", evil,
        payload.findings("payload.pkl"),
    ))
    out.append(Fixture(
        "malicious/payload.tar.gz", "malicious", GZIP, "os.system pickle in a tar, gzipped (FNAME payload.tar)",
        gzip_of(evil, "payload.tar"), payload.findings("payload.tar:payload.pkl"),
    ))

    dotdot = make_tar([file("../evil.txt", readme)])
    out.append(Fixture(
        "malicious/dotdot_name.tar", "malicious", TAR, "member named ../evil.txt", dotdot,
        [Finding("MA204", "../evil.txt", details={"reason": "a .. component"})],
    ))
    absolute = make_tar([file("/tmp/evil.txt", readme)])
    check_listing(absolute, ["/tmp/evil.txt"])
    out.append(Fixture(
        "malicious/absolute_name.tar", "malicious", TAR, "member with an absolute name", absolute,
        [Finding("MA204", "/tmp/evil.txt", details={"reason": "an absolute path"})],
    ))
    symlink = make_tar([file("README.txt", readme), link("passwd", "/etc/passwd", tarfile.SYMTYPE)])
    out.append(Fixture(
        "malicious/symlink.tar", "malicious", TAR, "symlink to /etc/passwd", symlink,
        [Finding("MA205", "passwd", severity="critical", details={"kind": "symbolic link", "escapes": True})],
    ))
    hardlink = make_tar([file("README.txt", readme), link("shadow", "../../etc/shadow", tarfile.LNKTYPE)])
    out.append(Fixture(
        "malicious/hardlink.tar", "malicious", TAR, "hard link to ../../etc/shadow", hardlink,
        [Finding("MA205", "shadow", severity="critical", details={"kind": "hard link", "escapes": True})],
    ))
    duplicate = make_tar([file("model.pkl", pkl), file("model.pkl", pickle.dumps({"weights": []}, protocol=4))])
    out.append(Fixture(
        "malicious/duplicate.tar", "malicious", TAR, "two members named model.pkl", duplicate,
        [Finding("MA211", "model.pkl")],
    ))
    trailing_at = len(model)
    out.append(Fixture(
        "malicious/trailing.tar", "malicious", TAR, "os.system pickle after the end-of-archive blocks",
        model + payload.pickle,
        [
            Finding("MA207", "", trailing_at, details={"extraBytes": len(payload.pickle)}),
            *payload.findings(f"<trailing@{trailing_at}>"),
        ],
    ))
    internal = make_tar([file("README.txt", readme), link("LATEST.txt", "README.txt", tarfile.SYMTYPE)])
    out.append(Fixture(
        "suspicious/internal_symlink.tar", "suspicious", TAR, "symlink to a member of the archive", internal,
        [Finding("MA205", "LATEST.txt", details={"kind": "symbolic link", "escapes": False})],
    ))

    evil_object = legacy_tar(LegacyParts(parts.sys_info, payload.pickle, parts.tensors, parts.storages, []))
    out.append(Fixture(
        "malicious/legacy_torch_pickle.pt", "malicious", LEGACY_TAR,
        "legacy torch tar whose pickle member calls os.system", evil_object, payload.findings("pickle"),
    ))
    storages, storage_payload = storage_payload_parts(parts)
    evil_storages = legacy_tar(LegacyParts(parts.sys_info, parts.pickle, parts.tensors, storages, []))
    out.append(Fixture(
        "malicious/legacy_torch_storages.pt", "malicious", LEGACY_TAR,
        "legacy torch tar whose first storage pickle calls os.system for its location", evil_storages,
        storage_payload.findings("storages", parts.storage_pickles[0]),
    ))
    linked = legacy_tar(parts, link("storages", "/tmp/storages", tarfile.SYMTYPE))
    out.append(Fixture(
        "malicious/legacy_torch_storages_link.pt", "malicious", LEGACY_TAR,
        "legacy torch tar whose storages member is a symlink torch.load extracts and opens", linked,
        [Finding("MA205", "storages", severity="critical", details={"kind": "symbolic link", "escapes": True})],
    ))

    out.append(Fixture(
        "malicious/model_7z.pt", "malicious", SEVEN_ZIP,
        "7z archive (stored) of an os.system pickle, named .pt", seven_zip("model.pkl", payload.pickle),
        [*payload.findings("model.pkl"), Finding("MA001", "", note="a 7z is no PyTorch format")],
        note="The 7z scanner lists and decodes the archive: its member is scanned like a tar's. 7z twins of every "
             "kind are in fixtures/sevenzip.",
    ))
    return out


def manifest(items: list[Fixture]) -> dict:
    return build_manifest(
        "scripts/make_tar_fixtures.py",
        {"python": python_version(), "torch": torch.__version__},
        [
            "A finding about a member (MA204, MA205, MA211) is located at the member: path = its name as tarfile lists it.",
            "Findings inside a member carry the member's name after a colon and positions inside the member.",
            "A gzip member is named by its FNAME: model.tar.gz:model.tar:member.",
            "MA205 is critical when the link target leaves the archive, or when an archive profile matched (the loader extracts by name), else a warning.",
            "Data after the end-of-archive block (past its zero padding) is MA207 at its first non-zero byte and is scanned opportunistically as <trailing@OFFSET>.",
            "A legacy torch tar is recognised by its members pickle, storages and tensors; its members are scanned as torch.load reads them (pickle and sys_info as pickles, storages and tensors as pickles with raw records between them).",
            "Every file is tiny and built deterministically (mtime 1700000000, uid/gid 0, user root, gzip time 0).",
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
