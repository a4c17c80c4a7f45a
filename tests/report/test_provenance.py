"""Provenance record, its HTML, and `toolkit verify` on a report whose inputs changed."""

import json

import pytest

from toolkit.cli import main
from toolkit.data.load import load_dataset
from toolkit.params.snapshot import snapshot
from toolkit.report.provenance import (
    RECORDED_PACKAGES,
    collect_provenance,
    provenance_for_dataset,
    read_provenance,
    render_provenance_html,
)

UNITS = "unit_id,unit_name,county_id,township_id,community_id\nU001,单元一,C01,T01,M1\nU002,单元二,C01,T01,M1\n"


@pytest.fixture()
def dataset(tmp_path):
    root = tmp_path / "data"
    root.mkdir()
    (root / "units.csv").write_text(UNITS, encoding="utf-8")
    return root


def test_record_has_everything(dataset, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    ds = load_dataset(dataset)
    snap = snapshot("C01", 2023)
    prov = provenance_for_dataset(ds, snap, {"notebook": "county_annual_report"}, exec_mode="isolated")
    assert prov["data_hash"] == ds.data_hash and len(prov["data_hash"]) == 64
    assert prov["params"]["baseline_years"] == 3 and prov["params_digest"] == snap.digest()
    assert set(prov["packages"]) == {"toolkit", *RECORDED_PACKAGES}
    assert prov["exec_mode"] == "isolated"
    assert prov["run_at"] == "2023-11-14T22:13:20Z"  # SOURCE_DATE_EPOCH 1700000000
    assert prov["county_id"] == "C01" and prov["year"] == 2023 and prov["tables"] == ["units"]
    assert len(prov["git_commit"]) == 40 or prov["git_commit"] == "unknown"
    assert prov["extra"] == {"notebook": "county_annual_report"}
    json.dumps(prov)  # JSON-safe
    # same inputs, same epoch → the same record (reproducible bytes)
    assert provenance_for_dataset(ds, snap, {"notebook": "county_annual_report"}, exec_mode="isolated") == prov


def test_plain_dict_params_and_default_mode():
    prov = collect_provenance("ab" * 32, {"threshold": 5}, {"exec_mode": "reused-kernel"})
    assert prov["exec_mode"] == "reused-kernel" and prov["params_digest_kind"] == "dict"
    assert collect_provenance("x", None)["exec_mode"] == "interactive"


def test_html_is_readable_and_machine_readable(tmp_path):
    prov = collect_provenance("ab" * 32, {"note": "</script><b>"}, dataset_path=str(tmp_path))
    html_zh = render_provenance_html(prov, "zh")
    assert "数据指纹" in html_zh and "ab" * 32 in html_zh
    assert "<b>" not in html_zh.split("<script")[0]  # escaped in the table
    assert "Data hash" in render_provenance_html(prov, "en")
    page = tmp_path / "r.html"
    page.write_text(f"<html><body>{html_zh}</body></html>", encoding="utf-8")
    assert read_provenance(page) == prov  # the </script> inside a value did not break the block
    # nbconvert writes the attributes the other way round
    swapped = tmp_path / "swapped.html"
    swapped.write_text(
        page.read_text(encoding="utf-8").replace(
            '<script type="application/json" id="toolkit-provenance">',
            '<script id="toolkit-provenance" type="application/json">',
        ),
        encoding="utf-8",
    )
    assert read_provenance(swapped) == prov
    with pytest.raises(ValueError, match="no provenance"):
        (tmp_path / "none.html").write_text("<html></html>")
        read_provenance(tmp_path / "none.html")


def test_verify_exit_codes(dataset, tmp_path, capsys):
    ds = load_dataset(dataset)
    prov = provenance_for_dataset(ds, snapshot("C01", 2023))
    report = tmp_path / "report.html"
    report.write_text("<html>" + render_provenance_html(prov, "en") + "</html>", encoding="utf-8")
    assert main(["verify", str(report)]) == 0
    assert "report matches its inputs" in capsys.readouterr().out
    # a changed input file → exit 1
    (dataset / "units.csv").write_text(UNITS.replace("单元二", "单元贰"), encoding="utf-8")
    assert main(["verify", str(report)]) == 1
    assert "CHANGED" in capsys.readouterr().out
    # the original data elsewhere, given with --data → 0 again
    other = tmp_path / "copy"
    other.mkdir()
    (other / "units.csv").write_text(UNITS, encoding="utf-8")
    assert main(["verify", str(report), "--data", str(other)]) == 0
    capsys.readouterr()
    # no report / no record → 2 with a message, no traceback
    assert main(["verify", str(tmp_path / "missing.html")]) == 2
    (tmp_path / "plain.html").write_text("<html></html>")
    assert main(["verify", str(tmp_path / "plain.html")]) == 2
    assert "cannot read the provenance" in capsys.readouterr().err


def test_a_report_without_policy_parameters_says_so():
    # the province-wide evaluation uses data only: "none", not a bare "0 · digest —"
    bare = collect_provenance("ab" * 32, None)
    assert "无（本报告只用数据" in render_provenance_html(bare, "zh")
    assert "none (this report uses the data only)" in render_provenance_html(bare, "en")
    with_params = collect_provenance("ab" * 32, {"threshold": 5})
    assert f"1 · digest {with_params['params_digest']}" in render_provenance_html(with_params, "en")
