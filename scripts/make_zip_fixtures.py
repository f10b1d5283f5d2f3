#!/usr/bin/env python3
"""Writes modelaudit's zip fixtures and their manifest.

Run from anywhere: ``/usr/bin/python3 scripts/make_zip_fixtures.py`` (Debian's python3; torch is used
only for the reference checkpoint). The output is deterministic: fixed timestamps, fixed data.

Outputs:
  fixtures/zip/benign/*          archives written by Python's zipfile (clean)
  fixtures/zip/malicious/*       zipfile output patched byte by byte (CVE-2025-1944/1945 style header
                                 and flag differentials, overlaps, escaping names, links, polyglots, ...)
  fixtures/zip/reference/*       real torch.save output the unit tests check is not flagged
  fixtures/zip/expected.json     the exact findings each listed file must produce

SAFETY: nothing is ever unpickled. Payload pickles are assembled byte by byte and checked with
``pickletools.genops`` (which decodes opcodes without executing them); the payload command is the
harmless ``echo pwned``. Archives are only opened with zipfile to show what Python's loader does
with them (which member it reads, which error it raises), never extracted.
"""

from __future__ import annotations

from debian_python import reexec_if_needed

reexec_if_needed(__file__, ("torch",))

import hashlib  # noqa: E402
import io  # noqa: E402
import pickle  # noqa: E402
import pickletools  # noqa: E402
import struct  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402
import zipfile  # noqa: E402
import zlib  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import torch  # noqa: E402

from fixture_manifest import ROOT, build_manifest, expected_finding, python_version, write_fixtures  # noqa: E402

OUT = ROOT / "fixtures" / "zip"

# Every member gets this timestamp, so archives are byte-identical from run to run.
DATE = (2024, 1, 1, 0, 0, 0)
# Files stay small: the bomb is the only large one (its deflate stream is ~66 KB).
MAX_FIXTURE_BYTES = 100 * 1024
MAX_TOTAL_BYTES = 300 * 1024
# engine/limits.ts BOMB_MIN_DECODED_BYTES: a ratio is judged only for members that decode to more.
BOMB_MIN_DECODED_BYTES = 64 * 1024 * 1024

# Format ids (scanner ids) the fixtures are detected as.
ZIP = "zip"
PICKLE = "pickle"

# ---------------------------------------------------------------------------------------------
# Payloads

# os.system('echo pwned'), protocol 0: GLOBAL, MARK, STRING, TUPLE, REDUCE, STOP.
PAYLOAD_P0 = b"cos\nsystem\n(S'echo pwned'\ntR."
# The same at protocol 2: PROTO, GLOBAL, BINUNICODE, TUPLE1, REDUCE, STOP.
PAYLOAD_P2 = b"\x80\x02cos\nsystem\nX" + struct.pack("<I", 10) + b"echo pwned\x85R."
# A benign pickle written by the real library.
BENIGN = pickle.dumps({"name": "linear", "weights": [0.5, -1.25, 2.0]}, protocol=2)
README = b"# Model\n\nA tiny model for modelaudit's zip fixtures.\n"


def opcode_positions(data: bytes) -> dict[str, list[int]]:
    """Opcode name -> offsets, decoded with pickletools (nothing is executed)."""
    positions: dict[str, list[int]] = {}
    for op, _arg, pos in pickletools.genops(data):
        positions.setdefault(op.name, []).append(pos)
    return positions


def finding(rule: str, path: str = "", position: int | None = None, **details) -> dict:
    """One expected finding; ``details`` is the subset of the finding's details that must match."""
    return expected_finding(rule, path, position, details=details)


def payload_findings(path: str, data: bytes = PAYLOAD_P2) -> list[dict]:
    """The pickle scanner's findings for a payload: the import at GLOBAL, the call at REDUCE."""
    ops = opcode_positions(data)
    return [
        finding("MA100", path, ops["GLOBAL"][0], module="os", function="system"),
        finding("MA101", path, ops["REDUCE"][0], module="os", function="system"),
    ]


# ---------------------------------------------------------------------------------------------
# Writing archives with zipfile, and patching them byte by byte


def info(name: str, method: int = zipfile.ZIP_STORED, mode: int = 0o100644) -> zipfile.ZipInfo:
    zi = zipfile.ZipInfo(name, date_time=DATE)
    zi.compress_type = method
    zi.create_system = 3
    zi.external_attr = mode << 16
    return zi


def make_zip(members: list[tuple[str, bytes, int]], force_zip64: bool = False, mode: int = 0o100644) -> bytes:
    """A zip written by zipfile: (name, data, method) per member, deflate at level 9."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data, method in members:
            if force_zip64:
                with archive.open(info(name, method, mode), "w", force_zip64=True) as f:
                    f.write(data)
            else:
                archive.writestr(info(name, method, mode), data, compresslevel=9)
    return buf.getvalue()


class Unseekable(io.RawIOBase):
    """A write-only stream zipfile cannot seek in: it then writes data descriptors (flag bit 3)."""

    def __init__(self) -> None:
        self.buf = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        self.buf += b
        return len(b)


def make_streamed_zip(members: list[tuple[str, bytes, int]]) -> bytes:
    out = Unseekable()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data, method in members:
            archive.writestr(info(name, method), data, compresslevel=9)
    return bytes(out.buf)


# Offsets of fields in the fixed parts of the headers (APPNOTE 4.3.7, 4.3.12, 4.3.16).
L_FLAGS, L_METHOD, L_CRC, L_CSIZE, L_SIZE, L_NAME_LEN, L_EXTRA_LEN = 6, 8, 14, 18, 22, 26, 28
C_FLAGS, C_METHOD, C_CRC, C_CSIZE, C_SIZE, C_NAME_LEN, C_EXTRA_LEN, C_COMMENT_LEN, C_ATTR, C_OFFSET = (
    8, 10, 16, 20, 24, 28, 30, 32, 38, 42)
LOCAL_BYTES, CENTRAL_BYTES, END_BYTES = 30, 46, 22


@dataclass
class Entry:
    """One member of a parsed archive: its local header, data and central header, each editable."""

    local: bytearray
    data: bytes
    central: bytearray
    # When set, no local header and data are written: the central header points here instead.
    offset: int | None = None

    @property
    def name(self) -> bytes:
        n = struct.unpack_from("<H", self.central, C_NAME_LEN)[0]
        return bytes(self.central[CENTRAL_BYTES:CENTRAL_BYTES + n])

    def set(self, local_at: int | None, central_at: int | None, fmt: str, value: int) -> None:
        if local_at is not None:
            struct.pack_into(fmt, self.local, local_at, value)
        if central_at is not None:
            struct.pack_into(fmt, self.central, central_at, value)

    def set_sizes(self, compressed: int, size: int) -> None:
        self.set(L_CSIZE, C_CSIZE, "<I", compressed)
        self.set(L_SIZE, C_SIZE, "<I", size)

    def rename_local(self, name: bytes) -> None:
        n = struct.unpack_from("<H", self.local, L_NAME_LEN)[0]
        assert len(name) == n, "a local name of the same length keeps every offset"
        self.local[LOCAL_BYTES:LOCAL_BYTES + n] = name


@dataclass
class Archive:
    entries: list[Entry]

    @staticmethod
    def parse(data: bytes) -> "Archive":
        """Splits a classic (non-zip64) archive written by zipfile into editable entries."""
        end = data.rindex(b"PK\x05\x06")
        count, cd_size, cd_offset = struct.unpack_from("<HII", data, end + 10)
        entries, at = [], cd_offset
        for _ in range(count):
            n, x, c = struct.unpack_from("<HHH", data, at + C_NAME_LEN)
            central = bytearray(data[at:at + CENTRAL_BYTES + n + x + c])
            header = struct.unpack_from("<I", central, C_OFFSET)[0]
            ln, lx = struct.unpack_from("<HH", data, header + L_NAME_LEN)
            csize = struct.unpack_from("<I", central, C_CSIZE)[0]
            data_at = header + LOCAL_BYTES + ln + lx
            entries.append(Entry(bytearray(data[header:data_at]), data[data_at:data_at + csize], central))
            at += len(central)
        assert at == cd_offset + cd_size
        return Archive(entries)

    def build(self) -> bytes:
        """Local headers and data in order, then the central directory with the offsets as written."""
        out = bytearray()
        centrals = []
        for entry in self.entries:
            central = bytearray(entry.central)
            struct.pack_into("<I", central, C_OFFSET, len(out) if entry.offset is None else entry.offset)
            if entry.offset is None:
                out += entry.local + entry.data
            centrals.append(central)
        cd_offset = len(out)
        for central in centrals:
            out += central
        cd_size = len(out) - cd_offset
        out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(centrals), len(centrals), cd_size, cd_offset, 0)
        return bytes(out)


def entry_offsets(data: bytes) -> dict[str, int]:
    """Name -> local header offset, as zipfile lists them."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {i.filename: i.header_offset for i in archive.infolist()}


def zipfile_reads(data: bytes, name: str) -> bytes | str:
    """What Python's zipfile gives for a member: its bytes, or the error it raises (never unpickled)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.read(name)
    except Exception as error:  # noqa: BLE001 - the error is the observation
        return f"{type(error).__name__}: {error}"


# ---------------------------------------------------------------------------------------------
# The fixtures


@dataclass
class Fixture:
    file: str
    kind: str
    technique: str
    data: bytes
    findings: list[dict]
    format: str = ZIP
    note: str | None = None


STORED, DEFLATED = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED


def benign_fixtures() -> list[Fixture]:
    model = [("model.pkl", BENIGN, STORED), ("README.md", README, STORED)]
    inner = make_zip([("model.pkl", BENIGN, DEFLATED)])
    middle = make_zip([("inner.zip", inner, STORED)])
    return [
        Fixture("benign/stored.zip", "benign", "zipfile, stored: a benign pickle and a README", make_zip(model), []),
        Fixture("benign/deflated.zip", "benign", "zipfile, deflated: a benign pickle and a README",
                make_zip([(n, d, DEFLATED) for n, d, _ in model]), []),
        Fixture("benign/zip64.zip", "benign", "zipfile with force_zip64: zip64 extra fields in the local headers",
                make_zip([("model.pkl", BENIGN, STORED), ("README.md", README, DEFLATED)], force_zip64=True), []),
        Fixture("benign/empty.zip", "benign", "zipfile with no members: only the end record", make_zip([]), []),
        Fixture("benign/directories.zip", "benign", "directory entries and a member inside them",
                make_zip([("model/", b"", STORED), ("model/weights/", b"", STORED),
                          ("model/weights/model.pkl", BENIGN, DEFLATED)]), []),
        Fixture("benign/streamed.zip", "benign",
                "zipfile writing to an unseekable stream: data descriptors, zero sizes in the local headers",
                make_streamed_zip([("model.pkl", BENIGN, DEFLATED), ("README.md", README, STORED)]), []),
        Fixture("benign/nested.zip", "benign", "zip in a zip in a zip, a benign pickle at the bottom",
                make_zip([("middle.zip", middle, DEFLATED)]), []),
    ]


def header_fixtures() -> list[Fixture]:
    out = []
    # CVE-2025-1944: the local header names the member otherwise than the central directory. zipfile
    # refuses to read it; miniz (torch.load) reads the directory's name and the data.
    archive = Archive.parse(make_zip([("payload.pkl", PAYLOAD_P2, STORED)]))
    archive.entries[0].rename_local(b"payload.txt")
    data = archive.build()
    assert "differ" in str(zipfile_reads(data, "payload.pkl"))
    out.append(Fixture(
        "malicious/local_name_mismatch.zip", "malicious",
        "CVE-2025-1944: local header name payload.txt, central directory name payload.pkl; the data is a "
        "pickle calling os.system",
        data,
        [finding("MA200", "payload.pkl"), *payload_findings("payload.pkl")],
        note="zipfile raises BadZipFile (names differ); miniz reads the member by its central name",
    ))
    # CVE-2025-1945: the encryption flag on plain data. zipfile asks for a password; loaders that
    # ignore the flag read the pickle.
    for method, suffix in ((STORED, ""), (DEFLATED, "_deflated")):
        archive = Archive.parse(make_zip([("payload.pkl", PAYLOAD_P2, method)]))
        entry = archive.entries[0]
        entry.set(L_FLAGS, C_FLAGS, "<H", struct.unpack_from("<H", entry.central, C_FLAGS)[0] | 1)
        data = archive.build()
        assert "password required" in str(zipfile_reads(data, "payload.pkl"))
        out.append(Fixture(
            f"malicious/encryption_flag_plain{suffix}.zip", "malicious",
            f"CVE-2025-1945: encryption flag (bit 0) set on an unencrypted {'deflated' if method else 'stored'} "
            "member that runs os.system",
            data,
            [finding("MA201", "payload.pkl", encryptedFlag=True), *payload_findings("payload.pkl")],
        ))
    # CRC-32 that does not match: zipfile raises when it reaches the end; loaders that skip the
    # check load the pickle.
    for method, suffix in ((STORED, ""), (DEFLATED, "_deflated")):
        archive = Archive.parse(make_zip([("payload.pkl", PAYLOAD_P2, method)]))
        archive.entries[0].set(L_CRC, C_CRC, "<I", zlib.crc32(PAYLOAD_P2) ^ 0xFFFFFFFF)
        data = archive.build()
        assert "Bad CRC-32" in str(zipfile_reads(data, "payload.pkl"))
        out.append(Fixture(
            f"malicious/crc_mismatch{suffix}.zip", "malicious",
            f"{'deflated' if method else 'stored'} member running os.system whose CRC-32 is wrong in both headers",
            data,
            [finding("MA202", "payload.pkl", declared=zlib.crc32(PAYLOAD_P2) ^ 0xFFFFFFFF,
                     actual=zlib.crc32(PAYLOAD_P2)),
             *payload_findings("payload.pkl")],
        ))
    # A deflate stream followed by a junk byte its compressed size covers: zlib (zipfile, miniz) stops
    # at the stream's end and loads the pickle; a decoder that fails on the junk sees nothing.
    archive = Archive.parse(make_zip([("payload.pkl", PAYLOAD_P2, DEFLATED)]))
    entry = archive.entries[0]
    deflate_end = len(entry.data)
    entry.data += b"\x00"
    entry.set_sizes(len(entry.data), len(PAYLOAD_P2))
    data = archive.build()
    assert zipfile_reads(data, "payload.pkl") == PAYLOAD_P2
    out.append(Fixture(
        "malicious/junk_after_deflate_stream.zip", "malicious",
        "deflated member running os.system, with one junk byte after its deflate stream (zipfile reads it)",
        data,
        [finding("MA209", "payload.pkl", deflateEnd=deflate_end), *payload_findings("payload.pkl")],
    ))
    return out


def layout_fixtures() -> list[Fixture]:
    out = []
    # A member whose local header and data lie inside another member's data.
    hidden = Archive.parse(make_zip([("payload.pkl", PAYLOAD_P2, STORED)])).entries[0]
    note = b"# notes\n"
    archive = Archive.parse(make_zip([("README.txt", note + bytes(hidden.local) + hidden.data, STORED)]))
    readme = archive.entries[0]
    hidden.offset = len(readme.local) + len(note)
    archive.entries.append(hidden)
    data = archive.build()
    assert zipfile_reads(data, "payload.pkl") == PAYLOAD_P2
    out.append(Fixture(
        "malicious/overlapping_members.zip", "malicious",
        "payload.pkl (os.system) lies inside the data of README.txt: two members share bytes",
        data,
        [finding("MA203", "payload.pkl", overlaps="README.txt"), *payload_findings("payload.pkl")],
    ))
    # Names that escape the extraction directory.
    for file, name, reason in (
        ("dotdot_name.zip", "../../evil.pkl", "a .. segment"),
        ("absolute_name.zip", "/tmp/evil.pkl", "an absolute path"),
        ("backslash_name.zip", "models\\evil.pkl", "a backslash"),
    ):
        out.append(Fixture(
            f"malicious/{file}", "malicious", f"a benign pickle named {name!r}: {reason}",
            make_zip([(name, BENIGN, STORED)]), [finding("MA204", name, reason=reason)],
        ))
    # A symbolic link member (Unix mode 0o120777 in the external attributes).
    out.append(Fixture(
        "malicious/symlink_member.zip", "suspicious", "weights/latest is a symbolic link to /etc/passwd",
        make_zip([("weights/latest", b"/etc/passwd", STORED)], mode=0o120777),
        [finding("MA205", "weights/latest", target="/etc/passwd")],
    ))
    # Two members with one name: zipfile reads the last, miniz may read the first.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(info("model.pkl"), BENIGN)
        with warnings.catch_warnings():  # zipfile warns of the duplicate it is asked to write
            warnings.simplefilter("ignore")
            z.writestr(info("model.pkl"), PAYLOAD_P2)
    data = buf.getvalue()
    assert zipfile_reads(data, "model.pkl") == PAYLOAD_P2
    out.append(Fixture(
        "malicious/duplicate_names.zip", "malicious",
        "two members named model.pkl: a benign pickle, then one running os.system",
        data, [finding("MA211", "model.pkl", index=1, firstIndex=0), *payload_findings("model.pkl")],
    ))
    return out


def content_fixtures() -> list[Fixture]:
    out = [Fixture(
        "malicious/payload_named_data_txt.zip", "malicious",
        "a protocol-0 pickle running os.system named data.txt, next to a benign model.pkl",
        make_zip([("model.pkl", BENIGN, STORED), ("data.txt", PAYLOAD_P0, DEFLATED)]),
        [*payload_findings("data.txt", PAYLOAD_P0), finding("MA001", "data.txt")],
    )]
    # A pickle followed by a zip: pickle.load reads the first, zipfile the second (offsets shifted).
    inner = make_zip([("payload.pkl", PAYLOAD_P2, STORED)])
    data = PAYLOAD_P2 + inner
    assert zipfile_reads(data, "payload.pkl") == PAYLOAD_P2
    out.append(Fixture(
        "malicious/pickle_then_zip.pkl", "malicious",
        "a pickle running os.system followed by a zip whose payload.pkl runs os.system",
        data,
        [*payload_findings(""),
         finding("MA105", "", data.index(b"\n", len(PAYLOAD_P2)) + 1),
         finding("MA207", "", 0, offset=0, length=len(PAYLOAD_P2)),
         *payload_findings("payload.pkl")],
        format=PICKLE,
        note="The pickle scanner reads the pickle, then the zip after its STOP as a second pickle: 'P' (PERSID) "
             "takes the bytes up to the first newline as its argument, and the opcode after that newline "
             "(SETITEM on a one-item stack) breaks the stream (MA105). The zip scanner then reads the archive at "
             "the end and does not scan the leading pickle again.",
    ))
    # Data after the end record: zipfile and miniz find the record in the last 64 KiB and ignore it.
    archive = make_zip([("model.pkl", BENIGN, STORED)])
    junk = b"JUNK" * 16
    out.append(Fixture(
        "malicious/zip_then_junk.zip", "suspicious", "64 bytes of junk after the end record",
        archive + junk, [finding("MA207", "", len(archive), offset=len(archive), length=len(junk))],
    ))
    out.append(Fixture(
        "malicious/zip_then_pickle.zip", "malicious", "a pickle running os.system after the end record",
        archive + PAYLOAD_P2,
        [finding("MA207", "", len(archive), offset=len(archive), length=len(PAYLOAD_P2)),
         *payload_findings(f"<trailing@{len(archive)}>")],
    ))
    level2 = make_zip([("payload.pkl", PAYLOAD_P2, DEFLATED)])
    level1 = make_zip([("level2.zip", level2, STORED)])
    out.append(Fixture(
        "malicious/nest.zip", "malicious", "zip in a zip in a zip; payload.pkl at the bottom runs os.system",
        make_zip([("level1.zip", level1, DEFLATED)]), payload_findings("level1.zip:level2.zip:payload.pkl"),
    ))
    # Really encrypted: a ZipCrypto-like 12-byte header and ciphertext that does not inflate.
    archive = Archive.parse(make_zip([("secret.pkl", BENIGN, DEFLATED)]))
    entry = archive.entries[0]
    cipher = b"".join(hashlib.sha256(b"modelaudit %d" % i).digest() for i in range(4))[:12 + len(entry.data)]
    try:
        zlib.decompressobj(-15).decompress(cipher)
        sys.exit("the stand-in ciphertext must not inflate")
    except zlib.error:
        pass
    entry.data = cipher
    entry.set(L_FLAGS, C_FLAGS, "<H", 1)
    entry.set_sizes(len(cipher), len(BENIGN))
    out.append(Fixture(
        "malicious/encrypted_member.zip", "suspicious",
        "secret.pkl encrypted (flag bit 0, a 12-byte encryption header, ciphertext that does not inflate)",
        archive.build(), [finding("MA208", "secret.pkl")],
    ))
    out.append(Fixture(
        "benign/bzip2_member.zip", "benign", "model.pkl compressed with bzip2 (method 12), as zipfile writes it",
        make_zip([("model.pkl", BENIGN, zipfile.ZIP_BZIP2)]), [],
    ))
    out.append(Fixture(
        "malicious/bzip2_member.zip", "malicious",
        "payload.pkl (os.system) compressed with bzip2 (method 12): zipfile and np.load read it",
        make_zip([("payload.pkl", PAYLOAD_P2, zipfile.ZIP_BZIP2)]), payload_findings("payload.pkl"),
    ))
    out.append(Fixture(
        "benign/lzma_member.zip", "benign", "model.pkl compressed with LZMA (method 14), as zipfile writes it",
        make_zip([("model.pkl", BENIGN, zipfile.ZIP_LZMA)]), [],
    ))
    out.append(Fixture(
        "malicious/lzma_member.zip", "malicious",
        "payload.pkl (os.system) compressed with LZMA (method 14): zipfile and np.load read it",
        make_zip([("payload.pkl", PAYLOAD_P2, zipfile.ZIP_LZMA)]), payload_findings("payload.pkl"),
    ))
    zstd = Archive.parse(make_zip([("model.pkl", BENIGN, STORED)]))
    zstd.entries[0].set(L_METHOD, C_METHOD, "<H", 93)
    out.append(Fixture(
        "malicious/zstd_member.zip", "suspicious", "model.pkl under method 93 (zstd), which zipfile cannot read",
        zstd.build(), [finding("MA212", "model.pkl", method=93)],
    ))
    # No central directory: the walk over local headers still finds the payload.
    data = make_zip([("payload.pkl", PAYLOAD_P2, STORED), ("README.md", README, STORED)])
    cut = data.rindex(b"PK\x01\x02", 0, data.rindex(b"PK\x01\x02"))
    out.append(Fixture(
        "malicious/truncated_no_directory.zip", "malicious",
        "archive cut before its central directory; payload.pkl (os.system) is found by its local header",
        data[:cut], [finding("MA209", "", membersFound=2), *payload_findings("payload.pkl")],
    ))
    # A compression bomb: zeros deflate about 1,000:1.
    size = BOMB_MIN_DECODED_BYTES + 1024 * 1024
    data = make_zip([("zeros", bytes(size), DEFLATED)])
    compressed = Archive.parse(data).entries[0].data
    out.append(Fixture(
        "malicious/deflate_bomb.zip", "suspicious",
        f"one member of {size} zero bytes deflated to {len(compressed)}: a ratio over 1000:1",
        data, [finding("MA206", "zeros", decodedSize=size, encodedSize=len(compressed))],
    ))
    return out


def reference_files() -> dict[str, bytes]:
    """Real torch.save output: the unit tests check the generic checks do not flag it."""
    torch.manual_seed(0)
    buf = io.BytesIO()
    torch.save(torch.nn.Linear(3, 2).state_dict(), buf)
    return {"reference/torch_linear_state_dict.pt": buf.getvalue()}


ASSUMPTIONS = [
    "Members are read as Python's zipfile and miniz read them: names, sizes, method and flags from the "
    "central directory, the data from the local header's offset + 30 + its name and extra lengths.",
    "A finding about a member is located at `file:member` (no position); findings inside a member have "
    "positions relative to the member's decoded bytes.",
    "Data before the first local header or after the end record is one MA207 at its first byte, and is "
    "scanned opportunistically as <prefix> (unless another scanner read the file from its start) or "
    "<trailing@OFFSET>.",
    "A member flagged encrypted whose data reads as plain (a stored member whose sizes agree, a deflated "
    "one that inflates cleanly) is MA201 and is scanned; otherwise it is MA208 and is not.",
    "Deflate data is decoded as zlib decodes it: bytes after the end of the deflate stream are ignored "
    "(one MA209 for the member).",
    "Without an end record the archive is one MA209, and the members found by walking local headers "
    "from the start (while they declare their sizes) are scanned.",
]


def main() -> None:
    fixtures = [*benign_fixtures(), *header_fixtures(), *layout_fixtures(), *content_fixtures()]
    versions = {"python": python_version(), "zlib": zlib.ZLIB_RUNTIME_VERSION, "torch": torch.__version__}
    write_fixtures(OUT, fixtures, build_manifest("scripts/make_zip_fixtures.py", versions, ASSUMPTIONS, fixtures),
                   max_fixture_bytes=MAX_FIXTURE_BYTES, max_total_bytes=MAX_TOTAL_BYTES,
                   folders=("benign", "malicious", "reference"), extra_files=reference_files())


if __name__ == "__main__":
    main()
