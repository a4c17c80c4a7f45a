"""A province of 4 counties: the pre-trend tests are not possible (10 pre-reform event times,
4 clusters) and cluster-robust inference is fragile. The report must say both plainly — no
"F(10, −6)", and no reassurance from the TWFE lead test the verdict does not rest on."""

from types import SimpleNamespace

import pandas as pd
import pytest

from toolkit.data.synth import generate_province
from toolkit.report import evaluation

OUTCOME = "hospitalisation_rate"


@pytest.fixture(scope="module")
def small_province(tmp_path_factory):
    out = tmp_path_factory.mktemp("province4") / "p"
    generate_province(out, seed=20240901, n_counties=4)
    cy = pd.read_csv(out / "county_year.csv", dtype={"county_id": str})
    ind = pd.DataFrame(
        {
            "county_id": cy["county_id"],
            "year": cy["year"],
            "indicator": OUTCOME,
            "value": cy["admissions"] / cy["insured_pop"] * 100,
        }
    )
    reform = {c: (int(y) if pd.notna(y) else None) for c, y in cy.groupby("county_id")["reform_year"].first().items()}
    assert len(reform) == 4
    return ind, reform


def _ctx(panel, lang):
    ind, reform = panel
    return SimpleNamespace(indicators=ind, reform_years=reform, _memo={}, lang=lang)


def test_pretrend_table_has_no_negative_df_and_states_the_limit(small_province):
    for lang, words in (("en", "not possible with 4 counties"), ("zh", "4 个县无法检验")):
        t = evaluation.pretrend_table(_ctx(small_province, lang), OUTCOME).table
        cells = " ".join(t.astype(str).to_numpy().ravel())
        assert "-" not in "".join(t.iloc[:, 2])  # no negative degrees of freedom anywhere
        assert words in cells
        # the TWFE lead test (10 leads, 4 clusters) is not possible either: no p-value shown
        assert t.iloc[2, 3] == "—"


def test_paragraph_states_the_limit_and_does_not_reassure(small_province):
    en = str(evaluation.plain_language(_ctx(small_province, "en"), OUTCOME))
    assert "pre-trend test is not possible with 4 counties" in en
    assert "followed similar trends" not in en and "supports the comparison" not in en
    assert "few clusters" in en and "fragile" in en
    zh = str(evaluation.plain_language(_ctx(small_province, "zh"), OUTCOME))
    assert "4 个县无法进行改革前趋势检验" in zh and "没有可检测的差异" not in zh
    assert "聚类" in zh and "不可靠" in zh


def test_paragraph_names_the_estimator_it_was_given():
    from toolkit.did.api import estimate
    from toolkit.paths import MPDTA_CSV
    from toolkit.report.text import did_paragraph

    mpdta = pd.read_csv(MPDTA_CSV)
    cols = dict(yname="lemp", idname="countyreal", tname="year", gname="first.treat")
    sa = estimate(mpdta, estimator="sa", **cols)
    for lang in ("en", "zh"):
        text = did_paragraph("employment", sa, lang=lang, unit="number")
        assert "Sun–Abraham" in text and "Callaway" not in text
    bjs = estimate(mpdta, estimator="bjs", biters=20, **cols)
    en = did_paragraph("employment", bjs, lang="en", unit="number")
    # BJS compares with not-yet-reformed units too, and 500 counties are not few
    assert "Borusyak–Jaravel–Spiess" in en and "not yet reformed" in en and "fragile" not in en


def test_report_takes_any_estimator_subset_and_outcome_column(small_province, tmp_path_factory):
    ind, reform = small_province
    # a county_year-like table with an outcome column and a covariate
    cy = ind.rename(columns={"value": "admission_rate"}).drop(columns="indicator")
    cy["x"] = range(len(cy))
    ctx = SimpleNamespace(indicators=ind, reform_years=reform, _memo={}, lang="en", county_year=cy)
    spec = dict(estimator="sa", counties="C01,C03,C04")
    r = evaluation.estimates(ctx, OUTCOME, "notyet", **spec)
    assert r["robust"].estimator == "sa" and r["robust"].n_units == 3
    text = str(evaluation.specification(ctx, OUTCOME, "notyet", **spec))
    assert "Sun–Abraham" in text and "never-reformed counties" in text and "counties: C01, C03, C04" in text
    assert "2017: 1, 2019: 1" in text and "never reformed: 1 counties" in text
    assert "single cohort" in text  # with one county per cohort, late event times rest on one
    table = evaluation.estimator_table(ctx, OUTCOME, "notyet", **spec).table
    assert table.iloc[:, 0].tolist() == ["Sun–Abraham", "TWFE"]
    # an outcome that is a county_year column, with a covariate, by BJS
    bjs = evaluation.estimates(ctx, "admission_rate", "notyet", estimator="bjs", counties="")
    assert bjs["robust"].estimator == "bjs" and bjs["robust"].n_units == 4
    with pytest.raises(Exception, match="counties"):
        evaluation.estimates(ctx, OUTCOME, "notyet", counties="C99")
