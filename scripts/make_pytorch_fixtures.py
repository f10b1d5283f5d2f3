#!/usr/bin/env python3
"""Writes modelaudit's PyTorch zip checkpoint and TorchScript fixtures and their manifest.

Run from anywhere: ``/usr/bin/python3 scripts/make_pytorch_fixtures.py`` (Debian's python3 with
python3-torch). Like make_fixtures.py it re-executes itself with /usr/bin/python3 when the current
interpreter lacks torch, and with PYTHONHASHSEED=0.

Outputs (deterministic: re-running gives byte-identical files):
  fixtures/pytorch/benign/*       written by torch.save / torch.jit.save (and re-zipped copies of them)
  fixtures/pytorch/malicious/*    real torch output with members replaced or added, re-zipped with
                                  zipfile (stored, fixed timestamps, the same names)
  fixtures/pytorch/name_lengths/* torch.save of a one-tensor state_dict to files whose base names (the
                                  archive's folder) have every length from 1 to 64
  fixtures/pytorch/expected.json  the exact findings each file must produce

SAFETY: nothing is ever loaded or unpickled. Malicious pickles are assembled opcode by opcode (the
assembler of make_fixtures.py) and checked with ``pickletools.dis`` only; TorchScript modules are
scripted and saved, never loaded. Payload commands are the harmless ``echo modelaudit-fixture``.
"""

from __future__ import annotations

import sys

from debian_python import reexec_if_needed  # noqa: E402

reexec_if_needed(__file__, ("torch",))

# The imports below need the Debian interpreter chosen above.
import hashlib  # noqa: E402
import io  # noqa: E402
import linecache  # noqa: E402
import pickle  # noqa: E402
import pickletools  # noqa: E402
import string  # noqa: E402
import struct  # noqa: E402
import tempfile  # noqa: E402
import types  # noqa: E402
import zipfile  # noqa: E402
import zlib  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_fixtures as mf  # noqa: E402  (the pickle assembler, expected-finding helpers, stable legacy keys)

from fixture_manifest import ROOT, build_manifest, python_version, write_fixtures  # noqa: E402
OUT = ROOT / "fixtures" / "pytorch"

# The brief: tiny files, the whole area ideally under 300 KB.
MAX_FIXTURE_BYTES = 100 * 1024
MAX_TOTAL_BYTES = 300 * 1024

# Fixed timestamp of re-zipped members (zipfile's earliest), so the bytes do not change between runs.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

# Format ids of the scan outcome: the zip profiles' names, the legacy scanner, the bundle's container.
PYTORCH = "pytorch"
TORCHSCRIPT = "torchscript"

# Source of the scripted modules, compiled under a fixed file name: TorchScript's debug tables
# (code/*.debug_pkl) record the source file, which must not depend on where the checkout lives.
MODELS_FILE = "modelaudit_fixture_models.py"
MODELS_SOURCE = '''
import torch
from typing import List


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.seq = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
        self.register_buffer("scale", torch.tensor([0.5, 2.0]))
        self.sizes: List[int] = [4, 3, 2]

    def forward(self, x):
        y = self.seq(x) * self.scale
        if len(self.sizes) > 2:
            y = torch.relu(y)
        return y


class Snapshot(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.path = "/tmp/modelaudit-fixture.pt"
        self.linear = torch.nn.Linear(2, 2)

    def forward(self, x):
        torch.save(x, self.path)
        return self.linear(x)


def shifted(x):
    return x * torch.tensor([3.0, 4.0]) + 1


def trace_shifted():
    """torch.jit.trace(shifted) in a thread of its own, whose stack (which the trace records)
    holds only this file and threading's frames, not the generator's path and line numbers."""
    import threading
    import warnings
    out = {}

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", torch.jit.TracerWarning)
            out["traced"] = torch.jit.trace(shifted, torch.ones(2))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return out["traced"]
'''


def load_models() -> types.ModuleType:
    """The modules above, with their source where inspect (and so torch.jit.script) finds it."""
    name = MODELS_FILE[:-3]
    module = types.ModuleType(name)
    module.__file__ = MODELS_FILE
    linecache.cache[MODELS_FILE] = (len(MODELS_SOURCE), None, MODELS_SOURCE.splitlines(True), MODELS_FILE)
    sys.modules[name] = module
    exec(compile(MODELS_SOURCE, MODELS_FILE, "exec"), module.__dict__)
    return module


@dataclass
class Fixture:
    file: str
    kind: str  # malicious | suspicious (warnings only) | benign
    format: str | None
    technique: str
    data: bytes
    findings: list[dict]


# ---------------------------------------------------------------------------------------------
# Zip helpers


def members(archive: bytes) -> list[tuple[str, bytes]]:
    """The (name, bytes) of every member, in central directory order."""
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        return [(info.filename, z.read(info)) for info in z.infolist()]


def rezip(entries: list[tuple[str, bytes]], compression: int = zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = compression
            info.create_system = 3
            z.writestr(info, data)
    return buf.getvalue()


def replaced(archive: bytes, name: str, data: bytes) -> bytes:
    """The archive re-zipped with member ``name`` holding ``data``, every other member as it was."""
    entries = members(archive)
    assert any(n == name for n, _ in entries), name
    return rezip([(n, data if n == name else d) for n, d in entries])


def added(archive: bytes, *extra: tuple[str, bytes]) -> bytes:
    return rezip(members(archive) + list(extra))


def without(archive: bytes, name: str) -> bytes:
    entries = members(archive)
    assert any(n == name for n, _ in entries), name
    return rezip([(n, d) for n, d in entries if n != name])


def member(archive: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        return z.read(name)


# ---------------------------------------------------------------------------------------------
# Real torch output


def saved(obj: object) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def jit_saved(module: torch.jit.ScriptModule, **kw) -> bytes:
    buf = io.BytesIO()
    torch.jit.save(module, buf, **kw)
    return buf.getvalue()


# Base names of the name-length sweep: torch.save(obj, path) names the archive's folder after the file, and the
# folder's length decides where the central directory's headers fall (at 21 characters the first central header
# is exactly as long as torch's two zip64 end records, which once made the listing fail).
NAME_CHARS = string.ascii_lowercase * 3
NAME_LENGTHS = range(1, 65)
TRAP_LENGTH = 21


def one_tensor_state_dict() -> dict:
    torch.manual_seed(0)
    return torch.nn.Linear(1, 1, bias=False).state_dict()


def saved_to(stem: str, save: Callable[[str], None]) -> bytes:
    """What ``save`` writes to a file named ``stem``.pt: torch puts its records under the folder ``stem``/."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{stem}.pt"
        save(str(path))
        return path.read_bytes()


def trap_length(archive: bytes) -> int:
    """The folder length at which the first central header of ``archive``'s layout (46 bytes and the name)
    is as long as torch's zip64 end record and locator (56 + 20 bytes)."""
    first = members(archive)[0][0]
    return 56 + 20 - 46 - len(first[first.index("/"):])


def torch_written(stem: str, records: list[tuple[str, bytes]]) -> bytes:
    """``records`` (names under the folder, ``version`` left out) written by torch's own writer, as torch.save
    writes them: the same local headers, padding, zip64 end records and version record."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{stem}.pt"
        writer = torch._C.PyTorchFileWriter(str(path))
        for name, data in records:
            if name != "version":
                writer.write_record(name, data, len(data))
        writer.write_end_of_file()
        del writer
        return path.read_bytes()


def torch_reads(archive: bytes, record: str) -> bytes | None:
    """The bytes torch's own reader returns for ``record`` (None when it cannot open the archive or find the
    record): get_record reads raw bytes and unpickles nothing."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "probe.pt"
        path.write_bytes(archive)
        try:
            return torch._C.PyTorchFileReader(str(path)).get_record(record)
        except RuntimeError:
            return None


def sequential() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))


def many_tensors() -> dict:
    """A few hundred small tensors of every storage type torch.save names, views sharing a storage and an
    empty tensor: enough records to time a scan and to check every record's size against its reference."""
    torch.manual_seed(0)
    dtypes = [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int64, torch.int32, torch.int16,
              torch.int8, torch.uint8, torch.bool, torch.complex64]
    state = {f"layer{i}.weight": (torch.randn(2, 2) * 4).to(dtypes[i % len(dtypes)]) for i in range(300)}
    base = torch.arange(8.0)
    state["view.a"], state["view.b"] = base[:4], base[4:]
    state["empty"] = torch.zeros(0)
    return state


def optimizer_state() -> dict:
    model = sequential()
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    model(torch.ones(2, 4)).sum().backward()
    opt.step()
    return opt.state_dict()


def optimizers() -> list[tuple[str, torch.optim.Optimizer]]:
    """One of every optimizer class torch.optim exports, on a seeded Linear(3, 2) (SparseAdam on a sparse
    embedding, which it requires)."""
    out = []
    for name in sorted(n for n, c in vars(torch.optim).items()
                       if isinstance(c, type) and issubclass(c, torch.optim.Optimizer) and c is not torch.optim.Optimizer):
        torch.manual_seed(0)
        module = torch.nn.Embedding(4, 2, sparse=True) if name == "SparseAdam" else torch.nn.Linear(3, 2)
        out.append((name, getattr(torch.optim, name)(module.parameters(), lr=0.1)))
    return out


def lr_schedulers() -> list[tuple[str, object]]:
    """One of every LR scheduler class torch.optim.lr_scheduler defines, on an SGD optimizer with momentum
    (CyclicLR cycles it), and a lambda where the scheduler takes a function (its state_dict() keeps None for it)."""
    sched = torch.optim.lr_scheduler
    out = []
    for name in sorted(n for n, c in vars(sched).items()
                       if isinstance(c, type) and c.__module__ == sched.__name__ and not n.startswith("_")):
        torch.manual_seed(0)
        opt = torch.optim.SGD(torch.nn.Linear(3, 2).parameters(), lr=0.1, momentum=0.9)
        cls = getattr(sched, name)
        args = {
            "StepLR": {"step_size": 2}, "MultiStepLR": {"milestones": [1, 2]}, "ExponentialLR": {"gamma": 0.9},
            "CosineAnnealingLR": {"T_max": 5}, "CosineAnnealingWarmRestarts": {"T_0": 3},
            "CyclicLR": {"base_lr": 0.01, "max_lr": 0.1}, "OneCycleLR": {"max_lr": 0.1, "total_steps": 10},
            "LambdaLR": {"lr_lambda": lambda epoch: 0.9 ** epoch}, "MultiplicativeLR": {"lr_lambda": lambda epoch: 0.9},
        }.get(name, {})
        if name == "ChainedScheduler":
            out.append((name, cls([sched.StepLR(opt, 2), sched.ExponentialLR(opt, 0.9)])))
        elif name == "SequentialLR":
            out.append((name, cls(opt, [sched.ConstantLR(opt), sched.ExponentialLR(opt, 0.9)], milestones=[2])))
        else:
            out.append((name, cls(opt, **args)))
    return out


def pickles(obj: object) -> bool:
    try:
        saved(obj)
        return True
    except (TypeError, AttributeError, pickle.PicklingError):
        return False


def owner_replaced(archive: bytes, module: bytes, name: bytes) -> tuple[bytes, list[dict]]:
    """The archive with the class of data.pkl's first instance (the one whose bound method the pickle writes
    as getattr(instance, name)) replaced by module.name, and the findings that must follow."""
    data = member(archive, "archive/data.pkl")
    ops = list(pickletools.genops(data))
    getattr_pos = next(pos for op, arg, pos in ops if op.name == "GLOBAL" and arg == "__builtin__ getattr")
    first = next(op for op in ops if op[0].name == "GLOBAL" and op[2] > getattr_pos)
    original = ("c" + first[1].replace(" ", "\n") + "\n").encode()
    assert data[first[2]:].startswith(original)
    evil = data[:first[2]] + b"c" + module + b"\n" + name + b"\n" + data[first[2] + len(original):]
    evil_ops = list(pickletools.genops(evil))
    newobj = next(pos for op, _, pos in evil_ops if op.name == "NEWOBJ" and pos > first[2])
    method = next(pos for op, arg, pos in evil_ops if arg == "_annealing_cos")
    # getattr(owner, "_annealing_cos"): once inside the owner's state, once where it is restored after it.
    getattr_calls = [pos for op, _, pos in evil_ops if op.name == "REDUCE" and pos > method]
    owner_build = [pos for op, _, pos in evil_ops if op.name == "BUILD"][-1]
    assert len(getattr_calls) == 2 and getattr_calls[0] < owner_build < getattr_calls[1]
    qualified = f"{module.decode()}.{name.decode()}"
    owner = {"module": module.decode(), "function": name.decode()}
    getattr_ = {"module": "__builtin__", "function": "getattr"}
    findings = [
        mf.finding("MA100", first[2], path="archive/data.pkl", **owner),
        mf.finding("MA101", newobj, path="archive/data.pkl", **owner),
        mf.finding("MA101", owner_build, path="archive/data.pkl", **owner),
        # The bound method's owner is no longer an instance of a known class: getattr on it is reported.
        mf.finding("MA100", getattr_pos, path="archive/data.pkl", **getattr_),
        *(mf.finding("MA101", pos, path="archive/data.pkl", **getattr_) for pos in getattr_calls),
    ]
    assert qualified == "os.system"
    return replaced(archive, "archive/data.pkl", evil), findings


def legacy_state_dict() -> bytes:
    buf = io.BytesIO()
    with mf.stable_torch_storage_keys():
        torch.save(sequential().state_dict(), buf, _use_new_zipfile_serialization=False)
    return buf.getvalue()


def lite(module: torch.jit.ScriptModule) -> bytes:
    """The lite-interpreter archive; torch writes it only to a path, so its folder is the file's stem."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mobile.ptl"
        module._save_for_lite_interpreter(str(path))
        return path.read_bytes()


# ---------------------------------------------------------------------------------------------
# Assembled content


def with_call_first(pickle: bytes) -> tuple[bytes, list[dict]]:
    """``pickle`` (protocol 2) with os.system(CMD) called and popped before its first object: the
    checkpoint still loads as before, after running the command."""
    assert pickle[:2] == b"\x80\x02", pickle[:2]
    a = mf.Asm()
    a.proto(2)
    found = mf.global_call(a, 2)
    a.pop()
    a.raw(pickle[2:])
    return a.bytes(), found


def ggml_file() -> bytes:
    """A tiny llama.cpp 'ggjt' v3 file: magic, version, hyper-parameters, vocabulary, one f32 tensor."""
    out = bytearray(struct.pack("<II", 0x67676A74, 3))
    out += struct.pack("<7i", 2, 4, 1, 1, 1, 4, 0)  # n_vocab, n_embd, n_mult, n_head, n_layer, n_rot, ftype
    for token in (b"<s>", b"hi"):
        out += struct.pack("<I", len(token)) + token + struct.pack("<f", 0.0)
    name = b"tok_embeddings.weight"
    out += struct.pack("<3i", 2, len(name), 0) + struct.pack("<2i", 4, 2) + name
    out += b"\0" * (-len(out) % 32)
    out += struct.pack("<8f", *[i / 8 for i in range(8)])
    return bytes(out)


def png_file() -> bytes:
    """A 1x1 grey PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\x80", 9)) + \
        chunk(b"IEND", b"")


def random_bytes(size: int) -> bytes:
    """Bytes that look random and are always the same (a SHA-256 chain); the first is not a pickle opcode."""
    out = bytearray(b"\x00")
    block = b"modelaudit-fixture"
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out[:size])


def torch2_records(archive: bytes) -> bytes:
    """A torch 1.13 checkpoint with the records torch 2.x adds, in torch 2.x's order."""
    entries = dict(members(archive))
    prefix = next(iter(entries)).split("/")[0] + "/"
    data = sorted((n for n in entries if n.startswith(prefix + "data/")), key=lambda n: int(n.rsplit("/", 1)[1]))
    ordered = [
        (prefix + "data.pkl", entries[prefix + "data.pkl"]),
        (prefix + ".format_version", b"1"),
        (prefix + ".storage_alignment", b"64"),
        (prefix + "byteorder", b"little"),
        *[(n, entries[n]) for n in data],
        (prefix + "version", entries[prefix + "version"]),
        (prefix + ".data/serialization_id", b"0636457737946401051300000027264370494161"),
    ]
    return rezip(ordered)


def persid_positions(pickle: bytes) -> dict[str, int]:
    """Offset of the BINPERSID that first loads each storage key, decoded without unpickling. torch's id is
    ('storage', type, key, location, numel), 'storage', the type and the location memoized after their first
    use: the key is the last decimal string pushed before the BINPERSID."""
    positions: dict[str, int] = {}
    key = None
    for op, arg, pos in pickletools.genops(pickle):
        if isinstance(arg, str) and arg.isdecimal() and op.name.endswith("UNICODE"):
            key = arg
        if op.name == "BINPERSID":
            assert key is not None
            positions.setdefault(key, pos)
    return positions


def passive_mismatch(detected: str) -> dict:
    """MA001 for a file whose content is a format that runs nothing: info, not the rule's default warning."""
    return {**mf.finding("MA001", detectedFormat=detected), "severity": "info"}


def line_of(source: bytes, pos: int) -> int:
    return source[:pos].count(b"\n") + 1


def debug_source_reference(archive: bytes, code_path: str, call: str) -> dict:
    """The MA111 of the string in a code file's debug_pkl that holds the scripted source calling `call`: source
    text that nothing in the pickle evaluates."""
    debug = member(archive, code_path + ".debug_pkl")
    pos = next(pos for op, arg, pos in pickletools.genops(debug)
               if isinstance(arg, str) and f"{call}(" in arg)
    return mf.finding("MA111", pos, path=code_path + ".debug_pkl", encoding="plain")


def code_reference(path: str, source: bytes, text: bytes, call: str) -> dict:
    pos = source.index(text)
    return mf.finding("MA302", pos, path=path, call=call, line=line_of(source, pos))


# ---------------------------------------------------------------------------------------------
# The fixtures


def fixtures() -> list[Fixture]:
    models = load_models()
    out: list[Fixture] = []

    def add(file: str, kind: str, fmt: str | None, technique: str, data: bytes, findings: list[dict]) -> bytes:
        out.append(Fixture(file, kind, fmt, technique, data, findings))
        return data

    # Benign: what torch writes.
    state_dict = add("benign/state_dict.pt", "benign", PYTORCH,
                     "torch.save(nn.Sequential(...).state_dict()): the zip layout of torch >= 1.6 (archive/)",
                     saved(sequential().state_dict()), [])
    add("benign/model.pt", "benign", PYTORCH, "torch.save of a whole nn.Sequential object (classes by import)",
        saved(sequential()), [])
    add("benign/many_tensors.pt", "benign", PYTORCH,
        "torch.save of 300 small tensors of 11 dtypes, two views of one storage and an empty tensor",
        saved(many_tensors()), [])
    add("benign/optimizer.pt", "benign", PYTORCH, "torch.save of an Adam optimizer's state_dict after one step",
        saved(optimizer_state()), [])
    # Optimizers and LR schedulers: torch.save of whole optimizers, of every scheduler's state_dict() (OneCycleLR's
    # keeps its anneal_func, a bound method, as getattr(scheduler, "_annealing_cos")) and of whole schedulers
    # where torch can pickle them (a scheduler holding a lambda or a WeakMethod cannot be).
    for name, opt in optimizers():
        add(f"benign/optim_{name}.pt", "benign", PYTORCH, f"torch.save of a whole torch.optim.{name} optimizer",
            saved(opt), [])
    onecycle_state = b""
    for name, scheduler in lr_schedulers():
        state = scheduler.state_dict()
        if pickles(state):
            data = add(f"benign/lr_scheduler_state_{name}.pt", "benign", PYTORCH,
                       f"torch.save of torch.optim.lr_scheduler.{name}(...).state_dict()", saved(state), [])
            onecycle_state = data if name == "OneCycleLR" else onecycle_state
        if pickles(scheduler):
            add(f"benign/lr_scheduler_{name}.pt", "benign", PYTORCH,
                f"torch.save of a whole torch.optim.lr_scheduler.{name} (its SGD optimizer and tensors included)",
                saved(scheduler), [])
    evil_scheduler, evil_findings = owner_replaced(onecycle_state, b"os", b"system")
    add("malicious/lr_scheduler_state_owner_os_system.pt", "malicious", PYTORCH,
        "benign/lr_scheduler_state_OneCycleLR.pt whose bound method's owner (the scheduler) is built by os.system "
        "instead of OneCycleLR", evil_scheduler, evil_findings)
    add("benign/state_dict_legacy.pt", "benign", "pytorch-legacy",
        "torch.save(state_dict, _use_new_zipfile_serialization=False): the legacy stream, not a zip",
        legacy_state_dict(), [])
    scripted_module = torch.jit.script(models.Block())
    scripted = add("benign/scripted.pt", "benign", TORCHSCRIPT,
                   "torch.jit.save(torch.jit.script(module)) with Sequential, a buffer, a List[int] attribute and "
                   "an extra file: data.pkl with __torch__ classes, code/ with getattr(self, \"0\"), debug_pkl",
                   jit_saved(scripted_module, _extra_files={"notes.txt": "modelaudit fixture"}), [])
    # traced.pt's debug_pkl records the Python stack of the trace: trace_shifted keeps this script out of it.
    traced = models.trace_shifted()
    add("benign/traced.pt", "benign", TORCHSCRIPT,
        "torch.jit.save(torch.jit.trace(fn)): tensor constants in constants.pkl and constants/",
        jit_saved(traced), [])
    add("benign/lite.ptl", "benign", TORCHSCRIPT,
        "module._save_for_lite_interpreter: a TorchScript archive with bytecode.pkl", lite(scripted_module), [])
    add("benign/renamed_prefix.pt", "benign", PYTORCH,
        "benign/state_dict.pt re-zipped with its records under my_model/ (torch reads any folder name)",
        rezip([(n.replace("archive/", "my_model/", 1), d) for n, d in members(state_dict)]), [])
    torch2 = add("benign/torch2_layout.pt", "benign", PYTORCH,
                 "benign/state_dict.pt re-zipped with the records torch 2.x adds (.format_version, "
                 ".storage_alignment, byteorder, .data/serialization_id) in torch 2.x's order",
                 torch2_records(state_dict), [])
    add("benign/old_llama_ggjt.bin", "benign", "ggml",
        "a llama.cpp 'ggjt' v3 file named .bin, the way old GGML models were shipped: read as a legacy GGML file",
        ggml_file(), [mf.finding("MA346", 0, magic="ggjt", version=3)])
    add("benign/image.pt", "benign", None, "a PNG image named .pt", png_file(),
        [passive_mismatch("png")])
    add("benign/random.ckpt", "benign", None, "512 random-looking bytes named .ckpt", random_bytes(512),
        [mf.finding("MA007", extension=".ckpt")])

    # Malicious and suspicious twins.
    data_pkl = member(state_dict, "archive/data.pkl")
    evil_data_pkl, found = with_call_first(data_pkl)
    evil_checkpoint = add("malicious/data_pkl_os_system.pt", "malicious", PYTORCH,
                          "benign/state_dict.pt with os.system called (and popped) at the start of data.pkl: "
                          "torch.load runs it, then loads the weights as before",
                          replaced(state_dict, "archive/data.pkl", evil_data_pkl),
                          mf.nested("archive/data.pkl", found))
    payload, found = mf.call_pickle(2)
    add("malicious/constants_pkl_os_system.pt", "malicious", TORCHSCRIPT,
        "benign/scripted.pt with constants.pkl replaced by os.system: torch.jit.load unpickles it",
        replaced(scripted, "archive/constants.pkl", payload), mf.nested("archive/constants.pkl", found))
    add("malicious/extra_pickle_member.pt", "malicious", PYTORCH,
        "benign/state_dict.pt plus archive/extra.pkl holding os.system: torch.load ignores it, another loader may not",
        added(state_dict, ("archive/extra.pkl", payload)),
        [mf.finding("MA300", path="archive/extra.pkl", member="archive/extra.pkl"),
         *mf.nested("archive/extra.pkl", found)])
    add("malicious/unreferenced_data_record.pt", "malicious", PYTORCH,
        "benign/state_dict.pt plus archive/data/evil, a pickle posing as tensor data that no storage refers to",
        added(state_dict, ("archive/data/evil", payload)),
        [mf.finding("MA300", path="archive/data/evil", member="archive/data/evil"),
         *mf.nested("archive/data/evil", found)])
    add("malicious/outside_prefix.pt", "malicious", PYTORCH,
        "benign/state_dict.pt plus payload.pkl outside the archive/ folder torch reads",
        added(state_dict, ("payload.pkl", payload)),
        [mf.finding("MA300", path="payload.pkl", member="payload.pkl"), *mf.nested("payload.pkl", found)])
    add("malicious/bundle.zip", "malicious", "zip",
        "a zip bundle holding model/pytorch_model.bin, a torch checkpoint whose data.pkl calls os.system",
        rezip([("model/config.json", b'{"model_type": "mlp"}'), ("model/pytorch_model.bin", evil_checkpoint)],
              zipfile.ZIP_DEFLATED),
        mf.nested("model/pytorch_model.bin:archive/data.pkl", with_call_first(data_pkl)[1]))

    code_path = "archive/code/__torch__/modelaudit_fixture_models.py"
    code = member(scripted, code_path)
    edited = code.replace(b"\n    return ", b'\n    _fixture = os.system("echo modelaudit-fixture")\n    return ', 1)
    assert edited != code
    add("malicious/torchscript_os_system.pt", "malicious", TORCHSCRIPT,
        "benign/scripted.pt with a code/ file edited after saving to call os.system in forward",
        replaced(scripted, code_path, edited),
        [code_reference(code_path, edited, b"os.system", "os.system")])
    upper_code = code_path[:-len(".py")] + ".PY"
    renamed = rezip([(upper_code, edited) if n == code_path else (n, d) for n, d in members(scripted)])
    assert torch_reads(renamed, code_path.split("/", 1)[1]) == edited
    add("malicious/torchscript_upper_case_code.pt", "malicious", TORCHSCRIPT,
        "malicious/torchscript_os_system.pt with its code file named .PY: torch.jit.load finds it regardless of "
        "case and compiles it", renamed,
        [mf.finding("MA303", path=upper_code, record=code_path.split("/", 1)[1]),
         code_reference(upper_code, edited, b"os.system", "os.system")])
    snapshot = jit_saved(torch.jit.script(models.Snapshot()))
    snapshot_code = member(snapshot, code_path)
    add("malicious/torchscript_torch_save.pt", "malicious", TORCHSCRIPT,
        "torch.jit.script of a module whose forward calls torch.save(x, path): TorchScript compiles it and "
        "writes the file on every call (real torch output, nothing edited)",
        snapshot, [code_reference(code_path, snapshot_code, b"torch.save", "torch.save"),
                   # Its debug_pkl keeps the scripted Python source, a string that calls torch.save (as text).
                   debug_source_reference(snapshot, code_path, "torch.save")])

    add("malicious/bad_version.pt", "suspicious", PYTORCH,
        "benign/state_dict.pt with version 99, beyond what torch reads",
        replaced(state_dict, "archive/version", b"99\n"),
        [mf.finding("MA301", path="archive/version", record="version")])
    add("malicious/bad_torch2_metadata.pt", "suspicious", PYTORCH,
        "benign/torch2_layout.pt with byteorder 'middle' and a serialization id that is not torch's 40 digits",
        replaced(replaced(torch2, "archive/byteorder", b"middle"), "archive/.data/serialization_id", b"abc"),
        [mf.finding("MA301", path="archive/byteorder", record="byteorder"),
         mf.finding("MA301", path="archive/.data/serialization_id", record=".data/serialization_id")])
    add("malicious/missing_storage_record.pt", "suspicious", PYTORCH,
        "benign/state_dict.pt without archive/data/1, which data.pkl refers to: torch.load fails there",
        without(state_dict, "archive/data/1"),
        [mf.finding("MA301", persid_positions(data_pkl)["1"], path="archive/data.pkl", storage="1",
                    record="data/1")])
    alias_fixtures(add, state_dict)
    name_length_fixtures(add, scripted_module)
    return out


def alias_fixtures(add: Callable[..., bytes], state_dict: bytes) -> None:
    """benign/state_dict.pt with records renamed the ways torch's reader does or does not see through; each
    asserts what torch's own reader returns for the record."""
    entries = members(state_dict)
    data_pkl = dict(entries)["archive/data.pkl"]
    evil, found = with_call_first(data_pkl)
    rest = [(n, d) for n, d in entries if n != "archive/data.pkl"]

    upper = rezip([("archive/DATA.PKL", evil), *rest])
    assert torch_reads(upper, "data.pkl") == evil
    add("malicious/upper_case_data_pkl.pt", "malicious", PYTORCH,
        "benign/state_dict.pt with data.pkl renamed DATA.PKL and calling os.system first: torch finds records "
        "regardless of case and unpickles it", upper,
        [mf.finding("MA303", path="archive/DATA.PKL", record="data.pkl", shadowsExactName=False),
         *mf.nested("archive/DATA.PKL", found)])

    shadowing = rezip([("archive/DATA.PKL", evil), ("archive/data.pkl", data_pkl), *rest])
    assert torch_reads(shadowing, "data.pkl") == evil
    add("malicious/case_shadowed_data_pkl.pt", "malicious", PYTORCH,
        "benign/state_dict.pt with its data.pkl kept after DATA.PKL, which calls os.system: miniz's sorted "
        "search reads DATA.PKL, exact-name readers data.pkl", shadowing,
        [mf.finding("MA303", path="archive/DATA.PKL", record="data.pkl", shadowsExactName=True),
         *mf.nested("archive/DATA.PKL", found)])

    # Three same-named data.pkl after the other records: torch reads the middle one, Python's zipfile the last.
    duplicates = rezip([*rest, ("archive/data.pkl", data_pkl), ("archive/data.pkl", evil),
                        ("archive/data.pkl", data_pkl)])
    assert torch_reads(duplicates, "data.pkl") == evil
    with zipfile.ZipFile(io.BytesIO(duplicates)) as z:
        assert z.read("archive/data.pkl") == data_pkl
    add("malicious/duplicate_data_pkl.pt", "malicious", PYTORCH,
        "benign/state_dict.pt with three data.pkl records, the middle one (torch's pick; not the first, nor "
        "Python's zipfile's last) calling os.system", duplicates,
        [mf.finding("MA211", path="archive/data.pkl", index=len(rest) + 1, firstIndex=len(rest)),
         mf.finding("MA211", path="archive/data.pkl", index=len(rest) + 2, firstIndex=len(rest)),
         *mf.nested("archive/data.pkl", found)])

    version = rezip([(n.replace("archive/version", "archive/VERSION"), d) for n, d in entries])
    assert torch_reads(version, "version") == b"3\n"
    add("malicious/upper_case_version.pt", "suspicious", PYTORCH,
        "benign/state_dict.pt with its version record named VERSION: torch reads it as version", version,
        [mf.finding("MA303", path="archive/VERSION", record="version")])

    # Names torch does not see through: it finds no data.pkl, so the archive is no checkpoint to it.
    dot = rezip([("archive/./data.pkl", evil), *rest])
    assert torch_reads(dot, "data.pkl") is None
    add("malicious/dot_segment_data_pkl.pt", "malicious", "zip",
        "benign/state_dict.pt with data.pkl named archive/./data.pkl and calling os.system: miniz normalises no "
        "path, torch.load finds no data.pkl; scanned as a zip, by content", dot,
        mf.nested("archive/./data.pkl", found))
    backslash = rezip([("archive\\data.pkl", evil), *rest])
    assert torch_reads(backslash, "data.pkl") is None
    add("malicious/backslash_data_pkl.pt", "malicious", "zip",
        "benign/state_dict.pt with data.pkl named archive\\data.pkl and calling os.system: torch takes no "
        "backslash for a folder and refuses the archive; scanned as a zip, by content (a Windows extractor "
        "writes it to archive/data.pkl: MA204)", backslash,
        [mf.finding("MA204", path="archive\\data.pkl"), *mf.nested("archive\\data.pkl", found)])


def name_length_fixtures(add: Callable[..., bytes], scripted_module: torch.jit.ScriptModule) -> None:
    """torch.save to files whose base names have every length from 1 to 64, and a malicious twin at the
    length whose headers once defeated the listing, written by torch's own writer; torch.jit.save at the
    length that does the same to its layout (its first record is data/0)."""
    state = one_tensor_state_dict()
    for length in NAME_LENGTHS:
        stem = NAME_CHARS[:length]
        data = saved_to(stem, lambda path: torch.save(state, path))
        add(f"name_lengths/{stem}.pt", "benign", PYTORCH,
            f"torch.save(one-tensor state_dict, '{stem}.pt'): records under a {length}-character folder", data, [])
        if length == TRAP_LENGTH:
            trap = data
    assert trap_length(trap) == TRAP_LENGTH
    stem = NAME_CHARS[:TRAP_LENGTH]
    records = [(name.split("/", 1)[1], body) for name, body in members(trap)]
    assert torch_written(stem, records) == trap  # the writer alone gives torch.save's bytes
    evil, found = with_call_first(dict(records)["data.pkl"])
    add(f"malicious/folder_{TRAP_LENGTH}_chars_os_system.pt", "malicious", PYTORCH,
        f"name_lengths/{stem}.pt with os.system called first in data.pkl, written by torch's own writer: its "
        "first central header is as long as the zip64 end records",
        torch_written(stem, [(n, evil if n == "data.pkl" else d) for n, d in records]),
        mf.nested(f"{stem}/data.pkl", found))

    def jit(path: str) -> None:
        torch.jit.save(scripted_module, path)

    stem = NAME_CHARS[:trap_length(saved_to("x", jit))]
    add(f"name_lengths/torchscript/{stem}.pt", "benign", TORCHSCRIPT,
        f"torch.jit.save(torch.jit.script(module), '{stem}.pt'): the folder length at which its first central "
        "header is as long as the zip64 end records", saved_to(stem, jit), [])


# ---------------------------------------------------------------------------------------------
# Checks and output


def check(fx: Fixture) -> None:
    assert len(fx.data) <= MAX_FIXTURE_BYTES, (fx.file, len(fx.data))
    if not fx.data.startswith(b"PK"):
        return
    for name, data in members(fx.data):
        if name.endswith(".bin"):
            check(Fixture(f"{fx.file}:{name}", fx.kind, None, "", data, []))
        elif name.endswith("pkl") or name.endswith("/evil"):
            # Every pickle decodes without being loaded (pickletools only reads opcodes).
            pickletools.dis(data, out=io.StringIO())


ASSUMPTIONS = [
    "A finding's location is `<file>:<member>` for a member of the checkpoint (`<file>:<member>:<member>` "
    "through a zip bundle), with ` (pos N)` when it has a position: a byte offset inside that member.",
    "torch reads every record under the folder of the archive's first entry (archive/ when saved to a buffer, "
    "the file's stem when saved to a path, any name after re-zipping); a layout with <folder>/constants.pkl is a "
    "TorchScript archive (torch.load hands it to torch.jit.load).",
    "Every .pkl and .debug_pkl member is scanned as a pickle (those of a TorchScript archive with __torch__.* "
    "classes known to be the archive's own code), code/**.py as TorchScript source, and the data/ (and "
    "TorchScript constants/) records a pickle refers to are never read.",
    "MA300: a member torch.save / torch.jit.save does not write, a data/ record no persistent id refers to, or "
    "an entry outside the archive's folder; it is also scanned by its content.",
    "MA301: a metadata record (version, .data/version, byteorder, .data/serialization_id, .format_version, "
    ".storage_alignment) not as torch writes it, at the record; a reference to a storage record that is missing "
    "or has another size, at the BINPERSID that first loads it.",
    "MA302: a reference in TorchScript source to something that runs code or reaches the system, at the byte "
    "offset of its first token; details.call is the dotted name as written, details.line its line.",
    "MA303: an entry torch reads under another name than its own: its reader (miniz) finds records regardless "
    "of ASCII letter case and, among several matches, reads the one its sorted search meets (checked here with "
    "torch's own reader); every entry is planned as the record torch knows it by (folders and suffixes in any "
    "case: DATA.PKL as data.pkl, code/*.PY as code). ./ and \\ are not normalised: "
    "such a data.pkl leaves no checkpoint to torch, and the zip is scanned by content.",
    "Positions inside pickles are opcode offsets, as in fixtures/pickle.",
    "A passive known format under a model's name (PNG) is MA001 at info; unrecognised bytes under a model's "
    "name are MA007 at info; a legacy GGML file named .bin is read as one (MA346, info).",
]


def main() -> None:
    items = fixtures()
    for fx in items:
        check(fx)
    manifest = build_manifest("scripts/make_pytorch_fixtures.py",
                              {"python": python_version(), "torch": torch.__version__}, ASSUMPTIONS, items)
    write_fixtures(OUT, items, manifest, max_fixture_bytes=MAX_FIXTURE_BYTES, max_total_bytes=MAX_TOTAL_BYTES,
                   folders=("malicious", "benign", "name_lengths"))


if __name__ == "__main__":
    main()
