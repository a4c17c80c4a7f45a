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
# Difference-in-differences of one outcome across the province's counties (`toolkit.did`).
# `outcome`: hospitalisation_rate, premature_ncd_mortality or income_ratio; `control`: notyet or never.
data_dir = ""
outcome = "hospitalisation_rate"
control = "notyet"
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
title_block("reform_evaluation", label(outcome, lang), None, ctx.lang, synthetic=ctx.synthetic)

# %%
section("plain_language", lang)

# %%
evaluation.plain_language(ctx, outcome, control)

# %%
section("trends_by_cohort", lang)

# %%
evaluation.cohort_trends(ctx, outcome)

# %%
section("event_study", lang)

# %%
evaluation.event_study_figure(ctx, outcome, control)

# %%
section("estimators_compared", lang)

# %%
# NBVAL_CHECK_OUTPUT
evaluation.estimator_table(ctx, outcome, control)

# %%
section("pre_trend_test", lang)

# %%
# NBVAL_CHECK_OUTPUT
evaluation.pretrend_table(ctx, outcome, control)

# %%
section("provenance", lang)

# %%
ctx.provenance(outcome=outcome, control=control)
