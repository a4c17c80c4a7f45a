"""Province-level goals: the national 2025 goal for close county medical communities (seed 004).

国卫基层发〔2023〕41号 (seed 004, 指导意见): by the end of 2025, ≥ 90% of counties are to have
basically built a close county medical community. The data has no "built" flag; a county counts
when it is under the reform in the year (``county_year.reform_year`` ≤ year), which is what the
toolkit knows — the text says so. The goal's number, years and source are in ``params/targets.yaml``
(measure ``close_community_county_share``), shown only in the years it applies.
"""

from __future__ import annotations

import pandas as pd

from toolkit.catalogue import localized
from toolkit.report.bundle import Bundle
from toolkit.report.context import ReportContext
from toolkit.report.labels import message
from toolkit.report.tables import fmt_pct
from toolkit.report.text import Markdown, each_lang

MEASURE = "close_community_county_share"


def close_community_share(county_year: pd.DataFrame, year: int) -> tuple[int, int]:
    """(counties under the reform in ``year``, counties in the data that year)."""
    cy = county_year.loc[county_year["year"] == int(year), ["county_id", "reform_year"]].drop_duplicates("county_id")
    reformed = cy["reform_year"].notna() & (pd.to_numeric(cy["reform_year"], errors="coerce") <= int(year))
    return int(reformed.sum()), int(len(cy))


def close_community_goal(ctx: ReportContext) -> Bundle:
    """The share of the province's counties with a medical community against the national goal."""
    from toolkit.params.targets import target_value

    n_in, n = close_community_share(ctx.county_year, int(ctx.year))
    share = n_in / n if n else float("nan")
    found = ctx.targets.applicable(MEASURE, int(ctx.year))

    def sentence(lang: str) -> str:
        text = message("goal_share_sentence", lang, year=ctx.year, n=n, n_in=n_in, share=fmt_pct(share))
        for t in found:
            goal = target_value(t, None, int(ctx.year), ctx.params_dir)
            gap = abs(goal - share) * 100
            cite = t.cite(lang)
            text += message(
                "goal_target_sentence",
                lang,
                name=localized(t, "label", lang),
                by=message("goal_by_year", lang, year=t.target_year) if t.target_year else "",
                comparison=message(f"goal_{t.comparison}", lang),
                goal=fmt_pct(goal),
                gap=message("goal_met", lang) if t.met(share, goal) else message("goal_gap", lang, points=f"{gap:.1f}"),
                cite=message("goal_cite", lang, cite=cite) if cite else "",
            )
        return text

    text = each_lang(ctx.lang, sentence)
    return Bundle([Markdown(text)], summary=text)
