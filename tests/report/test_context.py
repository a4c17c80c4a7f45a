"""Notebook parameters are checked before anything runs; a changed parameter file is caught by verify."""

import copy
import shutil

import pytest
import yaml

from toolkit.cli import main
from toolkit.errors import ToolkitError
from toolkit.paths import PARAMS_DIR
from toolkit.report.context import open_report
from toolkit.report.provenance import render_provenance_html


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """county_year of a 3-county synthetic province only (fast to load)."""
    from toolkit.data.synth import generate_province

    full = tmp_path_factory.mktemp("p") / "full"
    generate_province(full, seed=7, n_counties=3, years=(2019, 2024))
    root = tmp_path_factory.mktemp("p") / "small"
    root.mkdir()
    shutil.copy(full / "county_year.csv", root / "county_year.csv")
    return root


def test_parameters_checked_with_clear_messages(small):
    ctx = open_report(str(small), "C02", 2023, "en", output_dir="", params_dir="")
    assert ctx.county_id == "C02" and ctx.year == 2023 and ctx.output_dir is None and ctx.params_dir is None
    assert ctx.county_name and set(ctx.reform_years) == {"C01", "C02", "C03"}
    with pytest.raises(ToolkitError, match="parameter county_id: value 'C99' — expected one of .*C01, C02, C03"):
        open_report(str(small), "C99", 2023)
    with pytest.raises(ToolkitError, match="parameter year: value 2030 — expected a year in the data \\(2019–2024\\)"):
        open_report(str(small), "C02", 2030)
    with pytest.raises(ToolkitError, match="expected one of zh, en, both"):
        open_report(str(small), "C02", 2023, "fr")
    with pytest.raises(ToolkitError, match="suppress_threshold"):
        open_report(str(small), "C02", 2023, suppress_threshold=0)
    with pytest.raises(ToolkitError, match="dataset folder not found"):
        open_report(str(small / "nope"))


def test_dataset_cache_sees_changed_files(small, tmp_path):
    root = tmp_path / "d"
    shutil.copytree(small, root)
    a = open_report(str(root), "C02", 2023).dataset
    assert open_report(str(root), "C02", 2023).dataset is a  # cached while unchanged
    text = (root / "county_year.csv").read_text(encoding="utf-8")
    (root / "county_year.csv").write_text(text.replace("\n", "\r\n"), encoding="utf-8")
    b = open_report(str(root), "C02", 2023).dataset
    assert b is not a and b.data_hash != a.data_hash


def test_verify_catches_changed_parameters(small, tmp_path, capsys):
    params = tmp_path / "params"
    shutil.copytree(PARAMS_DIR, params)
    ctx = open_report(str(small), "C02", 2023, params_dir=str(params))
    report = tmp_path / "r.html"
    report.write_text(render_provenance_html(ctx.provenance().prov, "zh"), encoding="utf-8")
    assert main(["verify", str(report)]) == 0
    county = params / "counties" / "C02.yaml"
    original = yaml.safe_load(county.read_text(encoding="utf-8"))
    growth = original["budget_growth"]["values"]
    assert growth[2020]["value"] == 0.03
    # a value dated after the report's year leaves its snapshot unchanged …
    later = copy.deepcopy(original)
    later["budget_growth"]["values"][2025] = {**growth[2020], "value": 0.05}
    county.write_text(yaml.safe_dump(later, allow_unicode=True), encoding="utf-8")
    capsys.readouterr()
    assert main(["verify", str(report)]) == 0
    # … the growth coefficient in force in 2023 changing does not
    changed = copy.deepcopy(original)
    changed["budget_growth"]["values"][2020]["value"] = 0.04
    county.write_text(yaml.safe_dump(changed, allow_unicode=True), encoding="utf-8")
    capsys.readouterr()
    assert main(["verify", str(report)]) == 1
    out = capsys.readouterr().out
    assert "params" in out and "CHANGED" in out


def test_year_latest_is_the_last_year_in_the_data(small):
    # the province covers 2019–2024: "latest" is 2024, for one county and for the province
    ctx = open_report(str(small), "C02", "latest", "zh")
    assert ctx.year == 2024 and ctx.provenance().prov["extra"]["year_requested"] == "latest"
    assert open_report(str(small), None, " Latest ").year == 2024
    assert open_report(str(small), "C02", "2023").year == 2023  # papermill may pass a string
    with pytest.raises(ToolkitError, match="expected a calendar year or 'latest'"):
        open_report(str(small), "C02", "newest")
