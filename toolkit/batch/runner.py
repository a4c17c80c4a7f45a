"""The batch runner: every (notebook, county, year) report, in parallel, skipping unchanged work.

``plan_jobs`` turns notebooks × counties × years into :class:`~toolkit.batch.job.Job` s with
their input keys; ``run_batch`` runs what changed on a local process pool (default), in this
process (``workers=0``), or on a Dask cluster (``scheduler=``); records each finished report in
the manifest; writes ``<out>/index.html``; and returns a :class:`BatchResult`. A failing notebook
never stops the batch.

Crash safety: one batch at a time per output folder (a lock file); leftovers of a killed batch
(``*.part`` temporary files) are removed on start; every file is written through a temporary name
and renamed; the manifest lists only reports whose files are all in place. Rerunning a killed
batch therefore finishes it, redoing only what was not recorded.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.batch import cache
from toolkit.batch.job import MODES, Job, declared_parameters, execute_job
from toolkit.errors import ToolkitError
from toolkit.paths import NOTEBOOKS_DIR, PARAMS_DIR

LOCK_NAME = ".batch.lock"
#: what each report's provenance records as its execution mode (toolkit.report.provenance)
EXEC_MODE_LABELS = {"fast": "reused-kernel", "isolated": "isolated"}


# -- planning ------------------------------------------------------------------------------
def resolve_notebook(name: str | os.PathLike) -> Path:
    """A notebook name ("county_annual_report") or path → the .ipynb file; ToolkitError if absent."""
    p = Path(name)
    candidates = [p] if p.suffix == ".ipynb" else [p.with_suffix(".ipynb"), NOTEBOOKS_DIR / f"{p.name}.ipynb"]
    for c in candidates:
        if c.is_file():
            return c.resolve()
    raise ToolkitError(f"notebook {str(name)!r} not found — expected one of: {', '.join(str(c) for c in candidates)}")


def parse_counties(text: str, available: Sequence[str] = ()) -> list[str]:
    """ "all" or "C01,C02" → sorted distinct county ids (checked against the dataset when it lists them)."""
    text = str(text).strip()
    if text == "all":
        if not available:
            raise ToolkitError("--counties all: the dataset lists no counties — give them explicitly, e.g. C01,C02")
        return sorted(set(available))
    counties = sorted({c.strip() for c in text.split(",") if c.strip()})
    if not counties:
        raise ToolkitError("--counties: no county given — expected all or e.g. C01,C02")
    unknown = [c for c in counties if available and c not in set(available)]
    if unknown:
        raise ToolkitError(
            f"--counties: {', '.join(unknown)} not in the dataset — expected some of {', '.join(sorted(set(available))[:12])}…"
        )
    return counties


def dataset_counties_years(data_dir: str | os.PathLike) -> tuple[list[str], list[int]]:
    """The county ids and years of a dataset's validated ``county_year`` table."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise ToolkitError(
            f"dataset folder {str(data_dir)!r} does not exist — expected a folder of tables (see docs/data_contract.md)"
        )
    from toolkit.data.load import load_dataset

    table = load_dataset(data_dir).tables.get("county_year")
    if table is None or table.empty:
        return [], []
    return sorted(set(table["county_id"].astype(str))), sorted(set(int(y) for y in table["year"]))


def plan_jobs(
    notebooks: Iterable[str | os.PathLike],
    data_dir: str | os.PathLike,
    counties: Sequence[str],
    years: Sequence[int],
    out_dir: str | os.PathLike = "reports",
    *,
    mode: str = "fast",
    params_dir: str | os.PathLike | None = None,
    extra: dict | None = None,
    timeout: float | None = 600,
) -> list[Job]:
    """Every report to make, in a stable order, each with the digest of all its inputs.

    A notebook is run once per county if it declares ``county_id`` and once per year if it declares
    ``year``; it only receives the parameters it declares (``data_dir``, ``params_dir``,
    ``output_dir``, ``exec_mode`` and ``extra`` such as ``lang`` or ``suppress_threshold``).
    """
    if mode not in MODES:
        raise ToolkitError(f"--mode {mode!r} — expected one of {', '.join(MODES)}")
    out_dir = Path(out_dir).resolve()
    data_dir = Path(data_dir).resolve()
    params_dir = Path(params_dir).resolve() if params_dir else PARAMS_DIR
    shared = {
        "data": cache.tree_digest(data_dir),
        "params_files": cache.tree_digest(params_dir),
        "toolkit": cache.toolkit_digest(),
    }
    jobs = []
    for name in notebooks:
        path = resolve_notebook(name)
        declared = declared_parameters(path)
        nb_digest = cache.file_sha256(path)
        county_axis = list(counties) if "county_id" in declared else [None]
        year_axis = list(years) if "year" in declared else [None]
        for county in county_axis:
            for year in year_axis:
                parts = [
                    path.stem,
                    county if county is not None else "province",
                    str(year) if year is not None else "all",
                ]
                report_id = "/".join(parts)
                stem = out_dir / report_id
                values = {
                    "data_dir": str(data_dir),
                    "params_dir": str(params_dir),
                    "output_dir": str(stem.with_name(stem.name + "_files")),
                    "exec_mode": EXEC_MODE_LABELS[mode],
                    "county_id": county,
                    "year": year,
                    **(extra or {}),
                }
                params = {k: v for k, v in sorted(values.items()) if k in declared and v is not None}
                key = cache.input_key({**shared, "notebook": nb_digest, "parameters": params})
                jobs.append(Job(report_id, path.stem, str(path), params, str(out_dir), mode, timeout, key))
    ids = [j.report_id for j in jobs]
    if len(set(ids)) != len(ids):
        raise ToolkitError("two notebooks would write the same report names — give each notebook a distinct file name")
    return jobs


# -- running -------------------------------------------------------------------------------
@dataclass
class BatchResult:
    out_dir: Path
    entries: dict[str, dict] = field(default_factory=dict)  # report_id -> entry with "outcome"
    wall_seconds: float = 0.0

    def ids(self, outcome: str) -> list[str]:
        return sorted(k for k, e in self.entries.items() if e["outcome"] == outcome)

    @property
    def done(self) -> list[str]:
        return self.ids("done")

    @property
    def skipped(self) -> list[str]:
        return self.ids("skipped")

    @property
    def failed(self) -> list[str]:
        return self.ids("failed")

    @property
    def exit_status(self) -> int:
        return 1 if self.failed else 0


def batch_lock(out_dir: Path):
    """One batch at a time per output folder; a second one is a user error, not a corruption.

    The lock of :func:`toolkit.io.output_lock`, re-entrant: ``main`` takes it before its first
    write and holds it through settle, indicators and this batch.
    """
    from toolkit.io import output_lock

    return output_lock(out_dir, what="another batch")


def remove_leftovers(out_dir: Path) -> list[Path]:
    """Delete temporary files a killed batch left behind (``.name.XXXX.part``)."""
    removed = []
    for p in sorted(out_dir.rglob("*.part")):
        if p.is_file() and p.name.startswith("."):
            p.unlink()
            removed.append(p)
    return removed


def _set_parent_death_signal(parent: int | None = None) -> None:
    """Worker processes die with the batch (Linux), so a killed batch leaves no orphan writing reports.

    SIGKILL, not SIGTERM: a library in the worker (a kernel client, an event loop) may handle
    SIGTERM and finish the report it is on. The signal only covers a parent that dies *after* the
    call; a worker still starting when the batch was killed has already been re-parented, which
    ``parent`` (the batch's pid) detects.
    """
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if parent is not None and os.getppid() != parent:
        os._exit(1)  # the batch died while this worker started


def _init_worker(parent: int | None = None) -> None:
    _set_parent_death_signal(parent)
    os.environ.setdefault("MPLBACKEND", "Agg")


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """The batch's process pool: spawned workers that die with this process."""
    # spawn: the workers start clean (no copied zmq sockets or event loops from this process)
    ctx = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(os.getpid(),))


def _run_local(
    jobs: list[Job], workers: int, on_result: Callable[[Job, dict], None], restart_every: int | None
) -> None:
    if workers <= 0:
        for job in jobs:
            on_result(job, execute_job(job, restart_every))
        return
    pool = worker_pool(min(workers, len(jobs)))
    try:
        futures = {pool.submit(execute_job, job, restart_every): job for job in jobs}
        for fut in as_completed(futures):
            job = futures[fut]
            try:
                entry = fut.result()
            except BrokenProcessPool as exc:
                entry = {"status": "failed", "error": f"worker process died: {exc}", "outputs": {}}
            on_result(job, entry)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def run_batch(
    jobs: Sequence[Job],
    out_dir: str | os.PathLike,
    *,
    workers: int = 2,
    scheduler: str | None = None,
    force: bool = False,
    progress: bool = True,
    restart_every: int | None = None,
    write_index_page: bool = True,
) -> BatchResult:
    """Run every job whose inputs or outputs changed; see the module docstring."""
    out_dir = Path(out_dir).resolve()
    t0 = time.perf_counter()
    result = BatchResult(out_dir)
    with batch_lock(out_dir):
        remove_leftovers(out_dir)
        manifest = cache.Manifest.load(out_dir)
        todo = []
        for job in jobs:
            if not force and manifest.is_fresh(job.report_id, job.input_key):
                result.entries[job.report_id] = {**manifest.entries[job.report_id], "outcome": "skipped"}
            else:
                todo.append(job)

        bar = _progress_bar(len(jobs), progress)
        bar.update(len(jobs) - len(todo))

        def on_result(job: Job, entry: dict) -> None:
            entry = {
                "notebook": job.notebook,
                "parameters": job.parameters,
                "input_key": job.input_key,
                "mode": job.mode,
                **entry,
            }
            manifest.record(job.report_id, {k: v for k, v in entry.items() if k != "outcome"})
            manifest.save()  # after the files: the manifest never lists a report that is not complete
            result.entries[job.report_id] = {**entry, "outcome": "done" if entry["status"] == "ok" else "failed"}
            bar.update(1)
            if entry["status"] != "ok":
                bar.write(f"failed: {job.report_id}: {entry.get('error')}", file=sys.stderr)

        try:
            if todo and scheduler:
                from toolkit.batch.cluster import run_on_dask

                run_on_dask(todo, scheduler, on_result, restart_every)
            elif todo:
                _run_local(todo, workers, on_result, restart_every)
        finally:
            bar.close()
            if write_index_page:
                from toolkit.batch.index import write_index

                write_index(out_dir, manifest)
    result.wall_seconds = time.perf_counter() - t0
    return result


def _progress_bar(total: int, enabled: bool):
    from tqdm import tqdm

    # disable=None: shown on a terminal, silent in CI logs and pipes
    return tqdm(
        total=total,
        unit="report",
        file=sys.stderr,
        disable=None if enabled else True,
        desc="reports 报告",
        dynamic_ncols=True,
    )


def format_summary(result: BatchResult) -> str:
    """The end-of-batch summary (bilingual): counts, then every failure with its error's last line."""
    n = len(result.entries)
    lines = [
        f"batch 批处理: {n} report{'s' if n != 1 else ''} — {len(result.done)} done 完成, "
        f"{len(result.skipped)} skipped (unchanged) 跳过(未变), {len(result.failed)} failed 失败 "
        f"in {result.wall_seconds:.1f} s"
    ]
    if result.failed:
        lines.append("failed 失败:")
        width = max(len(r) for r in result.failed)
        for rid in result.failed:
            err = (result.entries[rid].get("error") or "").splitlines()
            lines.append(f"  {rid:<{width}}  {err[-1] if err else 'unknown error'}")
            lines.append(f"  {'':<{width}}  → {result.out_dir / (rid + '.failed.ipynb')}")
    lines.append(f"index 索引: {result.out_dir / 'index.html'}")
    return "\n".join(lines)
