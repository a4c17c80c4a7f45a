# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
# Reform evaluation · 改革效果评估
# Did the county medical-community reform move the outcome it claims to move? This notebook compares
# reformed counties with counties not (yet) reformed, year by year, with a difference-in-differences
# estimator that is robust to reforms adopted in waves (`toolkit.did`, docs/did.md). Change the
# parameters below to run another outcome, estimator, comparison group, covariates or a subset of
# counties; every number is computed, and the text says what was run (in the report's language: these
# notes stay in the code, the page shows only what the report says).
# `outcome`: an indicator id (hospitalisation_rate, premature_ncd_mortality, income_ratio, …) or a
# numeric county_year column; `estimator`: cs, sa, bjs, twfe, event (toolkit.did.ESTIMATORS);
# `control`: notyet or never (estimators that define only their own comparison use it);
# `covariates`: comma-separated county_year columns; `counties`: comma-separated ids ("" = all).
data_dir = ""
outcome = "hospitalisation_rate"
estimator = "cs"
control = "notyet"
covariates = ""
counties = ""
lang = "zh"
params_dir = ""
suppress_threshold = 5
output_dir = ""
exec_mode = "interactive"

# %%
from toolkit.report import evaluation
from toolkit.report.context import open_report
from toolkit.report.labels import label
from toolkit.report.text import section, title_block

# %%
ctx = open_report(data_dir, None, None, lang, params_dir, suppress_threshold, output_dir, exec_mode,
                  notebook="reform_evaluation", tables=["county_year", "deaths"])
evaluation.check_outcome(outcome)
spec = dict(estimator=estimator, covariates=covariates, counties=counties)
title_block("reform_evaluation", label(outcome, lang), None, ctx.lang, synthetic=ctx.synthetic)

# %%
# What changed: the paragraph is generated from the estimates — direction, size, confidence interval,
# the pre-trend test the verdict rests on, and warnings (few counties, separated covariates, …).
section("plain_language", lang)

# %%
evaluation.plain_language(ctx, outcome, control, **spec)

# %%
section("specification", lang)

# %%
# What was run: estimator, comparison group, reform cohorts and their sizes, base period, clustering,
# bootstrap draws, covariates, counties, and event times that rest on a single cohort.
evaluation.specification(ctx, outcome, control, **spec)

# %%
section("trends_by_cohort", lang)

# %%
evaluation.cohort_trends(ctx, outcome, counties)

# %%
section("event_study", lang)

# %%
evaluation.event_study_figure(ctx, outcome, control, **spec)

# %%
# The headline estimator beside the static two-way fixed-effects estimate most published evaluations report.
section("estimators_compared", lang)

# %%
# NBVAL_CHECK_OUTPUT
evaluation.estimator_table(ctx, outcome, control, **spec)

# %%
section("pre_trend_test", lang)

# %%
# NBVAL_CHECK_OUTPUT
evaluation.pretrend_table(ctx, outcome, control, **spec)

# %%
section("provenance", lang)

# %%
ctx.provenance(outcome=outcome, control=control, estimator=estimator, covariates=covariates, counties=counties)
