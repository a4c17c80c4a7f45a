"""Narrative generated from computed numbers — never typed numbers (examples.md: cal-itp portfolio).

Every sentence here is filled from a result object or table; the wording chooses between cases
(increase / decrease, interval includes zero or not, pre-trends detected or not) so that the text
says what changed and how sure we are, in Chinese or English. A :class:`Markdown` wrapper makes
the text display as Markdown in a notebook.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from functools import reduce
from typing import Any

from toolkit.catalogue import choose, html_lang
from toolkit.did.result import FEW_CLUSTERS, estimator_name
from toolkit.report.labels import check_lang, label, message
from toolkit.report.tables import fmt_number

#: a TWFE estimate "differs" from the robust one when it lies outside the robust estimate's CI
#: (difference above this share of the CI half-width; a reading aid, not a test)
DIFFERS_SHARE_OF_CI = 1.0
PRETEST_ALPHA = 0.05


class Markdown:
    """Displays as Markdown in a notebook, as the plain text elsewhere."""

    def __init__(self, text: str):
        self.text = text

    def _repr_markdown_(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


def each_lang(lang: str, render: Callable[[str], str]) -> str:
    """``render(lang)``; for ``both`` the Chinese and the English rendering, each whole
    (``中文 / English``), so that no sentence mixes the two languages' punctuation or word order."""
    if check_lang(lang) == "both":
        return choose((render("zh"), render("en")), "both")
    return render(lang)


def each_line(lang: str, render: Callable[[str], list[str]]) -> list[str]:
    """Like :func:`each_lang` for a list of lines (``render`` gives the same number in each language):
    for ``both`` every line as ``中文 / English``."""
    if check_lang(lang) == "both":
        return [choose(pair, "both") for pair in zip(render("zh"), render("en"), strict=True)]
    return render(lang)


def sentences(parts: Iterable[str], lang: str) -> str:
    """Sentences one after another as ``lang`` writes them (Chinese without a space, English with one)."""
    parts = list(parts)
    if not parts:
        return ""
    return reduce(lambda a, b: message("text_sentence_then", lang, first=a, then=b), parts)


def mid_sentence(name: str) -> str:
    """A label inside a sentence: an English label's capital first letter in lower case ("Hospitalisation
    rate" → "hospitalisation rate"); an abbreviation (TWFE) and any label with Chinese characters as they are."""
    if len(name) > 1 and name[0].isupper() and name[1].islower() and not _has_cjk(name):
        return name[0].lower() + name[1:]
    return name


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _finite(x: Any) -> bool:
    return x is not None and isinstance(x, (int, float)) and math.isfinite(float(x))


def effect_decimals(*values: float) -> int:
    """Decimals that show the largest finite value with at least two significant digits (min 2)."""
    finite = [abs(float(v)) for v in values if _finite(v) and float(v) != 0]
    if not finite:
        return 2
    return max(2, 1 - math.floor(math.log10(max(finite))))


def fmt_effect(value: float, unit: str, signed: bool = True, decimals: int = 2) -> str:
    """An effect in its unit: ``fraction`` → percentage points (×100), else the number itself."""
    if not _finite(value):
        return "—"
    scaled = value * 100 if unit == "fraction" else value
    body = fmt_number(scaled, decimals, thousands=unit != "fraction")
    if signed and not body.startswith("-") and float(scaled) != 0:
        body = "+" + body
    return body


def _unit_word(unit: str, lang: str) -> str:
    """The word after an effect: percentage points for a ``fraction``, nothing for other units."""
    return message("text_unit_word_fraction", lang) if unit == "fraction" else ""


def pretest_for_verdict(robust: Any, fallback_p: float | None = None) -> tuple[float | None, str]:
    """The pre-trend p-value the paragraph's verdict rests on, and which test it is.

    In order: the Callaway–Sant'Anna test of the pre-reform event-time effects with its
    small-sample F reference (``diagnostics["pretrend"]``, :mod:`toolkit.did.pretest`; keeps its
    size with cohorts of a few counties); R did's Wald test over all pre-reform ATT(g,t)
    (``pretest_p_value``; rejects far too often with small cohorts — benchmarks/montecarlo_pretest.py
    — so only used when the first is missing); then ``fallback_p`` (e.g. the TWFE event study's).
    Keys: ``cs_event_times``, ``cs_all_cells``, ``other``; ``not_possible`` (p None) when the
    estimator's own test cannot be run (fewer clusters than pre-reform event times) — then no
    other test stands in for it.
    """
    diag = getattr(robust, "diagnostics", None) or {}
    dyn = diag.get("pretrend")
    if isinstance(dyn, dict) and dyn.get("possible") is False:
        return None, "not_possible"
    if isinstance(dyn, dict) and _finite(dyn.get("p_value")) and "event_times" in dyn:
        return float(dyn["p_value"]), "cs_event_times"
    if _finite(diag.get("pretest_p_value")):
        return float(diag["pretest_p_value"]), "cs_all_cells"
    return (float(fallback_p) if _finite(fallback_p) else None), "other"


def did_paragraph(
    outcome: str,
    robust: Any,
    twfe: Any | None = None,
    *,
    lang: str = "zh",
    unit: str = "fraction",
    alpha: float = 0.05,
    pretrend_p: float | None = None,
) -> str:
    """Plain-language paragraph for one outcome: what changed, how sure we are.

    ``robust``: the headline :class:`~toolkit.did.result.DidResult` (any estimator; the text names
    it — Callaway–Sant'Anna in the reform evaluation by default);
    ``twfe``: the two-way fixed-effects result for comparison; ``unit``: the outcome's unit
    (``fraction`` effects are read as percentage points). ``outcome`` is the label for people.
    ``pretrend_p``: the pre-trend test's p-value when ``robust.diagnostics`` has none. The verdict
    on pre-reform trends names the test it rests on (:func:`pretest_for_verdict`). Every sentence
    is a ``text_did_*`` entry of the catalogue; ``both`` gives the Chinese paragraph, then the English.
    """
    return each_lang(
        lang,
        lambda one: _did_paragraph(outcome, robust, twfe, lang=one, unit=unit, alpha=alpha, pretrend_p=pretrend_p),
    )


def _did_paragraph(outcome, robust, twfe, *, lang, unit, alpha, pretrend_p) -> str:
    est, lo, hi = robust.estimate, robust.ci_low, robust.ci_high
    if not _finite(est):
        return message("text_did_no_estimate", lang, outcome=outcome)
    level = f"{(1 - alpha) * 100:.0f}%"
    u = _unit_word(unit, lang)
    scale = 100 if unit == "fraction" else 1
    dec = effect_decimals(est * scale)

    def fe(x: float, signed: bool = True) -> str:
        return fmt_effect(x, unit, signed, dec)

    e_txt, lo_txt, hi_txt = fe(est), fe(lo), fe(hi)
    name = estimator_name(getattr(robust, "estimator", "cs"))
    never = (getattr(robust, "options", {}) or {}).get("control", "never") in ("never", "last_treated")
    others = message("text_did_others_never" if never else "text_did_others_notyet", lang)
    clear = _finite(lo) and _finite(hi) and (lo > 0 or hi < 0)
    up = est > 0
    pre_p, pre_key = pretest_for_verdict(robust, pretrend_p)
    pre_name = label(f"pretest_name_{pre_key if pre_key != 'not_possible' else 'other'}", lang)
    pre_diag = (getattr(robust, "diagnostics", None) or {}).get("pretrend") or {}
    n_clusters = int(pre_diag.get("n_clusters") or robust.n_units)
    outcome = mid_sentence(outcome)
    parts = [
        message(
            "text_did_change",
            lang,
            others=others,
            outcome=outcome,
            direction=message("text_did_up" if up else "text_did_down", lang),
            size=fe(abs(est), False),
            unit=u,
            estimator=name,
            estimate=e_txt,
            n=robust.n_units,
        ),
        message(
            "text_did_ci_clear" if clear else "text_did_ci_zero",
            lang,
            level=level,
            low=lo_txt,
            high=hi_txt,
            unit=u,
            outcome=outcome,
        ),
    ]
    # the test the verdict rests on, by name (the generic pre-trend test when it is not known)
    test = pre_name if pre_key == "other" else message("text_did_test_named", lang, test=pre_name, estimator=name)
    if pre_key == "not_possible":
        parts.append(message("text_did_pretest_not_possible", lang, n=n_clusters, times=pre_diag.get("df1")))
    if n_clusters < FEW_CLUSTERS:
        parts.append(message("text_did_few_clusters", lang, n=n_clusters))
    if _finite(pre_p):
        key = "text_did_pretrends_differ" if pre_p < PRETEST_ALPHA else "text_did_pretrends_similar"
        parts.append(message(key, lang, test=test, p=fmt_number(pre_p, 3)))
    if twfe is not None and _finite(twfe.estimate):
        half = (hi - lo) / 2 if _finite(lo) and _finite(hi) else float("inf")
        differs = abs(twfe.estimate - est) > DIFFERS_SHARE_OF_CI * half
        key = "text_did_twfe_differs" if differs else "text_did_twfe_agrees"
        parts.append(message(key, lang, twfe=fe(twfe.estimate), unit=u))
    return sentences(parts, lang)


def _relation(value: float, other: float, higher: bool, show) -> str:
    """``better``, ``worse`` or ``equal``: ``value`` against ``other`` in the indicator's direction,
    equal when the two print the same."""
    if show(value) == show(other):
        return "equal"
    return "better" if (value > other) == higher else "worse"


def indicator_sentences(rows: Iterable[Mapping[str, Any]], *, county: str, year: int, lang: str = "zh") -> str:
    """Bullet list: each indicator's value in ``year`` in its unit, its change on last year (better or
    worse in the indicator's direction), against its target and 优于/劣于 the province median.

    ``rows``: mappings with ``label``, ``value``, ``unit`` (the registry's), optional ``previous``
    (last year's value), ``target`` (with ``target_label``, whose target it is), ``province_median``,
    ``direction`` (``higher_is_better`` / ``lower_is_better``).
    """

    check_lang(lang)
    rows = list(rows)
    out = each_line(lang, lambda one: _indicator_lines(rows, one))
    if not out:
        return message("no_indicator_this_year", lang)
    return message("indicator_year_head", lang, county=county, year=year) + "\n\n" + "\n".join(out)


def _indicator_lines(rows: list[Mapping[str, Any]], lang: str) -> list[str]:
    from toolkit.report.tables import fmt_indicator, fmt_indicator_change, unit_text

    out = []
    for r in rows:
        v = r.get("value")
        if not _finite(v):
            continue
        unit = r.get("unit")

        def show(x, unit=unit):
            return fmt_indicator(x, unit, lang=lang)

        text = message("text_indicator_bullet", lang, label=r["label"], value=show(v))
        tgt, med, prev = r.get("target"), r.get("province_median"), r.get("previous")
        higher = r.get("direction", "higher_is_better") == "higher_is_better"
        bits = []
        if _finite(prev):
            rel = _relation(v, prev, higher, show)
            if rel == "equal":
                bits.append(message("change_sentence_same", lang, previous=show(prev)))
            else:
                size = fmt_indicator_change(v - prev, unit, lang, signed=False)
                if unit not in ("fraction", "probability") and unit:
                    size = f"{size} {unit_text(unit, lang)}"
                key = "change_sentence_up" if v > prev else "change_sentence_down"
                verdict = label(f"change_{rel}", lang)
                bits.append(message(key, lang, previous=show(prev), change=size, verdict=verdict))
        if _finite(tgt):
            met = v >= tgt if higher else v <= tgt
            whose = mid_sentence(r.get("target_label") or label("target", lang))  # e.g. 浙江省试点县目标
            key = "target_sentence_met" if met else "target_sentence_missed"
            bits.append(message(key, lang, whose=whose, target=show(tgt)))
        if _finite(med):
            rel = _relation(v, med, higher, show)
            bits.append(message(f"median_sentence_{rel}", lang, median=show(med)))
        if bits:
            details = message("text_detail_sep", lang).join(bits)
            text += message("text_indicator_details", lang, details=details)
        out.append(text)
    return out


class SourceNote(Markdown):
    """The 资料来源 and 数据年份 line under a table or figure (``<p class="toolkit-source">`` in HTML, a
    paragraph in the Word draft)."""

    def _repr_html_(self) -> str:
        import html as _html

        return f'<p class="toolkit-source">{_html.escape(self.text)}</p>'


def claims_summary(checked, lang: str = "zh") -> str:
    """One sentence on the claims checked (``check_claims`` output): how many hold, which do not,
    which the data cannot check (``status`` ``not_checkable``, when the column is there)."""
    return each_lang(lang, lambda one: _claims_summary(checked, one))


def _claims_summary(checked, lang: str) -> str:
    n = len(checked)
    if n == 0:
        return message("text_no_claims", lang)
    status = (
        checked["status"] if "status" in checked else checked["ok"].map({True: "consistent", False: "inconsistent"})
    )
    bad = checked.loc[status.to_numpy() == "inconsistent"]
    unknown = checked.loc[status.to_numpy() == "not_checkable"]
    good = n - len(bad) - len(unknown)
    sep = message("text_claims_sep", lang)
    s = message("text_claims_checked_one" if n == 1 else "text_claims_checked", lang, n=n, good=good)
    if not bad.empty:
        s += message("text_claims_inconsistent", lang, n=len(bad), claims=sep.join(str(c) for c in bad["claim"]))
    if not unknown.empty:
        claims = sep.join(str(c) for c in unknown["claim"])
        s += message("text_claims_not_checkable", lang, n=len(unknown), claims=claims)
    return message("text_claims_end", lang, text=s)


class Title(Markdown):
    """The report title: Markdown in notebooks; in HTML an ``<h1 class="toolkit-title">`` naming its
    language, from which the page takes its ``<title>`` and ``lang`` (:func:`toolkit.report.webfont.finish_page`),
    and — for reports made from synthetic data — the 示例数据 banner under it."""

    def __init__(self, text: str, lang: str = "zh", synthetic: bool = False):
        super().__init__(text)
        self.lang = lang
        self.synthetic = synthetic

    def _repr_markdown_(self) -> str:
        return self.text + (f"\n\n**{message('synthetic_banner', self.lang)}**" if self.synthetic else "")

    def _repr_html_(self) -> str:
        import html as _html

        out = (
            f'<h1 class="toolkit-title" data-lang="{html_lang(self.lang)}">{_html.escape(self.text.lstrip("# "))}</h1>'
        )
        if self.synthetic:
            out += synthetic_banner_html(self.lang)
        return out


def synthetic_banner_html(lang: str = "zh") -> str:
    """The visible 示例数据 · synthetic data banner (``<div class="toolkit-synthetic">``)."""
    import html as _html

    return f'<div class="toolkit-synthetic" role="note">{_html.escape(message("synthetic_banner", lang))}</div>'


def title_block(
    key: str, county_name: str | None, year: int | None, lang: str = "zh", synthetic: bool = False
) -> Title:
    """The report's title (``# 县域医共体年度报告 · 濉溪县 · 2023``); ``synthetic`` adds the 示例数据 banner."""
    parts = [label(key, lang)]
    if county_name:
        parts.append(county_name)
    if year is not None:
        parts.append(str(year))
    return Title("# " + " · ".join(parts), lang, synthetic)


def section(key: str, lang: str = "zh", level: int = 2) -> Markdown:
    """A section heading as Markdown in the report language."""
    return Markdown(f"{'#' * level} {label(key, lang)}")
