"""Report figures: pure functions from tidy DataFrames to matplotlib Figures, and their PNG bytes.

Every function takes already computed numbers (the report modules compute; figures only draw)
and a ``lang`` for the labels. :func:`png_bytes` renders with a fixed DPI and without the
"Software" PNG text chunk, and SVG output uses a fixed hash salt, so a rerun gives the same bytes.
In a notebook, wrap a figure with :func:`show` — it renders once, closes the figure (so the inline
backend does not draw it a second time) and displays the PNG.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence

import matplotlib
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import Formatter, MaxNLocator  # noqa: E402

from toolkit.report.fonts import use_cjk_font  # noqa: E402
from toolkit.report.labels import label  # noqa: E402

DPI = 100
PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
REFORM_COLOR = "#555555"
TARGET_COLOR = "#2ca02c"


def setup() -> None:
    """Fonts and the deterministic-output settings; called by every figure function."""
    use_cjk_font()
    matplotlib.rcParams["svg.hashsalt"] = "county-health-toolkit"
    matplotlib.rcParams["savefig.dpi"] = DPI
    matplotlib.rcParams["figure.dpi"] = DPI
    matplotlib.rcParams["axes.spines.top"] = False
    matplotlib.rcParams["axes.spines.right"] = False
    matplotlib.rcParams["axes.grid"] = True
    matplotlib.rcParams["grid.alpha"] = 0.3


def png_bytes(fig: Figure) -> bytes:
    """PNG bytes of ``fig``: fixed DPI, no metadata text (no software version or date)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None}, bbox_inches=None)
    return buf.getvalue()


def svg_text(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return buf.getvalue()


class PngFigure:
    """A rendered figure for notebooks (``_repr_png_``) and HTML (``to_html``)."""

    def __init__(self, data: bytes, alt: str = ""):
        self.data = data
        self.alt = alt

    def _repr_png_(self) -> bytes | tuple[bytes, dict]:
        # (data, metadata): the alt text travels with the output into the HTML report
        return (self.data, {"alt": self.alt}) if self.alt else self.data

    def __repr__(self) -> str:
        return f"<figure: {self.alt}>"


def show(fig: Figure, alt: str = "") -> PngFigure:
    """Render ``fig`` to PNG, close it and return the displayable result."""
    data = png_bytes(fig)
    plt.close(fig)
    if not alt:  # what the figure says it shows: its title, else its panels' titles
        titles = [fig._suptitle.get_text()] if fig._suptitle else [ax.get_title() for ax in fig.axes]
        alt = " · ".join(t for t in titles if t)
    return PngFigure(data, alt)


def tick_decimals(values, max_decimals: int = 6) -> int:
    """The fewest decimals that write every tick value exactly (0.25 apart → 2: 88.75, 89.00, 89.25)."""
    vals = [float(v) for v in values if np.isfinite(v)]
    for d in range(max_decimals + 1):
        if all(abs(round(v, d) - v) <= 1e-9 * max(1.0, abs(v)) for v in vals):
            return d
    return max_decimals


class StepFormatter(Formatter):
    """Tick labels with as many decimals as the locator's ticks need (all ticks of an axis alike), so a
    label states its tick's value: ``scale`` 100 and ``suffix`` "%" for shares, ``thousands`` for 70,000."""

    def __init__(self, scale: float = 1.0, suffix: str = "", thousands: bool = False):
        self.scale, self.suffix, self.thousands = scale, suffix, thousands
        self.decimals = 0

    def set_locs(self, locs):
        super().set_locs(locs)
        self.decimals = tick_decimals([v * self.scale for v in locs])

    def __call__(self, x, pos=None):
        sep = "," if self.thousands else ""
        text = f"{x * self.scale:{sep}.{self.decimals}f}"
        if text.lstrip("-").strip("0.,") == "":
            text = text.lstrip("-")  # no "-0.00"
        return text + self.suffix


def _percent_axis(ax, axis: str = "y") -> None:
    """Tick labels as percentages, with the decimals the ticks need (:class:`StepFormatter`)."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(StepFormatter(100, "%"))


def _new_figure(figsize, nrows: int = 1, ncols: int = 1, **kw):
    """A figure laid out by constrained layout (room for a title and a legend outside the plots)."""
    fig = plt.figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(nrows, ncols, **kw)
    return fig, axes


def _legend_below(fig, axes=None, ncol: int | None = None) -> None:
    """One legend for the figure, under the plots (never on a bar, a line or the target): the
    labelled artists of ``axes`` (default all), each label once."""
    handles: dict[str, object] = {}
    for ax in axes if axes is not None else fig.axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab and not lab.startswith("_"):
                handles.setdefault(lab, h)
    if handles:
        n = ncol or min(len(handles), 4)
        fig.legend(list(handles.values()), list(handles), loc="outside lower center", ncol=n, fontsize=8, frameon=False)


def _mark_reform(ax, reform_year: int | None, lang: str) -> None:
    if reform_year is None or (isinstance(reform_year, float) and math.isnan(reform_year)):
        return
    x = float(reform_year) - 0.5  # the reform starts with its first year: draw the line before it
    ax.axvline(x, color=REFORM_COLOR, linestyle="--", linewidth=1)
    ax.annotate(
        label("reform", lang),
        xy=(x, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(3, -12),
        textcoords="offset points",
        fontsize=9,
        color=REFORM_COLOR,
    )


def indicator_trend(
    series: pd.DataFrame,
    title: str,
    *,
    lang: str = "zh",
    target: float | None = None,
    reform_year: int | None = None,
    comparison: pd.DataFrame | None = None,
    comparison_label: str | None = None,
    series_label: str | None = None,
    percent: bool = False,
    band: bool = False,
    ax=None,
    legend: bool = True,
) -> Figure:
    """One indicator over the years: line, optional target (horizontal line), reform year
    (vertical dashed line labelled 改革/Reform), optional comparison line (e.g. province median)
    and an optional interval band (columns ``lower``/``upper``). ``series``: columns year, value;
    ``series_label`` names its line in the legend (e.g. the county's name; default 县/County). The
    legend goes under the plot; drawn into a given ``ax`` the caller places it (:func:`trend_grid`)."""
    setup()
    fig = None
    if ax is None:
        fig, ax = _new_figure((6.4, 3.6))
    data = series.sort_values("year")
    ax.plot(
        data["year"],
        data["value"],
        marker="o",
        color=PALETTE[0],
        label=series_label or label("county", lang),
        linewidth=2,
    )
    if band and {"lower", "upper"} <= set(data.columns) and data["lower"].notna().any():
        ax.fill_between(data["year"], data["lower"], data["upper"], color=PALETTE[0], alpha=0.15, linewidth=0)
    if comparison is not None and not comparison.empty:
        comp = comparison.sort_values("year")
        ax.plot(
            comp["year"],
            comp["value"],
            color="#999999",
            linewidth=1.5,
            label=comparison_label or label("province_median", lang),
        )
    if target is not None:
        ax.axhline(target, color=TARGET_COLOR, linestyle=":", linewidth=1.5, label=f"{label('target', lang)}")
    _mark_reform(ax, reform_year, lang)
    ax.set_title(title, fontsize=11)
    ax.set_xlabel(label("year", lang))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if percent:
        _percent_axis(ax)
    elif data["value"].abs().max() >= 10000:
        ax.yaxis.set_major_formatter(StepFormatter(thousands=True))  # 70,000 not 70000
    if fig is not None and legend:
        _legend_below(fig)
    return fig if fig is not None else ax.figure


def trend_grid(panels: Sequence[Mapping], *, ncols: int = 2, lang: str = "zh") -> Figure:
    """Panels of :func:`indicator_trend` (each a mapping of its keyword arguments, ``series`` and
    ``title`` included) in a grid, one legend under all of them."""
    setup()
    n = max(1, len(panels))
    nrows = math.ceil(n / ncols)
    fig, axes = _new_figure((6.0 * ncols, 3.0 * nrows), nrows, ncols, squeeze=False)
    for k, panel in enumerate(panels):
        kw = dict(panel)
        indicator_trend(kw.pop("series"), kw.pop("title"), lang=lang, ax=axes[k // ncols][k % ncols], **kw)
    for k in range(len(panels), nrows * ncols):
        axes[k // ncols][k % ncols].set_visible(False)
    _legend_below(fig)
    return fig


def cohort_trends(means: pd.DataFrame, title: str, *, lang: str = "zh", percent: bool = False) -> Figure:
    """Mean outcome by year for each reform cohort (``cohort``, ``year``, ``value``; cohort 0 =
    never reformed); each cohort's reform year is marked with a dot on its line."""
    setup()
    fig, ax = _new_figure((6.4, 3.8))
    cohorts = sorted(means["cohort"].unique(), key=lambda c: (c == 0, c))
    for i, cohort in enumerate(cohorts):
        d = means.loc[means["cohort"] == cohort].sort_values("year")
        name = label("never_reformed", lang) if cohort == 0 else f"{label('cohort', lang)} {int(cohort)}"
        color = "#444444" if cohort == 0 else PALETTE[i % len(PALETTE)]
        ax.plot(
            d["year"],
            d["value"],
            color=color,
            linewidth=2 if cohort == 0 else 1.5,
            linestyle="--" if cohort == 0 else "-",
            label=name,
        )
        if cohort != 0:
            at = d.loc[d["year"] == cohort]
            ax.scatter(at["year"], at["value"], color=color, zorder=3, s=25)
    ax.set_title(title, fontsize=11)
    ax.set_xlabel(label("year", lang))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if percent:
        _percent_axis(ax)
    _legend_below(fig)
    return fig


def event_study(es: pd.DataFrame, title: str, *, lang: str = "zh", band: str = "ci", percent: bool = False) -> Figure:
    """Event-study estimates with confidence bands: ``event_time, estimate, ci_low, ci_high`` (and
    ``cband_low/cband_high`` for simultaneous bands, drawn lighter when present). A dashed line
    marks the reform (between −1 and 0); the zero line is the "no effect" reference."""
    setup()
    fig, ax = _new_figure((6.4, 3.8))
    d = es.sort_values("event_time")
    x = d["event_time"].to_numpy(dtype=float)
    if {"cband_low", "cband_high"} <= set(d.columns) and d["cband_low"].notna().any():
        ax.fill_between(
            x,
            d["cband_low"],
            d["cband_high"],
            color=PALETTE[0],
            alpha=0.12,
            linewidth=0,
            label=label("simultaneous_band", lang),
        )
    ax.fill_between(x, d["ci_low"], d["ci_high"], color=PALETTE[0], alpha=0.25, linewidth=0, label=label("ci", lang))
    pre = x < 0
    ax.plot(x, d["estimate"], color=PALETTE[0], linewidth=1)
    ax.scatter(x[pre], d["estimate"].to_numpy()[pre], color="#777777", zorder=3, s=22)
    ax.scatter(x[~pre], d["estimate"].to_numpy()[~pre], color=PALETTE[1], zorder=3, s=22)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.axvline(-0.5, color=REFORM_COLOR, linestyle="--", linewidth=1)
    ax.annotate(
        label("reform", lang),
        xy=(-0.5, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(3, -12),
        textcoords="offset points",
        fontsize=9,
        color=REFORM_COLOR,
    )
    ax.set_xlabel(label("event_time", lang))
    ax.set_ylabel(label("estimate", lang))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if percent:
        _percent_axis(ax)
    ax.set_title(title, fontsize=11)
    _legend_below(fig)
    return fig


def grouped_bars(
    table: pd.DataFrame, title: str, *, ylabel: str = "", lang: str = "zh", stacked: bool = False, scale: float = 1.0
) -> Figure:
    """Bars for a small wide table: index = categories (x), columns = series (legend).
    ``scale`` divides the values (10,000 for 万元)."""
    setup()
    fig, ax = _new_figure((6.4, 3.6))
    cats = [str(c) for c in table.index]
    x = np.arange(len(cats))
    n = max(len(table.columns), 1)
    width = 0.8 if stacked else 0.8 / n
    bottom = np.zeros(len(cats))
    for i, col in enumerate(table.columns):
        vals = table[col].to_numpy(dtype=float) / scale
        name = label(str(col), lang)
        if stacked:
            ax.bar(x, vals, width, bottom=bottom, label=name, color=PALETTE[i % len(PALETTE)])
            bottom = bottom + vals
        else:
            ax.bar(x - 0.4 + width * (i + 0.5), vals, width, label=name, color=PALETTE[i % len(PALETTE)])
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(x, cats, rotation=0 if len(cats) <= 8 else 60, fontsize=8 if len(cats) > 8 else 9)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=11)
    if len(table.columns) > 1:
        _legend_below(fig)
    return fig


def ranking(
    values: pd.Series,
    title: str,
    *,
    highlight: Sequence[str] = (),
    percent: bool = False,
    reference: float | None = None,
    reference_label: str = "",
) -> Figure:
    """Dot plot of values sorted as given (best first, top), index = names; ``highlight`` in red.

    Dots on a zoomed axis rather than bars from zero, so close values stay distinguishable."""
    setup()
    n = len(values)
    fig, ax = _new_figure((6.4, max(2.5, 0.28 * n + 1)))
    names = [str(i) for i in values.index][::-1]
    vals = values.to_numpy(dtype=float)[::-1]
    marked = set(highlight)
    colors = [PALETTE[1] if nm in marked else PALETTE[0] for nm in names]
    y = np.arange(n)
    ax.hlines(y, np.nanmin(vals) if n else 0, vals, color="#cccccc", linewidth=1)
    ax.scatter(vals, y, color=colors, zorder=3, s=30)
    ax.set_yticks(y, names, fontsize=8)
    if reference is not None:
        ax.axvline(reference, color=TARGET_COLOR, linestyle=":", linewidth=1.5, label=reference_label)
    if percent:
        _percent_axis(ax, "x")
    ax.set_title(title, fontsize=11)
    if reference is not None and reference_label:
        _legend_below(fig)
    return fig


def small_multiples(
    data: pd.DataFrame,
    title: str,
    *,
    lang: str = "zh",
    names: Mapping[str, str] | None = None,
    reform_years: Mapping[str, int | None] | None = None,
    target: float | None = None,
    percent: bool = False,
    ncols: int = 4,
) -> Figure:
    """One small panel per county (``county_id, year, value``), shared y axis, reform marked."""
    setup()
    counties = sorted(data["county_id"].unique())
    n = len(counties)
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig, axes = _new_figure((2.4 * ncols, 1.9 * nrows + 0.6), nrows, ncols, sharex=True, sharey=True, squeeze=False)
    for k, county in enumerate(counties):
        ax = axes[k // ncols][k % ncols]
        d = data.loc[data["county_id"] == county].sort_values("year")
        ax.plot(d["year"], d["value"], color=PALETTE[0], linewidth=1.5)
        if target is not None:
            ax.axhline(target, color=TARGET_COLOR, linestyle=":", linewidth=1)
        ry = (reform_years or {}).get(county)
        if ry is not None and not pd.isna(ry):
            ax.axvline(float(ry) - 0.5, color=REFORM_COLOR, linestyle="--", linewidth=0.8)
        ax.set_title((names or {}).get(county, county), fontsize=9)
        ax.tick_params(labelsize=7)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
        if percent:
            _percent_axis(ax)
    for k in range(n, nrows * ncols):
        axes[k // ncols][k % ncols].set_visible(False)
    fig.suptitle(title, fontsize=11)  # constrained layout keeps it above the panels
    return fig
