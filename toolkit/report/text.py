"""Narrative generated from computed numbers — never typed numbers (examples.md: cal-itp portfolio).

Every sentence here is filled from a result object or table; the wording chooses between cases
(increase / decrease, interval includes zero or not, pre-trends detected or not) so that the text
says what changed and how sure we are, in Chinese or English. A :class:`Markdown` wrapper makes
the text display as Markdown in a notebook.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

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
    if unit == "fraction":
        return "个百分点" if lang == "zh" else " percentage points"
    if unit == "probability":
        return "" if lang == "zh" else ""
    return ""


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
    on pre-reform trends names the test it rests on (:func:`pretest_for_verdict`).
    """
    check_lang(lang)
    est, lo, hi = robust.estimate, robust.ci_low, robust.ci_high
    if not _finite(est):
        return (
            f"{outcome}：数据不足，无法估计改革效果。"
            if lang == "zh"
            else f"{outcome}: not enough data to estimate the reform's effect."
        )
    level = f"{(1 - alpha) * 100:.0f}%"
    u = _unit_word(unit, lang)
    scale = 100 if unit == "fraction" else 1
    dec = effect_decimals(est * scale)

    def fe(x: float, signed: bool = True) -> str:
        return fmt_effect(x, unit, signed, dec)

    e_txt, lo_txt, hi_txt = fe(est), fe(lo), fe(hi)
    name = estimator_name(getattr(robust, "estimator", "cs"))
    never = (getattr(robust, "options", {}) or {}).get("control", "never") in ("never", "last_treated")
    others_zh = "从未改革的县" if never else "尚未改革的县"
    others_en = "counties never reformed" if never else "counties not yet reformed"
    clear = _finite(lo) and _finite(hi) and (lo > 0 or hi < 0)
    up = est > 0
    pre_p, pre_key = pretest_for_verdict(robust, pretrend_p)
    pre_name = label(f"pretest_name_{pre_key if pre_key != 'not_possible' else 'other'}", lang)
    pre_diag = (getattr(robust, "diagnostics", None) or {}).get("pretrend") or {}
    n_clusters = int(pre_diag.get("n_clusters") or robust.n_units)
    if lang == "en" and len(outcome) > 1 and outcome[0].isupper() and outcome[1].islower():
        outcome = outcome[0].lower() + outcome[1:]  # mid-sentence
    parts = []
    if lang == "zh":
        direction = "上升" if up else "下降"
        parts.append(
            f"与{others_zh}相比，改革县的{outcome}在改革后平均{direction}了{fe(abs(est), False)}{u}"
            f"（{name} 估计 {e_txt}{u}，{robust.n_units} 个县）。"
        )
        if clear:
            parts.append(f"{level}置信区间为 {lo_txt} 至 {hi_txt}{u}，不含零，说明这一变化不大可能只是偶然波动。")
        else:
            parts.append(
                f"{level}置信区间为 {lo_txt} 至 {hi_txt}{u}，包含零，因此现有数据还不能确定改革是否改变了{outcome}。"
            )
        zh_test = "平行趋势检验" if pre_key == "other" else f"平行趋势检验：{pre_name}"
        if pre_key == "not_possible":
            parts.append(
                f"只有 {n_clusters} 个县无法进行改革前趋势检验（需要检验的改革前年份数为 {pre_diag.get('df1')}，"
                "县数须多于此数），因此无法用数据检验比较基础是否可信。"
            )
        if n_clusters < FEW_CLUSTERS:
            parts.append(
                f"注意：只有 {n_clusters} 个县（聚类），聚类数少时聚类稳健推断不可靠，置信区间和 P 值只能作粗略参考。"
            )
        if _finite(pre_p):
            if pre_p < PRETEST_ALPHA:
                parts.append(
                    f"需要注意：改革前各县的趋势已有差异（{zh_test}，P={fmt_number(pre_p, 3)}），上述估计应谨慎解读。"
                )
            else:
                parts.append(
                    f"改革前改革县与对照县的趋势没有可检测的差异（{zh_test}，P={fmt_number(pre_p, 3)}），比较基础较为可信。"
                )
        if twfe is not None and _finite(twfe.estimate):
            half = (hi - lo) / 2 if _finite(lo) and _finite(hi) else float("inf")
            if abs(twfe.estimate - est) > DIFFERS_SHARE_OF_CI * half:
                parts.append(
                    f"传统双向固定效应估计为 {fe(twfe.estimate)}{u}，与稳健估计差别明显；"
                    f"在分批改革的情况下传统估计可能有偏，应以稳健估计为准。"
                )
            else:
                parts.append(f"传统双向固定效应估计为 {fe(twfe.estimate)}{u}，与稳健估计一致。")
    else:
        direction = "rose" if up else "fell"
        parts.append(
            f"Compared with {others_en}, {outcome} {direction} by {fe(abs(est), False)}{u} "
            f"on average in reformed counties after the reform ({name} estimate {e_txt}{u}, "
            f"{robust.n_units} counties)."
        )
        if clear:
            parts.append(
                f"The {level} confidence interval runs from {lo_txt} to {hi_txt}{u} and excludes zero, so the change is "
                f"unlikely to be chance alone."
            )
        else:
            parts.append(
                f"The {level} confidence interval runs from {lo_txt} to {hi_txt}{u} and includes zero, so the data cannot "
                f"yet tell whether the reform changed {outcome}."
            )
        en_test = pre_name if pre_key in ("other", "not_possible") else f"pre-trend test: {name} {pre_name}"
        if pre_key == "not_possible":
            parts.append(
                f"The pre-trend test is not possible with {n_clusters} counties (it needs more counties than the "
                f"{pre_diag.get('df1')} pre-reform event times it tests), so the data cannot check the comparison."
            )
        if n_clusters < FEW_CLUSTERS:
            parts.append(
                f"Caution: with only {n_clusters} counties (few clusters), cluster-robust inference is fragile; "
                "treat the interval and p-value as rough."
            )
        if _finite(pre_p):
            if pre_p < PRETEST_ALPHA:
                parts.append(
                    f"Caution: trends already differed before the reform ({en_test}, p = {fmt_number(pre_p, 3)}); "
                    f"read the estimate with care."
                )
            else:
                parts.append(
                    f"Before the reform, reformed and comparison counties followed similar trends ({en_test}, "
                    f"p = {fmt_number(pre_p, 3)}), which supports the comparison."
                )
        if twfe is not None and _finite(twfe.estimate):
            half = (hi - lo) / 2 if _finite(lo) and _finite(hi) else float("inf")
            if abs(twfe.estimate - est) > DIFFERS_SHARE_OF_CI * half:
                parts.append(
                    f"The conventional two-way fixed-effects estimate, {fe(twfe.estimate)}{u}, differs "
                    f"markedly; with staggered adoption it can be biased, so the robust estimate is the one to use."
                )
            else:
                parts.append(f"The conventional two-way fixed-effects estimate, {fe(twfe.estimate)}{u}, agrees.")
    return "".join(parts) if lang == "zh" else " ".join(parts)


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
    from toolkit.report.tables import fmt_indicator, fmt_indicator_change, unit_text

    check_lang(lang)
    out = []
    for r in rows:
        v = r.get("value")
        if not _finite(v):
            continue
        unit = r.get("unit")

        def show(x, unit=unit):
            return fmt_indicator(x, unit, lang=lang)

        sep = "：" if lang == "zh" else ": "
        text = f"- **{r['label']}**{sep}{show(v)}"
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
            whose = r.get("target_label") or label("target", lang)  # e.g. 浙江省试点县目标
            if lang == "en":
                whose = whose[0].lower() + whose[1:] if whose[:1].isupper() and whose[1:2].islower() else whose
            key = "target_sentence_met" if met else "target_sentence_missed"
            bits.append(message(key, lang, whose=whose, target=show(tgt)))
        if _finite(med):
            rel = _relation(v, med, higher, show)
            bits.append(message(f"median_sentence_{rel}", lang, median=show(med)))
        if bits:
            text += ("，" + "，".join(bits) + "。") if lang == "zh" else (", " + "; ".join(bits) + ".")
        out.append(text)
    if not out:
        return message("no_indicator_this_year", lang)
    return message("indicator_year_head", lang, county=county, year=year) + "\n\n" + "\n".join(out)


class SourceNote(Markdown):
    """The 资料来源 and 数据年份 line under a table or figure (``<p class="toolkit-source">`` in HTML, a
    paragraph in the Word draft)."""

    def _repr_html_(self) -> str:
        import html as _html

        return f'<p class="toolkit-source">{_html.escape(self.text)}</p>'


def claims_summary(checked, lang: str = "zh") -> str:
    """One sentence on the claims checked (``check_claims`` output): how many hold, which do not,
    which the data cannot check (``status`` ``not_checkable``, when the column is there)."""
    check_lang(lang)
    n = len(checked)
    if n == 0:
        return "本县没有需要核对的公开表述。" if lang == "zh" else "No published claims of this county to check."
    status = (
        checked["status"] if "status" in checked else checked["ok"].map({True: "consistent", False: "inconsistent"})
    )
    bad = checked.loc[status.to_numpy() == "inconsistent"]
    unknown = checked.loc[status.to_numpy() == "not_checkable"]
    good = n - len(bad) - len(unknown)
    if lang == "zh":
        s = f"共核对 {n} 条公开表述，{good} 条与数据相符"
        if not bad.empty:
            s += f"，{len(bad)} 条不符：" + "；".join(str(c) for c in bad["claim"])
        if not unknown.empty:
            s += f"；{len(unknown)} 条因数据缺少所需年份无法核对：" + "；".join(str(c) for c in unknown["claim"])
        s += "。"
    else:
        s = f"{n} published claim{'s' if n != 1 else ''} checked, {good} consistent with the data"
        if not bad.empty:
            s += f"; {len(bad)} not: " + "; ".join(str(c) for c in bad["claim"])
        if not unknown.empty:
            s += f"; {len(unknown)} cannot be checked (years missing from the data): " + "; ".join(
                str(c) for c in unknown["claim"]
            )
        s += "."
    return s


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

        html_lang = "en" if self.lang == "en" else "zh-CN"
        out = f'<h1 class="toolkit-title" data-lang="{html_lang}">{_html.escape(self.text.lstrip("# "))}</h1>'
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
