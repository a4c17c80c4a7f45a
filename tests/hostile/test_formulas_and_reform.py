"""Workbook inputs: a formula cell without a saved result is an error, not an empty cell; a reform
year after the data is a comparison county, said so in the evaluation's text."""

import openpyxl
import pandas as pd
import pytest

from tests.hostile.base import YEAR


def _as_workbook(dataset, table, formula_at=None):
    import pandas as pd

    frame = pd.read_csv(dataset / f"{table}.csv", dtype=str)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = table
    ws.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        ws.append([None if pd.isna(v) else v for v in row])
    if formula_at is not None:
        row, column, formula = formula_at
        ws.cell(row=row + 2, column=list(frame.columns).index(column) + 1, value=formula)
    (dataset / f"{table}.csv").unlink()
    wb.save(dataset / f"{table}.xlsx")  # openpyxl saves formulas without a cached result, as scripts do


def test_uncached_formula_is_an_error_naming_row_column_and_formula(dataset, tmp_path, run, unchanged):
    _as_workbook(dataset, "unit_year", (3, "ph_lump_sum", "=H2*0.48"))
    with unchanged(dataset):
        for argv in (["validate", dataset], ["settle", dataset, "--year", YEAR, "--out", tmp_path / "o"]):
            r = run(*argv)
            assert r.code == 2
            assert (
                "unit_year (unit_year.xlsx, sheet 'unit_year') row 4 (Excel row 5) column 'ph_lump_sum': value '=H2*0.48'"
                in r.err
            )
            assert "no saved result" in r.err
    assert not (tmp_path / "o").exists()


def test_a_workbook_without_formulas_is_read(dataset, run):
    _as_workbook(dataset, "unit_year")
    assert run("validate", dataset).code == 0


def test_reform_year_after_the_data_is_not_yet_reformed_within_the_window(tmp_path, tables):
    from tests.hostile.base import write_tables
    from toolkit.report.evaluation import reformed_within, research_panel

    tables["county_year"]["reform_year"] = 2030  # the data ends in 2023
    panel = research_panel(str(write_tables(tmp_path / "ds", tables)))
    assert (panel["first_treat"] == 0).all()
    assert panel.attrs["notes"] == [
        "C01: reform year 2030 is after the data's last year 2023 — treated as not yet reformed within the "
        "window (县 C01 改革年份 2030 晚于数据末年 2023，按窗口内未改革处理)"
    ]
    assert reformed_within({"C01": 2021, "C02": 2030, "C03": None}, 2023) == (
        {"C01": 2021},
        [reformed_within({"C02": 2030}, 2023)[1][0]],
    )


@pytest.fixture(scope="module")
def late_reform_panel(tmp_path_factory):
    """Six synthetic counties; the first reformed county's reform year moved to 2099, after the data."""
    from toolkit.data.synth import generate_province

    out = tmp_path_factory.mktemp("late_reform") / "p"
    generate_province(out, seed=20240901, n_counties=6)
    cy = pd.read_csv(out / "county_year.csv", dtype={"county_id": str})
    ind = pd.DataFrame(
        {
            "county_id": cy["county_id"],
            "year": cy["year"],
            "indicator": "hospitalisation_rate",
            "value": cy["admissions"] / cy["insured_pop"] * 100,
        }
    )
    reform = {c: (int(y) if pd.notna(y) else None) for c, y in cy.groupby("county_id")["reform_year"].first().items()}
    late = sorted(c for c, y in reform.items() if y)[0]
    reform[late] = 2099
    return ind, reform, late, int(cy["year"].max())


@pytest.mark.parametrize(
    "lang,words",
    [
        ("zh", "{c}的改革年份2099晚于数据末年{last}，本评估按窗口内未改革处理（作为对照县）"),
        ("en", "{c}: reform year 2099 is after the data's last year {last} — treated as not yet reformed"),
    ],
)
def test_reform_year_after_the_data_is_stated_in_the_evaluation_text(late_reform_panel, lang, words):
    from types import SimpleNamespace

    from toolkit.report import evaluation

    ind, reform, late, last = late_reform_panel
    ctx = SimpleNamespace(indicators=ind, reform_years=reform, _memo={}, lang=lang)
    text = str(evaluation.specification(ctx, "hospitalisation_rate"))
    assert words.format(c=late, last=last) in text
    if lang == "zh":
        assert "reform year" not in text  # the Chinese report in Chinese


def test_no_late_reform_line_when_every_reform_is_inside_the_data(late_reform_panel):
    from types import SimpleNamespace

    from toolkit.report import evaluation

    ind, reform, late, _ = late_reform_panel
    reform = {**reform, late: None}
    ctx = SimpleNamespace(indicators=ind, reform_years=reform, _memo={}, lang="zh")
    assert "晚于数据末年" not in str(evaluation.specification(ctx, "hospitalisation_rate"))
