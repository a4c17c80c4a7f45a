"""Number formats as commissions write them; bilingual headers."""

import pandas as pd
import pytest

from toolkit.report.labels import label
from toolkit.report.tables import fmt_int, fmt_pct, fmt_pp, fmt_wan, fmt_yuan, format_table, to_html


def test_wan_two_decimals_thousands_half_up():
    # 12,345,678 yuan / 10,000 = 1,234.5678 万元 → 1,234.57
    assert fmt_wan(12_345_678) == "1,234.57"
    # 1,250 yuan = 0.125 万元 → half-up → 0.13 (binary rounding would give 0.12)
    assert fmt_wan(1250) == "0.13"
    assert fmt_wan(-50) == "-0.01"  # -0.005 → half-up away from zero
    assert fmt_wan(0.4) == "0.00"  # not "-0.00", not "0"
    assert fmt_wan(None) == "—"
    assert fmt_wan(float("nan")) == "—"


def test_percentages_from_fractions():
    assert fmt_pct(0.9916) == "99.16%"  # seed 000 §4.1 income ratio as written
    assert fmt_pct(0.0826) == "8.26%"
    assert fmt_pct(0.48) == "48.00%"
    assert fmt_pct(1) == "100.00%"
    assert fmt_pct(0.000049) == "0.00%"
    assert fmt_pp(0.0123) == "+1.23"
    assert fmt_pp(-0.0123) == "-1.23"


def test_counts_and_yuan():
    assert fmt_int(1234567) == "1,234,567"
    assert fmt_int(4) == "4"
    assert fmt_yuan(2.675) == "2.68"  # float 2.675 is 2.67499…; half-up on the decimal text


def test_format_table_labels_and_kinds():
    df = pd.DataFrame({"year": [2022, 2023], "savings": [1_000_000.0, 25_000.0], "share": [0.5, 0.9916]})
    out = format_table(df, {"savings": "wan", "share": "pct"}, lang="zh", labels={"share": "占比"})
    assert list(out.columns) == ["年份", "结余", "占比"]
    assert out.iloc[1].tolist() == ["2023", "2.50", "99.16%"]  # years never get a thousands separator
    en = format_table(df, {"year": "text", "savings": "wan", "share": "pct"}, lang="en")
    assert list(en.columns) == ["Year", "Savings", "share"]
    assert en.iloc[0].tolist() == ["2022", "100.00", "50.00%"]
    assert df["savings"].tolist() == [1_000_000.0, 25_000.0]  # input untouched


def test_labels_both_and_unknown_language():
    assert label("reform", "both") == "改革 / Reform"
    assert label("no_such_key", "en") == "no_such_key"
    from toolkit.errors import ToolkitError

    with pytest.raises(ToolkitError, match="expected one of"):
        label("reform", "fr")


def test_html_table_escapes():
    html = to_html(pd.DataFrame({"名称": ["<b>"], "值": ["1.00"]}), caption="表", footnote="注")
    assert "&lt;b&gt;" in html and "<caption>表</caption>" in html
