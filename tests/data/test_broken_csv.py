"""Broken CSV datasets: each case changes one thing in the tiny valid dataset (conftest.py) and the
loader must name the table, the 1-based data row(s), the column, the value and what was expected.

Row arithmetic used below: conftest writes unit_year as 5 units × 3 years in unit order, so
U01 is on rows 1–3 (2020, 2021, 2022), U02 on rows 4–6, …; county_year is C01 on rows 1–3 and
C02 on rows 4–6; pandas index i is data row i + 1.
"""

from __future__ import annotations

import pytest

from toolkit.data.load import load_dataset

from .conftest import write_dataset
from .helpers import find_problem, raises_problems


def _set(table, row, column, value):
    def mutate(t):
        t[table].loc[row, column] = value

    return mutate


def _drop_row(table, row):
    def mutate(t):
        t[table] = t[table].drop(index=row).reset_index(drop=True)

    return mutate


def _append(table, values):
    def mutate(t):
        t[table].loc[len(t[table])] = values

    return mutate


CASES = [
    # id, mutation, expected parts
    (
        "negative_count",
        _set("unit_year", 2, "insured_pop", -5),
        dict(table="unit_year", column="insured_pop", rows=[3], value="-5", expected="cannot be negative"),
    ),
    (
        "negative_money",
        _set("county_year", 4, "township_pay", -1.5),
        dict(table="county_year", column="township_pay", rows=[5], value="-1.5", expected="cannot be negative"),
    ),
    (
        "admissions_in_county_above_admissions",
        _set("county_year", 1, "admissions_in_county", 70000),
        dict(
            table="county_year",
            column="admissions_in_county",
            rows=[2],
            value="admissions_in_county 70000 > admissions 60000",
            expected="admissions_in_county ≤ admissions",
        ),
    ),
    (
        "visits_primary_above_in_county",
        _set("county_year", 0, "visits_primary", 850000),
        dict(
            table="county_year",
            column="visits_primary",
            rows=[1],
            value="850000 > visits_in_county 800000",
            expected="visits_primary ≤ visits_in_county",
        ),
    ),
    (
        "fund_in_county_above_fund",
        _set("county_year", 3, "fund_in_county", 6.0e8),
        dict(
            table="county_year",
            column="fund_in_county",
            rows=[4],
            value="600000000 > fund_spending 500000000",
            expected="fund_in_county ≤ fund_spending",
        ),
    ),
    (
        "chronic_above_insured",
        _set("unit_year", 0, "chronic_pop", 5000),
        dict(
            table="unit_year",
            column="chronic_pop",
            rows=[1],
            value="chronic_pop 5000 > insured_pop 1000",
            expected="chronic_pop ≤ insured_pop",
        ),
    ),
    (
        "insured_above_population",
        _set("county_year", 2, "insured_pop", 900000),
        dict(table="county_year", column="insured_pop", rows=[3], value="900000 > population 800000"),
    ),
    (
        "deaths_above_population",
        _set("deaths", 4, "deaths", 60000),
        dict(table="deaths", column="deaths", rows=[5], value="deaths 60000 > population 50000"),
    ),
    (
        "unknown_unit_in_unit_year",
        _set("unit_year", 3, "unit_id", "U99"),
        dict(table="unit_year", column="unit_id", rows=[4], value="U99", expected="listed in units"),
    ),
    (
        "unit_in_ph_targets_not_in_units",
        _set("ph_targets", 8, "unit_id", "U77"),
        dict(table="ph_targets", column="unit_id", rows=[9], value="U77", expected="listed in units"),
    ),
    (
        "unit_in_ph_process_not_in_units",
        _set("ph_process", 0, "unit_id", "U78"),
        dict(table="ph_process", column="unit_id", rows=[1], value="U78", expected="listed in units"),
    ),
    (
        "unknown_county_in_deaths",
        _set("deaths", 17, "county_id", "C09"),
        dict(table="deaths", column="county_id", rows=[18], value="C09", expected="listed in county_year"),
    ),
    (
        "unknown_county_in_units",
        _set("units", 4, "county_id", "C07"),
        dict(table="units", column="county_id", rows=[5], value="C07", expected="listed in county_year"),
    ),
    # U01 keeps 2020 (row 1) and 2022 (row 2 after the drop): 2021 is missing inside its panel
    (
        "missing_year_unit_panel",
        _drop_row("unit_year", 1),
        dict(
            table="unit_year",
            column="year",
            rows=[1, 2],
            value="unit_id U01: no row for 2021",
            expected="missing year inside the panel",
        ),
    ),
    (
        "missing_year_county_panel",
        _drop_row("county_year", 4),
        dict(table="county_year", column="year", rows=[4, 5], value="county_id C02: no row for 2021"),
    ),
    # ph_process (conftest): U01 ehr on rows 1–4, U01 vaccination (planned 5000) on rows 5–8, U02 ehr
    # on rows 9–12, U02 vaccination on rows 13–16; deaths: C01 2020 'all' '30-34' on rows 1–3
    (
        "planned_amount_differs_between_quarters",
        _set("ph_process", 5, "planned_amount", 4000.0),
        dict(
            table="ph_process",
            column="planned_amount",
            rows=[5, 6, 7, 8],
            value="U01, 2022, vaccination: 4000 vs 5000",
            expected="one planned_amount within each (unit_id, year, project)",
        ),
    ),
    (
        "planned_amount_empty_in_one_quarter",
        _set("ph_process", 12, "planned_amount", ""),
        dict(table="ph_process", column="planned_amount", rows=[13, 14, 15, 16], value="5000 vs <empty>"),
    ),
    (
        "reform_year_differs_within_county",
        _set("county_year", 1, "reform_year", 2022),
        dict(table="county_year", column="reform_year", rows=[1, 2, 3], value="C01: 2021 vs 2022"),
    ),
    (
        "population_differs_between_causes",
        _set("deaths", 1, "population", 40000),
        dict(table="deaths", column="population", rows=[1, 2, 3], value="C01, 2020, all, 30-34: 40000 vs 50000"),
    ),
    (
        "text_in_number_column",
        _set("unit_year", 0, "fund_general", "abc"),
        dict(table="unit_year", column="fund_general", rows=[1], value="abc", expected="a number"),
    ),
    (
        "fraction_in_count_column",
        _set("unit_year", 5, "insured_pop", 10.5),
        dict(table="unit_year", column="insured_pop", rows=[6], value="10.5", expected="a whole number"),
    ),
    (
        "infinite_money",
        _set("unit_year", 7, "ph_lump_sum", "inf"),
        dict(table="unit_year", column="ph_lump_sum", rows=[8], value="inf", expected="a number"),
    ),
    (
        "empty_required_money",
        _set("unit_year", 9, "total_medical_spending", ""),
        dict(table="unit_year", column="total_medical_spending", rows=[10], expected="empty or NaN not allowed"),
    ),
    (
        "duplicate_key",
        _set("unit_year", 2, "year", 2021),
        dict(table="unit_year", column="unit_id, year", rows=[2, 3], value="U01, 2021", expected="duplicated key"),
    ),
    (
        "unit_in_two_townships",
        _append("units", ["U02", "南坪单元", "C01", "T02", "M1"]),
        dict(
            table="units",
            column="township_id",
            rows=[2, 6],
            value="unit U02 in townships T01, T02",
            expected="one township per unit",
        ),
    ),
    (
        "quarter_5",
        _set("ph_process", 3, "quarter", 5),
        dict(table="ph_process", column="quarter", rows=[4], value="5", expected="between 1 and 4"),
    ),
    (
        "score_120",
        _set("ph_process", 1, "score", 120),
        dict(table="ph_process", column="score", rows=[2], value="120", expected="between 0 and 100"),
    ),
    (
        "rate_1_3",
        _set("ph_targets", 0, "value", 1.3),
        dict(table="ph_targets", column="value", rows=[1], value="1.3", expected="a fraction between 0 and 1"),
    ),
    (
        "rate_as_percent",
        _set("ph_targets", 2, "value", 64),
        dict(table="ph_targets", column="value", rows=[3], value="64", expected="0.64, not 64"),
    ),
    (
        "negative_health_education_credits",
        _set("ph_targets", 1, "value", -3),
        dict(table="ph_targets", column="value", rows=[2], value="-3", expected="health_education_credits"),
    ),
    (
        "sex_M",
        _set("deaths", 0, "sex", "M"),
        dict(table="deaths", column="sex", rows=[1], value="M", expected="one of male, female, all"),
    ),
    (
        "bad_cause",
        _set("deaths", 1, "cause", "heart"),
        dict(table="deaths", column="cause", rows=[2], value="heart", expected="cvd"),
    ),
    (
        "bad_project",
        _set("ph_process", 5, "project", "dental"),
        dict(table="ph_process", column="project", rows=[6], value="dental", expected="one of ehr"),
    ),
    (
        "bad_indicator",
        _set("ph_targets", 4, "indicator", "ehr_rate"),
        dict(table="ph_targets", column="indicator", rows=[5], value="ehr_rate", expected="ehr_coverage"),
    ),
    (
        "bad_bool",
        _set("ph_targets", 3, "veto", "maybe"),
        dict(table="ph_targets", column="veto", rows=[4], value="maybe", expected="true or false"),
    ),
    (
        "nan_in_key_column",
        _set("unit_year", 6, "unit_id", "NaN"),
        dict(table="unit_year", column="unit_id", rows=[7], expected="key column"),
    ),
    (
        "empty_year_key",
        _set("county_year", 0, "year", ""),
        dict(table="county_year", column="year", rows=[1], expected="key column"),
    ),
    (
        "year_typo",
        _set("county_year", 5, "year", 20233),
        dict(table="county_year", column="year", rows=[6], value="20233", expected="between 1949 and 2100"),
    ),
    (
        "population_differs_between_cause_rows",
        _set("deaths", 1, "population", 49000),
        dict(
            table="deaths",
            column="population",
            rows=[1, 2, 3],
            value="C01, 2020, all, 30-34: 49000 vs 50000",
            expected="the same on each cause row",
        ),
    ),
    (
        "planned_amount_differs_between_quarters",
        _set("ph_process", 5, "planned_amount", 4000),
        dict(table="ph_process", column="planned_amount", rows=[5, 6, 7, 8], value="4000 vs 5000"),
    ),
    (
        "reform_year_changes_within_county",
        _set("county_year", 2, "reform_year", 2022),
        dict(table="county_year", column="reform_year", rows=[1, 2, 3], value="C01: 2021 vs 2022"),
    ),
]


@pytest.mark.parametrize("mutate, parts", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_broken_dataset_names_table_row_column_value(tmp_path, tables, mutate, parts):
    mutate(tables)
    # only the broken table and the tables its ids refer to are written and read (keeps the suite quick)
    wanted = {parts["table"], "units", "county_year"}
    folder = write_dataset(tmp_path / "ds", {n: f for n, f in tables.items() if n in wanted})
    problems = raises_problems(lambda: load_dataset(folder))
    find_problem(problems, **parts)


def test_all_problems_of_a_table_are_reported_at_once(tmp_path, tables):
    tables["unit_year"].loc[0, "insured_pop"] = -1
    tables["unit_year"].loc[4, "insured_pop"] = -1
    tables["unit_year"].loc[7, "fund_general"] = "n/a?"
    tables["deaths"].loc[2, "sex"] = "M"
    problems = raises_problems(lambda: load_dataset(write_dataset(tmp_path / "ds", tables)))
    # the two -1 share one problem (same column, same value): rows grouped
    find_problem(problems, table="unit_year", column="insured_pop", rows=[1, 5], value="-1")
    find_problem(problems, table="unit_year", column="fund_general", rows=[8], value="n/a?")
    find_problem(problems, table="deaths", column="sex", rows=[3], value="M")
    assert len(problems) == 3


def test_missing_required_column(tmp_path, tables):
    tables["county_year"] = tables["county_year"].drop(columns=["visits_primary"])
    problems = raises_problems(lambda: load_dataset(write_dataset(tmp_path / "ds", tables)))
    p = find_problem(
        problems,
        table="county_year",
        column="visits_primary",
        value="column missing",
        expected="required by the data contract",
    )
    assert p.rows == ()


def test_optional_column_may_be_absent(tmp_path, tables):
    tables["county_year"] = tables["county_year"].drop(columns=["ph_subsidy_total"])
    ds = load_dataset(write_dataset(tmp_path / "ds", tables))
    assert "ph_subsidy_total" not in ds.tables["county_year"]


def _write_raw(folder, name, data: bytes):
    (folder / f"{name}.csv").write_bytes(data)


def test_duplicate_column_names(dataset_dir):
    text = (dataset_dir / "units.csv").read_text(encoding="utf-8").splitlines()
    text[0] = text[0].replace("unit_name", "county_id")
    _write_raw(dataset_dir, "units", ("\n".join(text) + "\n").encode())
    problems = raises_problems(lambda: load_dataset(dataset_dir))
    find_problem(
        problems,
        table="units",
        column="county_id",
        value="appears 2 times (columns B, C)",
        expected="each column name once",
    )


@pytest.mark.parametrize(
    "data, value",
    [(b"", "empty file (0 bytes)"), (b"\n \r\n", "empty file (4 bytes)")],
    ids=["zero_bytes", "blank_lines"],
)
def test_empty_file(dataset_dir, data, value):
    _write_raw(dataset_dir, "deaths", data)
    problems = raises_problems(lambda: load_dataset(dataset_dir))
    find_problem(problems, table="deaths", value=value, expected="a header row and at least one data row")


def test_header_only_file(dataset_dir):
    _write_raw(dataset_dir, "deaths", b"county_id,year,sex,age_band,cause,deaths,population\n")
    problems = raises_problems(lambda: load_dataset(dataset_dir))
    find_problem(problems, table="deaths", value="no data rows", expected="at least one data row")


def test_row_with_too_many_fields(dataset_dir):
    lines = (dataset_dir / "units.csv").read_text(encoding="utf-8").splitlines()
    lines[3] += ",extra,fields"  # data row 3
    _write_raw(dataset_dir, "units", ("\n".join(lines) + "\n").encode())
    problems = raises_problems(lambda: load_dataset(dataset_dir))
    find_problem(problems, table="units", rows=[3], expected="one per header column")


def test_file_holding_only_a_byte_order_mark(dataset_dir):
    # found by the fuzz test: EF BB BF alone is not blank as bytes but empty as text
    _write_raw(dataset_dir, "units", b"\xef\xbb\xbf")
    problems = raises_problems(lambda: load_dataset(dataset_dir))
    find_problem(problems, table="units", value="empty file (3 bytes)")
