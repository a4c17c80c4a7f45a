"""The batch makes a county's statements: ``python -m toolkit batch DATA --notebook unit_settlement``
writes every unit's statement (HTML and PDF, one file each and the county's combined file) beside
the county settlement page, and that page shows the reconciliation (结算汇总与平衡表) with each
package's difference line at 0.00 (seed 000 §3.1–3.2; rules.md §2–5)."""

import html
import io
import os
import re
import subprocess
import sys

import pytest
from pypdf import PdfReader

from toolkit.paths import PROJECT_ROOT

YEAR = 2023
COUNTY = "C02"  # a generated county of 8 units: the batch runs in seconds


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    from toolkit.data.load import load_dataset
    from toolkit.data.synth import generate_province
    from toolkit.params.load import load_params
    from toolkit.params.snapshot import resolve
    from toolkit.settlement.statement import settle_province

    root = tmp_path_factory.mktemp("batch")
    generate_province(root / "data", n_counties=2)
    cmd = [sys.executable, "-m", "toolkit", "batch", str(root / "data"), "--notebook", "unit_settlement"]
    cmd += ["--counties", COUNTY, "--years", str(YEAR), "--out", str(root / "out"), "--workers", "1", "--no-progress"]
    run = subprocess.run(
        cmd, capture_output=True, text=True, cwd=PROJECT_ROOT, env={**os.environ, "MPLBACKEND": "Agg"}, timeout=900
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
    tables = ["units", "unit_year", "ph_process", "ph_targets", "county_year"]
    ds = load_dataset(root / "data", tables=tables)
    cs = settle_province(ds.tables, YEAR, {COUNTY: resolve(load_params(None), COUNTY, YEAR)})[COUNTY]
    return root / "out" / "unit_settlement" / COUNTY, cs


def _text(page) -> str:
    return re.sub(r"[\s\x00]+", "", page.extract_text())


@pytest.mark.slow
@pytest.mark.notebooks
def test_batch_writes_every_units_statement_html_and_pdf(batch):
    from toolkit.settlement.unit_statement import county_statements, yuan

    folder, cs = batch
    statements = folder / f"{YEAR}_files" / f"unit_settlement_{COUNTY}_{YEAR}_statements"
    sts = county_statements(cs)
    assert len(sts) == 8
    expected = {f"{st.unit_id}.{x}" for st in sts for x in ("html", "pdf")} | {"all_units.html", "all_units.pdf"}
    assert {p.name for p in statements.iterdir()} == expected
    for st in sts:
        reader = PdfReader(io.BytesIO((statements / f"{st.unit_id}.pdf").read_bytes()))
        assert len(reader.pages) <= 2
        assert yuan(st.total_fen) in _text(reader.pages[0]), st.unit_id  # the amount paid, on page 1
        page = (statements / f"{st.unit_id}.html").read_text(encoding="utf-8")
        assert yuan(st.total_fen) in page and '<html lang="zh-CN">' in page
    assert len(PdfReader(statements / "all_units.pdf").pages) == 2 * len(sts)


def _rows(page: str, caption: str) -> list[list[str]]:
    table = re.search(rf"<caption>{caption}</caption>(.*?)</table>", page, re.S)
    assert table, f"no table captioned {caption}"
    return [
        [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    ]


@pytest.mark.slow
@pytest.mark.notebooks
def test_county_page_shows_the_reconciliation_with_each_difference_at_zero(batch):
    from toolkit.settlement.reconciliation import PACKAGES, reconcile

    folder, cs = batch
    page = (folder / f"{YEAR}.html").read_text(encoding="utf-8")
    rows = [r for r in _rows(page, "结算汇总与平衡表") if r]
    differences = {r[0]: r[2] for r in rows if r[3] == "差额"}
    rec = reconcile(cs)
    packages = {PACKAGES[p][0] for p in rec.loc[rec["role"] == "difference", "package"]}
    assert len(packages) >= 4  # big, chronic, public health, effect pool
    assert differences == {p: "0.00" for p in packages}
    # the pool lines are there too, in yuan with thousands separators
    pools = [r for r in rows if r[3] == "资金池"]
    assert {r[0] for r in pools} == packages and all(re.fullmatch(r"-?[\d,]+\.\d{2}", r[2]) for r in pools)
