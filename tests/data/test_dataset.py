"""Dataset-level behaviour: hash, row-order independence, extra columns, table selection."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.data.contract import TABLES
from toolkit.data.load import load_dataset, load_table

from .conftest import valid_tables, write_csv, write_dataset
from .helpers import find_problem, raises_problems


def test_hash_depends_on_names_and_bytes_not_on_folder(tmp_path, dataset_dir):
    copy = shutil.copytree(dataset_dir, tmp_path / "elsewhere")
    assert load_dataset(dataset_dir).data_hash == load_dataset(copy).data_hash
    text = (copy / "units.csv").read_text(encoding="utf-8").replace("城关单元", "城关")
    (copy / "units.csv").write_text(text, encoding="utf-8")
    assert load_dataset(dataset_dir).data_hash != load_dataset(copy).data_hash


def test_extra_columns_are_kept(tmp_path, tables):
    tables["units"]["grid_note"] = ["a", "b", "", "d", "e"]
    tables["unit_year"]["beds"] = list(range(15))
    ds = load_dataset(write_dataset(tmp_path / "ds", tables))
    assert ds.tables["units"]["grid_note"].tolist()[:2] == ["a", "b"]
    assert ds.tables["unit_year"]["beds"].tolist() == list(range(15))
    assert list(ds.tables["units"].columns) == list(tables["units"].columns)  # original column order


def test_csv_with_title_line_chinese_headers_and_thousands(tmp_path, tables):
    frame = tables["county_year"].rename(columns=TABLES["county_year"].labels("zh"))
    frame["常住人口"] = [f"{v:,}" for v in frame["常住人口"]]  # "800,000" (quoted by the CSV writer)
    path = tmp_path / "county_year.csv"
    path.write_bytes(("2022年 县域医共体监测数据\n" + frame.to_csv(index=False)).encode("gb18030"))
    loaded = load_table(path, "county_year")
    assert loaded["population"].tolist() == [800000] * 6
    assert loaded["county_name"].iloc[0] == "濉溪县"


def test_tab_separated_export(tmp_path, tables):
    path = tmp_path / "units.csv"
    path.write_text(tables["units"].to_csv(index=False, sep="\t"), encoding="utf-8")
    assert load_table(path, "units")["township_id"].tolist() == ["T01", "T01", "T02", "T03", "T04"]


def test_blank_lines_are_skipped_but_counted(tmp_path, tables):
    lines = tables["units"].to_csv(index=False).splitlines()
    lines.insert(2, "")  # a blank line after data row 1
    lines[4] = lines[4].replace("T02", "")  # data row 4 as a person counts lines: township empty
    path = tmp_path / "units.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = raises_problems(lambda: load_table(path, "units"))
    find_problem(problems, table="units", column="township_id", rows=[4], expected="empty or NaN not allowed")


def test_only_requested_tables_are_read(tmp_path, tables):
    tables["deaths"].loc[0, "sex"] = "M"
    folder = write_dataset(tmp_path / "ds", tables)
    ds = load_dataset(folder, tables=["units", "county_year"])
    assert set(ds.tables) == {"units", "county_year"} and set(ds.files) == {"units", "county_year"}


def _sorted(frame, table):
    return frame.sort_values(list(TABLES[table].key)).reset_index(drop=True)


@settings(max_examples=4, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_row_order_does_not_change_the_loaded_tables(tmp_path_factory, seed):
    rng = np.random.default_rng(seed)
    tables = valid_tables()
    reference = load_dataset(write_dataset(tmp_path_factory.mktemp("ref"), tables))
    shuffled = {n: f.iloc[rng.permutation(len(f))].reset_index(drop=True) for n, f in tables.items()}
    ds = load_dataset(write_dataset(tmp_path_factory.mktemp("shuf"), shuffled))
    for name in tables:
        pd.testing.assert_frame_equal(_sorted(ds.tables[name], name), _sorted(reference.tables[name], name))


@settings(max_examples=4, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_row_order_does_not_change_which_problems_are_found(tmp_path_factory, seed):
    rng = np.random.default_rng(seed)
    tables = valid_tables()
    tables["unit_year"].loc[4, "chronic_pop"] = 99999
    tables["unit_year"] = tables["unit_year"].drop(index=7)  # U03 loses 2021
    tables["deaths"].loc[3, "sex"] = "F"

    def found(t, folder):
        problems = raises_problems(lambda: load_dataset(write_dataset(folder, t)))
        return sorted((p.table, p.column, str(p.value), p.expected, len(p.rows)) for p in problems)

    shuffled = {n: f.iloc[rng.permutation(len(f))].reset_index(drop=True) for n, f in tables.items()}
    assert found(tables, tmp_path_factory.mktemp("a")) == found(shuffled, tmp_path_factory.mktemp("b"))


def test_many_problems_of_one_check_are_capped_with_the_rest_summed_up(tmp_path, tables, monkeypatch):
    import toolkit.data.load as load

    monkeypatch.setattr(load, "DETAIL_LIMIT", 2)
    tables["deaths"]["sex"] = [f"s{i}" for i in range(18)]  # 18 different bad values
    tables["deaths"]["year"] = [2020] * 18  # keys collide in 6 groups of 3
    problems = raises_problems(lambda: load_table(write_csv(tmp_path / "deaths.csv", tables["deaths"]), "deaths"))
    sex = [p for p in problems if p.column == "sex"]
    assert [p.value for p in sex] == ["s0", "s1", "16 more different values"]
    assert sex[-1].rows == tuple(range(3, 19))  # data rows 3..18 gathered in the summary
    # keys (county_id, year, sex, age_band, cause) are distinct through sex, so no duplicates here;
    # with sex fixed the 18 rows collapse into 6 duplicated keys: 2 listed, 4 summed up
    tables["deaths"]["sex"] = "all"
    problems = raises_problems(lambda: load_table(write_csv(tmp_path / "deaths.csv", tables["deaths"]), "deaths"))
    keys = [p for p in problems if p.expected.endswith("duplicated key")]
    assert len(keys) == 3 and keys[-1].value == "4 more duplicated keys" and len(keys[-1].rows) == 12


def test_quoted_value_spanning_lines_is_one_row(tmp_path, tables):
    # as a spreadsheet shows the file: data row 2 holds a two-line name, data row 3 is the next record
    tables["units"].loc[1, "unit_name"] = "南坪\n单元"
    tables["units"].loc[2, "township_id"] = ""
    path = write_csv(tmp_path / "units.csv", tables["units"])
    problems = raises_problems(lambda: load_table(path, "units"))
    find_problem(problems, table="units", column="township_id", rows=[3])
    tables["units"].loc[2, "township_id"] = "T02"
    assert load_table(write_csv(path, tables["units"]), "units")["unit_name"].iloc[1] == "南坪\n单元"


def test_nan_in_a_parquet_key_column(tmp_path, tables):
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = pd.DataFrame(
        {
            "unit_id": ["U01", None, "U03"],
            "unit_name": ["a", "b", "c"],
            "county_id": ["C01", "C01", "C01"],
            "township_id": ["T1", "T1", "T2"],
            "community_id": ["M1", "M1", "M1"],
        }
    )
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp_path / "units.parquet")
    problems = raises_problems(lambda: load_table(tmp_path / "units.parquet", "units"))
    find_problem(problems, table="units", column="unit_id", rows=[2], expected="key column")
