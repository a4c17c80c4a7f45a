"""``python -m toolkit settle-points`` end to end on the synthetic sample province with claims.

The county's points (a parameter file written here): disease group G<g> earns 10 × g points
(G01 10, …, G20 200), a stay paid by bed days 4.5 points a day; inpatient budget 1,000,000 yuan.
The expected statement is recomputed below straight from the claims Parquet with pyarrow (not
DuckDB, not the toolkit): Σ points, point value, and each facility's payment as the largest-
remainder split of 100,000,000 fen by points, so the payments add up to the budget to the fen.
"""

import shutil
from fractions import Fraction

import openpyxl
import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from toolkit import cli
from toolkit.data import synth
from toolkit.paths import PARAMS_DIR

COUNTY, YEAR, BUDGET_FEN = "C03", 2024, 100_000_000
POINTS = {f"G{g:02d}": 10 * g for g in range(1, 21)}
PER_BED_DAY = Fraction(9, 2)
COUNTY_FILE = (
    "inpatient_budget:\n  values:\n    2024:\n      value: 1000000\n"
    "      reference: {document: test county plan, article: 住院按分值付费}\n"
    "points_per_group:\n  values:\n    2024:\n      value: {"
    + ", ".join(f"{k}: {v}" for k, v in POINTS.items())
    + "}\n      reference: {document: test county plan, article: 病组分值}\n"
    "points_per_bed_day:\n  values:\n    2024:\n      value: 4.5\n"
    "      reference: {document: test county plan, article: 床日分值}\n"
)


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample") / "province"
    synth.generate_province(out, n_counties=3, claims=True)
    return out


@pytest.fixture()
def params(tmp_path):
    root = tmp_path / "params"
    shutil.copytree(PARAMS_DIR, root)
    (root / "counties" / f"{COUNTY}.yaml").write_text(COUNTY_FILE, encoding="utf-8")
    return root


def _expected(province) -> dict[str, dict]:
    """Per facility, from the claims themselves: admissions, points (exact) and fund paid in fen."""
    units = pd.read_csv(province / "units.csv", dtype=str).set_index("unit_id")
    claims = pq.read_table(
        province / "claims.parquet",
        columns=["unit_id", "county_id", "year", "setting", "provider_level", "disease_group", "bed_days", "fund_paid"],
    )
    keep = pc.and_(
        pc.and_(pc.equal(claims["county_id"], COUNTY), pc.equal(claims["year"], YEAR)),
        pc.and_(pc.equal(claims["setting"], "inpatient"), pc.not_equal(claims["provider_level"], "outside")),
    )
    out: dict[str, dict] = {}
    for row in claims.filter(keep).to_pylist():
        unit = units.loc[row["unit_id"]]
        level = row["provider_level"]
        fac = {
            "county": f"{unit['community_id']}/county",
            "township": f"{unit['township_id']}/township",
        }.get(level, f"{row['unit_id']}/village")
        f = out.setdefault(fac, {"admissions": 0, "points": Fraction(0), "fund_fen": 0})
        f["admissions"] += 1
        if row["disease_group"] is not None:
            f["points"] += POINTS[row["disease_group"]]
        else:
            f["points"] += PER_BED_DAY * row["bed_days"]
        f["fund_fen"] += round(row["fund_paid"] * 100)
    return out


def _largest_remainder(total: int, weights: dict[str, Fraction]) -> dict[str, int]:
    whole = sum(weights.values())
    exact = {k: Fraction(total) * w / whole for k, w in weights.items()}
    floors = {k: v.numerator // v.denominator for k, v in exact.items()}
    left = total - sum(floors.values())
    for k in sorted(exact, key=lambda k: (-(exact[k] - floors[k]), k))[:left]:
        floors[k] += 1
    return floors


def test_settle_points_writes_statements_that_balance_to_the_fen(province, params, tmp_path, capsys):
    out = tmp_path / "out"
    argv = ["settle-points", str(province), "--year", str(YEAR), "--params", str(params), "--out", str(out)]
    assert cli.main(argv) == 0
    folder = out / COUNTY / str(YEAR)
    assert sorted(p.name for p in folder.iterdir()) == [
        "points.xlsx",
        "points_detail.csv",
        "points_facilities.csv",
        "points_params.csv",
        "points_reconciliation.csv",
    ]
    # only the county whose parameters set an inpatient budget is settled
    assert sorted(p.name for p in out.iterdir()) == [COUNTY, "points_summary.csv"]

    expected = _expected(province)
    assert len(expected) >= 2  # a county hospital and at least one township centre
    total_points = sum(f["points"] for f in expected.values())
    pay = _largest_remainder(BUDGET_FEN, {k: f["points"] for k, f in expected.items()})
    fund = sum(f["fund_fen"] for f in expected.values())
    share = _largest_remainder(BUDGET_FEN - fund, {k: f["points"] for k, f in expected.items()})
    assert sum(pay.values()) == BUDGET_FEN and sum(share.values()) == BUDGET_FEN - fund

    fac = pd.read_csv(folder / "points_facilities.csv", dtype={"payment": str, "pool_balance_share": str})
    fac = fac.set_index("facility_id")
    assert sorted(fac.index) == sorted(expected)
    for k, f in expected.items():
        row = fac.loc[k]
        assert row["admissions"] == f["admissions"]
        assert Fraction(str(row["points"])) == f["points"]
        assert row["point_value"] == pytest.approx(float(Fraction(BUDGET_FEN, 100) / total_points), rel=1e-12)
        assert row["payment"] == f"{pay[k] // 100}.{pay[k] % 100:02d}"  # exact text, to the fen
        assert round(row["fund_paid"] * 100) == f["fund_fen"]
        sign, fen = ("-", -share[k]) if share[k] < 0 else ("", share[k])
        assert row["pool_balance_share"] == f"{sign}{fen // 100}.{fen % 100:02d}"

    recon = pd.read_csv(folder / "points_reconciliation.csv", dtype={"amount": str}).set_index("line")["amount"]
    assert recon["inpatient_budget"] == "1000000.00" and recon["payments"] == "1000000.00"
    assert recon["payments_difference"] == "0.00" and recon["pool_balance_difference"] == "0.00"
    assert round(float(recon["pool_balance"]) * 100) == BUDGET_FEN - fund

    params_used = pd.read_csv(folder / "points_params.csv").set_index("key")
    assert list(params_used.index) == ["inpatient_budget", "points_per_group", "points_per_bed_day"]
    assert params_used.loc["points_per_bed_day", "value"] == "4.5"

    wb = openpyxl.load_workbook(folder / "points.xlsx", read_only=True)
    assert wb.sheetnames == ["机构结算", "分值明细", "平衡表", "参数"]
    header = [c.value for c in next(wb["机构结算"].iter_rows(max_row=1))]
    assert "按分值拨付(元)" in header  # Chinese by default (--lang both: 按分值拨付(元) / payment by points (yuan))
    wb.close()
    summary = pd.read_csv(out / "points_summary.csv").set_index("county_id")
    assert summary.loc[COUNTY, "admissions"] == sum(f["admissions"] for f in expected.values())
    text = capsys.readouterr().out
    assert f"{COUNTY} {YEAR} 年：{len(expected)} 个医疗机构" in text and "拨付 1,000,000.00 = 预算" in text


def _fails(argv, capsys) -> str:
    assert cli.main(argv) == 2
    return capsys.readouterr().err


def test_no_county_with_an_inpatient_budget_is_exit_2(province, tmp_path, capsys):
    out = tmp_path / "out"
    err = _fails(["settle-points", str(province), "--year", str(YEAR), "--out", str(out)], capsys)
    assert "inpatient_budget" in err and "Traceback" not in err
    assert not out.exists()


def test_group_without_points_is_exit_2_naming_the_group(province, params, tmp_path, capsys):
    text = (params / "counties" / f"{COUNTY}.yaml").read_text(encoding="utf-8").replace("G01: 10, ", "")
    (params / "counties" / f"{COUNTY}.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    argv = ["settle-points", str(province), "--year", str(YEAR), "--params", str(params), "--out", str(out)]
    err = _fails(argv, capsys)
    assert "disease group without points" in err and "G01" in err
    assert not out.exists()


def test_unknown_county_and_missing_claims_are_exit_2(province, params, tmp_path, capsys):
    out = tmp_path / "out"
    base = ["--year", str(YEAR), "--params", str(params), "--out", str(out)]
    err = _fails(["settle-points", str(province), "--county", "C77", *base], capsys)
    assert "C77" in err and "units" in err
    no_claims = tmp_path / "no_claims"
    shutil.copytree(province, no_claims, ignore=shutil.ignore_patterns("claims*"))
    err = _fails(["settle-points", str(no_claims), *base], capsys)
    assert "claims" in err and "Traceback" not in err
    assert not out.exists()


def test_output_inside_the_dataset_is_refused(province, params, capsys):
    out = province / "points_out"
    argv = ["settle-points", str(province), "--year", str(YEAR), "--params", str(params), "--out", str(out)]
    err = _fails(argv, capsys)
    assert "inside the input" in err
    assert not out.exists()


def test_full_disk_keeps_the_previous_output(province, params, tmp_path, monkeypatch, capsys):
    """All or nothing: a disk that fills up after two files leaves the first run's output as it was."""
    import errno
    import os

    from toolkit.io import StagedOutput

    out = tmp_path / "out"
    argv = ["settle-points", str(province), "--year", str(YEAR), "--params", str(params), "--out", str(out)]
    assert cli.main(argv) == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    county_file = params / "counties" / f"{COUNTY}.yaml"
    county_file.write_text(county_file.read_text(encoding="utf-8").replace("1000000", "2000000"), encoding="utf-8")
    assert "value: 2000000" in county_file.read_text(encoding="utf-8")  # the rerun would write other amounts
    real, count = StagedOutput.write_bytes, {"n": 0}

    def write(self, relative, data):
        count["n"] += 1
        if count["n"] > 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.root / relative))
        return real(self, relative, data)

    monkeypatch.setattr(StagedOutput, "write_bytes", write)
    err = _fails(argv, capsys)
    assert "disk is full" in err and "Traceback" not in err
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not [p for p in out.rglob("*") if ".staging-" in p.name]
