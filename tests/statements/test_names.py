"""Townships and medical communities by name (rules.md §1): the optional ``units.township_name`` /
``units.community_name`` columns of the data contract, written by the synthetic generator, shown
on statements and roll-ups; the code only when a name is absent."""

import pandas as pd
import pytest

from tests.settlement.builders import make_tables
from tests.statements.params_helper import snap_with
from toolkit.data.contract import TABLES
from toolkit.errors import ValidationError
from toolkit.settlement.statement import settle_county
from toolkit.settlement.unit_statement import county_statements

TOWNS = {"T1": "城关镇", "T2": "南坪乡"}
COMMUNITIES = {"M1": "县医院医共体", "M2": "中医院医共体"}


def _named(n_units: int = 4) -> dict[str, pd.DataFrame]:
    t = make_tables(n_units=n_units)
    u = t["units"]
    u.insert(4, "township_name", u["township_id"].map(TOWNS))
    u["community_name"] = u["community_id"].map(COMMUNITIES)
    return t


def _write(tables: dict[str, pd.DataFrame], folder):
    folder.mkdir()
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


def test_names_are_optional_columns_of_the_units_table():
    cols = {c.name: c for c in TABLES["units"].columns}
    for name in ("township_name", "community_name"):
        assert cols[name].kind == "text" and not cols[name].required and cols[name].nullable


def test_a_dataset_with_names_keeps_them_and_one_without_loads_as_before(tmp_path):
    from toolkit.data.load import load_dataset

    named = load_dataset(_write(_named(), tmp_path / "named"), tables=["units"]).tables["units"]
    assert named["township_name"].tolist() == ["城关镇", "城关镇", "南坪乡", "南坪乡"]
    assert named["community_name"].tolist() == ["县医院医共体", "中医院医共体", "县医院医共体", "中医院医共体"]
    plain = load_dataset(_write(make_tables(n_units=4), tmp_path / "plain"), tables=["units"]).tables["units"]
    assert "township_name" not in plain.columns


def test_a_township_with_two_names_is_an_error(tmp_path):
    from toolkit.data.load import load_dataset

    t = _named()
    t["units"].loc[1, "township_name"] = "城关街道"  # U2 is in T1 with U1
    with pytest.raises(ValidationError) as err:
        load_dataset(_write(t, tmp_path / "bad"), tables=["units"])
    assert any(p.column == "township_name" for p in err.value.problems)


def test_statements_and_rollups_show_the_names_given():
    cs = settle_county(_named(), "C99", 2023, snap_with())
    sts = county_statements(cs)
    assert [(s.township_name, s.community_name) for s in sts] == [
        ("城关镇", "县医院医共体"),
        ("城关镇", "中医院医共体"),
        ("南坪乡", "县医院医共体"),
        ("南坪乡", "中医院医共体"),
    ]
    assert cs.by_township["township_name"].tolist() == ["城关镇", "南坪乡"]
    assert cs.by_community["community_name"].tolist() == ["县医院医共体", "中医院医共体"]


def test_without_names_the_township_falls_back_to_its_code():
    """Unit names 单元1… hold no township, so the township is shown by code; a community is
    numbered in code order (names.py)."""
    sts = county_statements(settle_county(make_tables(n_units=4), "C99", 2023, snap_with()))
    assert [s.township_name for s in sts] == ["T1", "T1", "T2", "T2"]
    assert [s.community_name for s in sts] == ["第1医共体", "第2医共体", "第1医共体", "第2医共体"]


def test_synthetic_units_carry_township_and_community_names(tmp_path):
    from toolkit.data.synth import generate_province

    generate_province(tmp_path / "p", n_counties=2)
    u = pd.read_csv(tmp_path / "p" / "units.csv", dtype=str)
    assert list(u.columns) == [
        "unit_id",
        "unit_name",
        "county_id",
        "township_id",
        "township_name",
        "community_id",
        "community_name",
    ]
    first = u.iloc[0]
    assert (first["unit_name"], first["township_name"], first["community_name"]) == (
        "甲子县甲子一镇第1健康管理单元",
        "甲子一镇",
        "甲子县人民医院医共体",
    )
    # every unit's name starts with its county's name and its township's name
    county = pd.read_csv(tmp_path / "p" / "county_year.csv", dtype=str).drop_duplicates("county_id")
    names = dict(zip(county["county_id"], county["county_name"]))
    assert all(n.startswith(names[c] + t) for n, c, t in zip(u["unit_name"], u["county_id"], u["township_name"]))
    # the Suixi-shaped county has 11 townships in 2 communities, named after their lead hospitals
    c01 = u[u["county_id"] == "C01"]
    assert c01["township_name"].nunique() == 11
    assert sorted(c01["community_name"].unique()) == ["甲子县中医医院医共体", "甲子县人民医院医共体"]
    assert (u.groupby("township_id")["township_name"].nunique() == 1).all()


def test_package_charts_label_townships_by_name():
    from toolkit.report.unit_settlement import chart_rows

    assert chart_rows(settle_county(_named(), "C99", 2023, snap_with())).index.tolist() == ["城关镇", "南坪乡"]
    one_town = make_tables(n_units=2)  # U1, U2 both in T1: the chart shows the units, by name
    assert chart_rows(settle_county(one_town, "C99", 2023, snap_with())).index.tolist() == ["单元1", "单元2"]
