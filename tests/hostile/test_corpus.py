"""The hostile-input corpus: one broken cell per case, named by what it is.

Each case asserts exit 2 of ``validate`` and ``settle`` (or ``indicators`` for tables settle does
not read), the message parts (table, row, column, value), that no output was written and that the
dataset folder is byte-for-byte unchanged.
"""

from __future__ import annotations

import pytest

from tests.hostile.base import YEAR, snapshot, write_tables

# name: (table, row index, column, bad cell, shown value in the message)
CASES = {
    "unit_id_empty": ("units", 1, "unit_id", "", "<empty>"),
    "unit_county_unknown": ("units", 2, "county_id", "C09", "C09"),
    "unit_name_bel": ("units", 0, "unit_name", "城关\x07单元", "城关\\x07单元"),
    "unit_name_esc": ("units", 3, "unit_name", "\x1b[31m红\x1b[0m", "\\x1b[31m红"),
    "unit_name_del": ("units", 1, "unit_name", "单元\x7f", "单元\\x7f"),
    "unit_name_vertical_tab": ("units", 2, "unit_name", "单\x0b元", "单\\x0b元"),
    "township_id_form_feed": ("units", 0, "township_id", "T\x0c1", "T\\x0c1"),
    "year_typo_five_digits": ("unit_year", 3, "year", "20233", "20233"),
    "year_fraction": ("unit_year", 3, "year", "2023.5", "2023.5"),
    "year_empty": ("unit_year", 2, "year", "", "<empty>"),
    "insured_negative": ("unit_year", 4, "insured_pop", "-5", "-5"),
    "insured_text": ("unit_year", 4, "insured_pop", "many", "many"),
    "insured_fraction": ("unit_year", 5, "insured_pop", "1000.5", "1000.5"),
    "chronic_above_insured": ("unit_year", 6, "chronic_pop", "5000", "chronic_pop 5000 > insured_pop 1000"),
    "fund_infinite": ("unit_year", 1, "fund_general", "inf", "inf"),
    "fund_overflowing_exponent": ("unit_year", 1, "fund_general", "1e400", "1e400"),
    "fund_nan_text": ("unit_year", 2, "fund_general", "NaN", "<empty>"),
    "fund_underscore_digits": ("unit_year", 2, "fund_general", "500_000", "500_000"),
    "fund_exponent_typo": ("unit_year", 3, "fund_general", "5e14", "5e14"),
    "fund_in_fen_of_a_county": ("unit_year", 3, "fund_chronic_outpatient", "300000000000", "300000000000"),
    "lump_negative_cent": ("unit_year", 7, "ph_lump_sum", "-0.01", "-0.01"),
    "lump_exponent_17": ("unit_year", 7, "ph_lump_sum", "1e17", "1e17"),
    "spending_word": ("unit_year", 8, "total_medical_spending", "一百万", "一百万"),
    "unit_year_unknown_unit": ("unit_year", 9, "unit_id", "U9", "U9"),
    "quarter_five": ("ph_process", 0, "quarter", "5", "5"),
    "quarter_zero": ("ph_process", 1, "quarter", "0", "0"),
    "score_above_100": ("ph_process", 2, "score", "101", "101"),
    "score_negative": ("ph_process", 3, "score", "-1", "-1"),
    "project_unknown": ("ph_process", 4, "project", "dentistry", "dentistry"),
    "credits_negative": ("ph_process", 5, "credits", "-3", "-3"),
    "credits_overflow": ("ph_process", 6, "credits", "1e12", "1e12"),
    "planned_amount_text": ("ph_process", 40, "planned_amount", "see note", "see note"),
    "target_value_in_percent": ("ph_targets", 0, "value", "64", "64"),
    "target_value_negative": ("ph_targets", 0, "value", "-0.1", "-0.1"),
    "veto_maybe": ("ph_targets", 1, "veto", "maybe", "maybe"),
    "indicator_unknown": ("ph_targets", 2, "indicator", "happiness", "happiness"),
    "target_unit_unknown": ("ph_targets", 3, "unit_id", "U77", "U77"),
    "subsidy_negative": ("county_year", 3, "ph_subsidy_total", "-60000", "-60000"),
    "subsidy_id_number": ("county_year", 3, "ph_subsidy_total", "340322199001011234", "<withheld: identifier>"),
    "reform_year_ancient": ("county_year", 0, "reform_year", "1800", "1800"),
    "county_name_esc": ("county_year", 1, "county_name", "示例\x1b县", "示例\\x1b县"),
    "population_overflow": ("county_year", 2, "population", "1e20", "1e20"),
    "deaths_above_population": ("deaths", 0, "deaths", "60000", "deaths 60000 > population 50000"),
    "deaths_negative": ("deaths", 1, "deaths", "-1", "-1"),
    "sex_unknown": ("deaths", 2, "sex", "x", "x"),
    "cause_unknown": ("deaths", 3, "cause", "flu", "flu"),
    "death_population_overflow": ("deaths", 4, "population", "2e9", "2e9"),
}
#: tables settle reads; a broken cell elsewhere is checked with indicators
SETTLE_TABLES = {"units", "unit_year", "ph_process", "ph_targets", "county_year"}


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_cell(tmp_path, tables, run, name):
    table, row, column, bad, shown = CASES[name]
    tables[table].loc[row, column] = bad
    ds = write_tables(tmp_path / "ds", tables)
    before = snapshot(ds)
    out = tmp_path / "out"
    second = (
        ["settle", ds, "--year", YEAR, "--out", out] if table in SETTLE_TABLES else ["indicators", ds, "--out", out]
    )
    for argv in (["validate", ds], second):
        r = run(*argv)
        assert r.code == 2, (argv[0], r.out)
        assert f"{table} ({table}.csv)" in r.err
        assert f"row {row + 1}" in r.err or f"rows {row + 1}," in r.err
        assert f"column '{column}'" in r.err
        assert shown in r.err, r.err
        assert "nothing was written" in r.err
    assert snapshot(ds) == before
    assert not out.exists() and not list(tmp_path.glob("out*"))


def test_the_corpus_has_at_least_100_cases():
    """Every hostile case is one collected test of tests/hostile (one fixture or generator each)."""
    import subprocess
    import sys
    from pathlib import Path

    here = Path(__file__).parent
    listed = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist", "-p", "no:cacheprovider", str(here)],
        capture_output=True,
        text=True,
        cwd=here.parent.parent,
    ).stdout
    cases = [line for line in listed.splitlines() if "::" in line and "test_the_corpus_has_at_least" not in line]
    assert len(cases) >= 100, len(cases)
