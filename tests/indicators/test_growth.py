"""Growth: year-on-year change and compound annual growth, hand-worked."""

import math

import pandas as pd
import pytest

from toolkit.errors import ToolkitError
from toolkit.indicators.growth import cagr, yoy, yoy_table


def test_cagr_of_the_seed_village_doctor_subsidy():
    # seed 000 §4.1: 41,000 (2017) → 66,000 yuan (2023), six years.
    # 66000/41000 = 1.6097561; ln = 0.4760827; /6 = 0.0793471; exp = 1.0825800 → 8.26 %, not 17.20 %
    g = cagr(41_000, 66_000, 2017, 2023)
    assert g.years == 6 and g.period == "2017–2023"
    assert g.rate == pytest.approx(0.0825800, abs=5e-7)
    assert round(g.rate * 100, 2) == 8.26


def test_yoy_hand_worked():
    # 2022 → 2023: 50 → 55 is +10 %
    g = yoy(50.0, 55.0, 2023)
    assert g.rate == pytest.approx(0.10) and g.period == "2022–2023"


@pytest.mark.parametrize(
    "args", [(0, 10, 2017, 2023), (10, 20, 2023, 2023), (10, 20, 2023, 2017), (-5, 10, 2017, 2018)]
)
def test_cagr_undefined_is_a_clear_error(args):
    with pytest.raises(ToolkitError, match="growth of value"):
        cagr(*args)


def test_yoy_table_skips_first_year_and_rejects_zero_previous():
    levels = pd.DataFrame(
        {"county_id": ["A", "A", "A", "B"], "year": [2020, 2021, 2022, 2021], "value": [100.0, 110.0, 99.0, 5.0]}
    )
    out = yoy_table(levels, ["county_id"], "village_doctor_subsidy_growth", "v").sort_values("year")
    # A 2021: 110/100 − 1 = 0.10; A 2022: 99/110 − 1 = −0.10; B has no 2020 → no row
    assert out["year"].tolist() == [2021, 2022]
    assert out["value"].tolist() == pytest.approx([0.10, -0.10])
    assert out["denominator"].tolist() == [100.0, 110.0]
    zero = levels.assign(value=[0.0, 1.0, 2.0, 3.0])
    with pytest.raises(ToolkitError, match="year-on-year change of v"):
        yoy_table(zero, ["county_id"], "village_doctor_subsidy_growth", "v")


def test_cagr_equals_chained_yoy():
    levels = [41_000, 45_000, 47_500, 52_000]
    chained = math.prod(1 + yoy(a, b, 2018).rate for a, b in zip(levels, levels[1:]))
    assert (1 + cagr(levels[0], levels[-1], 2017, 2020).rate) ** 3 == pytest.approx(chained)
