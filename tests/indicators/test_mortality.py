"""Premature NCD mortality, WHO SDG 3.4.1, with the arithmetic written out."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from toolkit.errors import ToolkitError
from toolkit.indicators.mortality import BANDS, band_probability, fay_feuer_interval, premature_mortality, sdg_3_4_1

NCD_DEATHS = [5, 8, 12, 20, 35, 50, 80, 120]  # per band 30–34 … 65–69, population 10,000 each


def deaths_table(sex="all", ncd=NCD_DEATHS, population=10_000, county="C01", year=2023, split=True):
    """One row per cause; the NCD deaths of a band are split over the four causes, plus 'other'."""
    rows = []
    for band, d in zip(BANDS, ncd):
        parts = [d - 3 * (d // 4), d // 4, d // 4, d // 4] if split else [d, 0, 0, 0]
        for cause, n in zip(("cvd", "cancer", "diabetes", "crd"), parts):
            rows.append((county, year, sex, band, cause, n, population))
        rows.append((county, year, sex, band, "other", 999, population))  # ignored
    rows.append((county, year, sex, "70-74", "cvd", 500, 8_000))  # outside 30–69: ignored
    return pd.DataFrame(rows, columns=["county_id", "year", "sex", "age_band", "cause", "deaths", "population"])


def test_hand_worked_example():
    # M = deaths / 10,000:      0.0005 0.0008 0.0012 0.0020 0.0035 0.0050 0.0080 0.0120
    # 5q = 5M / (1 + 2.5M):
    #   0.0025/1.00125 = 0.00249688   0.0040/1.0020 = 0.00399202   0.0060/1.0030 = 0.00598205
    #   0.0100/1.00500 = 0.00995025   0.0175/1.00875 = 0.01734820  0.0250/1.0125 = 0.02469136
    #   0.0400/1.02000 = 0.03921569   0.0600/1.03000 = 0.05825243
    # running Π(1 − 5q): 0.99750312 0.99352107 0.98757778 0.97775113 0.96078891 0.93706572 0.90031805 0.84787234
    # P = 1 − 0.84787234 = 0.15212766
    q = band_probability(np.array(NCD_DEATHS) / 10_000)
    assert q == pytest.approx(
        [0.00249688, 0.00399202, 0.00598205, 0.00995025, 0.01734820, 0.02469136, 0.03921569, 0.05825243], abs=5e-9
    )
    out = premature_mortality(deaths_table())
    row = out.iloc[0]
    assert row["indicator"] == "premature_ncd_mortality"
    assert row["value"] == pytest.approx(0.15212766, abs=5e-9)
    assert (row["numerator"], row["denominator"]) == (330.0, 80_000.0)  # 330 NCD deaths, 8 × 10,000 people
    assert row["lower"] < row["value"] < row["upper"]


def test_zero_deaths_in_a_band_and_in_all_bands():
    # band 30–34 with zero deaths: 5q = 0, the product runs over the other seven bands
    # Π = 0.84787234 / 0.99750312 = 0.84999468 → P = 0.15000532
    out = premature_mortality(deaths_table(ncd=[0] + NCD_DEATHS[1:]))
    assert out.iloc[0]["value"] == pytest.approx(1 - 0.84787234 / 0.99750312, abs=1e-8)
    none = premature_mortality(deaths_table(ncd=[0] * 8)).iloc[0]
    # no deaths: P = 0, lower 0; upper = 1 − exp(−(5/10,000) × 3.6889) (Garwood upper for 0 events is χ²(0.975; 2)/2 = 3.6889)
    assert (none["value"], none["lower"]) == (0.0, 0.0)
    assert none["upper"] == pytest.approx(1 - np.exp(-5 / 10_000 * stats.chi2.ppf(0.975, 2) / 2))


def test_zero_population_is_a_clear_error():
    table = deaths_table()
    table.loc[table["age_band"] == "45-49", "population"] = 0
    with pytest.raises(ToolkitError) as err:
        premature_mortality(table)
    text = err.value.render()
    assert "zero population" in text and "45-49" in text and "column 'population'" in text and "rows" in text


def test_missing_band_and_uneven_population_are_errors():
    with pytest.raises(ToolkitError, match="missing 60-64"):
        premature_mortality(deaths_table().query("age_band != '60-64'"))
    table = deaths_table()
    table.loc[0, "population"] = 9_999
    with pytest.raises(ToolkitError, match="population differs"):
        premature_mortality(table)


def test_sexes_and_both_sexes_from_male_plus_female():
    male = deaths_table("male", ncd=[d * 2 for d in NCD_DEATHS], population=5_000)
    female = deaths_table("female", ncd=[0] * 8, population=5_000)
    out = premature_mortality(pd.concat([male, female]))
    by = dict(zip(out["indicator"], out["value"]))
    # men: M = 2d / 5,000 = 4 × the example's M  →  e.g. 30–34: M = 0.002, 5q = 0.01/1.005
    m = np.array(NCD_DEATHS) * 2 / 5_000
    assert by["premature_ncd_mortality_male"] == pytest.approx(1 - np.prod(1 - 5 * m / (1 + 2.5 * m)))
    assert by["premature_ncd_mortality_female"] == 0.0
    # both sexes summed per band: deaths 2d + 0, population 10,000 → M = 2d / 10,000
    a = np.array(NCD_DEATHS) * 2 / 10_000
    assert by["premature_ncd_mortality"] == pytest.approx(1 - np.prod(1 - 5 * a / (1 + 2.5 * a)))
    # 'all' rows, when given, are used as they are
    with_all = premature_mortality(pd.concat([male, female, deaths_table("all")]))
    assert with_all.loc[with_all["indicator"] == "premature_ncd_mortality", "value"].item() == pytest.approx(
        0.15212766, abs=5e-9
    )


def test_single_band_interval_is_the_exact_poisson_interval():
    # Fay–Feuer with one weight w reduces to w × Garwood: [χ²(0.025; 2D)/2, χ²(0.975; 2D+2)/2] × w
    lo, hi = fay_feuer_interval(np.array([7.0]), np.array([5 / 2_000]))
    assert lo == pytest.approx(5 / 2_000 * stats.chi2.ppf(0.025, 14) / 2)
    assert hi == pytest.approx(5 / 2_000 * stats.chi2.ppf(0.975, 16) / 2)


@pytest.mark.parametrize("population", [800, 3_000])
def test_interval_covers_in_simulation(population):
    # small counties: Poisson deaths around known rates; the 95 % interval must cover the true P
    # in at least 93 % of 1,000 draws (fixed seed; the gamma method is conservative)
    rates = np.array([0.0003, 0.0005, 0.0008, 0.0012, 0.002, 0.003, 0.005, 0.008])
    n = np.full(8, population)
    truth = 1 - np.prod(1 - band_probability(rates))
    rng = np.random.default_rng(20240901)
    hits = 0
    for _ in range(1_000):
        r = sdg_3_4_1(rng.poisson(rates * n), n)
        hits += r.lower <= truth <= r.upper
    assert 0.93 <= hits / 1_000 <= 0.995


def test_independent_of_row_order_and_of_how_causes_are_split():
    table = pd.concat([deaths_table("male", population=5_000), deaths_table("female", population=5_000, county="C02")])
    expected = premature_mortality(table)
    for seed in range(5):
        pd.testing.assert_frame_equal(premature_mortality(table.sample(frac=1, random_state=seed)), expected)
    # the same NCD deaths put all on cvd give the same probability (only the four-cause sum counts)
    lumped = premature_mortality(deaths_table(split=False)).iloc[0]["value"]
    assert lumped == premature_mortality(deaths_table()).iloc[0]["value"]
