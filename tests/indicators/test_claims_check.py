"""Checking a report's stated figures against the data (seed 000 §4.1's own claims)."""

import pandas as pd
import pytest

from toolkit.errors import ToolkitError, ValidationError
from toolkit.indicators.claims_check import Claim, check_claims, parse_stated, read_claims_file


def values() -> pd.DataFrame:
    """Tidy indicator values as compute_indicators returns them (only the columns used)."""
    rows = [
        ("C01", 2017, "village_doctor_subsidy_per_doctor", 41_000.0),
        ("C01", 2022, "village_doctor_subsidy_per_doctor", 60_000.0),
        ("C01", 2023, "village_doctor_subsidy_per_doctor", 66_000.0),
        ("C01", 2023, "income_ratio", 0.991600),
        ("C02", 2023, "income_ratio", 0.80),
    ]
    return pd.DataFrame(rows, columns=["county_id", "year", "indicator", "value"])


def test_parse_stated_precision():
    assert parse_stated("17.20%").value == pytest.approx(0.1720) and parse_stated("17.20%").half_unit == pytest.approx(
        0.00005
    )
    assert parse_stated("6.6万").value == 66_000 and parse_stated("6.6万").half_unit == 500
    assert parse_stated("66,000").value == 66_000 and parse_stated("66,000").half_unit == 0.5
    assert parse_stated(0.172).half_unit == pytest.approx(0.0005)
    for bad in ("about 17%", True, "17.2.0%"):
        with pytest.raises(ValueError):
            parse_stated(bad)


def test_seed_subsidy_growth_claim_is_flagged_and_income_ratio_passes():
    claims = [
        Claim(
            "village_doctor_subsidy_per_doctor",
            "cagr",
            "17.20%",
            county="C01",
            start=2017,
            end=2023,
            text="村医人均补助年均增长17.20%",
        ),
        Claim("village_doctor_subsidy_per_doctor", "cagr", "8.26%", county="C01", start=2017, end=2023),
        Claim("income_ratio", "value", "99.16%", county="C01", year=2023),
        Claim("village_doctor_subsidy_per_doctor", "yoy", "10.00%", county="C01", year=2023),
        Claim("village_doctor_subsidy_per_doctor", "change", "61%", county="C01", start=2017, end=2023),
    ]
    out = check_claims(claims, values())
    # cagr: (66,000 / 41,000)^(1/6) − 1 = 0.082580; stated 0.1720 → difference 0.089420 ≫ 0.00005
    first = out.iloc[0]
    assert first["recomputed"] == pytest.approx(0.082580, abs=1e-6) and first["difference"] == pytest.approx(
        0.089420, abs=1e-6
    )
    assert not first["ok"] and "DOES NOT FOLLOW" in first["explanation"] and "8.26%" in first["explanation"]
    assert first["period"] == "2017–2023" and first["tolerance"] == pytest.approx(0.00005)
    # 8.26 % is the correctly rounded compound rate: |0.0826 − 0.082580| = 0.000020 ≤ 0.00005
    assert out["ok"].tolist() == [False, True, True, True, True]
    # yoy 2023: 66,000 / 60,000 − 1 = 0.10; change 2017–2023: 66,000 / 41,000 − 1 = 0.6098 ≈ "61%" (±0.5 points)
    assert out.iloc[3]["recomputed"] == pytest.approx(0.10) and out.iloc[4]["recomputed"] == pytest.approx(
        0.609756, abs=1e-6
    )


def test_tolerance_and_county_rules():
    strict = check_claims([Claim("income_ratio", "value", 0.99, county="C01", year=2023, tolerance=0.001)], values())
    assert not strict.iloc[0]["ok"]  # |0.99 − 0.9916| = 0.0016 > 0.001
    with pytest.raises(ToolkitError, match="name its county"):
        check_claims([Claim("income_ratio", "value", "99.16%", year=2023)], values())
    with pytest.raises(ToolkitError, match="no income_ratio for county C01 in 2019; the data has 2023"):
        check_claims([Claim("income_ratio", "value", "99.16%", county="C01", year=2019)], values())
    with pytest.raises(ValidationError, match="kind"):
        check_claims([Claim("income_ratio", "guess", "99.16%", county="C01", year=2019)], values())


def test_read_claims_file_and_its_errors(tmp_path):
    good = tmp_path / "claims.yaml"
    good.write_text(
        "claims:\n"
        "  - text: village doctor subsidy grew on average 17.20% a year from 2017 to 2023\n"
        "    indicator: village_doctor_subsidy_per_doctor\n    kind: cagr\n    county: C01\n"
        "    start: 2017\n    end: 2023\n    stated: 17.20%\n"
        "  - {indicator: income_ratio, kind: value, county: C01, year: 2023, stated: 99.16%}\n",
        encoding="utf-8",
    )
    claims = read_claims_file(good)
    assert [c.kind for c in claims] == ["cagr", "value"] and claims[0].stated == "17.20%"
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "- {indicator: nope, kind: cagr, start: 2023, end: 2017, stated: lots, colour: red}\n", encoding="utf-8"
    )
    with pytest.raises(ValidationError) as err:
        read_claims_file(bad)
    text = err.value.render()
    for expected in (
        "column 'indicator'",
        "column 'start/end'",
        "column 'stated'",
        "column 'colour'",
        "row 1",
        "bad.yaml",
    ):
        assert expected in text
