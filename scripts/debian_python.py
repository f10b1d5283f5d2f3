"""Runs a fixture generator under Debian's python3, whose real ML libraries write the benign fixtures.

Every generator calls ``reexec_if_needed(__file__, modules)`` before importing those libraries: when the
current interpreter lacks one of ``modules`` (a pyenv ``python3`` first on PATH), or the hash seed or time
zone are not the fixed ones the fixtures' bytes depend on, the script restarts itself under
``/usr/bin/python3`` with ``PYTHONHASHSEED=0`` and ``TZ=UTC``.
"""

from __future__ import annotations

import os
import sys

DEBIAN_PYTHON = "/usr/bin/python3"


def reexec_if_needed(script: str, modules: tuple[str, ...]) -> None:
    """Restarts ``script`` under Debian's python3 with a fixed hash seed and time zone when needed."""
    env = dict(os.environ)
    need = env.get("PYTHONHASHSEED") != "0" or env.get("TZ") != "UTC"
    exe = sys.executable
    try:
        for module in modules:
            __import__(module)
    except ImportError:
        if os.path.realpath(exe) == os.path.realpath(DEBIAN_PYTHON) or not os.path.exists(DEBIAN_PYTHON):
            sys.exit(f"{os.path.basename(script)} needs {', '.join(modules)}: "
                     f"apt-get install {' '.join('python3-' + m for m in modules)}")
        exe, need = DEBIAN_PYTHON, True
    if need:
        env["PYTHONHASHSEED"] = "0"
        # zipfile stamps members with local time; the fixtures fix their times in UTC.
        env["TZ"] = "UTC"
        os.execve(exe, [exe, os.path.abspath(script), *sys.argv[1:]], env)
