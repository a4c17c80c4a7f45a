"""One report of a batch: which notebook, with which parameters, written where — and running it.

:func:`execute_job` is what a worker runs (a local process, or a Dask worker on another machine
that sees the same folders). It writes, each through a temporary name and a rename
(:mod:`toolkit.io`), so a kill at any moment leaves only complete files:

* ``<out>/<notebook>/<county>/<year>.ipynb`` — the executed notebook, outputs kept;
* ``<out>/<notebook>/<county>/<year>.html`` — the report, code hidden, self-contained: its CJK
  font, figures and print rules are inside the page (:mod:`toolkit.report.webfont`);
* ``<out>/<notebook>/<county>/<year>_files/`` — side files (Excel, CSV, figures) the notebook
  writes into its ``output_dir`` parameter (cleared before each run, so nothing stale survives);
* on failure only ``<year>.failed.ipynb`` (outputs up to and including the error); the report's
  previous HTML and notebook are removed so no stale report looks current.

The batch's manifest is written by the coordinating process only, after a job's files are in
place (:mod:`toolkit.batch.runner`).
"""

from __future__ import annotations

import os
import shutil
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from toolkit.batch.render import INJECTED_CELL_ID, error_summary, normalize_notebook, notebook_bytes, notebook_to_html
from toolkit.io import write_bytes, write_text

MODES = ("fast", "isolated")


@dataclass(frozen=True)
class Job:
    """One (notebook, parameters) combination of a batch."""

    report_id: str  # "county_annual_report/C01/2024": also the output path stem under out_dir
    notebook: str  # notebook name (file stem)
    notebook_path: str
    parameters: dict = field(hash=False)
    out_dir: str = "reports"
    mode: str = "fast"
    timeout: float | None = 600
    input_key: str = ""

    @property
    def stem(self) -> Path:
        return Path(self.out_dir) / self.report_id

    @property
    def html_path(self) -> Path:
        return self.stem.with_name(self.stem.name + ".html")

    @property
    def ipynb_path(self) -> Path:
        return self.stem.with_name(self.stem.name + ".ipynb")

    @property
    def failed_path(self) -> Path:
        return self.stem.with_name(self.stem.name + ".failed.ipynb")

    @property
    def files_dir(self) -> Path:
        return self.stem.with_name(self.stem.name + "_files")


def read_notebook(path: str | os.PathLike) -> nbformat.NotebookNode:
    """Read a notebook as papermill expects it (every cell has a ``tags`` list)."""
    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        cell.metadata.setdefault("tags", [])
    return nb


def parameterize(nb: nbformat.NotebookNode, parameters: dict) -> nbformat.NotebookNode:
    """papermill's parameter injection (a cell after the ``parameters`` cell), with a stable cell id."""
    from papermill.parameterize import parameterize_notebook

    nb.metadata.setdefault("papermill", {})
    nb = parameterize_notebook(nb, dict(sorted(parameters.items())), kernel_name="python3", language="python")
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            if nb.nbformat_minor >= 5:
                cell["id"] = INJECTED_CELL_ID
            else:
                cell.pop("id", None)
    return nb


def declared_parameters(notebook_path: str | os.PathLike) -> dict[str, str]:
    """Names (and default source text) of the parameters a notebook declares in its ``parameters`` cell."""
    from papermill.inspection import inspect_notebook

    return {name: p["default"] for name, p in inspect_notebook(str(notebook_path)).items()}


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists():
        path.unlink()


def execute_job(job: Job, restart_every: int | None = None) -> dict:
    """Run one report and write its files; return a manifest entry (never raises for a notebook error)."""
    from toolkit.batch.cache import hash_outputs
    from toolkit.batch.kernel_pool import NotebookFailed, execute_isolated, process_kernel

    t0 = time.perf_counter()
    out_dir = Path(job.out_dir)
    entry = {"notebook": job.notebook, "parameters": job.parameters, "input_key": job.input_key, "mode": job.mode}
    try:
        nb = parameterize(read_notebook(job.notebook_path), job.parameters)
        _remove(job.files_dir)
        job.files_dir.mkdir(parents=True, exist_ok=True)
        try:
            if job.mode == "isolated":
                nb, cell_seconds = execute_isolated(nb, cwd=Path(job.notebook_path).parent, timeout=job.timeout)
                kernel_seconds = None  # papermill reports no kernel-side timing
            else:
                kernel = process_kernel(restart_every)
                nb, cell_seconds = kernel.execute(nb, timeout=job.timeout)
                kernel_seconds = kernel.last_kernel_seconds
        except NotebookFailed as failure:
            failed_nb = normalize_notebook(failure.nb)
            for stale in (job.html_path, job.ipynb_path, job.files_dir):
                _remove(stale)
            write_bytes(job.failed_path, notebook_bytes(failed_nb))
            error = error_summary(failed_nb) or str(failure)
            entry.update(status="failed", error=error, outputs=hash_outputs(out_dir, [job.failed_path]))
            return entry
        nb = normalize_notebook(nb)
        write_bytes(job.ipynb_path, notebook_bytes(nb))
        html = notebook_to_html(nb, title=job.report_id, lang=str(job.parameters.get("lang") or "zh"))
        write_text(job.html_path, html)
        _remove(job.failed_path)
        if job.files_dir.is_dir() and not any(job.files_dir.iterdir()):
            job.files_dir.rmdir()
        entry.update(
            status="ok",
            error=None,
            cell_seconds=round(cell_seconds, 4),
            **({"kernel_seconds": round(kernel_seconds, 4)} if kernel_seconds is not None else {}),
            outputs=hash_outputs(out_dir, [job.ipynb_path, job.html_path, job.files_dir]),
        )
    except Exception as exc:  # a broken notebook file or a toolkit bug: report it, keep the batch going
        lines = traceback.format_exception_only(type(exc), exc)
        entry.update(status="failed", error=lines[-1].strip() if lines else type(exc).__name__, outputs={})
    finally:
        entry["seconds"] = round(time.perf_counter() - t0, 4)
    return entry
