"""Province-level goals: the national 2025 goal for close county medical communities (seed 004).

国卫基层发〔2023〕41号 (seed 004, 指导意见): by the end of 2025, ≥ 90% of counties are to have
basically built a close county medical community. The data has no "built" flag; a county counts
when it is under the reform in the year (``county_year.reform_year`` ≤ year), which is what the
toolkit knows — the text says so. The goal's number, years and source are in ``params/targets.yaml``
(measure ``close_community_county_share``), shown only in the years it applies.
"""

from __future__ import annotations

import pandas as pd

from toolkit.report.bundle import Bundle
from toolkit.report.context import ReportContext
from toolkit.report.tables import fmt_pct
from toolkit.report.text import Markdown

MEASURE = "close_community_county_share"


def close_community_share(county_year: pd.DataFrame, year: int) -> tuple[int, int]:
    """(counties under the reform in ``year``, counties in the data that year)."""
    cy = county_year.loc[county_year["year"] == int(year), ["county_id", "reform_year"]].drop_duplicates("county_id")
    reformed = cy["reform_year"].notna() & (pd.to_numeric(cy["reform_year"], errors="coerce") <= int(year))
    return int(reformed.sum()), int(len(cy))


def close_community_goal(ctx: ReportContext) -> Bundle:
    """The share of the province's counties with a medical community against the national goal."""
    from toolkit.params.targets import target_value

    lang = ctx.lang
    n_in, n = close_community_share(ctx.county_year, int(ctx.year))
    share = n_in / n if n else float("nan")
    found = ctx.targets.applicable(MEASURE, int(ctx.year))
    if lang == "zh":
        text = f"{ctx.year}年全省 {n} 个县中 {n_in} 个（{fmt_pct(share)}）已实行县域医共体改革（以改革年份计）。"
    else:
        text = (
            f"In {ctx.year}, {n_in} of the province's {n} counties ({fmt_pct(share)}) are under the county "
            "medical community reform (counted from the reform year)."
        )
    for t in found:
        goal = target_value(t, None, int(ctx.year), ctx.params_dir)
        met = t.met(share, goal)
        word = ("不低于" if t.comparison == "at_least" else "不高于") if lang == "zh" else ""
        cite = t.cite(lang)
        if lang == "zh":
            gap = "已达到" if met else f"尚差 {abs(goal - share) * 100:.1f} 个百分点"
            by = f"到{t.target_year}年" if t.target_year else ""
            text += f"{t.label_zh}：{by}{word} {fmt_pct(goal)}，{gap}" + (f"（{cite}）" if cite else "") + "。"
        else:
            gap = "met" if met else f"{abs(goal - share) * 100:.1f} percentage points to go"
            comp = "at least" if t.comparison == "at_least" else "at most"
            by = f" by {t.target_year}" if t.target_year else ""
            text += f" {t.label_en}: {comp} {fmt_pct(goal)}{by}, {gap} ({cite})."
    return Bundle([Markdown(text)], summary=text)
