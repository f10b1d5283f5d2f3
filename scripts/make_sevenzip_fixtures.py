#!/usr/bin/env python3
"""Writes modelaudit's 7z fixtures and their manifest.

Run from anywhere: ``/usr/bin/python3 scripts/make_sevenzip_fixtures.py`` (Debian's python3 with
python3-torch and python3-py7zr, and the ``7z`` command of p7zip-full or 7zip). The script
re-executes itself with /usr/bin/python3 when the current interpreter lacks them.

Outputs (deterministic: fixed file times and modes, one thread):
  fixtures/sevenzip/benign/*      archives made by ``7z a`` and by py7zr of a model folder (README,
                                  config, a safetensors file, a real torch.save checkpoint), with
                                  every method and filter the scanner decodes, solid and not
  fixtures/sevenzip/malicious/*   their twins made hostile: a pickle payload, a checkpoint whose
                                  data.pkl calls os.system, names that escape, links, duplicates,
                                  a payload after the archive
  fixtures/sevenzip/suspicious/*  warnings and notes only: PPMd, encrypted members and headers, a bomb
  fixtures/sevenzip/members.json  the SHA-256 of every member of every benign archive, for the
                                  decoder's exactness test
  fixtures/sevenzip/expected.json the exact findings each archive must produce

SAFETY: nothing malicious is ever unpickled or extracted. The payloads are pickled objects whose
__reduce__ names os.system with a harmless string (``echo pwned``); pickling them runs nothing.
"""

from __future__ import annotations

from debian_python import reexec_if_needed  # noqa: E402

reexec_if_needed(__file__, ("torch", "py7zr"))

import contextlib  # noqa: E402
import hashlib  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import pickle  # noqa: E402
import pickletools  # noqa: E402
import random  # noqa: E402
import struct  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

import py7zr  # noqa: E402
import torch  # noqa: E402

from fixture_manifest import Fixture as ManifestFixture  # noqa: E402
from fixture_manifest import (  # noqa: E402
    ROOT, Finding, build_manifest, findings_entry, python_version, write_fixtures, write_json,
)

OUT = ROOT / "fixtures" / "sevenzip"
MTIME = 1_700_000_000
CMD = "echo pwned"
MAX_FIXTURE_BYTES = 64 * 1024
MAX_TOTAL_BYTES = 600 * 1024
SEVEN_ZIP = "7z"


@dataclass
class Fixture(ManifestFixture):
    """A fixture, and for a benign archive the files it holds (for members.json)."""
    members: dict[str, bytes] = field(default_factory=dict)


class SystemCall:
    """Pickles as ``os.system(CMD)``; pickling it runs nothing, and it is never unpickled."""

    def __reduce__(self):
        return (os.system, (CMD,))


def payload_findings(path: str, data: bytes) -> list[Finding]:
    """MA100 at the GLOBAL (or STACK_GLOBAL) that imports os.system and MA101 at the REDUCE that calls it,
    found by disassembling ``data`` (pickletools reads opcodes, it runs nothing)."""
    ops = list(pickletools.genops(data))
    imports = [pos for op, arg, pos in ops if op.name in ("GLOBAL", "STACK_GLOBAL")]
    calls = [pos for op, arg, pos in ops if op.name == "REDUCE"]
    module = "posix" if b"posix" in data else "os"
    function = {"module": module, "function": "system"}
    return [
        Finding("MA100", path, imports[0], details=function),
        Finding("MA101", path, calls[0], details={**function, "opcode": "REDUCE"}),
    ]


def deterministic_bytes(count: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(count)


def safetensors_file() -> bytes:
    """A safetensors file as the library lays it out: a JSON header, then the raw float32 data, part of it
    random (x86 call opcodes 0xE8 among them, for the BCJ filter to convert)."""
    data = struct.pack("<8f", *[0.5 * i for i in range(8)]) + deterministic_bytes(4064, 7)
    header = json.dumps({"weight": {"dtype": "F32", "shape": [1024], "data_offsets": [0, len(data)]},
                         "__metadata__": {"format": "pt"}}, separators=(",", ":")).encode()
    header += b" " * (-len(header) % 8)
    return struct.pack("<Q", len(header)) + header + data


def checkpoint(obj) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def benign_files() -> dict[str, bytes]:
    torch.manual_seed(0)
    return {
        "README.md": b"# tiny-model\n\nA two-layer demo model for the scanner's tests.\n",
        "config.json": json.dumps({"architectures": ["TinyModel"], "hidden_size": 8}, indent=2).encode() + b"\n",
        "model.safetensors": safetensors_file(),
        "pytorch_model.bin": checkpoint(torch.nn.Linear(3, 2).state_dict()),
    }


def evil_checkpoint() -> bytes:
    """A real torch.save checkpoint whose data.pkl calls os.system when torch.load unpickles it."""
    return checkpoint({"model": SystemCall()})


def checkpoint_pickle(data: bytes) -> bytes:
    """The data.pkl of a torch.save checkpoint (read with zipfile, never loaded)."""
    import zipfile
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        name = next(n for n in archive.namelist() if n.endswith("/data.pkl"))
        return archive.read(name)


def stage(tmp: Path, files: dict[str, bytes], links: dict[str, str] | None = None) -> Path:
    """Writes ``files`` (and symlinks ``links``: name -> target) under a fresh folder, with fixed modes and times."""
    folder = Path(tempfile.mkdtemp(dir=tmp))
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(0o644)
        os.utime(path, (MTIME, MTIME))
    for name, target in (links or {}).items():
        os.symlink(target, folder / name)
        os.utime(folder / name, (MTIME, MTIME), follow_symlinks=False)
    return folder


def seven_zip(tmp: Path, files: dict[str, bytes], switches: list[str], links: dict[str, str] | None = None) -> bytes:
    """An archive made by ``7z a`` with ``switches`` of ``files`` (in name order) and ``links``."""
    folder = stage(tmp, files, links)
    archive = Path(tempfile.mkdtemp(dir=tmp)) / "a.7z"
    names = sorted([*files, *(links or {})])
    subprocess.run(["7z", "a", "-mmt=1", "-snl", *switches, str(archive), *names], cwd=folder, check=True,
                   capture_output=True)
    return archive.read_bytes()


def py7zr_archive(tmp: Path, files: list[tuple[str, bytes]], filters: list[dict] | None = None,
                  links: dict[str, str] | None = None, **options) -> bytes:
    """An archive made by py7zr of ``files`` (arcname, data; repeated names allowed) and ``links``."""
    folder = Path(tempfile.mkdtemp(dir=tmp))
    archive = folder / "a.7z"
    with py7zr.SevenZipFile(archive, "w", filters=filters, **options) as out:
        for index, (arcname, data) in enumerate(files):
            path = stage(tmp, {f"f{index}": data}) / f"f{index}"
            out.write(path, arcname)
        for name, target in (links or {}).items():
            out.write(stage(tmp, {}, {name: target}) / name, name)
    return archive.read_bytes()


def kept_encrypted(name: str, make) -> bytes:
    """7z encrypts with a random IV and salt, so its encrypted archives differ on every run: the committed one is
    kept while 7z still opens it with its password, and made anew only when it is missing or broken."""
    path = OUT / name
    if path.exists() and subprocess.run(["7z", "t", "-psecret", str(path)], capture_output=True).returncode == 0:
        return path.read_bytes()
    return make()


@contextlib.contextmanager
def fixed_iv():
    """py7zr draws its AES IV from Cryptodome's random source: a fixed IV makes its archives reproducible
    (the cipher is the real one; only the IV is predictable, which no scan depends on)."""
    import py7zr.compressor as compressor
    original = compressor.get_random_bytes
    compressor.get_random_bytes = lambda count: bytes(range(count))
    try:
        yield
    finally:
        compressor.get_random_bytes = original


def fixtures(tmp: Path) -> list[Fixture]:
    files = benign_files()
    ordered = sorted(files.items())
    out: list[Fixture] = []

    def benign(name: str, technique: str, data: bytes, members: dict[str, bytes] = files) -> None:
        out.append(Fixture(f"benign/{name}", "benign", SEVEN_ZIP, technique, data, members=members))

    for name, switches, technique in [
        ("lzma2_solid.7z", ["-m0=LZMA2", "-ms=on"], "7z a, LZMA2, one solid folder"),
        ("lzma_nonsolid.7z", ["-m0=LZMA", "-ms=off"], "7z a, LZMA, a folder per file"),
        ("deflate.7z", ["-m0=Deflate"], "7z a, deflate"),
        ("bzip2.7z", ["-m0=BZip2"], "7z a, bzip2"),
        ("copy.7z", ["-m0=Copy"], "7z a, stored (copy)"),
        ("bcj_lzma2.7z", ["-mf=BCJ", "-m0=LZMA2"], "7z a, BCJ x86 filter then LZMA2"),
        ("delta_lzma.7z", ["-mf=Delta:4", "-m0=LZMA"], "7z a, delta filter (distance 4) then LZMA"),
        ("plain_header.7z", ["-m0=LZMA2", "-mhc=off"], "7z a, LZMA2, header not compressed"),
    ]:
        benign(name, technique, seven_zip(tmp, files, switches))
    for name, filters, technique in [
        ("py7zr_default.7z", None, "py7zr defaults (BCJ x86 + LZMA2, solid)"),
        ("py7zr_lzma.7z", [{"id": py7zr.FILTER_LZMA}], "py7zr, LZMA"),
        ("py7zr_deflate.7z", [{"id": py7zr.FILTER_DEFLATE}], "py7zr, deflate"),
        ("py7zr_bzip2.7z", [{"id": py7zr.FILTER_BZIP2}], "py7zr, bzip2"),
        ("py7zr_copy.7z", [{"id": py7zr.FILTER_COPY}], "py7zr, stored (copy)"),
        ("py7zr_delta_lzma2.7z", [{"id": py7zr.FILTER_DELTA}, {"id": py7zr.FILTER_LZMA2}], "py7zr, delta then LZMA2"),
    ]:
        benign(name, technique, py7zr_archive(tmp, ordered, filters))

    # Malicious twins: the same folder with one member made hostile.
    evil = pickle.dumps(SystemCall(), protocol=2)
    with_pickle = {**files, "model.pkl": evil}
    out.append(Fixture("malicious/pickle_lzma2.7z", "malicious", SEVEN_ZIP,
                       "7z a, LZMA2 solid: the model folder plus a pickle calling os.system",
                       seven_zip(tmp, with_pickle, ["-m0=LZMA2"]), payload_findings("model.pkl", evil)))
    out.append(Fixture("malicious/pickle_py7zr.7z", "malicious", SEVEN_ZIP,
                       "py7zr defaults: the model folder plus a pickle calling os.system",
                       py7zr_archive(tmp, sorted(with_pickle.items())), payload_findings("model.pkl", evil)))
    bad_checkpoint = evil_checkpoint()
    with_checkpoint = {**files, "pytorch_model.bin": bad_checkpoint}
    inner = "pytorch_model.bin:archive/data.pkl"
    out.append(Fixture("malicious/checkpoint_lzma2.7z", "malicious", SEVEN_ZIP,
                       "7z a, LZMA2 solid: a torch.save checkpoint whose data.pkl calls os.system",
                       seven_zip(tmp, with_checkpoint, ["-m0=LZMA2"]),
                       payload_findings(inner, checkpoint_pickle(bad_checkpoint))))
    out.append(Fixture("malicious/checkpoint_py7zr_bzip2.7z", "malicious", SEVEN_ZIP,
                       "py7zr, bzip2: a torch.save checkpoint whose data.pkl calls os.system",
                       py7zr_archive(tmp, sorted(with_checkpoint.items()), [{"id": py7zr.FILTER_BZIP2}]),
                       payload_findings(inner, checkpoint_pickle(bad_checkpoint))))
    traversal = [*ordered, ("../../.config/evil.pkl", evil)]
    out.append(Fixture("malicious/traversal_py7zr.7z", "malicious", SEVEN_ZIP,
                       "py7zr: a pickle member named ../../.config/evil.pkl",
                       py7zr_archive(tmp, traversal),
                       [Finding("MA204", "../../.config/evil.pkl", details={"reason": "a .. segment"}),
                        *payload_findings("../../.config/evil.pkl", evil)]))
    backslash = [*ordered, ("..\\evil.pkl", evil)]
    out.append(Fixture("malicious/backslash_traversal_py7zr.7z", "malicious", SEVEN_ZIP,
                       "py7zr: a pickle member named ..\\evil.pkl (a backslash separates on 7-Zip and p7zip)",
                       py7zr_archive(tmp, backslash),
                       [Finding("MA204", "..\\evil.pkl", details={"reason": "a .. segment"}),
                        *payload_findings("..\\evil.pkl", evil)]))
    out.append(Fixture("malicious/symlink_7z.7z", "malicious", SEVEN_ZIP,
                       "7z a -snl: the model folder plus config.json a symlink to ../../.ssh/authorized_keys",
                       seven_zip(tmp, {k: v for k, v in files.items() if k != "config.json"}, ["-m0=LZMA2"],
                                 {"config.json": "../../.ssh/authorized_keys"}),
                       [Finding("MA205", "config.json", severity="critical",
                                details={"kind": "symbolic link", "target": "../../.ssh/authorized_keys",
                                         "escapes": True}),
                        # The link's data, its target, is scanned as the member's content: no JSON.
                        Finding("MA520", "config.json", 0, line=1, column=1)]))
    out.append(Fixture("malicious/symlink_py7zr.7z", "malicious", SEVEN_ZIP,
                       "py7zr: the model folder plus a symlink to /etc/passwd",
                       py7zr_archive(tmp, ordered, links={"passwd": "/etc/passwd"}),
                       [Finding("MA205", "passwd", severity="critical",
                                details={"kind": "symbolic link", "target": "/etc/passwd", "escapes": True})]))
    duplicate = [*ordered, ("config.json", evil)]
    out.append(Fixture("malicious/duplicate_py7zr.7z", "malicious", SEVEN_ZIP,
                       "py7zr: a second config.json that is a pickle calling os.system",
                       py7zr_archive(tmp, duplicate),
                       [Finding("MA211", "config.json"), *payload_findings("config.json", evil),
                        Finding("MA001", "config.json", note="a pickle named .json")]))
    plain = seven_zip(tmp, files, ["-m0=LZMA2"])
    out.append(Fixture("malicious/trailing_pickle.7z", "malicious", SEVEN_ZIP,
                       "7z a, LZMA2, then a pickle appended after the archive's header",
                       plain + evil,
                       [Finding("MA207", "", len(plain), details={"offset": len(plain), "length": len(evil)}),
                        *payload_findings(f"<extra@{len(plain)}>", evil)]))

    # Warnings and notes only.
    names = sorted(files)
    no_ppmd = {"reason": "modelaudit has no PPMd decoder"}
    out.append(Fixture("suspicious/ppmd.7z", "suspicious", SEVEN_ZIP, "7z a, PPMd: a method not decoded here",
                       seven_zip(tmp, files, ["-m0=PPMd"]),
                       [Finding("MA212", name, details=no_ppmd) for name in names]))
    for name, switches, technique, findings in [
        ("encrypted.7z", ["-m0=LZMA2", "-psecret"], "7z a -p: members encrypted with AES-256, names in the clear",
         [Finding("MA208", name) for name in names]),
        ("encrypted_header.7z", ["-m0=LZMA2", "-psecret", "-mhe=on"],
         "7z a -p -mhe=on: the header encrypted too, nothing listed", [Finding("MA213", "")]),
    ]:
        data = kept_encrypted(f"suspicious/{name}", lambda: seven_zip(tmp, files, switches))
        out.append(Fixture(f"suspicious/{name}", "suspicious", SEVEN_ZIP, technique, data, findings))
    with fixed_iv():
        out.append(Fixture("suspicious/encrypted_py7zr.7z", "suspicious", SEVEN_ZIP,
                           "py7zr with a password: members encrypted with AES-256, names in the clear",
                           py7zr_archive(tmp, ordered, password="secret"), [Finding("MA208", name) for name in names]))
        out.append(Fixture("suspicious/encrypted_header_py7zr.7z", "suspicious", SEVEN_ZIP,
                           "py7zr with a password and header_encryption: nothing listed",
                           py7zr_archive(tmp, ordered, password="secret", header_encryption=True),
                           [Finding("MA213", "")]))
    zeros = 80 * 1024 * 1024
    bomb = py7zr_archive(tmp, [("weights.bin", bytes(zeros))], [{"id": py7zr.FILTER_LZMA2, "preset": 9}])
    out.append(Fixture("suspicious/bomb.7z", "suspicious", SEVEN_ZIP,
                       f"py7zr, LZMA2: {zeros} zero bytes in {len(bomb)}",
                       bomb, [Finding("MA206", "weights.bin", details={"decodedSize": zeros}),
                             Finding("MA007", "weights.bin", note="zeros match no format; named .bin")]))
    return out


def members_manifest(items: list[Fixture]) -> dict:
    return {fx.file: {name: hashlib.sha256(data).hexdigest() for name, data in sorted(fx.members.items())}
            for fx in items if fx.members}


def manifest(items: list[Fixture]) -> dict:
    return build_manifest(
        "scripts/make_sevenzip_fixtures.py",
        {"python": python_version(), "torch": torch.__version__, "py7zr": py7zr.__version__,
         "7z": subprocess.run(["7z"], capture_output=True, text=True).stdout.strip().splitlines()[0]},
        [
            "A finding about a member (MA204, MA205, MA208, MA211, MA212) is located at the member: path = its name "
            "as the archive stores it.",
            "Findings inside a member carry the member's name after a colon and positions inside the member; a "
            "torch.save checkpoint inside is a zip, so its data.pkl is pytorch_model.bin:archive/data.pkl.",
            "MA205 is critical when the link target leaves the extraction folder.",
            "Bytes after the archive's header are MA207 at their offset and are scanned opportunistically as "
            "<extra@OFFSET>.",
            "A solid folder's members share its packed size in proportion to their sizes: a member's compression "
            "ratio is its folder's.",
            "File times and modes are fixed (mtime 1700000000, mode 0644); 7z runs with one thread.",
        ],
        items,
        entry=findings_entry,
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        items = fixtures(Path(tmp))
    write_fixtures(OUT, items, manifest(items), max_fixture_bytes=MAX_FIXTURE_BYTES, max_total_bytes=MAX_TOTAL_BYTES,
                   folders=("benign", "malicious", "suspicious"))
    write_json(OUT / "members.json", members_manifest(items))


if __name__ == "__main__":
    main()
