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
# Health management unit settlement · 健康管理单元结算
# Parameters below; the settlement itself is `toolkit.settlement` (see docs/reports.md).
data_dir = ""
county_id = "C01"
year = "latest"  # the last year in the data, or a year such as 2023
lang = "zh"
params_dir = ""
suppress_threshold = 5
output_dir = ""
exec_mode = "interactive"

# %%
from toolkit.report import unit_settlement
from toolkit.report.context import open_report
from toolkit.report.text import section, title_block

# %%
ctx = open_report(data_dir, county_id, year, lang, params_dir, suppress_threshold, output_dir, exec_mode,
                  notebook="unit_settlement", tables=["units", "unit_year", "ph_process", "ph_targets", "county_year"])
title_block("unit_settlement", ctx.county_name, ctx.year, ctx.lang, synthetic=ctx.synthetic)

# %%
section("settlement_results", lang)

# %%
unit_settlement.package_charts(ctx)

# %%
unit_settlement.unit_table(ctx)

# %%
section("reconciliation", lang)

# %%
# NBVAL_CHECK_OUTPUT
unit_settlement.reconciliation_table(ctx)

# %%
section("by_township", lang, level=3)

# %%
unit_settlement.rollup_table(ctx, "township")

# %%
section("by_community", lang, level=3)

# %%
unit_settlement.rollup_table(ctx, "community")

# %%
section("settlement_checks", lang, level=3)

# %%
# NBVAL_CHECK_OUTPUT
unit_settlement.checks_table(ctx)

# %%
section("parameters_used", lang)

# %%
# NBVAL_CHECK_OUTPUT
unit_settlement.parameters_table(ctx)

# %%
unit_settlement.write_side_files(ctx)

# %%
section("provenance", lang)

# %%
ctx.provenance()
