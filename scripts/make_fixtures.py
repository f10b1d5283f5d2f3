#!/usr/bin/env python3
"""Writes modelaudit's pickle fixtures and their manifest.

Run from anywhere: ``/usr/bin/python3 scripts/make_fixtures.py`` (Debian's python3 with
python3-torch, python3-numpy, python3-sklearn and python3-joblib). The script re-executes
itself with /usr/bin/python3 when the current interpreter lacks those packages, and with
PYTHONHASHSEED=0 so that nothing that depends on string hashing can reorder the output.

Outputs (all deterministic: re-running gives byte-identical files):
  fixtures/pickle/malicious/*   crafted pickles, assembled opcode by opcode by ``Asm``
  fixtures/pickle/benign/*      pickles written by the real libraries
  fixtures/pickle/expected.json the exact findings each file must produce
  fixtures/pickle/README.md     the manifest schema and one line per fixture

SAFETY: this script never unpickles anything. Malicious fixtures are only assembled and
checked with ``pickletools`` (``genops``/``dis`` decode opcodes without executing them).
Payload commands are harmless strings (``echo modelaudit-fixture``).
"""

from __future__ import annotations

from debian_python import reexec_if_needed  # noqa: E402

reexec_if_needed(__file__, ("joblib", "numpy", "sklearn", "torch"))

# The imports below need the Debian interpreter chosen above.
import argparse  # noqa: E402
import base64  # noqa: E402
import builtins  # noqa: E402
import codecs  # noqa: E402
import collections  # noqa: E402
import contextlib  # noqa: E402
import datetime  # noqa: E402
import decimal  # noqa: E402
import io  # noqa: E402
import pickle  # noqa: E402
import pickletools  # noqa: E402
import re  # noqa: E402
import struct  # noqa: E402
import zipfile  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

import joblib  # noqa: E402
import numpy as np  # noqa: E402
import sklearn  # noqa: E402
import torch  # noqa: E402
from sklearn.ensemble import RandomForestClassifier  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from fixture_manifest import (  # noqa: E402
    ROOT, ZIP_EARLIEST, build_manifest, expected_finding, fixture_entry, python_version, write_fixtures,
)

OUT = ROOT / "fixtures" / "pickle"
README = ROOT / "fixtures" / "pickle" / "README.md"

# Harmless stand-ins for what a real payload would run.
CMD = "echo modelaudit-fixture"
SOURCE = "print('modelaudit-fixture')"

# ARCHITECTURE.md: fixtures stay well under 1 MB each; the brief asks for much less.
MAX_FIXTURE_BYTES = 100 * 1024
MAX_TOTAL_BYTES = 1024 * 1024

# Substrings that make a string "Python source calling dangerous functions" (MA108), from
# /tmp/pickle_semantics.md plus obvious relatives. No string constant may contain one unless
# the fixture expects MA108, so scanner false positives cannot hide in the expectations.
CODE_TRIGGERS = (
    "os.system(", "subprocess.", "exec(", "eval(", "__import__(", "compile(", "open(", "socket",
    "popen(", "system(", "spawn",
)

# torch's legacy serialization begins with a pickle of this number (torch/serialization.py).
TORCH_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
# A legacy torch stream holds five pickles (magic, protocol, sys_info, object, storage keys),
# then raw storage records.
TORCH_LEGACY_PICKLES = 5
# Format ids (the scanner ids in scanners/registry.ts) a fixture's content is detected as.
PICKLE = "pickle"
PYTORCH_LEGACY = "pytorch-legacy"


# ---------------------------------------------------------------------------------------------
# The assembler


class Asm:
    """Emits pickle opcodes one by one and records the byte offset of each labelled opcode.

    Every emitting method returns the opcode's offset; ``label=`` also stores it in ``at``.
    """

    def __init__(self) -> None:
        self.buf = bytearray()
        self.at: dict[str, int] = {}
        self._frame: int | None = None

    def bytes(self) -> bytes:
        assert self._frame is None, "unterminated frame"
        return bytes(self.buf)

    def op(self, code: bytes, arg: bytes = b"", label: str | None = None) -> int:
        pos = len(self.buf)
        if label is not None:
            assert label not in self.at, label
            self.at[label] = pos
        self.buf += code + arg
        return pos

    # structure
    def proto(self, n: int, **kw) -> int:
        return self.op(b"\x80", bytes([n]), **kw)

    def frame(self, **kw) -> int:
        """Opens a FRAME; its length is patched by ``end_frame``."""
        pos = self.op(b"\x95", b"\0" * 8, **kw)
        self._frame = pos
        return pos

    def end_frame(self, declared: int | None = None) -> int:
        """Closes the open frame; ``declared`` overrides the true length (to make it lie)."""
        assert self._frame is not None
        start = self._frame + 9
        actual = len(self.buf) - start
        self.buf[self._frame + 1:start] = struct.pack("<Q", actual if declared is None else declared)
        self._frame = None
        return actual

    def stop(self, **kw) -> int:
        return self.op(b".", **kw)

    def stop_and_end_frame(self) -> int:
        """STOP, then the end of the open frame: pickle.dumps ends its last frame after STOP."""
        pos = self.stop()
        self.end_frame()
        return pos

    def mark(self, **kw) -> int:
        return self.op(b"(", **kw)

    def raw(self, data: bytes) -> int:
        """Bytes that are not opcodes (junk, raw storage data)."""
        return self.op(data)

    # imports and calls
    def global_(self, module: str, name: str, **kw) -> int:
        return self.op(b"c", f"{module}\n{name}\n".encode(), **kw)

    def inst(self, module: str, name: str, **kw) -> int:
        return self.op(b"i", f"{module}\n{name}\n".encode(), **kw)

    def stack_global(self, **kw) -> int:
        return self.op(b"\x93", **kw)

    def reduce(self, **kw) -> int:
        return self.op(b"R", **kw)

    def build(self, **kw) -> int:
        return self.op(b"b", **kw)

    def obj(self, **kw) -> int:
        return self.op(b"o", **kw)

    def newobj(self, **kw) -> int:
        return self.op(b"\x81", **kw)

    def newobj_ex(self, **kw) -> int:
        return self.op(b"\x92", **kw)

    def ext(self, code: int, **kw) -> int:
        if code < 0x100:
            return self.op(b"\x82", bytes([code]), **kw)
        if code < 0x10000:
            return self.op(b"\x83", struct.pack("<H", code), **kw)
        return self.op(b"\x84", struct.pack("<i", code), **kw)

    # constants
    def none(self, **kw) -> int:
        return self.op(b"N", **kw)

    def true(self, **kw) -> int:
        return self.op(b"\x88", **kw)

    def binint1(self, n: int, **kw) -> int:
        return self.op(b"K", bytes([n]), **kw)

    def binint2(self, n: int, **kw) -> int:
        return self.op(b"M", struct.pack("<H", n), **kw)

    def long1(self, n: int, **kw) -> int:
        data = n.to_bytes((n.bit_length() + 8) // 8, "little", signed=True)
        return self.op(b"\x8a", bytes([len(data)]) + data, **kw)

    def string(self, s: str, **kw) -> int:
        """Protocol-0 STRING: a quoted, escaped literal on one line."""
        assert s.isascii() and "'" not in s and "\\" not in s and "\n" not in s
        return self.op(b"S", f"'{s}'\n".encode(), **kw)

    def binunicode(self, s: str, **kw) -> int:
        data = s.encode("utf-8", "surrogatepass")
        return self.op(b"X", struct.pack("<I", len(data)) + data, **kw)

    def short_binunicode(self, s: str, **kw) -> int:
        data = s.encode("utf-8")
        assert len(data) < 256
        return self.op(b"\x8c", bytes([len(data)]) + data, **kw)

    def binbytes(self, b: bytes, **kw) -> int:
        return self.op(b"B", struct.pack("<I", len(b)) + b, **kw)

    def short_binbytes(self, b: bytes, **kw) -> int:
        assert len(b) < 256
        return self.op(b"C", bytes([len(b)]) + b, **kw)

    # containers
    def empty_tuple(self, **kw) -> int:
        return self.op(b")", **kw)

    def tuple_(self, **kw) -> int:
        return self.op(b"t", **kw)

    def tuple1(self, **kw) -> int:
        return self.op(b"\x85", **kw)

    def tuple2(self, **kw) -> int:
        return self.op(b"\x86", **kw)

    def empty_list(self, **kw) -> int:
        return self.op(b"]", **kw)

    def list_(self, **kw) -> int:
        return self.op(b"l", **kw)

    def append(self, **kw) -> int:
        return self.op(b"a", **kw)

    def appends(self, **kw) -> int:
        return self.op(b"e", **kw)

    def empty_dict(self, **kw) -> int:
        return self.op(b"}", **kw)

    def setitem(self, **kw) -> int:
        return self.op(b"s", **kw)

    def setitems(self, **kw) -> int:
        return self.op(b"u", **kw)

    # stack and memo
    def dup(self, **kw) -> int:
        return self.op(b"2", **kw)

    def pop(self, **kw) -> int:
        return self.op(b"0", **kw)

    def pop_mark(self, **kw) -> int:
        return self.op(b"1", **kw)

    def binput(self, n: int, **kw) -> int:
        return self.op(b"q", bytes([n]), **kw)

    def binget(self, n: int, **kw) -> int:
        return self.op(b"h", bytes([n]), **kw)

    def long_binput(self, n: int, **kw) -> int:
        return self.op(b"r", struct.pack("<I", n), **kw)

    def long_binget(self, n: int, **kw) -> int:
        return self.op(b"j", struct.pack("<I", n), **kw)

    def memoize(self, **kw) -> int:
        return self.op(b"\x94", **kw)

    def binpersid(self, **kw) -> int:
        return self.op(b"Q", **kw)


# Bytes between a string opcode and its first data byte.
DATA_HEADER = {
    "UNICODE": 1, "STRING": 2, "SHORT_BINUNICODE": 2, "SHORT_BINBYTES": 2, "SHORT_BINSTRING": 2,
    "BINUNICODE": 5, "BINBYTES": 5, "BINSTRING": 5, "BINUNICODE8": 9, "BINBYTES8": 9, "BYTEARRAY8": 9,
}


# ---------------------------------------------------------------------------------------------
# Expected findings


def finding(rule: str, position: int | None = None, path: str = "", note: str | None = None, **details) -> dict:
    """One expected finding; ``details`` is the subset of the finding's details that must match."""
    return expected_finding(rule, path, position, details=details, note=note)


def nested(path: str, findings: list[dict]) -> list[dict]:
    """Re-roots findings of a nested payload under ``path`` (labels joined by ':')."""
    out = []
    for f in findings:
        g = dict(f)
        g["path"] = path if not f["path"] else f"{path}:{f['path']}"
        out.append(g)
    return out


def imp(rule: str, a: Asm, label: str, module: str | None, function: str | None, opcode: str) -> dict:
    """An import finding (MA100/MA102/MA104) at a labelled opcode."""
    return finding(rule, a.at[label], module=module, function=function, opcode=opcode)


def call(rule: str, a: Asm, label: str, opcode: str, module: str | None = None, function: str | None = None,
         note: str | None = None) -> dict:
    """A call finding (MA101/MA103) at a labelled opcode."""
    details = {"opcode": opcode}
    if module is not None:
        details["module"] = module
    if function is not None:
        details["function"] = function
    return finding(rule, a.at[label], note=note, **details)


def import_and_call(a: Asm, module: str, name: str, imported_by: str = "GLOBAL", called_by: str = "REDUCE",
                    rules: tuple[str, str] = ("MA100", "MA101")) -> list[dict]:
    """The findings of ``module.name`` imported at the opcode labelled "import" and called at "call"."""
    return [imp(rules[0], a, "import", module, name, imported_by), call(rules[1], a, "call", called_by, module, name)]


# Why a callee that cannot be resolved gives MA103 rather than MA101.
COMPUTED_NOTE = ("The callee is unresolved and nothing denied is involved in computing it "
                 "(_codecs.encode is known-safe, its arguments are strings): MA103 with function <computed>.")


def unresolved_call(a: Asm, **import_details) -> list[dict]:
    """The findings of an import that cannot be resolved (MA104 with ``import_details`` at the opcode
    labelled "import") and of the REDUCE labelled "call" that calls what it gives (MA103)."""
    return [finding("MA104", a.at["import"], **import_details),
            call("MA103", a, "call", "REDUCE", function="<computed>", note=COMPUTED_NOTE)]


@dataclass
class Fixture:
    file: str
    kind: str  # malicious | suspicious | benign
    technique: str
    data: bytes
    findings: list[dict]
    well_formed: bool = True
    format: str = PICKLE
    # [start, end) of a legacy torch stream's raw records in the file: bytes that are not opcodes.
    records: tuple[int, int] | None = None
    note: str | None = None
    # (label, bytes) of nested pickles that pickletools must also accept.
    inner: list[tuple[str, bytes]] = field(default_factory=list)
    extra: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Building blocks of the crafted fixtures


def global_call(a: Asm, proto: int, module: str = "os", name: str = "system", arg: str = CMD,
                rules: tuple[str, str] = ("MA100", "MA101")) -> list[dict]:
    """``module.name(arg)`` with GLOBAL + REDUCE; returns its import and call findings."""
    a.global_(module, name, label="import")
    if proto == 0:
        a.mark()
        a.string(arg)
        a.tuple_()
    else:
        a.binunicode(arg)
        a.tuple1()
    a.reduce(label="call")
    return import_and_call(a, module, name, rules=rules)


def call_pickle(proto: int, module: str = "os", name: str = "system", arg: str = CMD,
                rules: tuple[str, str] = ("MA100", "MA101")) -> tuple[bytes, list[dict]]:
    """A whole pickle that is one ``module.name(arg)`` call (protocol 0, or >= 2 with its PROTO); returns
    its bytes and findings."""
    a = Asm()
    if proto >= 2:
        a.proto(proto)
    found = global_call(a, proto, module, name, arg, rules)
    a.stop()
    return a.bytes(), found


def framed_p4(**kw) -> Asm:
    """A protocol-4 pickle with its FRAME open, as pickle.dumps begins one (``kw`` labels the FRAME)."""
    a = Asm()
    a.proto(4)
    a.frame(**kw)
    return a


def stack_global_p4(a: Asm, module: str, name: str, label: str = "import") -> int:
    """Pushes module and name as SHORT_BINUNICODE + MEMOIZE, then STACK_GLOBAL (as pickle does)."""
    a.short_binunicode(module)
    a.memoize()
    a.short_binunicode(name)
    a.memoize()
    return a.stack_global(label=label)


def memoized_call_p4(a: Asm, module: str, name: str, arg: str = CMD) -> int:
    """``module.name(arg)`` as pickle.dumps writes it at protocol 4 (STACK_GLOBAL, every object memoized,
    REDUCE labelled "call"); returns the offset of the argument's opcode."""
    stack_global_p4(a, module, name)
    a.memoize()
    arg_at = a.short_binunicode(arg)
    a.memoize()
    a.tuple1()
    a.memoize()
    a.reduce(label="call")
    a.memoize()
    return arg_at


def stack_global_call(a: Asm, arg: str = CMD) -> None:
    """STACK_GLOBAL (labelled "import") on the module and name already on the stack, then a call of what
    it gives with ``arg`` (REDUCE labelled "call")."""
    a.stack_global(label="import")
    a.short_binunicode(arg)
    a.tuple1()
    a.reduce(label="call")


def stack_global_system_p4(a: Asm, file: str, technique: str, module: str | None = "os",
                           note: str | None = None) -> Fixture:
    """Ends ``a``, a framed protocol-4 pickle that has left a module operand and "system" on the stack:
    STACK_GLOBAL, a call of what it gives with CMD, STOP. ``module`` is what the operand resolves to, None
    when a scanner cannot know it."""
    stack_global_call(a)
    a.stop_and_end_frame()
    found = (import_and_call(a, module, "system", "STACK_GLOBAL") if module is not None
             else unresolved_call(a, module=None, function="system", opcode="STACK_GLOBAL"))
    return Fixture(file, "malicious", technique, a.bytes(), found, note=note)


def loader_call_p3(module: str, name: str, payload: bytes, opcode: str = "SHORT_BINBYTES") -> tuple[Asm, str]:
    """A protocol-3 pickle of ``module.name(payload)``, the bytes held by ``opcode`` (SHORT_BINBYTES or
    BINBYTES); returns it and the nested label ``<payload@OFFSET>`` of the payload's first byte."""
    a = Asm()
    a.proto(3)
    a.global_(module, name, label="import")
    emit = {"SHORT_BINBYTES": a.short_binbytes, "BINBYTES": a.binbytes}[opcode]
    emit(payload, label="payload")
    a.tuple1()
    a.reduce(label="call")
    a.stop()
    return a, f"<payload@{a.at['payload'] + DATA_HEADER[opcode]}>"


def simple(file: str, technique: str, proto: int, module: str, name: str, arg: str = CMD,
           kind: str = "malicious", note: str | None = None) -> Fixture:
    """A whole pickle that is one ``module.name(arg)`` call (protocol 0 or >= 2)."""
    rules = ("MA102", "MA103") if kind == "suspicious" else ("MA100", "MA101")
    return Fixture(file, kind, technique, *call_pickle(proto, module, name, arg, rules), note=note)


# ---------------------------------------------------------------------------------------------
# Crafted fixtures, one per technique


def crafted() -> list[Fixture]:
    out: list[Fixture] = []
    add = out.append

    add(simple("malicious/global_os_system_reduce_p0.pkl", "GLOBAL os.system + REDUCE, protocol 0", 0,
               "os", "system"))
    add(simple("malicious/global_posix_system_p2.pkl", "GLOBAL posix.system + REDUCE, protocol 2", 2,
               "posix", "system"))
    add(simple("malicious/global_builtin_exec_p2.pkl",
               "GLOBAL __builtin__.exec (Python 2 name, mapped to builtins on load), protocol 2", 2,
               "__builtin__", "exec", arg=SOURCE))

    # builtins.eval through STACK_GLOBAL, protocol 4 with a correct FRAME.
    a = framed_p4()
    memoized_call_p4(a, "builtins", "eval", "'modelaudit-fixture'")
    a.stop_and_end_frame()
    add(Fixture("malicious/stack_global_builtins_eval_p4.pkl", "malicious",
                "builtins.eval via STACK_GLOBAL, protocol 4 with FRAME", a.bytes(),
                import_and_call(a, "builtins", "eval", "STACK_GLOBAL")))

    # INST imports and calls in one opcode.
    a = Asm()
    a.mark()
    a.mark()
    a.string("echo")
    a.string("modelaudit-fixture")
    a.list_()
    a.inst("subprocess", "Popen", label="inst")
    a.stop()
    add(Fixture("malicious/inst_subprocess_popen_p0.pkl", "malicious",
                "INST subprocess.Popen (import and call in one opcode), protocol 0", a.bytes(),
                [imp("MA100", a, "inst", "subprocess", "Popen", "INST"),
                 call("MA101", a, "inst", "INST", "subprocess", "Popen")]))

    # OBJ: MARK, class, args, OBJ (protocol 1, which has no PROTO opcode).
    a = Asm()
    a.mark()
    a.global_("os", "system", label="import")
    a.binunicode(CMD)
    a.obj(label="call")
    a.stop()
    add(Fixture("malicious/obj_os_system_p1.pkl", "malicious", "OBJ on os.system, protocol 1", a.bytes(),
                import_and_call(a, "os", "system", called_by="OBJ")))

    # NEWOBJ on subprocess.Popen.
    a = Asm()
    a.proto(2)
    a.global_("subprocess", "Popen", label="import")
    a.mark()
    a.binunicode("echo")
    a.binunicode("modelaudit-fixture")
    a.list_()
    a.tuple1()
    a.newobj(label="call")
    a.stop()
    add(Fixture("malicious/newobj_subprocess_popen_p2.pkl", "malicious", "NEWOBJ on subprocess.Popen, protocol 2",
                a.bytes(), import_and_call(a, "subprocess", "Popen", called_by="NEWOBJ")))

    # NEWOBJ_EX with args and kwargs.
    a = framed_p4()
    stack_global_p4(a, "subprocess", "Popen")
    a.memoize()
    a.empty_list()
    a.memoize()
    a.mark()
    a.short_binunicode("echo")
    a.memoize()
    a.short_binunicode("modelaudit-fixture")
    a.memoize()
    a.appends()
    a.tuple1()
    a.memoize()
    a.empty_dict()
    a.memoize()
    a.newobj_ex(label="call")
    a.memoize()
    a.stop_and_end_frame()
    add(Fixture("malicious/newobj_ex_subprocess_popen_p4.pkl", "malicious",
                "NEWOBJ_EX on subprocess.Popen (args and kwargs), protocol 4", a.bytes(),
                import_and_call(a, "subprocess", "Popen", "STACK_GLOBAL", "NEWOBJ_EX")))

    # BUILD on an instance of a denied class: __setstate__ / __dict__ update is a call too.
    a = Asm()
    a.proto(2)
    a.global_("logging", "FileHandler", label="import")
    a.empty_tuple()
    a.newobj(label="call")
    a.empty_dict()
    a.binunicode("baseFilename")
    a.binunicode("/tmp/modelaudit-fixture.log")
    a.setitem()
    a.build(label="build")
    a.stop()
    add(Fixture("malicious/build_setstate_denied_class_p2.pkl", "malicious",
                "BUILD (__setstate__ gadget) on an instance of a denied class (logging.FileHandler)", a.bytes(),
                import_and_call(a, "logging", "FileHandler", called_by="NEWOBJ")
                + [call("MA101", a, "build", "BUILD", "logging", "FileHandler")]))

    # STACK_GLOBAL operands from the memo, stored and fetched out of order.
    a = framed_p4()
    a.short_binunicode("system")
    a.binput(7)
    a.pop()
    a.short_binunicode("os")
    a.long_binput(3)
    a.pop()
    a.long_binget(3)
    a.binget(7)
    add(stack_global_system_p4(a, "malicious/stack_global_memo_out_of_order_p4.pkl",
                               "STACK_GLOBAL whose module and name come from the memo (PUT 7 then 3, GET 3 then 7)"))

    # MEMOIZE stores at len(memo), not at a count of MEMOIZE opcodes: after BINPUT 50, the
    # MEMOIZEs fill 1..4. A scanner that counts MEMOIZEs (0..3) resolves GET 1 / GET 3 to the
    # safe collections.OrderedDict; the truth is os.system.
    a = framed_p4()
    for s, how in (("junk", 50), ("os", None), ("collections", None), ("system", None), ("OrderedDict", None)):
        a.short_binunicode(s)
        if how is None:
            a.memoize()
        else:
            a.binput(how)
        a.pop()
    a.binget(1)
    a.binget(3)
    add(stack_global_system_p4(a, "malicious/memoize_numbering_p4.pkl",
                               "MEMOIZE numbering: memo index is len(memo), so GET 1/GET 3 are os/system (a "
                               "MEMOIZE counter would read collections/OrderedDict)"))

    # DUP, POP and POP_MARK between the operands.
    a = framed_p4()
    a.short_binunicode("os")
    a.dup()
    a.pop()
    a.short_binunicode("collections")
    a.pop()
    a.mark()
    a.short_binunicode("OrderedDict")
    a.short_binunicode("decoy")
    a.pop_mark()
    a.short_binunicode("system")
    a.dup()
    a.pop()
    add(stack_global_system_p4(a, "malicious/dup_pop_between_operands_p4.pkl",
                               "DUP, POP and POP_MARK between the STACK_GLOBAL operands"))

    # STACK_GLOBAL whose module is computed by a call: _codecs.encode('bf', 'rot13') == 'os'.
    a = framed_p4()
    stack_global_p4(a, "_codecs", "encode", label="codecs")
    a.short_binunicode("bf")
    a.short_binunicode("rot13")
    a.tuple2()
    a.reduce(label="compute")
    a.short_binunicode("system")
    add(stack_global_system_p4(a, "malicious/stack_global_module_from_call_p4.pkl",
                               "Unresolvable STACK_GLOBAL: module is the result of _codecs.encode('bf', 'rot13') "
                               "(= 'os')", module=None,
                               note="_codecs.encode itself is known-safe and called with safe arguments: no finding "
                                    "for it."))

    # STACK_GLOBAL whose module is an int.
    a = framed_p4()
    a.binint1(7)
    a.short_binunicode("system")
    add(stack_global_system_p4(a, "malicious/stack_global_module_from_int_p4.pkl",
                               "Unresolvable STACK_GLOBAL: module operand is an int", module=None))

    # Extension registry codes.
    for opname, code in (("EXT1", 0x42), ("EXT2", 0x0102), ("EXT4", 0x01020304)):
        a = Asm()
        a.proto(2)
        a.ext(code, label="import")
        a.binunicode(CMD)
        a.tuple1()
        a.reduce(label="call")
        a.stop()
        add(Fixture(f"malicious/{opname.lower()}_extension_code_p2.pkl", "malicious",
                    f"{opname} (copyreg extension registry code {code}) called with REDUCE", a.bytes(),
                    unresolved_call(a, opcode=opname, extensionCode=code)))

    # Dotted names (protocol >= 4 resolves them attribute by attribute).
    for file, module, name, technique in (
        ("malicious/dotted_pathlib_os_system_p4.pkl", "pathlib", "os.system",
         "STACK_GLOBAL pathlib + os.system (dotted name reaches os through pathlib)"),
        ("malicious/dotted_builtins_eval_call_p4.pkl", "builtins", "eval.__call__",
         "STACK_GLOBAL builtins + eval.__call__ (prefix of the dotted name is denied)"),
    ):
        a = framed_p4()
        memoized_call_p4(a, module, name, CMD if module == "pathlib" else "'modelaudit-fixture'")
        a.stop_and_end_frame()
        add(Fixture(file, "malicious", technique, a.bytes(), import_and_call(a, module, name, "STACK_GLOBAL")))

    add(simple("malicious/submodule_asyncio_unix_events_p2.pkl",
               "GLOBAL asyncio.unix_events._UnixSubprocessTransport (submodule of the denied asyncio)", 2,
               "asyncio.unix_events", "_UnixSubprocessTransport",
               note="Assumes the denylist has a module-wide 'asyncio' entry (it spawns processes); the issue "
                    "calls asyncio.unix_events 'a submodule of a denied module'."))

    # functools.partial(os.system)(CMD)
    a = Asm()
    a.proto(2)
    a.global_("functools", "partial", label="partial")
    a.global_("os", "system", label="import")
    a.tuple1()
    a.reduce(label="bind")
    a.binunicode(CMD)
    a.tuple1()
    a.reduce(label="call")
    a.stop()
    add(Fixture("malicious/functools_partial_os_system_p2.pkl", "malicious",
                "functools.partial(os.system) then a call of the partial", a.bytes(),
                [imp("MA100", a, "import", "os", "system", "GLOBAL"),
                 call("MA101", a, "bind", "REDUCE",
                      note="Argument is a denied global. One finding per call opcode: MA101 outranks the MA103 "
                           "an unknown callee would give."),
                 call("MA101", a, "call", "REDUCE",
                      note="Computed callee; the computing call's arguments hold a denied global.")]))

    # operator.attrgetter('real')(1)
    a = Asm()
    a.proto(2)
    a.global_("operator", "attrgetter", label="import")
    a.binunicode("real")
    a.tuple1()
    a.reduce(label="bind")
    a.binint1(1)
    a.tuple1()
    a.reduce(label="call")
    a.stop()
    add(Fixture("malicious/operator_attrgetter_p2.pkl", "malicious",
                "operator.attrgetter built, then the getter called (a computed callee)", a.bytes(),
                [imp("MA100", a, "import", "operator", "attrgetter", "GLOBAL"),
                 call("MA101", a, "bind", "REDUCE", "operator", "attrgetter"),
                 call("MA101", a, "call", "REDUCE",
                      note="Computed callee whose computing call's callee (operator.attrgetter) is denied.")]))

    # Functions that run Python source: module.name(SOURCE, {}).
    for file, module, name in (("malicious/runpy_run_code_p2.pkl", "runpy", "_run_code"),
                               ("malicious/numpy_runstring_p2.pkl", "numpy.testing._private.utils", "runstring")):
        a = Asm()
        a.proto(2)
        a.global_(module, name, label="import")
        a.binunicode(SOURCE)
        a.empty_dict()
        a.tuple2()
        a.reduce(label="call")
        a.stop()
        add(Fixture(file, "malicious", f"{module}.{name}(source, {{}})", a.bytes(), import_and_call(a, module, name)))

    # torch.load(<bytes of a harmless pickle>)
    inner = b"\x80\x02K*."  # the int 42
    a, path = loader_call_p3("torch", "load", inner)
    add(Fixture("malicious/torch_load_p3.pkl", "malicious", "torch.load called from a pickle", a.bytes(),
                import_and_call(a, "torch", "load"),
                note=f"torch.load is a nested loader; its argument (the harmless pickle of 42 at {path}) is scanned "
                     "and clean. Bytes are used rather than a path so the nested scan has a well-defined (empty) "
                     "result.",
                inner=[("payload", inner)]))

    a = Asm()
    a.proto(2)
    a.global_("torch.hub", "load", label="import")
    a.binunicode("modelaudit/fixture")
    a.binunicode("model")
    a.tuple2()
    a.reduce(label="call")
    a.stop()
    add(Fixture("malicious/torch_hub_load_p2.pkl", "malicious", "torch.hub.load(repo, model)", a.bytes(),
                import_and_call(a, "torch.hub", "load"),
                note="torch.hub.load is not a nested loader (its first argument names a repository), so "
                     "'modelaudit/fixture' is not scanned as a payload."))

    out += nested_fixtures()
    out += legacy_fixtures()
    out += joblib_fixtures()
    out += stream_fixtures()
    out += review_fixtures()
    out += source_string_fixtures()

    # Disguised names: content decides the format.
    body, found = call_pickle(0)
    mismatch = finding("MA001", note="MA001 is about the whole file: no position.")
    for name, extra in (("disguised_os_system_p0.txt", [mismatch]),
                        ("disguised_os_system_p0.safetensors", [mismatch]),
                        ("disguised_os_system_p0", [])):
        add(Fixture(f"malicious/{name}", "malicious",
                    f"protocol-0 os.system pickle named {name!r}" + (" (no extension)" if not extra else ""),
                    body, found + extra,
                    note=None if extra else "No extension claims nothing, so no MA001."))

    add(simple("malicious/unknown_import_mypkg_p2.pkl",
               "Unknown import mypkg.helpers.transform called with REDUCE (warnings only)", 2,
               "mypkg.helpers", "transform", arg="modelaudit-fixture", kind="suspicious"))
    add(simple("malicious/scanner_import_modelaudit_p2.pkl", "Imports the modelaudit scanner itself", 2,
               "modelaudit.core", "scan_model_directory_or_file", arg="modelaudit-fixture"))
    add(simple("malicious/scanner_import_fickling_p2.pkl", "Imports the fickling scanner", 2, "fickling", "load",
               arg="modelaudit-fixture"))
    return out


def review_fixtures() -> list[Fixture]:
    """Bypasses found in a security review: each was silent, or only a warning, before its fix."""
    out: list[Fixture] = []
    add = out.append

    # The C unpickler's strtol/PyLong_FromString stop at a NUL: "I1\0..." is the int 1 to pickle.load.
    a = Asm()
    a.raw(b"I1\0modelaudit-junk\n")
    a.pop()
    found = global_call(a, 0)
    a.stop()
    add(Fixture("malicious/nul_terminated_int_p0.pkl", "malicious",
                "INT line with a NUL (CPython stops reading the number there) ahead of GLOBAL os.system", a.bytes(),
                [{**f, "details": {k: v for k, v in f["details"].items() if k != "opcode"}} for f in found],
                well_formed=False,
                note="pickletools (and the pure-Python unpickler) reject the NUL, so positions are not checked "
                     "against pickletools' listing; a parser that broke there would drop the whole file."))

    # random keeps os as random._os: the dotted name reaches os.system through it.
    a = framed_p4()
    memoized_call_p4(a, "random", "_os.system")
    a.stop_and_end_frame()
    add(Fixture("malicious/attribute_alias_random_os_system_p4.pkl", "malicious",
                "STACK_GLOBAL random + _os.system (random does `import os as _os`)", a.bytes(),
                import_and_call(a, "random", "_os.system", "STACK_GLOBAL")))

    # sklearn's _cached_call(None, obj, name, *args) is getattr(obj, name)(*args): from a module that
    # imported os (sklearn.utils.fixes, a safe-looking name) to os.system without importing either.
    a = Asm()
    a.proto(4)
    stack_global_p4(a, "sklearn.metrics._scorer", "_cached_call")
    a.memoize()
    a.mark()
    a.none()
    stack_global_p4(a, "sklearn.utils", "fixes", label="module")
    a.short_binunicode("__getattribute__")
    a.short_binunicode("os")
    a.tuple_()
    a.reduce(label="getattr")
    a.memoize()
    a.pop()
    a.binget(2)
    a.mark()
    a.none()
    a.binget(5)
    a.short_binunicode("system")
    a.short_binunicode(CMD)
    a.tuple_()
    a.reduce(label="call")
    a.stop()
    add(Fixture("malicious/sklearn_cached_call_getattr_p4.pkl", "malicious",
                "sklearn.metrics._scorer._cached_call as getattr: fixes.__getattribute__('os'), then os.system(cmd)",
                a.bytes(),
                [imp("MA100", a, "import", "sklearn.metrics._scorer", "_cached_call", "STACK_GLOBAL"),
                 call("MA101", a, "getattr", "REDUCE", "sklearn.metrics._scorer", "_cached_call"),
                 call("MA101", a, "call", "REDUCE", "sklearn.metrics._scorer", "_cached_call")],
                note="sklearn.utils + fixes is a module object, safe by the sklearn family: no finding for it."))

    # torch.storage._load_from_bytes unpickles whatever it is given: here bytes computed while loading.
    a = Asm()
    a.proto(2)
    a.global_("torch.storage", "_load_from_bytes", label="import")
    a.global_("_codecs", "encode")
    a.binunicode(call_pickle(0)[0].decode())
    a.binunicode("utf-8")
    a.tuple2()
    a.reduce()
    a.tuple1()
    a.reduce(label="call")
    a.stop()
    add(Fixture("malicious/load_from_bytes_computed_payload_p2.pkl", "malicious",
                "torch.storage._load_from_bytes(_codecs.encode(<protocol-0 os.system pickle>, 'utf-8'))", a.bytes(),
                [call("MA101", a, "call", "REDUCE", "torch.storage", "_load_from_bytes")],
                note="Only the latin1 form that protocol 2 writes bytes as is a constant the scanner can follow."))

    # An instance attribute named __setstate__ is what the next BUILD calls.
    a = Asm()
    a.proto(2)
    a.global_("types", "SimpleNamespace")
    a.empty_tuple()
    a.reduce()
    a.empty_dict()
    a.binunicode("__setstate__")
    a.global_("builtins", "print", label="import")
    a.setitem(label="key")
    a.build()
    a.binunicode(CMD)
    a.build(label="again")
    a.stop()
    add(Fixture("malicious/build_twice_setstate_injection_p2.pkl", "malicious",
                "SimpleNamespace() built with {'__setstate__': print}, then built again: BUILD calls print(cmd)",
                a.bytes(),
                [imp("MA102", a, "import", "builtins", "print", "GLOBAL"),
                 call("MA101", a, "key", "SETITEM", function="<computed>"),
                 call("MA101", a, "again", "BUILD", "types", "SimpleNamespace")],
                note="print stands in for any callable the pickle can name."))

    # BUILD straight on an imported class: setattr(Linear, "forward", ...) for the whole process.
    a = Asm()
    a.proto(2)
    a.global_("torch.nn.modules.linear", "Linear")
    a.none()
    a.empty_dict()
    a.binunicode("forward")
    a.binunicode("modelaudit-fixture")
    a.setitem()
    a.tuple2()
    a.build(label="build")
    a.stop()
    add(Fixture("malicious/build_on_imported_class_p2.pkl", "malicious",
                "BUILD on the imported class torch.nn.Linear itself (slot state): monkeypatches Linear.forward",
                a.bytes(), [call("MA101", a, "build", "BUILD", "torch.nn.modules.linear", "Linear")]))

    # scipy.stats' rv_generic.__setstate__ execs the state's _parse_arg_template; here it is rot13'd source.
    source = ("\ndef _parse_args(self, loc=0, scale=1):\n    return (), loc, scale\n"
              "__import__('os').system('" + CMD + "')\n")
    a = Asm()
    a.proto(2)
    a.global_("copyreg", "_reconstructor")
    a.mark()
    a.global_("scipy.stats._continuous_distns", "norm_gen", label="import")
    a.global_("builtins", "object")
    a.none()
    a.tuple_()
    a.reduce()
    a.empty_dict()
    a.binunicode("_parse_arg_template")
    a.global_("_codecs", "encode")
    a.binunicode(codecs.encode(source, "rot13"))
    a.binunicode("rot13")
    a.tuple2()
    a.reduce()
    a.setitem(label="key")
    a.build()
    a.stop()
    add(Fixture("malicious/scipy_parse_arg_template_rot13_p2.pkl", "malicious",
                "scipy.stats distribution whose state's _parse_arg_template (exec'd by __setstate__) is "
                "computed: _codecs.encode(<rot13 source>, 'rot13')", a.bytes(),
                [imp("MA102", a, "import", "scipy.stats._continuous_distns", "norm_gen", "GLOBAL"),
                 call("MA101", a, "key", "SETITEM", "scipy.stats._distn_infrastructure", "rv_generic.__setstate__")],
                note="scipy.stats distributions are unknown (MA102); a template scipy generated itself is fine."))

    # Padding past MAX_MARK_DEPTH: calls are no longer tracked, so a loader's payload would not be either.
    a = Asm()
    a.proto(2)
    for _ in range(10_001):
        limit_hit = a.mark()
    a.global_("torch.storage", "_load_from_bytes", label="import")
    a.binbytes(call_pickle(0)[0])
    a.tuple1()
    a.reduce()
    a.stop()
    add(Fixture("malicious/padded_past_mark_limit_load_from_bytes_p2.pkl", "malicious",
                "10,001 nested MARKs, then torch.storage._load_from_bytes(<protocol-0 os.system pickle>)", a.bytes(),
                [finding("MA110", limit_hit, limit="MAX_MARK_DEPTH"),
                 imp("MA101", a, "import", "torch.storage", "_load_from_bytes", "GLOBAL")],
                well_formed=False,
                note="Past a limit only imports are checked; a loader's import stands for the call it cannot see."))

    # A loader handed a zip checkpoint: torch.load runs the data.pkl inside.
    archive = io.BytesIO()
    inner, inner_found = call_pickle(2)
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(zipfile.ZipInfo("archive/data.pkl", date_time=ZIP_EARLIEST), inner)
        z.writestr(zipfile.ZipInfo("archive/version", date_time=ZIP_EARLIEST), b"3\n")
    a, label = loader_call_p3("torch.storage", "_load_from_bytes", archive.getvalue(), opcode="BINBYTES")
    add(Fixture("malicious/load_from_bytes_zip_payload_p3.pkl", "malicious",
                "torch.storage._load_from_bytes(<zip whose data.pkl calls os.system>)", a.bytes(),
                nested(f"{label}:archive/data.pkl", inner_found),
                inner=[(f"{label}:archive/data.pkl", inner)],
                note="The zip is scanned as the loader's payload. Its end record lies within the pickle, "
                     "not after its STOP: it is not an appended zip, and is not scanned a second time."))

    add(simple("malicious/compat_tkfiledialog_p2.pkl",
               "GLOBAL tkFileDialog.Tk: Python 3 loads Python 2's tkFileDialog as tkinter.filedialog (protocol 2)",
               2, "tkFileDialog", "Tk", arg="modelaudit-fixture"))
    return out


def nested_fixtures() -> list[Fixture]:
    out: list[Fixture] = []
    inner, inner_found = call_pickle(2)

    # pickle.loads(<malicious pickle>)
    a, path = loader_call_p3("pickle", "loads", inner)
    out.append(Fixture("malicious/nested_pickle_loads_p3.pkl", "malicious",
                       "pickle.loads(bytes) whose payload runs os.system", a.bytes(),
                       import_and_call(a, "pickle", "loads") + nested(path, inner_found),
                       note="The payload starts like a pickle (\\x80\\x02) and is a loader argument: it must be "
                            "scanned exactly once, under <payload@...>, not again opportunistically.",
                       inner=[(path, inner)]))

    # torch.storage._load_from_bytes(<malicious pickle>) as SHORT_BINBYTES.
    a, path = loader_call_p3("torch.storage", "_load_from_bytes", inner)
    out.append(Fixture("malicious/nested_load_from_bytes_p3.pkl", "malicious",
                       "torch.storage._load_from_bytes(bytes) with a malicious inner pickle", a.bytes(),
                       nested(path, inner_found),
                       note="_load_from_bytes is how every pickled tensor loads its storage, so it is known-safe "
                            "as a callee (no finding of its own); its payload is scanned.",
                       inner=[(path, inner)]))

    # The same through _codecs.encode(str, 'latin1'): how protocol 0-2 pickles carry bytes.
    a = Asm()
    a.proto(2)
    a.global_("torch.storage", "_load_from_bytes", label="import")
    a.global_("_codecs", "encode")
    a.binunicode(inner.decode("latin1"), label="payload")
    a.binunicode("latin1")
    a.tuple2()
    a.reduce()
    a.tuple1()
    a.reduce(label="call")
    a.stop()
    path = f"<payload@{a.at['payload'] + 5}>"
    out.append(Fixture("malicious/nested_load_from_bytes_codecs_p2.pkl", "malicious",
                       "_load_from_bytes(_codecs.encode(str, 'latin1')) with a malicious inner pickle (protocol-2 "
                       "bytes idiom)", a.bytes(),
                       nested(path, inner_found),
                       note="The payload is _codecs.encode(S, 'latin1') of a constant string S: the scanner must "
                            "treat it as the constant bytes S.encode('latin1'). OFFSET is the first data byte of "
                            "the BINUNICODE holding S (opcode position + 5); positions inside are offsets in the "
                            "latin-1 bytes (a copy, not a view of the file, because the file holds S as UTF-8).",
                       inner=[(path, inner)]))

    # A legacy torch stream (what _load_from_bytes really receives) with the object pickle
    # replaced by a malicious one: torch.load runs every pickle of it.
    p = Asm()
    legacy_header(p)
    p.proto(2)
    inner_found_here = global_call(p, 2)
    p.stop()
    legacy_keys(p, ["0"])
    raw_at = p.raw(struct.pack("<q", 1) + struct.pack("<f", 1.0))
    payload = p.bytes()
    a, path = loader_call_p3("torch.storage", "_load_from_bytes", payload, "BINBYTES")
    out.append(Fixture("malicious/nested_legacy_torch_hidden_p3.pkl", "malicious",
                       "_load_from_bytes of a legacy torch stream whose object pickle runs os.system", a.bytes(),
                       nested(path, inner_found_here + [finding(
                           "MA105", raw_at,
                           note="The object pickle declares no storage (no persistent id), yet the key list names "
                                "'0': the record cannot be sized, and torch.load fails there (assert key in "
                                "deserialized_objects) after the os.system call has run.")]),
                       note="Every pickle of a legacy torch stream is loaded, so all five are scanned.",
                       inner=[(path, payload[:raw_at])]))

    # base64 / hex encoded pickles in plain strings.
    for enc, text in (("base64", base64.b64encode(inner).decode()), ("hex", inner.hex())):
        a = Asm()
        a.proto(2)
        a.empty_dict()
        a.binunicode("config")
        a.binunicode(text, label="string")
        a.setitem()
        a.stop()
        path = f"<{enc}@{a.at['string']}>"
        out.append(Fixture(f"malicious/{enc}_encoded_pickle_p2.pkl", "malicious",
                           f"{enc}-encoded malicious pickle in a dict value", a.bytes(),
                           [finding("MA107", a.at["string"], encoding=enc)] + nested(path, inner_found),
                           note=f"The decoded pickle is scanned opportunistically under <{enc}@POS> where POS is "
                                f"the string opcode's position (not its data offset).",
                           inner=[(path, inner)]))

    # exec(base64.b64decode(<source calling os.system>))
    src = "import os\nos.system('echo modelaudit-fixture')\n"
    a = Asm()
    a.proto(2)
    a.global_("builtins", "exec", label="import")
    a.global_("base64", "b64decode", label="decode")
    a.binunicode(base64.b64encode(src.encode()).decode(), label="string")
    a.tuple1()
    a.reduce(label="decode_call")
    a.tuple1()
    a.reduce(label="call")
    a.stop()
    out.append(Fixture("malicious/base64_python_source_exec_p2.pkl", "malicious",
                       "exec(base64.b64decode(<base64 of Python source calling os.system>))", a.bytes(),
                       [imp("MA100", a, "import", "builtins", "exec", "GLOBAL"),
                        finding("MA102", a.at["decode"], module="base64", function="b64decode", opcode="GLOBAL",
                                note="base64.b64decode is assumed unknown (neither known-safe ML nor denied)."),
                        finding("MA108", a.at["string"], encoding="base64"),
                        call("MA103", a, "decode_call", "REDUCE", "base64", "b64decode"),
                        call("MA101", a, "call", "REDUCE", "builtins", "exec")],
                       note="The decoded text is source, not a pickle: no MA107."))
    return out


# Python source in a string: text a pickle carries is code only when the pickle evaluates it.
SOURCE_TEXT = "import os\nos.system('echo modelaudit-fixture')\n"


def source_text_data() -> dict:
    """Strings that read as source calling os.system, plain and base64, in data nothing evaluates."""
    return {"snippet": SOURCE_TEXT, "encoded": base64.b64encode(SOURCE_TEXT.encode()).decode(),
            "doc": "To check the shell, run os.system('echo modelaudit-fixture') by hand."}


def source_strings(data: bytes) -> list[tuple[int, str]]:
    """(opcode position, encoding) of each string of ``data`` that holds source: plain, or base64 of it."""
    out = []
    for pos, _, value in analyse(data).strings:
        if "os.system(" in value:
            out.append((pos, "plain"))
        elif value == base64.b64encode(SOURCE_TEXT.encode()).decode():
            out.append((pos, "base64"))
    return out


def source_string_fixtures() -> list[Fixture]:
    out: list[Fixture] = []
    # Data only: pickle.dumps of a dict of strings. Nothing is imported or called, so nothing runs.
    for p in (2, 4):
        data = pickle.dumps(source_text_data(), protocol=p)
        out.append(Fixture(f"benign/source_text_in_data_p{p}.pkl", "benign",
                           f"pickle.dumps of a dict of strings that read as source calling os.system (plain and "
                           f"base64), protocol {p}", data,
                           [finding("MA111", pos, encoding=enc) for pos, enc in source_strings(data)],
                           note="Nothing in the pickle evaluates the strings: info (MA111), never critical. Info "
                                "does not fail a scan unless --fail-on info."))

    # The same string handed to what evaluates or loads it: MA108 at the string, naming the evaluator.
    twins = [("builtins", "eval", [], ("MA100", "MA101")),
             ("builtins", "exec", [], ("MA100", "MA101")),
             ("builtins", "compile", ["<fixture>", "exec"], ("MA100", "MA101")),
             ("marshal", "loads", [], ("MA100", "MA101")),
             ("mypkg.helpers", "transform", [], ("MA102", "MA103"))]
    for module, name, more, (imported, called) in twins:
        a = Asm()
        a.proto(2)
        a.global_(module, name, label="import")
        a.mark()
        a.binunicode(SOURCE_TEXT, label="string")
        for arg in more:
            a.binunicode(arg)
        a.tuple_()
        a.reduce(label="call")
        a.stop()
        target = f"{module}.{name}"
        out.append(Fixture(f"malicious/source_text_to_{module.split('.')[0]}_{name}_p2.pkl", "malicious",
                           f"{target}(<source calling os.system>{''.join(', ' + repr(m) for m in more)})",
                           a.bytes(),
                           import_and_call(a, module, name, rules=(imported, called)) +
                           [finding("MA108", a.at["string"], encoding="plain", evaluatedBy=target,
                                    evaluatedAt=a.at["call"])],
                           note="The string is handed to what evaluates it (an unknown callable may): MA108."))

    # pickle.loads of the source as bytes: a loader, whose payload is scanned (it is not a pickle).
    a, path = loader_call_p3("pickle", "loads", SOURCE_TEXT.encode())
    out.append(Fixture("malicious/source_text_to_pickle_loads_p3.pkl", "malicious",
                       "pickle.loads(<source calling os.system, as bytes>)", a.bytes(),
                       import_and_call(a, "pickle", "loads") +
                       [finding("MA108", a.at["payload"], encoding="plain", evaluatedBy="pickle.loads",
                                evaluatedAt=a.at["call"]),
                        expected_finding("MA006", path, severity="warning",
                                         note="The payload is scanned in earnest and is no format the engine "
                                              "knows: a warning, as for any loader payload.")],
                       note="The source, as bytes, is what pickle.loads is given: MA108 at the string."))
    return out


def legacy_header(p: Asm) -> None:
    """The first three pickles of a legacy torch stream as torch writes them: the magic number,
    the protocol version and the sys_info dict."""
    p.proto(2)
    p.long1(TORCH_LEGACY_MAGIC)
    p.stop()
    p.proto(2)
    p.binint2(1001)
    p.stop()
    p.proto(2)
    p.empty_dict()
    p.mark()
    p.binunicode("protocol_version")
    p.binint2(1001)
    p.binunicode("little_endian")
    p.true()
    p.binunicode("type_sizes")
    p.empty_dict()
    p.mark()
    for name, size in (("short", 2), ("int", 4), ("long", 4)):
        p.binunicode(name)
        p.binint1(size)
    p.setitems()
    p.setitems()
    p.stop()


def legacy_keys(p: Asm, keys: list[str]) -> None:
    """The fifth pickle of a legacy torch stream: the list of storage keys whose records follow."""
    p.proto(2)
    p.empty_list()
    for key in keys:
        p.binunicode(key)
        p.append()
    p.stop()


def legacy_storage(p: Asm, key: str, numel: int) -> int:
    """Pushes torch.FloatStorage key's persistent id ('storage', type, key, location, numel, view) and
    loads it (BINPERSID), as a tensor's storage appears in the object pickle; returns the BINPERSID's offset."""
    p.mark()
    p.binunicode("storage")
    p.global_("torch", "FloatStorage")
    p.binunicode(key)
    p.binunicode("cpu")
    p.binint1(numel)
    p.none()
    p.tuple_()
    return p.binpersid()


def shifted(findings: list[dict], base: int) -> list[dict]:
    """Findings of a pickle assembled on its own, at their offsets once it is placed at ``base``."""
    return [{**f, "position": f["position"] + base} if "position" in f else f for f in findings]


def legacy_fixtures() -> list[Fixture]:
    """Legacy torch streams at top level (what torch.save(..., _use_new_zipfile_serialization=False)
    writes) whose records lie, or that carry a pickle after their records."""
    out: list[Fixture] = []

    # The object pickle runs os.system and holds storage '0' (2 floats); its record claims 3.
    p = Asm()
    legacy_header(p)
    p.proto(2)
    p.mark()
    found = global_call(p, 2)
    legacy_storage(p, "0", 2)
    p.tuple_()
    p.stop()
    legacy_keys(p, ["0"])
    raw_at = p.raw(struct.pack("<q", 3) + struct.pack("<2f", 0.5, 1.5))
    data = p.bytes()
    out.append(Fixture(
        "malicious/legacy_torch_count_mismatch.pt", "malicious",
        "Legacy torch stream whose object pickle runs os.system and whose record count (3) disagrees with its "
        "storage's numel (2)", data,
        found + [finding("MA105", raw_at, storage="0",
                         note="torch checks each record's count against the storage its persistent id declared "
                              "(\"storage has wrong byte size\") and fails there: the records are not trusted, "
                              "nothing after this one is read.")],
        well_formed=False, format=PYTORCH_LEGACY,
        note="All five pickles are scanned whatever the records say: the os.system call runs before torch "
             "ever reads a record.",
        inner=[("<pickles>", data[:raw_at])]))

    # A well-formed stream (storage '0', 2 floats) with a malicious pickle after its last record.
    inner, inner_found = call_pickle(2)
    p = Asm()
    legacy_header(p)
    p.proto(2)
    p.empty_dict()
    p.binunicode("weight")
    legacy_storage(p, "0", 2)
    p.setitem()
    p.stop()
    legacy_keys(p, ["0"])
    raw_at = p.raw(struct.pack("<q", 2) + struct.pack("<2f", 0.5, 1.5))
    after = p.raw(inner)
    data = p.bytes()
    out.append(Fixture(
        "malicious/legacy_torch_appended_pickle.pt", "malicious",
        "Legacy torch stream with a pickle running os.system appended after its last storage record", data,
        [finding("MA105", after, note="Bytes after the last record: torch.load ignores them, but another "
                                      "reader may not, so they are reported and scanned as pickles.")]
        + shifted(inner_found, after),
        well_formed=False, format=PYTORCH_LEGACY, records=(raw_at, after),
        note=f"The records (from pos {raw_at}) are skipped by their declared sizes; the appended pickle's "
             f"findings are at their offsets in the file.",
        inner=[("<pickles>", data[:raw_at]), ("<appended>", inner)]))
    return out


def joblib_array(a: Asm, typestr: str, byteorder: str, shape: tuple[int, ...], data: bytes,
                 padded: bool = True) -> tuple[int, int]:
    """A numpy array as joblib.dump writes it (joblib/numpy_pickle.py, here at protocol 2): a
    NumpyArrayWrapper made by NEWOBJ and given its state dict by BUILD, then the array's bytes: when
    ``padded`` (joblib >= 1.2), a padding-length byte and that many 0xff so that the data starts 16-aligned,
    then the raw ``data``. Returns the [start, end) of what follows the BUILD."""
    a.global_("joblib.numpy_pickle", "NumpyArrayWrapper")
    a.empty_tuple()
    a.newobj()
    a.empty_dict()
    a.mark()
    a.short_binunicode("subclass")
    a.global_("numpy", "ndarray")
    a.short_binunicode("shape")
    a.mark()
    for n in shape:
        a.op(b"J", struct.pack("<i", n))
    a.tuple_()
    a.short_binunicode("order")
    a.short_binunicode("C")
    a.short_binunicode("dtype")
    a.global_("numpy", "dtype")
    a.short_binunicode(typestr)
    a.op(b"\x89")  # NEWFALSE, NEWTRUE, TUPLE3: numpy.dtype(typestr, False, True)
    a.true()
    a.op(b"\x87")
    a.reduce()
    a.mark()  # numpy's dtype state: (3, byteorder, None, None, None, -1, -1, 0)
    a.binint1(3)
    a.short_binunicode(byteorder)
    for _ in range(3):
        a.none()
    for _ in range(2):
        a.op(b"J", struct.pack("<i", -1))
    a.binint1(0)
    a.tuple_()
    a.build()
    a.short_binunicode("allow_mmap")
    a.true()
    if padded:
        a.short_binunicode("numpy_array_alignment_bytes")
        a.binint1(16)
    a.setitems()
    a.build()
    start = len(a.buf)
    if padded:
        length = 16 - (start + 1) % 16
        a.raw(bytes([length]) + b"\xff" * length)
    a.raw(data)
    return start, len(a.buf)


def joblib_fixtures() -> list[Fixture]:
    """joblib files (pickle streams with each array's data written after its wrapper's BUILD) that hide
    something around that data."""
    out: list[Fixture] = []

    # {"weights": <4 float64, padded>, "hook": os.system(CMD)}: the call comes after the array data.
    a = Asm()
    a.proto(2)
    a.empty_dict()
    a.mark()
    a.short_binunicode("weights")
    region = joblib_array(a, "f8", "<", (4,), struct.pack("<4d", 0.5, -1.0, 2.0, 4.25))
    a.short_binunicode("hook")
    found = global_call(a, 2)
    a.setitems()
    a.stop()
    out.append(Fixture(
        "malicious/joblib_os_system_after_array.joblib", "malicious",
        "joblib file whose outer pickle calls os.system after an array's raw data", a.bytes(), found,
        well_formed=False, extra={"joblibArrays": [region]},
        note="joblib.load skips the array's padding and data by its shape and dtype and runs the rest of the "
             "pickle; a scanner that reads the data as opcodes breaks there and never sees the call."))

    # An array whose shape (1,000,000 float64) needs far more bytes than the file has.
    a = Asm()
    a.proto(2)
    start, _ = joblib_array(a, "f8", "<", (1_000_000,), b"\0" * 64)
    data = a.bytes()
    out.append(Fixture(
        "malicious/joblib_shape_past_eof.joblib", "suspicious",
        "joblib array whose declared shape (1,000,000 float64) runs past the end of the file", data,
        [finding("MA105", start, note="The data needs 8,000,000 bytes after its padding; joblib.load fails "
                                      "there. One MA105 where the array's bytes start.")],
        well_formed=False, extra={"joblibArrays": [(start, len(data))]}))

    # No padding byte (joblib < 1.2): the uint8 array's data is a pickle that a plain pickle.load runs.
    inner, inner_found = call_pickle(2)
    a = Asm()
    a.proto(2)
    a.empty_dict()
    a.mark()
    a.short_binunicode("weights")
    region = joblib_array(a, "u1", "|", (len(inner),), inner, padded=False)
    a.setitems()
    a.stop()
    label = f"<raw@{region[0]}>"
    out.append(Fixture(
        "malicious/joblib_raw_pickle_no_padding.joblib", "malicious",
        "joblib array without padding byte whose raw data is a pickle calling os.system", a.bytes(),
        nested(label, inner_found), well_formed=False, extra={"joblibArrays": [region]},
        inner=[(label, inner)],
        note=f"joblib.load reads the data as {len(inner)} uint8 values; pickle.load of the same file reads it as "
             "opcodes and runs os.system. Without a padding byte (1 to 16, not opcodes) to stop a plain loader, "
             "the data of the first array is scanned opportunistically from its first byte to the end of the file, "
             f"as {label}."))
    return out


def stream_fixtures() -> list[Fixture]:
    out: list[Fixture] = []

    # A benign pickle, STOP, then a malicious one.
    a = Asm()
    a.proto(2)
    a.empty_dict()
    a.binunicode("epoch")
    a.binint1(3)
    a.setitem()
    a.stop()
    a.proto(2)
    found = global_call(a, 2)
    a.stop()
    out.append(Fixture("malicious/second_pickle_malicious_p2.pkl", "malicious",
                       "Two pickles in one file; the second (after STOP) runs os.system", a.bytes(), found))

    # Truncated inside the argument of the string after the import.
    a = Asm()
    a.proto(2)
    a.global_("os", "system", label="import")
    a.binunicode(CMD, label="cut")
    data = a.bytes()[: a.at["cut"] + 5 + 4]
    out.append(Fixture("malicious/truncated_after_import_p2.pkl", "malicious",
                       "Stream truncated inside the string argument that follows GLOBAL os.system", data,
                       [imp("MA100", a, "import", "os", "system", "GLOBAL"),
                        finding("MA105", a.at["cut"],
                                note="Truncation is reported at the opcode whose argument is cut short.")],
                       well_formed=False))

    # An invalid opcode right after the payload's REDUCE (no STOP).
    a = Asm()
    a.proto(2)
    found = global_call(a, 2)
    bad = a.raw(b"\xff\xfemodelaudit-junk")
    out.append(Fixture("malicious/invalid_opcode_after_payload_p2.pkl", "malicious",
                       "Invalid opcode 0xff right after the payload's REDUCE (no STOP)", a.bytes(),
                       found + [finding("MA105", bad)], well_formed=False))

    # A complete malicious pickle followed by junk.
    a = Asm()
    a.proto(2)
    found = global_call(a, 2)
    a.stop()
    bad = a.raw(b"\xffmodelaudit-junk\n")
    out.append(Fixture("malicious/junk_after_stop_p2.pkl", "malicious",
                       "Junk that is not a pickle after the payload's STOP", a.bytes(),
                       found + [finding("MA105", bad)], well_formed=False,
                       note="The junk starts with the invalid opcode 0xff, so parsing breaks on its first byte."))

    # A loader needs no PROTO: binary opcodes from the first byte are a valid pickle.
    a = Asm()
    a.short_binunicode("os")
    a.short_binunicode("system")
    stack_global_call(a)
    a.stop()
    out.append(Fixture("malicious/no_proto_binary_opcodes.bin", "malicious",
                       "Protocol-4 opcodes with no PROTO header (pickle.load accepts them): STACK_GLOBAL os.system",
                       a.bytes(), import_and_call(a, "os", "system", "STACK_GLOBAL"),
                       note="Detection must not rely on PROTO or on a text-looking first opcode."))

    # The loader runs the payload before it trips over a GET of a memo key never stored.
    a = Asm()
    found = global_call(a, 0)
    bad = a.raw(b"g99\n")
    a.stop()
    out.append(Fixture("malicious/payload_then_bad_memo_get_p0.pkl", "malicious",
                       "os.system runs, then a GET of a memo key never stored breaks the stream", a.bytes(),
                       found + [finding("MA105", bad)], well_formed=False,
                       note="A stream that breaks after an import is still a pickle: detection must not drop it."))

    # A payload padded past a limit (10,000 open MARKs: MAX_MARK_DEPTH) must still be found.
    a = Asm()
    a.proto(2)
    limit_hit = None
    for i in range(10_001):
        pos = a.mark()
        limit_hit = pos
    import_found, _ = global_call(a, 2)
    a.stop()
    out.append(Fixture("malicious/padded_past_mark_limit_p2.pkl", "malicious",
                       "10,001 nested MARKs (one past MAX_MARK_DEPTH) before a GLOBAL os.system", a.bytes(),
                       [finding("MA110", limit_hit, limit="MAX_MARK_DEPTH",
                                note="Past a limit the scanner sweeps for imports only; the REDUCE is not "
                                     "tracked as a call any more."),
                        import_found],
                       well_formed=False))

    # getattr(module attribute, "system") reaches os.system through a module that imported it.
    a = Asm()
    a.proto(2)
    a.global_("builtins", "getattr")
    a.global_("mypkg.mod", "helpers", label="base")
    a.binunicode("system")
    a.tuple2()
    a.reduce(label="reach")
    a.binunicode(CMD)
    a.tuple1()
    a.reduce(label="call")
    a.stop()
    out.append(Fixture("malicious/getattr_reaches_system_p2.pkl", "malicious",
                       "getattr(mypkg.mod.helpers, 'system')(cmd): getattr folded into the import "
                       "mypkg.mod.helpers.system", a.bytes(),
                       [finding("MA102", a.at["base"], module="mypkg.mod", function="helpers", opcode="GLOBAL"),
                        finding("MA100", a.at["reach"], module="mypkg.mod", function="helpers.system",
                                opcode="REDUCE"),
                        finding("MA101", a.at["call"], module="mypkg.mod", function="helpers.system",
                                opcode="REDUCE")]))

    # FRAME lengths that lie, declared from the true length and the command string's offset in the frame.
    for file, technique, declare, note in (
        ("malicious/frame_straddle_p4.pkl", "FRAME whose declared length ends inside an opcode (the command string)",
         lambda actual, cmd_off: cmd_off + 2 + 5,
         "Parsing goes on past the lying frame, so the payload is still reported."),
        ("malicious/frame_past_eof_p4.pkl", "FRAME whose declared length runs past the end of the file",
         lambda actual, cmd_off: actual + 4096,
         "The opcodes themselves end with STOP at the end of the file: no MA105."),
    ):
        a = framed_p4(label="frame")
        cmd = memoized_call_p4(a, "os", "system")
        a.stop()
        frame_data = a.at["frame"] + 9
        declared = declare(len(a.buf) - frame_data, cmd - frame_data)
        a.end_frame(declared)
        out.append(Fixture(file, "malicious", technique, a.bytes(),
                           [finding("MA106", a.at["frame"], declared=declared)]
                           + import_and_call(a, "os", "system", "STACK_GLOBAL"),
                           note=note))

    out.append(billion_laughs())
    return out


# Copies per level of the expansion bomb, and levels; 7**18 still fits a JSON/JS safe integer.
LAUGHS_FANOUT = 7
LAUGHS_LEVELS = 18


def billion_laughs() -> Fixture:
    """Level 0 is [None]*7 (one NONE and six DUPs); level i is seven references to level i-1 (a
    BINGET and six DUPs). Expanded, level 17 holds 7**18 leaves in 214 bytes."""
    a = Asm()
    a.proto(2)
    table = []
    leaves, nodes = 1, 1
    for level in range(LAUGHS_LEVELS):
        a.mark()
        if level == 0:
            a.none()
        else:
            a.binget(level - 1)
        for _ in range(LAUGHS_FANOUT - 1):
            a.dup()
        pos = a.list_()
        leaves, nodes = leaves * LAUGHS_FANOUT, 1 + LAUGHS_FANOUT * nodes
        table.append({"position": pos, "leaves": leaves, "nodes": nodes})
        a.binput(level)
        if level < LAUGHS_LEVELS - 1:
            a.pop()
    a.stop()
    assert table[-1]["nodes"] < 2**53
    f = finding("MA109", note=(
        "The position depends on the scanner's expansion limit: it is the `position` of the first "
        "positionByLimit entry whose expanded size exceeds the limit (leaves = None references, nodes = "
        "leaves + lists). Exactly one MA109."))
    f["positionByLimit"] = table
    return Fixture("malicious/billion_laughs_p2.pkl", "malicious",
                   f"Billion laughs: {LAUGHS_LEVELS} nested lists of {LAUGHS_FANOUT} GET/DUP references each",
                   a.bytes(), [f])


# ---------------------------------------------------------------------------------------------
# Static analysis of real pickles (pickletools only: nothing is executed)


MARK = object()


@dataclass
class Analysis:
    imports: set[str] = field(default_factory=set)
    # (opcode position, opcode name, decoded value) of every str/bytes constant
    strings: list[tuple[int, str, object]] = field(default_factory=list)
    end: int = 0
    pickles: int = 0


def analyse(data: bytes, max_pickles: int | None = None, skip: dict[int, int] | None = None) -> Analysis:
    """Walks consecutive pickles with pickletools.genops, tracking a symbolic stack only far
    enough to name STACK_GLOBAL operands. ``skip`` maps an offset to the end of a region that is
    not opcodes (joblib array data): when parsing reaches the offset it jumps to the end."""
    result = Analysis()
    skip = skip or {}
    f = io.BytesIO(data)
    while f.tell() < len(data) and (max_pickles is None or result.pickles < max_pickles):
        stack: list = []
        memo: dict = {}
        for op, arg, pos in pickletools.genops(f):
            name = op.name
            if name in DATA_HEADER:
                result.strings.append((pos, name, arg))
                stack.append(arg)
            elif name in ("GLOBAL", "INST"):
                result.imports.add(arg.replace(" ", "."))
                if name == "INST":
                    while stack.pop() is not MARK:
                        pass
                stack.append(None)
            elif name == "STACK_GLOBAL":
                fn, mod = stack.pop(), stack.pop()
                result.imports.add(f"{mod}.{fn}")
                stack.append(None)
            elif name == "MARK":
                stack.append(MARK)
            elif name == "MEMOIZE":
                memo[len(memo)] = stack[-1]
            elif name in ("PUT", "BINPUT", "LONG_BINPUT"):
                memo[arg] = stack[-1]
            elif name in ("GET", "BINGET", "LONG_BINGET"):
                stack.append(memo[arg])
            elif name == "DUP":
                stack.append(stack[-1])
            else:
                before = op.stack_before
                if pickletools.markobject in before:
                    while stack.pop() is not MARK:
                        pass
                    del stack[len(stack) - before.index(pickletools.markobject):]
                else:
                    del stack[len(stack) - len(before):]
                stack.extend([None] * len(op.stack_after))
            if f.tell() in skip:
                f.seek(skip[f.tell()])
        result.pickles += 1
        result.end = f.tell()
    return result


def payload_constants(analysis: Analysis) -> list[tuple[int, bytes, bool]]:
    """(data offset, payload bytes, held as a str) of every constant holding a legacy torch stream."""
    magic = b"\x80\x02\x8a\x0a" + TORCH_LEGACY_MAGIC.to_bytes(10, "little") + b"."
    out = []
    for pos, name, value in analysis.strings:
        as_str = isinstance(value, str)
        if as_str and any(ord(c) > 0xFF for c in value):
            continue  # not a latin-1 image of bytes
        raw = value.encode("latin1") if as_str else bytes(value)
        if raw.startswith(magic):
            out.append((pos + DATA_HEADER[name], raw, as_str))
    return out


def legacy_raw_start(payload: bytes) -> int:
    """Offset of the raw storage records after a legacy torch stream's five pickles."""
    return analyse(payload, max_pickles=TORCH_LEGACY_PICKLES).end


# ---------------------------------------------------------------------------------------------
# Benign fixtures written by the real libraries


class _StrMeta(type):
    """Keeps ``isinstance(x, str)`` true for real strings inside torch.serialization."""

    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, builtins.str)


@contextlib.contextmanager
def stable_torch_storage_keys():
    """torch's legacy format names each storage by its address (str(storage._cdata)); name them
    0, 1, ... instead so the bytes do not change between runs. Only torch.serialization's own
    ``str`` is replaced, and only while this context is open."""
    import torch.serialization as ser

    keys: dict[int, str] = {}

    class StableStr(metaclass=_StrMeta):
        def __new__(cls, obj: object = "") -> str:  # type: ignore[misc]
            if type(obj) is int:
                return keys.setdefault(obj, builtins.str(len(keys)))
            return builtins.str(obj)

    ser.str = StableStr
    try:
        yield
    finally:
        del ser.str


def sklearn_data() -> tuple[np.ndarray, np.ndarray]:
    x = np.array([[0.0, 1.0], [1.0, 0.5], [2.0, 2.5], [3.0, 1.5], [4.0, 3.0], [5.0, 4.5]])
    y = np.array([0, 0, 0, 1, 1, 1])
    return x, y


def sklearn_models() -> dict[str, object]:
    x, y = sklearn_data()
    logreg = LogisticRegression().fit(x, y)
    forest = RandomForestClassifier(n_estimators=2, max_depth=2, random_state=0).fit(x, y)
    pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())]).fit(x, y)
    return {"logreg": logreg, "forest": forest, "pipe": pipe}


def numpy_arrays() -> dict[str, np.ndarray]:
    structured = np.array([(1, 0.5, b"ab"), (2, -1.25, b"cd")], dtype=[("id", "<i4"), ("w", "<f8"), ("tag", "S2")])
    return {
        "float64": np.linspace(0.25, 2.0, 8),
        "int32": np.arange(-3, 5, dtype=np.int32).reshape(2, 4),
        "structured": structured,
    }


def torch_tensors() -> dict[str, object]:
    return {
        "float32": torch.tensor([[0.5, -1.0], [2.0, 4.25]]),
        "int64": torch.arange(4),
        "param": torch.nn.Parameter(torch.tensor([1.5, 2.5])),
    }


def torch_state_dict() -> dict:
    torch.manual_seed(0)
    lin = torch.nn.Linear(3, 2)
    with torch.no_grad():
        lin.weight.copy_(torch.tensor([[0.1, 0.2, 0.3], [-0.1, -0.2, -0.3]]))
        lin.bias.copy_(torch.tensor([0.5, -0.5]))
    return lin.state_dict()


def stdlib_objects() -> dict:
    dd = collections.defaultdict(list)
    dd["a"].append(1)
    return {
        "namespace": argparse.Namespace(lr=0.01, epochs=3, name="run"),
        "ordered": collections.OrderedDict([("b", 2), ("a", 1)]),
        "defaultdict": dd,
        "datetime": datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
        "date": datetime.date(2024, 1, 2),
        "timedelta": datetime.timedelta(days=1, seconds=2),
        "decimal": decimal.Decimal("1.10"),
        "complex": complex(1.5, -2.0),
        "set": {3, 1, 2},
        "frozenset": frozenset({5, 4}),
        "slice": slice(1, 10, 2),
    }


def plain_data() -> dict:
    return {
        "name": "fixture",
        "unicode": "h\u00e9llo \u2603",
        "ints": [0, 1, -1, 255, 65535, -(2**31), 2**31 - 1, 2**100, -(2**70)],
        "floats": [0.0, 1.5, -2.25, 1e100, float("inf")],
        "nested": {"a": [None, True, False], "b": (1, 2), "c": {"d": []}},
        "bytes": b"\x00\x01modelaudit",
        "bytearray": bytearray(b"xyz"),
    }


def joblib_bytes(obj: object) -> tuple[bytes, list[tuple[int, int]]]:
    """joblib.dump into memory, recording where each array's padding and raw data land (the
    parts of a joblib file that are not pickle opcodes)."""
    from joblib import numpy_pickle

    regions: list[tuple[int, int]] = []
    original = numpy_pickle.NumpyArrayWrapper.write_array

    def recording(self, array, pickler):
        start = pickler.file_handle.tell()
        original(self, array, pickler)
        regions.append((start, pickler.file_handle.tell()))

    numpy_pickle.NumpyArrayWrapper.write_array = recording
    try:
        buf = io.BytesIO()
        joblib.dump(obj, buf)
    finally:
        numpy_pickle.NumpyArrayWrapper.write_array = original
    return buf.getvalue(), regions


def benign() -> list[Fixture]:
    out: list[Fixture] = []

    def dumps(file: str, technique: str, obj: object, proto: int, **kw) -> None:
        with stable_torch_storage_keys():
            data = pickle.dumps(obj, protocol=proto, **kw)
        out.append(Fixture(file, "benign", technique, data, []))

    # Python 3.11 pickles an enum member as getattr(EnumClass, "NAME"): the same lookup as importing
    # EnumClass.NAME, so getattr is never condemned; re.RegexFlag and its members are known-safe.
    for p in (2, 4):
        dumps(f"benign/enum_member_getattr_p{p}.pkl",
              f"re.IGNORECASE pickled by Python 3.11 as getattr(re.RegexFlag, 'IGNORECASE'), protocol {p}",
              re.IGNORECASE, p)
    # A union of flags is _operator.or_ of the members; a compiled pattern keeps its flags as an int.
    for p in (2, 4, 5):
        dumps(f"benign/regex_flags_p{p}.pkl",
              f"re.I | re.M (_operator.or_ of getattr(re.RegexFlag, ...) members), re.S and "
              f"re.compile('a+', re.I | re.X), protocol {p}",
              {"flags": re.I | re.M, "single": re.S, "pattern": re.compile("a+", re.I | re.X)}, p)

    models = sklearn_models()
    for p in (0, 2, 4, 5):
        dumps(f"benign/sklearn_logreg_p{p}.pkl", f"sklearn LogisticRegression, pickle protocol {p}",
              models["logreg"], p)
    for p in (2, 5):
        dumps(f"benign/sklearn_random_forest_p{p}.pkl",
              f"sklearn RandomForestClassifier (2 trees of depth 2), protocol {p}", models["forest"], p)
    for p in (2, 4):
        dumps(f"benign/sklearn_pipeline_p{p}.pkl", f"sklearn Pipeline(StandardScaler, LogisticRegression), "
              f"protocol {p}", models["pipe"], p)

    arrays = numpy_arrays()
    for p in (0, 2, 4, 5):
        dumps(f"benign/numpy_arrays_p{p}.pkl", f"numpy float64, int32 and structured arrays, protocol {p}",
              arrays, p)
    dumps("benign/pickle_buffer_bytearray_p5.pkl",
          "protocol 5 in-band PickleBuffer of a bytearray (BYTEARRAY8) next to a numpy array",
          {"buffer": pickle.PickleBuffer(bytearray(b"modelaudit buffer")), "array": arrays["float64"]}, 5)
    oob: list[pickle.PickleBuffer] = []
    dumps("benign/pickle_buffer_out_of_band_p5.pkl",
          "protocol 5 with out-of-band buffers (NEXT_BUFFER, READONLY_BUFFER; the data is not in the file)",
          [pickle.PickleBuffer(b"read-only buffer"), pickle.PickleBuffer(bytearray(b"writable buffer"))], 5,
          buffer_callback=oob.append)

    for p in (0, 2, 4):
        dumps(f"benign/torch_tensors_p{p}.pkl",
              f"torch float32/int64 tensors and a Parameter, pickle.dumps protocol {p}", torch_tensors(), p)
    sd = torch_state_dict()
    for p in (2, 5):
        dumps(f"benign/torch_state_dict_p{p}.pkl", f"torch nn.Linear(3, 2) state_dict, pickle.dumps protocol {p}",
              sd, p)
    for p in (0, 2, 4):
        dumps(f"benign/torch_objects_p{p}.pkl", f"torch.Size, dtypes and devices, protocol {p}",
              {"size": torch.Size([2, 3]), "dtypes": [torch.float32, torch.int64, torch.bfloat16],
               "device": torch.device("cpu"), "cuda": torch.device("cuda", 1)}, p)
    # torch's default pickle protocol (2), then 1 (text LONG magic number, no PROTO) and 4 (FRAMEs).
    for p, suffix in ((2, ""), (1, "_p1"), (4, "_p4")):
        buf = io.BytesIO()
        with stable_torch_storage_keys():
            torch.save(sd, buf, _use_new_zipfile_serialization=False, pickle_protocol=p)
        out.append(Fixture(f"benign/torch_state_dict_legacy{suffix}.pt", "benign",
                           "torch.save(state_dict, _use_new_zipfile_serialization=False): the legacy (non-zip) "
                           f"format, pickle protocol {p}", buf.getvalue(), [], format=PYTORCH_LEGACY))
    # A whole module saved the legacy way: each class travels as a ('module', cls, file, source) persistent id.
    buf = io.BytesIO()
    torch.manual_seed(0)
    with stable_torch_storage_keys():
        torch.save(torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU()), buf,
                   _use_new_zipfile_serialization=False)
    out.append(Fixture("benign/torch_module_legacy.pt", "benign",
                       "torch.save(nn.Sequential(Linear, ReLU), _use_new_zipfile_serialization=False): classes as "
                       "'module' persistent ids", buf.getvalue(), [], format=PYTORCH_LEGACY))

    for p in (0, 2, 4, 5):
        dumps(f"benign/stdlib_objects_p{p}.pkl", "argparse.Namespace, OrderedDict, defaultdict, datetime, date, "
              f"timedelta, Decimal, complex, set, frozenset, slice; protocol {p}", stdlib_objects(), p)
    for p in range(6):
        dumps(f"benign/plain_data_p{p}.pkl", "nested dicts/lists/tuples, str, bytes, bytearray, ints, big "
              "ints, floats" + (" (FLOAT/LONG text opcodes)" if p == 0 else "") + f"; protocol {p}",
              plain_data(), p)

    x, y = sklearn_data()
    str_labels = LogisticRegression().fit(x, np.array(["cat", "cat", "cat", "dog", "dog", "dog"], dtype=object))
    for file, technique, obj in (
        ("benign/sklearn_logreg.joblib", "joblib.dump of LogisticRegression (numeric arrays written raw)",
         models["logreg"]),
        ("benign/sklearn_logreg_str_labels.joblib",
         "joblib.dump of LogisticRegression with string labels (an object array written as an inline pickle)",
         str_labels),
    ):
        data, regions = joblib_bytes(obj)
        out.append(Fixture(file, "benign", technique, data, [], well_formed=False, extra={"joblibArrays": regions}))

    for fx in out:
        annotate_benign(fx)
    return out


def annotate_benign(fx: Fixture) -> None:
    """Lists a benign file's imports (for the known-safe policy) and queues inline pickles (those of
    the legacy torch streams it is or carries, joblib's object arrays) for the pickletools check."""
    regions = fx.extra.get("joblibArrays", [])
    if fx.file.endswith(".pt"):
        raw = legacy_raw_start(fx.data)
        analysis = analyse(fx.data[:raw])
        fx.inner.append(("<pickles>", fx.data[:raw]))
        fx.well_formed = False
        fx.note = "A legacy torch file at top level: the same layout as a pickled tensor's payload."
    else:
        analysis = analyse(fx.data, skip={start: end for start, end in regions})
        assert analysis.end == len(fx.data), (fx.file, analysis.end, len(fx.data))
    imports = set(analysis.imports)
    for start, end in regions:
        if fx.data[start] == 0x80:  # object arrays: a whole pickle, not padding + raw data
            imports |= analyse(fx.data[start:end]).imports
            fx.inner.append((f"<joblib@{start}>", fx.data[start:end]))
    payloads = payload_constants(analysis)
    for offset, payload, _ in payloads:
        raw = legacy_raw_start(payload)
        imports |= analyse(payload[:raw]).imports
        fx.inner.append((f"<payload@{offset}>", payload[:raw]))
    if payloads:
        fx.note = (
            "Each tensor storage is pickled as torch.storage._load_from_bytes(<legacy torch stream>). The stream is "
            "NOT a zip: torch 1.13 (and 2.x) write it with _use_new_zipfile_serialization=False. Its five pickles "
            "are scanned (clean); the raw storage records after them are skipped by the sizes the object pickle "
            "declares, so the file is clean."
        )
        if any(as_str for _, _, as_str in payloads):
            fx.note += (" Here the bytes are _codecs.encode(str, 'latin1') (protocol < 3): OFFSET is the string's "
                        "first data byte and positions inside count latin-1 bytes.")
    if regions:
        fx.note = (
            "joblib writes each numpy array's bytes straight into the stream after the BUILD of its "
            "joblib.numpy_pickle.NumpyArrayWrapper: one padding-length byte, that many 0xff bytes, then the raw "
            "data (numeric dtypes, length = prod(shape) * itemsize), or a complete protocol-2 pickle (object "
            "dtypes, no padding). joblibArrays lists those [start, end) ranges. The scanner must skip them (and "
            "scan the inline pickles) to report this file clean; a joblib-unaware scanner reports MA105."
        )
    fx.extra["imports"] = sorted(imports)


# ---------------------------------------------------------------------------------------------
# Checks


def check(fx: Fixture) -> None:
    if fx.well_formed:
        disassemble_all(fx.data, fx.file)
    for label, inner in fx.inner:
        disassemble_all(inner, f"{fx.file}:{label}")
    check_opcode_positions(fx)
    if fx.kind == "benign":
        regions = fx.extra.get("joblibArrays", [])
        strings = analyse(fx.data, skip={start: end for start, end in regions}).strings if not fx.file.endswith(
            ".pt") else analyse(fx.data[:legacy_raw_start(fx.data)]).strings
    else:
        strings = analyse_lenient(fx.data)
    for label, inner in fx.inner:
        strings += analyse_lenient(inner)
    expects_code = any(f["rule"] in ("MA108", "MA111") for f in fx.findings)
    payload_offsets = {int(label.split(":")[0].split("@")[1].rstrip(">"))
                       for label, _ in fx.inner if label.startswith("<payload@")}
    for pos, name, value in strings:
        text = value.decode("latin1") if isinstance(value, (bytes, bytearray)) else value
        if not expects_code:
            for trigger in CODE_TRIGGERS:
                assert trigger not in text, (fx.file, pos, trigger)
        starts_like_pickle = len(text) >= 2 and text[0] == "\x80" and text[1] in "\x02\x03\x04\x05"
        if starts_like_pickle:
            assert pos + DATA_HEADER[name] in payload_offsets or fx.kind != "benign", (fx.file, pos)


def check_opcode_positions(fx: Fixture) -> None:
    """Every expected finding that names its opcode must sit on that opcode (an independent
    re-reading of the assembler's labels through pickletools)."""
    sources = {"": fx.data, **dict(fx.inner)}
    for f in fx.findings:
        opcode = f.get("details", {}).get("opcode")
        if opcode is None or "position" not in f:
            continue
        ops = {}
        with contextlib.suppress(Exception):
            data = sources[f["path"]]
            stream = io.BytesIO(data)
            arrays = dict(fx.extra.get("joblibArrays", [])) if f["path"] == "" else {}
            while stream.tell() < len(data):
                if f["path"] == "" and fx.records is not None and stream.tell() == fx.records[0]:
                    stream.seek(fx.records[1])
                    continue
                for op, _, pos in pickletools.genops(stream):
                    ops[pos] = op.name
                    if stream.tell() in arrays:
                        stream.seek(arrays[stream.tell()])
        assert ops.get(f["position"]) == opcode, (fx.file, f)


def analyse_lenient(data: bytes) -> list[tuple[int, str, object]]:
    """String constants of whatever prefix of ``data`` parses (malformed fixtures included)."""
    out = []
    try:
        for op, arg, pos in pickletools.genops(data):
            if op.name in DATA_HEADER:
                out.append((pos, op.name, arg))
    except Exception:  # noqa: BLE001 -- a broken stream just ends the listing
        pass
    return out


def disassemble_all(data: bytes, what: str) -> None:
    """pickletools.dis over every pickle in ``data``; it decodes and checks stack/memo use but never
    executes anything."""
    f = io.BytesIO(data)
    while f.tell() < len(data):
        try:
            pickletools.dis(f, out=io.StringIO())
        except Exception as e:  # noqa: BLE001 -- turn any complaint into a clear failure
            raise AssertionError(f"pickletools.dis rejects {what}: {e}") from e


# ---------------------------------------------------------------------------------------------
# Output


SCHEMA_DOC = """\
# Pickle fixtures

Generated by `scripts/make_fixtures.py` (see `scripts/README.md`); do not edit by hand. Re-running the
generator must give no diff. The other areas' manifests (`../zip/`, `../pytorch/`, ...) use the same schema.

## `expected.json`

```jsonc
{
  "schema": 1,
  "assumptions": ["..."],            // global reading of the semantics the expectations rest on
  "policy": {                        // tier each global in the crafted fixtures is assumed to have
    "denied": ["os.system", ...], "unknown": [...], "safe": [...]
  },
  "fixtures": [
    {
      "file": "malicious/global_os_system_reduce_p0.pkl",  // relative to fixtures/pickle/
      "kind": "malicious",           // malicious | suspicious (warnings only) | benign
      "format": "pickle",            // the format the content is detected as: "pickle" or "pytorch-legacy"
                                     // (a legacy torch.save stream at top level)
      "technique": "...",            // one line: what the file does
      "wellFormed": true,            // the file is nothing but complete pickles, all accepted by
                                     // pickletools.dis (false for broken streams, legacy .pt, joblib)
      "size": 44, "sha256": "...",   // of the file as generated
      "findings": [                  // EXACT multiset of findings the scan must produce (order free)
        {
          "rule": "MA100", "severity": "critical",
          "path": "",                // "" = the file itself; else the nested labels joined by ":",
                                     // e.g. "<payload@17>", "<base64@12>"; the finding's location is
                                     // `${file}${path ? ":" + path : ""}${position !== undefined ? ` (pos ${position})` : ""}`
          "position": 0,             // opcode offset inside that source; absent = finding has no position
          "details": {"module": "os", "function": "system", "opcode": "GLOBAL"},
                                     // optional: each key listed must equal the finding's details[key]
                                     // (null included); keys not listed are not checked
          "positionByLimit": [{"position": 5, "leaves": 7, "nodes": 8}, ...],
                                     // MA109 only, instead of "position": the expected position is the
                                     // first entry whose expanded size exceeds the scanner's limit
          "note": "..."              // why, where the semantics needed a reading
        }
      ],
      "note": "...",                 // optional, about the whole file
      "imports": ["numpy.dtype", ...],  // benign only: every global the file (and its payloads) imports
      "joblibArrays": [[start, end], ...]  // joblib only: byte ranges that are array data, not opcodes
    }
  ]
}
```

Expectations assume no `--blacklist` patterns (so no MA004/MA005). `severity` is the catalog default
read from `core/rules.ts` at generation time.

"""


def manifest(fixtures: list[Fixture]) -> dict:
    versions = {
        "python": python_version(),
        "torch": torch.__version__.split("+")[0],
        "numpy": np.__version__,
        "sklearn": sklearn.__version__,
        "joblib": joblib.__version__,
    }
    return build_manifest("scripts/make_fixtures.py", versions, ASSUMPTIONS, fixtures, policy=POLICY,
                          entry=lambda fx: fixture_entry(fx, after_technique={"wellFormed": fx.well_formed},
                                                         extra=fx.extra))


ASSUMPTIONS = [
    "Positions are offsets of the opcode byte in the scanned source; for a nested payload, offsets inside "
    "the payload.",
    "Each call opcode yields at most one finding: MA101 if a denied callable is involved (callee, arguments, "
    "or the call that computed the callee), else MA103 for an unknown or unresolved callee, else nothing.",
    "<payload@OFFSET>: OFFSET is the first data byte of the string/bytes constant (opcode position + its "
    "header: 2 for SHORT_BINBYTES, 5 for BINBYTES/BINUNICODE, 1 for UNICODE). For _codecs.encode(S, "
    "'latin1') (protocol 0-2 bytes) it is S's first data byte, and the payload is S encoded as latin-1.",
    "<base64@POS>/<hex@POS>: POS is the string opcode's position.",
    "A loader argument that also starts like a pickle is scanned once, as <payload@OFFSET>.",
    "MA105 is reported at the opcode that could not be parsed (for truncation, the opcode whose argument "
    "is cut short).",
    "__builtin__ (protocol 0-2 name mapping) and copy_reg are aliases of builtins and copyreg in every tier.",
    "Pickled tensors carry legacy (non-zip) torch streams: five pickles then raw storage records (an int64 "
    "element count, then the elements). The pickles are scanned like any pickle; each record is skipped by the "
    "element size of its storage type and the numel its persistent id declares, after checking its count "
    "against that numel. A record that does not add up (unknown key, count mismatch, truncation) is one MA105 at "
    "the record's first byte, and nothing after it is read (torch.load fails there); bytes after the last record "
    "are one MA105 at their first byte and are scanned as pickles.",
    "joblib files are pickle streams with each array's data inlined after its NumpyArrayWrapper's BUILD (see "
    "joblibArrays): raw data (after a padding-length byte and padding since joblib 1.2) is skipped by the wrapper's "
    "shape and dtype, an object array's pickle is scanned where it lies (positions in the file), and the outer "
    "pickle goes on after it. Data that cannot be sized exactly, or runs past the end of the file, is one MA105 at "
    "its first byte. A plain pickle.load reads the data as opcodes instead: when the first array's data does not "
    "start with a padding byte (1 to 16, not opcodes), it is also scanned opportunistically from its first byte "
    "to the end of the file, findings labelled <raw@OFFSET> (OFFSET = that first byte).",
    ".pt and .joblib are pickle extensions (no MA001 for them); .txt and .safetensors are not.",
]

POLICY = {
    "denied": sorted([
        "os.system", "posix.system", "builtins.eval", "builtins.eval.__call__", "builtins.exec", "__builtin__.exec",
        "pathlib.os.system", "subprocess.Popen", "logging.FileHandler", "asyncio.unix_events._UnixSubprocessTransport",
        "operator.attrgetter", "runpy._run_code", "torch.load", "torch.hub.load",
        "numpy.testing._private.utils.runstring", "pickle.loads", "modelaudit.core.scan_model_directory_or_file",
        "fickling.load",
    ]),
    "unknown": ["base64.b64decode", "mypkg.helpers.transform"],
    "safe": ["_codecs.encode", "functools.partial", "torch.storage._load_from_bytes"],
    "notes": [
        "pathlib.os.system and builtins.eval.__call__ are denied through their prefixes os.system and builtins.eval.",
        "asyncio.unix_events._UnixSubprocessTransport is denied through a module-wide asyncio entry.",
        "functools.partial is safe by itself (real models pickle partial(nn.LayerNorm, eps=...)); a partial "
        "bound to a denied callable is caught at the call.",
        "torch.storage._load_from_bytes is a nested loader: silent as a callee, its payload is scanned.",
        "Every entry of a benign fixture's `imports` is known-safe.",
    ],
}


def readme(fixtures: list[Fixture]) -> str:
    lines = [SCHEMA_DOC, "## Reading of the semantics\n"]
    lines += [f"- {a}" for a in ASSUMPTIONS]
    for kind, title in (("malicious", "Crafted: malicious"), ("suspicious", "Crafted: suspicious"),
                        ("benign", "Benign (written by the real libraries)")):
        rows = [fx for fx in fixtures if fx.kind == kind]
        lines += ["", f"## {title}", "", "| file | bytes | what | expected |", "|---|---|---|---|"]
        for fx in rows:
            expected = ", ".join(
                f"{f['rule']}{'@' + f['path'] if f['path'] else ''}"
                f"{' pos ' + str(f['position']) if 'position' in f else ''}"
                for f in fx.findings
            ) or "clean"
            lines.append(f"| `{fx.file}` | {len(fx.data)} | {fx.technique} | {expected} |")
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    fixtures = crafted() + benign()
    for fx in fixtures:
        check(fx)
    write_fixtures(OUT, fixtures, manifest(fixtures), max_fixture_bytes=MAX_FIXTURE_BYTES,
                   max_total_bytes=MAX_TOTAL_BYTES)
    README.write_text(readme(fixtures))


if __name__ == "__main__":
    main()
