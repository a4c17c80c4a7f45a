"""Budget methods of the capitation package (rules.md §2, §12; seeds 000, 001, 002), hand-worked.

Units A1 and A2 of tests/settlement/test_capitation.py: A1 spends 500 000, 600 000, 1 000 000 in
2020–2022 (insured 1000, 1000, 2000), A2 400 000 each year (insured 1000); 2023 is settled.
County C99: admissions + visits 10 000 + 90 000 = 100 000 in 2021 and 11 000 + 94 000 = 105 000 in
2022 (service volume +5%); medical price index change 2022: +2%; per-capita disposable income
30 000 (2021) → 31 500 (2022): +5%.
"""

import pandas as pd
import pytest

from tests.settlement.test_capitation import _params, _row, _unit_year, _units
from toolkit.errors import ToolkitError
from toolkit.params.snapshot import snapshot
from toolkit.settlement.capitation import BIG, CHRONIC, settle_package


def _county_year(drop=()):
    cy = pd.DataFrame(
        {
            "county_id": "C99",
            "year": [2021, 2022, 2023],
            "admissions": [10_000, 11_000, 12_000],
            "visits": [90_000, 94_000, 99_000],
            "price_index": [0.01, 0.02, 0.05],
            "disposable_income_pc": [30_000.0, 31_500.0, 33_000.0],
        }
    )
    return cy.drop(columns=list(drop))


def _settle(root, package=BIG, county_year=None):
    cy = _county_year() if county_year is None else county_year
    snap = snapshot("C99", 2023, root)
    return settle_package(_unit_year(), _units(), "C99", 2023, snap, package, county_year=cy)


ZHEJIANG = (
    "budget_method:\n  source: seed 001\n  values:\n    2023: total_with_growth\n"
    "budget_quality_growth:\n  source: assessment\n  values:\n    2023: 0.01\n"
)


def test_suixi_per_capita_average_is_the_default(tmp_path):
    a1 = _row(_settle(None), "A1")
    # (500 + 600 + 500) / 3 per head × 1250 insured = 666 666.67; base shown as that amount
    assert a1["budget_method"] == "per_capita_average"
    assert a1["budget_fen"] == 66_666_667 and a1["budget_base_fen"] == 66_666_667
    assert a1["budget_growth"] == 0.0


def test_zhejiang_total_times_growth_from_volume_quality_price(tmp_path):
    out = _settle(_params(tmp_path, ZHEJIANG))
    a1, a2 = _row(out, "A1"), _row(out, "A2")
    # base = mean of the actual totals 2020–2022: (500 000 + 600 000 + 1 000 000) / 3 = 700 000
    # growth = 0.4 × volume 0.05 + 0.3 × quality 0.01 + 0.3 × price 0.02 = 0.02 + 0.003 + 0.006 = 0.029
    assert a1["budget_method"] == "total_with_growth"
    assert a1["budget_base_fen"] == 70_000_000
    assert a1["growth_volume"] == pytest.approx(0.05, abs=1e-12)
    assert (a1["growth_quality"], a1["growth_price"]) == (0.01, 0.02)
    assert a1["budget_growth"] == pytest.approx(0.029, abs=1e-12)
    # budget = 700 000 × 1.029 = 720 300.00; A2: 400 000 × 1.029 = 411 600.00
    assert a1["budget_fen"] == 72_030_000 and a2["budget_fen"] == 41_160_000
    # savings follow from the budget: A1 spent 600 000 → 120 300 saved, split 4:4:2
    assert a1["savings_fen"] == 12_030_000 and a1["savings_village_fen"] == 2_406_000


def test_huangzhong_last_year_total_times_income_growth(tmp_path):
    root = _params(tmp_path, "budget_method:\n  source: seed 002\n  values:\n    2023: income_growth\n")
    out = _settle(root)
    a1, a2 = _row(out, "A1"), _row(out, "A2")
    # growth = 31 500 / 30 000 − 1 = 0.05 (2022 over 2021); base = the 2022 actual total
    assert a1["budget_method"] == "income_growth"
    assert a1["income_growth"] == pytest.approx(0.05, abs=1e-12)
    assert a1["budget_base_fen"] == 100_000_000 and a1["budget_fen"] == 105_000_000  # 1 000 000 × 1.05
    assert a2["budget_fen"] == 42_000_000  # 400 000 × 1.05


def test_the_chronic_package_uses_the_same_method(tmp_path):
    root = _params(tmp_path, "budget_method:\n  source: seed 002\n  values:\n    2023: income_growth\n")
    a1 = _row(_settle(root, CHRONIC), "A1")
    # A1's chronic spending in 2022: 30 000 + 2 = 30 002 → × 1.05 = 31 502.10
    assert a1["chronic_budget_base_fen"] == 3_000_200 and a1["chronic_budget_fen"] == 3_150_210


def test_missing_county_column_is_a_clear_error(tmp_path):
    with pytest.raises(ToolkitError) as err:
        _settle(_params(tmp_path, ZHEJIANG), county_year=_county_year(drop=["price_index"]))
    assert "county_year.price_index" in err.value.render() and "total_with_growth" in err.value.render()


def test_missing_county_year_row_is_a_clear_error(tmp_path):
    root = _params(tmp_path, "budget_method:\n  source: seed 002\n  values:\n    2023: income_growth\n")
    cy = _county_year()
    with pytest.raises(ToolkitError) as err:
        _settle(root, county_year=cy[cy["year"] != 2021])
    assert "disposable_income_pc" in err.value.render() and "2021" in err.value.render()
