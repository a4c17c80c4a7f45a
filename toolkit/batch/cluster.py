"""Run a batch on an existing Dask distributed cluster (``--scheduler tcp://host:8786``).

For provinces that outgrow one machine. Each report is one task running
:func:`toolkit.batch.job.execute_job` on a worker; the workers must see the same dataset,
``params/`` and output folder at the same paths (a shared file system) and have the toolkit
installed. In fast mode each worker process keeps its own reused kernel, as local workers do.
This process stays the only writer of the manifest and the index.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from toolkit.batch.job import Job, execute_job
from toolkit.errors import ToolkitError


def _run_on_worker(job: Job, restart_every: int | None) -> dict:
    import os

    os.environ.setdefault("MPLBACKEND", "Agg")
    return execute_job(job, restart_every)


def run_on_dask(
    jobs: Sequence[Job],
    address: str,
    on_result: Callable[[Job, dict], None],
    restart_every: int | None = None,
    connect_timeout: float = 10,
) -> None:
    """Submit every job to the scheduler at ``address``; call ``on_result`` as each finishes."""
    try:
        from distributed import Client, as_completed
    except ModuleNotFoundError as exc:
        if exc.name != "distributed":
            raise
        raise ToolkitError(
            "--scheduler needs Dask's distributed package — expected it installed: "
            "pip install 'county-health-toolkit[cluster]' (scripts/bootstrap.sh installs it)"
        ) from None
    try:
        client = Client(address, timeout=connect_timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ToolkitError(
            f"--scheduler {address!r}: cannot reach the Dask scheduler ({exc}) — expected a running scheduler address such as tcp://host:8786"
        ) from None
    try:
        futures = []
        for job in jobs:
            # pure=False and a fresh key each run: a rerun must run again, not reuse a remembered result
            futures.append(client.submit(_run_on_worker, job, restart_every, pure=False))
        job_of = {fut.key: job for fut, job in zip(futures, jobs)}
        for fut in as_completed(futures, loop=client.loop):
            job = job_of[fut.key]
            try:
                entry = fut.result()
            except Exception as exc:  # the worker died or the task could not run there
                entry = {"status": "failed", "error": f"Dask task failed: {type(exc).__name__}: {exc}", "outputs": {}}
            on_result(job, entry)
    finally:
        client.close()
