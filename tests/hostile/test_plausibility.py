"""Plausibility bounds of the contract: garbage money is an error, not a budget; both commands agree."""

import pandas as pd
import pytest

from tests.hostile.base import YEAR, snapshot, write_tables
from toolkit.data.contract import COUNT_MAX, MONEY_MAX, TABLES

INT64_MAX = 2**63 - 1


def test_every_money_and_count_column_has_an_upper_bound_that_keeps_fen_sums_in_int64():
    for table in TABLES.values():
        for c in table.columns:
            if c.kind == "money" or (c.kind == "int" and c.min == 0):
                assert c.max is not None, f"{table.name}.{c.name} has no upper bound"
    # one cell in fen × 900,000 cells (far more units than any county) stays below int64's maximum
    assert MONEY_MAX * 100 * 900_000 < INT64_MAX
    assert COUNT_MAX < 2**53  # exact in float64 too


# (table, row index, column, bad value, what the message must show)
GARBAGE = [
    ("unit_year", 0, "fund_general", "340322199001011234", "<withheld: identifier>"),  # an 18-digit id number
    ("unit_year", 5, "ph_lump_sum", "1e17", "1e17"),
    ("unit_year", 2, "total_medical_spending", "100000000001", "100000000001"),  # just above the bound
    ("unit_year", 3, "insured_pop", "1e20", "1e20"),
    ("county_year", 1, "population", "1e20", "1e20"),
    ("county_year", 0, "fund_spending", "92233720368547", "92233720368547"),
    ("ph_process", 0, "credits", "1e15", "1e15"),
    ("deaths", 0, "population", "5e9", "5e9"),
]


@pytest.mark.parametrize("table,row,column,bad,shown", GARBAGE, ids=[f"{g[0]}-{g[2]}-{g[3]}" for g in GARBAGE])
@pytest.mark.parametrize("command", ["validate", "settle", "indicators"])
def test_values_beyond_the_plausibility_bound_are_errors(
    tmp_path, tables, run, table, row, column, bad, shown, command
):
    tables[table].loc[row, column] = bad
    if column == "fund_spending":  # keep the ordered rules (in-county ≤ total) out of the way
        tables[table].loc[row, ["fund_in_county", "fund_primary"]] = 1.0
    if command == "settle" and table == "deaths":
        command = "indicators"  # settle does not read deaths
    ds = write_tables(tmp_path / "ds", tables)
    out = tmp_path / "out"
    argv = [command, ds] + {"settle": ["--year", YEAR, "--out", out], "indicators": ["--out", out]}.get(command, [])
    r = run(*argv)
    assert r.code == 2
    assert f"{table} ({table}.csv) row {row + 1} column '{column}': value '{shown}'" in r.err
    assert "plausibility bound" in r.err
    assert not out.exists()


def test_village_share_over_100_percent_names_both_inputs(tmp_path, tables, run):
    # the county subsidy in 万元 (6 = 60,000 yuan) while the units' lump sums are in yuan (4 × 10,000)
    tables["county_year"]["ph_subsidy_total"] = 6.0
    ds = write_tables(tmp_path / "ds", tables)
    before = snapshot(ds)
    for argv in (
        ["settle", ds, "--year", YEAR, "--out", tmp_path / "o1"],
        ["indicators", ds, "--out", tmp_path / "o2"],
    ):
        r = run(*argv)
        assert r.code == 2, r.err
        # 40,000 / 6 = 666,666.67%
        assert (
            "county_year (county_year.csv) row 4 column 'ph_subsidy_total': value 'C01 2023: share 666666.67%'" in r.err
        )
        assert "Σ unit_year.ph_lump_sum of the county-year's units (40,000 in unit_year.csv) ≤ 100%" in r.err
        assert "county_year.ph_subsidy_total (6)" in r.err
        assert "万元" in r.err
    assert snapshot(ds) == before and not (tmp_path / "o1").exists() and not (tmp_path / "o2.csv").exists()


@pytest.mark.parametrize("command", ["settle", "indicators"])
def test_zero_insured_with_spending_is_the_same_error_in_settle_and_indicators(tmp_path, tables, run, command):
    tables["unit_year"].loc[7, ["insured_pop", "chronic_pop"]] = 0  # U2 2023 (rows U1 2020..2023, U2 2020..)
    ds = write_tables(tmp_path / "ds", tables)
    argv = [command, ds, "--out", tmp_path / "out"] + (["--year", YEAR] if command == "settle" else [])
    r = run(*argv)
    assert r.code == 2
    # 500,000 general + 50,000 chronic outpatient + 1,000,000 total medical spending
    assert "unit_year (unit_year.csv) row 8 column 'insured_pop': value '0 with spending 1,550,000'" in r.err
    assert "insured_pop > 0 where any of fund_general, fund_chronic_outpatient, total_medical_spending > 0" in r.err


def test_per_capita_spending_far_outside_the_band_is_a_warning_in_output_and_statement(tmp_path, tables, run):
    # U3's total spending in 分 instead of 元: 1e8 / 1000 insured = 100,000 yuan per head
    tables["unit_year"].loc[tables["unit_year"]["unit_id"] == "U3", "total_medical_spending"] = 1.0e8
    ds = write_tables(tmp_path / "ds", tables)
    r = run("settle", ds, "--year", YEAR, "--out", tmp_path / "out")
    assert r.code == 0, r.err
    assert "warning" in r.err and "U3 2023: 100,000.00 yuan per insured_pop" in r.err
    checks = pd.read_csv(tmp_path / "out" / "C01" / str(YEAR) / "settlement_checks.csv")
    row = checks[checks["check"].str.contains("per-capita")].iloc[0]
    assert row["ok"] is False or str(row["ok"]).lower() == "false"
    assert "U3 2023" in row["note"]
    r = run("indicators", ds, "--out", tmp_path / "ind")
    assert r.code == 0 and "U3 2023: 100,000.00 yuan per insured_pop" in r.err


def test_band_is_configurable(tmp_path, tables, run, monkeypatch):
    tables["unit_year"].loc[tables["unit_year"]["unit_id"] == "U3", "total_medical_spending"] = 1.0e8
    ds = write_tables(tmp_path / "ds", tables)
    monkeypatch.setenv("TOOLKIT_PER_CAPITA_BAND", "10-200000")
    r = run("indicators", ds, "--out", tmp_path / "ind")
    assert r.code == 0 and "warning" not in r.err
    monkeypatch.setenv("TOOLKIT_PER_CAPITA_BAND", "lots")
    r = run("indicators", ds, "--out", tmp_path / "ind2")
    assert r.code == 2 and "TOOLKIT_PER_CAPITA_BAND" in r.err
