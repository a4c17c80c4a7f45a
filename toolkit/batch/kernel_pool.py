"""Run notebooks in a kernel: one reused kernel per worker process (fast) or a fresh one each (isolated).

Measured on 2 cores (benchmarks/bench_batch.py): a fresh kernel per notebook costs ≈2.1 s (start 0.6 s, imports
0.8–1.0 s) where a county report's own work is ≈0.07 s. :class:`ReusedKernel` starts the kernel
once, warms it up (imports), and between notebooks wipes it back to that state
(:mod:`toolkit.batch.kernel_side`). It restarts the kernel after any failure (a half-run notebook
may have left anything behind) and every ``restart_every`` notebooks. The kernel talks over IPC
sockets in a private temporary folder, so two workers can never clash on a TCP port; a start that
fails anyway is retried.

Isolated mode (:func:`execute_isolated`) is papermill with a fresh kernel per notebook: slower,
but nothing can leak from one report into the next. Each report's provenance records the mode.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from toolkit.batch.kernel_side import RESET_CODE, warm_up_code
from toolkit.paths import PROJECT_ROOT

KERNEL_NAME = "python3"
#: wait long for a cell's last outputs (figures) on a busy machine, and fail rather than drop them:
#: nbclient's default gives up after 4 s and silently leaves the output out of the report
IOPUB = {"iopub_timeout": 120, "raise_on_iopub_timeout": True}
START_ATTEMPTS = 3
#: fresh kernel after this many notebooks. A restart costs ≈6 s (start, imports, the first report's
#: caches); measured kernel memory over 40 county reports grew 335 → 359 MiB and levelled off, so
#: restarts are a safety net, not a need (benchmarks/bench_batch.py: 50 cost ≈0.1 s a report).
DEFAULT_RESTART_EVERY = 200


def _libc_prctl():
    """``prctl`` of the C library, looked up once here (never in a freshly forked child), or None."""
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _libc_prctl() if sys.platform.startswith("linux") else None
PR_SET_PDEATHSIG = 1


def _die_with(parent: int) -> None:
    """In the forked kernel, before it runs: SIGKILL when its worker dies (PR_SET_PDEATHSIG).

    jupyter_client starts kernels in a session of their own, so a signal to the batch's process
    group never reaches them, and ipykernel's own parent poller notices a dead parent only up to a
    second later — long enough to write into the output folder. The death signal is immediate; a
    worker that died between the fork and this call is caught by the parent check.
    """
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def _kernel_manager_class():
    """``AsyncKernelManager`` whose kernels die with the process that started them (Linux)."""
    from jupyter_client.manager import AsyncKernelManager

    class DyingWithParentKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kw):
            if _PRCTL is not None:
                kw.setdefault("preexec_fn", functools.partial(_die_with, os.getpid()))
            return await super().start_kernel(**kw)

    return DyingWithParentKernelManager


class NotebookFailed(Exception):
    """A notebook raised, timed out or killed its kernel; ``nb`` holds the outputs up to the error."""

    def __init__(self, message: str, nb: nbformat.NotebookNode):
        super().__init__(message)
        self.nb = nb


def kernel_env() -> dict[str, str]:
    """The environment every batch kernel gets (both modes, so their reports agree).

    Figures render inline (the team exports MPLBACKEND=Agg for scripts, which would leave the
    reports without figures); string hashing is fixed so set/dict order cannot differ between
    runs; the toolkit is importable whatever the working directory.
    """
    env = dict(os.environ)
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONPATH"] = os.pathsep.join(
        [str(PROJECT_ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    )
    env.pop("JPY_PARENT_PID", None)
    return env


def _error_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    # nbclient's CellExecutionError ends with "ErrorName: message"; keep that line only
    lines = [ln for ln in text if ln.strip()]
    return lines[-1] if lines else type(exc).__name__


class ReusedKernel:
    """One kernel kept alive across notebooks (see module docstring)."""

    def __init__(
        self,
        cwd: str | os.PathLike | None = None,
        restart_every: int = DEFAULT_RESTART_EVERY,
        warm_modules: list[str] | None = None,
        startup_timeout: float = 60,
    ):
        self.cwd = str(cwd or PROJECT_ROOT)
        self.restart_every = restart_every
        self.warm_modules = warm_modules
        self.startup_timeout = startup_timeout
        self.client = None
        self.runs_since_start = 0
        self.starts = 0
        self._sock_dir: str | None = None
        #: seconds the kernel itself spent on the last notebook's cells (see _kernel_side_seconds)
        self.last_kernel_seconds = 0.0

    # -- lifecycle -----------------------------------------------------------------------
    def _start_once(self) -> None:
        from nbclient import NotebookClient

        self._sock_dir = tempfile.mkdtemp(prefix="toolkit-kernel-")
        km = _kernel_manager_class()(kernel_name=KERNEL_NAME, transport="ipc", ip=os.path.join(self._sock_dir, "k"))
        warm = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(warm_up_code(self.warm_modules))])
        client = NotebookClient(
            warm,
            km=km,
            timeout=600,
            startup_timeout=self.startup_timeout,
            record_timing=False,
            **IOPUB,
            resources={"metadata": {"path": self.cwd}},
            kernel_name=KERNEL_NAME,
        )
        self.client = client
        client.execute(cleanup_kc=False, env=kernel_env())

    def start(self) -> None:
        last: BaseException | None = None
        for attempt in range(START_ATTEMPTS):
            try:
                self._start_once()
                self.starts += 1
                self.runs_since_start = 0
                return
            except Exception as exc:  # port/socket clash, slow start: clean up and try again
                last = exc
                self.shutdown()
                time.sleep(0.5 * (attempt + 1))
        raise RuntimeError(f"could not start a kernel after {START_ATTEMPTS} attempts: {last}") from last

    def shutdown(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            try:
                # nbclient's one private call here: it has no public way to stop a kernel started with
                # execute(cleanup_kc=False) (kept alive across notebooks); _cleanup_kernel is what its
                # own setup_kernel() runs on exit (nbclient 0.10–0.11, pinned in requirements.lock)
                client._cleanup_kernel()  # stops the client's channels and the kernel
            except Exception:
                pass
        if self._sock_dir:
            shutil.rmtree(self._sock_dir, ignore_errors=True)
            self._sock_dir = None

    def restart(self) -> None:
        self.shutdown()
        self.start()

    # -- running -------------------------------------------------------------------------
    def _reset(self) -> None:
        reset_nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(RESET_CODE)])
        self.client.nb = reset_nb
        self.client.execute(cleanup_kc=False)
        if reset_nb.cells[0].get("outputs"):
            raise RuntimeError(f"kernel reset failed: {reset_nb.cells[0].outputs}")

    def execute(self, nb: nbformat.NotebookNode, timeout: float | None = 600) -> tuple[nbformat.NotebookNode, float]:
        """Run ``nb`` (already parameterized) in the reused kernel; return it and its cells' seconds.

        Raises :class:`NotebookFailed` (kernel restarted before returning) on any failure.
        """
        from nbclient.exceptions import CellExecutionError

        if self.client is None:
            self.start()
        elif self.restart_every and self.runs_since_start >= self.restart_every:
            self.restart()
        client = self.client
        cell_seconds = [0.0]
        started: list[float] = []
        self.last_kernel_seconds = 0.0

        def cell_executed(execute_reply=None, **_):
            cell_seconds[0] += time.perf_counter() - started[-1]
            self.last_kernel_seconds += _kernel_side_seconds(execute_reply)

        client.on_cell_execute = lambda **_: started.append(time.perf_counter())
        client.on_cell_executed = cell_executed
        client.nb = nb
        client.timeout = timeout
        self.runs_since_start += 1
        try:
            client.execute(cleanup_kc=False)
        except CellExecutionError as exc:
            self._after_failure()
            raise NotebookFailed(_error_line(exc), nb) from None
        except Exception as exc:  # timeout, dead kernel
            self._after_failure()
            raise NotebookFailed(f"{type(exc).__name__}: {_error_line(exc)}", nb) from None
        finally:
            client.on_cell_execute = None
            client.on_cell_executed = None
        try:
            self._reset()
        except Exception:
            self.restart()
        return nb, cell_seconds[0]

    def _after_failure(self) -> None:
        try:
            self.restart()
        except RuntimeError:
            self.shutdown()  # the next execute() tries again


def _kernel_side_seconds(reply: dict | None) -> float:
    """How long the kernel itself spent on a cell: its reply's time minus the ``started`` it reports.

    The host-side time of a cell also holds the messaging; the batch benchmark (benchmarks/bench_batch.py) counts
    that as overhead, so it needs the kernel's own figure.
    """
    from datetime import datetime

    def when(stamp) -> datetime:  # jupyter_client parses header dates; metadata stays ISO text
        return stamp if isinstance(stamp, datetime) else datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))

    try:
        return max(0.0, (when(reply["header"]["date"]) - when(reply["metadata"]["started"])).total_seconds())
    except (KeyError, TypeError, ValueError):
        return 0.0


_process_kernel: ReusedKernel | None = None


def process_kernel(restart_every: int | None = None) -> ReusedKernel:
    """This worker process's kernel (created on first use, shut down when the process exits).

    ``restart_every``: None = :data:`DEFAULT_RESTART_EVERY`; 0 = only after a failure.
    """
    global _process_kernel
    if _process_kernel is None:
        import atexit

        _process_kernel = ReusedKernel(restart_every=DEFAULT_RESTART_EVERY if restart_every is None else restart_every)
        atexit.register(_process_kernel.shutdown)
    return _process_kernel


def execute_isolated(
    nb: nbformat.NotebookNode, cwd: str | os.PathLike | None = None, timeout: float | None = 600
) -> tuple[nbformat.NotebookNode, float]:
    """Run ``nb`` (already parameterized) with papermill in a fresh kernel."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    old_env = dict(os.environ)
    os.environ.update(kernel_env())  # papermill starts its kernel with this process's environment
    tmp = tempfile.mkdtemp(prefix="toolkit-papermill-")
    out = Path(tmp) / "out.ipynb"
    t0 = time.perf_counter()
    try:
        try:
            papermill.execute_notebook(
                nb,
                str(out),
                parameters=None,
                kernel_name=KERNEL_NAME,
                cwd=str(cwd or PROJECT_ROOT),
                progress_bar=False,
                log_output=False,
                execution_timeout=timeout,
                request_save_on_cell_execute=False,
                kernel_manager_class=_kernel_manager_class(),  # the kernel dies with this worker
                **IOPUB,
            )
        except PapermillExecutionError as exc:
            failed = nbformat.read(out, as_version=4) if out.exists() else nb
            raise NotebookFailed(f"{exc.ename}: {exc.evalue}", failed) from None
        except Exception as exc:
            failed = nbformat.read(out, as_version=4) if out.exists() else nb
            raise NotebookFailed(f"{type(exc).__name__}: {_error_line(exc)}", failed) from None
        return nbformat.read(out, as_version=4), time.perf_counter() - t0
    finally:
        os.environ.clear()
        os.environ.update(old_env)
        shutil.rmtree(tmp, ignore_errors=True)
