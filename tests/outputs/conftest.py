"""One run of the main job on a two-county synthetic province, shared by every test of what it writes
(pages, print, CSV, workbooks, Word drafts, language): the outputs a commission opens."""

import os
import subprocess
import sys

import pytest

from toolkit.paths import PROJECT_ROOT

N_COUNTIES = 2


@pytest.fixture(scope="session")
def main_outputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("main")
    env = {**os.environ, "MPLBACKEND": "Agg"}
    cmd = [sys.executable, "-m", "toolkit", "main", "--sample-dir", str(root / "data"), "--out", str(root / "out")]
    cmd += ["--sample-counties", str(N_COUNTIES), "--workers", "2", "--no-progress"]
    run = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=1500)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
    return root / "out"


@pytest.fixture(scope="session")
def sample_dir(main_outputs):
    return main_outputs.parent / "data"
