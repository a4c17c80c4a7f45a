"""A batch killed (SIGKILL, whole process group) at a random moment resumes to complete, correct reports."""

import json
import os
import random
import signal
import subprocess
import sys
import time

import nbformat

from toolkit.batch import cache
from toolkit.batch.runner import plan_jobs, remove_leftovers, run_batch
from toolkit.paths import PROJECT_ROOT

from .conftest import OK, SLOW

SEED = 20241123


def _batch_cmd(dataset, out):
    return [
        sys.executable,
        "-m",
        "toolkit",
        "batch",
        str(dataset),
        "--notebook",
        str(SLOW),
        "--counties",
        "C01,C02,C03",
        "--years",
        "2023-2024",
        "--out",
        str(out),
        "--workers",
        "2",
        "--no-progress",
    ]


def _assert_complete(out, n_expected):
    assert not list(out.rglob("*.part")), "temporary files left behind"
    manifest = json.loads((out / cache.MANIFEST_NAME).read_text(encoding="utf-8"))["reports"]
    assert len(manifest) == n_expected and all(e["status"] == "ok" for e in manifest.values())
    for rid, entry in manifest.items():
        html = (out / f"{rid}.html").read_text(encoding="utf-8")
        assert html.rstrip().endswith("</html>"), rid
        county, year = rid.split("/")[1:]
        pop = {"C01": 100, "C02": 200, "C03": 300}[county] + (10 if year == "2024" else 0)
        assert f"county {county} year {year}: population {pop}" in html
        nbformat.validate(nbformat.read(out / f"{rid}.ipynb", as_version=4))  # valid, complete JSON
        for rel, digest in entry["outputs"].items():
            assert cache.file_sha256(out / rel) == digest, rel
        assert (out / f"{rid}_files" / "bar.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_killed_batch_resumes_without_corrupt_files(dataset, tmp_path):
    out = tmp_path / "reports"
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    proc = subprocess.Popen(
        _batch_cmd(dataset, out),
        cwd=tmp_path,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    rng = random.Random(SEED)
    try:
        # wait until the batch is really writing (kernel start takes seconds on a busy machine),
        # then kill it at a random moment within the next stretch of work
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None and not list(out.rglob("*_files")):
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 2.5))
        killed_while_running = proc.poll() is None
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert killed_while_running, "the batch finished before the kill; the test proved nothing"

    resumed = subprocess.run(
        _batch_cmd(dataset, out), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    _assert_complete(out, 6)


def test_leftover_temporary_files_are_removed_and_never_trusted(dataset, tmp_path):
    out = tmp_path / "reports"
    jobs = plan_jobs([OK], dataset, ["C01"], [2024], out)
    run_batch(jobs, out, workers=0, progress=False)
    # what a kill in the middle of a write leaves: a hidden temporary file beside the target
    part = out / "ok_report" / "C01" / ".2024.html.x1y2.part"
    part.write_text("<html><body>half a rep")
    assert remove_leftovers(out) == [part] and not part.exists()
    # and a report whose file was cut short is redone, not skipped
    html = out / "ok_report/C01/2024.html"
    html.write_bytes(html.read_bytes()[:50])
    again = run_batch(jobs, out, workers=0, progress=False)
    assert again.done == ["ok_report/C01/2024"]
    assert html.read_text(encoding="utf-8").rstrip().endswith("</html>")


def test_second_batch_on_the_same_folder_is_refused(dataset, tmp_path):
    import subprocess
    import sys

    import pytest

    from toolkit.errors import ToolkitError

    out = tmp_path / "reports"
    # another process holds the folder's lock (in this process the lock is re-entrant, for main)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from toolkit.batch.runner import batch_lock\n"
            f"with batch_lock(__import__('pathlib').Path({str(out)!r})):\n"
            "    print('held', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        jobs = plan_jobs([OK], dataset, ["C01"], [2024], out)
        with pytest.raises(ToolkitError, match="another batch"):
            run_batch(jobs, out, workers=0, progress=False)
    finally:
        holder.communicate("")
