"""Every figure kind of toolkit.report.figures, drawn: each tick label states its tick's value exactly
(the formatter follows the locator — gridlines 0.25 points apart are labelled 88.75%, 89.00%, …, not
88.8%, 89.0%, 89.2%), and no title or legend lies on another axes' content (the province trend
grid's title over its panels, a legend on a bar or on the target line)."""

import math
import re

import pandas as pd
import pytest

from toolkit.report import figures

YEARS = list(range(2016, 2025))
# the in-county visit rate of a county: 88.8% … 89.8%, a span of one point (gridlines 0.25 apart)
VISITS = [0.888, 0.8905, 0.892, 0.8931, 0.8948, 0.8952, 0.8966, 0.8971, 0.898]


def _trend(values=VISITS):
    return pd.DataFrame({"year": YEARS, "value": values})


def _multi(n=12):
    rows = [
        {"county_id": f"C{c:02d}", "year": y, "value": 0.85 + 0.004 * c + 0.001 * (y - 2016)}
        for c in range(1, n + 1)
        for y in YEARS
    ]
    return pd.DataFrame(rows)


def _bars():
    return pd.DataFrame({"budget": [5.0e6, 4.0e6, 4.6e6], "spending": [4.9e6, 4.2e6, 4.55e6]}, index=["甲", "乙", "丙"])


def _es():
    return pd.DataFrame(
        {
            "event_time": [-3, -2, -1, 0, 1, 2],
            "estimate": [0.001, 0.0, 0.002, -0.004, -0.006, -0.008],
            "ci_low": [-0.002, -0.003, -0.001, -0.007, -0.009, -0.012],
            "ci_high": [0.004, 0.003, 0.005, -0.001, -0.003, -0.004],
        }
    )


def _cohorts():
    rows = []
    for cohort in (0, 2018, 2020):
        for y in YEARS:
            rows.append({"cohort": cohort, "year": y, "value": 0.62 + 0.01 * (y - 2016) + 0.003 * (cohort > 0)})
    return pd.DataFrame(rows)


KINDS = {
    "indicator_trend": lambda: figures.indicator_trend(
        _trend(),
        "县域就诊率",
        target=0.9,
        reform_year=2018,
        comparison=_trend([v - 0.001 for v in VISITS]),
        percent=True,
    ),
    "indicator_trend_counts": lambda: figures.indicator_trend(
        _trend([70000 + 1250 * i for i in range(9)]), "住院人次", reform_year=2019
    ),
    "trend_grid": lambda: figures.trend_grid(
        [
            {"series": _trend(), "title": "县域就诊率", "target": 0.9, "percent": True, "reform_year": 2018},
            {"series": _trend([12.0 + 0.1 * i for i in range(9)]), "title": "住院率", "reform_year": 2018},
            {"series": _trend([0.7 + 0.01 * i for i in range(9)]), "title": "基金县域内支出率", "percent": True},
        ],
        ncols=2,
    ),
    "cohort_trends": lambda: figures.cohort_trends(_cohorts(), "按改革批次", percent=True),
    "event_study": lambda: figures.event_study(_es(), "事件研究", percent=True),
    "grouped_bars": lambda: figures.grouped_bars(_bars(), "预算与支出", ylabel="万元", scale=1e4),
    "grouped_bars_stacked": lambda: figures.grouped_bars(_bars(), "公卫经费", ylabel="万元", scale=1e4, stacked=True),
    "ranking": lambda: figures.ranking(
        pd.Series([0.93, 0.91, 0.905, 0.899, 0.897], index=["甲县", "乙县", "丙县", "丁县", "戊县"]),
        "县域就诊率",
        highlight=["丙县"],
        percent=True,
        reference=0.9,
        reference_label="目标",
    ),
    "small_multiples": lambda: figures.small_multiples(
        _multi(), "各县县域就诊率", percent=True, reform_years={"C01": 2018}
    ),
}


def _number(text: str) -> float | None:
    t = text.replace("\u2212", "-").replace(",", "").strip()
    percent = t.endswith("%")
    t = t.rstrip("%")
    if not re.fullmatch(r"-?\d+(\.\d+)?", t):
        return None
    return float(t) / 100 if percent else float(t)


def _tick_problems(fig) -> list[str]:
    problems = []
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        for name, axis, lim in (("x", ax.xaxis, ax.get_xlim()), ("y", ax.yaxis, ax.get_ylim())):
            lo, hi = min(lim), max(lim)
            ticks = [t for t in axis.get_major_ticks() if t.label1.get_visible()]
            for tick, loc in zip(ticks, axis.get_majorticklocs()):
                text = tick.label1.get_text()
                if not (lo - 1e-12 <= loc <= hi + 1e-12) or not text:
                    continue
                value = _number(text)
                if value is None:  # a category name (bars, ranking), not a number
                    continue
                if not math.isclose(value, loc, rel_tol=1e-9, abs_tol=1e-9):
                    problems.append(f"{ax.get_title() or fig.get_suptitle()} {name}: tick at {loc!r} labelled {text!r}")
    return problems


def _overlap(a, b, pad=0.5) -> bool:
    return a.x0 < b.x1 - pad and b.x0 < a.x1 - pad and a.y0 < b.y1 - pad and b.y0 < a.y1 - pad


def _layout_problems(fig) -> list[str]:
    renderer = fig.canvas.get_renderer()
    axes = [ax for ax in fig.axes if ax.get_visible()]
    problems = []
    sup = fig._suptitle
    if sup is not None and sup.get_text():
        box = sup.get_window_extent(renderer)
        problems += [f"title over panel {ax.get_title()!r}" for ax in axes if _overlap(box, ax.get_tightbbox(renderer))]
    legends = list(fig.legends) + [ax.get_legend() for ax in axes if ax.get_legend() is not None]
    for legend in legends:
        box = legend.get_window_extent(renderer)
        for ax in axes:
            # a legend lies outside every plotting area (it can then cover no bar, line or target)
            if _overlap(box, ax.get_window_extent(renderer)):
                problems.append(f"legend on the plot of {ax.get_title()!r}")
            if legend in fig.legends and _overlap(box, ax.get_tightbbox(renderer)):
                problems.append(f"legend on the labels of {ax.get_title()!r}")
        if sup is not None and sup.get_text() and _overlap(box, sup.get_window_extent(renderer)):
            problems.append("legend over the title")
        # inside the figure, not cut off
        if not _overlap(box, fig.bbox) or box.x0 < -1 or box.y0 < -1 or box.x1 > fig.bbox.x1 + 1:
            problems.append("legend outside the figure")
    for ax in axes:
        title = ax.title
        if title.get_text():
            box = title.get_window_extent(renderer)
            problems += [
                f"title {ax.get_title()!r} over panel {other.get_title()!r}"
                for other in axes
                if other is not ax and _overlap(box, other.get_window_extent(renderer))
            ]
    return problems


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_tick_labels_state_their_ticks_and_nothing_overlaps(kind):
    fig = KINDS[kind]()
    try:
        fig.canvas.draw()
        assert _tick_problems(fig) == []
        assert _layout_problems(fig) == []
    finally:
        figures.plt.close(fig)


def _quarter_point_grid(fig):
    from matplotlib.ticker import MultipleLocator

    ax = fig.axes[0]
    ax.yaxis.set_major_locator(MultipleLocator(0.0025))  # the county report panel's gridlines
    fig.canvas.draw()
    lo, hi = ax.get_ylim()
    return [t.get_text() for t in ax.get_yticklabels() if lo <= t.get_position()[1] <= hi]


def test_visit_rate_ticks_a_quarter_point_apart_keep_two_decimals():
    fig = KINDS["indicator_trend"]()
    try:
        labels = _quarter_point_grid(fig)
        assert "88.75%" in labels and "89.25%" in labels and "89.8%" not in labels
        assert _tick_problems(fig) == []
    finally:
        figures.plt.close(fig)


def test_the_checks_catch_the_old_defects():
    """The checks fail on the defects they are for: a one-decimal percent formatter on a quarter-point
    grid (88.8, 89.2, 89.8), and a legend drawn on the plot."""
    from matplotlib.ticker import FuncFormatter

    fig = KINDS["indicator_trend"]()
    try:
        ax = fig.axes[0]
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v * 100:.1f}%"))
        ax.legend(loc="center")
        labels = _quarter_point_grid(fig)
        assert "88.8%" in labels
        assert _tick_problems(fig) and _layout_problems(fig)
    finally:
        figures.plt.close(fig)
