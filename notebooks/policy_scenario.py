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
# Policy scenario · 政策情景测算
# A reform is a YAML file of parameter changes (format of params/counties/*.yaml); several files
# are separated by ";". Empty: the example params/reforms/savings_split_532.yaml. Empty county_id:
# every county. The computation is toolkit.settlement.scenario (see docs/settlement.md).
data_dir = ""
county_id = ""
year = "latest"  # the last year in the data, or a year such as 2023
reform_files = ""
lang = "zh"
params_dir = ""
suppress_threshold = 5
output_dir = ""
exec_mode = "interactive"

# %%
from toolkit.report import scenario
from toolkit.report.context import open_report

# %%
ctx = open_report(data_dir, county_id, year, lang, params_dir, suppress_threshold, output_dir, exec_mode,
                  notebook="policy_scenario", tables=["units", "unit_year", "ph_process", "ph_targets", "county_year"])
result = scenario.scenario_for(ctx, reform_files)
scenario.title(ctx)

# %%
scenario.intro(ctx)

# %%
scenario.heading("comparison", lang)

# %%
# NBVAL_CHECK_OUTPUT
scenario.comparison_table(result, lang)

# %%
scenario.tier_chart(result, lang)

# %%
scenario.heading("changes", lang)

# %%
scenario.changes_table(result, lang)

# %%
scenario.heading("counties", lang)

# %%
# NBVAL_CHECK_OUTPUT
scenario.counties_table(result, lang)

# %%
scenario.heading("winners", lang)

# %%
scenario.units_table(result, lang, "winner")

# %%
scenario.heading("losers", lang)

# %%
scenario.units_table(result, lang, "loser")

# %%
# NBVAL_CHECK_OUTPUT
scenario.checks_table(result, lang)

# %%
scenario.write_side_files(ctx, result)

# %%
scenario.heading("provenance", lang)

# %%
ctx.provenance(reforms=result.reforms)
