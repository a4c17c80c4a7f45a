"""Every toolkit module imports: a broken import anywhere fails the suite, not only in the modules
some test happens to import (imported in a fresh interpreter, so nothing the test session already
imported can stand in for a broken import)."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys

import toolkit
from toolkit.paths import PROJECT_ROOT

MODULES = sorted(
    m.name for m in pkgutil.walk_packages(toolkit.__path__, prefix="toolkit.") if m.name != "toolkit.__main__"
)


def test_every_toolkit_module_imports():
    assert len(MODULES) > 50  # the walk found the package
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", code, *MODULES], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
