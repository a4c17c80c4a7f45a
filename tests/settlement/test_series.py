"""Savings by year (toolkit.settlement.series) on a hand-made two-unit county."""

import pandas as pd
import pytest

from toolkit.settlement.series import savings_by_year, tidy_savings


def _tables():
    # U1: 1,000 insured every year; fund spending 2014–2019 (yuan). U2: 100,000 every year → saves 0.
    spend = {2014: 300_000, 2015: 330_000, 2016: 360_000, 2017: 320_000, 2018: 340_000, 2019: 400_000}
    rows = [
        {"unit_id": u, "year": y, "insured_pop": 1000, "fund_general": (v if u == "U1" else 100_000.0)}
        for u in ("U1", "U2")
        for y, v in spend.items()
    ]
    units = pd.DataFrame({"unit_id": ["U1", "U2"], "county_id": "C01", "unit_name": ["一", "二"]})
    return {"units": units, "unit_year": pd.DataFrame(rows)}


def test_savings_by_year_by_hand():
    # baseline = mean per capita of the 3 previous years (seed 000 §3.1, params baseline_years 3):
    # 2017: mean(300, 330, 360) = 330 yuan × 1,000 = 330,000 budget − 320,000 = +10,000
    # 2018: mean(330, 360, 320) = 336.666… → 336,666.67 (to the fen) − 340,000 = −3,333.33
    # 2019: mean(360, 320, 340) = 340 → 340,000 − 400,000 = −60,000
    # 2014–2016 lack three earlier years: left out. U2 spends its baseline exactly: 0 each year.
    s = savings_by_year(_tables(), "C01")
    assert s["year"].tolist() == [2017, 2018, 2019]
    assert s["savings"].tolist() == pytest.approx([10_000.0, -3_333.33, -60_000.0], abs=1e-9)
    assert s["budget"].iloc[1] == pytest.approx(336_666.67 + 100_000.0, abs=1e-9)
    tidy = tidy_savings(s)
    assert set(tidy["indicator"]) == {"big_package_savings"} and tidy["value"].iloc[0] == 10_000.0


def test_years_filter_and_unknown_county():
    assert savings_by_year(_tables(), "C01", years=[2016, 2018])["year"].tolist() == [2018]
    assert savings_by_year(_tables(), "C99").empty
