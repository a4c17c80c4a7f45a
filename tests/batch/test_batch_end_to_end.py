"""A small batch end to end: one failing combination, the summary, exit status, skip-on-rerun, index."""

import json
import os
import subprocess
import sys

import nbformat

from toolkit.batch import cache
from toolkit.batch.runner import format_summary, plan_jobs, run_batch
from toolkit.paths import PROJECT_ROOT

from .conftest import FAILING, OK


def _mtimes(root):
    return {p: p.stat().st_mtime_ns for p in sorted(root.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def test_batch_runs_everything_keeps_failures_and_skips_unchanged(dataset, tmp_path):
    out = tmp_path / "reports"
    jobs = plan_jobs([OK, FAILING], dataset, ["C01", "C02"], [2023], out)
    assert [j.report_id for j in jobs] == [
        "ok_report/C01/2023",
        "ok_report/C02/2023",
        "failing_report/C01/2023",
        "failing_report/C02/2023",
    ]
    first = run_batch(jobs, out, workers=2, progress=False)

    # the failure (failing_report, C02) did not stop the others; it is kept with its error
    assert first.done == ["failing_report/C01/2023", "ok_report/C01/2023", "ok_report/C02/2023"]
    assert first.failed == ["failing_report/C02/2023"]
    assert first.exit_status == 1
    failed_nb = nbformat.read(out / "failing_report/C02/2023.failed.ipynb", as_version=4)
    errors = [o for c in failed_nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors and errors[0].evalue == "fixture failure for county C02"
    assert not (out / "failing_report/C02/2023.html").exists()

    summary = format_summary(first)
    assert "3 done" in summary and "1 failed" in summary and "0 skipped" in summary
    assert "failing_report/C02/2023  ValueError: fixture failure for county C02" in summary

    # every report: complete HTML with the notebook's printed result, code hidden; side files written
    html = (out / "ok_report/C02/2023.html").read_text(encoding="utf-8")
    assert html.rstrip().endswith("</html>")
    assert "county C02 year 2023: population 200" in html
    assert "pd.read_csv" not in html  # input cells are excluded
    header, row = (out / "ok_report/C02/2023_files/row.csv").read_text(encoding="utf-8").splitlines()[:2]
    written = dict(zip(header.split(","), row.split(",")))  # the county's row of county_year, as the notebook wrote it
    assert (written["county_id"], written["year"], written["population"]) == ("C02", "2023", "200")

    # the index links every report and highlights the failure
    index = (out / "index.html").read_text(encoding="utf-8")
    for rid in ["ok_report/C01/2023", "ok_report/C02/2023", "failing_report/C01/2023"]:
        assert f'href="{rid}.html"' in index
    assert 'class="failed"' in index and 'href="failing_report/C02/2023.failed.ipynb"' in index
    assert "ValueError: fixture failure for county C02" in index

    # rerun with the same inputs: completed reports are skipped (nothing rewritten); the failure is retried
    before = _mtimes(out / "ok_report")
    manifest_before = json.loads((out / cache.MANIFEST_NAME).read_text())["reports"]
    second = run_batch(jobs, out, workers=2, progress=False)
    assert second.skipped == ["failing_report/C01/2023", "ok_report/C01/2023", "ok_report/C02/2023"]
    assert second.done == [] and second.failed == ["failing_report/C02/2023"]
    assert _mtimes(out / "ok_report") == before
    manifest_after = json.loads((out / cache.MANIFEST_NAME).read_text())["reports"]
    assert manifest_after["ok_report/C01/2023"] == manifest_before["ok_report/C01/2023"]

    # a truncated output and a changed parameter are both redone; the rest stays skipped
    html_c01 = out / "ok_report/C01/2023.html"
    html_c01.write_bytes(html_c01.read_bytes()[:100])
    other_data = tmp_path / "data2"
    other_data.mkdir()
    (other_data / "county_year.csv").write_text((dataset / "county_year.csv").read_text().replace("200", "250"))
    jobs_c02 = plan_jobs([OK], other_data, ["C02"], [2023], out)
    third = run_batch(jobs[:1] + jobs_c02, out, workers=0, progress=False)
    assert third.done == ["ok_report/C01/2023", "ok_report/C02/2023"]
    assert html_c01.read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert "population 250" in (out / "ok_report/C02/2023.html").read_text(encoding="utf-8")


def test_force_redoes_everything(dataset, tmp_path):
    out = tmp_path / "reports"
    jobs = plan_jobs([OK], dataset, ["C01"], [2024], out)
    run_batch(jobs, out, workers=0, progress=False)
    again = run_batch(jobs, out, workers=0, progress=False, force=True)
    assert again.done == ["ok_report/C01/2024"] and again.skipped == []


def test_cli_summary_and_exit_status(dataset, tmp_path):
    out = tmp_path / "reports"
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    cmd = [
        sys.executable,
        "-m",
        "toolkit",
        "batch",
        str(dataset),
        "--notebook",
        str(FAILING),
        "--counties",
        "C01,C02",
        "--years",
        "2024",
        "--out",
        str(out),
        "--workers",
        "1",
        "--no-progress",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert "1 done" in proc.stdout and "1 failed" in proc.stdout
    assert "failing_report/C02/2024" in proc.stdout
    assert str(out / "index.html") in proc.stdout


def test_cli_bad_arguments_exit_2_without_writing(dataset, tmp_path):
    out = tmp_path / "reports"
    base = [sys.executable, "-m", "toolkit", "batch", str(dataset), "--notebook", str(OK), "--out", str(out)]
    for extra, expected in [
        (["--counties", "C01", "--years", "20x9"], "--years"),
        (["--counties", "C01", "--years", "2024", "--mode", "quick"], "invalid choice"),
        # checked against the dataset before any kernel starts: one clear error, not a failed report each
        (["--counties", "C01,C99", "--years", "2024"], "C99 not in the dataset"),
        (["--counties", "C01", "--years", "2024,2030"], "2030 not in the dataset"),
    ]:
        proc = subprocess.run(base + extra, capture_output=True, text=True, cwd=tmp_path, timeout=120)
        assert proc.returncode == 2, (extra, proc.stderr)
        assert expected in proc.stderr
        assert "Traceback" not in proc.stderr
    missing = subprocess.run(
        [
            sys.executable,
            "-m",
            "toolkit",
            "batch",
            str(tmp_path / "nope"),
            "--notebook",
            str(OK),
            "--counties",
            "C01",
            "--years",
            "2024",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    nb_missing = subprocess.run(
        base[:6] + ["no_such_notebook", "--counties", "C01", "--years", "2024", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert nb_missing.returncode == 2 and "no_such_notebook" in nb_missing.stderr
    assert not any(p.suffix == ".html" for p in out.rglob("*")) if out.exists() else True
