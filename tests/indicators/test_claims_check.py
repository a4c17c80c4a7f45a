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
    assert (
        not first["ok"]
        and first["explanation"].endswith("not consistent with the data")
        and "8.26%" in first["explanation"]
    )
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


def _savings(values):
    return pd.DataFrame(
        {
            "county_id": "C01",
            "year": list(range(2017, 2017 + len(values))),
            "indicator": "big_package_savings",
            "value": values,
        }
    )


def test_streak_of_seven_years_of_savings_by_hand():
    streak = Claim("big_package_savings", "streak", None, county="C01", start=2017, end=2023, text="连续7年结余")
    # savings 2017–2023 (万元 × 10,000): 1.2, 0.8, 0.5, 0.1, 0.3, 0.9, 1.1 — all 7 > 0 → the streak holds
    good = check_claims([streak], _savings([12_000.0, 8_000, 5_000, 1_000, 3_000, 9_000, 11_000]), lang="zh")
    row = good.iloc[0]
    assert row["ok"] and row["stated"] == 7 and row["recomputed"] == 7 and row["status"] == "consistent"
    assert "共7年" in row["explanation"] and "与数据相符" in row["explanation"]
    # 2020 overspent (−1,000): 6 of 7 years → the claim does not follow, and the year is named
    bad = check_claims([streak], _savings([12_000.0, 8_000, 5_000, -1_000, 3_000, 9_000, 11_000])).iloc[0]
    assert not bad["ok"] and bad["recomputed"] == 6 and "not 2020" in bad["explanation"]
    # a zero-savings year is no saving (value must exceed 0)
    assert not check_claims([streak], _savings([1.0, 1, 1, 0, 1, 1, 1])).iloc[0]["ok"]


def test_streak_with_a_missing_year_is_not_checkable_in_a_report():
    streak = Claim("big_package_savings", "streak", 7, county="C01", start=2017, end=2023)
    six = _savings([1.0, 1, 1, 1, 1, 1])  # 2017–2022 only
    with pytest.raises(ToolkitError, match="in 2023"):
        check_claims([streak], six)
    row = check_claims([streak], six, missing="report").iloc[0]
    assert row["status"] == "not_checkable" and not row["ok"] and "cannot be checked" in row["explanation"]


def _mortality(values):
    return pd.DataFrame(
        {
            "county_id": "C01",
            "year": list(range(2017, 2017 + len(values))),
            "indicator": "premature_ncd_mortality",
            "value": values,
        }
    )


def test_trend_claim_needs_the_mann_kendall_test():
    down = Claim("premature_ncd_mortality", "trend", "稳步下降", county="C01", start=2017, end=2021)
    # 0.20, 0.18, 0.17, 0.15, 0.14: S = −10, exact p = 2/120 = 0.0167 < 0.05, Sen's slope −0.015 a year
    row = check_claims([down], _mortality([0.20, 0.18, 0.17, 0.15, 0.14]), lang="zh").iloc[0]
    assert row["ok"] and row["p_value"] == pytest.approx(2 / 120) and row["recomputed"] == pytest.approx(-0.015)
    assert "Mann–Kendall" in row["explanation"] and "-1.50个百分点" in row["explanation"]
    # flat 0.152, 0.156, 0.151, 0.155, 0.153: S = 0 (test_trend.py), p = 1 → no trend either way;
    # "稳步下降" does not follow
    flat = check_claims([down], _mortality([0.152, 0.156, 0.151, 0.155, 0.153])).iloc[0]
    assert not flat["ok"] and flat["p_value"] == pytest.approx(1.0) and "no significant trend" in flat["explanation"]
    # end points alone would say "down" (0.20 → 0.14) but one reversal in five years gives p = 0.083
    wobbly = check_claims([down], _mortality([0.20, 0.18, 0.19, 0.15, 0.14])).iloc[0]
    assert not wobbly["ok"] and wobbly["p_value"] == pytest.approx(10 / 120)
    up = Claim("premature_ncd_mortality", "trend", "上升", county="C01", start=2017, end=2021)
    assert not check_claims([up], _mortality([0.20, 0.18, 0.17, 0.15, 0.14])).iloc[0]["ok"]


def test_report_claims_file_by_county(tmp_path):
    from toolkit.indicators.claims_check import county_claims, dataset_claims

    f = tmp_path / "report_claims.yaml"
    f.write_text(
        "C01:\n"
        "  - {text: 收入比99.16%, indicator: income_ratio, kind: value, year: 2023, stated: '99.16%'}\n"
        "  - {text: 连续7年结余, indicator: big_package_savings, kind: streak, start: 2017, end: 2023}\n"
        "C03:\n"
        "  - {indicator: premature_ncd_mortality, kind: trend, start: 2017, end: 2023, stated: 下降}\n",
        encoding="utf-8",
    )
    c01 = county_claims(f, "C01")
    assert [c.kind for c in c01] == ["value", "streak"] and {c.county for c in c01} == {"C01"}
    assert county_claims(f, "C02") == []
    assert [c.county for c in read_claims_file(f)] == ["C01", "C01", "C03"]
    assert dataset_claims(tmp_path, "C03")[1] == f and dataset_claims(tmp_path / "nowhere", "C01") == ([], None)
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "C01:\n  - {indicator: income_ratio, kind: trend, start: 2017, end: 2023, stated: 平稳, county: C02}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as err:
        read_claims_file(bad)
    assert "column 'county'" in err.value.render() and "column 'stated'" in err.value.render()


def test_each_language_and_both_from_the_catalogue():
    claim = Claim("income_ratio", "value", "99.16%", county="C01", year=2023)
    zh = check_claims([claim], values(), lang="zh").iloc[0]["explanation"]
    en = check_claims([claim], values(), lang="en").iloc[0]["explanation"]
    assert zh == "表述 99.16%，重新计算 99.16%（2023年基层机构人均工资收入达牵头医院人均工资收入的比例）：与数据相符"
    assert en.startswith("stated 99.16%, recomputed 99.16% (") and en.endswith(" in 2023): consistent with the data")
    # both: the whole Chinese sentence, then the whole English one
    assert check_claims([claim], values(), lang="both").iloc[0]["explanation"] == f"{zh} / {en}"
    # 2019 and 2020 overspent: the years are listed with the list mark of each language
    streak = Claim("big_package_savings", "streak", None, county="C01", start=2017, end=2023)
    broken = _savings([12_000.0, 8_000, -5_000, -1_000, 3_000, 9_000, 11_000])
    assert "（2019、2020年未达到）" in check_claims([streak], broken, lang="zh").iloc[0]["explanation"]
    assert "(not 2019, 2020)" in check_claims([streak], broken, lang="en").iloc[0]["explanation"]
    # a claim the data cannot check, in both languages: the Chinese sentence names the period
    future = Claim("income_ratio", "value", "99%", county="C01", year=2030)
    text = check_claims([future], values(), lang="both", missing="report").iloc[0]["explanation"]
    assert text.startswith("数据中没有核对所需的年份（2030）：无法核对 / cannot be checked: ")
