"""``python -m toolkit settle`` and ``params``: files, stable columns, Excel sheets, same bytes, exit 2."""

import shutil

import openpyxl
import pandas as pd
import pytest

from tests.params.helpers import params_with_dated_change
from tests.settlement.builders import make_tables
from toolkit import cli
from toolkit.paths import PARAMS_DIR
from toolkit.settlement.statement import STABLE_COLUMNS

SHEETS = [
    "说明",
    "结算汇总与平衡表",
    "大包干",
    "门诊慢病小包干",
    "公卫包干",
    "医保核心指标",
    "过程评价明细",
    "目标评价明细",
    "按乡镇汇总",
    "按医共体汇总",
    "全县汇总",
    "按层级结余",
    "核对",
    "参数",
]


@pytest.fixture()
def dataset(tmp_path):
    root = tmp_path / "ds"
    root.mkdir()
    t = make_tables(spending=lambda u, y: 1e6 * (1 + 0.01 * int(u[1:]) * (y - 2020)))
    for name, frame in t.items():
        frame.to_csv(root / f"{name}.csv", index=False)
    return root


def test_settle_writes_statements_workbook_and_parameters(dataset, tmp_path, capsys):
    out = tmp_path / "out"
    assert cli.main(["settle", str(dataset), "--year", "2023", "--out", str(out)]) == 0
    folder = out / "C99" / "2023"
    units = pd.read_csv(folder / "settlement_units.csv", dtype={"unit_id": str})
    assert list(units.columns[: len(STABLE_COLUMNS)]) == STABLE_COLUMNS
    assert len(units) == 4 and (units["year"] == 2023).all()
    # conservation, read back from the CSV: 4 × 10 000 yuan of lump sums → 40 000 paid
    assert round(units["ph_final"].sum(), 2) == 40_000.00
    assert (units["params_digest"].str.len() == 64).all()
    params = pd.read_csv(folder / "settlement_params.csv")
    assert {"key", "label_zh", "label_en", "value", "unit", "since", "source"} <= set(params.columns)
    assert params.set_index("key").loc["yuan_per_credit", "value"] == "2"
    wb = openpyxl.load_workbook(folder / "settlement.xlsx", read_only=True)
    assert wb.sheetnames == SHEETS
    wb.close()
    text = capsys.readouterr().out
    assert "C99 2023: 4 units" in text and "yuan_per_credit = 2" in text
    # same inputs → same bytes
    first = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert cli.main(["settle", str(dataset), "--year", "2023", "--out", str(out)]) == 0
    assert {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()} == first


def test_year_without_baseline_exits_2_and_writes_nothing(dataset, tmp_path, capsys):
    out = tmp_path / "out"
    assert cli.main(["settle", str(dataset), "--year", "2021", "--out", str(out)]) == 2
    assert "unit-year rows are missing" in capsys.readouterr().err
    assert not out.exists()


def test_unknown_county_exits_2(dataset, tmp_path, capsys):
    assert cli.main(["settle", str(dataset), "--year", "2023", "--county", "C42", "--out", str(tmp_path / "o")]) == 2
    assert "county C42 is not in the units table" in capsys.readouterr().err


def test_bad_parameters_exit_2_before_reading_data(tmp_path, capsys):
    params = tmp_path / "params"
    (params / "counties").mkdir(parents=True)
    shutil.copy(PARAMS_DIR / "province.yaml", params / "province.yaml")
    (params / "counties" / "C99.yaml").write_text(
        "overspend_share:\n  source: x\n  values:\n    2023: 1.5\n", encoding="utf-8"
    )
    assert (
        cli.main(
            [
                "settle",
                str(tmp_path / "nowhere"),
                "--year",
                "2023",
                "--params",
                str(params),
                "--out",
                str(tmp_path / "o"),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "C99.yaml" in err and "overspend_share.values.2023" in err and "1.5" in err


def test_params_command(capsys, tmp_path):
    params = str(params_with_dated_change(tmp_path / "params"))
    assert cli.main(["params", "--county", "C01", "--year", "2023", "--params", params]) == 0
    out = capsys.readouterr().out
    assert "advance_rate" in out and "counties/C01.yaml" in out and "按月预拨比例" in out
    assert "an invented dated change" in out  # the reference of the value in force
    assert cli.main(["params", "--county", "C01", "--year", "2022", "--format", "csv", "--params", params]) == 0
    assert "advance_rate" in capsys.readouterr().out
