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
# Province overview · 全省概览
# All counties side by side for one year: indicators, a ranking and small multiples (no maps).
data_dir = ""
year = "latest"  # the last year in the data, or a year such as 2023
lang = "zh"
ranking_indicator = "in_county_inpatient_share"
trend_indicator = "hospitalisation_rate"
params_dir = ""
suppress_threshold = 5
output_dir = ""
exec_mode = "interactive"

# %%
from toolkit.report import goals, national, province
from toolkit.report.context import open_report
from toolkit.report.text import section, title_block

# %%
ctx = open_report(data_dir, None, year, lang, params_dir, suppress_threshold, output_dir, exec_mode,
                  notebook="province_overview", tables=["units", "unit_year", "county_year", "deaths", "facility_year", "criteria_year",
                          "ph_process", "ph_targets"])
title_block("province_overview", None, ctx.year, ctx.lang, synthetic=ctx.synthetic)

# %%
# NBVAL_CHECK_OUTPUT
province.county_table(ctx)

# %%
goals.close_community_goal(ctx)

# %%
section("ranking", lang)

# %%
province.ranking(ctx, ranking_indicator)

# %%
section("small_multiples", lang)

# %%
province.small_multiples(ctx, trend_indicator)

# %%
national.criteria_overview(ctx)

# %%
national.assessment_overview(ctx)

# %%
province.write_side_files(ctx)

# %%
section("provenance", lang)

# %%
ctx.provenance()
