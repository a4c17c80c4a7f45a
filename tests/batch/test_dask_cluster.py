"""--scheduler: the same batch submitted to a Dask cluster (a LocalCluster on loopback here)."""

import distributed
import pytest

from toolkit.batch.runner import plan_jobs, run_batch
from toolkit.errors import ToolkitError

from .conftest import FAILING, OK


def test_batch_on_a_local_dask_cluster(dataset, tmp_path):
    out = tmp_path / "reports"
    jobs = plan_jobs([OK, FAILING], dataset, ["C02"], [2024], out)
    with distributed.LocalCluster(
        n_workers=1, processes=True, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        result = run_batch(jobs, out, scheduler=cluster.scheduler_address, progress=False)
        assert result.done == ["ok_report/C02/2024"]
        assert result.failed == ["failing_report/C02/2024"]
        assert "population 210" in (out / "ok_report/C02/2024.html").read_text(encoding="utf-8")
        assert (out / "failing_report/C02/2024.failed.ipynb").exists()
        # rerun through the cluster: unchanged work is skipped before anything is submitted
        again = run_batch(jobs[:1], out, scheduler=cluster.scheduler_address, progress=False)
        assert again.skipped == ["ok_report/C02/2024"]
    assert 'href="ok_report/C02/2024.html"' in (out / "index.html").read_text(encoding="utf-8")


def test_unreachable_scheduler_is_a_user_error(dataset, tmp_path):
    out = tmp_path / "reports"
    jobs = plan_jobs([OK], dataset, ["C01"], [2024], out)
    with pytest.raises(ToolkitError, match="Dask scheduler"):
        run_batch(jobs, out, scheduler="tcp://127.0.0.1:1", progress=False)
