"""Batch workers die with their parent: after SIGKILL of the batch no worker writes anything."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from toolkit.paths import PROJECT_ROOT

PARENT = """
import os, sys, time
from toolkit.batch.runner import worker_pool
from tests.hostile.slow_writer import write_later
pool = worker_pool(2)
pids = {pool.submit(os.getpid).result() for _ in range(4)}
pool.submit(write_later, sys.argv[1], 4.0)
pool.submit(write_later, sys.argv[1] + ".2", 4.0)
print(" ".join(map(str, sorted(pids))), flush=True)
time.sleep(60)
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text().split("State:")[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"  # a zombie has died and waits only to be reaped


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux's")
def test_sigkill_of_the_batch_kills_its_workers_before_they_write(tmp_path):
    target = tmp_path / "late.txt"
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(target)], stdout=subprocess.PIPE, text=True, env=env, cwd=PROJECT_ROOT
    )
    workers = [int(p) for p in parent.stdout.readline().split()]
    assert workers and all(_alive(p) for p in workers)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    time.sleep(6)  # longer than the tasks' 4 s
    assert not target.exists() and not Path(str(target) + ".2").exists()
    assert not [p for p in workers if _alive(p)]


KERNEL_PARENT = """
import os, sys, time
from toolkit.batch.runner import worker_pool
from tests.hostile.slow_writer import kernel_heartbeat
pool = worker_pool(1)
print(pool.submit(os.getpid).result(), flush=True)
pool.submit(kernel_heartbeat, sys.argv[1], sys.argv[2], sys.argv[3] == "isolated")
time.sleep(120)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux's")
@pytest.mark.parametrize("mode", ["fast", "isolated"])
def test_sigkill_of_the_batch_kills_the_notebook_kernels_at_once(tmp_path, mode):
    """Kernels are grandchildren of the batch, in their own session (jupyter_client): they must die
    with their worker at once, not a poll interval later while still writing into the output."""
    pidfile, beat = tmp_path / "kernel.pid", tmp_path / "beat.txt"
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    parent = subprocess.Popen(
        [sys.executable, "-c", KERNEL_PARENT, str(pidfile), str(beat), mode],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
    )
    try:
        worker = int(parent.stdout.readline())
        deadline = time.monotonic() + 120
        while not (beat.exists() and pidfile.exists() and pidfile.read_text()) and time.monotonic() < deadline:
            time.sleep(0.1)
        kernel = int(pidfile.read_text())
        assert _alive(worker) and _alive(kernel)
    except BaseException:
        parent.kill()
        raise
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    time.sleep(0.3)
    survivors = [p for p in (worker, kernel) if _alive(p)]
    for p in survivors:  # do not leave them running whatever the outcome
        os.kill(p, signal.SIGKILL)
    assert survivors == []
    last = beat.read_text()
    time.sleep(1.5)
    assert beat.read_text() == last  # nothing written after the batch died
