"""Sections of the reform evaluation (notebooks/reform_evaluation.ipynb): difference-in-differences
of the outcomes the reform claims (rules.md §6, seed 000 §4.1) — hospitalisation rate, premature
mortality from major chronic diseases, township/county-hospital income ratio.

The county-year panel comes from the indicator table (one value per county and year) and the
county's ``reform_year`` (first year under the reform; empty = never reformed → cohort 0). The
headline estimator is Callaway–Sant'Anna (robust to staggered adoption); the static two-way fixed
effects estimate is shown beside it because it is what most published evaluations report.
"""

from __future__ import annotations

import pandas as pd

from toolkit.errors import ToolkitError
from toolkit.report import figures
from toolkit.report.bundle import Bundle
from toolkit.report.context import ReportContext
from toolkit.report.labels import label
from toolkit.report.tables import HtmlTable, fmt_number
from toolkit.report.text import Markdown, did_paragraph, effect_decimals, fmt_effect

#: outcomes the evaluation covers (indicator ids of the registry)
OUTCOMES = ("hospitalisation_rate", "premature_ncd_mortality", "income_ratio")
CONTROLS = ("notyet", "never")


def _unit(outcome: str) -> str:
    from toolkit.indicators.registry import get

    u = get(outcome).unit
    return "fraction" if u in ("fraction", "probability") else u


def check_outcome(outcome: str) -> str:
    if outcome not in OUTCOMES:
        raise ToolkitError(f"parameter outcome: value {outcome!r} — expected one of {', '.join(OUTCOMES)}")
    return outcome


def outcome_panel(ctx: ReportContext, outcome: str) -> pd.DataFrame:
    """Long panel ``county_id, year, y, first_treat`` (0 = never reformed), sorted."""
    check_outcome(outcome)
    d = ctx.indicators.loc[ctx.indicators["indicator"] == outcome, ["county_id", "year", "value"]]
    d = d.dropna(subset=["value"]).rename(columns={"value": "y"})
    d["first_treat"] = [ctx.reform_years.get(c) or 0 for c in d["county_id"]]
    return d.sort_values(["county_id", "year"]).reset_index(drop=True)


def cohort_means(ctx: ReportContext, outcome: str) -> pd.DataFrame:
    p = outcome_panel(ctx, outcome)
    return (
        p.groupby(["first_treat", "year"], as_index=False)["y"]
        .mean()
        .rename(columns={"first_treat": "cohort", "y": "value"})
    )


def cohort_trends(ctx: ReportContext, outcome: str):
    """Mean outcome per reform cohort over the years (cohort 0 = never reformed)."""
    fig = figures.cohort_trends(
        cohort_means(ctx, outcome),
        f"{label(outcome, ctx.lang)} · {label('trends_by_cohort', ctx.lang)}",
        lang=ctx.lang,
        percent=_unit(outcome) == "fraction",
    )
    return figures.show(fig)


def estimates(ctx: ReportContext, outcome: str, control: str = "notyet") -> dict:
    """Callaway–Sant'Anna (``cs``), static TWFE (``twfe``) and event-study TWFE (``event``) results,
    cached on the context."""
    if control not in CONTROLS:
        raise ToolkitError(f"parameter control: value {control!r} — expected one of {', '.join(CONTROLS)}")
    key = ("did", outcome, control)
    if key not in ctx._memo:
        from toolkit.did.event_study import event_study
        from toolkit.did.staggered import callaway_santanna
        from toolkit.did.twfe import twfe

        p = outcome_panel(ctx, outcome)
        cols = dict(yname="y", idname="county_id", tname="year", gname="first_treat")
        ctx._memo[key] = {
            "cs": callaway_santanna(p, control=control, **cols),
            "twfe": twfe(p, **cols),
            "event": event_study(p, **cols),
        }
    return ctx._memo[key]


def event_study_figure(ctx: ReportContext, outcome: str, control: str = "notyet"):
    """Callaway–Sant'Anna dynamic effects with pointwise 95% intervals and simultaneous bands."""
    res = estimates(ctx, outcome, control)["cs"]
    fig = figures.event_study(
        res.event_study,
        f"{label(outcome, ctx.lang)} · {label('event_study', ctx.lang)}",
        lang=ctx.lang,
        percent=_unit(outcome) == "fraction",
    )
    return figures.show(fig)


def _reference(dist: str, df1, df2=None, *, two_df: bool = False) -> str:
    """``F(q, d)`` / ``χ²(q)``; "—" when there is no test (no df, or a denominator df below 1)."""
    if df1 is None or (isinstance(df1, (int, float)) and df1 == 0):
        return "—"
    if two_df and (df2 is None or df2 < 1):
        return "—"
    return f"{dist}({fmt_number(df1, 0)}{'' if df2 is None else ', ' + fmt_number(df2, 0)})"


def _not_possible(test: dict, lang: str) -> str | None:
    """ "not possible with N counties" for a pre-test that could not be run, else None."""
    if not isinstance(test, dict) or test.get("possible") is not False:
        return None
    n = test.get("n_clusters")
    return f"{n} 个县无法检验" if lang == "zh" else f"not possible with {n} counties"


def pretrend_table(ctx: ReportContext, outcome: str, control: str = "notyet") -> HtmlTable:
    """Pre-trend tests: the one the verdict uses (CS pre-reform event-time effects, small-sample F),
    R did's Wald test over all pre-reform ATT(g,t) (for comparison with R), the TWFE event-study leads."""
    r = estimates(ctx, outcome, control)
    lang = ctx.lang
    cs_d = r["cs"].diagnostics
    dyn = cs_d.get("pretrend") or {}
    ev = r["event"].diagnostics.get("pretrend") or {}
    rows = [
        (
            label("pretest_cs_event_times", lang),
            _not_possible(dyn, lang) or dyn.get("stat_f"),
            _reference("F", dyn.get("df1"), dyn.get("df2"), two_df=True),
            dyn.get("p_value"),
        ),
        (
            label("pretest_cs_all_cells", lang),
            cs_d.get("pretest_wald"),
            _reference("χ²", cs_d.get("pretest_df")),
            cs_d.get("pretest_p_value"),
        ),
        (
            label("pretest_twfe_event", lang),
            _not_possible(ev, lang) or ev.get("stat_f"),
            _reference("F", ev.get("df1"), ev.get("df2"), two_df=True),
            ev.get("p_value"),
        ),
    ]
    table = pd.DataFrame(
        {
            label("pretest", lang): [r_[0] for r_ in rows],
            label("test_statistic", lang): [r_[1] if isinstance(r_[1], str) else fmt_number(r_[1], 3) for r_ in rows],
            label("reference_distribution", lang): [r_[2] for r_ in rows],
            label("p_value", lang): [fmt_number(r_[3], 3) for r_ in rows],
        }
    )
    return HtmlTable(
        table, caption=f"{label(outcome, lang)} · {label('pre_trend_test', lang)}", footnote=label("pretest_note", lang)
    )


def estimator_table(ctx: ReportContext, outcome: str, control: str = "notyet") -> HtmlTable:
    """The headline effect by estimator: estimate, standard error, 95% CI, p-value, units."""
    r = estimates(ctx, outcome, control)
    unit = _unit(outcome)
    lang = ctx.lang
    scale = 100 if unit == "fraction" else 1
    dec = effect_decimals(*(x.estimate * scale for x in (r["cs"], r["twfe"])))
    names = {"cs": "Callaway–Sant'Anna", "twfe": "TWFE"}
    rows = []
    for k in ("cs", "twfe"):
        x = r[k]
        rows.append(
            {
                label("estimator", lang): names[k],
                label("estimate", lang): fmt_effect(x.estimate, unit, True, dec),
                label("se", lang): fmt_effect(x.se, unit, False, dec),
                label(
                    "ci", lang
                ): f"{fmt_effect(x.ci_low, unit, True, dec)} – {fmt_effect(x.ci_high, unit, True, dec)}",
                label("p_value", lang): fmt_number(x.p_value, 3) if x.p_value is not None else "—",
                label("n_units", lang): str(x.n_units),
            }
        )
    note = ("效应以百分点表示。" if lang == "zh" else "Effects in percentage points.") if unit == "fraction" else None
    return HtmlTable(
        pd.DataFrame(rows), caption=f"{label(outcome, lang)} · {label('estimators_compared', lang)}", footnote=note
    )


def plain_language(ctx: ReportContext, outcome: str, control: str = "notyet") -> Markdown:
    """What changed, how sure we are — generated from the estimates (toolkit.report.text)."""
    r = estimates(ctx, outcome, control)
    # the verdict rests on the robust estimator's own pre-test only; the TWFE lead test is in the
    # table for comparison and never stands in for it (not even when the robust one is not possible)
    text = did_paragraph(label(outcome, ctx.lang), r["cs"], r["twfe"], lang=ctx.lang, unit=_unit(outcome))
    warnings = [w for k in ("cs", "twfe") for w in r[k].warnings]
    if warnings:
        text += "\n\n" + ("注意：" if ctx.lang == "zh" else "Note: ") + " ".join(sorted(set(warnings)))
    return Markdown(text)


def outcome_section(ctx: ReportContext, outcome: str, control: str = "notyet") -> Bundle:
    """Everything for one outcome, in reading order."""
    summary = f"{outcome}: " + ", ".join(
        f"{k} {fmt_number(v.estimate, 4)}" for k, v in estimates(ctx, outcome, control).items() if k != "event"
    )
    return Bundle(
        [
            Markdown(f"### {label(outcome, ctx.lang)}"),
            plain_language(ctx, outcome, control),
            cohort_trends(ctx, outcome),
            event_study_figure(ctx, outcome, control),
            estimator_table(ctx, outcome, control),
            pretrend_table(ctx, outcome, control),
        ],
        summary=summary,
    )
