#!/usr/bin/env python3
"""Runs every fixture generator (``scripts/make_fixtures.py``, then ``scripts/make_*_fixtures.py`` by name)
with this interpreter, stopping at the first that fails: ``deno task fixtures``. A new format's generator
joins by its file name alone."""
import subprocess
import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent
generators = [SCRIPTS / "make_fixtures.py", *sorted(SCRIPTS.glob("make_*_fixtures.py"))]
for generator in generators:
    if generator.name == Path(__file__).name:
        continue
    print(f"== {generator.name}", flush=True)
    subprocess.run([sys.executable, str(generator)], check=True)
