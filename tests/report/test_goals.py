"""The national 2025 goal in the province overview (seed 004, params/targets.yaml)."""

from types import SimpleNamespace

import pandas as pd

from toolkit.report.context import ReportContext
from toolkit.report.goals import close_community_goal, close_community_share


def _ctx(year, lang="zh"):
    # 10 counties: 6 reformed 2017–2019, 2 in 2024, 2 never → 2023: 6 of 10; 2024: 8 of 10
    reform = [2017, 2017, 2019, 2019, 2019, 2019, 2024, 2024, None, None]
    cy = pd.DataFrame(
        {
            "county_id": [f"C{i:02d}" for i in range(1, 11)],
            "year": year,
            "county_name": [f"县{i}" for i in range(1, 11)],
            "reform_year": reform,
        }
    )
    ds = SimpleNamespace(tables={"county_year": cy}, data_hash="x", files={}, root=".")
    return ReportContext(ds, None, year, lang, None, 5, None, "interactive", "province_overview")


def test_share_counts_counties_under_the_reform_in_the_year():
    assert close_community_share(_ctx(2023).county_year, 2023) == (6, 10)
    assert close_community_share(_ctx(2024).county_year, 2024) == (8, 10)


def test_national_goal_shown_with_its_source_only_in_its_years():
    text = close_community_goal(_ctx(2024)).summary
    # 8 / 10 = 80.00% against ≥ 90.00% by 2025: 90 − 80 = 10.0 points to go
    assert "10 个县中 8 个（80.00%）" in text and "国家2025年目标：到2025年不低于 90.00%，尚差 10.0 个百分点" in text
    assert "国卫基层发〔2023〕41号" in text and "seed" not in text  # no English in a Chinese output
    # the goal was set at the end of 2023 (start year 2024): a 2023 overview states the share only
    assert "目标" not in close_community_goal(_ctx(2023)).summary
    en = close_community_goal(_ctx(2024, "en")).summary
    assert "national 2025 goal: at least 90.00% by 2025, 10.0 percentage points to go (seed 004" in en
