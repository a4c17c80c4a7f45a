"""Sections of the reform evaluation (notebooks/reform_evaluation.ipynb): difference-in-differences
of an outcome the reform claims to move (rules.md §6, seed 000 §4.1) — by default hospitalisation
rate, premature mortality from major chronic diseases, township/county-hospital income ratio.

The county-year panel comes from the indicator table (one value per county and year; any
indicator id, or a numeric column of ``county_year``) and the county's ``reform_year`` (first
year under the reform; empty = never reformed → cohort 0). The headline estimator is a parameter
(``estimator``, default Callaway–Sant'Anna, robust to staggered adoption; any of
:data:`toolkit.did.api.ESTIMATORS`); the static two-way fixed-effects estimate is shown beside it
because it is what most published evaluations report. ``control``, ``covariates`` (columns of
``county_year``) and ``counties`` (a subset) are parameters too; :func:`specification` says in
words what was run.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from toolkit.catalogue import has
from toolkit.did.result import estimator_name
from toolkit.errors import ToolkitError
from toolkit.report import figures
from toolkit.report.bundle import Bundle
from toolkit.report.context import ReportContext
from toolkit.report.labels import label, message
from toolkit.report.tables import HtmlTable, fmt_number
from toolkit.report.text import Markdown, did_paragraph, each_lang, each_line, effect_decimals, fmt_effect, sentences

#: outcomes the evaluation covers (indicator ids of the registry)
OUTCOMES = ("hospitalisation_rate", "premature_ncd_mortality", "income_ratio")
CONTROLS = ("notyet", "never")


def _unit(outcome: str) -> str:
    from toolkit.indicators.registry import get

    try:
        u = get(outcome).unit
    except (KeyError, ToolkitError):
        return "number"  # a county_year column, not a registry indicator
    return "fraction" if u in ("fraction", "probability") else u


def check_outcome(outcome: str) -> str:
    if not isinstance(outcome, str) or not outcome:
        raise ToolkitError(
            f"parameter outcome: value {outcome!r} — expected an indicator id such as {', '.join(OUTCOMES)}"
        )
    return outcome


def _list(value: Sequence[str] | str | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    return tuple(value)


def outcome_panel(
    ctx: ReportContext, outcome: str, covariates: Sequence[str] | str = (), counties: Sequence[str] | str = ()
) -> pd.DataFrame:
    """Long panel ``county_id, year, y, first_treat`` (0 = never reformed) + covariates, sorted.

    ``outcome``: an indicator id of ``ctx.indicators`` or a numeric column of ``county_year``;
    ``covariates``: columns of ``county_year``; ``counties``: keep only these county ids (empty = all).
    """
    check_outcome(outcome)
    covariates, counties = _list(covariates), _list(counties)
    ind = ctx.indicators
    if (ind["indicator"] == outcome).any():
        d = ind.loc[ind["indicator"] == outcome, ["county_id", "year", "value"]].rename(columns={"value": "y"})
    else:
        cy = ctx.county_year if hasattr(ctx, "county_year") else None
        if cy is None or outcome not in cy.columns:
            known = sorted(set(ind["indicator"]))
            raise ToolkitError(
                f"parameter outcome: value {outcome!r} — not an indicator ({', '.join(known[:8])}…) nor a county_year column"
            )
        d = cy[["county_id", "year", outcome]].rename(columns={outcome: "y"})
    if covariates:
        cy = getattr(ctx, "county_year", None)
        missing = [c for c in covariates if cy is None or c not in cy.columns]
        if missing:
            raise ToolkitError(f"parameter covariates: {missing} — expected columns of county_year")
        d = d.merge(cy[["county_id", "year", *covariates]], on=["county_id", "year"], how="left")
    if counties:
        unknown = sorted(set(counties) - set(d["county_id"]))
        if unknown:
            raise ToolkitError(f"parameter counties: {unknown} — not counties of this dataset")
        d = d[d["county_id"].isin(counties)]
    d = d.dropna(subset=["y"])
    first, notes = reformed_within(ctx.reform_years, int(d["year"].max()) if len(d) else None)
    d["first_treat"] = [first.get(c, 0) for c in d["county_id"]]
    d.attrs["notes"] = notes
    return d.sort_values(["county_id", "year"]).reset_index(drop=True)


def reformed_within(reform_years: dict, last_year: int | None) -> tuple[dict, list[str]]:
    """County -> first reform year for the estimators, 0 for "not reformed within the data".

    A ``reform_year`` after the data's last year is a reform the window cannot see: such a county
    is not yet reformed within the window (first_treat 0, a comparison county), and a note says so,
    instead of the estimators failing on a cohort without any treated year.
    """
    late = dict(late_reforms(reform_years, last_year))
    first, notes = {}, []
    for county, year in sorted(reform_years.items()):
        if not year:
            continue
        if county in late:
            notes.append(
                f"{county}: reform year {int(year)} is after the data's last year {last_year} — treated as "
                f"not yet reformed within the window (县 {county} 改革年份 {int(year)} 晚于数据末年 {last_year}，按窗口内未改革处理)"
            )
            continue
        first[county] = int(year)
    return first, notes


def late_reforms(reform_years: dict, last_year: int | None) -> list[tuple[str, int]]:
    """(county, reform year) of the counties whose reform year is after ``last_year``, sorted."""
    if last_year is None:
        return []
    return [(c, int(y)) for c, y in sorted(reform_years.items()) if y and int(y) > last_year]


def late_reform_lines(ctx, panel: pd.DataFrame) -> list[str]:
    """The specification's lines for counties reformed after the panel's last year (catalogue
    ``reform_after_data``): such a county is a comparison county within the window."""
    if not len(panel):
        return []
    last = int(panel["year"].max())
    names = getattr(ctx, "county_names", None) or {}
    return [
        "- " + message("reform_after_data", ctx.lang, county=names.get(c, c), year=y, last=last)
        for c, y in late_reforms(ctx.reform_years, last)
        if c in set(panel["county_id"])
    ]


def research_panel(data_dir: str = "") -> pd.DataFrame:
    """The panel of the tutorial notebook (notebooks/evaluate_your_reform): a dataset folder's
    ``county_year`` table with ``first_treat`` (its ``reform_year``, 0 = never reformed), or, with
    ``data_dir`` empty, the public mpdta example (Callaway & Sant'Anna 2021: 500 US counties,
    2003–2007, log teen employment ``lemp``, first treated year ``first.treat``)."""
    if not data_dir:
        from toolkit.paths import MPDTA_CSV

        return pd.read_csv(MPDTA_CSV)
    from toolkit.data.load import load_dataset

    cy = load_dataset(data_dir, tables=["county_year"]).tables["county_year"].copy()
    reform = cy.groupby("county_id")["reform_year"].first().dropna().astype("int64").to_dict()
    first, notes = reformed_within(reform, int(cy["year"].max()))
    cy["first_treat"] = cy["county_id"].map(first).fillna(0).astype("int64")
    cy.attrs["notes"] = notes
    return cy


def cohort_means(ctx: ReportContext, outcome: str, counties: Sequence[str] | str = ()) -> pd.DataFrame:
    p = outcome_panel(ctx, outcome, counties=counties)
    return (
        p.groupby(["first_treat", "year"], as_index=False)["y"]
        .mean()
        .rename(columns={"first_treat": "cohort", "y": "value"})
    )


def _source(ctx: ReportContext, outcome: str, panel: pd.DataFrame) -> str:
    """The 资料来源 line under a table or figure of the evaluation: the dataset, the outcome's
    definition and the years the estimation used (toolkit.report.county.source_text)."""
    from toolkit.report.county import source_text

    return source_text(ctx, [outcome], (int(panel["year"].min()), int(panel["year"].max())))


def cohort_trends(ctx: ReportContext, outcome: str, counties: Sequence[str] | str = ()) -> Bundle:
    """Mean outcome per reform cohort over the years (cohort 0 = never reformed), its source under it."""
    from toolkit.report.text import SourceNote

    means = cohort_means(ctx, outcome, counties)
    fig = figures.cohort_trends(
        means,
        f"{label(outcome, ctx.lang)} · {label('trends_by_cohort', ctx.lang)}",
        lang=ctx.lang,
        percent=_unit(outcome) == "fraction",
    )
    shown = figures.show(fig)
    return Bundle([shown, SourceNote(_source(ctx, outcome, means))], summary=shown.alt)


def estimates(
    ctx: ReportContext,
    outcome: str,
    control: str = "notyet",
    *,
    estimator: str = "cs",
    covariates: Sequence[str] | str = (),
    counties: Sequence[str] | str = (),
) -> dict:
    """The headline result under ``"robust"`` (and under its estimator's name, e.g. ``"cs"``),
    static TWFE (``"twfe"``) and event-study TWFE (``"event"``), cached on the context.

    ``control`` is passed to the headline estimator when it defines one (cs: never/notyet; sa:
    never; bjs: notyet) — an estimator that defines only its own comparison uses that, and
    :func:`specification` names it."""
    from toolkit.did.api import ESTIMATORS, estimate

    if control not in CONTROLS:
        raise ToolkitError(f"parameter control: value {control!r} — expected one of {', '.join(CONTROLS)}")
    if estimator not in ESTIMATORS:
        raise ToolkitError(f"parameter estimator: value {estimator!r} — expected one of {', '.join(ESTIMATORS)}")
    covariates, counties = _list(covariates), _list(counties)
    key = ("did", outcome, control, estimator, covariates, counties)
    if key not in ctx._memo:
        p = outcome_panel(ctx, outcome, covariates, counties)
        cols = dict(yname="y", idname="county_id", tname="year", gname="first_treat", covariates=covariates)
        # estimators that define only their own comparison get it; TWFE-type use the regression's own
        own = {"sa": "never", "bjs": "notyet", "sdid": "never", "twfe": "notyet", "event": "notyet", "bacon": "notyet"}
        robust_control = own.get(estimator, control)
        robust = estimate(p, estimator=estimator, control=robust_control, **cols)
        twfe = robust if estimator == "twfe" else estimate(p, estimator="twfe", control="notyet", **cols)
        event = robust if estimator == "event" else estimate(p, estimator="event", control="notyet", **cols)
        ctx._memo[key] = {"robust": robust, estimator: robust, "twfe": twfe, "event": event, "panel": p}
    return ctx._memo[key]


#: the estimators' warnings (toolkit.did writes them in English): pattern → catalogue key, the named
#: groups filling the Chinese sentence (toolkit.report.labels "did_warning_*")
WARNING_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"^only one treated cluster:", "did_warning_one_treated_cluster"),
    (r"^permutation inference impossible", "did_warning_permutation_impossible"),
    (r"^only (?P<n>\d+) treated \(or control\) clusters", "did_warning_few_clusters"),
    (r"^(?P<n>\d+) clusters: Rademacher", "did_warning_rademacher"),
    (r"^dropped (?P<n>\d+) rows? with a missing outcome.*data row (?P<row>\d+)", "did_warning_dropped_rows"),
    (r"^dropped (?P<n>\d+) units? already treated in the first period (?P<year>\d+)", "did_warning_dropped_treated"),
    (r"first treated after the last period (?P<year>\d+)", "did_warning_late_cohort"),
    (r"^unbalanced panel \((?P<n>\d+) of (?P<total>\d+) unit-periods", "did_warning_unbalanced"),
    (r"^no never-treated units: cohort (?P<cohort>\d+) is used only", "did_warning_no_never"),
    (r"^no never-treated units: cohort (?P<cohort>\d+) is the control cohort", "did_warning_no_never_sa"),
    (r"^no comparison units for cohort (?P<cohort>\d+) in period (?P<year>\d+)", "did_warning_no_comparison"),
    (r"^cohort (?P<cohort>\d+) or its comparison units not observed", "did_warning_not_observed"),
    (r"^covariate matrix singular for cohort (?P<cohort>\d+) in period (?P<year>\d+)", "did_warning_singular"),
    (r"^the propensity score separates .* in (?P<n>\d+) cells?", "did_warning_separation"),
    (r"^pre-trend test rejects parallel pre-trends \(p = (?P<p>[0-9.e-]+)", "did_warning_pretrend_rejects"),
    (r"^(?P<share>[0-9.]+%) of the TWFE weight", "did_warning_bacon_late"),
    (r"^Sun–Abraham pre-trend test not possible", "did_warning_sa_pretrend_zero"),
    (r"^Sun–Abraham pre-trend test: the covariance", "did_warning_sa_pretrend_rank"),
    (r"^no placebo replications", "did_warning_no_placebo"),
    (r"^placebo standard errors need more", "did_warning_placebo_few"),
    (r"^one treated unit:", "did_warning_one_treated_unit"),
)


def warning_words(text: str, lang: str = "zh") -> str:
    """An estimator's warning in ``lang``: English as the estimator wrote it; Chinese from the catalogue
    (numbers carried over), or a pointer to the English report for a warning the catalogue lacks."""
    import re

    for pattern, key in WARNING_PATTERNS:
        m = re.search(pattern, text)
        if m:
            return message(key, lang, text=text, **m.groupdict())
    return message("did_warning_unknown", lang, text=text)


def base_period_words(base: str, lang: str = "zh") -> str:
    """``varying`` / ``universal`` (R did's base periods) in words; anything else as given."""
    key = f"did_base_{base}"
    return message(key, lang) if has(key) else str(base)


def inference_words(estimator: str, inference: str, lang: str = "zh") -> str:
    """How the estimator inferred: its own (English) words in English, the catalogue's in Chinese."""
    key = f"did_inference_{estimator}"
    if estimator == "bjs" and "bootstrap" not in inference:
        key = "did_inference_bjs_analytic"  # BJS's analytic variance (the default), not its bootstrap
    key = key if has(key) else "did_inference_other"
    return message(key, lang, text=inference)


def specification(ctx: ReportContext, outcome: str, control: str = "notyet", **spec) -> Markdown:
    """What was run, in words: estimator, comparison group, cohorts and their sizes, base period,
    clustering, bootstrap draws, covariates, counties, and event times resting on a single cohort."""
    r = estimates(ctx, outcome, control, **spec)
    res, p = r["robust"], r["panel"]
    sizes = p.groupby("county_id")["first_treat"].first().value_counts().sort_index()
    cohorts = ", ".join(f"{int(g)}: {int(n)}" for g, n in sizes.items() if g > 0)
    never = int(sizes.get(0, 0))
    opts = res.options
    control_key = "eval_control_" + (
        opts.get("control") or ("notyet" if res.estimator in ("twfe", "event", "bacon") else "never")
    )
    base = opts.get("base_period") or "—"
    draws = (
        opts.get("biters")
        if res.estimator == "bjs"
        else (opts.get("n_boot") if opts.get("bootstrap") not in (None, "none") else None)
    )
    n_clusters = (res.diagnostics.get("pretrend") or {}).get("n_clusters") or res.n_units
    es = res.event_study
    thin: list[int] = []
    if es is not None and "event_time" in es:
        first = p.groupby("county_id")["first_treat"].first()
        gs = [int(g) for g in first[first > 0]]
        years = set(int(y) for y in p["year"])
        for e in es["event_time"]:
            if len({g for g in gs if g + int(e) in years}) == 1:
                thin.append(int(e))
    covs = ", ".join(opts.get("covariates") or spec.get("covariates") or []) if spec.get("covariates") else ""
    counties = _list(spec.get("counties"))

    def lines_in(lang: str) -> list[str]:
        lines = [
            message(
                "eval_spec_method",
                lang,
                estimator=estimator_name(res.estimator),
                control=message(control_key, lang) if has(control_key) else "—",
                base=base_period_words(base, lang),
            ),
            message("eval_spec_cohorts", lang, cohorts=cohorts or "—", never=never),
            message(
                "eval_spec_inference",
                lang,
                inference=inference_words(res.estimator, res.inference, lang),
                n=n_clusters,
                draws=message("eval_spec_draws", lang, n=draws) if draws else "",
            ),
            message(
                "eval_spec_covariates",
                lang,
                covariates=covs or message("eval_spec_no_covariates", lang),
                counties=", ".join(counties) if counties else message("eval_spec_all_counties", lang),
            ),
        ]
        if thin:
            lines.append(message("eval_spec_single_cohort", lang, times=", ".join(map(str, thin))))
        return lines

    lines = each_line(ctx.lang, lines_in)
    lines += late_reform_lines(ctx, p)
    return Markdown("\n".join(lines))


def event_study_figure(ctx: ReportContext, outcome: str, control: str = "notyet", **spec):
    """The headline estimator's dynamic effects with pointwise 95% intervals (and simultaneous bands for CS)."""
    from toolkit.report.text import SourceNote

    r = estimates(ctx, outcome, control, **spec)
    fig = figures.event_study(
        r["robust"].event_study,
        f"{label(outcome, ctx.lang)} · {label('event_study', ctx.lang)}",
        lang=ctx.lang,
        percent=_unit(outcome) == "fraction",
    )
    shown = figures.show(fig)
    return Bundle([shown, SourceNote(_source(ctx, outcome, r["panel"]))], summary=shown.alt)


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
    return message("eval_not_possible", lang, n=n)


def pretrend_table(ctx: ReportContext, outcome: str, control: str = "notyet", **spec) -> HtmlTable:
    """Pre-trend tests: the one the verdict uses (CS pre-reform event-time effects, small-sample F),
    R did's Wald test over all pre-reform ATT(g,t) (for comparison with R), the TWFE event-study leads."""
    r = estimates(ctx, outcome, control, **spec)
    lang = ctx.lang
    robust = r["robust"]
    cs_d = robust.diagnostics
    dyn = cs_d.get("pretrend") or {}
    ev = r["event"].diagnostics.get("pretrend") or {}
    if robust.estimator == "cs":
        first = label("pretest_cs_event_times", lang)
    else:
        first = message("eval_pretest_used", lang, estimator=estimator_name(robust.estimator))
    rows = [
        (
            first,
            _not_possible(dyn, lang) or dyn.get("stat_f"),
            _reference("F", dyn.get("df1"), dyn.get("df2"), two_df=True),
            dyn.get("p_value"),
        ),
    ]
    if robust.estimator == "cs":
        rows.append(
            (
                label("pretest_cs_all_cells", lang),
                cs_d.get("pretest_wald"),
                _reference("χ²", cs_d.get("pretest_df")),
                cs_d.get("pretest_p_value"),
            )
        )
    rows += [
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
        table,
        caption=f"{label(outcome, lang)} · {label('pre_trend_test', lang)}",
        footnote=label("pretest_note", lang),
        source=_source(ctx, outcome, r["panel"]),
    )


def estimator_table(ctx: ReportContext, outcome: str, control: str = "notyet", **spec) -> HtmlTable:
    """The headline effect by estimator: estimate, standard error, 95% CI, p-value, units."""
    r = estimates(ctx, outcome, control, **spec)
    unit = _unit(outcome)
    lang = ctx.lang
    scale = 100 if unit == "fraction" else 1
    shown = [r["robust"]] + ([r["twfe"]] if r["robust"] is not r["twfe"] else [])
    dec = effect_decimals(*(x.estimate * scale for x in shown))
    rows = []
    for x in shown:
        rows.append(
            {
                label("estimator", lang): estimator_name(x.estimator),
                label("estimate", lang): fmt_effect(x.estimate, unit, True, dec),
                label("se", lang): fmt_effect(x.se, unit, False, dec),
                label(
                    "ci", lang
                ): f"{fmt_effect(x.ci_low, unit, True, dec)} – {fmt_effect(x.ci_high, unit, True, dec)}",
                label("p_value", lang): fmt_number(x.p_value, 3) if x.p_value is not None else "—",
                label("n_units", lang): str(x.n_units),
            }
        )
    note = message("eval_effects_in_points", lang) if unit == "fraction" else None
    return HtmlTable(
        pd.DataFrame(rows),
        caption=f"{label(outcome, lang)} · {label('estimators_compared', lang)}",
        footnote=note,
        source=_source(ctx, outcome, r["panel"]),
    )


def plain_language(ctx: ReportContext, outcome: str, control: str = "notyet", **spec) -> Markdown:
    """What changed, how sure we are — generated from the estimates (toolkit.report.text)."""
    r = estimates(ctx, outcome, control, **spec)
    # the verdict rests on the robust estimator's own pre-test only; the TWFE lead test is in the
    # table for comparison and never stands in for it (not even when the robust one is not possible)
    twfe = r["twfe"] if r["robust"] is not r["twfe"] else None
    text = did_paragraph(label(outcome, ctx.lang), r["robust"], twfe, lang=ctx.lang, unit=_unit(outcome))
    warnings = sorted({w for k in ("robust", "twfe") for w in r[k].warnings})
    if warnings:

        def note(lang: str) -> str:
            shown = dict.fromkeys(warning_words(w, lang) for w in warnings)
            return message("did_note", lang) + sentences(shown, lang)

        text += "\n\n" + each_lang(ctx.lang, note)
    return Markdown(text)


def outcome_section(ctx: ReportContext, outcome: str, control: str = "notyet", **spec) -> Bundle:
    """Everything for one outcome, in reading order."""
    r = estimates(ctx, outcome, control, **spec)
    summary = f"{outcome}: " + ", ".join(f"{k} {fmt_number(r[k].estimate, 4)}" for k in ("robust", "twfe"))
    return Bundle(
        [
            Markdown(f"### {label(outcome, ctx.lang)}"),
            plain_language(ctx, outcome, control, **spec),
            specification(ctx, outcome, control, **spec),
            cohort_trends(ctx, outcome, spec.get("counties", ())),
            event_study_figure(ctx, outcome, control, **spec),
            estimator_table(ctx, outcome, control, **spec),
            pretrend_table(ctx, outcome, control, **spec),
        ],
        summary=summary,
    )
