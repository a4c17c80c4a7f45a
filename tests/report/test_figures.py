"""Figures: byte-identical reruns, Chinese labels without missing glyphs, reform and target drawn."""

import warnings

import pandas as pd

from toolkit.report import figures


def _trend():
    return pd.DataFrame({"year": range(2015, 2024), "value": [0.6 + 0.02 * i for i in range(9)]})


def test_png_is_byte_identical_on_rerun():
    a = figures.png_bytes(figures.indicator_trend(_trend(), "县域内住院率", target=0.9, reform_year=2018, percent=True))
    b = figures.png_bytes(figures.indicator_trend(_trend(), "县域内住院率", target=0.9, reform_year=2018, percent=True))
    assert a == b and a[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"Software" not in a and b"matplotlib" not in a  # no version text chunk
    c = figures.png_bytes(figures.indicator_trend(_trend(), "县域内住院率", target=0.8, reform_year=2018, percent=True))
    assert c != a  # the target line really is drawn


def test_reform_and_target_are_on_the_axes():
    fig = figures.indicator_trend(_trend(), "标题", target=0.9, reform_year=2018, lang="zh")
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert "改革" in texts
    xs = [line.get_xdata()[0] for line in ax.lines if len(set(line.get_xdata())) == 1]
    assert 2017.5 in xs  # reform line drawn just before the first reform year
    ys = [line.get_ydata()[0] for line in ax.lines if len(set(line.get_ydata())) == 1]
    assert 0.9 in ys
    en = figures.indicator_trend(_trend(), "title", reform_year=2018, lang="en")
    assert "Reform" in [t.get_text() for t in en.axes[0].texts]


def test_all_figure_kinds_render_chinese_without_missing_glyphs():
    es = pd.DataFrame(
        {
            "event_time": [-2, -1, 0, 1],
            "estimate": [0.0, 0.01, -0.05, -0.08],
            "ci_low": [-0.02, -0.01, -0.08, -0.12],
            "ci_high": [0.02, 0.03, -0.02, -0.04],
            "cband_low": [-0.03, -0.02, -0.09, -0.13],
            "cband_high": [0.03, 0.04, -0.01, -0.03],
        }
    )
    cohorts = pd.DataFrame({"cohort": [0, 0, 2018, 2018], "year": [2017, 2018, 2017, 2018], "value": [1, 2, 1, 3]})
    multi = pd.DataFrame(
        {"county_id": ["C01"] * 3 + ["C02"] * 3, "year": [2020, 2021, 2022] * 2, "value": [1, 2, 3, 2, 2, 2]}
    )
    figs = [
        figures.event_study(es, "住院率事件研究"),
        figures.cohort_trends(cohorts, "按改革批次"),
        figures.grouped_bars(
            pd.DataFrame({"budget": [5e6, 4e6], "spending": [4.5e6, 4.2e6]}, index=["单元一", "单元二"]),
            "预算与支出",
            ylabel="万元",
            scale=1e4,
        ),
        figures.ranking(
            pd.Series([0.9, 0.8], index=["濉溪县", "甲县"]),
            "排名",
            highlight=["濉溪县"],
            percent=True,
            reference=0.85,
            reference_label="目标",
        ),
        figures.small_multiples(multi, "各县趋势", names={"C01": "濉溪县", "C02": "甲县"}, reform_years={"C01": 2021}),
    ]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        shown = [figures.show(f) for f in figs]
    assert not [w for w in caught if "missing from" in str(w.message)]
    assert all(s.data[:4] == b"\x89PNG" for s in shown)
    # each carries its title as alt text, in the display metadata the HTML report reads
    assert all(s._repr_png_()[1]["alt"] for s in shown)


def test_svg_is_deterministic():
    a = figures.svg_text(figures.indicator_trend(_trend(), "住院率"))
    b = figures.svg_text(figures.indicator_trend(_trend(), "住院率"))
    assert a == b


def test_trend_legend_names_the_county_when_given():
    fig = figures.indicator_trend(_trend(), "住院率", series_label="濉溪县", comparison=_trend())
    try:
        assert fig.axes[0].get_legend_handles_labels()[1] == ["濉溪县", "全省中位数"]
    finally:
        figures.plt.close(fig)
    fig = figures.indicator_trend(_trend(), "hospitalisation rate", lang="en")
    try:
        assert fig.axes[0].get_legend_handles_labels()[1][0] == "County"
    finally:
        figures.plt.close(fig)
