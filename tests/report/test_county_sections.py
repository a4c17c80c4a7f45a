"""County report sections on tiny hand-made tables: small death counts are suppressed in the
published table, and claims are shown in the indicator's unit."""

from types import SimpleNamespace

import pandas as pd

from toolkit.report.context import ReportContext
from toolkit.report.county import deaths_by_cause


def _ctx(deaths, threshold=5, lang="zh"):
    cy = pd.DataFrame({"county_id": ["C01"], "year": [2023], "county_name": ["濉溪县"], "reform_year": [2017]})
    ds = SimpleNamespace(tables={"county_year": cy, "deaths": deaths}, data_hash="x", files={}, root=".")
    return ReportContext(
        dataset=ds,
        county_id="C01",
        year=2023,
        lang=lang,
        params_dir=None,
        suppress_threshold=threshold,
        output_dir=None,
        exec_mode="interactive",
        notebook="t",
    )


def _deaths(rows):
    out = []
    for cause, male, female in rows:
        for sex, n in (("male", male), ("female", female), ("all", male + female)):
            out.append(
                {
                    "county_id": "C01",
                    "year": 2023,
                    "sex": sex,
                    "age_band": "30-34",
                    "cause": cause,
                    "deaths": n,
                    "population": 10000,
                }
            )
            # a band outside 30–69 must not be counted
            out.append(
                {
                    "county_id": "C01",
                    "year": 2023,
                    "sex": sex,
                    "age_band": "70-74",
                    "cause": cause,
                    "deaths": 1000,
                    "population": 10000,
                }
            )
    return pd.DataFrame(out)


def test_small_death_counts_are_suppressed_with_complements():
    #            male female | total
    # cvd          40     30 |   70
    # cancer       25     20 |   45
    # diabetes      2     12 |   14   2 < 5 → "<5"; row diabetes and column male then each need a
    # crd          10      9 |   19   complement: diabetes/female (12), crd/male (10) closes with
    #                                 crd/female (9) → a 2×2 cycle; totals stay published.
    t = deaths_by_cause(_ctx(_deaths([("cvd", 40, 30), ("cancer", 25, 20), ("diabetes", 2, 12), ("crd", 10, 9)])))
    table = t.table.set_index("死因")
    assert table.loc["糖尿病", "男"] == "<5"
    assert table.loc["糖尿病", "女"] == "—" and table.loc["慢性呼吸系统疾病", "男"] == "—"
    assert table.loc["慢性呼吸系统疾病", "女"] == "—"
    assert table.loc["心脑血管疾病", "男"] == "40"  # the 70–74 band (1000) is not counted
    assert table.loc["合计", "合计"] == "148"
    assert "隐去" in t.footnote


def test_no_footnote_when_nothing_is_suppressed():
    t = deaths_by_cause(_ctx(_deaths([("cvd", 40, 30), ("cancer", 25, 20)]), lang="en"))
    assert t.footnote is None and "Male" in t.table.columns


def _settlement_stub(checks):
    by_county = pd.DataFrame(
        [
            {
                "budget": 1e6,
                "actual": 9e5,
                "savings": 1e5,
                "chronic_budget": 2e5,
                "chronic_actual": 1.5e5,
                "chronic_savings": 5e4,
                "ph_lump_sum": 3e5,
                "ph_final": 3e5,
                "ph_retained": 0.0,
            }
        ]
    )
    return SimpleNamespace(
        by_county=by_county,
        by_tier=pd.DataFrame({"tier": ["county", "township", "village"], "total": [6e4, 6e4, 3e4]}),
        by_community=pd.DataFrame({"community_id": ["C01-M1"], "budget": [1e6], "actual": [9e5]}),
        checks=pd.DataFrame(checks),
        units=pd.DataFrame({"unit_id": ["U1"]}),
    )


def _summary_text(monkeypatch, checks, lang="zh"):
    from toolkit.report import county

    ctx = _ctx(_deaths([("cvd", 40, 30)]), lang=lang)
    ctx.dataset.tables.update({t: pd.DataFrame() for t in ("units", "unit_year", "ph_process", "ph_targets")})
    monkeypatch.setattr(county, "settlement", lambda _ctx: _settlement_stub(checks))
    bundle = county.settlement_summary(ctx)
    return bundle.summary, bundle._repr_html_()


def test_informational_checks_without_verdict_do_not_break_the_summary(monkeypatch):
    # regression: a check row with ok=None (effect ranking; village share with no approved total)
    # made `~checks["ok"]` raise TypeError for county C07 2023 in the main job
    checks = [
        {"check": "big package savings split", "ok": True},
        {"check": "village share of the public-health subsidy ≥ minimum", "ok": None},
        {"check": "effect ranking", "ok": None},
    ]
    summary, text = _summary_text(monkeypatch, checks)
    assert "checks ok" in summary
    assert "全部 1 项核对通过" in text


def test_a_failed_check_is_named(monkeypatch):
    checks = [
        {"check": "big package savings split", "ok": True},
        {"check": "village share of the public-health subsidy ≥ minimum", "ok": False},
        {"check": "effect ranking", "ok": None},
    ]
    summary, text = _summary_text(monkeypatch, checks, lang="en")
    assert "FAILED" in summary
    assert "Checks failing: village share of the public-health subsidy ≥ minimum" in text
