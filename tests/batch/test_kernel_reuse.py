"""Fast mode reuses one kernel; nothing of one notebook may be visible to the next, and its reports
must equal those of a fresh kernel (isolated mode)."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from toolkit.batch.job import parameterize, read_notebook
from toolkit.batch.kernel_pool import NotebookFailed, ReusedKernel
from toolkit.batch.render import normalize_notebook
from toolkit.batch.runner import plan_jobs, run_batch

from .conftest import OK

A = """
import os, matplotlib, matplotlib.pyplot as plt, warnings
secret_a = 42
fig = plt.figure()                      # left open on purpose
matplotlib.rcParams["lines.linewidth"] = 9
os.chdir("/")
warnings.simplefilter("error")
import pandas as pd
pd.set_option("display.max_rows", 3)
pd.set_option("display.precision", 2)
"""

B = """
import os, matplotlib, matplotlib.pyplot as plt, warnings
print(sorted(k for k in globals() if not k.startswith("_") and k not in {"In", "Out", "exit", "quit", "get_ipython", "open"}))
print(plt.get_fignums(), matplotlib.rcParams["lines.linewidth"], os.getcwd() == START_CWD)
warnings.warn("only a warning")         # would raise if A's filter survived
import pandas as pd
print(pd.get_option("display.max_rows"), pd.get_option("display.precision"))
"""


def test_variables_figures_and_settings_do_not_leak(tmp_path):
    kernel = ReusedKernel(cwd=tmp_path, restart_every=0)
    try:
        nb_a = new_notebook(cells=[new_code_cell(A)])
        kernel.execute(nb_a)
        nb_b = new_notebook(cells=[new_code_cell(f"START_CWD = {str(tmp_path)!r}"), new_code_cell(B)])
        kernel.execute(nb_b)
        text = "".join(
            o.get("text", "") for o in nb_b.cells[1].outputs if o.output_type == "stream" and o.name == "stdout"
        )
        names, state, pandas_options = text.strip().splitlines()
        assert names == "['START_CWD', 'matplotlib', 'os', 'plt', 'warnings']"  # no secret_a, no fig, no pd
        default_lw = 1.5
        assert state == f"[] {default_lw} True"
        assert pandas_options == "60 6"  # pandas' defaults, not A's 3 and 2
        assert kernel.starts == 1  # the same kernel served both
        # the kernel's counter restarts too: B's cells are 1 and 2 as in a fresh kernel
        assert [c.execution_count for c in normalize_notebook(nb_b).cells] == [1, 2]
    finally:
        kernel.shutdown()


CYCLE = """
import weakref, sys
class Node:
    pass
node = Node(); node.self = node          # a reference cycle: only the cycle collector frees it
import builtins; builtins._toolkit_test_ref = weakref.ref(node)
"""


def test_reset_collects_a_notebooks_reference_cycles(tmp_path):
    # the reset freezes what survives (gc.freeze) so later collections are cheap; what a notebook
    # leaves behind must still be collected first, or memory would creep report after report
    kernel = ReusedKernel(cwd=tmp_path, restart_every=0)
    try:
        kernel.execute(new_notebook(cells=[new_code_cell(CYCLE)]))
        probe = new_notebook(
            cells=[
                new_code_cell(
                    "import builtins, gc; print(builtins._toolkit_test_ref() is None, gc.get_freeze_count() > 0)"
                )
            ]
        )
        kernel.execute(probe)
        assert probe.cells[0].outputs[0].text == "True True\n"
    finally:
        kernel.shutdown()


def test_failure_restarts_the_kernel_and_keeps_the_outputs(tmp_path):
    kernel = ReusedKernel(cwd=tmp_path, restart_every=0)
    try:
        nb = new_notebook(
            cells=[new_code_cell("print('before')"), new_code_cell("1/0"), new_code_cell("print('never')")]
        )
        with pytest.raises(NotebookFailed, match="ZeroDivisionError") as info:
            kernel.execute(nb)
        assert info.value.nb.cells[0].outputs[0].text == "before\n"
        assert info.value.nb.cells[1].outputs[0].ename == "ZeroDivisionError"
        assert kernel.starts == 2
        ok = new_notebook(cells=[new_code_cell("print('after')")])
        kernel.execute(ok)
        assert ok.cells[0].outputs[0].text == "after\n"
    finally:
        kernel.shutdown()


def _outputs(path):
    nb = nbformat.read(path, as_version=4)
    return [
        (c.get("id"), c.outputs)
        for c in nb.cells
        if c.cell_type == "code" and "injected-parameters" not in c.metadata.get("tags", [])
    ]


def test_fast_mode_reports_equal_isolated_mode(dataset, tmp_path):
    fast_out, iso_out = tmp_path / "fast", tmp_path / "isolated"
    fast = run_batch(
        plan_jobs([OK], dataset, ["C01", "C02"], [2024], fast_out, mode="fast"), fast_out, workers=0, progress=False
    )
    iso = run_batch(
        plan_jobs([OK], dataset, ["C02"], [2024], iso_out, mode="isolated"), iso_out, workers=1, progress=False
    )
    assert fast.done == ["ok_report/C01/2024", "ok_report/C02/2024"] and iso.done == ["ok_report/C02/2024"]
    # C02 ran second in the reused kernel, first (and only) in its fresh kernel: same outputs
    assert _outputs(fast_out / "ok_report/C02/2024.ipynb") == _outputs(iso_out / "ok_report/C02/2024.ipynb")
    assert (fast_out / "ok_report/C02/2024_files/row.csv").read_bytes() == (
        iso_out / "ok_report/C02/2024_files/row.csv"
    ).read_bytes()
    # the mode each report ran in is recorded (the notebook's exec_mode parameter)
    nb = read_notebook(iso_out / "ok_report/C02/2024.ipynb")
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.tags][0]
    assert 'exec_mode = "isolated"' in injected.source and injected.id == "injected-parameters"


def test_parameterize_keeps_a_stable_cell_id():
    nb1 = parameterize(read_notebook(OK), {"county_id": "C01", "year": 2024})
    nb2 = parameterize(read_notebook(OK), {"year": 2024, "county_id": "C01"})
    assert nbformat.writes(nb1) == nbformat.writes(nb2)


def test_kernel_side_seconds_are_measured_inside_the_host_side_seconds(tmp_path):
    # the batch benchmark counts a notebook's own work from the kernel's reply timestamps; the
    # host-side time (send to reply) must contain it: a 0.3 s sleep is at least 0.3 s on both
    kernel = ReusedKernel(cwd=tmp_path, restart_every=0)
    try:
        _, host_seconds = kernel.execute(new_notebook(cells=[new_code_cell("import time; time.sleep(0.3)")]))
        assert 0.3 <= kernel.last_kernel_seconds <= host_seconds
    finally:
        kernel.shutdown()
