#!/usr/bin/env python3
"""Checks modelaudit's Python source fixtures with CPython's own parser and writes their manifest.

Run from anywhere: ``/usr/bin/python3 scripts/make_python_fixtures.py`` (any Python 3.9+; only the standard
library's ``ast``).

Inputs:
  fixtures/python/benign/*.py      real-looking model code: a transformers-style model and configuration,
                                   a TorchServe handler (committed as written; read, never changed)
  fixtures/python/malicious/*.py   their twins, one technique each
Outputs (deterministic: re-running gives byte-identical files):
  fixtures/python/expected.json    the exact findings each file must produce

Every fixture but ``malicious/unparsable.py`` must parse with ``ast.parse``, which builds a syntax tree and
runs nothing; ``unparsable.py`` must not. The line and column of each expected finding are taken from
CPython's tree (the call whose callee reads as given, the string constant), not from modelaudit, so the
manifest checks the scanner against the interpreter that would import the file.

SAFETY: no fixture is imported, compiled to bytecode or run. The payload command is the harmless
``echo pwned``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from fixture_manifest import ROOT, build_manifest, expected_finding, python_version, write_fixtures

OUT = ROOT / "fixtures" / "python"
MAX_FIXTURE_BYTES = 64 * 1024
MAX_AREA_BYTES = 256 * 1024


@dataclass
class Expect:
    """A finding at the call whose callee's source is ``callee`` (``nth`` such call), or, with ``constant``,
    at the string constant that starts with it."""
    rule: str
    callee: str
    callable: str | None = None
    severity: str | None = None
    nth: int = 0
    constant: bool = False


@dataclass
class Fixture:
    file: str
    kind: str
    technique: str
    expects: list[Expect] = field(default_factory=list)
    format: str = "python"
    data: bytes = b""
    findings: list[dict] = field(default_factory=list)


FIXTURES = [
    Fixture("benign/modeling_tiny.py", "benign",
            "transformers-style model: torch, nn.Module, logging.get_logger, importlib.util.find_spec "
            "availability checks, inspect.signature, os.environ.get, os.path.join, @torch.jit.script"),
    Fixture("benign/configuration_tiny.py", "benign", "transformers-style PretrainedConfig subclass"),
    Fixture("benign/handler.py", "benign",
            "TorchServe handler loading safetensors weights and reading its label map with open()"),
    Fixture("malicious/modeling_os_system.py", "malicious", "os.system('echo pwned') at module level",
            [Expect("MA600", "os.system", "os.system")]),
    Fixture("malicious/modeling_aliased_subprocess.py", "malicious",
            "from subprocess import Popen as _Loader, called at module level",
            [Expect("MA600", "_Loader", "subprocess.Popen")]),
    Fixture("malicious/modeling_exec_base64.py", "malicious",
            "exec(base64.b64decode(...)) of os.system source, the encoded constant itself decoded",
            [Expect("MA600", "exec", "builtins.exec"),
             Expect("MA012", "aW1wb3J0", severity="warning", constant=True)]),
    Fixture("malicious/modeling_decorator_default.py", "malicious",
            "os.popen in a class decorator's argument, eval in a default argument",
            [Expect("MA600", "os.popen", "os.popen"), Expect("MA600", "eval", "builtins.eval")]),
    Fixture("malicious/modeling_method_call.py", "malicious", "subprocess.run inside __init__ (a warning)",
            [Expect("MA601", "subprocess.run", "subprocess.run")]),
    Fixture("malicious/modeling_getattr_import.py", "malicious",
            "getattr(__import__('os'), 'system')('echo pwned')",
            [Expect("MA600", 'getattr(__import__("os"), "system")', "os.system"),
             Expect("MA600", "__import__", "builtins.__import__")]),
    Fixture("malicious/modeling_setup_function.py", "malicious",
            "_o.system in a function the module calls at import time",
            [Expect("MA600", "_o.system", "os.system")]),
    Fixture("malicious/handler_rmtree.py", "malicious",
            "shutil.rmtree of the model store in a handler's initialize (info: runs when called)",
            [Expect("MA602", "shutil.rmtree", "shutil.rmtree", severity="info")]),
    Fixture("malicious/unparsable.py", "malicious", "a syntax error: MA603 where the parser first fails"),
]


def _calls(tree: ast.AST, source: str, callee: str) -> list[ast.Call]:
    return [node for node in ast.walk(tree)
            if isinstance(node, ast.Call) and ast.get_source_segment(source, node.func) == callee]


def _constants(tree: ast.AST, prefix: str) -> list[ast.Constant]:
    return [node for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith(prefix)]


def _findings(fx: Fixture, source: str) -> list[dict]:
    if fx.file.endswith("unparsable.py"):
        try:
            ast.parse(source)
        except SyntaxError as error:
            # CPython and lezer both stop at the parameter list's ':' (columns from 1).
            return [expected_finding("MA603", line=error.lineno, column=error.offset)]
        raise SystemExit(f"{fx.file} parses, but must not")
    tree = ast.parse(source, fx.file)
    findings = []
    for want in fx.expects:
        nodes = _constants(tree, want.callee) if want.constant else _calls(tree, source, want.callee)
        nodes.sort(key=lambda node: (node.lineno, node.col_offset))
        if len(nodes) <= want.nth:
            raise SystemExit(f"{fx.file}: no {'constant' if want.constant else 'call of'} {want.callee!r}")
        node = nodes[want.nth]
        findings.append(expected_finding(
            want.rule, severity=want.severity, line=node.lineno, column=node.col_offset + 1,
            details={"callable": want.callable} if want.callable else None,
        ))
    return findings


def main() -> None:
    for fx in FIXTURES:
        fx.data = (OUT / fx.file).read_bytes()
        fx.findings = _findings(fx, fx.data.decode("utf-8"))
        if fx.kind == "benign" and fx.findings:
            raise SystemExit(f"{fx.file} is benign but expects findings")
    manifest = build_manifest(
        "scripts/make_python_fixtures.py", {"python": python_version()},
        [
            "Fixtures are committed source files; this script only checks them with ast.parse and writes the "
            "manifest. Line and column (from 1) of each finding are CPython's: the call (or the string "
            "constant, for MA012) as its syntax tree places it.",
            "A call that runs at import time (module level, decorators, default arguments, functions the "
            "module calls there) is MA600; inside a function body MA601; shutil.rmtree in a function MA602 "
            "at info.",
        ],
        FIXTURES)
    write_fixtures(OUT, FIXTURES, manifest, max_fixture_bytes=MAX_FIXTURE_BYTES, max_total_bytes=MAX_AREA_BYTES)


if __name__ == "__main__":
    main()
