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
# County medical community annual report · 县域医共体年度报告
# Parameters below; everything else is computed by `toolkit` (see docs/reports.md).
data_dir = ""
county_id = "C01"
year = "latest"  # the last year in the data, or a year such as 2023
lang = "zh"
params_dir = ""
suppress_threshold = 5
output_dir = ""
exec_mode = "interactive"
claims_file = ""

# %%
from toolkit.report import county, national, word
from toolkit.report.context import open_report
from toolkit.report.text import section, title_block

# %%
ctx = open_report(data_dir, county_id, year, lang, params_dir, suppress_threshold, output_dir, exec_mode,
                  notebook="county_annual_report")
title_block("county_annual_report", ctx.county_name, ctx.year, ctx.lang, synthetic=ctx.synthetic)

# %%
section("county_profile", lang)

# %%
# NBVAL_CHECK_OUTPUT
county.county_profile(ctx)

# %%
section("indicators_and_targets", lang)

# %%
# NBVAL_CHECK_OUTPUT
county.indicator_table(ctx)

# %%
county.indicator_summary(ctx)

# %%
county.indicator_trends(ctx)

# %%
section("trends_tested", lang)

# %%
# NBVAL_CHECK_OUTPUT
county.trend_summary(ctx)

# %%
section("settlement_results", lang)

# %%
# NBVAL_CHECK_OUTPUT
county.settlement_summary(ctx)

# %%
section("unit_indicators", lang)

# %%
# NBVAL_CHECK_OUTPUT
county.unit_core_indicators(ctx)

# %%
# NBVAL_CHECK_OUTPUT
county.objective_attainment(ctx)

# %%
section("comparison_with_province", lang)

# %%
county.province_comparison(ctx)

# %%
section("deaths_table", lang)

# %%
# NBVAL_CHECK_OUTPUT
county.deaths_by_cause(ctx)

# %%
national.monitoring_section(ctx)

# %%
national.criteria_section(ctx)

# %%
national.assessment_section(ctx)

# %%
section("claims_checked", lang)

# %%
# NBVAL_CHECK_OUTPUT
county.claims_checked(ctx, claims_file)

# %%
county.write_side_files(ctx)

# %%
word.write_county_docx(ctx, claims_file)

# %%
section("provenance", lang)

# %%
ctx.provenance()
