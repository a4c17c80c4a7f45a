"""Planning, keys, normalisation and the index — the parts of the batch that need no kernel."""

import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from toolkit.batch import cache
from toolkit.batch.index import render_index
from toolkit.batch.render import error_summary, normalize_notebook
from toolkit.batch.runner import parse_counties, plan_jobs
from toolkit.errors import ToolkitError
from toolkit.years import parse_years

from .conftest import OK


def test_parse_years():
    assert parse_years("2019-2021") == [2019, 2020, 2021]
    assert parse_years("2021, 2019,2021") == [2019, 2021]
    assert parse_years("latest", [2012, 2024, 2020]) == [2024]
    assert parse_years("all", [2013, 2012]) == [2012, 2013]
    assert parse_years("2017–2019") == [2017, 2018, 2019]  # the en dash of Chinese and English typesetting
    for bad in ["20x9", "2024-2019", "", "latest"]:
        with pytest.raises(ToolkitError, match="--years"):
            parse_years(bad)
    assert parse_years("2023,2024", [2023, 2024, 2012]) == [2023, 2024]
    with pytest.raises(ToolkitError, match="2025 not in the dataset — it has 2012–2024"):
        parse_years("2023-2025", [2024, 2012])


def test_parse_counties():
    assert parse_counties("C02,C01, C02") == ["C01", "C02"]
    assert parse_counties("all", ["C03", "C01"]) == ["C01", "C03"]
    with pytest.raises(ToolkitError, match="C09 not in the dataset"):
        parse_counties("C01,C09", ["C01", "C02"])


def test_plan_names_parameters_and_keys(dataset, tmp_path, monkeypatch):
    # the toolkit's own digest changes whenever anyone edits toolkit/ (tested in the end-to-end test);
    # fixed here so this test sees only the inputs it changes
    monkeypatch.setattr(cache, "toolkit_digest", lambda: "toolkit")
    out = tmp_path / "reports"
    jobs = plan_jobs([OK], dataset, ["C01", "C02"], [2023, 2024], out, extra={"lang": "en"})
    assert [j.report_id for j in jobs] == [
        "ok_report/C01/2023",
        "ok_report/C01/2024",
        "ok_report/C02/2023",
        "ok_report/C02/2024",
    ]
    # only declared parameters are passed (the fixture declares no lang); output_dir is per report
    assert jobs[0].parameters == {
        "county_id": "C01",
        "data_dir": str(dataset.resolve()),
        "exec_mode": "reused-kernel",
        "output_dir": str(out.resolve() / "ok_report/C01/2023_files"),
        "year": 2023,
    }
    assert len({j.input_key for j in jobs}) == 4
    # the key follows the data, the notebook and the mode, and nothing else
    again = plan_jobs([OK], dataset, ["C01"], [2023], out)
    assert again[0].input_key == jobs[0].input_key
    (dataset / "county_year.csv").write_text((dataset / "county_year.csv").read_text() + "C04,2023,1\n")
    assert plan_jobs([OK], dataset, ["C01"], [2023], out)[0].input_key != jobs[0].input_key
    assert plan_jobs([OK], dataset, ["C01"], [2023], out, mode="isolated")[0].input_key != again[0].input_key
    with pytest.raises(ToolkitError, match="not found"):
        plan_jobs(["no_such_notebook"], dataset, ["C01"], [2023], out)
    with pytest.raises(ToolkitError, match="--mode"):
        plan_jobs([OK], dataset, ["C01"], [2023], out, mode="turbo")


def test_tree_digest_ignores_hidden_files_and_sees_renames(tmp_path):
    (tmp_path / "a.csv").write_text("x")
    d1 = cache.tree_digest(tmp_path)
    (tmp_path / ".a.csv.123.part").write_text("half")
    assert cache.tree_digest(tmp_path) == d1
    (tmp_path / "a.csv").rename(tmp_path / "b.csv")
    assert cache.tree_digest(tmp_path) != d1


def test_manifest_freshness_needs_intact_outputs(tmp_path):
    (tmp_path / "r.html").write_text("<html></html>")
    m = cache.Manifest.load(tmp_path)
    m.record(
        "nb/C01/2024",
        {"status": "ok", "input_key": "k", "outputs": cache.hash_outputs(tmp_path, [tmp_path / "r.html"])},
    )
    m.save()
    m = cache.Manifest.load(tmp_path)
    assert m.is_fresh("nb/C01/2024", "k")
    assert not m.is_fresh("nb/C01/2024", "other key")
    (tmp_path / "r.html").write_text("<html>")
    assert not m.is_fresh("nb/C01/2024", "k")
    (tmp_path / cache.MANIFEST_NAME).write_text("{ truncated")
    assert cache.Manifest.load(tmp_path).entries == {}  # an unreadable manifest trusts nothing


def test_normalize_renumbers_and_strips_timing():
    nb = new_notebook(cells=[new_code_cell("a"), new_code_cell("b"), new_code_cell("")])
    nb.metadata["papermill"] = {"start_time": "x", "end_time": "y", "duration": 1.0, "parameters": {"year": 2024}}
    nb.cells[0].execution_count = 17
    nb.cells[0].metadata["execution"] = {"iopub.status.busy": "2026-01-01"}
    nb.cells[0].metadata["papermill"] = {"duration": 0.1, "status": "completed"}
    nb.cells[1].execution_count = 18
    nb.cells[1].outputs = [new_output("execute_result", data={"text/plain": "1"}, execution_count=18)]
    normalize_notebook(nb)
    assert [c.execution_count for c in nb.cells] == [1, 2, None]
    assert nb.cells[1].outputs[0].execution_count == 2
    assert nb.metadata["papermill"] == {"parameters": {"year": 2024}}
    assert "execution" not in nb.cells[0].metadata and "papermill" not in nb.cells[0].metadata


def test_error_summary_is_the_last_line():
    nb = new_notebook(
        cells=[new_code_cell("x", outputs=[new_output("error", ename="ValueError", evalue="bad county", traceback=[])])]
    )
    assert error_summary(nb) == "ValueError: bad county"


def test_index_is_sorted_bilingual_and_deterministic(tmp_path):
    m = cache.Manifest(path=tmp_path / cache.MANIFEST_NAME)
    m.record(
        "b/C02/2024",
        {
            "notebook": "b",
            "parameters": {"county_id": "C02", "year": 2024},
            "status": "ok",
            "outputs": {"b/C02/2024.html": "x", "b/C02/2024_files/t.xlsx": "y"},
        },
    )
    m.record(
        "b/C01/2024",
        {
            "notebook": "b",
            "parameters": {"county_id": "C01", "year": 2024},
            "status": "failed",
            "error": "Traceback\nKeyError: 'x'",
            "outputs": {},
        },
    )
    m.record(
        "a/C03/2023", {"notebook": "a", "parameters": {"county_id": "C03", "year": 2023}, "status": "ok", "outputs": {}}
    )
    page = render_index(m)
    assert page == render_index(m)
    assert "<h1>报告索引</h1>" in page and "共 3 份报告，1 份失败" in page
    # one row a county, by code: C02's report before C03's
    assert page.index('href="b/C02/2024.html"') < page.index('href="a/C03/2023.html"')
    assert "KeyError: &#x27;x&#x27;" in page and 'href="b/C01/2024.failed.ipynb"' in page
    assert 'href="b/C02/2024_files/t.xlsx"' in page
    assert page.index("失败的报告") < page.index("各县报告")
    # notebooks only in the column labelled for researchers
    assert 'href="a/C03/2023.ipynb"' in page and page.index("研究人员：笔记本") < page.index('href="a/C03/2023.ipynb"')
