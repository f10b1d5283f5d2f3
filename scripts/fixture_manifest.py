"""What every fixture generator writes the same way: expected findings, the manifest, the files on disk.

Each ``scripts/make_*_fixtures.py`` builds its own fixtures (objects with ``file``, ``kind``, ``format``,
``technique``, ``data``, ``findings`` and, where the area uses it, ``note``) and hands them here:

- ``expected_finding`` shapes one expected finding, its severity the catalog default read from
  ``core/rules.ts`` (``rule_severities``), so the manifests cannot drift from the catalog;
- ``build_manifest`` and ``fixture_entry`` shape ``fixtures/<area>/expected.json`` (schema 1);
- ``write_fixtures`` checks the sizes, deletes stale files, writes the fixtures and ``expected.json``;
- ``Finding`` and ``Fixture`` are the shapes the container generators (tar, 7z) build them in, and
  ``findings_entry`` their manifest entry.

make_pytorch_fixtures.py uses only ``ROOT``, ``python_version`` and ``write_json`` for now: its
benign/traced.pt records line numbers of that script (see the note at its torch.jit.trace call), so its
output code cannot shrink without changing that fixture.

The key order of every dict here is the order in the committed manifests: re-running a generator must give
byte-identical files. Standard library only, so that any interpreter can import it before the generator
re-executes itself under Debian's python3 (``debian_python``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import shutil
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULES_TS = ROOT / "core" / "rules.ts"

# The manifest schema every area's expected.json follows (documented in fixtures/pickle/README.md).
SCHEMA = 1

# The earliest time a zip member can store (1980-01-01 00:00:00): the fixed date_time of zip members written
# by the generators whose archives carry no meaningful time.
ZIP_EARLIEST = (1980, 1, 1, 0, 0, 0)


@functools.lru_cache(maxsize=None)
def rule_severities() -> dict[str, str]:
    """Default severity of every rule id, read from core/rules.ts (once); exits when it finds none."""
    # Each catalog entry is an object `MA001: { id: "MA001", name: ..., kind: ..., severity: "warning", ... }`.
    found = dict(re.findall(r'^  (MA\d{3}): \{\n(?:    .*\n)*?    severity: "(critical|warning|info)"', RULES_TS.read_text(),
                            re.M))
    if not found:
        sys.exit(f"no rules found in {RULES_TS}")
    return found


def expected_finding(rule: str, path: str = "", position: int | None = None, *, severity: str | None = None,
                     details: dict | None = None, note: str | None = None, line: int | None = None,
                     column: int | None = None, key_path: str | None = None) -> dict:
    """One expected finding as the manifests list it: ``severity`` defaults to the rule's catalog default;
    ``position``, ``line``, ``column``, ``key_path`` (as ``keyPath``), ``details`` (the subset of the
    finding's details that must match) and ``note`` appear only when given."""
    out: dict = {"rule": rule, "severity": severity or rule_severities()[rule], "path": path}
    if position is not None:
        out["position"] = position
    if line is not None:
        out["line"] = line
    if column is not None:
        out["column"] = column
    if key_path is not None:
        out["keyPath"] = key_path
    if details:
        out["details"] = details
    if note:
        out["note"] = note
    return out


@dataclass
class Finding:
    """One expected finding, as a container generator builds it; ``as_json`` shapes it for the manifest."""
    rule: str
    path: str
    position: int | None = None
    severity: str | None = None
    details: dict | None = None
    note: str | None = None
    key_path: str | None = None
    line: int | None = None
    column: int | None = None

    def as_json(self) -> dict:
        return expected_finding(self.rule, self.path, self.position, severity=self.severity, details=self.details,
                                note=self.note, key_path=self.key_path, line=self.line, column=self.column)


@dataclass
class Fixture:
    """One fixture file of a container generator: where it goes, what it is, its bytes and expected findings."""
    file: str
    kind: str
    format: str
    technique: str
    data: bytes
    findings: list[Finding] = field(default_factory=list)
    note: str | None = None


def python_version() -> str:
    """The running interpreter's version (major.minor.micro), as the manifests' ``versions`` record it."""
    return ".".join(map(str, sys.version_info[:3]))


def fixture_entry(fx, findings: list[dict] | None = None, *, after_technique: dict | None = None,
                  extra: dict | None = None) -> dict:
    """A fixture's entry in ``expected.json``: file, kind, format, technique, size, sha256, findings and the
    note when ``fx`` has one. ``findings`` replaces ``fx.findings`` (when the area keeps them in another
    shape); ``after_technique`` keys go right after technique, ``extra`` keys last."""
    note = getattr(fx, "note", None)
    return {
        "file": fx.file,
        "kind": fx.kind,
        "format": fx.format,
        "technique": fx.technique,
        **(after_technique or {}),
        "size": len(fx.data),
        "sha256": hashlib.sha256(fx.data).hexdigest(),
        "findings": fx.findings if findings is None else findings,
        **({"note": note} if note else {}),
        **(extra or {}),
    }


def findings_entry(fx: Fixture) -> dict:
    """The manifest entry of a container generator's ``Fixture``: its ``Finding`` objects as JSON."""
    return fixture_entry(fx, [finding.as_json() for finding in fx.findings])


def build_manifest(generator: str, versions: dict[str, str], assumptions: list[str], fixtures: Iterable,
                   entry: Callable[..., dict] = fixture_entry, **sections) -> dict:
    """An area's manifest: schema, the generator script, library versions, the assumptions the expectations
    rest on, any further ``sections`` (in the order given), then ``entry(fx)`` for every fixture."""
    return {
        "schema": SCHEMA,
        "generator": generator,
        "versions": versions,
        "assumptions": assumptions,
        **sections,
        "fixtures": [entry(fx) for fx in fixtures],
    }


def checked_size(files: list[tuple[str, bytes]], max_fixture_bytes: int, max_total_bytes: int) -> int:
    """Asserts that the names are unique and every file and the whole area stay under their limits; returns
    the area's total size."""
    names = [name for name, _ in files]
    assert len(names) == len(set(names)), "duplicate fixture names"
    for name, data in files:
        assert len(data) <= max_fixture_bytes, (name, len(data))
    total = sum(len(data) for _, data in files)
    assert total <= max_total_bytes, total
    return total


def remove_stale(out: Path, folders: Iterable[str], wanted: set[Path]) -> None:
    """Creates each of ``folders`` under ``out`` and deletes everything in it that is not ``wanted``."""
    for folder in folders:
        (out / folder).mkdir(parents=True, exist_ok=True)
        for stale in (out / folder).iterdir():
            if stale in wanted:
                continue
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale)
            else:
                stale.unlink()


def write_json(path: Path, value: object) -> None:
    """Writes ``value`` as the manifests are written: two-space indents, non-ASCII text as is, a final newline."""
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def write_fixtures(out: Path, fixtures: Iterable, manifest: dict, *, max_fixture_bytes: int, max_total_bytes: int,
                   folders: Iterable[str] = ("malicious", "benign"),
                   extra_files: dict[str, bytes] | None = None) -> int:
    """Checks the sizes of the fixtures (and ``extra_files``, name -> bytes, written but not in the manifest),
    deletes stale files in ``folders``, writes every file and ``out/expected.json``; returns the total size."""
    files = [(fx.file, fx.data) for fx in fixtures] + list((extra_files or {}).items())
    total = checked_size(files, max_fixture_bytes, max_total_bytes)
    paths = {out / name for name, _ in files}
    remove_stale(out, folders, paths | {parent for path in paths for parent in path.parents})
    for name, data in files:
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    write_json(out / "expected.json", manifest)
    print(f"wrote {len(files)} files ({total} bytes) and expected.json under {out.relative_to(ROOT)}")
    return total
