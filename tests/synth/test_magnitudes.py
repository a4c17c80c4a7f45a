"""The default province's magnitudes sit in the documented ranges (toolkit.data.synth_model docstring)."""

import numpy as np

NCD = ["cvd", "cancer", "diabetes", "crd"]
BANDS = ["30-34", "35-39", "40-44", "45-49", "50-54", "55-59", "60-64", "65-69"]


def _county(tables):
    cy = tables["county_year"].copy()
    cy["hosp"] = cy.admissions / cy.insured_pop * 100
    cy["ratio"] = (cy.township_pay / cy.township_staff) / (cy.lead_hospital_pay / cy.lead_hospital_staff)
    cy["subsidy"] = cy.village_doctor_subsidy / cy.village_doctors
    cy["fund_pc"] = cy.fund_spending / cy.insured_pop
    return cy


def test_c01_is_suixi_shaped(tables):
    units = tables["units"]
    c01 = units[units.county_id == "C01"]
    assert len(c01) == 232
    assert c01.township_id.nunique() == 11 and c01.community_id.nunique() == 2
    # every unit in exactly one township and one community; townships nested in communities
    assert c01.unit_id.is_unique
    assert (c01.groupby("township_id").community_id.nunique() == 1).all()
    assert c01.unit_id.str.fullmatch(r"C01-U\d{3}").all()
    cy = tables["county_year"]
    c = cy[cy.county_id == "C01"].set_index("year")
    assert c.loc[2023, "population"] == 918_000
    assert c.loc[2023, "insured_pop"] / c.loc[2023, "population"] == np.float64(780_300 / 918_000)
    # shaped like Suixi, but named fictionally (the 60-year cycle's first name)
    assert (c.county_name == "甲子县").all() and (c.reform_year == 2017).all()
    others = units[units.county_id != "C01"].groupby("county_id")
    assert others.size().between(3, 8).all()
    assert others.township_id.nunique().between(1, 3).all() and (others.community_id.nunique() == 1).all()


def test_cohorts_as_designed(tables, truth):
    cy = tables["county_year"]
    # one reform year per county, the same on every row
    assert (cy.groupby("county_id").reform_year.nunique(dropna=False) == 1).all()
    per_county = cy.groupby("county_id").reform_year.first()
    counts = per_county.value_counts(dropna=False).to_dict()
    assert counts == {2017: 8, 2019: 20, 2023: 12, np.nan: 20} or (
        counts[2017] == 8 and counts[2019] == 20 and counts[2023] == 12 and per_county.isna().sum() == 20
    )
    assert per_county["C01"] == 2017
    assert sorted(truth["cohorts"]["2017"]) == sorted(per_county[per_county == 2017].index)
    assert sorted(truth["never_reformed"]) == sorted(per_county[per_county.isna()].index)


def test_cohort_sizes_scale_with_county_count():
    from toolkit.data.synth_model import cohort_sizes

    for n in range(8, 121):
        sizes = dict(cohort_sizes(n))
        assert sum(sizes.values()) == n
        assert min(sizes.values()) >= 2, (n, sizes)
    assert dict(cohort_sizes(60)) == {2017: 8, 2019: 20, 2023: 12, 0: 20}


def test_activity_ranges(tables):
    cy = _county(tables)
    assert cy.hosp.between(10, 22).all() and cy.hosp.median() > 15
    assert (cy.admissions_in_county / cy.admissions).between(0.72, 0.94).all()
    assert (cy.visits / cy.insured_pop).between(5, 8).all()
    assert (cy.visits_in_county / cy.visits).between(0.83, 0.96).all()
    assert (cy.visits_primary / cy.visits).between(0.48, 0.72).all()
    assert cy.fund_pc.between(500, 2000).all()
    # fund_spending is the sum of the units' general + chronic fund, to the fen
    uy = tables["unit_year"].merge(tables["units"][["unit_id", "county_id"]])
    fen = lambda s: np.rint(s * 100).astype(np.int64)  # noqa: E731
    uy["fund"] = fen(uy.fund_general) + fen(uy.fund_chronic_outpatient)
    sums = uy.groupby(["county_id", "year"]).fund.sum()
    assert (sums.values == fen(cy.set_index(["county_id", "year"]).fund_spending.loc[sums.index]).values).all()
    assert (
        uy.groupby(["county_id", "year"]).insured_pop.sum().values
        == cy.set_index(["county_id", "year"]).insured_pop.loc[sums.index].values
    ).all()


def test_unit_year_ranges(tables):
    uy = tables["unit_year"]
    share = uy.chronic_pop / uy.insured_pop
    assert share.between(0.09, 0.16).all()
    assert (uy.fund_general / uy.insured_pop).between(300, 2000).all()
    assert (uy.fund_chronic_outpatient / uy.chronic_pop).between(350, 2000).all()
    ratio = uy.total_medical_spending / (uy.fund_general + uy.fund_chronic_outpatient)
    assert ratio.between(1.4, 1.8).all()
    late = uy[uy.year >= 2019]
    assert (late.ph_lump_sum / late.insured_pop).between(30, 70).all()


def test_premature_mortality_by_hand(tables):
    """SDG 3.4.1 by hand: 5q = 5m/(1+2.5m), probability = 1 − Π(1 − 5q) over 30-34 … 65-69."""
    d = tables["deaths"]
    # 'all' is male + female on every row
    wide = d.pivot_table(
        index=["county_id", "year", "age_band", "cause"], columns="sex", values=["deaths", "population"], aggfunc="sum"
    )
    assert (wide[("deaths", "all")] == wide[("deaths", "male")] + wide[("deaths", "female")]).all()
    assert (wide[("population", "all")] == wide[("population", "male")] + wide[("population", "female")]).all()
    # population is the same on every cause row of a band
    assert (d.groupby(["county_id", "year", "sex", "age_band"]).population.nunique() == 1).all()
    a = d[(d.sex == "all") & d.cause.isin(NCD) & d.age_band.isin(BANDS)]
    g = a.groupby(["county_id", "year", "age_band"]).agg(deaths=("deaths", "sum"), pop=("population", "first"))
    m = g.deaths / g["pop"]
    q = 5 * m / (1 + 2.5 * m)
    prob = 100 * (1 - (1 - q).groupby(["county_id", "year"]).prod())
    assert prob.between(12, 21).all()
    by_year = prob.groupby("year").mean()
    assert 17 < by_year[2012] < 19.5 and 14 < by_year[2024] < 16.5
    # band populations add up to the county population
    pops = d[(d.sex == "all") & (d.cause == "cvd")].groupby(["county_id", "year"]).population.sum()
    cy = tables["county_year"].set_index(["county_id", "year"]).population
    assert (pops.values == cy.loc[pops.index].values).all()


def test_pay_ratio_and_village_subsidy(tables):
    cy = _county(tables)
    assert cy.ratio.between(0.6, 1.0).all()
    c01 = cy[cy.county_id == "C01"].set_index("year")
    # seed 000 §4.1: 99.16% in 2023; 41,000 → 66,000 yuan per village doctor (2017 → 2023)
    assert round(c01.loc[2023, "ratio"], 4) == 0.9916
    assert round(c01.loc[2017, "subsidy"], 2) == 41_000.00 and round(c01.loc[2023, "subsidy"], 2) == 66_000.00
    assert cy.subsidy.between(30_000, 75_000).all()
    assert cy[cy.year.between(2017, 2023)].subsidy.between(38_000, 70_000).all()


def test_village_share_of_ph_subsidy(tables, truth):
    uy = tables["unit_year"].merge(tables["units"][["unit_id", "county_id"]])
    lump = uy.groupby(["county_id", "year"]).ph_lump_sum.sum()
    cy = tables["county_year"].set_index(["county_id", "year"])
    share = lump / cy.ph_subsidy_total.loc[lump.index]
    flagged = sorted((c, int(y)) for c, y in share[share < 0.48].index)
    listed = sorted((v["county_id"], v["year"]) for v in truth["ph_village_share_violations"])
    assert flagged == listed and 0 < len(listed) <= 0.05 * len(share)
    assert share[share >= 0.48].min() > 0.485  # the rest pass clearly


def test_capitation_savings_mostly(tables):
    """Against the 3-year baseline (rules.md §2) most reformed unit-years save; some overspend."""
    uy = tables["unit_year"].merge(tables["units"][["unit_id", "county_id"]])
    uy = uy.merge(tables["county_year"][["county_id", "year", "reform_year"]]).sort_values(["unit_id", "year"])
    uy["pc"] = uy.fund_general / uy.insured_pop
    uy["base"] = uy.groupby("unit_id").pc.transform(lambda s: s.shift(1).rolling(3).mean())
    post = uy[uy.year >= uy.reform_year]
    saving = post.base * post.insured_pop > post.fund_general
    assert 0.7 < saving.mean() < 0.97
    c01 = post[post.county_id == "C01"]
    total = (c01.base * c01.insured_pop - c01.fund_general).groupby(c01.year).sum()
    assert (total.loc[2017:2023] > 0).all()  # seed 000 §4.1: savings 7 consecutive years since 2017


def test_ph_process_shape(tables):
    from toolkit.data.synth_ph import PLANNED_PROJECTS, TWO_CARD_PROJECTS

    p = tables["ph_process"]
    assert set(p.project) == set(TWO_CARD_PROJECTS + PLANNED_PROJECTS) and len(set(p.project)) == 15
    assert set(p.quarter) == {1, 2, 3, 4}
    tc = p.project.isin(TWO_CARD_PROJECTS)
    assert p.loc[tc, "planned_amount"].isna().all() and p.loc[~tc, "credits"].isna().all()
    assert p.loc[tc, "credits"].notna().all() and p.loc[~tc, "planned_amount"].notna().all()
    assert p.score.between(0, 100).all() and p.score.between(70, 98).mean() > 0.9
    # planned amount is the same on every quarter row
    assert (p[~tc].groupby(["unit_id", "year", "project"]).planned_amount.nunique() == 1).all()
    # nominal amounts relative to the 70% share: two-card 55–65%, planned 35–45%
    uy = tables["unit_year"].set_index(["unit_id", "year"])
    share70 = uy.ph_lump_sum * 0.7
    two_card = (p[tc].groupby(["unit_id", "year"]).credits.sum() * 2.0) / share70
    planned = p[~tc & (p.quarter == 1)].groupby(["unit_id", "year"]).planned_amount.sum() / share70
    small = uy.insured_pop >= 500  # whole credits make tiny units lumpy
    assert two_card[small].between(0.54, 0.66).all() and planned[small].between(0.349, 0.451).all()
    # after the quality coefficient (0.2, 0.2, 0.2, 0.4 of the quarter scores) most units are below the 70% share, some above
    q = p.assign(w=p.quarter.map({1: 0.2, 2: 0.2, 3: 0.2, 4: 0.4}) * p.score / 100)
    coef = q.groupby(["unit_id", "year", "project"]).w.sum()
    amount_tc = (
        (p[tc].groupby(["unit_id", "year", "project"]).credits.sum() * 2.0 * coef).groupby(["unit_id", "year"]).sum()
    )
    amount_pl = (
        (p[~tc & (p.quarter == 1)].set_index(["unit_id", "year", "project"]).planned_amount * coef)
        .groupby(["unit_id", "year"])
        .sum()
    )
    over = ((amount_tc + amount_pl) / share70) > 1
    assert 0 < over.mean() < 0.2


def test_ph_targets_shape(tables):
    from toolkit.data.synth_ph import INDICATORS

    t = tables["ph_targets"]
    assert set(t.indicator) == set(INDICATORS) and len(INDICATORS) == 16
    assert t.veto.dtype == bool
    veto_capable = [k for k, (_, s) in INDICATORS.items() if s]
    assert not t[~t.indicator.isin(veto_capable)].veto.any()
    assert 0.005 < t[t.indicator.isin(veto_capable)].veto.mean() < 0.04
    bench = t.indicator.map({k: b for k, (b, _) in INDICATORS.items()})
    assert 0.8 < (t.value >= bench).mean() < 0.9
    credits = t[t.indicator == "health_education_credits"].value
    assert credits.between(80, 140).all()
    rates = t[t.indicator != "health_education_credits"].value
    assert rates.between(0, 1).all()


def test_synthetic_place_names_are_fictional(tables, province):
    """No real place names: counties follow the sexagenary cycle (甲子县, 乙丑县, …), townships are
    numbered within their county (甲子一镇, …); the manifest says the data are synthetic and that C01 is
    modelled on Suixi."""
    import json

    from toolkit.data.synth_model import EARTHLY_BRANCHES, HEAVENLY_STEMS, SUIXI_TOWNSHIPS

    names = tables["county_year"].drop_duplicates("county_id").set_index("county_id")["county_name"]
    assert names["C01"] == "甲子县" and names["C02"] == "乙丑县" and names["C11"] == "甲戌县"
    assert names.str.fullmatch(f"[{HEAVENLY_STEMS}][{EARTHLY_BRANCHES}]县").all() and names.is_unique
    assert not names.isin(["濉溪县", "定远县", "安平县"]).any()
    units = tables["units"]
    assert not units["unit_name"].str.contains("|".join(SUIXI_TOWNSHIPS + ["濉溪"])).any()
    assert units.loc[units.county_id == "C01", "unit_name"].iloc[0] == "甲子县甲子一镇第1健康管理单元"
    manifest = json.loads((province[0] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["synthetic"] is True and manifest["modelled_on"] == {"C01": "濉溪县"}
