"""A Chinese reform evaluation says in Chinese what the estimators warn and how they inferred: the
estimators' English warnings and inference strings (toolkit.did) are translated from the report
catalogue, numbers carried over; a warning the catalogue does not know becomes a Chinese pointer to the
English report, never English in a Chinese page."""

from types import SimpleNamespace

from tests.report.test_evaluation_few_counties import OUTCOME, small_province  # noqa: F401 (fixture)
from toolkit.report import evaluation
from toolkit.report.evaluation import base_period_words, inference_words, warning_words


def test_known_warnings_become_chinese_with_their_numbers():
    zh = warning_words(
        "only 3 treated (or control) clusters: the wild cluster bootstrap can under- or over-reject with so few "
        "(MacKinnon & Webb 2017); read its p-value with care",
        "zh",
    )
    assert (
        zh
        == "只有 3 个改革（或对照）聚类：聚类这么少时野自助法可能过度或不足拒绝（MacKinnon & Webb 2017），其 P 值应谨慎解读。"
    )
    one = warning_words(
        "only one treated cluster: cluster-robust standard errors and the wild cluster bootstrap are unreliable with "
        "a single treated cluster (MacKinnon & Webb 2017, 2018); reporting permutation (placebo) inference across "
        "the control units instead",
        "zh",
    )
    assert one.startswith("只有一个改革县（聚类）") and "置换" in one
    dropped = warning_words("dropped 4 rows with a missing outcome or covariate (first at data row 17)", "zh")
    assert dropped == "删去 4 行结果或协变量缺失的数据（第一行为数据第 17 行）。"


def test_english_keeps_the_estimators_words():
    text = "dropped 4 rows with a missing outcome or covariate (first at data row 17)"
    assert warning_words(text, "en") == text


def test_unknown_warning_points_to_the_english_report():
    zh = warning_words("a warning nobody has translated yet", "zh")
    assert zh == "估计程序另有一条技术提示，原文见英文版报告。"


def test_inference_and_base_period_in_chinese():
    assert base_period_words("varying", "zh") == "逐期（每期与上一期比较）"
    assert base_period_words("universal", "zh") == "统一基期（改革前一年）"
    assert base_period_words("varying", "en") == "varying"
    assert inference_words("cs", "Callaway–Sant'Anna (simple: …); SE from analytic influence function", "zh") == (
        "影响函数标准误；事件研究给出 sup-t 同时置信带"
    )
    assert inference_words("cs", "anything", "en") == "anything"


def test_bjs_inference_in_chinese_says_which_variance():
    # the analytic variance (default) and the cluster bootstrap are different statements in Chinese too
    import pandas as pd

    from toolkit.did import estimate
    from toolkit.paths import MPDTA_CSV

    d = pd.read_csv(MPDTA_CSV)
    cols = dict(yname="lemp", idname="countyreal", tname="year", gname="first.treat")
    analytic = estimate(d, estimator="bjs", **cols)
    boot = estimate(d, estimator="bjs", se="bootstrap", biters=19, **cols)
    assert "定理 3 的保守解析方差" in inference_words("bjs", analytic.inference, "zh")
    assert inference_words("bjs", boot.inference, "zh") == "插补估计，按县整群自助法标准误"
    assert inference_words("bjs", analytic.inference, "en") == analytic.inference


def test_evaluation_tables_and_figures_carry_source_and_years(small_province):  # noqa: F811
    ind, reform = small_province
    ds = SimpleNamespace(data_hash="0123456789abcdef")
    ctx = SimpleNamespace(indicators=ind, reform_years=reform, _memo={}, lang="zh", dataset=ds, year=None)
    first, last = int(ind["year"].min()), int(ind["year"].max())
    want = f"资料来源：报告所用数据集（数据指纹 0123456789ab）。数据年份：{first}–{last}。"
    assert evaluation.estimator_table(ctx, OUTCOME).source == want
    assert evaluation.pretrend_table(ctx, OUTCOME).source == want
    for bundle in (evaluation.cohort_trends(ctx, OUTCOME), evaluation.event_study_figure(ctx, OUTCOME)):
        assert 'class="toolkit-source"' in bundle._repr_html_() and want in bundle._repr_html_()
