"""Every file a command makes from the synthetic province says 示例数据 · synthetic data where a person
reads it — each page of a unit statement (HTML and PDF), every sheet of settlement.xlsx,
scenario.xlsx, points.xlsx and assessment.xlsx, the scenario page — and the same data without the
generator's manifest (real data) never does. A CSV carries no label (a program reads it); the
folder's provenance.json says ``synthetic``."""

import io
import json
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from tests.settlement.test_settle_points_cli import COUNTY_FILE
from toolkit import cli
from toolkit.paths import PARAMS_DIR

YEAR = 2024
HEADER = "示例数据 · synthetic data"
REFORM = PARAMS_DIR / "reforms" / "savings_split_532.yaml"


@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    """(synthetic, real): a 3-county synthetic province with claims, and a copy without its manifest."""
    from toolkit.data.synth import generate_province

    root = tmp_path_factory.mktemp("labelled")
    synthetic, real = root / "synthetic", root / "real"
    generate_province(synthetic, n_counties=3, claims=True)
    shutil.copytree(synthetic, real, ignore=shutil.ignore_patterns("manifest.json", "truth.json"))
    return {"synthetic": synthetic, "real": real}


def _run(argv) -> None:
    assert cli.main([str(a) for a in argv]) == 0


def _headers(path) -> list:
    wb = openpyxl.load_workbook(path)
    return [ws.oddHeader.center.text for ws in wb.worksheets]


def _pdf_pages(data: bytes) -> list[str]:
    return [re.sub(r"[\s\x00]+", "", p.extract_text()) for p in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture(scope="module")
def settled(datasets, tmp_path_factory):
    out = tmp_path_factory.mktemp("settled")
    for kind, ds in datasets.items():
        _run(["settle", ds, "--year", YEAR, "--county", "C01", "--out", out / kind])
    _run(["settle", datasets["synthetic"], "--year", YEAR, "--county", "C01", "--lang", "en", "--out", out / "en"])
    return {kind: out / kind / "C01" / str(YEAR) for kind in ("synthetic", "real", "en")}


def test_every_page_of_a_synthetic_statement_says_so(settled):
    folder = settled["synthetic"] / "statements"
    units = sorted(p for p in folder.glob("*.html") if p.stem != "all_units")
    assert len(units) >= 3
    for page in [*units, folder / "all_units.html"]:
        html = page.read_text(encoding="utf-8")
        n = 1 if page.stem != "all_units" else len(units)
        # both printed pages of each unit: the top of page 1 and of page 2 (.page2)
        assert html.count('<div class="toolkit-synthetic" role="note">示例数据 · synthetic data：本结算单') == 2 * n
        assert re.search(r'<div class="page2">\s*<div class="toolkit-synthetic"', html)
        assert ".unit .toolkit-synthetic" in html and ".toolkit-synthetic{border:2px solid #b35c00" in html
        # printed, the box gives way to the label in every sheet's margin (tests/statements/test_html_print.py)
        assert '@page { @bottom-left { content: "示例数据 · synthetic data";' in html
    for pdf in [*(folder / f"{p.stem}.pdf" for p in units), folder / "all_units.pdf"]:
        pages = _pdf_pages(pdf.read_bytes())
        assert len(pages) == (2 if pdf.stem != "all_units" else 2 * len(units))  # still two pages a unit
        assert all(p.startswith("示例数据·syntheticdata：本结算单") for p in pages), pdf.name
        assert PdfReader(pdf).metadata.get("/Keywords") == HEADER
    en = (settled["en"] / "statements" / "all_units.html").read_text(encoding="utf-8")
    assert en.count("示例数据 · synthetic data: made from the synthetic sample province") == 2 * len(units)
    en_pages = _pdf_pages((settled["en"] / "statements" / "all_units.pdf").read_bytes())
    assert all(p.startswith("示例数据·syntheticdata:madefromthesyntheticsampleprovince") for p in en_pages)


def test_a_real_statement_carries_no_label(settled):
    folder = settled["real"] / "statements"
    for page in folder.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "toolkit-synthetic" not in html.split("</head>", 1)[1] and ".unit .toolkit-synthetic" not in html
        assert "示例数据" not in html
    for pdf in folder.glob("*.pdf"):
        assert not any("示例数据" in p for p in _pdf_pages(pdf.read_bytes()))
        assert "/Keywords" not in (PdfReader(pdf).metadata or {})


def test_settlement_workbook_follows_the_manifest(settled):
    assert set(_headers(settled["synthetic"] / "settlement.xlsx")) == {HEADER}
    assert set(_headers(settled["real"] / "settlement.xlsx")) == {None}
    for kind in ("synthetic", "real"):  # the CSVs stay plain tables
        assert "示例数据" not in (settled[kind] / "settlement_units.csv").read_text(encoding="utf-8-sig")


def test_synthetic_statements_are_the_same_bytes_twice(datasets, settled, tmp_path):
    _run(["settle", datasets["synthetic"], "--year", YEAR, "--county", "C01", "--out", tmp_path / "again"])
    again = tmp_path / "again" / "C01" / str(YEAR)
    for name in ("statements/all_units.pdf", "statements/all_units.html", "settlement.xlsx"):
        assert (again / name).read_bytes() == (settled["synthetic"] / name).read_bytes(), name


def test_scenario_workbook_page_and_provenance(datasets, tmp_path):
    for kind, ds in datasets.items():
        out = tmp_path / kind
        _run(["scenario", ds, "--reform", REFORM, "--year", YEAR, "--county", "C01", "--out", out])
        synthetic = kind == "synthetic"
        assert set(_headers(out / "scenario.xlsx")) == {HEADER if synthetic else None}
        html = (out / "scenario.html").read_text(encoding="utf-8")
        assert ('<div class="toolkit-synthetic" role="note">示例数据' in html) is synthetic
        assert json.loads((out / "provenance.json").read_text(encoding="utf-8"))["synthetic"] is synthetic
        assert "示例数据" not in (out / "scenario_units.csv").read_text(encoding="utf-8-sig")


def test_points_workbook_follows_the_manifest(datasets, tmp_path):
    params = tmp_path / "params"
    shutil.copytree(PARAMS_DIR, params)
    (params / "counties" / "C03.yaml").write_text(COUNTY_FILE, encoding="utf-8")
    for kind, ds in datasets.items():
        out = tmp_path / kind
        _run(["settle-points", ds, "--year", YEAR, "--params", params, "--out", out])
        assert set(_headers(out / "C03" / str(YEAR) / "points.xlsx")) == {HEADER if kind == "synthetic" else None}


@pytest.fixture(scope="module")
def assessed(datasets, tmp_path_factory):
    out = tmp_path_factory.mktemp("assessed")
    for kind, ds in datasets.items():
        _run(["assess", ds, "--year", 2023, "--out", out / kind])
    return out


def test_assessment_provenance_says_synthetic(assessed):
    for kind in ("synthetic", "real"):
        prov = json.loads((assessed / kind / "provenance.json").read_text(encoding="utf-8"))
        assert prov["synthetic"] is (kind == "synthetic")


def test_assessment_workbook_follows_the_manifest(assessed):
    assert set(_headers(assessed / "real" / "assessment.xlsx")) == {None}
    assert set(_headers(assessed / "synthetic" / "assessment.xlsx")) == {HEADER}


def test_county_reports_tables_workbook_follows_the_manifest(datasets, tmp_path):
    from toolkit.report import county
    from toolkit.report.context import open_report

    for kind, ds in datasets.items():
        ctx = open_report(str(ds), "C01", YEAR, "zh", output_dir=str(tmp_path / kind), notebook="county")
        county.write_side_files(ctx)
        expected = HEADER if kind == "synthetic" else None
        assert set(_headers(tmp_path / kind / f"county_C01_{YEAR}_tables.xlsx")) == {expected}


def test_claims_check_workbook_follows_the_manifest(datasets, tmp_path):
    for kind, ds in datasets.items():
        out = tmp_path / kind / "checked"
        out.parent.mkdir()
        # exit 1: a stated figure of the sample does not follow from the data (the point of the sample)
        assert (
            cli.main(["check-claims", str(ds), "--claims", str(Path(ds) / "report_claims.yaml"), "--out", str(out)])
            == 1
        )
        expected = {HEADER} if kind == "synthetic" else {None}
        assert set(_headers(out.with_suffix(".xlsx"))) == expected
