"""End to end: synthetic province → ``settle --county C01 --year 2023`` → conservation, columns, workbook."""

import openpyxl
import pandas as pd
import pytest

from tests.params.helpers import params_with_dated_change
from toolkit import cli
from toolkit.settlement.money import yuan_to_fen
from toolkit.settlement.statement import STABLE_COLUMNS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def settled(tmp_path_factory):
    from toolkit.data.synth import generate_province

    root = tmp_path_factory.mktemp("e2e")
    generate_province(root / "province", n_counties=2)
    params = params_with_dated_change(root / "params")
    argv = ["settle", str(root / "province"), "--year", "2023", "--county", "C01", "--params", str(params)]
    assert cli.main([*argv, "--out", str(root / "out")]) == 0
    return root / "out" / "C01" / "2023"


def test_statement_columns_and_conservation(settled):
    units = pd.read_csv(settled / "settlement_units.csv", dtype={"unit_id": str, "county_id": str})
    assert list(units.columns[: len(STABLE_COLUMNS)]) == STABLE_COLUMNS
    assert len(units) == 232 and (units["county_id"] == "C01").all()  # C01 is shaped like Suixi: 232 units
    money = [
        f"{p}{c}"
        for p in ("", "chronic_")
        for c in ("budget", "actual", "savings", "savings_county", "savings_township", "savings_village")
    ]
    money += ["ph_lump_sum", "ph_process", "ph_objective", "ph_effect", "ph_final"]
    fen = {c: yuan_to_fen(units[c].to_numpy()) for c in money}
    assert fen["ph_final"].sum() == fen["ph_lump_sum"].sum()
    assert (fen["ph_final"] == fen["ph_process"] + fen["ph_objective"] + fen["ph_effect"]).all()
    for p in ("", "chronic_"):
        assert (fen[f"{p}budget"] - fen[f"{p}actual"] == fen[f"{p}savings"]).all()
        assert (
            sum(fen[f"{p}savings_{t}"] for t in ("county", "township", "village"))
            == pd.Series(fen[f"{p}savings"]).clip(lower=0)
        ).all()
    checks = pd.read_csv(settled / "settlement_checks.csv")
    assert checks["ok"].iloc[:4].astype(str).eq("True").all()
    town = pd.read_csv(settled / "settlement_by_township.csv")
    assert yuan_to_fen(town["ph_final"].to_numpy()).sum() == fen["ph_final"].sum()
    assert town["units"].sum() == 232


def test_workbook_opens_with_the_expected_sheets(settled):
    wb = openpyxl.load_workbook(settled / "settlement.xlsx", read_only=True)
    assert wb.sheetnames == [
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
    rows = list(wb["参数"].iter_rows(values_only=True))
    assert any("advance_rate" in r for r in rows[1:])
    wb.close()
    params = pd.read_csv(settled / "settlement_params.csv").set_index("key")
    assert params.loc["advance_rate", "value"] == "0.9" and params.loc["advance_rate", "file"] == "counties/C01.yaml"
