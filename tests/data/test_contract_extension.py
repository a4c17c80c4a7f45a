"""The contract extension (data.md "Contract extension"): facility_year, the optional county_year
columns and criteria_year load, type and validate; a dataset without them loads as before."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.data.conftest import valid_tables, write_dataset
from tests.data.helpers import find_problem, raises_problems
from toolkit.data.contract import CRITERIA, TABLES
from toolkit.data.load import load_dataset

FACILITY_COLUMNS = [
    "facility_id",
    "year",
    "facility_name",
    "county_id",
    "community_id",
    "level",
    "beds",
    "medical_revenue",
    "drug_revenue",
    "consumables_revenue",
    "exam_revenue",
    "lab_revenue",
    "meets_capability_standard",
    "quality_service_level",
]


def facility_year() -> pd.DataFrame:
    rows = []
    for y in (2021, 2022):
        rows += [
            ("F1", y, "县医院", "C01", "M1", "lead_hospital", 800, 6.0e8, 1.8e8, 1.0e8, 6.0e7, 5.0e7, True, None),
            ("F2", y, "临涣卫生院", "C01", "M1", "township", 60, 2.0e7, 9.0e6, 2.0e6, 1.0e6, 1.0e6, None, "basic"),
            ("F3", y, "二院", "C01", "M2", "lead_hospital", 500, 3.0e8, 1.0e8, 5.0e7, 3.0e7, 2.0e7, False, None),
            ("F4", y, "五沟卫生院", "C02", None, "township", 40, 1.0e7, 5.0e6, 1.0e6, 5.0e5, 5.0e5, None, "none"),
        ]
    return pd.DataFrame(rows, columns=FACILITY_COLUMNS).astype(object)


def criteria_year() -> pd.DataFrame:
    return pd.DataFrame(
        [("C01", 2022, c, i % 2 == 0, "文件" if i == 0 else None) for i, c in enumerate(CRITERIA[:8])],
        columns=["county_id", "year", "criterion", "met", "evidence"],
    ).astype(object)


def _with(tmp_path, **extra) -> pd.DataFrame:
    tables = valid_tables()
    tables.update(extra)
    return write_dataset(tmp_path / "ds", tables)


def test_a_dataset_without_the_extension_loads_as_before(dataset_dir):
    ds = load_dataset(dataset_dir)
    assert "facility_year" not in ds.tables and "criteria_year" not in ds.tables
    extension = {"chronic_patients", "residents_contracted", "contracts_due", "price_index", "ph_performance_score"}
    assert extension <= set(TABLES["county_year"].names) and not extension & set(TABLES["county_year"].required)


def test_extension_tables_load_with_their_dtypes(tmp_path):
    ds = load_dataset(_with(tmp_path, facility_year=facility_year(), criteria_year=criteria_year()))
    fy = ds.tables["facility_year"]
    assert fy["beds"].dtype == "int64" and fy["medical_revenue"].dtype == "float64"
    # an empty cell of a nullable yes/no column stays empty (not True): only lead hospitals answer it
    assert str(fy["meets_capability_standard"].dtype) == "boolean"
    assert fy["meets_capability_standard"].isna().sum() == 4
    assert fy.loc[fy["facility_id"] == "F3", "meets_capability_standard"].tolist() == [False, False]
    cr = ds.tables["criteria_year"]
    assert cr["met"].dtype == "bool" and len(cr) == 8


def test_optional_county_year_columns_are_typed_and_checked(tmp_path):
    tables = valid_tables()
    cy = tables["county_year"]
    cy["residents_contracted"] = 300000
    cy["key_population"] = 250000
    cy["key_population_contracted"] = 180000
    cy["ph_performance_score"] = 88.5
    cy.loc[4, "key_population_contracted"] = 260000  # more contracted than the key population
    problems = raises_problems(lambda: load_dataset(write_dataset(tmp_path / "ds", tables)))
    p = find_problem(problems, table="county_year", column="key_population_contracted", rows=[5])
    assert "key_population" in p.expected
    cy.loc[4, "key_population_contracted"] = 180000
    cy.loc[1, "ph_performance_score"] = None  # an extension cell may be empty
    ds = load_dataset(write_dataset(tmp_path / "ok", tables))
    assert ds.tables["county_year"]["ph_performance_score"].isna().sum() == 1


def test_revenue_parts_above_medical_revenue_name_table_row_and_column(tmp_path):
    fy = facility_year()
    fy.loc[2, "drug_revenue"] = 1.5e8  # F3 2021: 1.5e8 + 5e7 + 3e7 + 2e7 = 2.5e8 ≤ 3e8 still fine
    fy.loc[6, "drug_revenue"] = 2.5e8  # F3 2022: 2.5e8 + 5e7 + 3e7 + 2e7 = 3.5e8 > 3e8
    problems = raises_problems(lambda: load_dataset(_with(tmp_path, facility_year=fy)))
    p = find_problem(problems, table="facility_year", column="medical_revenue", rows=[7])
    assert "drug_revenue" in p.expected and "350000000" in str(p.value) and "300000000" in str(p.value)
    assert len([q for q in problems if q.column == "medical_revenue"]) == 1


def test_a_community_without_lead_hospital_is_an_error(tmp_path):
    fy = facility_year()
    fy = fy.loc[~((fy["facility_id"] == "F3") & (fy["year"] == 2022))].reset_index(drop=True)
    fy.loc[len(fy)] = ["F5", 2022, "韩村卫生院", "C01", "M2", "township", 30, 1e7, 1e6, 1e6, 1e6, 1e6, None, "none"]
    fy.loc[len(fy)] = ["F5", 2021, "韩村卫生院", "C01", "M2", "township", 30, 1e7, 1e6, 1e6, 1e6, 1e6, None, "none"]
    problems = raises_problems(lambda: load_dataset(_with(tmp_path, facility_year=fy)))
    p = find_problem(problems, table="facility_year", column="level", rows=[8])
    assert "M2, 2022" in str(p.value) and "lead_hospital" in p.expected


def test_an_unknown_criterion_id_names_table_row_and_column(tmp_path):
    cr = criteria_year()
    cr.loc[3, "criterion"] = "free_lunch"
    problems = raises_problems(lambda: load_dataset(_with(tmp_path, criteria_year=cr)))
    p = find_problem(problems, table="criteria_year", column="criterion", rows=[4], value="free_lunch")
    assert "insurance_reform" in p.expected


@pytest.mark.parametrize("table", ["facility_year", "criteria_year"])
def test_extension_tables_reference_known_counties(tmp_path, table):
    frame = facility_year() if table == "facility_year" else criteria_year()
    frame.loc[0, "county_id"] = "C09"
    problems = raises_problems(lambda: load_dataset(_with(tmp_path, **{table: frame})))
    find_problem(problems, table=table, column="county_id", value="C09")


def test_a_code_that_looks_like_an_empty_token_is_a_value(tmp_path):
    # "none" is one of quality_service_level's codes (data.md), not an empty cell
    ds = load_dataset(_with(tmp_path, facility_year=facility_year()))
    fy = ds.tables["facility_year"]
    assert fy.loc[fy["facility_id"] == "F4", "quality_service_level"].tolist() == ["none", "none"]
    assert fy.loc[fy["facility_id"] == "F1", "quality_service_level"].isna().all()


def test_bad_extension_rows_stop_commands_with_exit_2_and_nothing_written(tmp_path, capsys):
    from toolkit.cli import main

    fy = facility_year()
    fy.loc[6, "drug_revenue"] = 2.5e8  # F3 2022: parts 3.5e8 > medical revenue 3e8
    ds = _with(tmp_path, facility_year=fy)
    out = tmp_path / "out"
    assert main(["assess", str(ds), "--year", "2022", "--level", "county", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "facility_year" in err and "row 7" in err and "medical_revenue" in err and "Traceback" not in err
    assert not out.exists()
